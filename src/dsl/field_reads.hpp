#pragma once
// What the rule language reads of the inventory, worked out from compiled expressions.
//
// Each expression is given a coarse type: an inventory object of a kind (lookup("desktop",
// ...), first(...) of a list of them, a let or loop variable or `it` bound to one), a list of
// them (find_all, filter, concat, ...), a plan value (call, request, target, calls, sets), or
// something else. From that the compiler learns, per rule, effect and operation:
//   - which fields of which kind it reads (`desktop.Tags`, `d["Tags"]`), with where;
//   - which kinds it reads whole (an object printed, compared, copied, or indexed with a
//     computed key): the loader then keeps every field of that kind;
//   - fields read through an expression whose kind cannot be told (kept for every kind).
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/rule_set.hpp"

namespace opguard::field_reads {

// The coarse type of a value. kind empty and !plan: unknown; kind set: an inventory object
// of that kind (a list of them when list).
struct Type {
    std::string kind;
    bool list = false;
    bool plan = false;   // a plan value, a constant or a computed scalar: no inventory object
    bool known() const { return plan || !kind.empty(); }
    static Type of_plan() { Type t; t.plan = true; return t; }
};

// The name among `names` nearest to `to`: one that contains it or that it contains (ASCII
// case ignored) first, else the least edit distance; ties go to the first in `names`.
// "" when `names` is empty.
std::string closest_name(const std::string& to, const std::vector<std::string>& names);

// Names in scope and their types (lets, loop variables, `it`).
using Env = std::map<std::string, Type, std::less<>>;

struct Collector {
    std::vector<FieldRead> reads;                   // typed reads
    std::set<std::string> whole;                    // kinds read whole
    std::set<std::string> untyped;                  // fields read where the kind is unknown
    const std::set<std::string, std::less<>>* kinds = nullptr;  // declared resource kinds
    const std::set<std::string, std::less<>>* set_names = nullptr;  // `set` item names

    Type infer(const ast::Expr& e, const Env& env) const;
    // Walks `e`. `whole_use`: the caller uses e's value whole (prints, compares, copies it).
    void visit(const ast::Expr& e, const Env& env, bool whole_use);
};

}  // namespace opguard::field_reads
