// Where the documentation does not settle whether the cloud accepts a call, the call's outcome
// is "undocumented": no HTTP status and no predicted response, and its effects are predicted
// as if it runs (the worse case for data). Two things make it so: a rule with
// `refuses = maybe` fires, or a target is refused and nothing documents how the cloud answers
// that (the operation's response has no per-target result, or the refusing rule's code is
// undocumented). A target refused with a documented per-target code keeps the documented
// answer (HTTP 200 with the code in the per-target results).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "dsl_fixture.hpp"
#include "script_plan.hpp"
#include "report/render.hpp"

using namespace opguard;
using namespace opguard::test;
using json = nlohmann::json;

namespace {

// A user's rule that says the answer to a StartDesktops with a given Tag is undocumented.
const std::string kMaybe =
    "rule my.maybe {\n"
    "  title = \"The answer to this call is not documented\";\n"
    "  severity = error;\n"
    "  operations = [\"ecd.StartDesktops\"];\n"
    "  when = true;\n"
    "  at = call.RegionId;\n"
    "  refuses = maybe;\n"
    "  message = \"not documented\";\n"
    "  source = \"test fixture\";\n"
    "  basis = undocumented;\n"
    "}\n";

const std::string kStart =
    "{\"calls\": [\n"
    "  {\"id\": \"start\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"StartDesktops\",\n"
    "   \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-t-winstop\"]}}\n"
    "]}\n";

}  // namespace

TEST_CASE("refuses = maybe: the call's outcome is undocumented and its effects are predicted", "[answer][report]") {
    TempDir dir;
    auto r = run_fixture(dir, kMaybe, kStart, {source_path("rules/tests/inventory")});
    REQUIRE(r->report.calls.size() == 1);
    const CallOutcome& c = r->report.calls[0];
    CHECK(c.accepted);
    CHECK(c.answer_undocumented == "the cloud's answer is not documented (my.maybe)");
    CHECK(c.http == 0);
    CHECK(c.response.is_null());
    REQUIRE(r->findings("my.maybe").size() == 1);
    CHECK(where(*r->findings("my.maybe")[0]) == r->loc("\"cn-hangzhou\""));
    // The start is still predicted: the desktop goes Stopped -> Starting -> Running.
    const EffectRecord* e = r->effect(0, "desktop", "ecd-t-winstop");
    REQUIRE(e);
    json j = json::parse(render_json(r->report, {}));
    CHECK(j["calls"][0]["outcome"] == "undocumented");
    CHECK(j["calls"][0]["http"].is_null());
    CHECK(j["calls"][0]["response"].is_null());
    CHECK(j["calls"][0]["message"] == "the cloud's answer is not documented (my.maybe)");
    bool listed = false;
    for (const auto& f : j["findings"])
        if (f["rule"] == "my.maybe") {
            listed = true;
            CHECK(f["refuses"] == "maybe");
            CHECK(f["http"].is_null());
        }
    CHECK(listed);
    std::string text = render_text(r->report, {});
    CHECK(text.find("  outcome: undocumented: the cloud's answer is not documented (my.maybe); effects shown as if the call runs\n") !=
          std::string::npos);
    CHECK(text.find("(cloud answer: undocumented (the call may be refused or may run); undocumented; test fixture)") != std::string::npos);
}

TEST_CASE("a target refused where nothing documents the answer makes the call's outcome undocumented", "[answer]") {
    SECTION("the response has no per-target result (the WUYING client's RebootDesktops)") {
        TempDir dir;
        auto r = run_fixture(dir, "", slurp(source_path("rules/tests/ecd-client.reboot.desktop-status/plan.json")),
                             {source_path("rules/tests/ecd-client.reboot.desktop-status/inventory")});
        const CallOutcome& c = r->report.calls.at(0);
        CHECK(c.answer_undocumented ==
              "a target is refused (ecd-client.reboot.desktop-status) and the response has no per-target result: whether the "
              "cloud refuses the whole call is not documented");
        CHECK(c.http == 0);
        CHECK(c.response.is_null());
        REQUIRE(r->target(0, "ecd-hzwin22n5q9r3"));
        CHECK(r->target(0, "ecd-hzwin22n5q9r3")->outcome == "refused");
        json j = json::parse(render_json(r->report, {}));
        CHECK(j["calls"][0]["outcome"] == "undocumented");
    }
    SECTION("a per-target result, but the refusing rule's code is undocumented (an OS change in Hong Kong)") {
        TempDir dir;
        auto r = run_fixture(dir, "", slurp(source_path("rules/tests/ecd.rebuild.os-change-outside-mainland/plan.json")),
                             {source_path("rules/tests/inventory")});
        const CallOutcome& c = r->report.calls.at(0);
        CHECK(c.answer_undocumented ==
              "a target is refused (ecd.rebuild.os-change-outside-mainland) with an undocumented code: whether the cloud answers "
              "per target or refuses the whole call is not documented");
        CHECK(c.response.is_null());
    }
    SECTION("near miss: a documented per-target code keeps HTTP 200 and the per-target results") {
        TempDir dir;
        auto r = run_fixture(dir, "", slurp(source_path("rules/tests/ecd.rebuild.desktop-status/plan.json")),
                             {source_path("rules/tests/inventory")});
        const CallOutcome& c = r->report.calls.at(0);
        REQUIRE(!r->findings("ecd.rebuild.desktop-status").empty());
        CHECK(c.answer_undocumented.empty());
        CHECK(c.http == 200);
        CHECK(c.response.to_json().find("\"Code\":\"IncorrectDesktopStatus\"") != std::string::npos);
        json j = json::parse(render_json(r->report, {}));
        CHECK(j["calls"][0]["outcome"] == "accepted");
    }
}

TEST_CASE("documented per-target results keep the call's answer: ECS batches with SuccessFirst", "[answer]") {
    TempDir dir;
    auto r = run_fixture(dir, "", slurp(source_path("rules/tests/ecs.power.all-together.success-first/plan.json")),
                         {source_path("rules/tests/ecs.power.all-together.success-first/inventory")});
    const CallOutcome& c = r->report.calls.at(0);
    REQUIRE(c.accepted);
    CHECK(c.answer_undocumented.empty());
    CHECK(c.http == 200);
    // InstanceResponses.InstanceResponse[]: each instance with its code (200: success).
    CHECK(c.response.to_json() ==
          R"({"InstanceResponses":{"InstanceResponse":[{"InstanceId":"i-bp1case000001","Code":"200"},)"
          R"({"InstanceId":"i-bp1case000002","Code":"IncorrectInstanceStatus","Message":"The current status of the resource does not support this operation."}]}})");
}

TEST_CASE("a rule that doubts one target: that target's outcome is undocumented, its effects predicted", "[answer]") {
    TempDir dir;
    auto r = run_fixture(dir, "", slurp(source_path("rules/tests/appstream.distribute.unknown-region/plan.json")),
                         {source_path("rules/tests/inventory")});
    const CallOutcome& c = r->report.calls.at(0);
    CHECK(c.answer_undocumented == "the cloud's answer is not documented (appstream.distribute.unknown-region)");
    REQUIRE(r->target(0, "cn-hangzou"));
    CHECK(r->target(0, "cn-hangzou")->outcome == "undocumented");
    CHECK(r->target(0, "cn-hangzou")->message == "the cloud's answer is not documented (appstream.distribute.unknown-region)");
    CHECK(r->target(0, "cn-beijing")->outcome == "accepted");
    // Both copies are predicted (the worse case).
    std::vector<std::string> copies;
    for (const EffectRecord* e : r->effects(0))
        if (e->noun == "image copy") copies.push_back(e->id);
    CHECK(copies.size() == 2);
}

TEST_CASE("a dry-run line sends nothing: no answer to doubt", "[answer]") {
    TempDir dir;
    auto sp = read_plan(dir, "plan.sh", "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop "
                                        "--ImageId m-t-win2022 --OperateType keep --cli-dry-run\n");
    Inventory inv = load_inventory(sp->sources, {source_path("rules/tests/inventory")}, sp->rules);
    Report rep = simulate(sp->sources, sp->plan, inv, sp->rules);
    REQUIRE(rep.calls.size() == 1);
    CHECK(rep.calls[0].dry_run);
    CHECK(rep.calls[0].answer_undocumented.empty());
    CHECK(rep.call_counts().answer_undocumented == 0);
    bool fired = false;
    for (const auto& f : rep.findings) fired = fired || f.rule->id == "ecd.rebuild.operate-type";
    CHECK(fired);
}

TEST_CASE("refuses = maybe names no http, code or response_message, and a plan-scope rule refuses nothing", "[answer][rule-errors]") {
    const std::string maybe_names = " rules.type 'refuses = maybe' says the cloud's answer is not documented: it names no http, code or response_message";
    struct Variant {
        std::string insert, before, where, message;
    };
    const std::vector<Variant> variants = {
        {"  http = 400;\n", "  message", ":8:10", maybe_names},
        {"  code = \"X\";\n", "  message", ":8:10", maybe_names},
        {"  response_message = \"no\";\n", "  message", ":8:22", maybe_names},
        {"  scope = plan;\n", "  when", ":8:13",
         " rules.type a plan-scope rule runs once for the whole plan, not for a call: it cannot refuse one (write 'scope = call;')"},
    };
    for (const auto& v : variants) {
        INFO(v.insert);
        TempDir dir;
        std::string text = kMaybe;
        text.replace(text.find(v.before), 0, v.insert);
        auto errors = fixture_errors(dir, text);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == dir.file("fixture/fixture.rules") + v.where + v.message);
    }
}
