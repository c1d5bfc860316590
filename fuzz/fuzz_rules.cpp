// libFuzzer target: a rule file from anyone. parse_rule_items + compile_rules with the
// built-in rules, every error collected; when it compiles, the sample plan is checked against the sample inventory
// with the resulting rule set and rendered in every format (so the evaluator runs the
// fuzzed expressions too, under its step budget).
//
// The input is compiled together with the built-in files, except a built-in file that
// defines an item the input also defines (same kind and name): a mutated copy of
// rules/ecd_rebuild_desktops.rules replaces that file instead of clashing with it.
#include <set>
#include <utility>

#include "fuzz_common.hpp"

using namespace opguard;
using namespace opguard::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const Builtins& b = builtins();
    static const std::vector<std::string> inventory = sample_inventory_files();
    static const std::string plans[2] = {source_dir() + "/samples/rebuild-plan.json",
                                         source_dir() + "/samples/operations-plan.json"};
    return guarded([&] {
        SourceRegistry s;
        add_builtins(s);
        uint32_t id = s.add("fuzz.rules", std::string(reinterpret_cast<const char*>(data), size));
        // As load_rules does: syntax errors are collected, and what parsed is compiled all the
        // same (recovery and the compiler on partial items are fuzzed too).
        RuleErrors errors(s);
        ParsedItems parsed = parse_rule_items(s, id, errors);
        if (!parsed.complete) errors.throw_if_any();
        ParsedRuleFile mine{id, std::move(parsed.items), true, std::move(parsed.broken)};
        std::set<std::pair<std::string, std::string>> defined;
        for (const auto& item : mine.items) defined.emplace(item.kind, item.name);
        std::vector<ParsedRuleFile> files;
        for (const auto& f : b.parsed) {
            bool clash = false;
            for (const auto& item : f.items) clash = clash || defined.count({item.kind, item.name});
            if (!clash) files.push_back(f);
        }
        files.push_back(std::move(mine));
        RuleSet rules = compile_rules(s, files, errors);
        errors.throw_if_any();
        Plan plan = load_plan(s, plans[size % 2], rules);
        Inventory inv = load_inventory(s, inventory, rules);
        check_and_render(s, plan, inv, rules);
    });
}
