#pragma once
// `check --explain`: turns each rule evaluation the simulator reports (SimulateOptions::
// on_rule) into a RuleExplanation: fired or not, each top-level operand of the rule's
// `when` (the parts of its and/or chain) with its value, and the lets it computed.
//
// The operands are evaluated again on a copy of the rule's frame, so explaining never
// changes a finding (its evidence included); an operand the real evaluation skipped by
// short-circuit is still shown, with the value it has.
#include <string>

#include "dsl/ast.hpp"
#include "engine/report.hpp"
#include "engine/simulate.hpp"

namespace opguard {

// The expression written back as rule-language text (canonical spacing, minimal brackets).
std::string expr_text(const ast::Expr& e);

// One explanation of one evaluation; `plan_calls` is the number of calls in the plan (the
// call index of plan-wide rules).
RuleExplanation explain_evaluation(const RuleEvaluation& ev, const RuleSet& rules, size_t plan_calls);

}  // namespace opguard
