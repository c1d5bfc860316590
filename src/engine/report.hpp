#pragma once
// Report: everything one run of `opguard check` concluded — predicted outcome of every
// call and target, findings, effects, and the state of touched resources before and after.
// Renderers (report/) turn it into text, JSON and the other formats; nothing else does.
#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "core/node.hpp"
#include "core/source.hpp"
#include "dsl/rule_set.hpp"

namespace opguard {

struct Location {
    std::string file;
    Position pos;  // 1-based; unknown when pos.line == 0
};

// An inventory fact a finding rests on.
struct Citation {
    std::string kind;
    std::string id;
    std::string file;
    std::string pointer;
};

// The waiver a finding matched. A waived finding is still reported (as waived, with the
// reason) but does not count toward --fail-on (see engine/waivers.hpp).
struct WaiverRef {
    std::string reason;
    std::string expires;   // YYYY-MM-DD, or "" for no expiry
    Location location;     // where the waiver is written: the waiver file or the plan's call
    bool in_plan = false;  // written on the call in the plan (else in a --waivers file)
};

struct Finding {
    const Rule* rule = nullptr;
    size_t call_index = 0;     // calls.size() for plan-wide findings with no call
    std::string call_id;
    std::string operation;
    std::string target;        // target id, when the rule looked at one target
    std::string message;
    Location location;
    std::vector<Citation> evidence;
    std::optional<WaiverRef> waiver;  // set when a waiver covers this finding
    bool waived() const { return waiver.has_value(); }
};

struct TargetOutcome {
    std::string id;
    Location location;
    // accepted | refused | not-run (the whole call was refused) | unresolved (the target is a
    // value opguard cannot resolve, "$ID": not checked, no effect predicted, no code) |
    // undocumented (a `refuses = maybe` rule doubts it: its effects are predicted as if accepted)
    std::string outcome;
    // Its effects are predicted: accepted, or undocumented (the worse case).
    bool runs() const { return outcome == "accepted" || outcome == "undocumented"; }
    std::string code;      // refusal code, or the success code
    std::string message;
    bool found = true;
};

struct CallOutcome {
    size_t index = 0;
    std::string id;
    std::string operation;     // "" when no rule file describes the call
    std::string label;         // product/action or method path, as the plan wrote it
    Location location;
    bool accepted = false;
    bool known = false;
    // Not empty: an accepted call whose answer the documentation does not settle (why, in
    // words): a rule with `refuses = maybe` fired, or a target is refused and the
    // documentation does not say how the cloud answers that (the response has no per-target
    // result, or the refusing rule's code is undocumented). No HTTP status, no predicted
    // response; its effects are predicted as if it runs (the worse case for data). Reports
    // give the call's outcome as "undocumented".
    std::string answer_undocumented;
    int http = 0;              // 0: undocumented
    std::string code;
    std::string message;
    std::vector<TargetOutcome> targets;
    Node response;             // predicted response body
    bool read_only = false;
    // The call's effects are not predicted (request.adapter.no_effects): a dry-run line that
    // sends nothing, or a step that runs only under a condition checked when it runs (OOS).
    // No effects, no state change, not in the summary.
    bool dry_run = false;
    bool wait = false;         // the plan waits after this call until its asynchronous work has finished
    // A value that names the call's targets is unresolved (request.adapter.unresolved_target):
    // the call acts on objects opguard cannot resolve, and their effects are not predicted.
    bool unresolved_targets = false;
    // An accepted, modeled call that sends its request and acts on targets opguard cannot resolve.
    // A read-only call changes nothing, so it is not counted.
    bool acts_on_unresolved() const { return known && accepted && !dry_run && !read_only && unresolved_targets; }
    // A step that runs only under a condition checked when it runs (request.adapter.conditional,
    // an OOS stop or delete step): modeled and accepted, its effects not predicted. The summary
    // says so rather than "no change".
    bool conditional = false;
    // The call stands for a script line or template task whose API calls opguard does not read
    // (request.adapter.placeholder: an OOS loop over an empty or unknown list, a line that runs
    // a script or a command opguard cannot see). Not predicted; the summary says so rather than
    // "no change" or "not modeled".
    bool placeholder = false;
    bool acts_conditionally() const { return known && accepted && !read_only && conditional; }
};

// What the summary and every report say of a call that acts_on_unresolved().
inline constexpr const char* kUnresolvedTargetsText = "acts on targets opguard cannot resolve: its effects are not predicted";

// What the text reports add to a target whose outcome is "unresolved".
inline constexpr const char* kUnresolvedTargetText = "(a value opguard cannot resolve: not checked, its effects not predicted)";

// A wait step of the plan (input/plan.hpp WaitStep): not a call, so not in `calls` nor in
// any count; `waited` names the earlier calls whose asynchronous work was still pending.
struct WaitOutcome {
    std::string id;
    Location location;
    size_t after = 0;                  // the number of calls before it
    std::vector<std::string> waited;   // call ids, in plan order
};

struct EffectRecord {
    const Effect* effect = nullptr;
    size_t call_index = 0;
    std::string call_id;
    std::string target;
    Origin target_origin;        // where the plan names the target (unknown: no target)
    // Views of the rule set's text, which outlives the report (as `effect` does):
    std::string_view noun;        // the effect's noun: the object's resource kind where it is one ("hw_desktop")
    std::string_view noun_title;  // the noun as reports print it: that kind's title ("Huawei desktop"), else the noun
    std::string_view verb;
    std::string id;
    std::optional<double> size_gib;
    std::string detail;
    std::vector<std::string> status_path;
    // history(noun, id) as it stood before this call: what earlier calls of the plan did to
    // the object the effect names (`effect.earlier` in effect-scope rules). Kept as plain
    // records (made into values only when a rule reads the effect); empty when the effect
    // names no object, or when no loaded rule has scope effect (nothing reads it then).
    // Calls by their index in the plan, verbs as the effects name them (the rule set outlives
    // the report): copying one is copying a few words, as each effect of a call on an object
    // that earlier calls touched does.
    struct Earlier {
        const Operation* operation = nullptr;
        size_t first_call = 0, last_call = 0;  // indexes into the plan's calls
        size_t count = 0;
        bool pending = false;
        bool data_loss = false;
        bool deleted = false;
        std::vector<const std::string*> effects;  // Effect::verb, each once, in order
    };
    std::vector<Earlier> earlier;
};

// A resource that the plan changes: its fields as saved and as the plan leaves them.
struct ResourceChange {
    std::string kind;
    std::string id;
    std::vector<std::pair<std::string, std::pair<Node, Node>>> fields;  // name => (before, after)
};

// `check --explain`: one evaluation of one rule (per call, target and `for` element): whether
// it fired, the top-level operands of its `when` with their values, and the named values
// (`let`s) it had computed. Values are copies without origins.
struct RuleExplanation {
    const Rule* rule = nullptr;
    size_t call_index = 0;     // calls.size() for plan-wide rules
    std::string call_id;
    std::string target;
    std::string loop_var;      // the rule's `for` variable, with its value in loop_value
    Node loop_value;
    bool fired = false;
    std::string connective;    // "and" / "or" when `when` is a chain of them, else ""
    struct Value { std::string name; Node value; std::string error; };
    std::vector<Value> operands;  // expression text => value
    std::vector<Value> lets;      // let name => value
};

// A per-run change to the rule set (check --skip-rule, --severity, or the same keys of
// .opguard.yaml), shown in every report format so a reviewer sees it (engine/overrides.hpp).
struct RuleOverride {
    enum class Action : uint8_t { Skip, Severity };
    std::string rule;
    Action action = Action::Skip;
    Severity from = Severity::Error;  // the rule's own severity
    Severity to = Severity::Error;    // Severity: the severity of this run; Skip: == from
    Location origin;                  // {"command line", unknown} or the configuration file's line:col
    size_t findings = 0;              // Skip: the findings of the rule this run did not report
};

struct Report {
    std::string plan_file;
    std::vector<std::string> inventory_files;
    size_t rule_count = 0;                   // rules.size()
    std::vector<CallOutcome> calls;
    std::vector<WaitOutcome> waits;    // the plan's wait steps, in plan order
    std::vector<Finding> findings;
    std::deque<EffectRecord> effects;  // a deque: hundreds of thousands for a large plan, never copied to grow
    std::vector<ResourceChange> changes;
    std::vector<std::string> summary_parts;  // "3 desktops rebuilt", "4 disks erased (360 GiB)", ...
    // The rules that apply to this plan, in rule-set order: those of an operation some call
    // is of, those for every call ('*') when there is a call, and whole-plan policies. A rule
    // for another operation is not among them, so adding one changes no report of this plan.
    std::vector<const Rule*> rules;
    std::vector<RuleExplanation> explanations;  // filled only by `check --explain`
    std::vector<RuleOverride> overrides;        // by rule id; empty without --skip-rule / --severity
    uint64_t evaluation_steps = 0;     // rule-language steps the simulation took (not rendered)

    // The calls and targets by outcome, counted in one place for the summary line and
    // every format's counts (report/common.hpp): a call no rule file describes is not
    // predicted, so not refused; a placeholder step is counted apart from it; a dry-run
    // line sends nothing, so refuses nothing.
    struct CallCounts {
        size_t calls = 0, targets = 0;
        size_t refused = 0, targets_refused = 0;
        size_t not_modeled = 0;   // no operation in the rules (placeholders not counted)
        size_t not_read = 0;      // CallOutcome::placeholder
        size_t unresolved = 0;    // CallOutcome::acts_on_unresolved()
        size_t conditional = 0;   // CallOutcome::acts_conditionally()
        size_t answer_undocumented = 0;  // accepted, CallOutcome::answer_undocumented set (not dry runs)
    };
    CallCounts call_counts() const;
    // Findings of severity `s` that count (waived ones do not).
    size_t count(Severity s) const;
    size_t waived_count() const;
    // The one-line summary: "Plan: 3 desktops rebuilt, ...; 2 targets refused." Never "no change"
    // when a modeled call runs only under a condition checked when it runs (its effects are not
    // predicted), nor
    // when a call acts on targets opguard cannot resolve: "...; 1 call acts on targets opguard
    // cannot resolve: its effects are not predicted."
    std::string summary() const;
};

// Sorts `v` as std::stable_sort does, moving each element at most once (a finding holds
// several strings and a list): nothing when it is sorted already, else through its indexes.
template <class T, class Less>
void stable_sort_moved_once(std::vector<T>& v, Less less) {
    if (std::is_sorted(v.begin(), v.end(), less)) return;
    std::vector<size_t> order(v.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return less(v[a], v[b]); });
    std::vector<T> sorted;
    sorted.reserve(v.size());
    for (size_t i : order) sorted.push_back(std::move(v[i]));
    v = std::move(sorted);
}

// Exit-code policy lives with the result: 1 when a finding at or above `fail_on` exists
// that no waiver covers.
int exit_code(const Report& r, Severity fail_on);

}  // namespace opguard
