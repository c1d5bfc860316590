#pragma once
// The rule language's syntax tree. Every node keeps the byte offset where it starts in
// its rule file (Origin), so semantic errors and findings can name file:line:col.
//
// Grammar (EBNF; '#' starts a comment to the end of the line):
//   file      = { item } ;
//   item      = kind name "{" { property } "}" ;
//   kind      = "resource" | "operation" | "rule" | "effect" | "set" | "listing"
//             | "client" | "product" | "cli_api" | "route"     (client spellings: rule_set.hpp)
//             | "oos_action" | "terraform_resource" ;
//   name      = letter { letter | digit | "_" | "-" | "." } ;
//   property  = "for" ident "in" expr ";"          (iterate: bind ident to each element)
//             | "let" ident "=" expr ";"           (a named value, computed when first used)
//             | "set" expr "=" expr ";"            (an effect writes a field of a resource)
//             | ident "=" expr ";" ;               (a plain property)
//   expr      = and { "or" and } ;
//   and       = not { "and" not } ;
//   not       = { "not" } compare ;             (a run of "not"s is one node with a count)
//   compare   = sum [ ("==" | "!=" | "<=" | ">=" | "<" | ">" | "in" | "not" "in") sum ] ;
//   sum       = term { ("+" | "-") term } ;
//   term      = unary { ("*" | "/") unary } ;
//   unary     = { "-" } postfix ;
//   postfix   = primary { "." ident | "[" expr "]" } ;
//   primary   = number | string | "true" | "false" | "null"
//             | ident "(" [ expr { "," expr } ] ")"      (a built-in function)
//             | ident | "[" [ expr { "," expr } ] "]"    (a list)
//             | "{" [ key ":" expr { "," key ":" expr } ] "}"   (an object; key = ident | string)
//             | "(" expr ")" ;
//   string    = '"' { char | escape } '"' ;   inside message templates "{expr}" interpolates
//                                             and "{{" / "}}" stand for literal braces.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/node.hpp"
#include "core/source.hpp"

namespace opguard::ast {

enum class Op : uint8_t {
    Literal, Var, Member, Index, Call, List, Object,
    Not, Neg, And, Or, Eq, Ne, Lt, Le, Gt, Ge, In, NotIn, Add, Sub, Mul, Div
};

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

struct Expr {
    Op op = Op::Literal;
    Origin origin;              // where the expression starts in its rule file
    Node literal;               // Op::Literal
    std::string name;           // Var / Member (field) / Call (function name)
    std::vector<ExprPtr> args;  // operands, call arguments, list items, object values
    std::vector<std::string> keys;  // Op::Object keys, parallel to args
    uint32_t depth = 1;             // height of this tree; the parser bounds it (see parser.hpp)
    uint32_t repeat = 1;            // Op::Not / Op::Neg: how many times the operator was written
    uint8_t fn = 0;                 // Op::Call: the built-in (dsl/builtins.hpp Fn), set by compile_rules; 0 = by name
    // Op::Member: `name` interned, made on the member's first evaluation (a field is then
    // found by comparing pointers: every member name of a value is interned).
    mutable std::optional<Key> member_key;
};

enum class PropertyForm : uint8_t { Plain, Let, For, Set };

struct Property {
    PropertyForm form = PropertyForm::Plain;
    std::string key;       // property name, let/for variable
    Origin key_origin;
    ExprPtr target;        // Set: the field written
    ExprPtr value;
};

struct Item {
    std::string kind;      // resource | operation | rule | effect | set | listing | client | product | cli_api | route
                           // | oos_action | terraform_resource
    std::string name;
    Origin origin;         // the kind keyword
    Origin name_origin;
    std::vector<Property> properties;
};

}  // namespace opguard::ast
