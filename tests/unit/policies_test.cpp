// Organisation policies: rules over the predicted outcome. `scope = plan` without
// operations runs once after the simulation and sees `effects`; `scope = effect` runs once
// per predicted effect with `effect` bound (its saved object before the plan and its final
// state after); min/max over lists; and the compile errors of the new scopes.
#include "test_support.hpp"

#include <algorithm>

using namespace opguard;
using namespace opguard::test;

namespace {

const char* kDesktops = R"({"Desktops": [
  {"DesktopId": "ecd-1", "OfficeSiteId": "cn-hangzhou+dir-1", "DesktopStatus": "Stopped", "OsType": "Windows",
   "ImageId": "m-old", "Tags": [{"Key": "env", "Value": "prod"}],
   "Disks": [{"DiskId": "d-1sys", "DiskType": "SYSTEM", "DiskSize": 80}, {"DiskId": "d-1data", "DiskType": "DATA", "DiskSize": 100}]},
  {"DesktopId": "ecd-2", "OfficeSiteId": "cn-hangzhou+dir-1", "DesktopStatus": "Stopped", "OsType": "Windows",
   "ImageId": "m-old", "Tags": [{"Key": "env", "Value": "dev"}],
   "Disks": [{"DiskId": "d-2sys", "DiskType": "SYSTEM", "DiskSize": 40}]}
]}
)";
const char* kImages = R"({"Images": [
  {"ImageId": "m-new", "Status": "Available", "OsType": "Windows", "GpuCategory": false, "ImageType": "SYSTEM", "Platform": "Windows Server 2022"}
]}
)";

struct PolicyRun {
    TempDir dir;
    std::unique_ptr<Run> run = std::make_unique<Run>();
};

std::unique_ptr<PolicyRun> run_policy(const std::string& rules_text) {
    auto p = std::make_unique<PolicyRun>();
    Run& r = *p->run;
    r.plan_text = plan_of({rebuild_call("c1", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-1\", \"ecd-2\"]", "\"ImageId\": \"m-new\""})});
    r.plan_path = p->dir.write("plan.json", r.plan_text);
    p->dir.write("policy/policy.rules", rules_text);
    r.rules = load_rules(r.sources, RuleSources{true, {p->dir.file("policy")}});
    r.plan = load_plan(r.sources, r.plan_path, r.rules);
    r.inventory = load_inventory(r.sources, {p->dir.write("inv/desktops.json", kDesktops), p->dir.write("inv/images.json", kImages)}, r.rules);
    r.report = simulate(r.sources, r.plan, r.inventory, r.rules);
    return p;
}

std::optional<Err> policy_error(const std::string& rules_text) {
    TempDir dir;
    dir.write("bad/bad.rules", rules_text);
    return input_error([&] {
        SourceRegistry sources;
        load_rules(sources, RuleSources{true, {dir.file("bad")}});
    });
}

}  // namespace

TEST_CASE("a plan-scope rule without operations runs after the simulation and sees effects", "[policies][plan]") {
    auto p = run_policy(R"(rule org.budget {
  title = "budget";
  severity = error;
  scope = plan;
  let lost = filter(effects, it.data_loss and exists(it.size_gib));
  when = sum(map(lost, it.size_gib)) > 100;  # 120 GiB erased
  message = "{sum(map(lost, it.size_gib))} GiB in {count(lost)}; max {max(map(lost, it.size_gib))}, min {min(map(lost, it.size_gib))}, first call {calls[0].id}";
  source = "policy";
  basis = documented;
}
)");
    auto f = p->run->findings("org.budget");
    REQUIRE(f.size() == 1);
    // ecd-1: 80 (system; its data disk is retained on the same OS); ecd-2: 40 (system).
    CHECK(f[0]->message == "120 GiB in 2; max 80, min 40, first call c1");
    CHECK(f[0]->call_index == p->run->plan.calls.size());  // plan-wide
    CHECK(f[0]->location.file == p->run->plan_path);
    CHECK(lc(f[0]->location.pos) == lc(pos(p->run->sources, p->run->plan.calls[0].origin)));
    CHECK(lc(f[0]->location.pos) == "3:5");
}

TEST_CASE("a plan-scope policy under its budget does not fire", "[policies][plan]") {
    auto p = run_policy(R"(rule org.budget {
  title = "budget"; severity = error; scope = plan;
  when = sum(map(filter(effects, it.data_loss), it.size_gib)) > 120;  # exactly 120 GiB erased
  message = "over"; source = "policy"; basis = documented;
}
)");
    CHECK(p->run->findings("org.budget").empty());
}

TEST_CASE("an effect-scope rule runs per effect and reads the saved object and the final state", "[policies][effect]") {
    auto p = run_policy(R"(rule org.prod-loss {
  title = "no loss on prod";
  severity = warning;
  scope = effect;
  when = effect.data_loss and any(effect.object.Tags, it.Key == "env" and it.Value == "prod");
  message = "{effect.operation} {effect.call} {effect.noun} {effect.id} {effect.verb} ({effect.size_gib} GiB, {effect.basis}) on {target}: image {effect.object.ImageId} -> {effect.final.ImageId}";
  source = "policy";
  basis = documented;
}
)");
    auto f = p->run->findings("org.prod-loss");
    REQUIRE(f.size() == 1);  // the system disk of ecd-1; its data disk is retained, ecd-2 is env=dev
    CHECK(f[0]->message == "ecd.RebuildDesktops c1 disk d-1sys erased (80 GiB, documented) on ecd-1: image m-old -> m-new");
    for (const Finding* x : f) {
        CHECK(x->target == "ecd-1");
        CHECK(x->call_id == "c1");
        CHECK(x->call_index == 0);
        CHECK(lc(x->location.pos) == lc(position_of(p->run->plan_text, "\"ecd-1\"")));
    }
    // Tags are kept although no built-in rule reads them: the policy reads them through `effect.object`.
    const ResourceKind* k = p->run->rules.resource("desktop");
    REQUIRE(k);
    CHECK(std::find(k->read_fields.begin(), k->read_fields.end(), "Tags") != k->read_fields.end());
}

// An effect is made into a value per rule, with the object copies only when the rule reads
// them: by `effect.object` / `effect.final`, or through `effect` used whole (bound to a name,
// indexed, passed to a function). Each way must still see the objects.
TEST_CASE("an effect-scope rule sees the objects however it reaches them through effect", "[policies][effect]") {
    auto p = run_policy(R"(rule org.by-let {
  title = "x"; severity = info; scope = effect;
  let e = effect;
  when = e.noun == "disk" and e.id == "d-1sys";
  message = "{e.object.ImageId} -> {e.final.ImageId}"; source = "policy"; basis = documented;
}
rule org.by-index {
  title = "x"; severity = info; scope = effect;
  let before = effect["object"];
  let after = effect["final"]["ImageId"];
  when = effect["noun"] == "disk" and effect["id"] == "d-2sys";
  message = "{before.ImageId} -> {after}"; source = "policy"; basis = documented;
}
rule org.in-list {
  title = "x"; severity = info; scope = effect;
  when = effect.noun == "disk" and effect.id == "d-1sys";
  message = "{first(map([effect], it.object.ImageId))}"; source = "policy"; basis = documented;
}
rule org.no-objects {
  title = "x"; severity = info; scope = effect;
  when = effect.noun == "disk" and effect.id == "d-1sys";
  message = "{effect.verb} {effect.size_gib} {count(effect.earlier)}"; source = "policy"; basis = documented;
}
)");
    auto by_let = p->run->findings("org.by-let");
    REQUIRE(by_let.size() == 1);
    CHECK(by_let[0]->message == "m-old -> m-new");
    CHECK(by_let[0]->target == "ecd-1");
    auto by_index = p->run->findings("org.by-index");
    REQUIRE(by_index.size() == 1);
    CHECK(by_index[0]->message == "m-old -> m-new");
    CHECK(by_index[0]->target == "ecd-2");
    auto in_list = p->run->findings("org.in-list");
    REQUIRE(in_list.size() == 1);
    CHECK(in_list[0]->message == "m-old");
    auto plain = p->run->findings("org.no-objects");
    REQUIRE(plain.size() == 1);
    CHECK(plain[0]->message == "erased 80 0");
}

// A rule that reads only some members of `effect` by name is given only those (and target):
// each name must still reach its own value, the same as through `effect` used whole.
TEST_CASE("each member of effect read by name is the member of effect used whole", "[policies][effect]") {
    const std::string members =
        "{M.call}|{M.operation}|{M.target}|{M.kind}|{M.effect}|{M.noun}|{M.verb}|{M.id}|{M.size_gib}|{M.data_loss}|"
        "{M.basis}|{M.pending}|{string(M.status_path)}|{M.detail}|{count(M.earlier)}|{M.object.ImageId}|{M.final.ImageId}|{M.nothing}";
    auto with = [&](const std::string& name) {
        std::string m = members;
        for (size_t at; (at = m.find("M.")) != std::string::npos;) m.replace(at, 2, name + ".");
        return m;
    };
    auto p = run_policy("rule org.by-name {\n  title = \"x\"; severity = info; scope = effect;\n"
                        "  when = effect.noun == \"disk\" and effect.id == \"d-1sys\";\n  message = \"" + with("effect") +
                        "\"; source = \"policy\"; basis = documented;\n}\n"
                        "rule org.whole {\n  title = \"x\"; severity = info; scope = effect;\n  let e = effect;\n"
                        "  when = e.noun == \"disk\" and e.id == \"d-1sys\";\n  message = \"" + with("e") +
                        "\"; source = \"policy\"; basis = documented;\n}\n");
    auto by_name = p->run->findings("org.by-name");
    auto whole = p->run->findings("org.whole");
    REQUIRE(by_name.size() == 1);
    REQUIRE(whole.size() == 1);
    CHECK(by_name[0]->message == whole[0]->message);
    CHECK(by_name[0]->message.rfind("c1|ecd.RebuildDesktops|ecd-1|desktop|", 0) == 0);
    CHECK(by_name[0]->message.find("|disk|erased|d-1sys|80|true|documented|") != std::string::npos);
    CHECK(by_name[0]->message.find("|m-old|m-new|") != std::string::npos);
}

TEST_CASE("an effect-scope rule with operations sees only those operations' effects", "[policies][effect]") {
    auto p = run_policy(R"(rule org.ecs-only {
  title = "x"; severity = info; scope = effect; operations = ["ecs.RedeployInstance"];
  when = true; message = "m"; source = "policy"; basis = documented;
}
rule org.ecd-only {
  title = "x"; severity = info; scope = effect; operations = ["ecd.RebuildDesktops"];
  when = effect.target == "ecd-2" and effect.noun == "disk"; message = "{effect.id}"; source = "policy"; basis = documented;
}
)");
    CHECK(p->run->findings("org.ecs-only").empty());
    auto f = p->run->findings("org.ecd-only");
    REQUIRE(f.size() == 1);
    CHECK(f[0]->message == "d-2sys");
}

TEST_CASE("min and max: null for a list with no numbers", "[policies][builtins]") {
    auto p = run_policy(R"(rule org.minmax {
  title = "x"; severity = info; scope = plan;
  when = missing(max([])) and missing(min(["a", null])) and max([3, "7", 5]) == 7 and min([3, "-1", 5]) == -1;
  message = "ok"; source = "policy"; basis = documented;
}
)");
    CHECK(p->run->findings("org.minmax").size() == 1);
}

TEST_CASE("a scope = plan rule with operations keeps running before the calls and cannot see effects", "[policies][errors]") {
    std::string text = R"(rule org.early {
  title = "x"; severity = info; scope = plan; operations = ["ecd.RebuildDesktops"];
  when = count(effects) > 0; message = "m"; source = "policy"; basis = documented;
}
)";
    auto e = policy_error(text);
    REQUIRE(e);
    CHECK(e->id == "rules.name-out-of-scope");
    CHECK(e->where() == lc(position_of(text, "effects")));
    CHECK(e->file.size() > 10);
    CHECK(e->file.substr(e->file.size() - 9) == "bad.rules");
}

TEST_CASE("effect outside scope = effect is a located error", "[policies][errors]") {
    std::string text = R"(rule org.wrong {
  title = "x"; severity = info; operations = ["ecd.RebuildDesktops"]; scope = target;
  when = effect.data_loss; message = "m"; source = "policy"; basis = documented;
}
)";
    auto e = policy_error(text);
    REQUIRE(e);
    CHECK(e->id == "rules.name-out-of-scope");
    CHECK(e->where() == "3:10");
    CHECK(e->message.find("'effect' is bound only in 'scope = effect;' rules") == 0);
}

TEST_CASE("misspelt names and functions in a policy get a did-you-mean", "[policies][errors]") {
    auto e = policy_error("rule org.x {\n  title = \"x\"; severity = info; scope = effect;\n  when = efect.data_loss; message = \"m\"; source = \"s\"; basis = documented;\n}\n");
    REQUIRE(e);
    CHECK(e->id == "rules.unknown-name");
    CHECK(e->where() == "3:10");
    CHECK(e->message == "unknown name 'efect' (did you mean 'effect'?)");
    auto f = policy_error("rule org.x {\n  title = \"x\"; severity = info; scope = plan;\n  when = sun(map(effects, it.size_gib)) > 1; message = \"m\"; source = \"s\"; basis = documented;\n}\n");
    REQUIRE(f);
    CHECK(f->id == "rules.unknown-function");
    CHECK(f->where() == "3:10");
    CHECK(f->message == "unknown function 'sun' (did you mean 'sum'?)");
}

TEST_CASE("a policy cannot refuse, and a plan policy has no target", "[policies][errors]") {
    std::string text = "rule org.x {\n  title = \"x\"; severity = error; scope = effect;\n  when = true; refuses = call; message = \"m\"; source = \"s\"; basis = documented;\n}\n";
    auto e = policy_error(text);
    REQUIRE(e);
    CHECK(e->id == "rules.type");
    CHECK(e->where() == lc(position_of(text, "call;")));
    std::string t2 = "rule org.y {\n  title = \"x\"; severity = error; scope = plan;\n  when = target == \"a\"; message = \"m\"; source = \"s\"; basis = documented;\n}\n";
    auto g = policy_error(t2);
    REQUIRE(g);
    CHECK(g->id == "rules.target-in-call-scope");
    CHECK(g->where() == "3:10");
    // A call- or target-scope rule still names its operations.
    auto h = policy_error("rule org.z {\n  title = \"x\"; severity = error; scope = call;\n  when = true; message = \"m\"; source = \"s\"; basis = documented;\n}\n");
    REQUIRE(h);
    CHECK(h->where() == "1:6");
}
