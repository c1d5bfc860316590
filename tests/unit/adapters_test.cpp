// The plan adapters (src/input/adapters): shell scripts of aliyun / hcloud lines,
// --cli-dry-run-json records, KooCLI --cli-jsonInput files, OOS templates and Terraform
// plans become opguard's plan with every value located in the ORIGINAL file; what the
// adapters observe reaches the report through rules/adapters.rules; CLI text tables are
// rejected as inventories.
#include <catch2/catch.hpp>

#include "input/adapters/plan_formats.hpp"
#include "input/adapters/rule_needs.hpp"
#include "input/adapters/shell_lexer.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

struct Loaded {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    std::string path;
    std::string text;
    // line:col of a value in whatever file it came from
    std::string at(const Node& n) const { return lc(sources.file(n.origin.file).position(n.origin.offset)); }
    const Node& param(size_t call, const std::string& name) const {
        const Node* p = plan.calls.at(call).parameters.find(name);
        if (!p) FAIL("call " << call << " has no parameter " << name << ": " << plan.calls.at(call).parameters.to_json());
        return *p;
    }
    const Node& adapter(size_t call) const {
        const Node* a = plan.calls.at(call).record.find("adapter");
        REQUIRE(a);
        return *a;
    }
    // "line:col" of the first `needle` (after `after`) in this plan's text.
    std::string where(const std::string& needle, const std::string& after = {}) const { return lc(position_of(text, needle, after)); }
};

std::unique_ptr<Loaded> load(const TempDir& dir, const std::string& name, const std::string& text, const std::string& format = "auto") {
    auto l = std::make_unique<Loaded>();
    l->text = text;
    l->path = dir.write(name, text);
    l->rules = load_rules(l->sources, RuleSources{true, {}});
    l->plan = load_plan_any(l->sources, l->path, l->rules, format);
    return l;
}

std::optional<Err> load_error(const TempDir& dir, const std::string& name, const std::string& text, const std::string& format = "auto") {
    std::string path = dir.write(name, text);
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    return input_error([&] { load_plan_any(sources, path, rules, format); });
}

std::vector<std::string> strings(const Node& list) {
    std::vector<std::string> out;
    for (const auto& n : list.items()) out.push_back(n.to_text());
    return out;
}

// The whole pipeline with a plan in any format and the sample fleet.
struct Checked {
    std::unique_ptr<Loaded> l;
    Inventory inventory;
    Report report;
    std::vector<const Finding*> findings(const std::string& rule, size_t call) const {
        std::vector<const Finding*> out;
        for (const auto& f : report.findings)
            if (f.rule->id == rule && f.call_index == call) out.push_back(&f);
        return out;
    }
    std::string loc(const std::string& needle, const std::string& after = {}) const { return l->path + ":" + l->where(needle, after); }
};

std::unique_ptr<Checked> check(const TempDir& dir, const std::string& name, const std::string& text,
                               std::vector<std::string> inventory = {source_path("samples/fleet")}) {
    auto c = std::make_unique<Checked>();
    c->l = load(dir, name, text);
    c->inventory = load_inventory(c->l->sources, inventory, c->l->rules);
    c->report = simulate(c->l->sources, c->l->plan, c->inventory, c->l->rules);
    return c;
}

std::string location(const Finding& f) { return f.location.file + ":" + lc(f.location.pos); }

}  // namespace

// ---- the shell lexer ----------------------------------------------------------------------

TEST_CASE("shell: comments, quotes, continuations, chains and substitutions", "[adapters][shell]") {
    const std::string s =
        "#!/bin/sh\n"
        "X=1 aliyun ecd A --K 'a b' \\\n"
        "   --L \"c $V d\" # trailing comment\n"
        "if aliyun ecs B; then echo ok && aliyun ecs C | tee log; fi\n"
        "out=$(aliyun ecd D --Q \"$(date)\") ; aliyun ecd E 2>&1 >/dev/null\n"
        "cat <<EOF\n"
        "aliyun ecd InsideHeredoc\n"
        "EOF\n"
        "for d in a b; do sudo -u ops aliyun ecd F --Id \"$d\"; done\n";
    auto cmds = adapters::split_shell_commands(s);
    std::vector<std::string> firsts;
    for (const auto& c : cmds) firsts.push_back(c.words.at(0).text + " " + (c.words.size() > 2 ? c.words[2].text : ""));
    // The loop over literal words runs F once per word (see shell_loops_test.cpp).
    CHECK(firsts == std::vector<std::string>{"aliyun A", "aliyun B", "echo ", "aliyun C", "tee ", "date ", "aliyun D", "aliyun E",
                                             "cat ", "aliyun F", "aliyun F"});
    const auto& a = cmds[0].words;
    REQUIRE(a.size() == 7);
    CHECK(a[4].text == "a b");                       // quotes removed
    CHECK(lc(position_of(s, "a b")) == "2:23");
    CHECK(a[4].offset_of(0) == s.find("a b"));       // every byte keeps its place
    CHECK(a[6].text == "c $V d");                    // expansion kept as written
    CHECK(a[6].unresolved());
    CHECK(adapters::written(s, a[6]) == "\"c $V d\"");
    CHECK_FALSE(a[4].unresolved());
    // The substitution inside D's argument is its own command, and D's argument is unresolved.
    CHECK(cmds[6].words.back().unresolved());
    CHECK(cmds[7].words.size() == 3);               // redirections dropped
    CHECK(cmds[9].words.back().text == "a");
    CHECK(cmds[10].words.back().text == "b");
    CHECK(cmds[10].iteration == 2);
    CHECK(cmds[10].words.back().offset_of(0) == s.find("\"$d\"") + 1);  // located at the use
    // A script saved with CRLF line ends reads the same.
    auto crlf = adapters::split_shell_commands("aliyun ecd A --K v \\\r\n  --L w\r\naliyun ecd B\r\n");
    REQUIRE(crlf.size() == 2);
    CHECK(crlf[0].words.size() == 7);
    CHECK(crlf[0].words.back().text == "w");
}

// ---- aliyun command lines -------------------------------------------------------------------

TEST_CASE("aliyun classic form: flag forms, repeat lists, region, caller flags", "[adapters][aliyun]") {
    TempDir dir;
    const std::string s =
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou \\\n"
        "  --DesktopId.2 ecd-b --DesktopId.1=ecd-a --ImageId:m-x --Tag.1.Key env --Tag.1.Value prod \\\n"
        "  --force --profile ops --pager path=Desktops[] PageSize=50 --quiet\n"
        "aliyun ecd RebuildDesktops --region cn-hongkong --RegionId cn-hangzhou --DesktopId.1 ecd-c --force\n"
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-x --ForceStop false\n";
    auto l = load(dir, "run.sh", s);
    REQUIRE(l->plan.calls.size() == 3);
    const Call& c0 = l->plan.calls[0];
    CHECK(c0.id == "line-1");
    REQUIRE(c0.operation);
    CHECK(c0.operation->name == "ecd.RebuildDesktops");
    CHECK(c0.record.find("version")->as_string() == "2020-09-30");  // the CLI's default for ecd
    CHECK(l->at(c0.record) == "1:1");
    CHECK(strings(l->param(0, "DesktopId")) == std::vector<std::string>{"ecd-a", "ecd-b"});  // by index
    CHECK(l->at(l->param(0, "DesktopId").items()[0]) == l->where("ecd-a"));
    CHECK(l->at(l->param(0, "DesktopId").items()[1]) == l->where("ecd-b"));
    CHECK(l->param(0, "ImageId").as_string() == "m-x");
    CHECK(l->at(l->param(0, "ImageId")) == l->where("m-x"));
    CHECK(l->param(0, "Tag").to_json() == R"([{"Key":"env","Value":"prod"}])");
    CHECK(l->param(0, "RegionId").as_string() == "cn-hangzhou");
    const Node& a0 = l->adapter(0);
    CHECK(a0.find("client")->as_string() == "aliyun");
    CHECK(a0.find("format")->as_string() == "shell");
    CHECK(a0.find("flags")->to_json() == R"({"force":true,"profile":"ops","pager":["path=Desktops[]","PageSize=50"],"quiet":true})");
    CHECK_FALSE(a0.find("dry_run")->truthy());
    // --region wins over --RegionId.
    CHECK(l->param(1, "RegionId").as_string() == "cn-hongkong");
    CHECK(l->at(l->param(1, "RegionId")) == l->where("cn-hongkong"));
    CHECK(l->adapter(1).find("region")->as_string() == "cn-hongkong");
    // ECS: validated names, the CLI's values (strings) as sent.
    REQUIRE(l->plan.calls[2].operation);
    CHECK(l->plan.calls[2].operation->name == "ecs.RedeployInstance");
    CHECK(l->plan.calls[2].record.find("version")->as_string() == "2014-05-26");
    CHECK(l->param(2, "ForceStop").as_string() == "false");
}

TEST_CASE("aliyun plugin form: kebab names and biz-region-id and repeated list flags", "[adapters][aliyun]") {
    TempDir dir;
    const std::string s =
        "aliyun ecd rebuild-desktops --api-version 2020-09-30 --region cn-shanghai --biz-region-id cn-shanghai \\\n"
        "    --desktop-id ecd-a --desktop-id ecd-b --image-id m-x --operate-type replace --language en-US\n";
    auto l = load(dir, "plugin.sh", s);
    REQUIRE(l->plan.calls.size() == 1);
    REQUIRE(l->plan.calls[0].operation);
    CHECK(l->plan.calls[0].record.find("action")->as_string() == "RebuildDesktops");
    CHECK(l->plan.calls[0].parameters.to_json() ==
          R"({"RegionId":"cn-shanghai","DesktopId":["ecd-a","ecd-b"],"ImageId":"m-x","OperateType":"replace","Language":"en-US"})");
    CHECK(l->at(l->param(0, "RegionId")) == l->where("cn-shanghai", "--biz-region-id"));
    CHECK(l->at(l->param(0, "DesktopId").items()[1]) == l->where("ecd-b"));
    CHECK(l->adapter(0).find("client")->as_string() == "aliyun-plugin");
    CHECK(l->adapter(0).find("region")->as_string() == "cn-shanghai");
    // Without --biz-region-id, RegionId is not known.
    auto r = load(dir, "plugin2.sh", "aliyun ecd rebuild-desktops --region cn-shanghai --desktop-id ecd-a\n");
    CHECK(r->param(0, "RegionId").as_string() == "<region>");
    const Node& u = r->adapter(0).find("unresolved")->items().at(0);
    CHECK(u.find("text")->as_string() == "not given; whether the plugin sends --region cn-shanghai as RegionId is UNCONFIRMED");
    CHECK(r->at(u) == "1:29");  // at --region
}

TEST_CASE("aliyun: dry-run lines, duplicates, JSON string lists, usage errors", "[adapters][aliyun]") {
    TempDir dir;
    const std::string s =
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a --force --cli-dry-run-json\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a --DesktopId.1 ecd-b --force\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId '[\"ecd-a\", \"ecd-b\"]' --force\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a --ImageId --force\n"
        "aliyun ecs DescribeInstances --RegionId cn-hangzhou --InstanceIds '[\"i-1\"]'\n";
    auto l = load(dir, "lines.sh", s);
    REQUIRE(l->plan.calls.size() == 5);
    const Node& a0 = l->adapter(0);
    CHECK(a0.find("dry_run")->truthy());
    CHECK(a0.find("no_effects")->truthy());
    CHECK(a0.find("dry_run_flag")->as_string() == "--cli-dry-run-json");
    CHECK(l->at(*a0.find("dry_run_flag")) == l->where("--cli-dry-run-json"));
    // The CLI refuses a flag given twice; the first value is kept for the checks.
    const Node& dup = l->adapter(1).find("duplicates")->items().at(0);
    CHECK(dup.find("flag")->as_string() == "--DesktopId.1");
    CHECK(l->at(dup) == l->where("--DesktopId.1", "ecd-a --DesktopId.1"));
    CHECK(strings(l->param(1, "DesktopId")) == std::vector<std::string>{"ecd-a"});
    // A JSON array in one string, for a repeat list: read as the list, reported, each element located.
    const Node& list = l->param(2, "DesktopId");
    CHECK(strings(list) == std::vector<std::string>{"ecd-a", "ecd-b"});
    CHECK(l->at(list.items()[1]) == l->where("\"ecd-b\"", "'["));
    CHECK(l->adapter(2).find("json_string_lists")->items().at(0).find("param")->as_string() == "DesktopId");
    // A flag without its value.
    const Node& use = l->adapter(3).find("usage_errors")->items().at(0);
    CHECK(use.find("message")->as_string() == "--ImageId must be assigned with value");
    CHECK(l->at(use) == l->where("--ImageId", "\n" + std::string("aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a --ImageId")));
    // InstanceIds is a String the server parses as JSON: kept as written, nothing reported.
    CHECK(l->param(4, "InstanceIds").is_string());
    CHECK_FALSE(l->adapter(4).find("json_string_lists"));
}

TEST_CASE("aliyun: unresolved values are placeholders, list elements left out, checks that need them skipped", "[adapters][unresolved]") {
    TempDir dir;
    const std::string s =
        "IMAGE=$(pick_image)\n"  // computed when the script runs (a literal IMAGE=m-x would resolve)
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin04d2p7w3 --DesktopId.2 \"$(next_desktop)\" --ImageId \"$IMAGE\" --force\n"
        "aliyun ecd RebuildDesktops --DesktopId.1 ecd-hzlin03c9x4t6 --ImageId m-win2022std --force\n";
    auto c = check(dir, "vars.sh", s);
    Loaded& l = *c->l;
    CHECK(strings(l.param(0, "DesktopId")) == std::vector<std::string>{"ecd-hzwin04d2p7w3"});
    CHECK(l.param(0, "ImageId").as_string() == "$IMAGE");
    const Node& un = *l.adapter(0).find("unresolved");
    REQUIRE(un.items().size() == 2);
    CHECK(un.items()[0].find("param")->as_string() == "DesktopId");
    CHECK(un.items()[0].find("element")->truthy());
    CHECK(un.items()[0].find("text")->as_string() == "\"$(next_desktop)\"");
    CHECK(l.at(un.items()[0]) == l.where("\"$(next_desktop)\""));
    CHECK(un.items()[1].find("param")->as_string() == "ImageId");
    CHECK(l.at(un.items()[1]) == l.where("\"$IMAGE\""));
    std::vector<std::string> skipped = strings(*un.items()[1].find("skipped"));
    CHECK(std::find(skipped.begin(), skipped.end(), "ecd.rebuild.unknown-image") != skipped.end());
    CHECK(std::find(skipped.begin(), skipped.end(), "effect ecd.rebuild.data-disk-erased") != skipped.end());
    CHECK(std::find(skipped.begin(), skipped.end(), "effect ecd.rebuild.system-disk") == skipped.end());  // needs no image
    // The skipped checks do not run: no "unknown image $IMAGE"; the warnings say where.
    CHECK(c->findings("ecd.rebuild.unknown-image", 0).empty());
    CHECK(c->findings("ecd.rebuild.desktop-count", 0).empty());
    auto w = c->findings("plan.unresolved-value", 0);
    REQUIRE(w.size() == 2);
    CHECK(location(*w[0]) == c->loc("\"$(next_desktop)\""));
    CHECK(location(*w[1]) == c->loc("\"$IMAGE\""));
    CHECK(w[1]->message.find("ecd.rebuild.unknown-image") != std::string::npos);
    // The system disk of the known desktop is still erased; the data-disk effects are not predicted.
    bool system_disk = false, data_disk = false;
    for (const auto& e : c->report.effects) {
        if (e.call_index != 0) continue;
        system_disk |= e.effect->id == "ecd.rebuild.system-disk";
        data_disk |= e.effect->id.rfind("ecd.rebuild.data-disk", 0) == 0;
    }
    CHECK(system_disk);
    CHECK_FALSE(data_disk);
    // No region on the line: the profile's, unresolved (and no "missing RegionId").
    CHECK(l.param(1, "RegionId").as_string() == "<profile region>");
    CHECK(c->findings("plan.missing-parameter", 1).empty());
    auto r = c->findings("plan.unresolved-value", 1);
    REQUIRE(r.size() == 1);
    CHECK(location(*r[0]) == l.path + ":3:1");
}

TEST_CASE("a dry-run line is checked but changes nothing and is not in the summary", "[adapters][dry-run]") {
    TempDir dir;
    auto c = check(dir, "dry.sh",
                   "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzgpu05e5r1y8 --ImageId m-win2022std --force --dryrun\n");
    CHECK(c->report.calls.at(0).dry_run);
    CHECK(c->report.effects.empty());
    CHECK(c->report.changes.empty());
    CHECK(c->report.summary() == "Plan: no change.");
    CHECK(c->findings("ecd.rebuild.gpu-desktop-non-gpu-image", 0).size() == 1);  // still checked
    auto info = c->findings("plan.dry-run-line", 0);
    REQUIRE(info.size() == 1);
    CHECK(location(*info[0]) == c->loc("--dryrun"));
}

TEST_CASE("adapter rules: duplicate flag refuses the call, JSON string list warns", "[adapters][rules]") {
    TempDir dir;
    const std::string s =
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzlin03c9x4t6 --ImageId m-win2022std --ImageId m-ubuntu2004 --force\n"
        "aliyun ecd RebuildDesktops --RegionId cn-shanghai --DesktopId '[\"ecd-shwin08h4w9a5\"]' --ImageId m-win2022std --force\n";
    auto c = check(dir, "rules.sh", s);
    auto d = c->findings("plan.duplicate-flag", 0);
    REQUIRE(d.size() == 1);
    CHECK(location(*d[0]) == c->loc("--ImageId m-ubuntu2004"));
    CHECK_FALSE(c->report.calls[0].accepted);
    auto j = c->findings("plan.json-string-list", 1);
    REQUIRE(j.size() == 1);
    CHECK(j[0]->rule->severity == Severity::Warning);
    CHECK(location(*j[0]) == c->loc("'[\"ecd-shwin08h4w9a5\"]'"));
    CHECK(c->report.calls[1].accepted);
}

TEST_CASE("aliyun: a flag name with an unresolved index is an unresolved element of its list", "[adapters][unresolved]") {
    TempDir dir;
    const std::string s =
        "for i in $(seq 1 2); do\n"
        "  aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.$i ecd-hzlin03c9x4t6 --ImageId m-ubuntu2204lts --force\n"
        "done\n"
        "aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin04d2p7w3 --DesktopId.$((n+1)) ecd-hzlin03c9x4t6 --force\n";
    auto c = check(dir, "loop.sh", s);
    Loaded& l = *c->l;
    REQUIRE(l.plan.calls.size() == 2);
    // Not a parameter named "DesktopId.$i": an element of DesktopId, left out of the list.
    CHECK(l.param(0, "DesktopId").is_array());
    CHECK(l.param(0, "DesktopId").items().empty());
    const Node& un = *l.adapter(0).find("unresolved");
    REQUIRE(un.items().size() == 1);
    CHECK(un.items()[0].find("param")->as_string() == "DesktopId");
    CHECK(un.items()[0].find("flag")->as_string() == "--DesktopId.$i");
    CHECK(un.items()[0].find("element")->truthy());
    CHECK_FALSE(un.items()[0].find("more")->truthy());
    CHECK(l.at(un.items()[0]) == l.where("--DesktopId.$i"));
    // No false errors: the count and the required list are not checked, and say so.
    CHECK(c->findings("ecd.rebuild.desktop-count", 0).empty());
    CHECK(c->findings("plan.missing-parameter", 0).empty());
    CHECK(c->findings("plan.unknown-parameter", 0).empty());
    auto w = c->findings("plan.unresolved-value", 0);
    REQUIRE(w.size() == 1);
    CHECK(location(*w[0]) == c->loc("--DesktopId.$i"));
    CHECK(w[0]->message.find("--DesktopId.$i is a DesktopId element (ecd-hzlin03c9x4t6) whose index $i is computed when the script runs") == 0);
    // The checks that read the unknown target (ecd.desktop.unknown) are listed with the count.
    CHECK(w[0]->message.find("not checked for this call because they need it: ecd.desktop.unknown, ") != std::string::npos);
    CHECK(w[0]->message.find("ecd.rebuild.desktop-count") != std::string::npos);
    // Beside a literal element: that one is still checked; neither is a repeat of the other.
    CHECK(strings(l.param(1, "DesktopId")) == std::vector<std::string>{"ecd-hzwin04d2p7w3"});
    CHECK_FALSE(l.adapter(1).find("duplicates"));
    CHECK_FALSE(l.adapter(1).find("repeated"));
    auto w1 = c->findings("plan.unresolved-value", 1);
    REQUIRE(w1.size() == 1);
    CHECK(location(*w1[0]) == c->loc("--DesktopId.$((n+1))"));
}

TEST_CASE("aliyun and hcloud: an unresolved word among the arguments may add flags", "[adapters][unresolved]") {
    TempDir dir;
    const std::string s =
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --ImageId m-win2022std --force $EXTRA_ARGS\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzgpu05e5r1y8 --ImageId m-win2022std \"$@\"\n"
        "aliyun ecd StopDesktops --RegionId cn-hangzhou --$NAME ecd-x --DesktopId.1 ecd-hzwin04d2p7w3 --force\n"
        "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=p1 --desktop_ids.$i=d-1 $(cat more-flags)\n";
    auto c = check(dir, "extra.sh", s);
    Loaded& l = *c->l;
    REQUIRE(l.plan.calls.size() == 4);
    // No DesktopId on the line, but $EXTRA_ARGS may hold it: no "missing DesktopId", no "0 desktops".
    CHECK(c->findings("plan.missing-parameter", 0).empty());
    CHECK(c->findings("ecd.rebuild.desktop-count", 0).empty());
    const Node& u0 = l.adapter(0).find("unresolved")->items().at(0);
    CHECK(u0.find("param")->as_string() == "(arguments)");
    CHECK(u0.find("more")->truthy());
    auto w0 = c->findings("plan.unresolved-value", 0);
    REQUIRE(w0.size() == 1);
    CHECK(w0[0]->rule->severity == Severity::Warning);
    CHECK(location(*w0[0]) == c->loc("$EXTRA_ARGS"));
    CHECK(w0[0]->message.rfind(
              "$EXTRA_ARGS is expanded by the shell when the script runs, which opguard cannot resolve: the command may carry more flags "
              "opguard cannot see (such as a dry-run flag, a required parameter or more list elements), so the parameters of this call may be incomplete; "
              "not checked for this call because they need it: plan.missing-parameter, ecd.desktop.unknown, ecd.desktop.other-region, "
              "ecd.rebuild.desktop-count, ",
              0) == 0);
    // ... and since it may hold the desktops a rebuild erases, none of which is written, the
    // check fails (it passed as "no change").
    auto e0 = c->findings("plan.unresolved-target", 0);
    REQUIRE(e0.size() == 1);
    CHECK(e0[0]->rule->severity == Severity::Error);
    CHECK(location(*e0[0]) == c->loc("$EXTRA_ARGS"));
    CHECK(e0[0]->message.find("which opguard cannot resolve, and it may hold the targets of a call whose effects lose data (no parameter "
                              "written on the call names them): which objects it destroys") != std::string::npos);
    CHECK(c->findings("plan.unresolved-target", 1).empty());  // "$@" beside a written DesktopId: the written desktops are checked
    // "$@" may hold --force: no missing-force warning; the desktops written are still checked.
    CHECK(c->findings("plan.missing-force", 1).empty());
    CHECK(c->findings("ecd.rebuild.gpu-desktop-non-gpu-image", 1).size() == 1);
    auto w1 = c->findings("plan.unresolved-value", 1);
    REQUIRE(w1.size() == 1);
    CHECK(location(*w1[0]) == c->loc("\"$@\""));
    CHECK(w1[0]->message.find("plan.missing-parameter, plan.missing-force") != std::string::npos);
    // --$NAME may be any flag.
    auto w2 = c->findings("plan.unresolved-value", 2);
    REQUIRE(w2.size() == 1);
    CHECK(location(*w2[0]) == c->loc("--$NAME"));
    CHECK(w2[0]->message.find("--$NAME is a flag whose name is computed when the script runs") == 0);
    CHECK(strings(l.param(2, "DesktopId")) == std::vector<std::string>{"ecd-hzwin04d2p7w3"});
    // KooCLI: an unresolved index and an unresolved word.
    CHECK(l.param(3, "desktop_ids").items().empty());
    auto w3 = c->findings("plan.unresolved-value", 3);
    REQUIRE(w3.size() == 2);
    CHECK(location(*w3[0]) == c->loc("--desktop_ids.$i"));
    CHECK(w3[0]->message.find("--desktop_ids.$i is a desktop_ids element (d-1) whose index $i") == 0);
    CHECK(location(*w3[1]) == c->loc("$(cat more-flags)"));
    CHECK(w3[1]->message.find("may carry more flags") != std::string::npos);
}

TEST_CASE("aliyun: without --force an ECS flag the embedded API metadata lacks is refused by the CLI", "[adapters][aliyun]") {
    TempDir dir;
    const std::string s =
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok --DryRun true\n"
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId.1 i-bp1redeploy01ok\n"
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok --DryRun true --force\n"
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok --ForceStop-FILE stop.txt\n"
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok --DryRun true $MORE\n"
        "aliyun ecs redeploy-instance --biz-region-id cn-hangzhou --instance-id i-bp1redeploy01ok --dry-run true\n";
    auto c = check(dir, "ecs.sh", s);
    Loaded& l = *c->l;
    REQUIRE(l.plan.calls.size() == 6);
    auto u0 = c->findings("plan.cli-usage", 0);
    REQUIRE(u0.size() == 1);
    CHECK(u0[0]->rule->severity == Severity::Error);
    CHECK(location(*u0[0]) == c->loc("--DryRun"));
    CHECK(u0[0]->message.find("the aliyun CLI refuses this line before sending it: '--DryRun' is not a valid parameter or flag: ") == 0);
    CHECK(u0[0]->message.find("RedeployInstance has only ForceStop and InstanceId (aliyun-openapi-meta metadatas/ecs/RedeployInstance.json") !=
          std::string::npos);
    CHECK(c->findings("plan.unknown-parameter", 0).empty());  // never sent: not an API parameter
    CHECK_FALSE(l.plan.calls[0].parameters.find("DryRun"));
    CHECK_FALSE(c->report.calls[0].accepted);
    CHECK(c->report.effects.size() > 0);
    for (const auto& e : c->report.effects) CHECK(e.call_index != 0);
    // .N on a parameter that is not a repeat list.
    auto u1 = c->findings("plan.cli-usage", 1);
    REQUIRE(u1.size() == 1);
    CHECK(location(*u1[0]) == c->loc("--InstanceId.1"));
    CHECK(u1[0]->message.find("'--InstanceId.1' is not a valid parameter or flag") != std::string::npos);
    CHECK_FALSE(c->report.calls[1].accepted);
    // --force: sent as written; the API has no DryRun (today's finding), and the call goes out.
    CHECK(c->findings("plan.cli-usage", 2).empty());
    auto p2 = c->findings("plan.unknown-parameter", 2);
    REQUIRE(p2.size() == 1);
    CHECK(c->report.calls[2].accepted);
    // --Name-FILE is checked as Name.
    CHECK(c->findings("plan.cli-usage", 3).empty());
    // A word that may hold --force: not predicted as refused.
    CHECK(c->findings("plan.cli-usage", 4).empty());
    CHECK(c->findings("plan.unknown-parameter", 4).size() == 1);
    // The plugin form is not checked against the metadata.
    CHECK(c->findings("plan.cli-usage", 5).empty());
}

TEST_CASE("aliyun: a classic ecd or appstream-center line without --force", "[adapters][aliyun]") {
    TempDir dir;
    const std::string s =
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzgpu05e5r1y8 --ImageId m-win2022std\n"
        "aliyun ecd rebuild-desktops --region cn-hangzhou --biz-region-id cn-hangzhou --desktop-id ecd-hzlin03c9x4t6 --image-id m-ubuntu2204lts\n"
        "aliyun ecd StopDesktops --RegionId cn-hangzhou \\\n  --DesktopId.1 ecd-hzwin04d2p7w3 --force\n"
        "aliyun appstream-center StartTaskForDistributeImage --region cn-shanghai --ImageId imgc-x --DestinationRegionList.1 cn-hangzhou "
        "--ProductType CloudDesktop --dryrun\n"
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok\n";
    auto c = check(dir, "force.sh", s);
    REQUIRE(c->l->plan.calls.size() == 5);
    auto m = c->findings("plan.missing-force", 0);
    REQUIRE(m.size() == 1);
    CHECK(m[0]->rule->severity == Severity::Warning);
    CHECK(m[0]->rule->basis == Basis::Inferred);
    CHECK(location(*m[0]) == c->loc("RebuildDesktops"));
    CHECK(m[0]->message ==
          "aliyun ecd RebuildDesktops has no --force: the aliyun CLI has no API metadata for ecd and, inferred from its source, stops "
          "before sending anything with \"'RebuildDesktops' is not a valid api\" (CLI releases since 2026-03) or \"'ecd' is not a valid "
          "product\" (older ones); add --force, or use the plugin form (aliyun ecd rebuild-desktops). The checks below are what the "
          "cloud would answer if it were sent");
    // Still checked as if it were sent.
    CHECK(c->report.calls[0].accepted);
    CHECK(c->findings("ecd.rebuild.gpu-desktop-non-gpu-image", 0).size() == 1);
    CHECK(c->findings("plan.missing-force", 1).empty());  // plugin form
    CHECK(c->findings("plan.missing-force", 2).empty());  // --force on the continuation line
    auto a = c->findings("plan.missing-force", 3);
    REQUIRE(a.size() == 1);
    CHECK(location(*a[0]) == c->loc("StartTaskForDistributeImage"));
    CHECK(a[0]->message.find("(aliyun appstream-center start-task-for-distribute-image)") != std::string::npos);
    CHECK(c->findings("plan.missing-force", 4).empty());  // ECS: the CLI embeds its API metadata
}

TEST_CASE("a quote left open: bash runs nothing from that command on", "[adapters][shell]") {
    // The lexer: the word stops at the end of the quote's line, nothing after it is a command.
    const std::string s =
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --X $(aliyun ecd Inner) --DesktopId.1 \"ecd-hzlin03c9x4t6 --force\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzgpu05e5r1y8 --ImageId m-win2022std --force\n";
    auto cmds = adapters::split_shell_commands(s);
    REQUIRE(cmds.size() == 2);  // not Inner (its command never runs), not line 3 (inside the quote)
    CHECK_FALSE(cmds[0].unterminated);
    REQUIRE(cmds[1].unterminated);
    CHECK(lc(position_of(s, "\"ecd-hzlin03c9x4t6")) == "2:89");
    CHECK(*cmds[1].unterminated == s.find("\"ecd-hzlin03c9x4t6"));
    CHECK(cmds[1].unterminated_quote == '"');
    CHECK(cmds[1].words.back().text == "ecd-hzlin03c9x4t6 --force");
    CHECK(adapters::written(s, cmds[1].words.back()) == "\"ecd-hzlin03c9x4t6 --force");
    auto single = adapters::split_shell_commands("echo 'a\nb\naliyun ecd X --force\n");
    REQUIRE(single.size() == 1);
    CHECK(single[0].unterminated_quote == '\'');
    CHECK(single[0].words.back().text == "a");
    CHECK(adapters::split_shell_commands("echo \"a \\\" b\" 'c'\n").at(0).unterminated == std::nullopt);

    // The plan: the command is refused (plan.cli-usage at the quote), the one before it runs.
    TempDir dir;
    const std::string plan =
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 \"ecd-hzlin03c9x4t6 --force\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzgpu05e5r1y8 --ImageId m-win2022std --force\n";
    auto c = check(dir, "open.sh", plan);
    REQUIRE(c->l->plan.calls.size() == 2);
    CHECK(strings(c->l->param(1, "DesktopId")) == std::vector<std::string>{"ecd-hzlin03c9x4t6 --force"});
    auto u = c->findings("plan.cli-usage", 1);
    REQUIRE(u.size() == 1);
    CHECK(location(*u[0]) == c->loc("\"ecd-hzlin03c9x4t6"));
    CHECK(location(*u[0]) == c->l->path + ":2:65");
    CHECK(u[0]->message ==
          "bash cannot parse this command, so it never runs: the \" opened here is not closed before the end of the file (bash: "
          "\"unexpected EOF while looking for matching `\"'\"), so nothing after it runs either; opguard reads the value only up to "
          "the end of this line");
    CHECK_FALSE(c->report.calls[1].accepted);
    // The command never runs: nothing else is reported about it (no "no ImageId", no missing --force).
    for (const auto& f : c->report.findings) CHECK((f.call_index != 1 || f.rule->id == "plan.cli-usage"));
    CHECK(c->report.calls[0].accepted);
    // KooCLI lines the same.
    auto h = check(dir, "open-hw.sh", "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=p1 --desktop_ids.1='d-1\n");
    auto hu = h->findings("plan.cli-usage", 0);
    REQUIRE(hu.size() == 1);
    CHECK(location(*hu[0]) == h->loc("'d-1"));
    CHECK(h->l->param(0, "desktop_ids").items().at(0).as_string() == "d-1");

    // In a command that calls no API there is no call to carry a finding: the script is
    // refused at the quote (the calls after it never run), whatever format was asked for.
    const std::string echo_open =
        "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok\n"
        "echo \"rebuilding hangzhou\n"
        "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzgpu05e5r1y8 --ImageId m-win2022std --force\n";
    for (const std::string format : {"auto", "shell"}) {
        auto e = load_error(dir, "echo-open.sh", echo_open, format);
        REQUIRE(e);
        CHECK(e->id == "plan.shell-syntax");
        CHECK(e->where() == "2:6");
        CHECK(e->message ==
              "the \" opened here is not closed before the end of the file (bash: \"unexpected EOF while looking for matching "
              "`\"'\"): bash runs no command from here on, so opguard cannot tell which API calls after it you meant; close the quote");
    }
}

// ---- hcloud -----------------------------------------------------------------------------------

TEST_CASE("hcloud lines and --cli-jsonInput files", "[adapters][hcloud]") {
    TempDir dir;
    dir.write("in.json", "{\n  \"path\": {\"project_id\": \"p1\"},\n  \"body\": {\"desktop_ids\": [\"d-3\"]}\n}\n");
    const std::string s =
        "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=p1 --desktop_ids.2=d-2 --desktop_ids.1=d-1\n"
        "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=in.json\n"
        "hcloud Workspace CheckDesktopImages --desktop_ids.1=d-1 --dryrun\n";
    auto l = load(dir, "hw.sh", s);
    REQUIRE(l->plan.calls.size() == 3);
    REQUIRE(l->plan.calls[0].operation);
    CHECK(l->plan.calls[0].operation->name == "hw.workspace.CheckDesktopImages");
    CHECK(l->plan.calls[0].record.find("path")->as_string() == "/v2/{project_id}/desktops/check-images");
    CHECK(l->plan.calls[0].parameters.to_json() == R"({"project_id":"p1","desktop_ids":["d-1","d-2"]})");
    CHECK(l->at(l->param(0, "desktop_ids").items()[0]) == l->where("d-1"));
    CHECK(l->adapter(0).find("region")->as_string() == "cn-north-4");
    // The jsonInput file's values are located in that file.
    const Node& ids = l->param(1, "desktop_ids");
    CHECK(strings(ids) == std::vector<std::string>{"d-3"});
    CHECK(l->sources.file(ids.items()[0].origin.file).path() == dir.file("in.json"));
    CHECK(l->at(ids.items()[0]) == "3:28");
    // No --project_id: the profile's, unresolved; --dryrun sends nothing.
    CHECK(l->param(2, "project_id").as_string() == "<profile project>");
    CHECK(l->adapter(2).find("dry_run")->truthy());
    // A ./ path is shown normalised (lexically: no file-system look-up).
    auto dot = load(dir, "hw-dot.sh", "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=./in.json\n");
    const Node& dot_ids = dot->param(0, "desktop_ids");
    CHECK(dot->sources.file(dot_ids.items().at(0).origin.file).path() == dir.file("in.json"));
    auto e = load_error(dir, "missing.sh", "hcloud Workspace CheckDesktopImages --cli-jsonInput=nope.json\n");
    REQUIRE(e);
    CHECK(e->id == "plan.hcloud-json-input");
    CHECK(e->where() == "1:37");
}

TEST_CASE("a --cli-jsonInput file as the plan is named after its operation", "[adapters][hcloud]") {
    TempDir dir;
    auto l = load(dir, "CheckDesktopImages.json", "{\"path\": {\"project_id\": \"p1\"}, \"body\": {\"desktop_ids\": [\"d-1\"]}}\n");
    REQUIRE(l->plan.calls.size() == 1);
    REQUIRE(l->plan.calls[0].operation);
    CHECK(l->plan.calls[0].id == "CheckDesktopImages");
    auto e = load_error(dir, "input.json", "{\"body\": {\"desktop_ids\": [\"d-1\"]}}\n");
    REQUIRE(e);
    CHECK(e->id == "plan.hcloud-json-input");
}

// ---- --cli-dry-run-json records -------------------------------------------------------------

TEST_CASE("cli-dry-run-json records one after another", "[adapters][dry-run-json]") {
    TempDir dir;
    const std::string s =
        "{\n  \"style\": \"RPC\",\n  \"endpoint\": \"ecd.cn-hangzhou.aliyuncs.com\",\n  \"method\": \"POST\",\n"
        "  \"query\": {\"DesktopId.1\": \"ecd-a\", \"ImageId\": \"m-x\", \"RegionId\": \"cn-hangzhou\"},\n"
        "  \"action\": \"RebuildDesktops\",\n  \"version\": \"2020-09-30\"\n}\n"
        "{\"style\": \"RPC\", \"endpoint\": \"ecs-cn-hangzhou.aliyuncs.com\", \"method\": \"POST\", "
        "\"query\": {\"InstanceId\": \"i-x\", \"Format\": \"JSON\"}, \"action\": \"RedeployInstance\", \"version\": \"2014-05-26\"}\n";
    auto l = load(dir, "records.json", s);
    REQUIRE(l->plan.calls.size() == 2);
    CHECK(l->plan.calls[0].id == "record-1");
    REQUIRE(l->plan.calls[0].operation);
    CHECK(l->plan.calls[0].operation->name == "ecd.RebuildDesktops");
    CHECK(strings(l->param(0, "DesktopId")) == std::vector<std::string>{"ecd-a"});
    CHECK(l->at(l->param(0, "DesktopId").items()[0]) == "5:28");
    CHECK(l->at(l->plan.calls[1].record) == "9:1");
    REQUIRE(l->plan.calls[1].operation);
    CHECK(l->plan.calls[1].operation->name == "ecs.RedeployInstance");
    // Common parameters dropped; RegionId (not in the query, as the CLI prints it) is the endpoint's region.
    CHECK(l->plan.calls[1].parameters.to_json() == R"({"InstanceId":"i-x","RegionId":"cn-hangzhou"})");
    CHECK(l->adapter(1).find("region")->as_string() == "cn-hangzhou");
}

// ---- OOS templates ----------------------------------------------------------------------------

TEST_CASE("OOS YAML: ExecuteApi, built-in ECD actions, Loop.Items, parameter defaults", "[adapters][oos]") {
    TempDir dir;
    const std::string s =
        "FormatVersion: OOS-2019-06-01\n"
        "Parameters:\n"
        "  regionId:\n"
        "    Type: String\n"
        "    Default: cn-hangzhou\n"
        "  desktopIds:\n"
        "    Type: List\n"
        "    Default: [ecd-a, ecd-b]\n"
        "  imageId:\n"
        "    Type: String\n"
        "Tasks:\n"
        "  - Name: rebuild\n"
        "    Action: ACS::ECD::RebuildDesktop\n"
        "    Properties:\n"
        "      regionId: '{{ regionId }}'\n"
        "      desktopId: '{{ ACS::TaskLoopItem }}'\n"
        "    Loop:\n"
        "      Items: '{{ desktopIds }}'\n"
        "  - Name: direct\n"
        "    Action: ACS::ExecuteAPI\n"
        "    Properties:\n"
        "      Service: ECD\n"
        "      API: RebuildDesktops\n"
        "      Parameters:\n"
        "        RegionId: '{{ ACS::RegionId }}'\n"
        "        DesktopId: ['{{ desktopIds[0] }}', ecd-c]\n"
        "        ImageId: '{{ imageId }}'\n"
        "  - Name: wait\n"
        "    Action: ACS::WaitFor\n"
        "    Properties: {Service: ECD, API: DescribeDesktops}\n";
    auto l = load(dir, "t.yml", s);
    std::vector<std::string> ids;
    for (const auto& c : l->plan.calls) ids.push_back(c.id + " " + c.record.find("action")->as_string());
    CHECK(ids == std::vector<std::string>{"rebuild[1]/stopDesktop StopDesktops", "rebuild[1]/rebuildDesktop RebuildDesktops",
                                          "rebuild[2]/stopDesktop StopDesktops", "rebuild[2]/rebuildDesktop RebuildDesktops",
                                          "direct RebuildDesktops"});
    // Loop items and defaults are located where they are written.
    CHECK(l->param(1, "DesktopId").to_json() == R"(["ecd-a"])");
    CHECK(l->at(l->param(1, "DesktopId").items()[0]) == "8:15");
    CHECK(l->at(l->param(3, "DesktopId").items()[0]) == "8:22");
    CHECK(l->param(1, "RegionId").as_string() == "cn-hangzhou");
    CHECK(l->at(l->param(1, "RegionId")) == "5:14");
    CHECK(l->at(l->plan.calls[1].record) == "12:5");
    // The stop step is conditional: its effects and per-desktop checks are not predicted.
    CHECK(l->adapter(0).find("conditional"));
    CHECK(l->adapter(0).find("no_effects")->truthy());
    CHECK_FALSE(l->adapter(1).find("no_effects")->truthy());
    // Unresolved: an execution value, a parameter without Default, an unknown reference.
    const Node& un = *l->adapter(4).find("unresolved");
    std::vector<std::string> params;
    for (const auto& u : un.items()) params.push_back(u.find("param")->as_string() + "@" + l->at(u));
    CHECK(params == std::vector<std::string>{"RegionId@25:19", "DesktopId@26:21", "ImageId@27:18"});
    CHECK(strings(l->param(4, "DesktopId")) == std::vector<std::string>{"ecd-c"});
    CHECK(un.items()[2].find("text")->as_string() == "{{ imageId }}: template parameter imageId has no Default and is not given (--parameters)");
}

TEST_CASE("OOS JSON template, and the official RebuildDesktop action with nothing resolved", "[adapters][oos]") {
    TempDir dir;
    const std::string s =
        "{\"FormatVersion\": \"OOS-2019-06-01\",\n"
        " \"Parameters\": {\"regionId\": {\"Type\": \"String\", \"Default\": \"{{ ACS::RegionId }}\"}, \"desktopId\": {\"Type\": \"String\"}},\n"
        " \"Tasks\": [{\"Name\": \"rebuildDesktop\", \"Action\": \"ACS::ExecuteApi\",\n"
        "   \"Properties\": {\"Service\": \"ECD\", \"API\": \"RebuildDesktops\",\n"
        "     \"Parameters\": {\"RegionId\": \"{{ regionId }}\", \"DesktopId\": [\"{{ desktopId }}\"]}}}]}\n";
    auto c = check(dir, "t.json", s);
    REQUIRE(c->l->plan.calls.size() == 1);
    CHECK(c->l->param(0, "DesktopId").to_json() == "[]");
    CHECK(c->l->param(0, "RegionId").as_string() == "{{ regionId }}");
    auto w = c->findings("plan.unresolved-value", 0);
    REQUIRE(w.size() == 2);
    CHECK(location(*w[0]) == c->loc("\"{{ regionId }}\"", "\"Parameters\": {\"RegionId\""));
    CHECK(w[0]->message.find("the region the execution runs in") != std::string::npos);
    CHECK(c->findings("ecd.rebuild.desktop-count", 0).empty());
    CHECK(c->report.effects.empty());
}

// ---- Terraform ------------------------------------------------------------------------------------

TEST_CASE("Terraform: a Huawei image change is a rebuild, alicloud changes are start/stop/spec and never a rebuild", "[adapters][terraform]") {
    TempDir dir;
    const std::string s =
        "{\"format_version\": \"1.2\", \"resource_changes\": [\n"
        "  {\"address\": \"huaweicloud_workspace_desktop.d1\", \"mode\": \"managed\", \"type\": \"huaweicloud_workspace_desktop\",\n"
        "   \"change\": {\"actions\": [\"update\"], \"before\": {\"id\": \"u-1\", \"image_type\": \"gold\", \"image_id\": \"old\"},\n"
        "              \"after\": {\"id\": \"u-1\", \"image_type\": \"gold\", \"image_id\": \"new\"}, \"after_unknown\": {}}},\n"
        "  {\"address\": \"alicloud_ecd_desktop.a\", \"mode\": \"managed\", \"type\": \"alicloud_ecd_desktop\",\n"
        "   \"change\": {\"actions\": [\"update\"], \"before\": {\"id\": \"ecd-a\", \"status\": \"Running\", \"desktop_type\": \"ecd.basic.large\", \"bundle_id\": \"b-1\"},\n"
        "              \"after\": {\"id\": \"ecd-a\", \"status\": \"Stopped\", \"desktop_type\": \"ecd.advanced.large\", \"bundle_id\": \"b-2\"}, \"after_unknown\": {}}},\n"
        "  {\"address\": \"alicloud_ecd_desktop.b\", \"mode\": \"managed\", \"type\": \"alicloud_ecd_desktop\",\n"
        "   \"change\": {\"actions\": [\"update\"], \"before\": {\"id\": \"ecd-b\", \"bundle_id\": \"b-1\"}, \"after\": {\"id\": \"ecd-b\", \"bundle_id\": \"b-2\"}}},\n"
        "  {\"address\": \"alicloud_ecd_desktop.c\", \"mode\": \"managed\", \"type\": \"alicloud_ecd_desktop\",\n"
        "   \"change\": {\"actions\": [\"delete\", \"create\"], \"before\": {\"id\": \"ecd-c\"}, \"after\": {}, \"after_unknown\": {\"id\": true}}}\n"
        "], \"configuration\": {\"provider_config\": {\"alicloud\": {\"name\": \"alicloud\", \"expressions\": {\"region\": {\"constant_value\": \"cn-hangzhou\"}}}}}}\n";
    auto l = load(dir, "plan.json", s);
    std::vector<std::string> calls;
    for (const auto& c : l->plan.calls) {
        const Node* a = c.record.find("action");
        const Node* p = c.record.find("path");
        calls.push_back(c.id + " " + (a ? a->as_string() : p->as_string()));
    }
    CHECK(calls == std::vector<std::string>{"huaweicloud_workspace_desktop.d1 /v2/{project_id}/desktops/rebuild",
                                            "alicloud_ecd_desktop.a:StopDesktops StopDesktops",
                                            "alicloud_ecd_desktop.a:ModifyDesktopSpec ModifyDesktopSpec",
                                            "alicloud_ecd_desktop.c:DeleteDesktops DeleteDesktops",
                                            "alicloud_ecd_desktop.c:CreateDesktops CreateDesktops"});
    CHECK(l->plan.calls[0].parameters.to_json() == R"({"project_id":"<project_id>","desktop_ids":["u-1"],"image_type":"gold","image_id":"new"})");
    // Everything points at the resource address.
    CHECK(l->at(l->plan.calls[0].record) == l->where("\"huaweicloud_workspace_desktop.d1\""));
    CHECK(l->at(l->param(0, "image_id")) == l->where("\"huaweicloud_workspace_desktop.d1\""));
    CHECK(l->at(l->param(1, "DesktopId").items()[0]) == l->where("\"alicloud_ecd_desktop.a\""));
    CHECK(l->param(1, "RegionId").as_string() == "cn-hangzhou");
    CHECK(l->param(2, "DesktopType").as_string() == "ecd.advanced.large");
}

TEST_CASE("Terraform: a deposed object's calls are named apart from the current object's", "[adapters][terraform][ids]") {
    TempDir dir;
    const std::string s =
        "{\"format_version\": \"1.2\", \"resource_changes\": [\n"
        "  {\"address\": \"alicloud_ecd_desktop.a\", \"mode\": \"managed\", \"type\": \"alicloud_ecd_desktop\",\n"
        "   \"change\": {\"actions\": [\"update\"], \"before\": {\"id\": \"ecd-a\", \"status\": \"Running\"}, \"after\": {\"id\": \"ecd-a\", \"status\": \"Stopped\"}}},\n"
        "  {\"address\": \"alicloud_ecd_desktop.a\", \"mode\": \"managed\", \"type\": \"alicloud_ecd_desktop\", \"deposed\": \"00000001\",\n"
        "   \"change\": {\"actions\": [\"delete\"], \"before\": {\"id\": \"ecd-old\"}, \"after\": null}}\n"
        "], \"configuration\": {\"provider_config\": {\"alicloud\": {\"name\": \"alicloud\", \"expressions\": {\"region\": {\"constant_value\": \"cn-hangzhou\"}}}}}}\n";
    auto l = load(dir, "plan.json", s);
    std::vector<std::string> calls;
    for (const auto& c : l->plan.calls) calls.push_back(c.id + " " + c.record.find("action")->as_string());
    CHECK(calls == std::vector<std::string>{"alicloud_ecd_desktop.a StopDesktops",
                                            "alicloud_ecd_desktop.a (deposed object 00000001) DeleteDesktops"});
    CHECK(l->adapter(1).find("address")->as_string() == "alicloud_ecd_desktop.a");
    CHECK(l->adapter(1).find("deposed")->as_string() == "00000001");
    CHECK_FALSE(l->adapter(0).find("deposed"));
    CHECK(strings(l->param(1, "DesktopId")) == std::vector<std::string>{"ecd-old"});
}

TEST_CASE("OOS: tasks that repeat a name get ids of their own", "[adapters][oos][ids]") {
    TempDir dir;
    const std::string s =
        "FormatVersion: OOS-2019-06-01\n"
        "Tasks:\n"
        "  - Name: rebuild\n"
        "    Action: ACS::ExecuteAPI\n"
        "    Properties: {Service: ECD, API: RebuildDesktops, Parameters: {RegionId: cn-hangzhou, DesktopId: [ecd-a]}}\n"
        "  - Name: rebuild#2\n"
        "    Action: ACS::ExecuteAPI\n"
        "    Properties: {Service: ECD, API: RebootDesktops, Parameters: {RegionId: cn-hangzhou, DesktopId: [ecd-b]}}\n"
        "  - Name: rebuild\n"
        "    Action: ACS::ExecuteAPI\n"
        "    Properties: {Service: ECD, API: RebuildDesktops, Parameters: {RegionId: cn-hangzhou, DesktopId: [ecd-c]}}\n"
        "  - Name: rebuild\n"
        "    Action: ACS::ExecuteAPI\n"
        "    Properties: {Service: ECD, API: RebuildDesktops, Parameters: {RegionId: cn-hangzhou, DesktopId: [ecd-d]}}\n";
    auto l = load(dir, "t.yml", s);
    std::vector<std::string> ids;
    for (const auto& c : l->plan.calls) ids.push_back(c.id + " " + strings(l->param(&c - l->plan.calls.data(), "DesktopId")).at(0));
    // The third task's name is taken twice over (by the first, and "rebuild#2" by the second);
    // the fourth goes on from there.
    CHECK(ids == std::vector<std::string>{"rebuild ecd-a", "rebuild#2 ecd-b", "rebuild#3 ecd-c", "rebuild#4 ecd-d"});
    CHECK(l->at(l->plan.calls[2].record) == "9:5");
}

// ---- detection and errors -----------------------------------------------------------------------

TEST_CASE("the plan's kind comes from its content, and a file that is none says what was tried", "[adapters][formats]") {
    TempDir dir;
    auto json = load(dir, "p.json", "{\"calls\": [{\"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"RebuildDesktops\"}]}");
    CHECK_FALSE(json->plan.calls[0].record.find("adapter"));  // a JSON plan has no adapter record
    auto e = load_error(dir, "notes.txt", "Rebuild the Hangzhou desktops on Friday.\n");
    REQUIRE(e);
    CHECK(e->id == "plan.unknown-format");
    for (const char* tried : {"JSON formats", "oos-template (YAML)", "shell: no aliyun or hcloud command"})
        CHECK(e->message.find(tried) != std::string::npos);
    auto shape = load_error(dir, "other.json", "{\"resources\": []}");
    REQUIRE(shape);
    CHECK(shape->id == "plan.unknown-format");
    CHECK(shape->message.find("terraform-plan: has no resource_changes list") != std::string::npos);
    // JSON with a syntax error stays a JSON error, located.
    auto syntax = load_error(dir, "broken.json", "{\"calls\": [}\n");
    REQUIRE(syntax);
    CHECK(syntax->id == "json.syntax");
    CHECK(syntax->where() == "1:12");
    // A template that says it is one gets its YAML error.
    auto yaml = load_error(dir, "t.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: a\n   Action: b\n");
    REQUIRE(yaml);
    CHECK(yaml->id == "yaml.syntax");
    CHECK(yaml->pos.line == 4);
    // A named format that does not fit.
    auto mismatch = load_error(dir, "p2.json", "{\"calls\": []}", "terraform-plan");
    REQUIRE(mismatch);
    CHECK(mismatch->id == "plan.format-mismatch");
    auto name = load_error(dir, "p3.json", "{\"calls\": []}", "yaml");
    REQUIRE(name);
    CHECK(name->id == "usage");
    auto empty = load_error(dir, "empty.sh", "#!/bin/sh\necho nothing\n", "shell");
    REQUIRE(empty);
    CHECK(empty->id == "plan.no-calls");
}

TEST_CASE("plan_format_names lists what --plan-format takes", "[adapters][formats]") {
    CHECK(plan_format_names() == std::vector<std::string>{"auto", "opguard", "shell", "cli-dry-run-json", "hcloud-json-input",
                                                          "oos-template", "terraform-plan"});
}

// ---- rule dependencies ------------------------------------------------------------------------------

TEST_CASE("rule_needs follows lets to the parameters a rule's condition reads", "[adapters][needs]") {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    const Operation* op = rules.operation("ecd.RebuildDesktops");
    REQUIRE(op);
    auto needs = [&](const char* id) { return adapters::rule_needs(*rules.rule(id), op).params; };
    CHECK(needs("ecd.rebuild.unknown-image").count("ImageId"));
    CHECK(needs("ecd.rebuild.os-change-outside-mainland").count("RegionId"));   // through `desktop`
    CHECK(needs("ecd.rebuild.os-change-outside-mainland").count("ImageId"));    // through `image`
    CHECK(needs("ecd.rebuild.desktop-count") == std::set<std::string>{"DesktopId"});
    CHECK(adapters::rule_needs(*rules.rule("plan.wrong-type"), op).param_types);
    CHECK(adapters::rule_needs(*rules.rule("plan.unknown-parameter"), op).params.empty());
}

// ---- inventories as the CLIs save them ------------------------------------------------------------

TEST_CASE("a CLI text table is not an inventory: the error says what it is", "[adapters][inventory]") {
    TempDir dir;
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    std::string table = dir.write("desktops.json",
                                  "DesktopId         | DesktopStatus\n---------         | -------------\necd-hzlin03c9x4t6 | Stopped\n");
    auto e = input_error([&] { load_inventory(sources, {table}, rules); });
    REQUIRE(e);
    CHECK(e->id == "inventory.text-output");
    CHECK(e->message.find("--output cols=") != std::string::npos);
    std::string tsv = dir.write("hw.json", "desktop_id\tstatus\n0730042a\tACTIVE\n");
    auto t = input_error([&] { load_inventory(sources, {tsv}, rules); });
    REQUIRE(t);
    CHECK(t->message.find("--cli-output=tsv") != std::string::npos);
    // Merged --pager output and a --cli-query bare array are read as they are.
    std::string pager = dir.write("pager.json", "{\n\t\"Desktops\": [\n\t\t{\"DesktopId\": \"ecd-1\", \"DesktopStatus\": \"Running\"}\n\t]\n}\n");
    std::string bare = dir.write("query_desktops.json", "[\n\t{\"DesktopId\": \"ecd-2\", \"DesktopStatus\": \"Stopped\"}\n]\n");
    Inventory inv = load_inventory(sources, {pager, bare}, rules);
    CHECK(inv.find("desktop", "ecd-1"));
    CHECK(inv.find("desktop", "ecd-2"));
}

TEST_CASE("hostile nesting in templates and scripts is bounded", "[adapters][hostile]") {
    TempDir dir;
    auto deep = load_error(dir, "deep.yml", "FormatVersion: OOS-2019-06-01\nTasks: " + std::string(5000, '[') + "\n");
    REQUIRE(deep);
    CHECK(deep->id == "yaml.depth");
    CHECK(deep->where() == "2:264");  // the 257th [
    auto dashes = load_error(dir, "dashes.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n" + [] {
        std::string s;
        for (int i = 0; i < 100000; ++i) s += "- ";
        return s + "x\n";
    }());
    REQUIRE(dashes);
    CHECK(dashes->id == "yaml.depth");
    std::string subst = "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 \"";
    for (int i = 0; i < 20000; ++i) subst += "$(";
    for (int i = 0; i < 20000; ++i) subst += ")";
    // Deeper than kMaxShellNesting (64): refused at the $( that opens level 65, not read in part.
    auto e = load_error(dir, "deep.sh", subst + "\" --ImageId m-x --force\n");
    REQUIRE(e);
    CHECK(e->id == "plan.shell-depth");
    CHECK(e->where() == "1:" + std::to_string(subst.size() - 20000 * 3 + 1 + 64 * 2));
}

TEST_CASE("a script that starts with a test ([ -n \"$X\" ], [[ $A == b ]]) is a script, not malformed JSON", "[adapters][shell]") {
    // It was read as JSON: "br.sh:1:3: error[json.number]: found malformed number '-n'".
    TempDir dir;
    const std::string stop = "aliyun ecs StopInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok\n";
    for (const std::string head : {"[ -n \"$X\" ] || exit 1\n", "[[ $A == b ]] && true\n", "[ ! -f done ] && true\n", "[ \"$1\" = go ] || exit 2\n",
                                   "[ x = x ] && true\n"}) {
        CAPTURE(head);
        auto l = load(dir, "br.sh", head + stop);
        REQUIRE(l->plan.calls.size() == 1);
        CHECK(l->plan.calls[0].record.find("action")->as_string() == "StopInstance");
    }
    // JSON that starts with a list is still JSON: its errors are JSON's.
    for (const std::string json : {"[ -1, 2 ]", "[true]", "[ null ]", "[[\"a\"]]", "[ {\"calls\": []} ]"}) {
        CAPTURE(json);
        auto e = load_error(dir, "j.json", json);
        REQUIRE(e);
        CHECK(e->id == "plan.unknown-format");
        CHECK(e->message.find("tried opguard plan") != std::string::npos);
    }
}

TEST_CASE("aliyun: a call whose region the CLI profile supplies cannot look its desktops up: a rebuild fails, a stop says its effects are not predicted",
          "[adapters][unresolved][fail-closed]") {
    // These passed as "no change", exit 0: the rebuild of an Expired desktop was never checked.
    TempDir dir;
    const std::string s = "aliyun ecd RebuildDesktops --force --DesktopId.1 ecd-hzwin11m5a8d9 --ImageId m-ubuntu2204lts\n"
                          "aliyun ecd StopDesktops --force --DesktopId.1 ecd-hzwin04d2p7w3\n"
                          "aliyun ecd RebuildDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin11m5a8d9 --ImageId m-ubuntu2204lts\n";
    auto c = check(dir, "region.sh", s);
    REQUIRE(c->l->plan.calls.size() == 3);
    auto e0 = c->findings("plan.unresolved-target", 0);
    REQUIRE(e0.size() == 1);
    CHECK(location(*e0[0]) == c->loc("aliyun"));
    CHECK(e0[0]->message.rfind("the region is the profile's region (no --region or --RegionId on the line), which opguard cannot resolve, and "
                               "the effects of this call, which lose data, need it: which objects it destroys",
                               0) == 0);
    CHECK(e0[0]->message.find("effect ecd.rebuild.system-disk") != std::string::npos);
    CHECK(c->report.calls[0].unresolved_targets);
    // A stop loses no data: a warning, and the summary counts it among the calls whose effects
    // are not predicted (it said "no change").
    CHECK(c->findings("plan.unresolved-target", 1).empty());
    CHECK(c->findings("plan.unresolved-value", 1).size() == 1);
    CHECK(c->report.calls[1].unresolved_targets);
    // Written, the region is checked: the Expired desktop is refused.
    CHECK(c->findings("plan.unresolved-target", 2).empty());
    CHECK(c->findings("ecd.rebuild.desktop-status", 2).size() == 1);
    CHECK_FALSE(c->report.calls[2].unresolved_targets);
}

TEST_CASE("aliyun and hcloud: one list element written in two spellings (Name.1 and Name.01) keeps both values, both checked",
          "[adapters][fail-closed]") {
    // The second value replaced the first: the Expired desktop written first was never checked.
    TempDir dir;
    auto c = check(dir, "dup.sh",
                   "aliyun ecd RebuildDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin11m5a8d9 --DesktopId.01 ecd-hzlin03c9x4t6 "
                   "--ImageId m-ubuntu2204lts\n");
    CHECK(strings(c->l->param(0, "DesktopId")) == std::vector<std::string>{"ecd-hzwin11m5a8d9", "ecd-hzlin03c9x4t6"});
    CHECK(c->l->at(c->l->param(0, "DesktopId").items().at(1)) == c->l->where("ecd-hzlin03c9x4t6"));
    CHECK(c->findings("ecd.rebuild.desktop-status", 0).size() == 1);
    auto rep = c->findings("plan.repeated-flag", 0);
    REQUIRE(rep.size() == 1);
    CHECK(location(*rep[0]) == c->loc("--DesktopId.01"));
    CHECK(rep[0]->message.find("(opguard checks every value given)") != std::string::npos);

    auto h = load(dir, "dup-hw.sh",
                  "hcloud Workspace BatchDeleteDesktops --cli-region=cn-north-4 --project_id=p1 --desktop_ids.1=d-one --desktop_ids.01=d-two\n");
    CHECK(strings(h->param(0, "desktop_ids")) == std::vector<std::string>{"d-one", "d-two"});
}

TEST_CASE("aliyun and hcloud: a command whose product and API come from a value opguard cannot resolve is plan.cli-not-read, never dropped",
          "[adapters][fail-closed]") {
    // `aliyun $ARGS` and `aliyun "$@"` were read as help (no API) and dropped: a delete passed.
    TempDir dir;
    const std::string s = "aliyun $ARGS\n"                                         // 1
                          "aliyun \"$@\" --RegionId cn-hangzhou\n"                 // 2
                          "hcloud $(cat op.txt)\n"                                 // 3
                          "aliyun ecd\n"                                           // 4: help for a product, no call
                          "aliyun ecs DescribeRegions\n";                          // 5
    auto l = load(dir, "unknown.sh", s);
    REQUIRE(l->plan.calls.size() == 4);
    const std::vector<std::string> ids = {"line-1", "line-2", "line-3", "line-5"};
    const std::vector<std::string> at = {"1:8", "2:8", "3:8"};
    for (size_t i = 0; i < 4; ++i) {
        CAPTURE(i);
        CHECK(l->plan.calls[i].id == ids[i]);
        if (i == 3) break;
        const Node* note = l->adapter(i).find("cli_not_read");
        REQUIRE(note);
        CHECK(l->at(note->items().at(0)) == at[i]);
        CHECK(note->items().at(0).find("message")->as_string().find("a value opguard cannot resolve, where the product and the API belong") !=
              std::string::npos);
    }
}

TEST_CASE("auto: a program in another language (a Python SDK script) is not read as a shell script", "[adapters][fail-closed]") {
    // Its os.system("aliyun ...") string was read as a line and client.delete_instance(...)
    // ignored: the check passed as "no change" beside a delete.
    TempDir dir;
    const std::string py = "import os\nos.system(\"aliyun ecs DescribeInstances --RegionId cn-hangzhou\")\n"
                           "client.delete_instance(models.DeleteInstanceRequest(instance_id=\"i-1\", force=True))\n";
    for (const char* name : {"op.py", "op.ps1", "op.rb"}) {
        CAPTURE(name);
        auto e = load_error(dir, name, py);
        REQUIRE(e);
        CHECK(e->id == "plan.unknown-format");
        CHECK(e->message.find(" program, not a shell script: opguard does not read the SDK calls a program makes") != std::string::npos);
    }
    auto shebang = load_error(dir, "op", "#!/usr/bin/env python3\n" + py);
    REQUIRE(shebang);
    CHECK(shebang->message.find("this is a Python program, not a shell script") != std::string::npos);
    // Named explicitly, it is read as a script (the user's choice).
    auto forced = load(dir, "forced.py", py, "shell");
    CHECK(forced->plan.calls.size() == 1);
    // A shell script is still a shell script.
    auto sh = load(dir, "op.sh", "#!/bin/bash\naliyun ecs DescribeInstances --RegionId cn-hangzhou\n");
    CHECK(sh->plan.calls.size() == 1);
}

TEST_CASE("auto: a script that starts with a brace group is a script, not JSON", "[adapters]") {
    // `{ aliyun ...; } 2>&1 | tee log` was read as JSON: json.syntax, found 'aliyun'.
    TempDir dir;
    auto l = load(dir, "b.sh", "{ aliyun ecs DescribeRegions --RegionId cn-hangzhou; } 2>&1 | tee log\n");
    REQUIRE(l->plan.calls.size() == 1);
    CHECK(l->plan.calls[0].id == "line-1");
    auto e = load_error(dir, "j.json", "{\"calls\": [}\n");  // JSON stays JSON: its syntax error is the answer
    REQUIRE(e);
    CHECK(e->id == "json.syntax");
}

TEST_CASE("hcloud: --cli-jsonInput whose file name is computed when the script runs is an unresolved value, not a missing file", "[adapters][hcloud]") {
    // It was refused as a file literally named $F (plan.hcloud-json-input, exit 2).
    TempDir dir;
    auto c = check(dir, "j.sh", "hcloud Workspace BatchDeleteDesktops --cli-region=cn-north-4 --project_id=p1 --cli-jsonInput=\"$F\"\n",
                   {source_path("samples/huawei")});
    REQUIRE(c->l->plan.calls.size() == 1);
    auto w = c->findings("plan.unresolved-value", 0);
    REQUIRE(w.size() == 1);
    CHECK(location(*w[0]) == c->loc("--cli-jsonInput"));
    CHECK(w[0]->message.rfind("--cli-jsonInput is a file whose name \"$F\" is computed when the script runs, which opguard cannot resolve", 0) == 0);
    // It may hold the desktops a delete destroys: the check fails.
    CHECK(c->findings("plan.unresolved-target", 0).size() == 1);
}

TEST_CASE("hcloud: an operation written Operation/vN (KooCLI's multi-version spelling) is that operation, its version recorded", "[adapters][hcloud]") {
    // It was refused with plan.shape ("cloud" beside "version"), an error about JSON plans.
    TempDir dir;
    auto c = check(dir, "v.sh",
                   "hcloud Workspace BatchRebuildDesktopsSystemDisk/v2 --cli-region=cn-north-4 --project_id=p1 --desktop_ids.1=0730042a-b9c7-4279-bb24-d3fd299a2efe "
                   "--image_type=gold --image_id=IMAGE\n",
                   {source_path("samples/huawei")});
    REQUIRE(c->l->plan.calls.size() == 1);
    const Call& call = c->l->plan.calls[0];
    REQUIRE(call.operation);
    CHECK(call.operation->name == "hw.workspace.BatchRebuildDesktopsSystemDisk");
    CHECK(call.record.find("adapter")->find("operation_version")->as_string() == "v2");
}

TEST_CASE("cli-dry-run-json: a body given as an object, as URL-encoded text or as raw JSON is read, and any other body is said not to be",
          "[adapters][dry-run][fail-closed]") {
    // Only a JSON string holding an object was read: the Expired desktop in any other body was lost.
    TempDir dir;
    const std::string head = "{\"style\":\"RPC\",\"endpoint\":\"ecd.cn-hangzhou.aliyuncs.com\",\"method\":\"POST\",\"headers\":{},"
                             "\"query\":{\"DesktopId.1\":\"ecd-hzlin03c9x4t6\",\"ImageId\":\"m-ubuntu2204lts\"},";
    const std::string tail = ",\"action\":\"RebuildDesktops\",\"version\":\"2020-09-30\"}\n";
    const std::vector<std::string> bodies = {
        "\"body\":{\"DesktopId.2\":\"ecd-hzwin11m5a8d9\"},\"bodyFormat\":\"form\"",
        "\"body\":\"DesktopId.2=ecd-hzwin11m5a8d9&Language=en%2DUS\",\"bodyFormat\":\"form\"",
        "\"body\":\"{\\\"DesktopId.2\\\":\\\"ecd-hzwin11m5a8d9\\\"}\",\"bodyFormat\":\"raw\"",
    };
    for (size_t i = 0; i < bodies.size(); ++i) {
        CAPTURE(i);
        auto c = check(dir, "r" + std::to_string(i) + ".json", head + bodies[i] + tail);
        REQUIRE(c->l->plan.calls.size() == 1);
        CHECK(strings(c->l->param(0, "DesktopId")) == std::vector<std::string>{"ecd-hzlin03c9x4t6", "ecd-hzwin11m5a8d9"});
        CHECK(c->findings("ecd.rebuild.desktop-status", 0).size() == 1);  // the Expired desktop of the body
        if (i == 1) CHECK(c->l->param(0, "Language").as_string() == "en-US");
    }
    auto odd = check(dir, "odd.json", head + "\"body\":\"<xml/>\",\"bodyFormat\":\"raw\"" + tail);
    auto w = odd->findings("plan.unresolved-value", 0);
    REQUIRE(w.size() == 1);
    CHECK(w[0]->message.rfind("body is a request body in a form opguard does not read, which opguard cannot resolve", 0) == 0);
}

TEST_CASE("Terraform: each resource's calls go to the region of the provider configuration it names (an alias included)", "[adapters][terraform][region]") {
    TempDir dir;
    const std::string s =
        "{\"format_version\": \"1.2\", \"resource_changes\": [\n"
        "  {\"address\": \"alicloud_instance.hz\", \"mode\": \"managed\", \"type\": \"alicloud_instance\", \"name\": \"hz\",\n"
        "   \"change\": {\"actions\": [\"update\"], \"before\": {\"id\": \"i-hz\", \"status\": \"Stopped\", \"image_id\": \"m-1\"}, \"after\": {\"id\": \"i-hz\", \"status\": \"Stopped\", \"image_id\": \"m-2\"}}},\n"
        "  {\"address\": \"alicloud_instance.sh\", \"mode\": \"managed\", \"type\": \"alicloud_instance\", \"name\": \"sh\",\n"
        "   \"change\": {\"actions\": [\"delete\"], \"before\": {\"id\": \"i-sh\"}, \"after\": null}},\n"
        "  {\"address\": \"module.edge[0].alicloud_ecs_disk.d\", \"module_address\": \"module.edge[0]\", \"mode\": \"managed\", \"type\": \"alicloud_ecs_disk\", \"name\": \"d\",\n"
        "   \"change\": {\"actions\": [\"delete\"], \"before\": {\"id\": \"d-1\"}, \"after\": null}}\n"
        "], \"configuration\": {\"provider_config\": {\n"
        "    \"alicloud\": {\"name\": \"alicloud\", \"expressions\": {\"region\": {\"constant_value\": \"cn-shanghai\"}}},\n"
        "    \"alicloud.hz\": {\"name\": \"alicloud\", \"alias\": \"hz\", \"expressions\": {\"region\": {\"constant_value\": \"cn-hangzhou\"}}},\n"
        "    \"edge:alicloud\": {\"name\": \"alicloud\", \"module_address\": \"module.edge\", \"expressions\": {\"region\": {\"constant_value\": \"cn-beijing\"}}}},\n"
        "  \"root_module\": {\"resources\": [\n"
        "    {\"address\": \"alicloud_instance.hz\", \"mode\": \"managed\", \"type\": \"alicloud_instance\", \"name\": \"hz\", \"provider_config_key\": \"alicloud.hz\"},\n"
        "    {\"address\": \"alicloud_instance.sh\", \"mode\": \"managed\", \"type\": \"alicloud_instance\", \"name\": \"sh\", \"provider_config_key\": \"alicloud\"}],\n"
        "   \"module_calls\": {\"edge\": {\"module\": {\"resources\": [\n"
        "    {\"address\": \"alicloud_ecs_disk.d\", \"mode\": \"managed\", \"type\": \"alicloud_ecs_disk\", \"name\": \"d\", \"provider_config_key\": \"edge:alicloud\"}]}}}}}}\n";
    auto l = load(dir, "plan.json", s);
    std::vector<std::string> calls;
    for (const auto& c : l->plan.calls) {
        const Node* r = c.parameters.find("RegionId");
        calls.push_back(c.id + " " + (r ? r->to_text() : "-"));
    }
    CHECK(calls == std::vector<std::string>{"alicloud_instance.hz cn-hangzhou", "alicloud_instance.sh cn-shanghai",
                                            "module.edge[0].alicloud_ecs_disk.d cn-beijing"});
}

TEST_CASE("Terraform: a resource whose provider configuration sets no region: its region check is said not to run", "[adapters][terraform][region]") {
    TempDir dir;
    dir.write("plan.json",
              "{\"format_version\": \"1.2\", \"resource_changes\": [\n"
              "  {\"address\": \"alicloud_instance.w\", \"mode\": \"managed\", \"type\": \"alicloud_instance\", \"name\": \"w\",\n"
              "   \"change\": {\"actions\": [\"update\"], \"before\": {\"id\": \"i-bp1redeploy01ok\", \"status\": \"Stopped\", \"image_id\": \"m-1\"},\n"
              "              \"after\": {\"id\": \"i-bp1redeploy01ok\", \"status\": \"Stopped\", \"image_id\": \"m-2\"}}}\n"
              "], \"configuration\": {\"provider_config\": {\"alicloud\": {\"name\": \"alicloud\", \"expressions\": {}}},\n"
              "  \"root_module\": {\"resources\": [{\"address\": \"alicloud_instance.w\", \"mode\": \"managed\", \"type\": \"alicloud_instance\", \"name\": \"w\", \"provider_config_key\": \"alicloud\"}]}}}\n");
    CliRun r = run_opguard(dir.path().string(), "--no-config check plan.json -i " + shell_quote(source_path("samples/fleet")));
    CHECK(r.exit == 1);  // the saved instance is Running: ReplaceSystemDisk refused
    CHECK(r.out.find("warning[plan.unresolved-value] plan.json:2:15\n      RegionId is the region of the alicloud provider this resource uses (not in "
                     "the plan: the provider block or ALICLOUD_REGION sets it), which opguard cannot resolve; not checked for this call because "
                     "they need it: ecs.instance.other-region\n") != std::string::npos);
}
