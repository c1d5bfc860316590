#pragma once
// The rule files of rules/, compiled into the binary by cmake/embed_rules.cmake.
#include <cstdint>
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

// The first 64 bits of a SHA-256 of every file's name, size and bytes, in order, computed by
// cmake/embed_rules.cmake when it embedded them (so nothing hashes the texts at run time).
// The compiled form of the rules carries the hash of the texts it was compiled from: the
// binary uses it only when the two agree (dsl/rule_set_io.hpp).
uint64_t builtin_rules_hash();

}  // namespace opguard
