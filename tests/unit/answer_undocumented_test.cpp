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

TEST_CASE("refuses = maybe names no http or code", "[answer][rule-errors]") {
    TempDir dir;
    std::string text = kMaybe;
    text.replace(text.find("  message"), 0, "  http = 400;\n");
    auto errors = fixture_errors(dir, text);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == dir.file("fixture/fixture.rules") + ":8:10 rules.type 'refuses = maybe' says the cloud's answer is not "
                                    "documented: it names no http or code");
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
