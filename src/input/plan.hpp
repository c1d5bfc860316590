#pragma once
// load_plan: opguard's JSON plan => Plan. The plan's own structure is strict (an unknown
// key is an input error); parameters are the API's and are checked by rules instead.
// Repeated parameters in RPC wire form ("DesktopId.1") become lists; secret parameters
// are redacted as soon as they are read (core/redact.hpp, with the rules' secret names).
#include <string>
#include <vector>

#include "core/node.hpp"
#include "core/redact.hpp"
#include "core/source.hpp"
#include "dsl/rule_set.hpp"

namespace opguard {

struct Call {
    size_t index = 0;          // 0-based position among the plan's calls (wait steps not counted)
    size_t entry = 0;          // 0-based position in the plan's "calls" list (wait steps counted)
    std::string id;            // the plan's "id", or "call-N" (1-based)
    Origin origin;             // the call object
    const Operation* operation = nullptr;  // nullptr: no rule file describes this call
    Node record;               // {id, operation, product, version, action, ...}: `request` in rules
    Node parameters;           // normalised parameters: `call` in rules
    std::vector<std::string> secret_names;  // parameters whose values were redacted
    Node waivers;              // the call's "waivers" list as written (null when absent); see engine/waivers.hpp
    bool wait = false;         // "wait": true: the client waits until this call's asynchronous work has finished
    Origin wait_at;            // where that is written
};

// A step of the plan that calls nothing and waits until the asynchronous work of every
// earlier call has finished: {"id": "...", "wait": true} in opguard's plan, an OOS
// ACS::WaitFor task. It is not a call: it has no index in `calls` (the next call's index
// is `after`) and no outcome; call ids by position ("call-N") still count it.
struct WaitStep {
    std::string id;            // the step's "id", or "wait-N" (N: 1-based position in the plan's list)
    Origin origin;
    size_t after = 0;          // the number of calls before it
};

struct Plan {
    uint32_t file = 0;
    std::vector<Call> calls;
    std::vector<WaitStep> waits;  // in plan order
};

struct PlanOptions {
    size_t max_file_bytes = 256 * 1024 * 1024;
};

// Throws InputError ("plan.shape", "plan.unknown-key", "plan.param-conflict", json.*).
Plan load_plan(SourceRegistry& sources, const std::string& path, const RuleSet& rules, const PlanOptions& options = {});

// read_json for a plan document (opguard's plan and every JSON form an adapter reads),
// with its secrets hidden before anyone sees the tree (redact_tree with secret_names(rules)).
// A JSON error inside the value of a secret parameter is reported at its place without
// quoting the text found there (which would print the secret).
Node read_plan_json(const SourceRegistry& sources, uint32_t file_id, const RuleSet& rules);

// The secret names: the built-in ones (core/redact.hpp) plus `set secret_parameters` and
// every operation's `secrets` (names compare normalised: "Password.1", "--password",
// "X-Auth-Token" and "x_auth_token" are forms of one name).
SecretNames secret_names(const RuleSet& rules);
bool is_secret_parameter(std::string_view name, const RuleSet& rules);

// Builds a Plan from an already parsed plan document (used by the adapters that turn
// scripts and templates into opguard's plan form).
Plan plan_from_node(const SourceRegistry& sources, uint32_t file_id, const Node& root, const RuleSet& rules);

}  // namespace opguard
