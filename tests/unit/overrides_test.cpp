// Per-run rule selection and severity (check --skip-rule, --severity, and the keys
// skip-rule / severity of .opguard.yaml): what each report format shows, exit codes, the
// errors with their origin, locked rules, and what a --rules policy file cannot weaken
// (built-in rules, the guard sets, redaction).
#include "test_support.hpp"

#include <nlohmann/json.hpp>

using namespace opguard;
using namespace opguard::test;
using nlohmann::json;

namespace {

// The waivers golden case: one rebuild of three desktops; ecd.rebuild.desktop-status (error,
// refuses ecd-t-starting), ecd.rebuild.desktop-connected (warning) and
// ecd.rebuild.desktop-running (warning, waived in the plan).
const std::string kCase = "check tests/golden/waivers/plan.json -i tests/golden/waivers/inventory --today 2026-06-01";

CliRun in_source(const std::string& args) { return run_opguard(OPGUARD_SOURCE_DIR, args); }

const std::string kSkipLine = "skip ecd.rebuild.desktop-status (command line): 1 finding not reported";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The error line opguard prints on standard error, without its newline.
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

TEST_CASE("check --skip-rule leaves the rule's findings out of counts and --fail-on, the prediction stays", "[overrides][text]") {
    const CliRun base = in_source(kCase);
    REQUIRE(base.exit == 1);  // the desktop-status error
    CHECK(has(base.out, "error[ecd.rebuild.desktop-status]"));
    CHECK_FALSE(has(base.out, "overrides:"));  // no overrides, no line (the goldens stay as they are)

    const CliRun r = in_source(kCase + " --skip-rule ecd.rebuild.desktop-status");
    CHECK(r.exit == 0);
    CHECK(r.err.empty());
    CHECK(has(r.out, "rules apply\noverrides:\n  " + kSkipLine + "\n\ncall 1 hz-rebuild"));
    CHECK_FALSE(has(r.out, "[ecd.rebuild.desktop-status]"));
    // What the cloud answers is a prediction, not policy: the target is still refused.
    CHECK(has(r.out, "    ecd-t-starting: refused IncorrectDesktopStatus"));
    CHECK(has(r.out, "\n0 errors, 2 warnings, 0 info, 1 waived\n"));

    // --quiet keeps the override lines above the summary.
    const CliRun q = in_source(kCase + " --skip-rule ecd.rebuild.desktop-status --quiet");
    CHECK(q.exit == 0);
    CHECK(has(q.out, "overrides:\n  " + kSkipLine + "\nPlan: "));
}

TEST_CASE("check --severity changes the severity of the rule's findings, the counts and --fail-on", "[overrides][text]") {
    // Lowered: the run passes at --fail-on error.
    const CliRun low = in_source(kCase + " --severity ecd.rebuild.desktop-status=warning");
    CHECK(low.exit == 0);
    CHECK(has(low.out, "overrides:\n  severity ecd.rebuild.desktop-status error -> warning (command line)\n"));
    CHECK(has(low.out, "  warning[ecd.rebuild.desktop-status] tests/golden/waivers/plan.json:9:39 (ecd-t-starting)\n"));
    CHECK(has(low.out, "\n0 errors, 3 warnings, 0 info, 1 waived\n"));
    // ... and fails at --fail-on warning.
    CHECK(in_source(kCase + " --severity ecd.rebuild.desktop-status=warning --fail-on warning").exit == 1);

    // Raised: a warning rule made an error fails the run on its own.
    const CliRun high = in_source(kCase + " --skip-rule ecd.rebuild.desktop-status --severity ecd.rebuild.desktop-connected=error");
    CHECK(high.exit == 1);
    CHECK(has(high.out, "  error[ecd.rebuild.desktop-connected] tests/golden/waivers/plan.json:9:23 (ecd-t-winrun)\n"));
    CHECK(has(high.out, "overrides:\n  severity ecd.rebuild.desktop-connected warning -> error (command line)\n  " + kSkipLine + "\n"));
    CHECK(has(high.out, "\n1 error, 1 warning, 0 info, 1 waived\n"));
}

TEST_CASE("every report format shows the overrides", "[overrides][formats]") {
    const std::string args = kCase + " --skip-rule ecd.rebuild.desktop-status --severity ecd.rebuild.desktop-connected=error";
    SECTION("json: an overrides array; summary and findings follow the overrides") {
        const CliRun r = in_source(args + " --format json");
        REQUIRE(r.exit == 1);
        const json j = json::parse(r.out);
        REQUIRE(j.at("overrides").size() == 2);
        CHECK(j["overrides"][0] == json::parse(R"({"rule": "ecd.rebuild.desktop-connected", "action": "severity", "from": "warning",
                                                   "to": "error", "origin": "command line"})"));
        CHECK(j["overrides"][1] == json::parse(R"({"rule": "ecd.rebuild.desktop-status", "action": "skip", "from": "error",
                                                   "to": null, "origin": "command line", "findings_not_reported": 1})"));
        CHECK(j["summary"]["errors"] == 1);
        CHECK(j["summary"]["warnings"] == 1);
        for (const auto& f : j["findings"]) {
            CHECK(f["rule"] != "ecd.rebuild.desktop-status");
            if (f["rule"] == "ecd.rebuild.desktop-connected") CHECK(f["severity"] == "error");
        }
        // Without overrides the key is absent (the report is as before).
        CHECK_FALSE(json::parse(in_source(kCase + " --format json").out).contains("overrides"));
    }
    SECTION("sarif: invocation ruleConfigurationOverrides; the descriptor keeps the rule's own level") {
        const CliRun r = in_source(args + " --format sarif");
        REQUIRE(r.exit == 1);
        const json run = json::parse(r.out)["runs"][0];
        const json& o = run["invocations"][0]["ruleConfigurationOverrides"];
        REQUIRE(o.size() == 2);
        CHECK(o[0]["descriptor"]["id"] == "ecd.rebuild.desktop-connected");
        CHECK(o[0]["configuration"] == json::parse(R"({"level": "error"})"));
        CHECK(o[0]["properties"]["origin"] == "command line");
        CHECK(o[1]["descriptor"]["id"] == "ecd.rebuild.desktop-status");
        CHECK(o[1]["configuration"] == json::parse(R"({"enabled": false})"));
        CHECK(o[1]["properties"]["findingsNotReported"] == 1);
        for (size_t i = 0; i < 2; ++i) {
            const size_t index = o[i]["descriptor"]["index"];
            CHECK(run["tool"]["driver"]["rules"][index]["id"] == o[i]["descriptor"]["id"]);
        }
        const json& connected = run["tool"]["driver"]["rules"][o[0]["descriptor"]["index"].get<size_t>()];
        CHECK(connected["defaultConfiguration"]["level"] == "warning");
        bool seen = false;
        for (const auto& res : run["results"]) {
            CHECK(res["ruleId"] != "ecd.rebuild.desktop-status");
            if (res["ruleId"] == "ecd.rebuild.desktop-connected") { seen = true; CHECK(res["level"] == "error"); }
        }
        CHECK(seen);
    }
    SECTION("junit: a property of every suite") {
        const CliRun r = in_source(args + " --format junit");
        REQUIRE(r.exit == 1);
        CHECK(has(r.out, R"x(errors="0" skipped="0">
    <properties>
      <property name="opguard.override" value="severity ecd.rebuild.desktop-connected warning -&gt; error (command line)"/>
      <property name="opguard.override" value=")x" + kSkipLine + R"x("/>
    </properties>
    <testcase)x"));
    }
    SECTION("github: a notice each, before the annotations") {
        const CliRun r = in_source(args + " --format github");
        CHECK(r.out.rfind("::notice title=opguard override ecd.rebuild.desktop-connected::severity ecd.rebuild.desktop-connected "
                          "warning -> error (command line)\n::notice title=opguard override ecd.rebuild.desktop-status::" +
                              kSkipLine + "\n::error ",
                          0) == 0);
    }
    SECTION("gitlab: an info issue each") {
        const json j = json::parse(in_source(args + " --format gitlab").out);
        std::vector<json> overrides;
        for (const auto& i : j)
            if (i["check_name"] == "opguard.override") overrides.push_back(i);
        REQUIRE(overrides.size() == 2);
        CHECK(overrides[1]["description"] == kSkipLine);
        CHECK(overrides[1]["severity"] == "info");
        CHECK(overrides[1]["location"]["path"] == "tests/golden/waivers/plan.json");
        CHECK(overrides[1]["location"]["lines"]["begin"] == 1);
        CHECK(overrides[0]["fingerprint"] != overrides[1]["fingerprint"]);
    }
    SECTION("markdown: a section under the counts") {
        const CliRun r = in_source(args + " --format markdown");
        CHECK(has(r.out, "\n### Overrides of this run\n\n- severity ecd.rebuild.desktop-connected warning -\\> error (command line)\n- " +
                             kSkipLine + "\n\n### Refused calls"));
        CHECK(has(r.out, "| 1 | 0 | 3 | 1 | 1 | 1 | 0 | 1 |"));  // 1 error, 1 warning
    }
}

TEST_CASE("bad --skip-rule / --severity values are input errors on the command line", "[overrides][errors]") {
    auto error_of = [](const std::string& extra) {
        const CliRun r = in_source(kCase + " " + extra);
        CHECK(r.exit == 2);
        CHECK(r.out.empty());
        return first_line(r.err);
    };
    CHECK(error_of("--skip-rule ecd.rebuild.desktop-stat") ==
          "command line: error[overrides.unknown-rule]: --skip-rule ecd.rebuild.desktop-stat: no rule 'ecd.rebuild.desktop-stat' in "
          "the rule set (did you mean 'ecd.rebuild.desktop-status'?); see `opguard rules list`");
    CHECK(error_of("--severity no.such-rule=info") ==
          "command line: error[overrides.unknown-rule]: --severity no.such-rule=info: no rule 'no.such-rule' in the rule set; see "
          "`opguard rules list`");
    CHECK(error_of("--severity ecd.rebuild.desktop-status") ==
          "command line: error[overrides.syntax]: --severity ecd.rebuild.desktop-status: expected RULE=LEVEL (LEVEL: error, warning "
          "or info), e.g. ecd.rebuild.desktop-running=warning");
    CHECK(error_of("--severity ecd.rebuild.desktop-status=fatal") ==
          "command line: error[overrides.level]: --severity ecd.rebuild.desktop-status=fatal: 'fatal' is not a severity: error, "
          "warning or info");
    CHECK(error_of("--severity =info") == "command line: error[overrides.syntax]: --severity =info: no rule id given (an empty value, "
                                          "or an empty item of a comma-separated list)");
    CHECK(error_of("--skip-rule plan.wrong-type,") == "command line: error[overrides.syntax]: --skip-rule: no rule id given (an empty "
                                                      "value, or an empty item of a comma-separated list)");
    CHECK(error_of("--skip-rule ecd.rebuild.desktop-status --severity ecd.rebuild.desktop-status=info") ==
          "command line: error[overrides.conflict]: --severity ecd.rebuild.desktop-status=info: rule ecd.rebuild.desktop-status is "
          "already skipped by command line");
    CHECK(error_of("--severity ecd.rebuild.desktop-status=info --severity ecd.rebuild.desktop-status=warning") ==
          "command line: error[overrides.conflict]: --severity ecd.rebuild.desktop-status=warning: rule ecd.rebuild.desktop-status "
          "is already given severity info by command line");
    // The same request twice is one override.
    const CliRun twice = in_source(kCase + " --skip-rule ecd.rebuild.desktop-status --skip-rule ecd.rebuild.desktop-status");
    CHECK(twice.exit == 0);
    CHECK(has(twice.out, "overrides:\n  " + kSkipLine + "\n\n"));
}

TEST_CASE("a value may be a comma-separated list, as Checkov's --skip-check takes", "[overrides][text]") {
    const CliRun r = in_source(kCase + " --skip-rule ecd.rebuild.desktop-status,plan.wrong-type" +
                               " --severity 'ecd.rebuild.desktop-connected=error, ecd.rebuild.desktop-running=info'");
    CHECK(r.exit == 1);
    CHECK(has(r.out, "overrides:\n"
                     "  severity ecd.rebuild.desktop-connected warning -> error (command line)\n"
                     "  severity ecd.rebuild.desktop-running warning -> info (command line)\n"
                     "  " + kSkipLine + "\n"
                     "  skip plan.wrong-type (command line): 0 findings not reported\n\n"));
    const CliRun typo = in_source(kCase + " --skip-rule plan.wrong-type,ecd.rebuild.desktop-stats");
    CHECK(typo.exit == 2);
    CHECK(has(typo.err, "command line: error[overrides.unknown-rule]: --skip-rule ecd.rebuild.desktop-stats: no rule "
                        "'ecd.rebuild.desktop-stats' in the rule set (did you mean 'ecd.rebuild.desktop-status'?)"));
}

TEST_CASE("locked rules cannot be skipped or lowered by a run option, raising them is allowed", "[overrides][locked]") {
    const CliRun skip = in_source(kCase + " --skip-rule plan.unmodeled-call");
    CHECK(skip.exit == 2);
    CHECK(first_line(skip.err).rfind("command line: error[overrides.locked]: --skip-rule plan.unmodeled-call: rule "
                                     "plan.unmodeled-call is locked (`locked = true;` in its rule file): it reports what opguard "
                                     "could not check or model, so a run option cannot skip it; accept a finding of it with a waiver",
                                     0) == 0);
    const CliRun lower = in_source(kCase + " --severity plan.unresolved-value=info");
    CHECK(lower.exit == 2);
    CHECK(has(lower.err, "error[overrides.locked]: --severity plan.unresolved-value=info: rule plan.unresolved-value is locked"));
    CHECK(has(lower.err, "so a run option cannot lower its severity"));
    const CliRun raise = in_source(kCase + " --severity plan.unresolved-value=error --skip-rule ecd.rebuild.desktop-status");
    CHECK(raise.exit == 0);
    CHECK(has(raise.out, "  severity plan.unresolved-value warning -> error (command line)\n"));

    // The locked rules are those the README lists: each says opguard could not model or check something.
    SourceRegistry sources;
    const RuleSet rules = load_rules(sources, RuleSources{true, {}});
    std::vector<std::string> locked;
    for (const auto& r : rules.rules)
        if (r.locked) locked.push_back(r.id);
    std::sort(locked.begin(), locked.end());
    CHECK(locked == std::vector<std::string>{"appstream.distribute.no-image-inventory", "ecd.delete-snapshot.absent",
                                                "ecd.delete.disks-not-saved", "ecd.desktop.unknown", "ecd.rebuild.disks-not-saved",
                                                "ecd.rebuild.no-snapshot-inventory", "ecd.reset-snapshot.desktop-not-saved",
                                                "ecd.reset.disks-not-saved", "ecd.reset.group-ids-not-expanded",
                                                "ecd.reset.group-not-saved", "ecs.delete-disk.unknown", "ecs.delete-snapshot.no-inventory",
                                                "ecs.delete-snapshot.unknown", "ecs.delete.no-disk-inventory", "ecs.delete.no-snapshot-inventory", "ecs.redeploy.no-event-inventory",
                                             "hw.check-images.no-image-inventory", "hw.desktop.no-inventory", "hw.rebuild.no-inventory", "inventory.field-absent", "inventory.field-type", "inventory.incomplete",
                                             "plan.cli-not-read", "plan.loop-not-checked", "plan.loop-skips-changes", "plan.oos-not-expanded", "plan.script-not-read", "plan.unmodeled-call",
                                             "plan.unmodeled-read", "plan.unresolved-target", "plan.unresolved-value"});
    // Library level: every locked rule refuses a skip, at the request's origin.
    for (const auto& id : locked) {
        auto e = input_error([&] {
            resolve_overrides({{RuleOverride::Action::Skip, id, Location{"cfg.yaml", {4, 7}}}}, rules);
        });
        REQUIRE(e);
        CHECK(e->id == "overrides.locked");
        CHECK(e->file == "cfg.yaml");
        CHECK(e->where() == "4:7");
    }
}

TEST_CASE("rules explain says a rule is locked", "[overrides][locked]") {
    const CliRun locked = in_source("rules explain plan.unmodeled-call");
    CHECK(locked.exit == 0);
    CHECK(has(locked.out, "\n  severity:   error\n  locked:     check --skip-rule / --severity cannot skip or lower it; only a "
                          "waiver accepts a finding\n  applies to: every call"));
    const CliRun plain = in_source("rules explain ecd.rebuild.desktop-status");
    CHECK(plain.exit == 0);
    CHECK_FALSE(has(plain.out, "locked:"));
}

TEST_CASE("a policy file's own rule can be locked", "[overrides][locked][policies]") {
    TempDir dir;
    dir.write("policy/org.rules", R"(rule org.no-prod {
  title = "x"; severity = warning; scope = plan;
  when = false; message = "m"; source = "policy"; basis = documented;
  locked = true;
}
)");
    const CliRun r = in_source(kCase + " --rules " + shell_quote(dir.file("policy")) + " --severity org.no-prod=info");
    CHECK(r.exit == 2);
    CHECK(has(r.err, "command line: error[overrides.locked]: --severity org.no-prod=info: rule org.no-prod is locked"));
}

TEST_CASE(".opguard.yaml: skip-rule and severity lists, their origins in every report and in opguard config", "[overrides][config]") {
    TempDir dir;
    const std::string plan = source_path("tests/golden/waivers/plan.json");
    const std::string inv = source_path("tests/golden/waivers/inventory");
    const std::string yaml =
        "today: 2026-06-01\n"
        "skip-rule:\n"
        "  - ecd.rebuild.desktop-status\n"
        "severity: [ecd.rebuild.desktop-connected=error, ecd.rebuild.desktop-running=info]\n";
    dir.write(".opguard.yaml", yaml);
    const std::string running = lc(position_of(yaml, "ecd.rebuild.desktop-running"));
    REQUIRE(running == "4:49");
    const std::string args = "check " + shell_quote(plan) + " -i " + shell_quote(inv);
    const CliRun r = run_opguard(dir.path().string(), args);
    CHECK(r.exit == 1);
    CHECK(has(r.out, "overrides:\n"
                     "  severity ecd.rebuild.desktop-connected warning -> error (.opguard.yaml:4:12)\n"
                     "  severity ecd.rebuild.desktop-running warning -> info (.opguard.yaml:4:49)\n"
                     "  skip ecd.rebuild.desktop-status (.opguard.yaml:3:5): 1 finding not reported\n"));
    const json j = json::parse(run_opguard(dir.path().string(), args + " --format json").out);
    CHECK(j["overrides"][2]["origin"] == ".opguard.yaml:3:5");
    // SARIF and GitHub point at the file's line.
    const json s = json::parse(run_opguard(dir.path().string(), args + " --format sarif").out);
    CHECK(s["runs"][0]["invocations"][0]["ruleConfigurationOverrides"][0]["properties"]["origin"] == ".opguard.yaml:4:12");
    CHECK(has(run_opguard(dir.path().string(), args + " --format github").out,
              "::notice file=.opguard.yaml,line=3,col=5,title=opguard override ecd.rebuild.desktop-status::skip"));
    const json g = json::parse(run_opguard(dir.path().string(), args + " --format gitlab").out);
    bool at_file = false;
    for (const auto& i : g)
        if (i["check_name"] == "opguard.override" && i["location"]["path"] == ".opguard.yaml" && i["location"]["lines"]["begin"] == 3)
            at_file = true;
    CHECK(at_file);

    // opguard config prints the lists with where they came from.
    const CliRun c = run_opguard(dir.path().string(), "config " + shell_quote(plan) + " -i " + shell_quote(inv));
    CHECK(c.exit == 0);
    CHECK(has(c.out, "\nskip-rule: [ecd.rebuild.desktop-status]  # .opguard.yaml:2:1\n"));
    CHECK(has(c.out, "\nseverity: [ecd.rebuild.desktop-connected=error, ecd.rebuild.desktop-running=info]  # .opguard.yaml:4:1\n"));

    // The command line replaces a key of the file whole: then the origin is the command line.
    const CliRun cl = run_opguard(dir.path().string(), args + " --skip-rule plan.wrong-type");
    CHECK(cl.exit == 1);
    CHECK(has(cl.out, "  skip plan.wrong-type (command line): 0 findings not reported\n"));
    CHECK(has(cl.out, "  severity ecd.rebuild.desktop-running warning -> info (.opguard.yaml:4:49)\n"));
    CHECK(has(cl.out, "  error[ecd.rebuild.desktop-status] "));  // the file's skip-rule is replaced
    // A rule skipped on the command line and given a severity in the file: one of them is a mistake.
    const CliRun both = run_opguard(dir.path().string(), args + " --skip-rule ecd.rebuild.desktop-connected");
    CHECK(both.exit == 2);
    CHECK(first_line(both.err) ==
          ".opguard.yaml:4:12: error[overrides.conflict]: --severity ecd.rebuild.desktop-connected=error: rule "
          "ecd.rebuild.desktop-connected is already skipped by command line");
}

TEST_CASE(".opguard.yaml: severity as a mapping of rule to level", "[overrides][config]") {
    TempDir dir;
    const std::string plan = source_path("tests/golden/waivers/plan.json");
    const std::string inv = source_path("tests/golden/waivers/inventory");
    const std::string yaml = "today: 2026-06-01\nseverity:\n  ecd.rebuild.desktop-status: warning\n  ecd.rebuild.desktop-connected: info\n";
    dir.write(".opguard.yaml", yaml);
    const std::string args = shell_quote(plan) + " -i " + shell_quote(inv);
    const CliRun r = run_opguard(dir.path().string(), "check " + args);
    CHECK(r.exit == 0);
    CHECK(has(r.out, "overrides:\n"
                     "  severity ecd.rebuild.desktop-connected warning -> info (.opguard.yaml:4:3)\n"
                     "  severity ecd.rebuild.desktop-status error -> warning (.opguard.yaml:3:3)\n\n"));
    const CliRun c = run_opguard(dir.path().string(), "config " + args);
    CHECK(has(c.out, "\nseverity: [ecd.rebuild.desktop-status=warning, ecd.rebuild.desktop-connected=info]  # .opguard.yaml:2:1\n"));
    // A mapping's value is one level, not a structure.
    dir.write(".opguard.yaml", "severity:\n  ecd.rebuild.desktop-status: [warning]\n");
    const CliRun bad = run_opguard(dir.path().string(), "check " + args);
    CHECK(bad.exit == 2);
    CHECK(first_line(bad.err) == ".opguard.yaml:2:3: error[config.wrong-type]: 'severity' as a mapping takes KEY: VALUE strings");
    // An unknown rule in the mapping is located at its key.
    dir.write(".opguard.yaml", "severity:\n  ecd.rebuild.desktop-status: warning\n  ecd.rebuild.desktop-runing: info\n");
    const CliRun typo = run_opguard(dir.path().string(), "check " + args);
    CHECK(typo.exit == 2);
    CHECK(first_line(typo.err).rfind(".opguard.yaml:3:3: error[overrides.unknown-rule]: --severity ecd.rebuild.desktop-runing=info: no "
                                     "rule 'ecd.rebuild.desktop-runing' in the rule set (did you mean 'ecd.rebuild.desktop-running'?)",
                                     0) == 0);
}

TEST_CASE(".opguard.yaml: a bad override names its line and column in the file", "[overrides][config][errors]") {
    const std::string plan = source_path("tests/golden/waivers/plan.json");
    const std::string inv = source_path("tests/golden/waivers/inventory");
    auto error_of = [&](const std::string& yaml) {
        TempDir dir;
        dir.write(".opguard.yaml", yaml);
        const CliRun r = run_opguard(dir.path().string(), "check " + shell_quote(plan) + " -i " + shell_quote(inv));
        CHECK(r.exit == 2);
        return first_line(r.err);
    };
    CHECK(error_of("skip-rule:\n  - ecd.rebuild.desktop-status\n  - ecd.rebuild.desktop-runing\n") ==
          ".opguard.yaml:3:5: error[overrides.unknown-rule]: --skip-rule ecd.rebuild.desktop-runing: no rule "
          "'ecd.rebuild.desktop-runing' in the rule set (did you mean 'ecd.rebuild.desktop-running'?); see `opguard rules list`");
    CHECK(error_of("skip-rule: plan.unmodeled-call\n").rfind(
              ".opguard.yaml:1:12: error[overrides.locked]: --skip-rule plan.unmodeled-call: rule plan.unmodeled-call is locked", 0) == 0);
    CHECK(error_of("severity:\n  - ecd.rebuild.desktop-status=warning\n  - plan.wrong-type\n") ==
          ".opguard.yaml:3:5: error[overrides.syntax]: --severity plan.wrong-type: expected RULE=LEVEL (LEVEL: error, warning or "
          "info), e.g. ecd.rebuild.desktop-running=warning");
    CHECK(error_of("severity: [plan.wrong-type=low]\n") ==
          ".opguard.yaml:1:12: error[overrides.level]: --severity plan.wrong-type=low: 'low' is not a severity: error, warning or info");
}

// ---- what a --rules policy file cannot weaken ---------------------------------------------

namespace {

std::optional<Err> rules_error(const TempDir& dir, const std::string& text) {
    dir.write("policy/org.rules", text);
    return input_error([&] {
        SourceRegistry sources;
        load_rules(sources, RuleSources{true, {dir.file("policy")}});
    });
}

}  // namespace

TEST_CASE("a policy file cannot redefine a built-in rule: the error names both definitions", "[overrides][policies]") {
    TempDir dir;
    auto e = rules_error(dir, R"(
rule plan.unmodeled-call {
  title = "weaker"; severity = info; operations = ["*"];
  when = false; message = "m"; source = "policy"; basis = documented;
}
)");
    REQUIRE(e);
    CHECK(e->id == "rules.duplicate");
    CHECK(e->file == dir.file("policy/org.rules"));
    CHECK(e->where() == "2:6");
    SourceRegistry sources;
    const RuleSet builtin = load_rules(sources, RuleSources{true, {}});
    const Rule* first = builtin.rule("plan.unmodeled-call");
    REQUIRE(first);
    const std::string at = "builtin/common.rules:" + lc(pos(sources, first->origin));
    CHECK(e->message == "rule id 'plan.unmodeled-call' is used twice (first at " + at + "); a rule file adds rules, it cannot redefine one");
}

TEST_CASE("a policy file may narrow read_only_verbs and read_only_methods, never extend them", "[overrides][policies][sets]") {
    TempDir dir;
    SECTION("a verb added to read_only_verbs would turn an unmodeled call into a read") {
        const std::string text = "set read_only_verbs {\n  documented = [\"Describe\", \"Delete\"];\n}\n";
        auto e = rules_error(dir, text);
        REQUIRE(e);
        CHECK(e->id == "rules.weakens");
        CHECK(e->file == dir.file("policy/org.rules"));
        CHECK(e->where() == lc(position_of(text, "\"Delete\"")));
        SourceRegistry sources;
        const RuleSet builtin = load_rules(sources, RuleSources{true, {}});
        const std::string at = "builtin/common.rules:" + lc(pos(sources, builtin.sets.at("read_only_verbs").origin));
        CHECK(e->message == "set 'read_only_verbs' (" + at + ", redefine = narrow) may only be narrowed by a --rules file: 'Delete' "
                            "is not one of its values, and adding it would weaken opguard's checks");
    }
    SECTION("read_only_methods likewise, in an `inferred` list too") {
        const std::string text = "set read_only_methods {\n  documented = [\"GET\"];\n  inferred = [\"POST\"];\n}\n";
        auto e = rules_error(dir, text);
        REQUIRE(e);
        CHECK(e->id == "rules.weakens");
        CHECK(e->where() == lc(position_of(text, "\"POST\"")));
        CHECK(e->where() == "3:15");
    }
    SECTION("a narrowed set is stricter: a List call becomes an unmodeled call") {
        dir.write("policy/org.rules", "set read_only_verbs {\n  documented = [\"Describe\"];\n}\n");
        const std::string plan = dir.write("plan.json", R"({"calls": [{"id": "l1", "product": "ecd", "version": "2020-09-30",
  "action": "ListOfficeSites", "parameters": {"RegionId": "cn-hangzhou"}}]})");
        const std::string inv = source_path("tests/golden/waivers/inventory");
        const CliRun before = in_source("check " + shell_quote(plan) + " -i " + shell_quote(inv));
        CHECK(before.exit == 0);
        CHECK(has(before.out, "info[plan.unmodeled-read]"));
        const CliRun after = in_source("check " + shell_quote(plan) + " -i " + shell_quote(inv) + " --rules " + shell_quote(dir.file("policy")));
        CHECK(after.exit == 1);
        CHECK(has(after.out, "error[plan.unmodeled-call]"));
    }
}

TEST_CASE("a policy rule that interpolates a secret prints it redacted, in text and JSON", "[overrides][policies][secrets]") {
    TempDir dir;
    // The plan's LoginToken / SessionToken (secret parameters of the WUYING client API), and
    // secrets in a saved response (a policy reads whole saved objects through effect.object
    // and lookup()).
    dir.write("policy/org.rules", R"(rule org.echo {
  title = "echo"; severity = warning; operations = ["ecd-client.RebootDesktops"]; scope = target;
  let saved = lookup("desktop", target);
  when = true;
  message = "login {call.LoginToken} session {call.SessionToken} saved {saved.Password} {saved.AccessKeySecret} {saved.Extra.SecurityToken}";
  source = "policy"; basis = documented;
}
)");
    const std::string plan = dir.write("plan.json", R"({"calls": [{"id": "r1", "product": "ecd", "version": "2020-10-02",
  "action": "RebootDesktops", "parameters": {"RegionId": "cn-hangzhou", "ClientId": "c", "SessionId": "s",
  "LoginToken": "PLAN-LOGIN-SECRET", "SessionToken": "PLAN-SESSION-SECRET", "DesktopId": ["ecd-1"], "ClientToken": "t-1"}}]})");
    dir.write("inv/desktops.json", R"({"Desktops": [{"DesktopId": "ecd-1", "OfficeSiteId": "cn-hangzhou+dir-1",
  "DesktopStatus": "Running", "Password": "INV-PASSWORD-SECRET", "AccessKeySecret": "INV-AK-SECRET",
  "Extra": {"SecurityToken": "INV-STS-SECRET"}}]})");
    const std::string args = "check " + shell_quote(plan) + " -i " + shell_quote(dir.file("inv")) + " --rules " + shell_quote(dir.file("policy"));
    const std::string expected = "login [redacted] session [redacted] saved [redacted] [redacted] [redacted]";
    const CliRun text = in_source(args);
    CHECK(has(text.out, "warning[org.echo]"));
    CHECK(has(text.out, "      " + expected + "\n"));
    const CliRun js = in_source(args + " --format json --explain");
    bool seen = false;
    const json report = json::parse(js.out);
    for (const auto& f : report["findings"])
        if (f["rule"] == "org.echo") { seen = true; CHECK(f["message"] == expected); }
    CHECK(seen);
    for (const CliRun* r : {&text, &js})
        for (const char* secret : {"PLAN-LOGIN-SECRET", "PLAN-SESSION-SECRET", "INV-PASSWORD-SECRET", "INV-AK-SECRET", "INV-STS-SECRET"}) {
            CHECK_FALSE(has(r->out, secret));
            CHECK_FALSE(has(r->err, secret));
        }
}

TEST_CASE("opguard config: a secret in a setting's value (--parameters, parameters: in .opguard.yaml) is never printed", "[overrides][config][secrets]") {
    TempDir dir;
    const std::string plan = source_path("tests/golden/waivers/plan.json");
    const std::string inv = source_path("tests/golden/waivers/inventory");
    const CliRun c = run_opguard(dir.path().string(), "config " + shell_quote(plan) + " -i " + shell_quote(inv) +
                                                          " --parameters '{\"LoginToken\":\"SECRET-LOGIN-TOKEN\",\"regionId\":\"cn-hangzhou\"}'");
    CHECK(c.exit == 0);
    CHECK(has(c.out, "\nparameters: {\"LoginToken\":\"[redacted]\",\"regionId\":\"cn-hangzhou\"}  # command line\n"));
    CHECK(c.out.find("SECRET-LOGIN-TOKEN") == std::string::npos);
    dir.write(".opguard.yaml", "parameters: '{\"SessionToken\": \"SECRET-SESSION\"}'\n");
    const CliRun f = run_opguard(dir.path().string(), "config " + shell_quote(plan) + " -i " + shell_quote(inv));
    CHECK(f.exit == 0);
    CHECK(has(f.out, "\"SessionToken\": \"[redacted]\""));
    CHECK(f.out.find("SECRET-SESSION") == std::string::npos);
}
