#include "dsl/builtins.hpp"

#include <iterator>

namespace opguard {
namespace {
constexpr BuiltinSpec kBuiltins[] = {
    {Fn::Count, "count", 1, 1, -1, "count(list): number of elements (0 for null; 1 for a single value)"},
    {Fn::Len, "len", 1, 1, -1, "len(string): length in bytes"},
    {Fn::Lower, "lower", 1, 1, -1, "lower(string): ASCII lower case"},
    {Fn::Upper, "upper", 1, 1, -1, "upper(string): ASCII upper case"},
    {Fn::StartsWith, "starts_with", 2, 2, -1, "starts_with(string, prefix)"},
    {Fn::EndsWith, "ends_with", 2, 2, -1, "ends_with(string, suffix)"},
    {Fn::Contains, "contains", 2, 2, -1, "contains(string or list, value)"},
    {Fn::Before, "before", 2, 2, -1, "before(string, separator): the part before the first separator (all of it when absent)"},
    {Fn::After, "after", 2, 2, -1, "after(string, separator): the part after the first separator (\"\" when absent)"},
    {Fn::Exists, "exists", 1, 1, -1, "exists(value): true unless null"},
    {Fn::Missing, "missing", 1, 1, -1, "missing(value): true when null"},
    {Fn::Default, "default", 2, 2, -1, "default(value, fallback): fallback when value is null"},
    {Fn::IsAscii, "is_ascii", 1, 1, -1, "is_ascii(string): only 7-bit characters"},
    {Fn::Number, "number", 1, 1, -1, "number(value): a number, or a numeric string read as one; null otherwise"},
    {Fn::String, "string", 1, 1, -1, "string(value): the value as text"},
    {Fn::List, "list", 1, 1, -1, "list(value): a list as is, null as [], anything else as [value]"},
    {Fn::Any, "any", 2, 2, 1, "any(list, predicate): some element satisfies predicate (element bound to `it`)"},
    {Fn::All, "all", 2, 2, 1, "all(list, predicate): every element satisfies predicate"},
    {Fn::Filter, "filter", 2, 2, 1, "filter(list, predicate): the elements that satisfy predicate"},
    {Fn::Map, "map", 2, 2, 1, "map(list, expression): expression for each element"},
    {Fn::CountIf, "count_if", 2, 2, 1, "count_if(list, predicate)"},
    {Fn::Sum, "sum", 1, 1, -1, "sum(list): sum of the numbers (numeric strings count)"},
    {Fn::Min, "min", 1, 1, -1, "min(list): the least of the numbers (numeric strings count), null when there is none"},
    {Fn::Max, "max", 1, 1, -1, "max(list): the greatest of the numbers (numeric strings count), null when there is none"},
    {Fn::First, "first", 1, 1, -1, "first(list): first element or null"},
    {Fn::Join, "join", 2, 2, -1, "join(list, separator)"},
    {Fn::Concat, "concat", 2, 2, -1, "concat(list, list)"},
    {Fn::Unique, "unique", 1, 1, -1, "unique(list): elements without repeats, first occurrence kept"},
    {Fn::Repeated, "repeated", 1, 1, -1, "repeated(list): elements that occur more than once (each once)"},
    {Fn::Lookup, "lookup", 2, 3, -1, "lookup(kind, id [, region]): the inventory object of that kind and id (in that region), or null"},
    {Fn::FindAll, "find_all", 3, 3, -1, "find_all(kind, field, value): every inventory object of that kind whose field equals value"},
    {Fn::Loaded, "loaded", 1, 1, -1, "loaded(kind): the inventory has a saved response of this kind (possibly an empty list)"},
    {Fn::Incomplete, "incomplete", 1, 1, -1, "incomplete(kind): the saved responses of this kind show pages left out (every page ends with a NextToken, or fewer objects than TotalCount / Count / total_count): an id not found may be on a page not saved"},
    {Fn::History, "history", 2, 2, -1, "history(kind, id): per operation that earlier accepted calls of this plan applied to the object, in order of first use: [{call (the first), last_call, count, operation, verb, pending (a call of it not waited for), effects (the verbs of its effects on this object, in order), data_loss (one of them loses data), deleted (one of them is a verb of the set deleting_verbs: the object no longer exists)}]; an effect names its object by noun and id, the noun being the resource kind"},
    {Fn::FirstPriorCall, "first_prior_call", 1, 1, -1, "first_prior_call({path: value, ...}): the first earlier call of this plan (`prior_calls` element) whose every dotted path (\"operation\", \"parameters.ClientToken\") equals its value (string or number), or null; indexed, so it costs the same at every call"},
    {Fn::Declared, "declared", 1, 1, -1, "declared(name): the call's operation has this parameter"},
    {Fn::UndeclaredParams, "undeclared_params", 0, 0, -1, "undeclared_params(): [{name, value}] of parameters the operation does not have"},
    {Fn::MissingParams, "missing_params", 0, 0, -1, "missing_params(): names of required parameters the call lacks"},
    {Fn::EmptyRequiredParams, "empty_required_params", 0, 0, -1, "empty_required_params(): names of required parameters the call gives as an empty string (or a string of spaces)"},
    {Fn::MistypedParams, "mistyped_params", 0, 0, -1, "mistyped_params(): [{name, value, expected}] of parameters of the wrong type"},
    {Fn::UnlistedValues, "unlisted_values", 0, 0, -1, "unlisted_values(): [{name, value, allowed}] of parameters declared with values (an enumeration) whose value (or list element) is not one of them"},
    {Fn::ConflictingParams, "conflicting_params", 0, 0, -1, "conflicting_params(): [{names, given, value}] per `exclusive` group of the operation of which the call gives two or more (given: those it gives; value: the second one's value)"},
    {Fn::MissingOneOf, "missing_one_of", 0, 0, -1, "missing_one_of(): [{names}] per `at_least_one` group of the operation of which the call gives none"},
    {Fn::TargetKind, "target_kind", 0, 0, -1, "target_kind(): the resource kind the call's operation targets (its target_kind), or null"},
    {Fn::Choose, "choose", 3, 3, -1, "choose(condition, a, b): a when condition holds, else b (only that one is evaluated)"},
    {Fn::Ieq, "ieq", 2, 2, -1, "ieq(a, b): equal ignoring ASCII case"},
    {Fn::MistypedFields, "mistyped_fields", 0, 0, -1, "mistyped_fields(): [{kind, id, field, expected, found, value, at}] per field of an inventory object the check read whose JSON type is not the one its resource declares (types = {...}); a numeric string counts as a number"},
    {Fn::IncompleteLists, "incomplete_lists", 0, 0, -1, "incomplete_lists(): [{kind, title, why, at}] per inventory kind a rule of the plan's calls reads whose saved responses show pages left out (every page ends with a NextToken, or fewer objects than TotalCount / Count / total_count)"},
    {Fn::AbsentFields, "absent_fields", 0, 0, -1, "absent_fields(): [{by, kind, field, closest, at}] per rule, effect and operation of the plan's calls and field it reads that no saved object of a loaded kind has (closest: the nearest field that exists)"},
    {Fn::FirstWord, "first_word", 1, 1, -1, "first_word(string): the first word of a CamelCase name, up to the next upper-case ASCII letter (DescribeDesktops => Describe)"},
};
}  // namespace

const BuiltinSpec* find_builtin(std::string_view name) {
    for (const auto& b : kBuiltins)
        if (b.name == name) return &b;
    return nullptr;
}
Fn builtin_fn(std::string_view name) {
    const BuiltinSpec* b = find_builtin(name);
    return b ? b->fn : Fn::Unknown;
}
const BuiltinSpec* builtins_begin() { return std::begin(kBuiltins); }
const BuiltinSpec* builtins_end() { return std::end(kBuiltins); }

}  // namespace opguard
