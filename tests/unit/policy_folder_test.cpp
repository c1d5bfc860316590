// A policy author's workflow (docs/policies.md): `rules test --rules DIR` runs DIR/tests and
// requires a firing case for DIR's own rules only; rules read the check's date as `today`
// (`check --today`, a case's "options": {"today": ...}); a finding of a plan-scope rule that
// loops over a list written in the rule file is located at the plan, not in the rule file.
// Runs OPGUARD_BINARY.
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

const char* kRule = R"(rule org.%ID% {
  title = "t";
  severity = error;
  scope = plan;
  when = %WHEN%;
  message = "%MESSAGE%";
  source = "s";
  basis = documented;
}
)";

std::string rule(const std::string& id, const std::string& when, const std::string& message = "m") {
    std::string s = kRule;
    s.replace(s.find("%ID%"), 4, id);
    s.replace(s.find("%WHEN%"), 6, when);
    s.replace(s.find("%MESSAGE%"), 9, message);
    return s;
}

const char* kPlan = "{\"calls\": [\n  {\"id\": \"c1\", \"product\": \"demo\", \"action\": \"Go\"}\n]}\n";
const char* kInventory = "{\"Desktops\": []}\n";

}  // namespace

TEST_CASE("rules test --rules DIR: DIR/tests by default, and only DIR's rules need a case", "[cli][rules][policies]") {
    TempDir dir;
    dir.write("policy/a.rules", rule("covered", "count(calls) > 0"));
    dir.write("policy/b.rules", "# second file\n" + rule("uncovered", "false"));
    dir.write("policy/tests/hit/plan.json", kPlan);
    dir.write("policy/tests/hit/expect.json", "{\"org.covered\": \"fires\", \"org.uncovered\": \"does-not-fire\"}\n");

    CliRun r = run_opguard(dir.path().string(), "rules test --rules policy");
    CHECK(r.exit == 1);  // org.uncovered has no case in which it fires
    CHECK(r.err.empty());
    CHECK(r.out.rfind("opguard rules test: 1 case in policy/tests\nok    hit (2 expectations)\n", 0) == 0);
    CHECK(r.out.find("coverage: 1 of 2 rules of policy fire in a case that expects it (") != std::string::npos);
    // By id, with where it is defined (the rule's name: line 2, column 6, of b.rules).
    CHECK(r.out.find("uncovered (no case expects these to fire; the run fails):\n  org.uncovered  policy/b.rules:2:6\n") != std::string::npos);
    CHECK(r.out.find("org.covered  ") == std::string::npos);
    // The built-in rules are rules/tests' business: not required, not listed.
    CHECK(r.out.find("ecd.rebuild.desktop-status") == std::string::npos);
    CHECK(r.out.find("outside --cover") == std::string::npos);
    CHECK(r.out.find("0 passed") == std::string::npos);
    CHECK(r.out.find("1 passed, 0 failed") != std::string::npos);

    // A trailing slash and an explicit case folder say the same.
    CliRun slash = run_opguard(dir.path().string(), "rules test policy/tests --rules policy/");
    CHECK(slash.exit == 1);
    CHECK(slash.out.find("uncovered (no case expects these to fire; the run fails):\n  org.uncovered  policy/b.rules:2:6\n") != std::string::npos);

    // With a case for it, the folder passes.
    dir.write("policy/tests/never/plan.json", "{\"calls\": []}\n");
    dir.write("policy/tests/never/expect.json", "{\"org.uncovered\": \"fires\"}\n");
    dir.write("policy/b.rules", "# second file\n" + rule("uncovered", "count(calls) == 0"));
    CliRun ok = run_opguard(dir.path().string(), "rules test --rules policy");
    CHECK(ok.exit == 0);
    CHECK(ok.out.find("coverage: 2 of 2 rules of policy fire in a case that expects it") != std::string::npos);
    CHECK(ok.out.find("2 passed, 0 failed") != std::string::npos);

    // --cover keeps its meaning: only that file's rules are required, the others listed.
    fs::remove_all(dir.file("policy/tests/never"));
    dir.write("policy/b.rules", "# second file\n" + rule("uncovered", "false"));
    CliRun cover = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules policy --cover a.rules");
    CHECK(cover.exit == 0);
    CHECK(cover.out.find("uncovered, outside --cover (reported only):\n  org.uncovered  policy/b.rules:2:6\n") != std::string::npos);

    // A policy folder without tests/ beside it: a usage error naming the folder looked for.
    dir.write("bare/a.rules", rule("bare", "true"));
    CliRun bare = run_opguard(dir.path().string(), "rules test --rules bare");
    CHECK(bare.exit == 2);
    CHECK(bare.err.rfind("bare/tests: error[rules-test.no-directory]", 0) == 0);
}

TEST_CASE("rules read the check's date as `today`: --today, a case's options, else today in UTC", "[cli][policies][today]") {
    TempDir dir;
    dir.write("policy/freeze.rules", rule("freeze", "today >= \"2026-12-20\" and today <= \"2027-01-04\"", "today is {today}"));
    dir.write("plan.json", kPlan);
    dir.write("inv/desktops.json", kInventory);
    CliRun in = run_opguard(dir.path().string(), "check plan.json --inventory inv --rules policy --today 2026-12-24");
    CHECK(in.exit == 1);
    CHECK(in.out.find("error[org.freeze] plan.json:2:3\n      today is 2026-12-24\n") != std::string::npos);
    CliRun out = run_opguard(dir.path().string(), "check plan.json --inventory inv --rules policy --today 2027-01-05");
    CHECK(out.out.find("org.freeze") == std::string::npos);
    // Without --today: the current date in UTC (the rule prints it).
    dir.write("policy/freeze.rules", rule("freeze", "true", "today is {today}"));
    CliRun now = run_opguard(dir.path().string(), "check plan.json --inventory inv --rules policy");
    CHECK(now.out.find("today is " + today_utc()) != std::string::npos);

    // A rule test case sets the date in expect.json.
    dir.write("policy/freeze.rules", rule("freeze", "today == \"2026-12-24\""));
    dir.write("policy/tests/eve/plan.json", kPlan);
    dir.write("policy/tests/eve/expect.json", "{\n  \"options\": {\"today\": \"2026-12-24\"},\n  \"org.freeze\": \"fires\"\n}\n");
    dir.write("policy/tests/after/plan.json", kPlan);
    dir.write("policy/tests/after/expect.json", "{\n  \"options\": {\"today\": \"2026-12-25\"},\n  \"org.freeze\": \"does-not-fire\"\n}\n");
    CliRun cases = run_opguard(dir.path().string(), "rules test --rules policy");
    CHECK(cases.exit == 0);
    CHECK(cases.out.find("ok    after (1 expectation)\nok    eve (1 expectation)\n") != std::string::npos);

    // A bad date or an unknown option: one located error, exit 2.
    dir.write("policy/tests/eve/expect.json", "{\n  \"options\": {\"today\": \"24.12.2026\"},\n  \"org.freeze\": \"fires\"\n}\n");
    CliRun bad = run_opguard(dir.path().string(), "rules test --rules policy");
    CHECK(bad.exit == 2);
    CHECK(bad.err.rfind("policy/tests/eve/expect.json:2:24: error[rules-test.expect]: \"today\" is a date written YYYY-MM-DD; found \"24.12.2026\"", 0) == 0);
    dir.write("policy/tests/eve/expect.json", "{\n  \"options\": {\"now\": \"2026-12-24T10:00Z\"},\n  \"org.freeze\": \"fires\"\n}\n");
    CliRun unknown = run_opguard(dir.path().string(), "rules test --rules policy");
    CHECK(unknown.exit == 2);
    CHECK(unknown.err.rfind("policy/tests/eve/expect.json:2:22: error[rules-test.expect]: unknown option 'now'", 0) == 0);
}

TEST_CASE("a finding of a rule looping over a list written in the rule file is located at the plan", "[cli][policies]") {
    TempDir dir;
    dir.write("policy/windows.rules", R"(rule org.window {
  title = "t";
  severity = error;
  scope = plan;
  for w in [{name: "a", from: "2026-01-01"}, {name: "b", from: "2026-02-01"}];
  when = w.name == "b";
  message = "window {w.name}";
  source = "s";
  basis = documented;
}
set windows_set {
  title = "t";
  source = "s";
  documented = ["x", "y"];
}
rule org.set-loop {
  title = "t";
  severity = info;
  scope = plan;
  for w in windows_set;
  when = w == "y";
  message = "set value {w}";
  source = "s";
  basis = documented;
}
rule org.at-literal {
  title = "t";
  severity = warning;
  operations = ["*"];
  when = true;
  at = "a literal";
  message = "at a literal";
  source = "s";
  basis = documented;
}
)");
    dir.write("plan.json", kPlan);
    dir.write("inv/desktops.json", kInventory);
    CliRun r = run_opguard(dir.path().string(), "check plan.json --inventory inv --rules policy");
    CHECK(r.out.find("error[org.window] plan.json:2:3\n      window b\n") != std::string::npos);
    CHECK(r.out.find("info[org.set-loop] plan.json:2:3\n      set value y\n") != std::string::npos);
    CHECK(r.out.find("warning[org.at-literal] plan.json:2:3\n") != std::string::npos);
    CHECK(r.out.find("windows.rules:") == std::string::npos);
}

TEST_CASE("rules test: a case with a plan and no expect.json, or two plans, is an error, and --cover takes a path and refuses a name no rule file has",
          "[cli][rules][policies]") {
    // A case whose expect.json was misspelled was skipped ("1 passed, 0 failed"); --cover
    // policy/b.rules (a path) or a file that does not exist required nothing and passed.
    TempDir dir;
    dir.write("policy/a.rules", rule("covered", "count(calls) > 0"));
    dir.write("policy/b.rules", "# second file\n" + rule("uncovered", "false"));
    dir.write("policy/tests/hit/plan.json", kPlan);
    dir.write("policy/tests/hit/expect.json", "{\"org.covered\": \"fires\"}\n");
    dir.write("policy/tests/typo/plan.json", kPlan);
    dir.write("policy/tests/typo/expected.json", "{\"org.covered\": \"does-not-fire\"}\n");
    CliRun typo = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules policy --cover a.rules");
    CHECK(typo.exit == 2);
    CHECK(typo.err == "policy/tests/typo: error[rules-test.no-expect]: a rule test case needs an expect.json beside its plan (the rule ids and "
                      "what each should do); none here\n");
    fs::remove_all(dir.file("policy/tests/typo"));

    dir.write("policy/tests/two/plan.json", kPlan);
    dir.write("policy/tests/two/plan.sh", "aliyun ecs DescribeRegions\n");
    dir.write("policy/tests/two/expect.json", "{\"org.covered\": \"fires\"}\n");
    CliRun two = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules policy --cover a.rules");
    CHECK(two.exit == 2);
    CHECK(two.err == "policy/tests/two: error[rules-test.no-plan]: a rule test case has one plan file; found plan.json, plan.sh\n");
    fs::remove_all(dir.file("policy/tests/two"));

    // A path names the file: b.rules' rule has no firing case, so the run fails.
    CliRun path = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules policy --cover policy/b.rules");
    CHECK(path.exit == 1);
    CHECK(path.out.find("uncovered (no case expects these to fire; the run fails):\n  org.uncovered  policy/b.rules:2:6\n") != std::string::npos);
    CliRun dotted = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules policy --cover ./policy/a.rules");
    CHECK(dotted.exit == 0);
    for (const char* missing : {"policy/c.rules", "nothing.rules"}) {
        CAPTURE(missing);
        CliRun none = run_opguard(dir.path().string(), std::string("--no-builtin-rules rules test --rules policy --cover ") + missing);
        CHECK(none.exit == 2);
        CHECK(none.err.rfind(std::string("command line: error[usage]: --cover ") + missing + " names no rule file this run loaded (policy/a.rules, policy/b.rules)", 0) == 0);
    }
}

TEST_CASE("rules test and rules doc: a looping link or a case inventory that is a file is an input error and never an internal one",
          "[cli][rules][policies]") {
    // A link that loops anywhere in a folder of cases stopped every rule tool with "internal
    // error" (exit 3); a case's inventory that was a file was not read and the case ran
    // without an inventory.
    TempDir dir;
    dir.write("policy/a.rules", rule("covered", "count(calls) > 0"));
    dir.write("policy/tests/hit/plan.json", kPlan);
    dir.write("policy/tests/hit/expect.json", "{\"org.covered\": \"fires\"}\n");
    auto loop = [&](const std::string& rel) { fs::create_symlink(fs::path(rel).filename(), dir.file(rel)); };
    struct Case { std::string link, shown; };
    const std::vector<Case> cases = {
        {"policy/tests/hit/expect.json", "policy/tests/hit/expect.json: error[input.unreadable]: cannot read file: Too many levels of symbolic links\n"},
        {"policy/tests/hit/plan.json", "policy/tests/hit/plan.json: error[input.unreadable]: cannot read file: Too many levels of symbolic links\n"},
        {"policy/tests/other", "policy/tests/other: error[input.unreadable]: cannot read: Too many levels of symbolic links\n"},
        {"policy/tests/hit/inventory", "policy/tests/hit/inventory: error[input.unreadable]: cannot read file: Too many levels of symbolic links\n"},
        {"policy/tests/inventory", "policy/tests/inventory: error[input.unreadable]: cannot read: Too many levels of symbolic links\n"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.link);
        const std::string kept = fs::exists(dir.file(c.link)) ? slurp(dir.file(c.link)) : "";
        fs::remove(dir.file(c.link));
        loop(c.link);
        CliRun t = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules policy");
        CHECK(t.exit == 2);
        CHECK(t.err.find(c.shown) != std::string::npos);
        CHECK(t.err.find("internal error") == std::string::npos);
        CliRun d = run_opguard(dir.path().string(), "--no-builtin-rules rules doc --rules policy --tests policy/tests");
        CHECK(d.exit != 3);
        CHECK(d.err.find("internal error") == std::string::npos);
        fs::remove(dir.file(c.link));
        if (!kept.empty()) dir.write(c.link, kept);
    }
    // A folder with a case's inventory/ but no plan is a case missing its plan (it was skipped).
    dir.write("policy/tests/half/inventory/d.json", "{\"Desktops\": []}\n");
    CliRun half = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules policy");
    CHECK(half.exit == 2);
    CHECK(half.err == "policy/tests/half: error[rules-test.no-plan]: a rule test case needs a plan.json (or plan.<ext> in another plan form)\n");
    fs::remove_all(dir.file("policy/tests/half"));
    // A case inventory that is a file is read as check -i reads it: here, not a saved response.
    dir.write("policy/tests/hit/inventory", "{}\n");
    CliRun f = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules policy");
    CHECK(f.exit == 2);
    CHECK(f.err.rfind("policy/tests/hit/inventory:1:1: error[inventory.unknown-shape]: not a saved API response opguard knows", 0) == 0);
}

TEST_CASE("rules test and rules explain and rules doc show a folder name's newline and escape visible", "[cli][rules][policies]") {
    // A policy folder or case folder named "c1\n::error::x\e[2J" printed a raw newline (a line
    // of its own, a workflow command in a CI log) and a raw escape.
    TempDir dir;
    const std::string pol = "pol\n::error::y\x1b[2J", c = "c1\n::error::x\x1b[2J";
    dir.write(pol + "/a.rules", rule("covered", "count(calls) > 0"));
    dir.write(pol + "/tests/" + c + "/plan.json", kPlan);
    dir.write(pol + "/tests/" + c + "/expect.json", "{\"org.covered\": \"fires\"}\n");
    const std::string shown_pol = "pol\\u000a::error::y\\u001b[2J", shown_c = "c1\\u000a::error::x\\u001b[2J";
    for (const std::string cmd : {"rules test --rules " + shell_quote(pol), "rules explain org.covered --rules " + shell_quote(pol),
                                  "rules doc --rules " + shell_quote(pol)}) {
        CAPTURE(cmd);
        CliRun r = run_opguard(dir.path().string(), "--no-builtin-rules " + cmd);
        CHECK(r.exit == 0);
        CHECK(r.out.find('\x1b') == std::string::npos);
        CHECK(r.out.find("\n::") == std::string::npos);
        if (cmd.rfind("rules test", 0) != 0) CHECK(r.out.find(shown_pol + "/tests/" + shown_c) != std::string::npos);
    }
    CliRun t = run_opguard(dir.path().string(), "--no-builtin-rules rules test --rules " + shell_quote(pol));
    CHECK(t.out.find("1 case in " + shown_pol + "/tests\n") != std::string::npos);
    CHECK(t.out.find("ok    " + shown_c + " (1 expectation)\n") != std::string::npos);
}

TEST_CASE("rules list, explain and doc show a rule file's control characters escaped, never raw", "[cli][rules][policies]") {
    // An escape sequence in a rule's title or source reached the terminal (one set its title).
    TempDir dir;
    std::string r = rule("esc", "true", "m");
    r.replace(r.find("title = \"t\""), 11, "title = \"T\x1b[31mRED\x1b[0m\"");
    r.replace(r.find("source = \"s\""), 12, "source = \"s\x1b]0;pwned\x07\"");
    dir.write("policy/e.rules", r);
    for (const char* cmd : {"rules list", "rules explain org.esc", "rules doc"}) {
        CAPTURE(cmd);
        CliRun c = run_opguard(dir.path().string(), std::string("--no-builtin-rules --rules policy ") + cmd);
        CHECK(c.exit == 0);
        CHECK(c.out.find('\x1b') == std::string::npos);
        CHECK(c.out.find('\x07') == std::string::npos);
        CHECK(c.out.find("\\u001b") != std::string::npos);
    }
    // A newline written in a rule's source or note: rules explain printed it raw, so the text
    // after it started a line of its own.
    std::string n = rule("nl", "true", "m");
    n.replace(n.find("source = \"s\""), 12, "source = \"s\\n::error::x\"");  // the escape \\n in the rule file
    dir.write("policy/n.rules", n);
    CliRun e = run_opguard(dir.path().string(), "--no-builtin-rules --rules policy rules explain org.nl");
    CHECK(e.exit == 0);
    CHECK(e.out.find("  source: s\\u000a::error::x\n") != std::string::npos);
    CHECK(e.out.find("\n::") == std::string::npos);
}
