#pragma once
// Waivers: accepted findings. A waiver names a rule, optionally the targets it covers, a
// required reason and an optional expiry date. It is written either on a call of the plan
// ("waivers": [...], covering that call) or in a waiver file given with --waivers
// (schemas/waivers.schema.json; it may name the call it covers by id).
//
//   plan calls' "waivers" + --waivers files ──load──> vector<Waiver>
//   Report + waivers + today ──apply_waivers──> Report with waived findings marked, plus
//                                               waiver.expired / waiver.unused findings
//
// A waived finding stays in every report, marked waived with its reason, and does not
// count toward --fail-on. A waiver whose expiry date is before `today` no longer applies
// and is reported (rule waiver.expired); a live waiver that covers no finding is
// reported too (rule waiver.unused). Both are warnings located at the waiver.
#include <optional>
#include <string>
#include <vector>

#include "core/source.hpp"
#include "dsl/rule_set.hpp"
#include "engine/report.hpp"
#include "input/plan.hpp"

namespace opguard {

struct Waiver {
    std::string rule;                    // rule id (checked against the rule set)
    std::optional<size_t> call_index;    // plan waivers: the call they are written on
    std::string call;                    // file waivers: the call id they cover ("" = every call)
    std::vector<std::string> targets;    // the targets covered ("" = every finding of the rule on the call)
    std::string reason;
    std::string expires;                 // YYYY-MM-DD, "" for none
    Location location;                   // the waiver object
    bool in_plan = false;
    // File waivers: the API the covered call makes ("" = any): its operation (ecs.ModifyDiskSpec),
    // its action (ModifyDiskSpec) or product.Action. A script's call ids are positions
    // (line-12): after an edit another call sits there, and the waiver must not cover it.
    std::string action;
};

// Strict parsers: an unknown key, a wrong type, an empty reason, a malformed or impossible
// date or an unknown rule id is an InputError (waivers.unknown-key, waivers.shape,
// waivers.date, waivers.unknown-rule) with file:line:col and JSON pointer.
std::vector<Waiver> load_waiver_file(SourceRegistry& sources, const std::string& path, const RuleSet& rules);
std::vector<Waiver> plan_waivers(const SourceRegistry& sources, const Plan& plan, const RuleSet& rules);

// Marks waived findings and appends the waiver.expired / waiver.unused findings (then
// re-sorts the findings by call, keeping the existing order within a call).
// `today` is YYYY-MM-DD (see today_utc); a waiver expiring on `today` still applies.
void apply_waivers(Report& report, const std::vector<Waiver>& waivers, const std::string& today);

// True for a real calendar date written YYYY-MM-DD.
bool valid_date(std::string_view s);
// The current UTC date, YYYY-MM-DD.
std::string today_utc();

// The pseudo-rules of the findings apply_waivers adds (static storage; listed by
// `rules list`-like consumers such as the SARIF driver when they occur).
const Rule& waiver_expired_rule();
const Rule& waiver_unused_rule();

}  // namespace opguard
