// Waivers: strict reading (file:line:col of every mistake), matching by rule, call and
// targets, expiry against --today, and the waiver.expired / waiver.unused notices.
#include <catch2/catch.hpp>

#include "engine/waivers.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

const std::string kFleet = "rules/tests/inventory";

std::string running_plan(const std::string& waivers = "") {
    std::string call = rebuild_call("hz", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-t-winrun\", \"ecd-t-winstop\"]",
                                           "\"ImageId\": \"m-t-win2022\""});
    if (!waivers.empty()) call.insert(call.rfind('}'), ",\n      \"waivers\": " + waivers + "\n    ");
    return plan_of({call});
}

std::optional<Err> file_error(const TempDir& dir, const std::string& text) {
    std::string path = dir.write("waivers.json", text);
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    return input_error([&] { load_waiver_file(sources, path, rules); });
}

size_t waived(const Report& r) { return r.waived_count(); }

const Finding* of(const Report& r, const std::string& rule) {
    for (const auto& f : r.findings)
        if (f.rule->id == rule) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("dates are real calendar days written YYYY-MM-DD", "[waivers]") {
    CHECK(valid_date("2026-06-01"));
    CHECK(valid_date("2024-02-29"));
    CHECK_FALSE(valid_date("2026-02-29"));
    CHECK_FALSE(valid_date("2026-13-01"));
    CHECK_FALSE(valid_date("2026-6-1"));
    CHECK_FALSE(valid_date("2026-06-01T00:00"));
    CHECK_FALSE(valid_date("tomorrow"));
    CHECK(valid_date(today_utc()));
}

TEST_CASE("a waiver file is read strictly, every mistake at its file:line:col", "[waivers]") {
    TempDir dir;
    const std::string text = "{\"waivers\": [\n  {\"rule\": \"ecd.rebuild.desktop-running\", \"reason\": \"r\", \"until\": \"2026-01-01\"}\n]}\n";
    auto e = file_error(dir, text);
    REQUIRE(e);
    CHECK(e->id == "waivers.unknown-key");
    CHECK(e->where() == lc(position_of(text, "\"2026-01-01\"")));
    CHECK(e->pointer == "/waivers/0/until");

    e = file_error(dir, "{\"waivers\": [{\"rule\": \"ecd.rebuild.no-such\", \"reason\": \"r\"}]}");
    REQUIRE(e);
    CHECK(e->id == "waivers.unknown-rule");
    CHECK(e->where() == "1:23");

    e = file_error(dir, "{\"waivers\": [{\"rule\": \"ecd.rebuild.desktop-running\", \"reason\": \"r\", \"expires\": \"2026-02-30\"}]}");
    REQUIRE(e);
    CHECK(e->id == "waivers.date");
    CHECK(e->pointer == "/waivers/0/expires");

    e = file_error(dir, "{\"waivers\": [{\"rule\": \"ecd.rebuild.desktop-running\"}]}");
    REQUIRE(e);
    CHECK(e->id == "waivers.shape");
    CHECK(e->message.find("reason") != std::string::npos);

    // A reason no one can read is no reason: blanks, NUL, zero-width and other invisible characters.
    // (U+3164, U+115F, U+1160, U+FFA0: Hangul fillers; U+180E, U+034F, U+061C, U+17B4, U+FE0F,
    // U+2800 blank braille, U+FFF9, U+E000 private use, U+E0041 a tag: each passed as a reason.)
    for (const char* reason : {" ", "\\u0000", "\\u200b", "\\t\\u00a0\\ufeff", "\\u2060\\u00ad", "\\u3000", "\\u3164", "\\u115f\\u1160",
                               "\\uffa0", "\\u180e", "\\u034f", "\\u061c", "\\u17b4", "\\ufe0f", "\\u2800", "\\ufff9", "\\ue000",
                               "\\udb40\\udc41"}) {
        CAPTURE(reason);
        e = file_error(dir, std::string("{\"waivers\": [{\"rule\": \"ecd.rebuild.desktop-running\", \"reason\": \"") + reason + "\"}]}");
        REQUIRE(e);
        CHECK(e->id == "waivers.shape");
        CHECK(e->message.find("\"reason\" must say why the finding is accepted; it is empty (or only spaces, control or invisible characters)") == 0);
        CHECK(e->pointer == "/waivers/0/reason");
    }
    for (const char* reason : {"ok", "\\u200bok", "\\u5df2\\u5ba1\\u6838", "\\u00e9"}) {  // text around or in other scripts is text
        CAPTURE(reason);
        CHECK_FALSE(file_error(dir, std::string("{\"waivers\": [{\"rule\": \"ecd.rebuild.desktop-running\", \"reason\": \"") + reason + "\"}]}"));
    }

    e = file_error(dir, "{\"waivers\": [{\"rule\": \"ecd.rebuild.desktop-running\", \"reason\": \"r\", \"targets\": []}]}");
    REQUIRE(e);
    CHECK(e->id == "waivers.shape");

    e = file_error(dir, "{\"waiver\": []}");
    REQUIRE(e);
    CHECK(e->id == "waivers.unknown-key");

    e = file_error(dir, "{\"waivers\": {}}");
    REQUIRE(e);
    CHECK(e->id == "waivers.shape");
    CHECK(e->where() == "1:13");

    // $schema and description are strings (schemas/waivers.schema.json).
    e = file_error(dir, "{\"$schema\": 5, \"waivers\": []}");
    REQUIRE(e);
    CHECK(e->id == "waivers.shape");
    CHECK(e->message == "\"$schema\" must be a string; found number");
    CHECK(e->where() == "1:13");
    e = file_error(dir, "{\"description\": null, \"waivers\": []}");
    REQUIRE(e);
    CHECK(e->id == "waivers.shape");
    CHECK(e->pointer == "/description");

    // A file that is only null (with a line end after it) is the shape error, not a syntax error.
    for (const char* text : {"null", "null\n", "null \n\n"}) {
        CAPTURE(text);
        e = file_error(dir, text);
        REQUIRE(e);
        CHECK(e->id == "waivers.shape");
        CHECK(e->message == "a waiver file is a JSON object {\"waivers\": [...]}; found null");
    }
    e = file_error(dir, "null x");
    REQUIRE(e);
    CHECK(e->id == "json.syntax");
    CHECK(e->where() == "1:6");
}

TEST_CASE("a waiver on a plan call is read strictly too, and may not name another call", "[waivers]") {
    TempDir dir;
    auto run = run_pipeline(dir, running_plan("[{\"rule\": \"ecd.rebuild.desktop-running\", \"call\": \"x\", \"reason\": \"r\"}]"),
                            {source_path(kFleet)});
    auto e = input_error([&] { plan_waivers(run->sources, run->plan, run->rules); });
    REQUIRE(e);
    CHECK(e->id == "waivers.unknown-key");
    CHECK(e->pointer == "/calls/0/waivers/0/call");
    CHECK(run->loc("\"x\"") == e->file + ":" + e->where());
}

TEST_CASE("a waived finding stays, marked, and no longer counts toward --fail-on", "[waivers]") {
    TempDir dir;
    auto run = run_pipeline(dir,
                            running_plan("[{\"rule\": \"ecd.rebuild.desktop-running\", \"targets\": [\"ecd-t-winrun\"], \"reason\": \"stopped first\"},"
                                         " {\"rule\": \"ecd.rebuild.desktop-connected\", \"reason\": \"told\", \"expires\": \"2026-06-01\"}]"),
                            {source_path(kFleet)});
    size_t before = run->report.findings.size();
    CHECK(exit_code(run->report, Severity::Warning) == 1);
    apply_waivers(run->report, plan_waivers(run->sources, run->plan, run->rules), "2026-06-01");
    CHECK(run->report.findings.size() == before);  // nothing added: both waivers used, none expired
    CHECK(waived(run->report) == 2);
    CHECK(run->report.count(Severity::Warning) == 0);
    CHECK(exit_code(run->report, Severity::Warning) == 0);
    const Finding* f = of(run->report, "ecd.rebuild.desktop-running");
    REQUIRE(f);
    REQUIRE(f->waiver);
    CHECK(f->waiver->reason == "stopped first");
    CHECK(f->waiver->in_plan);
    CHECK(format_location(f->waiver->location) == run->loc("{\"rule\": \"ecd.rebuild.desktop-running\""));
}

TEST_CASE("a waiver expiring today still applies: the day after it is reported and no longer applies", "[waivers]") {
    TempDir dir;
    auto run = run_pipeline(dir, running_plan("[{\"rule\": \"ecd.rebuild.desktop-running\", \"reason\": \"r\", \"expires\": \"2026-06-01\"}]"),
                            {source_path(kFleet)});
    Report next_day = run->report;
    apply_waivers(run->report, plan_waivers(run->sources, run->plan, run->rules), "2026-06-01");
    CHECK(waived(run->report) == 1);
    CHECK_FALSE(of(run->report, "waiver.expired"));

    apply_waivers(next_day, plan_waivers(run->sources, run->plan, run->rules), "2026-06-02");
    CHECK(waived(next_day) == 0);
    const Finding* expired = of(next_day, "waiver.expired");
    REQUIRE(expired);
    CHECK(expired->rule->severity == Severity::Warning);
    CHECK(expired->call_id == "hz");
    CHECK(expired->message.find("expired on 2026-06-01 (today is 2026-06-02)") != std::string::npos);
    CHECK(expired->message.find("1 finding it covered counts again") != std::string::npos);
    CHECK(format_location(expired->location) == run->loc("{\"rule\": \"ecd.rebuild.desktop-running\""));
}

TEST_CASE("waivers match by rule, call id and targets: one that matches nothing is reported", "[waivers]") {
    TempDir dir;
    auto run = run_pipeline(dir, running_plan(), {source_path(kFleet)});
    Location at{"w.json", {3, 5}};
    std::vector<Waiver> ws = {
        Waiver{"ecd.rebuild.desktop-running", std::nullopt, "other-call", {}, "wrong call", "", at, false},
        Waiver{"ecd.rebuild.desktop-running", std::nullopt, "", {"ecd-t-winstop"}, "wrong target", "", at, false},
        Waiver{"ecd.rebuild.desktop-connected", std::nullopt, "hz", {"ecd-t-winrun"}, "right", "", at, false},
    };
    apply_waivers(run->report, ws, "2026-06-01");
    CHECK_FALSE(of(run->report, "ecd.rebuild.desktop-running")->waived());
    CHECK(of(run->report, "ecd.rebuild.desktop-connected")->waived());
    size_t unused = 0;
    for (const auto& f : run->report.findings)
        if (f.rule->id == "waiver.unused") {
            ++unused;
            CHECK(f.call_index == run->report.calls.size());  // file waivers are plan-wide notices
            CHECK(f.location.file == "w.json");
        }
    CHECK(unused == 2);
}

TEST_CASE("a waiver's action pins the API of the call it covers: a script line's id is a position", "[waivers]") {
    // A waiver written for the ModifyDiskSpec on line 1 waived the ReleaseDedicatedHost that
    // an edit put there: call ids of a script are positions (line-1).
    TempDir dir;
    dir.write("plan.sh", "aliyun ecs ReleaseDedicatedHost --RegionId cn-hangzhou --DedicatedHostId dh-prod-db\n");
    const std::string fleet = shell_quote(source_path("samples/fleet"));
    auto with = [&](const std::string& action) {
        dir.write("w.json", "{\"waivers\": [{\"rule\": \"plan.unmodeled-call\", \"call\": \"line-1\", " + action +
                                "\"reason\": \"reviewed\"}]}\n");
        return run_opguard(dir.path().string(), "--no-config check plan.sh -i " + fleet + " --waivers w.json");
    };
    CliRun other = with("\"action\": \"ModifyDiskSpec\", ");
    CHECK(other.exit == 1);
    CHECK(other.out.find("error[plan.unmodeled-call] plan.sh:1:1\n") != std::string::npos);
    CHECK(other.out.find("waiver for plan.unmodeled-call on call line-1 (API ModifyDiskSpec) matches no finding of this run") !=
          std::string::npos);
    for (const char* same : {"ReleaseDedicatedHost", "ecs.ReleaseDedicatedHost"}) {
        CAPTURE(same);
        CliRun r = with("\"action\": \"" + std::string(same) + "\", ");
        CHECK(r.exit == 0);
        CHECK(r.out.find("0 errors, 0 warnings, 0 info, 1 waived") != std::string::npos);
    }
    CliRun unpinned = with("");
    CHECK(unpinned.exit == 0);  // without "action" the position alone matches, as before
    CliRun empty = with("\"action\": \"\", ");
    CHECK(empty.exit == 2);
    CHECK(empty.err.rfind("w.json:1:74: error[waivers.shape]: \"action\" must name the API of the call", 0) == 0);
}
