// OOS templates as users run them (issue 14 item 2) and bounded against hostile input
// (issue 15): execution parameters (--parameters), empty and unresolved loops, the official
// ECD actions with their waits, ACS::WaitFor, unexpanded actions as unmodelled calls, nested
// ACS::Template, YAML merge keys, and the bounds on aliases, nesting and expansion.
#include <catch2/catch.hpp>

#include <chrono>

#include "input/adapters/oos_template.hpp"
#include "input/adapters/plan_builder.hpp"
#include "input/adapters/plan_formats.hpp"
#include "input/adapters/yaml_reader.hpp"
#include "report/render.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

using namespace opguard;
using namespace opguard::test;

namespace {

const char* kBulk =
    "FormatVersion: OOS-2019-06-01\n"
    "Description:\n"
    "  name-en: ops-BulkyRebuildDesktops\n"
    "Parameters:\n"
    "  regionId:\n"
    "    Type: String\n"
    "    Default: '{{ ACS::RegionId }}'\n"
    "  desktopIds:\n"
    "    Type: List\n"
    "    Default: []\n"
    "  rateControl:\n"
    "    Type: Json\n"
    "    Default: {Mode: Concurrency, MaxErrors: 0, Concurrency: 10}\n"
    "Tasks:\n"
    "  - Name: rebuildDesktop\n"
    "    Action: ACS::ECD::RebuildDesktop\n"
    "    Properties:\n"
    "      regionId: '{{ regionId }}'\n"
    "      desktopId: '{{ ACS::TaskLoopItem }}'\n"
    "    Loop:\n"
    "      RateControl: '{{ rateControl }}'\n"
    "      Items: '{{ desktopIds }}'\n";

std::string location(const Finding& f) { return f.location.file + ":" + lc(f.location.pos); }

struct Checked {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    Inventory inventory;
    Report report;
    std::string path;
    std::vector<const Finding*> findings(const std::string& id) const {
        std::vector<const Finding*> out;
        for (const auto& f : report.findings)
            if (f.rule->id == id) out.push_back(&f);
        return out;
    }
    std::string at(Origin o) const { return lc(sources.file(o.file).position(o.offset)); }
};

std::unique_ptr<Checked> check(const std::string& path, const std::string& params = {}) {
    auto c = std::make_unique<Checked>();
    c->path = path;
    c->rules = load_rules(c->sources, RuleSources{true, {}});
    c->plan = load_plan_any(c->sources, path, c->rules, "auto", params);
    c->inventory = load_inventory(c->sources, {source_path("samples/fleet")}, c->rules);
    c->report = simulate(c->sources, c->plan, c->inventory, c->rules, {});
    return c;
}

std::optional<Err> load_error(const std::string& path, const std::string& params = {}) {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    return input_error([&] { load_plan_any(sources, path, rules, "auto", params); });
}

// The drafts an adapter made (wait steps included), for what build() does not show yet.
struct Drafts {
    SourceRegistry sources;
    RuleSet rules;
    std::unique_ptr<adapters::PlanBuilder> b;
    Node root;
    uint32_t fid = 0;
    std::string at(Origin o) const { return lc(sources.file(fid).position(o.offset)); }
};
std::unique_ptr<Drafts> drafts(const TempDir& dir, const std::string& name, const std::string& text) {
    auto d = std::make_unique<Drafts>();
    d->rules = load_rules(d->sources, RuleSources{true, {}});
    std::string path = dir.write(name, text);
    d->fid = d->sources.add(path, slurp(path));
    d->root = adapters::read_yaml(d->sources, d->fid);
    d->b = std::make_unique<adapters::PlanBuilder>(d->sources, d->fid, d->rules, "oos-template");
    adapters::read_oos_template(d->root, *d->b, {});
    return d;
}

std::string header_of(const adapters::CallDraft& d) {
    std::string s;
    for (const auto& [k, v] : d.header) s += (s.empty() ? "" : " ") + k + "=" + v.to_text();
    return s;
}

int run_cli(const TempDir& dir, const std::string& args, std::string* err = nullptr) {
    std::string cmd = "cd '" + dir.path().string() + "' && '" + OPGUARD_BINARY + "' " + args + " >out.txt 2>err.txt";
    int rc = std::system(cmd.c_str());
    if (err) *err = slurp(dir.file("err.txt"));
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

TEST_CASE("an official bulk template whose list defaults to [] fails: the rebuilds it makes are not checked", "[oos]") {
    TempDir dir;
    std::string path = dir.write("bulk.yml", kBulk);
    auto c = check(path);
    REQUIRE(c->plan.calls.size() == 1);
    CHECK(c->plan.calls[0].id == "rebuildDesktop[]");
    CHECK_FALSE(c->plan.calls[0].operation);
    // The task rebuilds desktops: an error (it was a warning, and the template passed).
    CHECK(c->findings("plan.loop-not-checked").empty());
    auto w = c->findings("plan.loop-skips-changes");
    REQUIRE(w.size() == 1);
    CHECK(w[0]->rule->severity == Severity::Error);
    CHECK(w[0]->message.find("the task may change something, so none of the calls the execution makes is checked") != std::string::npos);
    CHECK(exit_code(c->report, Severity::Error) == 1);
    CHECK(location(*w[0]) == path + ":22:14");
    CHECK(w[0]->message.find("task rebuildDesktop") != std::string::npos);
    CHECK(w[0]->message.find("nothing under it was checked") != std::string::npos);
    CHECK(w[0]->message.find("task rebuildDesktop (ACS::ECD::RebuildDesktop) loops over Loop.Items {{ desktopIds }}") != std::string::npos);
    // The advice names the parameter that holds the list.
    CHECK(w[0]->message.find("for example with --parameters '{\"desktopIds\": [...]}')") != std::string::npos);
    // The placeholder is only that finding: no other rule, no effect.
    CHECK(c->report.findings.size() == 1);
    CHECK(c->report.effects.empty());
    // Never "no change", never "not modeled": the summary says that the task's calls are not checked.
    REQUIRE(c->report.calls.size() == 1);
    CHECK(c->report.calls[0].placeholder);
    CHECK(c->report.calls[0].message == "this stands for API calls opguard does not read: they are not checked, and their effects are not predicted");
    CHECK(c->report.summary() == "Plan: 1 step (a script line or template task) makes API calls opguard does not read: they are not checked.");
    const auto json = nlohmann::json::parse(render(c->report, "json", {}));
    CHECK(json["summary"]["calls_not_read"] == 1);
    CHECK(json["summary"]["calls_not_modeled"] == 0);
}

TEST_CASE("check --parameters fills the template's parameters: given values win over Default", "[oos][parameters]") {
    TempDir dir;
    std::string path = dir.write("bulk.yml", kBulk);
    auto c = check(path, R"({"regionId": "cn-hangzhou", "desktopIds": ["ecd-hzlin03c9x4t6", "ecd-hzwin04d2p7w3"]})");
    std::vector<std::string> ids;
    for (const auto& call : c->plan.calls) ids.push_back(call.id + " " + (call.operation ? call.operation->name : "-"));
    CHECK(ids == std::vector<std::string>{"rebuildDesktop[1]/stopDesktop ecd.StopDesktops", "rebuildDesktop[1]/rebuildDesktop ecd.RebuildDesktops",
                                          "rebuildDesktop[2]/stopDesktop ecd.StopDesktops", "rebuildDesktop[2]/rebuildDesktop ecd.RebuildDesktops"});
    const Node& d = *c->plan.calls[1].parameters.find("DesktopId");
    CHECK(d.to_json() == R"(["ecd-hzlin03c9x4t6"])");
    CHECK(c->sources.file(d.items()[0].origin.file).path() == "--parameters");
    CHECK(c->at(d.items()[0].origin) == "1:44");
    CHECK(c->plan.calls[1].parameters.find("RegionId")->as_string() == "cn-hangzhou");
    CHECK(c->findings("plan.loop-not-checked").empty());
    CHECK_FALSE(c->report.effects.empty());
    // From a file, too.
    std::string file = dir.write("params.json", "{\n  \"desktopIds\": [\"ecd-hzlin03c9x4t6\"]\n}\n");
    auto f = check(path, file);
    REQUIRE(f->plan.calls.size() == 2);
    CHECK(f->at(f->plan.calls[1].parameters.find("DesktopId")->items()[0].origin) == "2:18");
}

TEST_CASE("bad --parameters is an input error at file:line:col", "[oos][parameters]") {
    TempDir dir;
    std::string path = dir.write("bulk.yml", kBulk);
    auto syntax = load_error(path, R"({"desktopIds": ["ecd-a",]})");
    REQUIRE(syntax);
    CHECK(syntax->file == "--parameters");
    CHECK(syntax->id == "json.syntax");
    CHECK(syntax->where() == "1:25");
    auto array = load_error(path, "[\"ecd-a\"]");
    REQUIRE(array);
    CHECK(array->id == "oos.parameters");
    CHECK(array->where() == "1:1");
    std::string file = dir.write("p.json", "{\"desktopIds\": [],\n \"regionid\": \"cn-hangzhou\"}\n");
    auto undeclared = load_error(path, file);
    REQUIRE(undeclared);
    CHECK(undeclared->id == "oos.unknown-parameter");
    CHECK(undeclared->file == file);
    CHECK(undeclared->where() == "2:14");
    CHECK(undeclared->message.find("'regionid'") != std::string::npos);
    auto missing = load_error(path, dir.file("nothere.json"));
    REQUIRE(missing);
    CHECK(missing->file == dir.file("nothere.json"));
    std::string plan = dir.write("plan.json", "{\"calls\": [{\"product\": \"ecd\", \"action\": \"DescribeDesktops\"}]}");
    auto not_oos = load_error(plan, "{}");
    REQUIRE(not_oos);
    CHECK(not_oos->id == "usage");
    // Exit code 2 through the binary, the option named as the file.
    std::string err;
    CHECK(run_cli(dir, "check bulk.yml -i '" + source_path("samples/fleet") + "' --parameters '{\"desktopIds\": [' ", &err) == 2);
    CHECK(err.rfind("--parameters:1:", 0) == 0);
    // Without the list the rebuilds are not checked: plan.loop-skips-changes fails the check,
    // and no run option lowers it (it is locked).
    CHECK(run_cli(dir, "check bulk.yml -i '" + source_path("samples/fleet") + "'") == 1);
    CHECK(run_cli(dir, "check bulk.yml -i '" + source_path("samples/fleet") + "' --skip-rule plan.loop-skips-changes", &err) == 2);
    CHECK(err.find("error[overrides.locked]") != std::string::npos);
}

TEST_CASE("official ECD actions expand to their steps and waits: ACS::WaitFor is a wait step", "[oos][wait]") {
    TempDir dir;
    auto d = drafts(dir, "t.yml",
                    "FormatVersion: OOS-2019-06-01\n"
                    "Tasks:\n"
                    "  - Name: stop\n"
                    "    Action: ACS::ECD::StopDesktop\n"
                    "    Properties: {regionId: cn-hangzhou, desktopId: ecd-a}\n"
                    "  - Name: start\n"
                    "    Action: ACS::ECD::StartDesktop\n"
                    "    Properties: {regionId: cn-hangzhou, desktopId: ecd-a}\n"
                    "  - Name: reboot\n"
                    "    Action: ACS::ECD::RebootDesktop\n"
                    "    Properties: {regionId: cn-hangzhou, desktopId: ecd-a}\n"
                    "  - Name: rebuild\n"
                    "    Action: ACS::ECD::RebuildDesktop\n"
                    "    Properties: {regionId: cn-hangzhou, desktopId: ecd-a}\n"
                    "  - Name: untilRunning\n"
                    "    Action: ACS::WaitFor\n"
                    "    Properties: {Service: ECD, API: DescribeDesktops, DesiredValues: [Running]}\n");
    std::vector<std::string> got;
    for (const auto& x : d->b->drafts())
        got.push_back(x.id + " [" + header_of(x) + "]" + (x.wait ? " wait@" + d->at(x.wait_at) : "") + (x.wait_only ? " wait_only@" + d->at(x.wait_at) : "") +
                      (x.adapter.find("conditional") ? " conditional" : ""));
    CHECK(got == std::vector<std::string>{
                     "stop/StopDesktop [product=ecd version=2020-09-30 action=StopDesktops] wait@3:5 conditional",
                     "start/startDesktop [product=ecd version=2020-09-30 action=StartDesktops] wait@6:5 conditional",
                     "reboot/rebootDesktop [product=ecd version=2020-09-30 action=RebootDesktops] wait@9:5",
                     "rebuild/stopDesktop [product=ecd version=2020-09-30 action=StopDesktops] wait@12:5 conditional",
                     "rebuild/rebuildDesktop [product=ecd version=2020-09-30 action=RebuildDesktops]",
                     "untilRunning [] wait_only@15:5"});
    CHECK(d->b->drafts().back().params.empty());
}

TEST_CASE("an action opguard does not expand is an unmodelled call named after it", "[oos][unexpanded]") {
    TempDir dir;
    auto d = drafts(dir, "t.yml",
                    "FormatVersion: OOS-2019-06-01\n"
                    "Tasks:\n"
                    "  - Name: attachWeb\n"
                    "    Action: ACS::ECS::AttachDisk\n"
                    "    Properties: {instanceId: i-1}\n"
                    "  - Name: redeploy\n"
                    "    Action: ACS::ECS::RedeployInstance\n"
                    "  - Name: select\n"
                    "    Action: ACS::SelectTargets\n"
                    "  - Name: choose\n"
                    "    Action: ACS::Choice\n"
                    "  - Name: command\n"
                    "    Action: ACS::RunCommand\n"
                    "  - Name: other\n"
                    "    Action: ACS::Template\n"
                    "    Properties: {TemplateName: ACS-ECS-BulkyStopInstances}\n");
    std::vector<std::string> got;
    for (const auto& x : d->b->drafts())
        got.push_back(x.id + " [" + header_of(x) + "] " + x.adapter.find("oos_action")->to_text() + " @" + d->at(x.origin));
    CHECK(got == std::vector<std::string>{
                     "attachWeb [product=ecs action=AttachDisk] ACS::ECS::AttachDisk @3:5",
                     // ecs RedeployInstance is modelled: the action stays the OOS action, unmodelled.
                     "redeploy [product=ecs action=ACS::ECS::RedeployInstance] ACS::ECS::RedeployInstance @6:5",
                     "command [product=oos action=RunCommand] ACS::RunCommand @12:5",
                     "other [product=oos action=ACS-ECS-BulkyStopInstances] ACS-ECS-BulkyStopInstances @14:5"});
    // Through the whole check: each is a call no operation models, with the observation.
    std::string path = dir.write("u.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: attachWeb\n    Action: ACS::ECS::AttachDisk\n");
    auto c = check(path);
    REQUIRE(c->plan.calls.size() == 1);
    CHECK_FALSE(c->plan.calls[0].operation);
    auto f = c->findings("plan.oos-not-expanded");
    REQUIRE(f.size() == 1);
    CHECK(location(*f[0]) == path + ":4:13");
}

TEST_CASE("ACS::Template expands a template beside the plan: depth and cycles are bounded", "[oos][nested]") {
    TempDir dir;
    dir.write("child-reboot.yml",
              "FormatVersion: OOS-2019-06-01\n"
              "Parameters:\n"
              "  regionId: {Type: String, Default: cn-hangzhou}\n"
              "  desktopId: {Type: String}\n"
              "Tasks:\n"
              "  - Name: reboot\n"
              "    Action: ACS::ECD::RebootDesktop\n"
              "    Properties: {regionId: '{{ regionId }}', desktopId: '{{ desktopId }}'}\n");
    std::string path = dir.write("parent.yml",
                                 "FormatVersion: OOS-2019-06-01\n"
                                 "Tasks:\n"
                                 "  - Name: run\n"
                                 "    Action: ACS::Template\n"
                                 "    Properties:\n"
                                 "      TemplateName: child-reboot\n"
                                 "      Parameters: {desktopId: ecd-hzwin04d2p7w3}\n");
    auto c = check(path);
    REQUIRE(c->plan.calls.size() == 1);
    CHECK(c->plan.calls[0].id == "run/reboot/rebootDesktop");
    REQUIRE(c->plan.calls[0].operation);
    CHECK(c->plan.calls[0].operation->name == "ecd.RebootDesktops");
    CHECK(c->sources.file(c->plan.calls[0].origin.file).path() == dir.file("child-reboot.yml"));
    CHECK(c->at(c->plan.calls[0].parameters.find("DesktopId")->items()[0].origin) == "7:31");  // in the parent
    // An undeclared parameter of the child.
    std::string bad = dir.write("bad.yml",
                                "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: run\n    Action: ACS::Template\n"
                                "    Properties: {TemplateName: child-reboot, Parameters: {desktop: ecd-x}}\n");
    auto e = load_error(bad);
    REQUIRE(e);
    CHECK(e->id == "oos.unknown-parameter");
    CHECK(e->where() == "5:68");
    // A cycle: a runs b, b runs a.
    dir.write("a.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: toB\n    Action: ACS::Template\n    Properties: {TemplateName: b}\n");
    dir.write("b.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: toA\n    Action: ACS::Template\n    Properties: {TemplateName: a}\n");
    std::string top = dir.write("top.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: start\n    Action: ACS::Template\n    Properties: {TemplateName: a}\n");
    auto cycle = load_error(top);
    REQUIRE(cycle);
    CHECK(cycle->id == "oos.template-cycle");
    CHECK(cycle->file == dir.file("b.yml"));
    CHECK(cycle->where() == "3:5");
    CHECK(cycle->message.find("a -> b -> a") != std::string::npos);
    // Depth: n0 runs n1 runs ... n20.
    for (int i = 0; i < 20; ++i)
        dir.write("n" + std::to_string(i) + ".yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: next\n    Action: ACS::Template\n"
                                                   "    Properties: {TemplateName: n" + std::to_string(i + 1) + "}\n");
    std::string deep = dir.write("deep.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: go\n    Action: ACS::Template\n    Properties: {TemplateName: n0}\n");
    auto depth = load_error(deep);
    REQUIRE(depth);
    CHECK(depth->id == "oos.template-depth");
    CHECK(depth->message.find(std::to_string(adapters::kOosMaxTemplateDepth)) != std::string::npos);
    CHECK(depth->where() == "3:5");
    // A name that is a path is never read.
    std::string escape = dir.write("sub/escape.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: up\n    Action: ACS::Template\n"
                                                     "    Properties: {TemplateName: ../child-reboot}\n");
    auto esc = check(escape);
    REQUIRE(esc->plan.calls.size() == 1);
    CHECK_FALSE(esc->plan.calls[0].operation);
}

TEST_CASE("YAML merge keys are honoured", "[oos][yaml]") {
    TempDir dir;
    std::string path = dir.write("m.yml",
                                 "FormatVersion: OOS-2019-06-01\n"
                                 "x-common: &common {Service: ECD, API: RebootDesktops}\n"
                                 "x-region: &region {Parameters: {RegionId: cn-hangzhou, DesktopId: [ecd-hzwin04d2p7w3]}}\n"
                                 "Tasks:\n"
                                 "  - Name: reboot\n"
                                 "    Action: ACS::ExecuteApi\n"
                                 "    Properties:\n"
                                 "      <<: [*common, *region]\n"
                                 "      API: StopDesktops\n"
                                 "  - Name: reboot2\n"
                                 "    Action: ACS::ExecuteApi\n"
                                 "    Properties:\n"
                                 "      <<: *common\n"
                                 "      Parameters: {RegionId: cn-hangzhou, DesktopId: [ecd-hzlin03c9x4t6]}\n");
    auto c = check(path);
    REQUIRE(c->plan.calls.size() == 2);
    CHECK(c->plan.calls[0].operation->name == "ecd.StopDesktops");  // given here wins over the merged API
    CHECK(c->plan.calls[0].parameters.to_json() == R"({"RegionId":"cn-hangzhou","DesktopId":["ecd-hzwin04d2p7w3"]})");
    CHECK(c->plan.calls[1].operation->name == "ecd.RebootDesktops");
    std::string bad = dir.write("bad.yml", "FormatVersion: OOS-2019-06-01\nTasks: []\nx:\n  <<: [1, 2]\n");
    auto e = load_error(bad);
    REQUIRE(e);
    CHECK(e->id == "yaml.merge");
    CHECK(e->where() == "4:7");
}

TEST_CASE("alias bombs, exponential defaults and deep nesting are input errors in bounded time", "[oos][hostile]") {
    TempDir dir;
    auto timed = [](auto&& f) {
        auto t0 = std::chrono::steady_clock::now();
        auto r = f();
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
        return r;
    };
    // Billion laughs: 9 levels of 9 aliases.
    std::string lol = "FormatVersion: OOS-2019-06-01\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    std::string prev = "a";
    for (char c = 'b'; c <= 'i'; ++c) {
        lol += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 9; ++i) lol += (i ? ", *" : "*") + prev;
        lol += "]\n";
        prev = std::string(1, c);
    }
    lol += "Tasks: [*i]\n";
    std::string lol_path = dir.write("lol.yml", lol);
    auto e = timed([&] { return load_error(lol_path); });
    REQUIRE(e);
    CHECK(e->id == "yaml.expansion-limit");
    CHECK(e->where() == "2:38");  // where the copies reach the limit
    CHECK(e->message.find(std::to_string(adapters::kYamlExpansionFloor)) != std::string::npos);
    // Parameter defaults that double at each level: p0 = p1 p1, p1 = p2 p2, ...
    std::string exp = "FormatVersion: OOS-2019-06-01\nParameters:\n";
    for (int i = 0; i < 60; ++i)
        exp += "  p" + std::to_string(i) + ": {Type: String, Default: '{{ p" + std::to_string(i + 1) + " }}{{ p" + std::to_string(i + 1) + " }}'}\n";
    exp += "  p60: {Type: String, Default: xxxxxxxxxxxxxxxx}\n";
    exp += "Tasks:\n  - Name: t\n    Action: ACS::ExecuteApi\n    Properties: {Service: ECD, API: StopDesktops, Parameters: {RegionId: '{{ p0 }}'}}\n";
    std::string exp_path = dir.write("exp.yml", exp);
    auto x = timed([&] { return load_error(exp_path); });
    REQUIRE(x);
    CHECK(x->id == "oos.expansion-limit");
    CHECK(x->message.find(std::to_string(adapters::kOosExpansionFloor)) != std::string::npos);
    // A Default that refers to itself is unresolved, not endless.
    std::string self = dir.write("self.yml", "FormatVersion: OOS-2019-06-01\nParameters:\n  a: {Type: String, Default: '{{ b }}'}\n"
                                             "  b: {Type: String, Default: '{{ a }}'}\nTasks:\n  - Name: t\n    Action: ACS::ExecuteApi\n"
                                             "    Properties: {Service: ECD, API: StopDesktops, Parameters: {RegionId: '{{ a }}', DesktopId: [ecd-x]}}\n");
    auto s = check(self);
    REQUIRE(s->findings("plan.unresolved-value").size() == 1);
    CHECK(s->findings("plan.unresolved-value")[0]->message.find("refers back to itself") != std::string::npos);
    // Loops of loops through nested templates: the product is bounded too.
    std::string items = "[";
    for (int i = 0; i < 3000; ++i) items += (i ? ",x" : "x") + std::to_string(i);
    items += "]";
    dir.write("inner.yml", "FormatVersion: OOS-2019-06-01\nParameters:\n  ids: {Type: List, Default: " + items +
                               "}\nTasks:\n  - Name: r\n    Action: ACS::ExecuteApi\n    Loop: {Items: '{{ ids }}'}\n"
                               "    Properties: {Service: ECD, API: RebootDesktops, Parameters: {RegionId: cn-hangzhou, DesktopId: ['{{ ACS::TaskLoopItem }}']}}\n");
    std::string outer = dir.write("outer.yml", "FormatVersion: OOS-2019-06-01\nParameters:\n  ids: {Type: List, Default: " + items +
                                                   "}\nTasks:\n  - Name: o\n    Action: ACS::Template\n    Loop: {Items: '{{ ids }}'}\n"
                                                   "    Properties: {TemplateName: inner}\n");
    auto l = timed([&] { return load_error(outer); });
    REQUIRE(l);
    CHECK(l->id == "oos.expansion-limit");
    // 100k-deep flow and block nesting, and a quote inside a plain scalar.
    for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
             {"flow.yml", "FormatVersion: OOS-2019-06-01\nTasks: " + std::string(100000, '[') + std::string(100000, ']') + "\n"},
             {"map.yml", "FormatVersion: OOS-2019-06-01\nTasks: " + [] { std::string s; for (int i = 0; i < 100000; ++i) s += "{a: "; return s; }() + "\n"},
             {"block.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n" + [] { std::string s; for (int i = 0; i < 100000; ++i) s += "- "; return s; }() + "x\n"},
             {"quote.yml", "FormatVersion: OOS-2019-06-01\nTasks: " + [] { std::string s; for (int i = 0; i < 100000; ++i) s += "[a'"; return s; }() + "\n"}}) {
        std::string p = dir.write(name, text);
        auto d = timed([&] { return load_error(p); });
        REQUIRE(d);
        CHECK(d->id == "yaml.depth");
        CHECK(d->pos.line >= 2);
    }
    // Long scalars and references (std::regex recursed once per character here).
    std::string digits = dir.write("digits.yml", "FormatVersion: OOS-2019-06-01\nTasks: []\nx: " + std::string(300000, '1') + "\n");
    CHECK(check(digits)->plan.calls.empty());
    std::string ref = dir.write("ref.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: a\n    Action: ACS::ExecuteApi\n"
                                           "    Properties: {Service: ECD, API: StopDesktops, Parameters: {RegionId: '{{ " +
                                               std::string(300000, 'a') + " }}'}}\n");
    CHECK(check(ref)->plan.calls.size() == 1);
}
