#pragma once
// parse_rule_file: rule text => syntax tree (ast::Item list). X3 grammar in parser.cpp.
#include <vector>

#include "core/source.hpp"
#include "dsl/ast.hpp"
#include "dsl/rule_errors.hpp"

namespace opguard {

// Limits that keep rule files from anyone safe to load.
struct RuleParseLimits {
    size_t max_bytes = 4 * 1024 * 1024;
    size_t max_nesting = 64;  // brackets, parentheses and braces inside one expression
};

// The height of one expression tree (operator chains, member paths) is at most this; a
// deeper one is a "rules.nesting" error, so evaluating or freeing it never exhausts the stack.
inline constexpr uint32_t kMaxExpressionDepth = 256;

// What parse_rule_items read of one file: the items that parsed, and those that did not.
struct ParsedItems {
    std::vector<ast::Item> items;
    // Names of the items with a syntax error ("rule x { ..." read as far as its name), so the
    // compiler does not also call every use of them unknown.
    std::vector<std::string> broken;
    bool complete = true;  // false: the file was not read at all (too large)
};

// Parses file `file_id`, every item it can. A syntax error goes to `errors` (id
// "rules.syntax": what was expected and what was found; "rules.unclosed": a bracket not
// closed before the next item or the end of the file, at the bracket; "rules.nesting";
// "rules.too-large") and parsing goes on at the next item: after the closing brace of the
// broken item, or at the next line that starts an item (`rule NAME {`, `set NAME {`, ...),
// whichever comes first.
ParsedItems parse_rule_items(const SourceRegistry& sources, uint32_t file_id, RuleErrors& errors,
                             const RuleParseLimits& limits = {});

// parse_rule_items, then throws RuleErrorList (an InputError naming the first error's
// file:line:col) when the file has a syntax error.
std::vector<ast::Item> parse_rule_file(const SourceRegistry& sources, uint32_t file_id,
                                       const RuleParseLimits& limits = {});

// Parses one expression, used for "{expr}" parts of message templates. `offset` is where
// `text` starts inside the file, so positions stay right.
ast::ExprPtr parse_expression(const SourceRegistry& sources, uint32_t file_id, uint32_t offset,
                              std::string_view text);

}  // namespace opguard
