#include "dsl/field_reads.hpp"
#include "core/suggest.hpp"

#include <algorithm>
#include <cctype>

#include "dsl/builtins.hpp"

namespace opguard::field_reads {

namespace {

bool literal_string(const ast::ExprPtr& e) { return e && e->op == ast::Op::Literal && e->literal.is_string(); }

Type element(Type t) {
    if (!t.kind.empty()) t.list = false;
    return t;
}

// Functions whose result is one of their arguments (or an element or part of it), so an
// inventory object passes through them without being read whole.
bool passes_through(Fn f) {
    switch (f) {
        case Fn::Exists: case Fn::Missing: case Fn::Count: case Fn::First: case Fn::Filter: case Fn::Any:
        case Fn::All: case Fn::CountIf: case Fn::Map: case Fn::Default: case Fn::Choose: case Fn::Concat:
        case Fn::List: case Fn::Lookup: case Fn::FindAll: case Fn::History: case Fn::Loaded:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string closest_name(const std::string& to, const std::vector<std::string>& names) {
    auto low = [](std::string s) { for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c))); return s; };
    const std::string a = low(to);
    // Near enough to be a misspelling: one name inside the other (DiskType, Type), or at most
    // a third of the longer name's letters changed (OsType, OSType; not LocalStorageAmount,
    // StoppedMode).
    std::string best;
    std::pair<int, size_t> best_score{2, 0};
    for (const auto& n : names) {
        const std::string b = low(n);
        const bool contains = !a.empty() && !b.empty() && (b.find(a) != std::string::npos || a.find(b) != std::string::npos);
        const size_t distance = edit_distance(a, b);
        if (!contains && distance * 3 > std::max(a.size(), b.size())) continue;
        std::pair<int, size_t> score{contains ? 0 : 1, distance};
        if (score < best_score) { best_score = score; best = n; }
    }
    return best;
}

Type Collector::infer(const ast::Expr& e, const Env& env) const {
    switch (e.op) {
        case ast::Op::Literal: return Type::of_plan();
        case ast::Op::Var: {
            if (auto it = env.find(e.name); it != env.end()) return it->second;
            if (e.name == "call" || e.name == "request" || e.name == "target" || e.name == "repeat_of" || e.name == "calls" ||
                e.name == "prior_calls" || e.name == "today")
                return Type::of_plan();
            if (set_names && set_names->count(e.name)) return Type::of_plan();
            return {};
        }
        case ast::Op::Member: {
            Type b = infer(*e.args[0], env);
            // A field of an object (or of a plan value) is a value, no inventory object.
            return b.known() ? Type::of_plan() : Type{};
        }
        case ast::Op::Index: {
            Type b = infer(*e.args[0], env);
            if (!b.kind.empty() && b.list) return element(b);
            return b.known() ? Type::of_plan() : Type{};
        }
        case ast::Op::Call: {
            Fn f = static_cast<Fn>(e.fn);
            auto arg = [&](size_t i) { return i < e.args.size() ? infer(*e.args[i], env) : Type{}; };
            if ((f == Fn::Lookup || f == Fn::FindAll) && !e.args.empty() && literal_string(e.args[0])) {
                Type t;
                t.kind = e.args[0]->literal.as_string();
                t.list = f == Fn::FindAll;
                return t;
            }
            if (f == Fn::Filter || f == Fn::Unique || f == Fn::Repeated) return arg(0);
            if (f == Fn::First) return element(arg(0));
            if (f == Fn::List) { Type t = arg(0); if (!t.kind.empty()) t.list = true; return t; }
            if (f == Fn::Default || f == Fn::Concat) {
                Type a = arg(0);
                return !a.kind.empty() ? a : arg(1).kind.empty() ? a : arg(1);
            }
            if (f == Fn::Choose) {
                Type a = arg(1);
                return !a.kind.empty() ? a : arg(2);
            }
            if (f == Fn::Map) return {};  // whatever the expression makes
            return Type::of_plan();       // scalars, strings, plan values
        }
        case ast::Op::List: case ast::Op::Object: return {};
        default: return Type::of_plan();  // operators make scalars
    }
}

void Collector::visit(const ast::Expr& e, const Env& env, bool whole_use) {
    if (whole_use) {
        Type t = infer(e, env);
        if (!t.kind.empty()) whole.insert(t.kind);
    }
    switch (e.op) {
        case ast::Op::Literal: case ast::Op::Var: return;
        case ast::Op::Member: {
            const ast::Expr& base = *e.args[0];
            Type b = infer(base, env);
            if (!b.kind.empty() && !b.list) reads.push_back({b.kind, e.name, e.origin});
            else if (!b.known()) untyped.insert(e.name);
            visit(base, env, false);
            return;
        }
        case ast::Op::Index: {
            const ast::Expr& base = *e.args[0];
            Type b = infer(base, env);
            if (!b.kind.empty() && !b.list) {
                if (literal_string(e.args[1])) reads.push_back({b.kind, e.args[1]->literal.as_string(), e.origin});
                else whole.insert(b.kind);  // a computed field name: any field may be read
            }
            visit(base, env, false);
            visit(*e.args[1], env, true);
            return;
        }
        case ast::Op::Call: {
            Fn f = static_cast<Fn>(e.fn);
            const BuiltinSpec* b = find_builtin(e.name);
            const int lambda = b ? b->lambda_arg : -1;
            for (size_t i = 0; i < e.args.size(); ++i) {
                if (static_cast<int>(i) == lambda) {
                    Env inner = env;
                    inner["it"] = element(infer(*e.args[0], env));
                    // map's expression is the result; the others' are tested for truth.
                    visit(*e.args[i], inner, f == Fn::Map);
                } else {
                    bool whole_arg = !passes_through(f);
                    if (f == Fn::Choose && i == 0) whole_arg = false;
                    visit(*e.args[i], env, whole_arg);
                }
            }
            return;
        }
        case ast::Op::And: case ast::Op::Or: case ast::Op::Not:
            for (const auto& a : e.args) visit(*a, env, false);
            return;
        default:  // comparisons, arithmetic, list and object literals: their operands are used whole
            for (const auto& a : e.args) visit(*a, env, true);
            return;
    }
}

}  // namespace opguard::field_reads
