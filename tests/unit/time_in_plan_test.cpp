// Time in the plan: an asynchronous call leaves its targets in a transitional status until
// the plan waits ("wait": true on a call, a wait step, an adapter's CallDraft wait /
// wait_only), and the cost of rules that look at earlier calls (history(),
// first_prior_call) stays linear in the plan.
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include "input/adapters/plan_builder.hpp"

namespace opguard::test {
namespace {

const std::string kInstances = source_path("rules/tests/ecs.redeploy.in-flight/inventory");
const std::string kDesktops = source_path("rules/tests/ecd.power.desktop-status.no/inventory");

std::string redeploy(const std::string& id, const std::string& extra = "") {
    return "    {\"id\": \"" + id + "\", \"product\": \"ecs\", \"version\": \"2014-05-26\", \"action\": \"RedeployInstance\"" + extra +
           ",\n     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"InstanceId\": \"i-bp1web0000021\"}}";
}

const CallOutcome& outcome(const Run& r, const std::string& id) {
    for (const auto& c : r.report.calls)
        if (c.id == id) return c;
    FAIL("no call " << id);
    throw;
}

// ---- adapters: CallDraft wait / wait_only through PlanBuilder ----------------------------

struct Drafted {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    Inventory inventory;
    Report report;
};

// Two RedeployInstance drafts of one instance; `between` adds a wait-only draft between
// them, `first_waits` sets the first draft's wait.
std::unique_ptr<Drafted> drafted(bool first_waits, bool between) {
    auto d = std::make_unique<Drafted>();
    d->rules = load_rules(d->sources, RuleSources{true, {}});
    const std::string text = "aliyun ecs RedeployInstance --InstanceId i-bp1web0000021 --waiter expr=Status to=Running\n"
                             "sleep 600\n"
                             "aliyun ecs RedeployInstance --InstanceId i-bp1web0000021\n";
    uint32_t fid = d->sources.add("redeploy.sh", std::string(text));
    adapters::PlanBuilder b(d->sources, fid, d->rules, "shell");
    auto draft = [&](const std::string& id, uint32_t offset) {
        adapters::CallDraft c;
        c.id = id;
        c.origin = Origin{fid, offset};
        c.set_header("product", Node::string("ecs", c.origin));
        c.set_header("version", Node::string("2014-05-26", c.origin));
        c.set_header("action", Node::string("RedeployInstance", c.origin));
        adapters::RawParam p;
        p.name = "InstanceId";
        p.value = Node::string("i-bp1web0000021", Origin{fid, offset + 39});
        p.flag = "--InstanceId";
        p.flag_at = Origin{fid, offset + 26};
        c.params.push_back(std::move(p));
        adapters::RawParam r;
        r.name = "RegionId";
        r.value = Node::string("cn-hangzhou", c.origin);
        r.flag = "(profile)";
        r.flag_at = c.origin;
        c.params.push_back(std::move(r));
        return c;
    };
    adapters::CallDraft first = draft("first", 0);
    if (first_waits) {
        first.wait = true;
        first.wait_at = Origin{fid, static_cast<uint32_t>(text.find("--waiter"))};
    }
    b.add(std::move(first));
    if (between) {
        adapters::CallDraft w;
        w.id = "sleep";
        w.origin = Origin{fid, static_cast<uint32_t>(text.find("sleep"))};
        w.wait_only = true;
        w.wait_at = w.origin;
        b.add(std::move(w));
    }
    b.add(draft("second", static_cast<uint32_t>(text.find("aliyun", 10))));
    d->plan = b.build();
    d->inventory = load_inventory(d->sources, {kInstances}, d->rules);
    d->report = simulate(d->sources, d->plan, d->inventory, d->rules);
    return d;
}

TEST_CASE("PlanBuilder: without a wait the second RedeployInstance sees the instance Stopping", "[time][adapters]") {
    auto d = drafted(false, false);
    REQUIRE(d->plan.calls.size() == 2);
    CHECK_FALSE(d->plan.calls[0].wait);
    CHECK(d->plan.waits.empty());
    REQUIRE(d->report.calls.size() == 2);
    CHECK(d->report.calls[0].accepted);
    CHECK_FALSE(d->report.calls[1].accepted);
    CHECK(d->report.calls[1].code == "IncorrectInstanceStatus");
    CHECK(d->report.calls[1].http == 403);
    const Finding* status = nullptr;
    for (const auto& f : d->report.findings)
        if (f.rule->id == "ecs.redeploy.status" && f.call_id == "second") status = &f;
    REQUIRE(status);
    CHECK(status->message.find("i-bp1web0000021 is Stopping") != std::string::npos);
    CHECK(status->message.find("assumes the plan does not wait for call first to finish") != std::string::npos);
    CHECK(status->message.find("--waiter") != std::string::npos);
    CHECK(status->location.file == "redeploy.sh");
    CHECK(lc(status->location.pos) == "3:1");
    // The first call's effect names the whole path; the instance stays in transition.
    REQUIRE(!d->report.effects.empty());
    CHECK(d->report.effects[0].status_path == std::vector<std::string>{"Running", "Stopping", "Starting", "Running"});
}

TEST_CASE("PlanBuilder: CallDraft wait is the call's wait: the next call sees the final status", "[time][adapters]") {
    auto d = drafted(true, false);
    REQUIRE(d->plan.calls.size() == 2);
    CHECK(d->plan.calls[0].wait);
    CHECK(lc(pos(d->sources, d->plan.calls[0].wait_at)) == "1:58");  // --waiter
    CHECK(d->report.calls[0].wait);
    CHECK(d->report.calls[1].accepted);
    for (const auto& f : d->report.findings) {
        CHECK(f.rule->id != "ecs.redeploy.status");
        CHECK(f.rule->id != "ecs.redeploy.in-flight");
    }
}

TEST_CASE("PlanBuilder: a wait_only draft is a wait step, not a call", "[time][adapters]") {
    auto d = drafted(false, true);
    REQUIRE(d->plan.calls.size() == 2);       // the wait step is not a call
    CHECK(d->plan.calls[1].id == "second");
    CHECK(d->plan.calls[1].index == 1);
    CHECK(d->plan.calls[1].entry == 2);
    REQUIRE(d->plan.waits.size() == 1);
    CHECK(d->plan.waits[0].id == "sleep");
    CHECK(d->plan.waits[0].after == 1);
    CHECK(d->report.calls[1].accepted);
    REQUIRE(d->report.waits.size() == 1);
    CHECK(d->report.waits[0].waited == std::vector<std::string>{"first"});
    CHECK(lc(d->report.waits[0].location.pos) == "2:1");
    // The adapter record still belongs to the right call.
    const Node* adapter = d->plan.calls[1].record.find("adapter");
    REQUIRE(adapter);
    CHECK(adapter->find("format")->as_string() == "shell");
    CHECK(d->report.summary() == "Plan: 2 instances redeployed.");
}

// ---- opguard's JSON plan --------------------------------------------------------------

TEST_CASE("JSON plan: redeploy twice without a wait is refused, with a wait accepted", "[time][plan]") {
    TempDir dir;
    SECTION("no wait") {
        auto r = run_pipeline(dir, plan_of({redeploy("r1"), redeploy("r2")}), {kInstances});
        CHECK_FALSE(outcome(*r, "r2").accepted);
        CHECK(outcome(*r, "r2").code == "IncorrectInstanceStatus");
        auto f = r->findings("ecs.redeploy.status", 1);
        REQUIRE(f.size() == 1);
        CHECK(f[0]->message.find("assumes the plan does not wait for call r1 to finish, which leaves i-bp1web0000021 Stopping") !=
              std::string::npos);
        CHECK(f[0]->message.find("\"wait\": true") != std::string::npos);
        CHECK(r->findings("ecs.redeploy.in-flight", 1).size() == 1);
        // The state after the plan is the state once its work has finished: Running again.
        CHECK(r->report.changes.empty());
    }
    SECTION("wait on the call") {
        auto r = run_pipeline(dir, plan_of({redeploy("r1", ", \"wait\": true"), redeploy("r2")}), {kInstances});
        CHECK(outcome(*r, "r1").wait);
        CHECK(outcome(*r, "r2").accepted);
        CHECK(r->findings("ecs.redeploy.status").empty());
        CHECK(r->findings("ecs.redeploy.in-flight").empty());
    }
    SECTION("a wait step") {
        auto r = run_pipeline(dir, plan_of({redeploy("r1"), "    {\"id\": \"settle\", \"wait\": true}", redeploy("r2")}), {kInstances});
        REQUIRE(r->report.calls.size() == 2);
        CHECK(outcome(*r, "r2").accepted);
        REQUIRE(r->report.waits.size() == 1);
        CHECK(r->report.waits[0].id == "settle");
        CHECK(r->report.waits[0].waited == std::vector<std::string>{"r1"});
        CHECK(r->loc("{\"id\": \"settle\"") == r->plan_path + ":" + lc(r->report.waits[0].location.pos));
        CHECK(r->findings("ecs.redeploy.status").empty());
        // Rendered where it stands, and in the JSON report.
        std::string text = render(r->report, "text", {});
        CHECK(text.find("wait settle: until the work of r1 has finished") != std::string::npos);
        auto json = nlohmann::json::parse(render(r->report, "json", {}));
        REQUIRE(json["waits"].size() == 1);
        CHECK(json["waits"][0]["id"] == "settle");
        CHECK(json["waits"][0]["after_calls"] == 1);
        CHECK(json["waits"][0]["waited"] == nlohmann::json::array({"r1"}));
        CHECK(json["summary"]["calls"] == 2);       // a wait step is not a call
        CHECK_FALSE(json["calls"][0].contains("wait"));
    }
    SECTION("a wait step with no id, before any call, waits for nothing") {
        auto r = run_pipeline(dir, plan_of({"    {\"wait\": true}", redeploy("r1")}), {kInstances});
        REQUIRE(r->report.waits.size() == 1);
        CHECK(r->report.waits[0].id == "wait-1");
        CHECK(r->report.waits[0].waited.empty());
        CHECK(r->report.calls[0].id == "r1");
    }
}

TEST_CASE("JSON plan: stop then start without a wait: the desktop is Stopping", "[time][plan]") {
    TempDir dir;
    auto power = [](const std::string& id, const std::string& action, const std::string& extra) {
        return "    {\"id\": \"" + id + "\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"" + action + "\"" + extra +
               ", \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-hzwin21k4m8p2\"]}}";
    };
    auto r = run_pipeline(dir, plan_of({power("stop", "StopDesktops", ""), power("start", "StartDesktops", "")}), {kDesktops});
    const TargetOutcome* t = r->target(1, "ecd-hzwin21k4m8p2");
    REQUIRE(t);
    CHECK(t->outcome == "refused");
    auto f = r->findings("ecd.power.desktop-status", 1);
    REQUIRE(f.size() == 1);
    CHECK(f[0]->message.find("is Stopping; StartDesktops needs it Stopped (assumes the plan does not wait for call stop") != std::string::npos);

    auto waited = run_pipeline(dir, plan_of({power("stop", "StopDesktops", ", \"wait\": true"), power("start", "StartDesktops", "")}), {kDesktops});
    CHECK(waited->target(1, "ecd-hzwin21k4m8p2")->outcome == "accepted");
    CHECK(waited->findings("ecd.power.desktop-status").empty());
}

TEST_CASE("JSON plan: a finding that does not depend on the transition claims no assumption", "[time][plan]") {
    TempDir dir;
    auto r = run_pipeline(dir, plan_of({redeploy("r1"), redeploy("r2")}), {kInstances});
    // in-flight reads the history, not the status: it fires whatever the status is, so it
    // names no assumption although the instance it concerns is in transition.
    auto inflight = r->findings("ecs.redeploy.in-flight", 1);
    REQUIRE(inflight.size() == 1);
    CHECK(inflight[0]->message.find("assumes the plan does not wait") == std::string::npos);
    size_t with_assumption = 0;
    for (const auto& f : r->report.findings)
        with_assumption += f.message.find("assumes the plan does not wait") != std::string::npos;
    CHECK(with_assumption == 1);  // ecs.redeploy.status only
}

TEST_CASE("JSON plan: wait keys are strict", "[time][plan]") {
    TempDir dir;
    SECTION("wait is a boolean") {
        std::string text = plan_of({redeploy("r1", ", \"wait\": \"yes\"")});
        auto e = input_error([&] { run_pipeline(dir, text, {}); });
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == lc(position_of(text, "\"yes\"")));
        CHECK(e->message.find("\"wait\" must be true or false") != std::string::npos);
    }
    SECTION("a wait step has only id and wait") {
        std::string text = plan_of({"    {\"id\": \"w\", \"wait\": true, \"parameters\": {}}"});
        auto e = input_error([&] { run_pipeline(dir, text, {}); });
        REQUIRE(e);
        CHECK(e->id == "plan.unknown-key");
        CHECK(e->where() == lc(position_of(text, "{}")));
    }
    SECTION("a wait step's id is a string") {
        std::string text = plan_of({"    {\"id\": 7, \"wait\": true}"});
        auto e = input_error([&] { run_pipeline(dir, text, {}); });
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == lc(position_of(text, "7")));
    }
    SECTION("wait false without an API is no call") {
        std::string text = plan_of({"    {\"id\": \"w\", \"wait\": false}"});
        auto e = input_error([&] { run_pipeline(dir, text, {}); });
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
    }
    SECTION("ids by position count wait steps") {
        auto r = run_pipeline(dir, "{\"calls\": [{\"wait\": true}, {\"product\": \"ecs\", \"version\": \"2014-05-26\", \"action\": \"RedeployInstance\", \"parameters\": {\"InstanceId\": \"i-x\"}}]}", {});
        REQUIRE(r->plan.calls.size() == 1);
        CHECK(r->plan.calls[0].id == "call-2");
        CHECK(r->plan.calls[0].index == 0);
        CHECK(r->plan.calls[0].entry == 1);
    }
}

// ---- cost: rules that look at earlier calls stay linear ---------------------------------

// `n` client restarts of one desktop, each waited for, each with its own ClientToken:
// history("desktop", ...) and first_prior_call(...) are read at every call.
uint64_t steps_for_one_desktop(size_t n) {
    TempDir dir;
    std::string text = "{\"calls\": [\n";
    for (size_t i = 0; i < n; ++i) {
        text += std::string(i ? ",\n" : "") + "{\"product\": \"ecd\", \"version\": \"2020-10-02\", \"action\": \"RebootDesktops\", \"wait\": true, " +
                "\"parameters\": {\"RegionId\": \"cn-hangzhou\", \"ClientId\": \"c\", \"SessionId\": \"s\", \"LoginToken\": \"t\", "
                "\"ClientToken\": \"token-" + std::to_string(i) + "\", \"DesktopId\": [\"ecd-hzwin21k4m8p2\"]}}";
    }
    text += "]}\n";
    auto r = run_pipeline(dir, text, {kDesktops});
    // Every restart is accepted (the wait brings the desktop back to Running).
    size_t accepted = 0;
    for (const auto& c : r->report.calls) accepted += c.accepted && c.targets.at(0).outcome == "accepted";
    CHECK(accepted == n);
    return r->report.evaluation_steps;
}

TEST_CASE("Cost: one object in 10000 calls costs about 10x one in 1000", "[time][cost]") {
    uint64_t small = steps_for_one_desktop(1000), large = steps_for_one_desktop(10000);
    INFO("steps: 1,000 calls " << small << ", 10,000 calls " << large);
    REQUIRE(small > 0);
    CHECK(large < 30 * small);
    CHECK(large > 5 * small);
}

TEST_CASE("Cost: calls waited for leave no pending work in history()", "[time][cost]") {
    TempDir dir;
    auto r = run_pipeline(dir, plan_of({redeploy("r1", ", \"wait\": true"), redeploy("r2", ", \"wait\": true"), redeploy("r3")}), {kInstances});
    // r3 sees no pending work (both earlier calls were waited for) and a Running instance.
    CHECK(outcome(*r, "r3").accepted);
    CHECK(r->findings("ecs.redeploy.in-flight").empty());
}

// A plan far beyond one evaluation's base budget (a plan-wide rule visits every call):
// completes with a report. Run by the `slow` ctest label (tests/CMakeLists.txt).
TEST_CASE("Cost: a 300000-call plan completes with a report", "[.][slow]") {
    TempDir dir;
    const size_t n = 300000;
    std::string text = "{\"calls\": [\n";
    for (size_t i = 0; i < n; ++i)
        text += std::string(i ? ",\n" : "") + "{\"product\": \"ecs\", \"version\": \"2014-05-26\", \"action\": \"RedeployInstance\", "
                "\"parameters\": {\"RegionId\": \"cn-hangzhou\", \"InstanceId\": \"i-" + std::to_string(i) + "\"}}";
    text += "]}\n";
    auto r = run_pipeline(dir, text, {kInstances});
    REQUIRE(r->report.calls.size() == n);
    // The plan-wide rate-limit rule (filter over all calls) ran and fired.
    auto rate = r->findings("ecs.redeploy.rate-limit");
    REQUIRE(rate.size() == 1);
    CHECK(rate[0]->message.find("makes 300000 RedeployInstance calls") != std::string::npos);
    CHECK(exit_code(r->report, Severity::Error) == 1);
}

TEST_CASE("PlanBuilder: what only reads comes from the rules' sets read_only_verbs and read_only_methods", "[time][adapters]") {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    CHECK(adapters::read_only_api(rules, "DescribeDesktops", "ecd"));
    CHECK(adapters::read_only_api(rules, "ListImages", "ecs"));
    CHECK_FALSE(adapters::read_only_api(rules, "RebuildDesktops", "ecd"));
    CHECK_FALSE(adapters::read_only_api(rules, "Describer", "ecd"));  // one word, not a listed verb
    // read_verb_exceptions: App Streaming's GetConnectionTicket starts an application; ECD's only reads.
    CHECK_FALSE(adapters::read_only_api(rules, "GetConnectionTicket", "appstream-center"));
    CHECK_FALSE(adapters::read_only_api(rules, "GetConnectionTicket", "AppStream-Center"));
    CHECK(adapters::read_only_api(rules, "GetConnectionTicket", "ecd"));
    CHECK(adapters::read_only_api(rules, "GetAppInstanceGroup", "appstream-center"));
    CHECK(adapters::read_only_method(rules, "GET"));
    CHECK(adapters::read_only_method(rules, "head"));  // compared in upper case, as the rules compare
    CHECK_FALSE(adapters::read_only_method(rules, "POST"));
    CHECK_FALSE(adapters::read_only_method(rules, "DELETE"));
    // Without the sets (no rule file defines them) nothing counts as a read.
    rules.sets.erase("read_only_methods");
    rules.sets.erase("read_only_verbs");
    CHECK_FALSE(adapters::read_only_method(rules, "GET"));
    CHECK_FALSE(adapters::read_only_api(rules, "DescribeDesktops", "ecd"));
}

}  // namespace
}  // namespace opguard::test
