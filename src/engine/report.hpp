#pragma once
// Report: everything one run of `opguard check` concluded — predicted outcome of every
// call and target, findings, effects, and the state of touched resources before and after.
// Renderers (report/) turn it into text, JSON and the other formats; nothing else does.
#include <optional>
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

struct Finding {
    const Rule* rule = nullptr;
    size_t call_index = 0;     // calls.size() for plan-wide findings with no call
    std::string call_id;
    std::string operation;
    std::string target;        // target id, when the rule looked at one target
    std::string message;
    Location location;
    std::vector<Citation> evidence;
};

struct TargetOutcome {
    std::string id;
    Location location;
    std::string outcome;   // accepted | refused | not-run (the whole call was refused)
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
    int http = 0;              // 0: undocumented
    std::string code;
    std::string message;
    std::vector<TargetOutcome> targets;
    Node response;             // predicted response body
    bool read_only = false;
};

struct EffectRecord {
    const Effect* effect = nullptr;
    size_t call_index = 0;
    std::string call_id;
    std::string target;
    std::string noun;
    std::string verb;
    std::string id;
    std::optional<double> size_gib;
    std::string detail;
    std::vector<std::string> status_path;
};

// A resource that the plan changes: its fields as saved and as the plan leaves them.
struct ResourceChange {
    std::string kind;
    std::string id;
    std::vector<std::pair<std::string, std::pair<Node, Node>>> fields;  // name => (before, after)
};

struct Report {
    std::string plan_file;
    std::vector<std::string> inventory_files;
    size_t rule_count = 0;
    std::vector<CallOutcome> calls;
    std::vector<Finding> findings;
    std::vector<EffectRecord> effects;
    std::vector<ResourceChange> changes;
    std::vector<std::string> summary_parts;  // "3 desktops rebuilt", "4 disks erased (360 GiB)", ...

    size_t count(Severity s) const;
    // The one-line summary: "Plan: 3 desktops rebuilt, ...; 2 targets refused."
    std::string summary() const;
};

// Exit-code policy lives with the result: 1 when a finding at or above `fail_on` exists.
int exit_code(const Report& r, Severity fail_on);

}  // namespace opguard
