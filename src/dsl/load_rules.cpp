#include <algorithm>
#include <filesystem>

#include "dsl/builtin_rules.hpp"
#include "dsl/rule_set_io.hpp"
#include "opguard.hpp"

namespace opguard {

RuleSet load_rules(SourceRegistry& sources, const RuleSources& from) {
    std::vector<ParsedRuleFile> files;
    // Only the built-in rules: the binary carries them compiled (rule_set_io.hpp). Their texts
    // are registered as before, so that every origin names the same file:line:col; a compiled
    // form from other texts than the embedded ones is not used (the texts are parsed).
    // With --rules the built-in and the user's files are compiled together, as always.
    if (from.builtin && from.dirs.empty() && &compiled_builtin_rules != nullptr) {
        std::vector<uint32_t> ids;
        for (const auto& f : builtin_rule_files()) ids.push_back(sources.add(f.name, f.text));
        RuleSet compiled;
        if (deserialize_rule_set(compiled_builtin_rules(), builtin_rules_hash(), ids, compiled)) return compiled;
        for (uint32_t id : ids) files.push_back({id, parse_rule_file(sources, id), false});
        return compile_rules(sources, files);
    }
    if (from.builtin) {
        for (const auto& f : builtin_rule_files()) {
            uint32_t id = sources.add(f.name, f.text);
            files.push_back({id, parse_rule_file(sources, id), false});
        }
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
        for (const auto& p : paths) {
            uint32_t id = sources.add(p, read_file_bytes(p, RuleParseLimits{}.max_bytes));
            files.push_back({id, parse_rule_file(sources, id), true});
        }
    }
    return compile_rules(sources, files);
}

}  // namespace opguard
