#pragma once
// The rule language's built-in functions: the one list that both the compiler (names and
// arity) and the evaluator (behaviour, in engine/eval.cpp) follow.
#include <string_view>

namespace opguard {

struct BuiltinSpec {
    std::string_view name;
    int min_args;
    int max_args;
    int lambda_arg;        // index of an argument evaluated once per element with `it` bound; -1 none
    std::string_view doc;  // one line for `opguard rules functions` and the README
};

// Returns nullptr for an unknown name.
const BuiltinSpec* find_builtin(std::string_view name);
// All built-ins, in documentation order.
const BuiltinSpec* builtins_begin();
const BuiltinSpec* builtins_end();

}  // namespace opguard
