#pragma once
// compile_rules: syntax trees of all rule files => RuleSet, checked: unknown or repeated
// properties, wrong value types, unknown operations and identifiers, duplicate ids.
#include <vector>

#include "core/source.hpp"
#include "dsl/ast.hpp"
#include "dsl/rule_errors.hpp"
#include "dsl/rule_set.hpp"

namespace opguard {

struct ParsedRuleFile {
    uint32_t file_id;
    std::vector<ast::Item> items;
    bool may_override = false;  // a user's --rules file: its `set` items replace built-in ones
    std::vector<std::string> broken = {};  // names of its items with a syntax error (ParsedItems::broken)
};

// Every error goes to `errors` ("rules.unknown-property", "rules.type", "rules.duplicate",
// "rules.unknown-operation", "rules.unknown-name", "rules.unknown-function", "rules.arity",
// "rules.missing-property", ..., with "did you mean" where a known name is close); the
// compiler goes on after each. The RuleSet is meant for use only when `errors` is empty.
// A name that only a broken item (`broken`) could define is not reported.
RuleSet compile_rules(const SourceRegistry& sources, const std::vector<ParsedRuleFile>& files, RuleErrors& errors);

// As above; throws RuleErrorList (an InputError naming the first error) when there is one.
RuleSet compile_rules(const SourceRegistry& sources, const std::vector<ParsedRuleFile>& files);

}  // namespace opguard
