#pragma once
// parse_rule_file: rule text => syntax tree (ast::Item list). X3 grammar in parser.cpp.
#include <vector>

#include "core/source.hpp"
#include "dsl/ast.hpp"

namespace opguard {

// Limits that keep rule files from anyone safe to load.
struct RuleParseLimits {
    size_t max_bytes = 4 * 1024 * 1024;
    size_t max_nesting = 64;  // brackets, parentheses and braces inside one expression
};

// The height of one expression tree (operator chains, member paths) is at most this; a
// deeper one is a "rules.nesting" error, so evaluating or freeing it never exhausts the stack.
inline constexpr uint32_t kMaxExpressionDepth = 256;

// Parses file `file_id`. Throws InputError (id "rules.syntax" or "rules.nesting") naming
// file:line:col, what was expected and what was found.
std::vector<ast::Item> parse_rule_file(const SourceRegistry& sources, uint32_t file_id,
                                       const RuleParseLimits& limits = {});

// Parses one expression, used for "{expr}" parts of message templates. `offset` is where
// `text` starts inside the file, so positions stay right.
ast::ExprPtr parse_expression(const SourceRegistry& sources, uint32_t file_id, uint32_t offset,
                              std::string_view text);

}  // namespace opguard
