#include "dsl/builtins.hpp"

#include <iterator>

namespace opguard {
namespace {
constexpr BuiltinSpec kBuiltins[] = {
    {"count", 1, 1, -1, "count(list): number of elements (0 for null; 1 for a single value)"},
    {"len", 1, 1, -1, "len(string): length in bytes"},
    {"lower", 1, 1, -1, "lower(string): ASCII lower case"},
    {"upper", 1, 1, -1, "upper(string): ASCII upper case"},
    {"starts_with", 2, 2, -1, "starts_with(string, prefix)"},
    {"ends_with", 2, 2, -1, "ends_with(string, suffix)"},
    {"contains", 2, 2, -1, "contains(string or list, value)"},
    {"before", 2, 2, -1, "before(string, separator): the part before the first separator (all of it when absent)"},
    {"after", 2, 2, -1, "after(string, separator): the part after the first separator (\"\" when absent)"},
    {"exists", 1, 1, -1, "exists(value): true unless null"},
    {"missing", 1, 1, -1, "missing(value): true when null"},
    {"default", 2, 2, -1, "default(value, fallback): fallback when value is null"},
    {"is_ascii", 1, 1, -1, "is_ascii(string): only 7-bit characters"},
    {"number", 1, 1, -1, "number(value): a number, or a numeric string read as one; null otherwise"},
    {"string", 1, 1, -1, "string(value): the value as text"},
    {"list", 1, 1, -1, "list(value): a list as is, null as [], anything else as [value]"},
    {"any", 2, 2, 1, "any(list, predicate): some element satisfies predicate (element bound to `it`)"},
    {"all", 2, 2, 1, "all(list, predicate): every element satisfies predicate"},
    {"filter", 2, 2, 1, "filter(list, predicate): the elements that satisfy predicate"},
    {"map", 2, 2, 1, "map(list, expression): expression for each element"},
    {"count_if", 2, 2, 1, "count_if(list, predicate)"},
    {"sum", 1, 1, -1, "sum(list): sum of the numbers (numeric strings count)"},
    {"first", 1, 1, -1, "first(list): first element or null"},
    {"join", 2, 2, -1, "join(list, separator)"},
    {"concat", 2, 2, -1, "concat(list, list)"},
    {"unique", 1, 1, -1, "unique(list): elements without repeats, first occurrence kept"},
    {"repeated", 1, 1, -1, "repeated(list): elements that occur more than once (each once)"},
    {"lookup", 2, 3, -1, "lookup(kind, id [, region]): the inventory object of that kind and id (in that region), or null"},
    {"find_all", 3, 3, -1, "find_all(kind, field, value): every inventory object of that kind whose field equals value"},
    {"loaded", 1, 1, -1, "loaded(kind): the inventory has a saved response of this kind (possibly an empty list)"},
    {"history", 2, 2, -1, "history(kind, id): earlier accepted calls of this plan that touched the object: [{call, operation, verb}]"},
    {"declared", 1, 1, -1, "declared(name): the call's operation has this parameter"},
    {"undeclared_params", 0, 0, -1, "undeclared_params(): [{name, value}] of parameters the operation does not have"},
    {"missing_params", 0, 0, -1, "missing_params(): names of required parameters the call lacks"},
    {"mistyped_params", 0, 0, -1, "mistyped_params(): [{name, value, expected}] of parameters of the wrong type"},
    {"choose", 3, 3, -1, "choose(condition, a, b): a when condition holds, else b (only that one is evaluated)"},
    {"ieq", 2, 2, -1, "ieq(a, b): equal ignoring ASCII case"},
};
}  // namespace

const BuiltinSpec* find_builtin(std::string_view name) {
    for (const auto& b : kBuiltins)
        if (b.name == name) return &b;
    return nullptr;
}
const BuiltinSpec* builtins_begin() { return std::begin(kBuiltins); }
const BuiltinSpec* builtins_end() { return std::end(kBuiltins); }

}  // namespace opguard
