#pragma once
// simulate: plan + inventory + rules => report. Calls run in order; each sees the state
// the earlier ones leave (status paths, changed images, pending copies).
#include <functional>

#include "dsl/rule_set.hpp"
#include "engine/eval.hpp"
#include "engine/report.hpp"
#include "input/inventory.hpp"
#include "input/plan.hpp"

namespace opguard {

// One evaluation of a rule's `when` (per call, target and `for` element), as it happened:
// the frame holds the lets it computed and the loop variable. Observers must not change
// the frame (copy it to evaluate more).
struct RuleEvaluation {
    const Rule& rule;
    const Call* call;          // nullptr for plan-wide rules
    const Node* target;        // nullptr for call- and plan-scope rules
    const Frame& frame;
    EvalHost& host;
    bool fired;
};

struct SimulateOptions {
    // Called after each evaluation of a rule's `when` (used by `check --explain`).
    std::function<void(const RuleEvaluation&)> on_rule;
    // The date rules read as `today` (YYYY-MM-DD, as `check --today` gives it); "" = the
    // current date in UTC. Only rules that read `today` depend on it.
    std::string today;
};

// Takes the inventory by reference because accepted calls change it (the state for later
// calls); the objects as saved are kept in the report's `changes`.
Report simulate(const SourceRegistry& sources, const Plan& plan, Inventory& inventory, const RuleSet& rules,
                const SimulateOptions& options = {});

}  // namespace opguard
