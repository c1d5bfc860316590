#pragma once
// The rule language's built-in functions: the one list that both the compiler (names and
// arity) and the evaluator (behaviour, in engine/eval.cpp) follow.
#include <cstdint>
#include <string_view>

namespace opguard {

// The built-ins by number, so the evaluator dispatches with a switch rather than by name
// (the compiler stores it in ast::Expr::fn). Unknown: not a built-in, or not resolved yet.
enum class Fn : uint8_t {
    Unknown,
    Count, Len, Lower, Upper, StartsWith, EndsWith, Contains, Before, After, Exists, Missing, Default, IsAscii, Number, String, List, Any, All, Filter, Map, CountIf, Sum, Min, Max, First, Join, Concat, Unique, Repeated, Lookup, FindAll, Loaded, History, FirstPriorCall, Declared, UndeclaredParams, MissingParams, MistypedParams, Choose, Ieq, FirstWord, AbsentFields,
    UnlistedValues, ConflictingParams, MissingOneOf, TargetKind, MistypedFields, IncompleteLists, Incomplete,
    EmptyRequiredParams
};

struct BuiltinSpec {
    Fn fn;
    std::string_view name;
    int min_args;
    int max_args;
    int lambda_arg;        // index of an argument evaluated once per element with `it` bound; -1 none
    std::string_view doc;  // one line for `opguard rules functions` and the README
};

// Returns nullptr for an unknown name.
const BuiltinSpec* find_builtin(std::string_view name);
// find_builtin(name)->fn, or Fn::Unknown.
Fn builtin_fn(std::string_view name);
// All built-ins, in documentation order.
const BuiltinSpec* builtins_begin();
const BuiltinSpec* builtins_end();

}  // namespace opguard
