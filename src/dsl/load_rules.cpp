#include <algorithm>
#include <filesystem>
#include <set>

#include "dsl/builtin_rules.hpp"
#include "dsl/rule_set_io.hpp"
#include "opguard.hpp"

namespace opguard {

RuleSet load_rules(SourceRegistry& sources, const RuleSources& from) {
    // Every syntax and semantic error of every file is collected, then all are reported.
    RuleErrors errors(sources);
    std::vector<ParsedRuleFile> files;
    bool complete = true;
    auto parse = [&](uint32_t id, bool may_override) {
        ParsedItems parsed = parse_rule_items(sources, id, errors);
        complete = complete && parsed.complete;
        files.push_back({id, std::move(parsed.items), may_override, std::move(parsed.broken)});
    };
    // Only the built-in rules: the binary carries them compiled (rule_set_io.hpp). Their texts
    // are registered as before, so that every origin names the same file:line:col; a compiled
    // form from other texts than the embedded ones is not used (the texts are parsed).
    // With --rules the built-in and the user's files are compiled together, as always.
    if (from.builtin && from.dirs.empty() && &compiled_builtin_rules != nullptr) {
        std::vector<uint32_t> ids;
        for (const auto& f : builtin_rule_files()) ids.push_back(sources.add_static(f.name, f.text));
        RuleSet compiled;
        if (deserialize_rule_set(compiled_builtin_rules(), builtin_rules_hash(), ids, compiled, from.defer_bodies))
            return compiled;
        for (uint32_t id : ids) parse(id, false);
    } else if (from.builtin) {
        for (const auto& f : builtin_rule_files()) parse(sources.add_static(f.name, f.text), false);
    }
    for (const auto& dir : from.dirs) {
        std::error_code ec;
        std::vector<std::string> paths;
        if (std::filesystem::is_directory(dir, ec)) {
            for (const auto& e : std::filesystem::directory_iterator(dir, ec))
                if (e.path().extension() == ".rules") paths.push_back(e.path().string());
            if (ec) throw InputError(dir, {}, "input.unreadable", "cannot list directory: " + ec.message());
            std::sort(paths.begin(), paths.end());
            if (paths.empty()) throw InputError(dir, {}, "rules.empty-directory", "directory holds no .rules files");
        } else {
            paths.push_back(dir);
        }
        for (const auto& p : paths) parse(sources.add(p, read_file_bytes(p, RuleParseLimits{}.max_bytes)), true);
    }
    // A file not read at all (too large) defines names nobody can know:
    // compiling the others would report each of their uses as unknown.
    RuleSet rules;
    if (complete) rules = compile_rules(sources, files, errors);
    errors.throw_if_any();
    return rules;
}

void decode_rule_bodies(RuleSet& rules, const Plan& plan) {
    std::set<std::string, std::less<>> operations;
    for (const auto& c : plan.calls)
        if (c.operation) operations.insert(c.operation->name);
    auto reached = [&](const std::vector<std::string>& names) {
        return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return operations.count(n) > 0; });
    };
    for (Rule& r : rules.rules)
        if (!r.encoded.empty() && (r.operations.empty() || r.applies_to("*") || reached(r.operations))) decode_body(r);
    for (Effect& e : rules.effects)
        if (!e.encoded.empty() && reached(e.operations)) decode_body(e);
}

}  // namespace opguard
