#pragma once
// compile_rules: syntax trees of all rule files => RuleSet, checked: unknown or repeated
// properties, wrong value types, unknown operations and identifiers, duplicate ids.
#include <vector>

#include "core/source.hpp"
#include "dsl/ast.hpp"
#include "dsl/rule_set.hpp"

namespace opguard {

struct ParsedRuleFile {
    uint32_t file_id;
    std::vector<ast::Item> items;
    bool may_override = false;  // a user's --rules file: its `set` items replace built-in ones
};

// Throws InputError ("rules.unknown-property", "rules.type", "rules.duplicate",
// "rules.unknown-operation", "rules.unknown-name", "rules.missing-property", ...).
RuleSet compile_rules(const SourceRegistry& sources, const std::vector<ParsedRuleFile>& files);

}  // namespace opguard
