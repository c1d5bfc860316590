#pragma once
// simulate: plan + inventory + rules => report. Calls run in order; each sees the state
// the earlier ones leave (status paths, changed images, pending copies).
#include "dsl/rule_set.hpp"
#include "engine/report.hpp"
#include "input/inventory.hpp"
#include "input/plan.hpp"

namespace opguard {

// Takes the inventory by reference because accepted calls change it (the state for later
// calls); the objects as saved are kept in the report's `changes`.
Report simulate(const SourceRegistry& sources, const Plan& plan, Inventory& inventory, const RuleSet& rules);

}  // namespace opguard
