#pragma once
// inventory_script: a plan + the rules' listings => a POSIX shell script of the client
// commands (aliyun, hcloud) that save the responses `check` reads for that plan, as files
// `check --inventory DIR` finds.
//
// Which objects a plan needs comes from the rules, by the machinery `check` uses: each
// call's targets (of the operation's target_kind) and every lookup(kind, id[, region]) the
// operation's lets make, evaluated per target with no inventory. Each kind's `listing`
// (rule_set.hpp) says which command lists it by id and how ids, region and pages are
// spelled; the engine names no API. Commands are grouped by listing and region, ids sorted
// and chunked by the listing's max_ids; output is deterministic. What cannot be known from
// the plan alone (an unknown region, an unresolved id, a kind no listing covers, objects
// the rules reach only through other saved objects) is said in comments; given the
// responses saved so far, the lookups read them and name those objects as well.
#include <string>

#include "core/source.hpp"
#include "dsl/rule_set.hpp"
#include "input/inventory.hpp"
#include "input/plan.hpp"

namespace opguard {

struct InventoryScriptOptions {
    std::string dir = "inventory";  // where the script writes the responses (check --inventory DIR)
    std::string plan_path;          // the plan as given, named in the script's comments
    // Responses saved already (inventory --inventory DIR): lookups read them, so objects the
    // rules reach through saved ones (the image a saved desktop runs) get their ids too.
    const Inventory* inventory = nullptr;
};

std::string inventory_script(const SourceRegistry& sources, const Plan& plan, const RuleSet& rules,
                             const InventoryScriptOptions& options);

// `word` as one POSIX shell word: unchanged when it holds only characters the shell takes
// literally, else in single quotes (a ' inside written '\'').
std::string shell_word(const std::string& word);

}  // namespace opguard
