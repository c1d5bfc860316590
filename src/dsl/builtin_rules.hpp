#pragma once
// The rule files of rules/, compiled into the binary by cmake/embed_rules.cmake.
#include <string>
#include <vector>

namespace opguard {

struct EmbeddedRuleFile {
    std::string name;  // "builtin/<file>.rules"
    std::string text;
};

const std::vector<EmbeddedRuleFile>& builtin_rule_files();

}  // namespace opguard
