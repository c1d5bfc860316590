#pragma once
// Per-run rule selection and severity: `check --skip-rule ID` and `--severity ID=LEVEL`
// (repeatable), or the keys skip-rule and severity of .opguard.yaml.
//
//   values as given ──resolve_overrides(RuleSet)──> vector<RuleOverride> (checked)
//   RuleSet + overrides ──apply_severity_overrides──> rule severities of this run (before simulate)
//   Report + overrides ──apply_overrides──> skipped rules' findings removed, report.overrides set
//
// A skipped rule is still evaluated: what the cloud refuses and what a call does are
// predictions, not policy, so a refusal it predicts still shows in the call's outcome; only
// its findings are left out of the report and of --fail-on (the override line counts them).
// A changed severity is the rule's severity for the whole run: findings, counts, --fail-on.
// A rule marked `locked = true;` cannot be skipped or lowered (raising it is allowed): only a
// waiver, which names the finding and gives a reason, accepts one of its findings.
#include <string>
#include <vector>

#include "dsl/rule_set.hpp"
#include "engine/report.hpp"

namespace opguard {

// One value of --skip-rule ("ID") or --severity ("ID=LEVEL"), and where it was written.
struct OverrideRequest {
    RuleOverride::Action action = RuleOverride::Action::Skip;
    std::string text;
    Location origin;  // {"command line", unknown} or the configuration file's line:col
};

// Checks every request against the rule set; the overrides sorted by rule id (one per rule:
// the same request twice counts once). Throws InputError at the request's origin:
// overrides.unknown-rule (with a did-you-mean), overrides.syntax (no "=", empty id),
// overrides.level (not error, warning or info), overrides.locked (a locked rule skipped or
// lowered), overrides.conflict (one rule skipped and given a severity, or two severities).
std::vector<RuleOverride> resolve_overrides(const std::vector<OverrideRequest>& requests, const RuleSet& rules);

// Gives each rule of a severity override its severity for this run.
void apply_severity_overrides(RuleSet& rules, const std::vector<RuleOverride>& overrides);

// Removes the findings of skipped rules (waived ones too), counting them on their override,
// and stores the overrides in the report. Run after apply_waivers, so a waiver for a skipped
// rule is not reported unused.
void apply_overrides(Report& report, std::vector<RuleOverride> overrides);

// "skip RULE" / "severity RULE: error -> warning", then " (ORIGIN)" and, for a skip,
// ": N findings not reported": the one line every format words an override with.
std::string override_text(const RuleOverride& o);

}  // namespace opguard
