#pragma once
// Helpers the renderers share (internal to report/): counts, wording of locations,
// evidence, cloud answers and waivers, so every format says the same thing the same way.
#include <string>
#include <vector>

#include "engine/report.hpp"

namespace opguard::report_detail {

// The report's findings, effects and explanations by call index (index calls.size(): the
// plan-wide ones), in report order: renderers walk calls without rescanning the report.
struct ByCall {
    std::vector<std::vector<const Finding*>> findings;
    std::vector<std::vector<const EffectRecord*>> effects;
    std::vector<std::vector<const RuleExplanation*>> explanations;
};
ByCall by_call(const Report& r);

// The call counts the summary line says (Report::call_counts), and the findings that count.
struct Counts : Report::CallCounts {
    size_t errors = 0, warnings = 0, infos = 0, waived = 0;
};
Counts counts(const Report& r);

// "80 GiB" ("more than 1.7e308 GiB" for a sum that overflowed)
std::string gib(double g);
// "Stopped -> Rebuilding -> Stopped"
std::string status_path(const std::vector<std::string>& p);
// "desktop ecd-x (inventory/desktops.json#/Desktops/0)"
std::string evidence_text(const Citation& c);
// All citations of a finding joined with "; " ("" when none).
std::string evidence_list(const Finding& f);
// "HTTP 400 code undocumented", "IncorrectDesktopStatus"; "" for rules that refuse nothing.
std::string cloud_answer(const Rule& r);
// "; effects shown as if the call runs" for a call whose answer is undocumented and whose
// effects are predicted ("" when they are not: a conditional step, unresolved targets).
std::string effects_as_if(const CallOutcome& c);
// "none", "call", "target" or "maybe": a rule's `refuses`, as rule files write it.
const char* refusal_name(Refusal r);
// "basis; source" plus the cloud answer when the rule refuses: the parenthesised line of the text report.
std::string rule_meta(const Rule& r);
// "waived: REASON (expires D; waiver at FILE:L:C)"
std::string waiver_text(const WaiverRef& w);
// "call hk-1" / "call hk-1, target ecd-x" / "plan" — where a finding belongs.
std::string subject(const Finding& f);
// One target's outcome as the text formats word it: "accepted Success", "refused (code
// undocumented)", "refused IncorrectDesktopStatus \"...\"", "unresolved (a value opguard ...)".
std::string target_outcome(const TargetOutcome& t);
// One effect as every format words it: "disk d-1 erased (80 GiB): ... [inferred]",
// "desktop ecd-x status Running -> Stopping -> Stopped"; the basis is named whenever it is
// not documented, so an inferred or undocumented prediction reads as one in every format.
std::string effect_line(const EffectRecord& e);
// Effects whose effect item says data_loss, in report order.
std::vector<const EffectRecord*> data_loss_effects(const Report& r);
// At most `max` bytes of `s` (cut at a UTF-8 boundary) followed by "..." when cut.
std::string shorten(const std::string& s, size_t max);
// The compact JSON of an explained value, shortened for one line.
std::string explained_value(const RuleExplanation::Value& v, size_t max);
bool at_or_above(Severity s, Severity threshold);
// "1 error, 2 warnings, 0 info" (plus ", N waived" when some are): the count line.
std::string count_line(const Counts& n);

}  // namespace opguard::report_detail
