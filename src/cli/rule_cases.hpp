#pragma once
// Rule test cases, beside the rules (default rules/tests/):
//
//   DIR/<case>/plan.json      the plan, or the one file named plan.<ext> in another form
//                             `check` reads (plan.sh, plan.yml, plan.tf.json, ...), read with
//                             load_plan_any and its format detected from the content; two
//                             files named plan.* are an error (rules-test.no-plan)
//   DIR/<case>/expect.json    {"<rule id>": "fires" | "does-not-fire" | "not-applicable"
//                                         | {"fires": ["plan.sh:7:93", "plan.sh:9:1 (ecd-x)", ...]}, ...}
//                             plus, optionally, "options": {"today": "YYYY-MM-DD"}: the date
//                             rules read as `today` (as `check --today`; default: today in UTC)
//   DIR/<case>/inventory/     saved API responses (optional; without it DIR/inventory/ is
//                             used when it exists, else the case has no inventory); a folder,
//                             or one file, read as `check -i` reads it (whatever is there is
//                             read, so a file, FIFO or looping link is its input error)
//   DIR/<case>/rules/         rule files compiled with the rules under test for this case only
//                             (optional): a fixture operation that declares what a generic rule
//                             reads (an `exclusive` parameter group) when no real one does yet
//
// A case is any folder directly under DIR that holds an expect.json, a plan.* file, or an
// inventory or rules entry (one missing its plan or expect.json is then an error, never
// skipped). "fires": the rule reports at least one finding; "does-not-fire": the rule applies to a call of the plan
// (its operations name the call's operation, or "*") and reported nothing;
// "not-applicable": it applies to no call of the plan. {"fires": [...]} also pins where:
// the rule's findings are exactly these, each "FILE:LINE:COL" with FILE relative to the
// case folder (a path outside it as reported) and " (TARGET)" when the finding has a target,
// compared as a multiset (order free, count exact).
#include <memory>
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
    std::vector<std::string> fires_at;  // {"fires": [...]}: where the findings must be (else empty)
};

struct RuleCase {
    std::string name;
    std::string dir;
    std::string plan;
    std::vector<std::string> inventory;
    std::vector<Expectation> expect;
    std::string today;  // expect.json "options": {"today": ...}; "" = today in UTC
    std::string fixture_rules;  // DIR/<case>/rules when it exists
};

struct CaseRun {
    std::shared_ptr<RuleSet> fixture;  // the rules the case ran with, when it has its own (the report points into them)
    Report report;
    std::set<std::string> applicable;  // ids of rules that apply to a call of the plan
    std::string result(const std::string& rule) const;  // what happened, in expect.json's words
    // Where `rule`'s findings are, in report order, written as {"fires": [...]} entries are
    // (FILE relative to `case_dir` when it lies inside it).
    std::vector<std::string> places(const std::string& rule, const std::string& case_dir) const;
};

// The cases under `dir`, sorted by name, with their expect.json read strictly (an unknown
// rule id or result is an InputError with file:line:col). Throws when `dir` is missing.
// With `skipped`, a case that cannot be read is left out and its error appended there
// instead (rules explain: one broken case must not hide the others).
std::vector<RuleCase> find_rule_cases(SourceRegistry& sources, const std::string& dir, const RuleSet& rules,
                                      std::vector<std::string>* skipped = nullptr);

// Loads and simulates one case (InputError when its plan or inventory is malformed).
// The text of a case's file (its plan, an inventory file) as rules explain and rules doc
// quote it: at most `limit` bytes, with every secret the rules name redacted (redact_text),
// as a check shows the plan. InputError when it cannot be read.
std::string quoted_case_file(const std::string& path, const RuleSet& rules, size_t limit);

CaseRun run_rule_case(SourceRegistry& sources, const RuleSet& rules, const RuleCase& c);

}  // namespace opguard::cli
