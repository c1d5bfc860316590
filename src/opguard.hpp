#pragma once
// opguard's pipeline, one function per stage. Read this header first.
//
//   rule files ──parse_rule_file──> ast::Item lists ──compile_rules──> RuleSet
//   inventory files/dirs ──load_inventory(RuleSet)──> Inventory
//   plan file ──load_plan(RuleSet)──> Plan
//   Plan + RuleSet ──decode_rule_bodies──> RuleSet with the expressions of the rules the plan reaches
//     decoded (a check leaves the compiled built-in rules' expressions encoded until then)
//   Plan + Inventory + RuleSet ──simulate──> Report (outcomes, findings, effects)
//   Report + waivers (plan calls, --waivers files) ──apply_waivers──> Report (waived marked)
//   --skip-rule / --severity ──resolve_overrides(RuleSet)──> overrides: severities into the
//     RuleSet before simulate, skipped rules' findings out of the Report after apply_waivers
//   Report ──render(format)──> text | json | sarif | junit | github | markdown
//   Plan + RuleSet (listings) ──inventory_script──> shell script that saves the inventory (`opguard inventory`)
//
// Errors that stop a run ("could not run": unreadable or malformed input, bad rule files)
// are InputError exceptions carrying file:line:col; findings about the plan are data in
// the Report.
#include "core/diagnostic.hpp"
#include "dsl/compiler.hpp"      // compile_rules:   parsed rule files     => RuleSet
#include "dsl/parser.hpp"        // parse_rule_file: rule text             => ast::Item list
#include "engine/simulate.hpp"   // simulate:        plan + inventory      => Report
#include "engine/inventory_script.hpp"  // inventory_script: plan + listings => the script that saves what check reads
#include "engine/waivers.hpp"    // apply_waivers:   Report + waivers      => waived findings, notices
#include "engine/overrides.hpp"  // resolve_overrides, apply_overrides: --skip-rule, --severity => Report.overrides
#include "input/inventory.hpp"   // load_inventory:  saved API responses   => Inventory
#include "input/plan.hpp"        // load_plan:       plan JSON             => Plan
#include "input/adapters/plan_formats.hpp"  // load_plan_any: plan JSON, shell script, dry-run records, OOS template, Terraform plan => Plan
#include "report/render.hpp"     // render:          Report + format       => text

namespace opguard {

struct RuleSources {
    bool builtin = true;                 // the rules compiled into the binary
    std::vector<std::string> dirs;       // --rules DIR: more files; their sets override
    // The compiled built-in rules' expressions are left encoded (Rule::encoded) until
    // decode_rule_bodies, so that a check decodes only those of the rules its plan reaches.
    // Off: every rule comes back whole. (Rules parsed from text are always whole.)
    bool defer_bodies = false;
};

// load_rules: built-in rule files + --rules directories => RuleSet (parse, then compile).
RuleSet load_rules(SourceRegistry& sources, const RuleSources& from);

// decode_rule_bodies: decodes the expressions of every rule and effect the simulation of `plan`
// can run: the rules of its calls' operations, those of every operation ("*") and the policies
// (no operations); the effects of its calls' operations. The simulation refuses a rule or
// effect still encoded (std::logic_error) instead of reading it as empty.
void decode_rule_bodies(RuleSet& rules, const Plan& plan);

}  // namespace opguard
