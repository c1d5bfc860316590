#pragma once
// The rule files of rules/, compiled into the binary by cmake/embed_rules.cmake.
#include <string_view>
#include <vector>

namespace opguard {

// Views of literals of the binary (no copy is made at start-up); register them with
// SourceRegistry::add_static.
struct EmbeddedRuleFile {
    std::string_view name;  // "builtin/<file>.rules"
    std::string_view text;
};

const std::vector<EmbeddedRuleFile>& builtin_rule_files();

}  // namespace opguard
