#pragma once
// Rule test cases, beside the rules (default rules/tests/):
//
//   DIR/<case>/plan.json      the plan (or one plan.<ext> in another form check reads:
//                             a shell script, CLI dry-run records, an OOS template, ...)
//   DIR/<case>/expect.json    {"<rule id>": "fires" | "does-not-fire" | "not-applicable", ...}
//   DIR/<case>/inventory/     saved API responses (optional; without it DIR/inventory/ is
//                             used when it exists, else the case has no inventory)
//
// A case is any folder directly under DIR that holds an expect.json. "fires": the rule
// reports at least one finding; "does-not-fire": the rule applies to a call of the plan
// (its operations name the call's operation, or "*") and reported nothing;
// "not-applicable": it applies to no call of the plan.
#include <set>
#include <string>
#include <vector>

#include "core/source.hpp"
#include "dsl/rule_set.hpp"
#include "engine/report.hpp"

namespace opguard::cli {

struct Expectation {
    std::string rule;
    std::string result;   // fires | does-not-fire | not-applicable
    Location at;          // the value in expect.json
};

struct RuleCase {
    std::string name;
    std::string dir;
    std::string plan;
    std::vector<std::string> inventory;
    std::vector<Expectation> expect;
};

struct CaseRun {
    Report report;
    std::set<std::string> applicable;  // ids of rules that apply to a call of the plan
    std::string result(const std::string& rule) const;  // what happened, in expect.json's words
};

// The cases under `dir`, sorted by name, with their expect.json read strictly (an unknown
// rule id or result is an InputError with file:line:col). Throws when `dir` is missing.
// With `skipped`, a case that cannot be read is left out and its error appended there
// instead (rules explain: one broken case must not hide the others).
std::vector<RuleCase> find_rule_cases(SourceRegistry& sources, const std::string& dir, const RuleSet& rules,
                                      std::vector<std::string>* skipped = nullptr);

// Loads and simulates one case (InputError when its plan or inventory is malformed).
CaseRun run_rule_case(SourceRegistry& sources, const RuleSet& rules, const RuleCase& c);

}  // namespace opguard::cli
