#include "engine/eval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "dsl/builtins.hpp"
#include "input/inventory.hpp"

namespace opguard {

const Node& Val::null_node() {
    static const Node n;
    return n;
}

std::optional<double> number_value(const Node& n) {
    if (n.is_number()) return n.as_number();
    if (n.is_string() && !n.as_string().empty()) {
        const std::string& s = n.as_string();
        // Decimal only, as JSON writes numbers (with an optional +): not " 1", "0x1" or "inf".
        if (s.find_first_not_of("0123456789+-.eE") != std::string::npos) return std::nullopt;
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size() && std::isfinite(d)) return d;
    }
    return std::nullopt;
}

namespace {

std::string lower_ascii(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// A single value used where a list is expected counts as a one-element list.
std::vector<const Node*> elements(const Node& n) {
    std::vector<const Node*> out;
    if (n.is_array()) for (const auto& i : n.items()) out.push_back(&i);
    else if (!n.is_null()) out.push_back(&n);
    return out;
}

// Evaluation cost. Each expression node evaluated is one step, and so is each unit of work
// a built-in does beyond that: every element visited, every value copied (by its size:
// nodes plus string bytes / 64), every comparison of `unique`. So no single step can hide
// work proportional to a large list, and a rule's total work is bounded by Frame::budget.
// Values the evaluator builds are also at most kMaxValueDepth deep, so copying, comparing
// and freeing them never recurses without bound (an effect cannot nest a field one level
// per call).
constexpr size_t kMaxValueDepth = 512;
// Nested evaluations (operands, function arguments and the lets they use, one inside the
// other): an expression is at most 256 high (parser.hpp), but a let can use a let that
// uses a let ... This bounds the C++ recursion that follows.
constexpr int kMaxEvalDepth = 768;

struct Weight {
    size_t units = 0;   // nodes + string bytes / 64
    size_t depth = 0;   // levels of nesting (a scalar is 1)
};

// Weight of `n`, counted without recursion; stops early (with units > cap) when the count
// passes `cap`, so computing it never costs more than the budget it is charged against.
Weight weigh(const Node& n, size_t cap) {
    Weight w;
    std::vector<std::pair<const Node*, size_t>> stack{{&n, 1}};
    while (!stack.empty()) {
        auto [x, d] = stack.back();
        stack.pop_back();
        w.units += 1 + x->as_string().size() / 64;
        if (d > w.depth) w.depth = d;
        if (w.units > cap || w.depth > kMaxValueDepth) return w;
        if (x->is_array()) for (const auto& i : x->items()) stack.emplace_back(&i, d + 1);
        else if (x->is_object()) for (const auto& m : x->members()) stack.emplace_back(&m.second, d + 1);
    }
    return w;
}

class Evaluator {
public:
    Evaluator(Frame& f, EvalHost& h, const RuleSet& r) : frame_(f), host_(h), rules_(r) {}

    void step(const ast::Expr& e) { charge(1, e); }

    void charge(size_t units, const ast::Expr& e) {
        long n = units > static_cast<size_t>(frame_.budget) ? frame_.budget + 1 : static_cast<long>(units);
        frame_.budget -= n;
        host_.steps += static_cast<uint64_t>(n);
        if (frame_.budget < 0) throw EvalError(e.origin, "expression evaluation exceeded its step budget");
    }

    // Charges the work of copying, comparing or printing `n`; refuses values nested too deep.
    void charge_value(const Node& n, const ast::Expr& e) {
        Weight w = weigh(n, frame_.budget < 0 ? 0 : static_cast<size_t>(frame_.budget));
        if (w.depth > kMaxValueDepth)
            throw EvalError(e.origin, "a value nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
        charge(w.units, e);
    }
    // A copy of `n` (charged).
    Node copy(const Node& n, const ast::Expr& e) {
        charge_value(n, e);
        return n;
    }
    // elements(n), one step per element.
    std::vector<const Node*> each(const Node& n, const ast::Expr& e) {
        charge(n.is_array() ? n.items().size() : 1, e);
        return elements(n);
    }
    // Text of `n` for messages and concatenation (charged by size).
    std::string text(const Node& n, const ast::Expr& e) {
        charge_value(n, e);
        return n.to_text();
    }
    // values_equal(a, b), charged beyond its step for lists, objects and long strings only,
    // so `x in list` costs about one step per element.
    bool equal(const Node& a, const Node& b, const ast::Expr& e) {
        for (const Node* n : {&a, &b}) {
            if (n->is_array() || n->is_object()) charge_value(*n, e);
            else charge(n->as_string().size() / 64, e);
        }
        return values_equal(a, b);
    }
    // number_value(n), charged for long strings (strtod reads them whole).
    std::optional<double> number_of(const Node& n, const ast::Expr& e) {
        charge(n.as_string().size() / 64, e);
        return number_value(n);
    }

    Val var(const ast::Expr& e) {
        for (size_t i = frame_.vars.size(); i-- > 0;) {
            if (i >= hidden_from_ && i < hidden_to_) continue;  // bound after the let being computed
            if (frame_.vars[i].first == e.name) return frame_.vars[i].second;
        }
        if (const Node* c = host_.context(e.name)) return Val(c);
        // Later lets shadow earlier ones (a rule's own over its operation's).
        for (size_t i = frame_.lets.size(); i-- > 0;) {
            if (frame_.lets[i].def->name != e.name) continue;
            if (frame_.lets[i].value) {
                const auto& ev = frame_.lets[i].evidence;
                frame_.evidence.insert(frame_.evidence.end(), ev.begin(), ev.end());
                return *frame_.lets[i].value;
            }
            if (frame_.lets[i].busy) throw EvalError(e.origin, "'" + e.name + "' refers to itself");
            frame_.lets[i].busy = true;
            size_t mark = frame_.evidence.size();
            // The let is computed in its own scope: the variables bound after its group (a
            // rule's loop variable, an enclosing filter's `it`) are hidden; those its own
            // expression binds (from hidden_to_ on) are seen.
            const size_t outer_from = hidden_from_, outer_to = hidden_to_;
            hidden_from_ = frame_.lets[i].vars_visible;
            hidden_to_ = frame_.vars.size();
            Val v;
            try {
                v = eval(*frame_.lets[i].def->expr);
            } catch (...) {
                hidden_from_ = outer_from, hidden_to_ = outer_to;
                throw;
            }
            hidden_from_ = outer_from, hidden_to_ = outer_to;
            auto& slot = frame_.lets[i];
            slot.busy = false;
            slot.value = v;
            slot.evidence.assign(frame_.evidence.begin() + static_cast<std::ptrdiff_t>(mark), frame_.evidence.end());
            return v;
        }
        // A resource's derived field reads the object's own fields first, then the rule files' sets.
        if (frame_.self)
            if (const Node* field = frame_.self->find(e.name)) return Val(field);
        auto s = rules_.sets.find(e.name);
        if (s != rules_.sets.end()) return Val(&s->second.values);
        return Val();
    }

    Val eval(const ast::Expr& e) {
        step(e);
        struct Depth {
            int& d;
            explicit Depth(int& x) : d(x) { ++d; }
            ~Depth() { --d; }
        } depth(depth_);
        if (depth_ > kMaxEvalDepth)
            throw EvalError(e.origin, "expression nested deeper than " + std::to_string(kMaxEvalDepth) +
                                          " levels through its lets");
        return eval_op(e);
    }

    Val eval_op(const ast::Expr& e) {
        switch (e.op) {
            case ast::Op::Literal: return Val(&e.literal);
            case ast::Op::Var: return var(e);
            case ast::Op::Member: {
                Val base = eval(*e.args[0]);
                charge(base->members().size() / 16, e);
                if (!e.member_key) e.member_key.emplace(e.name);
                const Node* m = base->find_key(*e.member_key);
                if (!m) return Val();
                return keep(base, m);
            }
            case ast::Op::Index: {
                Val base = eval(*e.args[0]);
                Val idx = eval(*e.args[1]);
                if (base->is_array() && idx->is_number()) {
                    double d = idx->as_number();
                    // (NaN, from inf - inf, is out of range too: never cast to an index.)
                    if (!(d >= 0 && d < static_cast<double>(base->items().size()))) return Val();
                    return keep(base, &base->items()[static_cast<size_t>(d)]);
                }
                if (base->is_object() && idx->is_string()) {
                    charge(base->members().size() / 16, e);
                    return keep(base, base->find(idx->as_string()));
                }
                return Val();
            }
            case ast::Op::List: {
                std::vector<Node> items;
                for (const auto& a : e.args) items.push_back(copy(*eval(*a), e));
                return Val(Node::array(std::move(items), e.origin));
            }
            case ast::Op::Object: {
                std::vector<Node::Member> members;
                for (size_t i = 0; i < e.args.size(); ++i) members.emplace_back(e.keys[i], copy(*eval(*e.args[i]), e));
                return Val(Node::object(std::move(members), e.origin));
            }
            // `repeat` counts a run of the operator: only its parity matters.
            case ast::Op::Not: return boolean(eval(*e.args[0])->truthy() != (e.repeat % 2 == 1));
            case ast::Op::Neg: {
                Val v = eval(*e.args[0]);
                auto n = number_of(*v, e);
                return n ? Val(Node::number(e.repeat % 2 == 1 ? -*n : *n)) : Val();
            }
            case ast::Op::And: return boolean(eval(*e.args[0])->truthy() && eval(*e.args[1])->truthy());
            case ast::Op::Or: return boolean(eval(*e.args[0])->truthy() || eval(*e.args[1])->truthy());
            case ast::Op::Eq: { Val a = eval(*e.args[0]); Val b = eval(*e.args[1]); return boolean(equal(*a, *b, e)); }
            case ast::Op::Ne: { Val a = eval(*e.args[0]); Val b = eval(*e.args[1]); return boolean(!equal(*a, *b, e)); }
            case ast::Op::Lt: case ast::Op::Le: case ast::Op::Gt: case ast::Op::Ge: {
                Val a = eval(*e.args[0]);
                Val b = eval(*e.args[1]);
                auto x = number_of(*a, e), y = number_of(*b, e);
                // Ordering with a missing or non-numeric side is false, never a guess.
                if (!x || !y) {
                    if (a->is_string() && b->is_string()) {
                        int c = a->as_string().compare(b->as_string());
                        return boolean(e.op == ast::Op::Lt ? c < 0 : e.op == ast::Op::Le ? c <= 0 : e.op == ast::Op::Gt ? c > 0 : c >= 0);
                    }
                    return boolean(false);
                }
                return boolean(e.op == ast::Op::Lt ? *x < *y : e.op == ast::Op::Le ? *x <= *y : e.op == ast::Op::Gt ? *x > *y : *x >= *y);
            }
            case ast::Op::In: case ast::Op::NotIn: {
                Val a = eval(*e.args[0]);
                Val b = eval(*e.args[1]);
                bool found = false;
                for (const Node* n : each(*b, e)) if (equal(*a, *n, e)) { found = true; break; }
                return boolean(e.op == ast::Op::In ? found : !found);
            }
            case ast::Op::Add: {
                Val a = eval(*e.args[0]);
                Val b = eval(*e.args[1]);
                // Two lists: one list, as concat() makes it (a rule's `a + b` would otherwise be
                // null, and a check on it never true).
                if (a->is_array() && b->is_array()) {
                    std::vector<Node> out;
                    for (const Val* l : {&a, &b})
                        for (const Node* x : each(**l, e)) out.push_back(copy(*x, e));
                    return Val(Node::array(std::move(out), e.origin));
                }
                auto x = number_of(*a, e), y = number_of(*b, e);
                if (a->is_number() && b->is_number()) return Val(Node::number(*x + *y));
                if (a->is_string() || b->is_string()) return Val(Node::string(text(*a, e) + text(*b, e)));
                if (x && y) return Val(Node::number(*x + *y));
                return Val();
            }
            case ast::Op::Sub: case ast::Op::Mul: case ast::Op::Div: {
                Val a = eval(*e.args[0]);
                Val b = eval(*e.args[1]);
                auto x = number_of(*a, e), y = number_of(*b, e);
                if (!x || !y) return Val();
                if (e.op == ast::Op::Div && *y == 0) return Val();
                return Val(Node::number(e.op == ast::Op::Sub ? *x - *y : e.op == ast::Op::Mul ? *x * *y : *x / *y));
            }
            case ast::Op::Call: return call(e);
        }
        return Val();
    }

    // A member of a borrowed value is borrowed too; of an owned value it must be copied.
    static Val keep(const Val& base, const Node* member) {
        if (!member) return Val();
        return Val(base, member);
    }

    // true and false are shared constants: no allocation per comparison.
    static Val boolean(bool b) {
        static const Node yes = Node::boolean(true), no = Node::boolean(false);
        return Val(b ? &yes : &no);
    }

    template <typename F>
    void each_with_it(const Node& list, const ast::Expr& fn, F&& f) {
        for (const Node* n : each(list, fn)) {
            frame_.vars.emplace_back("it", Val(n));
            Val v = eval(fn);
            frame_.vars.pop_back();
            if (!f(*n, v)) break;
        }
    }

    Val call(const ast::Expr& e) {
        const Fn f = e.fn ? static_cast<Fn>(e.fn) : builtin_fn(e.name);
        auto arg = [&](size_t i) { return eval(*e.args[i]); };
        auto str = [&](size_t i) { Val v = arg(i); return v->is_null() ? std::string() : text(*v, e); };
        if (f == Fn::Count) {
            Val v = arg(0);
            return Val(Node::number(static_cast<double>(v->is_array() ? v->items().size() : v->is_null() ? 0 : 1)));
        }
        if (f == Fn::Len) return Val(Node::number(static_cast<double>(str(0).size())));
        if (f == Fn::Lower || f == Fn::Upper) {
            Val v = arg(0);
            if (!v->is_string()) return v;
            std::string s = text(*v, e);
            for (auto& c : s) c = static_cast<char>(f == Fn::Lower ? std::tolower(static_cast<unsigned char>(c)) : std::toupper(static_cast<unsigned char>(c)));
            return Val(Node::string(std::move(s), v->origin));
        }
        if (f == Fn::StartsWith) { Val v = arg(0); std::string p = str(1); return boolean(v->is_string() && v->as_string().rfind(p, 0) == 0); }
        if (f == Fn::EndsWith) {
            Val v = arg(0); std::string p = str(1);
            return boolean(v->is_string() && v->as_string().size() >= p.size() && v->as_string().compare(v->as_string().size() - p.size(), p.size(), p) == 0);
        }
        if (f == Fn::Contains) {
            Val h = arg(0); Val n = arg(1);
            if (h->is_string()) return boolean(n->is_string() && h->as_string().find(n->as_string()) != std::string::npos);
            if (h->is_string()) return boolean(false);
            for (const Node* x : each(*h, e)) if (equal(*x, *n, e)) return boolean(true);
            return boolean(false);
        }
        if (f == Fn::Before || f == Fn::After) {
            Val v = arg(0);
            if (!v->is_string()) return Val();
            std::string sep = str(1);
            charge(v->as_string().size() / 64, e);
            size_t p = v->as_string().find(sep);
            if (f == Fn::Before) return Val(Node::string(p == std::string::npos ? v->as_string() : v->as_string().substr(0, p)));
            return Val(Node::string(p == std::string::npos ? std::string() : v->as_string().substr(p + sep.size())));
        }
        if (f == Fn::Exists) return boolean(!arg(0)->is_null());
        if (f == Fn::Missing) return boolean(arg(0)->is_null());
        if (f == Fn::Default) { Val v = arg(0); return v->is_null() ? arg(1) : v; }
        if (f == Fn::IsAscii) {
            Val v = arg(0);
            if (!v->is_string()) return boolean(false);
            charge(v->as_string().size() / 64, e);
            return boolean(std::all_of(v->as_string().begin(), v->as_string().end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
        }
        if (f == Fn::Number) { Val v = arg(0); auto n = number_of(*v, e); return n ? Val(Node::number(*n)) : Val(); }
        if (f == Fn::String) { Val v = arg(0); return v->is_null() ? Val() : Val(Node::string(text(*v, e), v->origin)); }
        if (f == Fn::List) {
            Val v = arg(0);
            if (v->is_array()) return v;
            std::vector<Node> items;
            if (!v->is_null()) items.push_back(copy(*v, e));
            return Val(Node::array(std::move(items), v->origin));
        }
        if (f == Fn::Any || f == Fn::All || f == Fn::CountIf) {
            Val list = arg(0);
            bool any = false, all = true;
            double n = 0;
            each_with_it(*list, *e.args[1], [&](const Node&, const Val& v) {
                if (v->truthy()) { any = true; ++n; } else all = false;
                return f == Fn::CountIf || (f == Fn::Any ? !any : all);
            });
            if (f == Fn::CountIf) return Val(Node::number(n));
            return boolean(f == Fn::Any ? any : all);
        }
        if (f == Fn::Filter || f == Fn::Map) {
            Val list = arg(0);
            std::vector<Node> out;
            each_with_it(*list, *e.args[1], [&](const Node& x, const Val& v) {
                if (f == Fn::Map) out.push_back(copy(*v, e));
                else if (v->truthy()) out.push_back(copy(x, e));
                return true;
            });
            return Val(Node::array(std::move(out), list->origin));
        }
        if (f == Fn::Sum) {
            double s = 0;
            Val list = arg(0);  // keep the value alive for the loop (not a temporary)
            for (const Node* x : each(*list, e)) if (auto n = number_of(*x, e)) s += *n;
            return Val(Node::number(s));
        }
        if (f == Fn::Min || f == Fn::Max) {
            std::optional<double> best;
            Val list = arg(0);
            for (const Node* x : each(*list, e))
                if (auto n = number_of(*x, e); n && !std::isnan(*n) && (!best || (f == Fn::Min ? *n < *best : *n > *best))) best = n;
            return best ? Val(Node::number(*best)) : Val();
        }
        if (f == Fn::First) {
            Val v = arg(0);
            if (v->is_array()) return v->items().empty() ? Val() : keep(v, &v->items()[0]);
            return v->is_null() ? Val() : v;
        }
        if (f == Fn::Join) {
            std::string sep = str(1), out;
            bool first = true;
            Val list = arg(0);
            for (const Node* x : each(*list, e)) { if (!first) out += sep; first = false; out += text(*x, e); charge(sep.size() / 64, e); }
            return Val(Node::string(std::move(out)));
        }
        if (f == Fn::Concat) {
            std::vector<Node> out;
            for (size_t i = 0; i < 2; ++i) {
                Val list = arg(i);
                for (const Node* x : each(*list, e)) out.push_back(copy(*x, e));
            }
            return Val(Node::array(std::move(out)));
        }
        if (f == Fn::Unique || f == Fn::Repeated) {
            std::vector<Node> seen, rep;
            Val list = arg(0);
            for (const Node* x : each(*list, e)) {
                charge(seen.size() + rep.size(), e);  // one step per comparison: quadratic, so bounded early
                bool dup = std::any_of(seen.begin(), seen.end(), [&](const Node& s) { return equal(s, *x, e); });
                if (!dup) seen.push_back(copy(*x, e));
                else if (!std::any_of(rep.begin(), rep.end(), [&](const Node& s) { return equal(s, *x, e); })) rep.push_back(copy(*x, e));
            }
            return Val(Node::array(f == Fn::Unique ? std::move(seen) : std::move(rep)));
        }
        if (f == Fn::AbsentFields || f == Fn::MistypedFields || f == Fn::IncompleteLists) {
            Val v(f == Fn::AbsentFields ? host_.absent_fields() : f == Fn::MistypedFields ? host_.mistyped_fields() : host_.incomplete_lists());
            charge_value(*v, e);
            return v;
        }
        if (f == Fn::FirstWord) {
            Val v = arg(0);
            if (!v->is_string()) return Val();
            const std::string& t = v->as_string();
            charge(t.size() / 64, e);
            size_t n = t.empty() ? 0 : 1;
            while (n < t.size() && !(t[n] >= 'A' && t[n] <= 'Z')) ++n;
            return Val(Node::string(t.substr(0, n)));
        }
        if (f == Fn::Loaded) return boolean(host_.loaded(str(0)));
        if (f == Fn::Incomplete) return boolean(host_.incomplete(str(0)));
        if (f == Fn::Choose) return arg(0)->truthy() ? arg(1) : arg(2);
        if (f == Fn::Ieq) {
            Val a = arg(0), b = arg(1);
            if (a->is_string() && b->is_string()) return boolean(lower_ascii(text(*a, e)) == lower_ascii(text(*b, e)));
            return boolean(equal(*a, *b, e));
        }
        if (f == Fn::Lookup) {
            std::string kind = str(0);
            Val id = arg(1);
            if (!id->is_string()) return Val();
            Val region = e.args.size() > 2 ? arg(2) : Val();
            const InventoryObject* obj = host_.lookup(kind, id->as_string(), e.args.size() > 2 ? region.get() : nullptr);
            if (!obj) return Val();
            frame_.evidence.push_back(obj);
            return Val(&obj->value());
        }
        if (f == Fn::FindAll) {
            Val v = arg(2);
            Val found = host_.find_all(str(0), str(1), *v);
            charge_value(*found, e);
            return found;
        }
        if (f == Fn::History) {
            Val id = arg(1);
            if (!id->is_string()) return Val(Node::array());
            Val h(host_.history(str(0), id->as_string()));
            charge_value(*h, e);
            return h;
        }
        if (f == Fn::FirstPriorCall) {
            Val criteria = arg(0);
            if (!criteria->is_object()) throw EvalError(e.origin, "first_prior_call takes an object {path: value, ...}");
            charge_value(*criteria, e);
            Val found(host_.first_prior_call(*criteria));
            charge_value(*found, e);
            return found;
        }
        if (f == Fn::Declared) {
            const Operation* op = host_.operation();
            return boolean(op && op->param(str(0)));
        }
        if (f == Fn::UndeclaredParams || f == Fn::MissingParams || f == Fn::MistypedParams || f == Fn::EmptyRequiredParams)
            return params_check(f, e);
        if (f == Fn::UnlistedValues) return unlisted_values(e);
        if (f == Fn::ConflictingParams || f == Fn::MissingOneOf) return param_groups(f, e);
        if (f == Fn::TargetKind) {
            const Operation* op = host_.operation();
            return op && !op->target_kind.empty() ? Val(Node::string(op->target_kind)) : Val();
        }
        throw EvalError(e.origin, "unknown function '" + e.name + "'");
    }

    static bool type_ok(const std::string& type, const Node& v) {
        if (type == "string") return v.is_string();
        if (type == "boolean") return v.is_bool() || (v.is_string() && (v.as_string() == "true" || v.as_string() == "false"));
        if (type == "integer") {
            auto n = number_value(v);
            return n && std::floor(*n) == *n;
        }
        if (type == "number") return number_value(v).has_value();
        if (type == "list") return v.is_array();
        if (type == "object") return v.is_object();
        return true;
    }

    Val params_check(Fn f, const ast::Expr& e) {
        const Operation* op = host_.operation();
        const Node* params = host_.parameters();
        std::vector<Node> out;
        if (!op || !params) return Val(Node::array());
        charge(params->members().size() + op->params.size(), e);
        if (f == Fn::MissingParams) {
            for (const auto& p : op->params)
                if (p.required && !params->find(p.name)) out.push_back(Node::string(p.name, params->origin));
        } else if (f == Fn::EmptyRequiredParams) {
            // Named at the value, so a finding points at the empty string.
            for (const auto& p : op->params) {
                const Node* v = p.required ? params->find(p.name) : nullptr;
                if (v && v->is_string() && v->as_string().find_first_not_of(" \t") == std::string::npos)
                    out.push_back(Node::string(p.name, v->origin));
            }
        } else {
            for (const auto& [name, value] : params->members()) {
                const ParamSpec* spec = op->param(name);
                if (f == Fn::UndeclaredParams && !spec)
                    out.push_back(Node::object({{"name", Node::string(name, value.origin)}, {"value", copy(value, e)}}, value.origin));
                if (f == Fn::MistypedParams && spec && !type_ok(spec->type, value))
                    out.push_back(Node::object({{"name", Node::string(name, value.origin)}, {"value", copy(value, e)},
                                                {"expected", Node::string(spec->type)}, {"found", Node::string(kind_name(value.kind()))}},
                                               value.origin));
            }
        }
        return Val(Node::array(std::move(out), params->origin));
    }

    // Parameters declared with `values` whose value is not one of them; a list parameter's
    // elements one by one. A value of the wrong type is plan.wrong-type's, not reported here.
    Val unlisted_values(const ast::Expr& e) {
        const Operation* op = host_.operation();
        const Node* params = host_.parameters();
        if (!op || !params) return Val(Node::array());
        charge(params->members().size() + op->params.size(), e);
        std::vector<Node> out;
        for (const auto& member : params->members()) {
            // (Named, not structured bindings: the lambda below refers to them.)
            const std::string& name = member.first;
            const Node& value = member.second;
            const ParamSpec* spec = op->param(name);
            if (!spec || spec->values.empty()) continue;
            auto check = [&](const Node& v) {
                if (!v.is_string()) return;
                if (std::find(spec->values.begin(), spec->values.end(), v.as_string()) != spec->values.end()) return;
                charge(spec->values.size(), e);
                Node allowed = Node::array();
                for (const auto& a : spec->values) allowed.items().push_back(Node::string(a));
                out.push_back(Node::object({{"name", Node::string(name, value.origin)}, {"value", copy(v, e)}, {"allowed", std::move(allowed)}},
                                           v.origin));
            };
            if (value.is_array()) {
                charge(value.items().size(), e);
                for (const auto& item : value.items()) check(item);
            } else {
                check(value);
            }
        }
        return Val(Node::array(std::move(out), params->origin));
    }

    // The operation's `exclusive` groups of which the call gives two or more, or its
    // `at_least_one` groups of which it gives none.
    Val param_groups(Fn f, const ast::Expr& e) {
        const Operation* op = host_.operation();
        const Node* params = host_.parameters();
        if (!op || !params) return Val(Node::array());
        std::vector<Node> out;
        for (const auto& g : op->param_groups) {
            charge(g.names.size(), e);
            Node names = Node::array();
            for (const auto& n : g.names) names.items().push_back(Node::string(n));
            if (f == Fn::MissingOneOf) {
                if (g.kind != ParamGroup::Kind::AtLeastOne) continue;
                if (std::none_of(g.names.begin(), g.names.end(), [&](const std::string& n) { return params->find(n) != nullptr; }))
                    out.push_back(Node::object({{"names", std::move(names)}}, params->origin));
                continue;
            }
            if (g.kind != ParamGroup::Kind::Exclusive) continue;
            // In the call's order, so "the second one" is the one written later.
            Node given = Node::array();
            const Node* second = nullptr;
            for (const auto& [name, value] : params->members()) {
                if (std::find(g.names.begin(), g.names.end(), name) == g.names.end()) continue;
                given.items().push_back(Node::string(name, value.origin));
                if (given.items().size() == 2) second = &value;
            }
            if (!second) continue;
            out.push_back(Node::object({{"names", std::move(names)}, {"given", std::move(given)}, {"value", copy(*second, e)}}, second->origin));
        }
        return Val(Node::array(std::move(out), params->origin));
    }

private:
    Frame& frame_;
    EvalHost& host_;
    const RuleSet& rules_;
    int depth_ = 0;  // nested eval() calls (kMaxEvalDepth)
    // Variables hidden while a let is computed: frame_.vars[hidden_from_, hidden_to_) (see var).
    size_t hidden_from_ = 0, hidden_to_ = 0;
};

}  // namespace

bool values_equal(const Node& a, const Node& b) {
    if (a.is_number() && b.is_string()) { auto n = number_value(b); return n && *n == a.as_number(); }
    if (a.is_string() && b.is_number()) { auto n = number_value(a); return n && *n == b.as_number(); }
    return a.equals(b);
}

Val evaluate(const ast::Expr& e, Frame& frame, EvalHost& host, const RuleSet& rules) {
    Evaluator ev(frame, host, rules);
    return ev.eval(e);
}

std::string render_template(const Template& t, Frame& frame, EvalHost& host, const RuleSet& rules) {
    std::string out;
    // Strings are appended as they are (to_text would copy them first).
    auto append = [&out](const Node& n) {
        if (n.is_string()) out += n.as_string();
        else out += n.to_text();
    };
    for (const auto& p : t.parts) {
        if (!p.expr) { out += p.text; continue; }
        Evaluator ev(frame, host, rules);
        Val v = ev.eval(*p.expr);
        ev.charge_value(*v, *p.expr);  // printing it costs as much as copying it
        if (v->is_null()) out += "(none)";
        else if (v->is_array()) {
            bool first = true;
            for (const auto& i : v->items()) { if (!first) out += ", "; first = false; append(i); }
        } else append(*v);
    }
    return out;
}

}  // namespace opguard
