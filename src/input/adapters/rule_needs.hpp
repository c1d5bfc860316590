#pragma once
// rule_needs / effect_needs: a compiled rule or effect => the call parameters its conditions
// read (through `call.X`, `request.parameters.X` and the lets they use, transitively).
// Used to skip, for one call, the checks and effects that need a value opguard could not
// resolve, instead of evaluating them on a placeholder. Message templates are not counted:
// they only show the value (as written, e.g. "$IMAGE_ID"). A rule or effect that reads
// `target` needs the parameters the operation's `targets` read (target_needs): the caller
// decides what an unresolved target value costs (ParamNeeds::target).
#include <set>
#include <string>

#include "dsl/rule_set.hpp"

namespace opguard::adapters {

struct ParamNeeds {
    std::set<std::string> params;  // parameter names read
    bool all_params = false;       // the whole parameter object is read
    bool param_types = false;      // mistyped_params(): the types of every declared parameter
    bool target = false;           // reads `target`, bound by the frame to one of the operation's targets
};

ParamNeeds rule_needs(const Rule& rule, const Operation* op);
ParamNeeds effect_needs(const Effect& effect, const Operation* op);
// The parameters an operation's `targets` expression reads.
ParamNeeds target_needs(const Operation& op);

}  // namespace opguard::adapters
