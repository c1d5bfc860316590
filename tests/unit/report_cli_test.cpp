// The command line of the CI-facing features: several reports in one run (each --output
// belongs to the --format before it), --waivers / --today / --explain, and the rule tooling
// (rules list --format json, rules explain, rules test). Runs OPGUARD_BINARY.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace opguard::test;
using nlohmann::json;

namespace {

using Ran = CliRun;

// (q: a shell word.)
std::string q(const std::string& s) { return shell_quote(s); }

const std::string kSource = OPGUARD_SOURCE_DIR;
const std::string kPlan = "tests/golden/waivers/plan.json";
const std::string kInventory = "--inventory tests/golden/waivers/inventory";

}  // namespace

TEST_CASE("several formats in one run: each --output belongs to the --format before it", "[cli][report]") {
    TempDir dir;
    Ran r = run_opguard(kSource, "check " + kPlan + " " + kInventory + " --format github --format sarif --output " + q(dir.file("a.sarif")) +
                                 " --format junit -o " + q(dir.file("a.xml")) + " --format=markdown --output=" + q(dir.file("a.md")));
    CHECK(r.exit == 1);
    CHECK(r.out.rfind("::", 0) == 0);  // github went to standard output
    CHECK(json::parse(slurp(dir.file("a.sarif")))["version"] == "2.1.0");
    CHECK(slurp(dir.file("a.xml")).rfind("<?xml", 0) == 0);
    CHECK(slurp(dir.file("a.md")).rfind("## opguard:", 0) == 0);
}

TEST_CASE("misplaced --output and two reports on standard output are usage errors", "[cli][report]") {
    TempDir dir;
    Ran r = run_opguard(kSource, "check " + kPlan + " " + kInventory + " --output x.json --format json");
    CHECK(r.exit == 2);
    CHECK(r.err.find("--output x.json comes before any --format") != std::string::npos);
    r = run_opguard(kSource, "check " + kPlan + " " + kInventory + " --format json --format text");
    CHECK(r.exit == 2);
    CHECK(r.err.find("more than one --format writes to standard output") != std::string::npos);
    r = run_opguard(kSource, "check " + kPlan + " " + kInventory + " --format json -o " + q(dir.file("a")) + " -o " + q(dir.file("b")));
    CHECK(r.exit == 2);
    CHECK(r.err.find("each --format takes at most one --output") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("a")));  // nothing written on a usage error
}

TEST_CASE("waivers and today on the command line: waived findings do not fail the run: bad dates are usage errors", "[cli][waivers]") {
    Ran strict = run_opguard(kSource, "check tests/golden/waivers-pass/plan.json " + kInventory + " --fail-on warning --today 2026-06-01");
    CHECK(strict.exit == 0);
    CHECK(strict.out.find("0 errors, 0 warnings, 0 info, 2 waived") != std::string::npos);
    Ran later = run_opguard(kSource, "check tests/golden/waivers-pass/plan.json " + kInventory + " --fail-on warning --today 2026-06-02");
    CHECK(later.exit == 1);  // the connected-user waiver expired on 2026-06-01
    CHECK(later.out.find("warning[waiver.expired] tests/golden/waivers-pass/plan.json:") != std::string::npos);
    Ran bad = run_opguard(kSource, "check " + kPlan + " " + kInventory + " --today 2026-02-30");
    CHECK(bad.exit == 2);
    CHECK(bad.err == "command line: error[usage]: --today takes a date written YYYY-MM-DD; found '2026-02-30'\n");
    Ran missing = run_opguard(kSource, "check " + kPlan + " " + kInventory + " --waivers no-such-waivers.json");
    CHECK(missing.exit == 2);
    CHECK(missing.err.rfind("no-such-waivers.json", 0) == 0);
}

TEST_CASE("rules list: aligned columns, or JSON", "[cli][rules]") {
    Ran text = run_opguard(kSource, "rules list");
    CHECK(text.exit == 0);
    std::istringstream lines(text.out);
    std::string header, row;
    std::getline(lines, header);
    CHECK(header.rfind("ID ", 0) == 0);
    size_t severity_col = header.find("SEVERITY");
    while (std::getline(lines, row)) {
        REQUIRE(row.size() > severity_col);
        CHECK(row[severity_col - 1] == ' ');
        CHECK(row[severity_col] != ' ');
    }
    Ran j = run_opguard(kSource, "rules list --format json");
    CHECK(j.exit == 0);
    json rules = json::parse(j.out)["rules"];
    REQUIRE(!rules.empty());
    bool found = false;
    for (const auto& r : rules)
        if (r["id"] == "ecd.rebuild.desktop-status") {
            found = true;
            CHECK(r["code"] == "IncorrectDesktopStatus");
            CHECK(r["refuses"] == "target");
            CHECK(r["defined_at"].get<std::string>().rfind("builtin/ecd_rebuild_desktops.rules:", 0) == 0);
        }
    CHECK(found);
}

TEST_CASE("rules explain: what, why, source, code, operation, and an example from the rule's test case", "[cli][rules]") {
    Ran r = run_opguard(kSource, "rules explain ecd.rebuild.desktop-status");
    CHECK(r.exit == 0);
    for (const char* part : {"ecd.rebuild.desktop-status: The desktop is in a status that cannot be rebuilt", "applies to: ecd.RebuildDesktops",
                             "when exists(desktop) and desktop.DesktopStatus not in [\"Running\", \"Stopped\"]", "error code IncorrectDesktopStatus",
                             "basis:  inferred", "source: RebuildDesktops API reference", "test case rules/tests/ecd.rebuild.desktop-status",
                             "error[ecd.rebuild.desktop-status] rules/tests/ecd.rebuild.desktop-status/plan.json:8:23 (ecd-t-starting)"})
        CHECK(r.out.find(part) != std::string::npos);
    Ran unknown = run_opguard(kSource, "rules explain desktop-stat");
    CHECK(unknown.exit == 2);
    CHECK(unknown.err.find("no rule 'desktop-stat'; did you mean: ") != std::string::npos);
    CHECK(unknown.err.find("ecd.rebuild.desktop-status") != std::string::npos);
    // A --tests folder that is not one is an error, as for `rules test DIR` (it was ignored, and
    // the output said to give --tests).
    for (const char* args : {"rules explain ecd.rebuild.desktop-status --tests /nonexistent-dir", "rules doc --tests /nonexistent-dir",
                             "rules doc --tests /dev/zero"}) {
        CAPTURE(args);
        Ran bad = run_opguard(kSource, args);
        CHECK(bad.exit == 2);
        CHECK(bad.out.empty());
        CHECK(bad.err.find("error[rules-test.no-directory]: no such directory of rule test cases (--tests)") != std::string::npos);
    }
    Ran given = run_opguard(kSource, "rules explain ecd.rebuild.desktop-status --tests rules/tests");
    CHECK(given.exit == 0);
    CHECK(given.out.find("test case rules/tests/ecd.rebuild.desktop-status") != std::string::npos);
}

TEST_CASE("rules test: a case that expected a finding and got none fails: a rule with no case fails", "[cli][rules]") {
    TempDir dir;
    dir.write("demo.rules",
              "rule demo.product {\n  title = \"t\";\n  severity = warning;\n  operations = [\"*\"];\n  when = request.product == \"demo\";\n"
              "  message = \"demo call\";\n  source = \"s\";\n  basis = documented;\n}\n"
              "rule demo.uncovered {\n  title = \"t\";\n  severity = info;\n  operations = [\"*\"];\n  when = false;\n"
              "  message = \"m\";\n  source = \"s\";\n  basis = documented;\n}\n");
    dir.write("cases/hit/plan.json", "{\"calls\": [{\"product\": \"demo\", \"action\": \"Go\"}]}\n");
    dir.write("cases/hit/expect.json", "{\"demo.product\": \"fires\"}\n");
    Ran covered = run_opguard(dir.path().string(), "--no-builtin-rules --rules demo.rules rules test cases --cover demo.rules");
    CHECK(covered.exit == 1);  // demo.uncovered has no case
    CHECK(covered.out.find("ok    hit (1 expectation)") != std::string::npos);
    CHECK(covered.out.find("uncovered (no case expects these to fire; the run fails):\n  demo.uncovered") != std::string::npos);

    dir.write("cases/miss/plan.json", "{\"calls\": [{\"product\": \"other\", \"action\": \"Go\"}]}\n");
    dir.write("cases/miss/expect.json", "{\n  \"demo.product\": \"fires\",\n  \"demo.uncovered\": \"not-applicable\"\n}\n");
    Ran missed = run_opguard(dir.path().string(), "--no-builtin-rules --rules demo.rules rules test cases");
    CHECK(missed.exit == 1);
    CHECK(missed.out.find("FAIL  miss\n      cases/miss/expect.json:2:19: demo.product: expected fires, got does-not-fire") != std::string::npos);
    CHECK(missed.out.find("demo.uncovered: expected not-applicable, got does-not-fire") != std::string::npos);
    CHECK(missed.out.find("1 passed, 1 failed") != std::string::npos);

    dir.write("cases/bad/plan.json", "{\"calls\": []}\n");
    dir.write("cases/bad/expect.json", "{\"demo.nope\": \"fires\"}\n");
    Ran bad = run_opguard(dir.path().string(), "--no-builtin-rules --rules demo.rules rules test cases");
    CHECK(bad.exit == 2);
    CHECK(bad.err.rfind("cases/bad/expect.json:1:15: error[rules-test.unknown-rule]", 0) == 0);
}

TEST_CASE("rules test: a case's plan.<ext> in another form, and {\"fires\": [places]} pins where", "[cli][rules]") {
    TempDir dir;
    dir.write("demo.rules",
              "rule demo.dry {\n  title = \"t\";\n  severity = info;\n  operations = [\"*\"];\n  when = request.adapter.dry_run == true;\n"
              "  at = request.adapter.dry_run_flag;\n  message = \"dry\";\n  source = \"s\";\n  basis = documented;\n}\n");
    const std::string script = "#!/bin/sh\n"
                               "aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a --force --dryrun\n"
                               "aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-b --force\n";
    const std::string dry = lc(position_of(script, "--dryrun"));
    dir.write("cases/dry/plan.sh", script);
    const std::string run = "--no-builtin-rules --rules demo.rules rules test cases";

    dir.write("cases/dry/expect.json", "{\"demo.dry\": {\"fires\": [\"plan.sh:" + dry + "\"]}}\n");
    Ran hit = run_opguard(dir.path().string(), run);
    CHECK(dry == "2:78");
    CHECK(hit.exit == 0);
    CHECK(hit.out.find("ok    dry (1 expectation)\n") != std::string::npos);
    CHECK(hit.out.find("coverage: 1 of 1 rules fire in a case that expects it\n1 passed, 0 failed\n") != std::string::npos);

    // Another place, or the right place counted twice, fails the case and the coverage.
    dir.write("cases/dry/expect.json", "{\"demo.dry\": {\"fires\": [\"plan.sh:3:1\"]}}\n");
    Ran elsewhere = run_opguard(dir.path().string(), run);
    CHECK(elsewhere.exit == 1);
    CHECK(elsewhere.out.find("FAIL  dry\n      cases/dry/expect.json:1:14: demo.dry: expected it to fire at plan.sh:3:1; it fired at plan.sh:" + dry +
                             "\n      found: info[demo.dry] cases/dry/plan.sh:" + dry + "\n") != std::string::npos);
    CHECK(elsewhere.out.find("uncovered (no case expects these to fire; the run fails):\n  demo.dry") != std::string::npos);
    dir.write("cases/dry/expect.json", "{\"demo.dry\": {\"fires\": [\"plan.sh:" + dry + "\", \"plan.sh:" + dry + "\"]}}\n");
    Ran twice = run_opguard(dir.path().string(), run);
    CHECK(twice.exit == 1);
    CHECK(twice.out.find("demo.dry: expected it to fire at plan.sh:" + dry + ", plan.sh:" + dry + "; it fired at plan.sh:" + dry + "\n") !=
          std::string::npos);

    // An empty list of places, and a case with two plan files, are input errors.
    dir.write("cases/dry/expect.json", "{\"demo.dry\": {\"fires\": []}}\n");
    Ran empty = run_opguard(dir.path().string(), run);
    CHECK(empty.exit == 2);
    CHECK(empty.err.rfind("cases/dry/expect.json:1:24: error[rules-test.expect]: \"fires\" takes a non-empty list of \"FILE:LINE:COL\" places; found []", 0) == 0);
    dir.write("cases/dry/expect.json", "{\"demo.dry\": \"fires\"}\n");
    dir.write("cases/dry/plan.yml", "FormatVersion: OOS-2019-06-01\nTasks: []\n");
    Ran two = run_opguard(dir.path().string(), run);
    CHECK(two.exit == 2);
    CHECK(two.err.find("error[rules-test.no-plan]: a rule test case has one plan file; found plan.sh, plan.yml") != std::string::npos);
}

TEST_CASE("SARIF columns are UTF-16 code units: the other formats count bytes", "[cli][report][sarif]") {
    TempDir dir;
    // "设计" is 6 bytes of UTF-8 and 2 UTF-16 code units, before the offending value on its line.
    const std::string plan = "{\"calls\": [\n  {\"id\": \"\xE8\xAE\xBE\xE8\xAE\xA1\", \"product\": \"ecd\", \"version\": \"2020-09-30\", "
                             "\"action\": \"RebuildDesktops\", \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-t-winstop\"], "
                             "\"ImageId\": \"m-nope\"}}\n]}\n";
    dir.write("plan.json", plan);
    const opguard::Position bytes = position_of(plan, "\"m-nope\"");
    const std::string inv = " -i " + q(kSource + "/rules/tests/inventory");
    Ran text = run_opguard(dir.path().string(), "check plan.json" + inv);
    CHECK(text.out.find("error[ecd.rebuild.unknown-image] plan.json:" + lc(bytes)) != std::string::npos);
    Ran sarif = run_opguard(dir.path().string(), "check plan.json --format sarif" + inv);
    bool found = false;
    const json log = json::parse(sarif.out);  // keep the document alive while ranging over a part of it
    for (const auto& r : log["runs"][0]["results"])
        if (r["ruleId"] == "ecd.rebuild.unknown-image") {
            found = true;
            CHECK(r["locations"][0]["physicalLocation"]["region"]["startColumn"] == bytes.column - 4);
        }
    CHECK(found);
}
