// The renderers: one factory keyed by name; SARIF, JUnit, GitHub and Markdown carry every
// finding at its file:line:col, its evidence and its waiver, and escape what they must.
// Whole-output checks are the golden cases (tests/golden/); these pin the contracts.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>

#include "engine/waivers.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;
using nlohmann::json;

namespace {

const std::string kFleet = "rules/tests/inventory";

// A running, connected desktop (2 warnings) and a starting one (1 refusal, error).
std::string mixed_plan() {
    return plan_of({rebuild_call("hz", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-t-winrun\", \"ecd-t-starting\"]",
                                        "\"ImageId\": \"m-t-win2022\""})});
}

const Finding& first(const Report& r, const std::string& rule) {
    for (const auto& f : r.findings)
        if (f.rule->id == rule) return f;
    FAIL("no finding of " << rule);
    throw 0;
}

// A report made by hand, for escaping: one finding whose message and target hold every
// character a format must escape.
struct HandReport {
    Rule rule;
    Report report;
    HandReport(const std::string& message, const std::string& target, const std::string& file) {
        rule.id = "test.rule";
        rule.title = "A test rule";
        rule.severity = Severity::Error;
        rule.source = "test";
        CallOutcome c;
        c.id = "c1";
        c.known = true;
        c.accepted = true;
        c.http = 200;
        c.operation = "test.Op";
        c.location = {file, {1, 1}};
        c.targets.push_back(TargetOutcome{target, {file, {2, 3}}, "refused", "undocumented", "", true});
        report.plan_file = file;
        report.calls.push_back(c);
        Finding f;
        f.rule = &rule;
        f.call_index = 0;
        f.call_id = "c1";
        f.target = target;
        f.message = message;
        f.location = {file, {2, 3}};
        report.findings.push_back(f);
        report.rules.push_back(&rule);
    }
};

}  // namespace

TEST_CASE("one factory keyed by format name", "[report]") {
    CHECK(format_names() == std::vector<std::string>{"text", "json", "sarif", "junit", "github", "markdown", "gitlab"});
    for (const auto& name : format_names()) CHECK(renderer(name) != nullptr);
    CHECK(renderer("yaml") == nullptr);
    Report empty;
    CHECK_THROWS_AS(render(empty, "yaml", {}), std::invalid_argument);
    for (const auto& name : format_names()) CHECK_NOTHROW(render(empty, name, {}));
}

TEST_CASE("SARIF: rules with help and source, results at the plan value, evidence, suppressions", "[report][sarif]") {
    TempDir dir;
    auto run = run_pipeline(dir, mixed_plan(), {source_path(kFleet)});
    apply_waivers(run->report, {Waiver{"ecd.rebuild.desktop-running", 0, "hz", {}, "stopped first", "", {run->plan_path, {3, 5}}, true}},
                  "2026-06-01");
    json s = json::parse(render_sarif(run->report, RenderOptions{"9.9.9", Severity::Error}));
    CHECK(s["version"] == "2.1.0");
    REQUIRE(s["runs"].size() == 1);
    const json& run0 = s["runs"][0];
    const json& rules = run0["tool"]["driver"]["rules"];
    CHECK(run0["tool"]["driver"]["version"] == "9.9.9");
    // Only the rules a result references, each once, in rule-set order.
    std::set<std::string> referenced;
    for (const auto& f : run->report.findings) referenced.insert(f.rule->id);
    CHECK(referenced.size() < run->report.rules.size());
    std::vector<std::string> want;
    for (const Rule* r : run->report.rules)
        if (referenced.count(r->id)) want.push_back(r->id);
    std::vector<std::string> listed;
    for (const auto& r : rules) listed.push_back(r["id"].get<std::string>());
    CHECK(listed == want);
    for (const auto& r : rules) {
        CHECK(!r["id"].get<std::string>().empty());
        CHECK(r["shortDescription"]["text"].is_string());
        CHECK(r["fullDescription"]["text"].is_string());
        CHECK(r["help"]["text"].get<std::string>().find("Source: ") != std::string::npos);
        CHECK(r["properties"]["source"].is_string());
    }
    const json& results = run0["results"];
    REQUIRE(results.size() == run->report.findings.size());
    for (size_t i = 0; i < results.size(); ++i) {
        const Finding& f = run->report.findings[i];
        const json& res = results[i];
        CHECK(res["ruleId"] == f.rule->id);
        CHECK(rules[res["ruleIndex"].get<size_t>()]["id"] == f.rule->id);
        const json& region = res["locations"][0]["physicalLocation"]["region"];
        CHECK(region["startLine"] == f.location.pos.line);
        CHECK(region["startColumn"] == f.location.pos.column);
        CHECK(res["relatedLocations"].size() == f.evidence.size());
        CHECK(res.contains("suppressions") == f.waived());
    }
    const Finding& status = first(run->report, "ecd.rebuild.desktop-status");
    CHECK(run->loc("\"ecd-t-starting\"") == format_location(status.location));
    json running;
    for (const auto& res : results)
        if (res["ruleId"] == "ecd.rebuild.desktop-running") running = res;
    CHECK(running["suppressions"][0]["kind"] == "inSource");
    CHECK(running["suppressions"][0]["status"] == "accepted");
    CHECK(running["suppressions"][0]["justification"] == "stopped first");
    CHECK(running["level"] == "warning");
    CHECK(running["relatedLocations"][0]["properties"]["jsonPointer"] == "/Desktops/1");
    CHECK(run0["invocations"][0]["exitCode"] == 1);
}

TEST_CASE("SARIF: file URIs are percent-encoded, absolute paths become file:// URIs", "[report][sarif]") {
    HandReport h("m", "t", "/tmp/my plans/a#b.json");
    json s = json::parse(render_sarif(h.report, {}));
    CHECK(s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///tmp/my%20plans/a%23b.json");
    HandReport rel("m", "t", "plans/a b.json");
    s = json::parse(render_sarif(rel.report, {}));
    CHECK(s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "plans/a%20b.json");
}

TEST_CASE("GitHub workflow commands: one per finding, with the runner's escaping", "[report][github]") {
    HandReport h("50% done\r\nnext: a, b", "id:1,2%", "dir,x/plan:1.json");
    std::string out = render_github(h.report, {});
    std::string first_line = out.substr(0, out.find('\n'));
    CHECK(first_line.rfind("::error file=dir%2Cx/plan%3A1.json,line=2,col=3,title=error test.rule (id%3A1%2C2%25)::50%25 done%0D%0Anext: a, b%0A(", 0) == 0);
    // Nothing a value holds can start another command: every line but the summary starts with ::error.
    size_t commands = 0;
    for (size_t at = 0; (at = out.find("\n::", at)) != std::string::npos; ++at) ++commands;
    CHECK(commands == 0);  // the only command is the first line
}

TEST_CASE("GitHub: severity maps to error / warning / notice, waived findings are notices", "[report][github]") {
    TempDir dir;
    auto run = run_pipeline(dir, mixed_plan(), {source_path(kFleet)});
    apply_waivers(run->report, {Waiver{"ecd.rebuild.desktop-connected", std::nullopt, "", {}, "told", "", {"w.json", {2, 5}}, false}},
                  "2026-06-01");
    std::string out = render_github(run->report, {});
    CHECK(out.find("::error file=" + run->plan_path + ",line=") != std::string::npos);
    CHECK(out.find("::warning file=" + run->plan_path) != std::string::npos);
    CHECK(out.find("::notice file=" + run->plan_path) != std::string::npos);
    CHECK(out.find("title=waived warning ecd.rebuild.desktop-connected") != std::string::npos);
    CHECK(out.find("waived: told (waiver at w.json:2:5)") != std::string::npos);
}

TEST_CASE("JUnit: one test case per call target: failures follow --fail-on: waived findings never fail", "[report][junit]") {
    TempDir dir;
    auto run = run_pipeline(dir, mixed_plan(), {source_path(kFleet)});
    auto count = [](const std::string& s, const std::string& what) {
        size_t n = 0;
        for (size_t at = 0; (at = s.find(what, at)) != std::string::npos; ++at) ++n;
        return n;
    };
    std::string at_error = render_junit(run->report, RenderOptions{"", Severity::Error});
    CHECK(count(at_error, "<testcase ") == 2);
    CHECK(count(at_error, "<failure ") == 1);  // ecd-t-starting: desktop-status
    CHECK(at_error.find("tests=\"2\" failures=\"1\"") != std::string::npos);
    std::string at_warning = render_junit(run->report, RenderOptions{"", Severity::Warning});
    CHECK(count(at_warning, "<failure ") == 2);  // ecd-t-winrun's warnings now fail too
    apply_waivers(run->report,
                  {Waiver{"ecd.rebuild.desktop-running", 0, "hz", {}, "ok", "", {run->plan_path, {1, 1}}, true},
                   Waiver{"ecd.rebuild.desktop-connected", 0, "hz", {}, "ok", "", {run->plan_path, {1, 1}}, true}},
                  "2026-06-01");
    CHECK(count(render_junit(run->report, RenderOptions{"", Severity::Warning}), "<failure ") == 1);
}

TEST_CASE("JUnit: text that XML cannot carry is escaped", "[report][junit]") {
    HandReport h("a < b & \"c\" \x01 end", "t<1>&\"", "p.json");
    std::string out = render_junit(h.report, {});
    CHECK(out.find("name=\"t&lt;1&gt;&amp;&quot;\"") != std::string::npos);
    CHECK(out.find("message=\"a &lt; b &amp; &quot;c&quot; \xEF\xBF\xBD end\"") != std::string::npos);
    CHECK(out.find('\x01') == std::string::npos);
}

TEST_CASE("Markdown: summary first, refused targets with reasons, data loss with sizes, warnings", "[report][markdown]") {
    TempDir dir;
    auto run = run_pipeline(dir, mixed_plan(), {source_path(kFleet)});
    std::string md = render_markdown(run->report, RenderOptions{"1", Severity::Error});
    size_t summary = md.find("## opguard: 0 calls refused, 1 target refused, 1 error, 2 warnings");
    size_t refused = md.find("### Refused calls and targets");
    size_t lost = md.find("### Data that will be lost");
    size_t warnings = md.find("### Warnings");
    CHECK(summary == 0);
    CHECK(refused != std::string::npos);
    CHECK(lost > refused);
    CHECK(warnings > lost);
    CHECK(md.find("| `hz` | `ecd-t-starting` | `IncorrectDesktopStatus`") != std::string::npos);
    CHECK(md.find("| disk `d-t-wr-sys` | erased | 80 GiB | `ecd-t-winrun` | `hz` |") != std::string::npos);
    CHECK(md.find("1 disk erased (80 GiB).") != std::string::npos);
}

TEST_CASE("Markdown: a value cannot break a table or inject markup", "[report][markdown]") {
    HandReport h("x | y *z* <b> [l](u)", "a|b`c", "p.json");
    std::string md = render_markdown(h.report, {});
    CHECK(md.find("x \\| y \\*z\\* \\<b\\> \\[l\\](u)") != std::string::npos);
    CHECK(md.find("`` a\\|b`c ``") != std::string::npos);
}

TEST_CASE("text and JSON cite the inventory facts a finding rests on", "[report]") {
    TempDir dir;
    auto run = run_pipeline(dir, mixed_plan(), {source_path(kFleet)});
    std::string text = render_text(run->report, {});
    std::string cite = source_path(kFleet) + "/describe_desktops.json#/Desktops/4";
    CHECK(text.find("evidence: desktop ecd-t-starting (" + cite + ")") != std::string::npos);
    json j = json::parse(render_json(run->report, {}));
    bool found = false;
    for (const auto& f : j["findings"])
        if (f["rule"] == "ecd.rebuild.desktop-status") {
            found = true;
            CHECK(f["evidence"][0]["pointer"] == "/Desktops/4");
            CHECK(f["waiver"].is_null());
        }
    CHECK(found);
    CHECK(j["summary"]["waived"] == 0);
}
