#include "engine/explain.hpp"

#include <algorithm>
#include <set>

#include "engine/eval.hpp"

namespace opguard {

namespace {

// Binding strength, loosest first, as in the grammar (dsl/ast.hpp).
int precedence(ast::Op op) {
    switch (op) {
        case ast::Op::Or: return 1;
        case ast::Op::And: return 2;
        case ast::Op::Not: return 3;
        case ast::Op::Eq: case ast::Op::Ne: case ast::Op::Lt: case ast::Op::Le: case ast::Op::Gt: case ast::Op::Ge:
        case ast::Op::In: case ast::Op::NotIn: return 4;
        case ast::Op::Add: case ast::Op::Sub: return 5;
        case ast::Op::Mul: case ast::Op::Div: return 6;
        case ast::Op::Neg: return 7;
        default: return 9;  // postfix and primary
    }
}

const char* symbol(ast::Op op) {
    switch (op) {
        case ast::Op::Or: return "or";
        case ast::Op::And: return "and";
        case ast::Op::Eq: return "==";
        case ast::Op::Ne: return "!=";
        case ast::Op::Lt: return "<";
        case ast::Op::Le: return "<=";
        case ast::Op::Gt: return ">";
        case ast::Op::Ge: return ">=";
        case ast::Op::In: return "in";
        case ast::Op::NotIn: return "not in";
        case ast::Op::Add: return "+";
        case ast::Op::Sub: return "-";
        case ast::Op::Mul: return "*";
        case ast::Op::Div: return "/";
        default: return "?";
    }
}

void write(const ast::Expr& e, std::string& out);

// Writes `e`, bracketed when it binds more loosely than its place needs.
void operand(const ast::Expr& e, int needed, std::string& out) {
    bool paren = precedence(e.op) < needed;
    if (paren) out += '(';
    write(e, out);
    if (paren) out += ')';
}

void write(const ast::Expr& e, std::string& out) {
    switch (e.op) {
        case ast::Op::Literal: out += e.literal.to_json(); return;
        case ast::Op::Var: out += e.name; return;
        case ast::Op::Member: operand(*e.args[0], 9, out); out += "." + e.name; return;
        case ast::Op::Index:
            operand(*e.args[0], 9, out);
            out += '[';
            write(*e.args[1], out);
            out += ']';
            return;
        case ast::Op::Call:
        case ast::Op::List: {
            out += e.op == ast::Op::Call ? e.name + "(" : "[";
            for (size_t i = 0; i < e.args.size(); ++i) {
                if (i) out += ", ";
                write(*e.args[i], out);
            }
            out += e.op == ast::Op::Call ? ")" : "]";
            return;
        }
        case ast::Op::Object: {
            out += '{';
            for (size_t i = 0; i < e.args.size(); ++i) {
                if (i) out += ", ";
                out += (i < e.keys.size() ? e.keys[i] : std::string("?")) + ": ";
                write(*e.args[i], out);
            }
            out += '}';
            return;
        }
        // A run of the operator (`repeat`) means what its parity means: written once when odd,
        // twice when even (`not not x` is a boolean, not x itself), never a million times.
        case ast::Op::Not: out += e.repeat % 2 ? "not " : "not not "; operand(*e.args[0], 3, out); return;
        case ast::Op::Neg: out += e.repeat % 2 ? "-" : "- -"; operand(*e.args[0], 7, out); return;
        default: {
            // Binary, left-associative: the right operand must bind strictly tighter.
            int p = precedence(e.op);
            bool compare = p == 4;  // comparisons do not chain: both sides are sums
            operand(*e.args[0], compare ? 5 : p, out);
            out += std::string(" ") + symbol(e.op) + " ";
            operand(*e.args[1], compare ? 5 : p + 1, out);
            return;
        }
    }
}

void flatten(const ast::Expr& e, ast::Op op, std::vector<const ast::Expr*>& out) {
    if (e.op == op) {
        flatten(*e.args[0], op, out);
        flatten(*e.args[1], op, out);
    } else {
        out.push_back(&e);
    }
}

// Names an expression reads as bare variables (lets, loop variables, sets, context).
void names(const ast::Expr& e, std::set<std::string>& out) {
    if (e.op == ast::Op::Var) out.insert(e.name);
    for (const auto& a : e.args)
        if (a) names(*a, out);
}

// An explained value is shown whole up to these bounds; past them it is named, not shown (a
// hostile rule nests a list 370 levels deep in 370 lets: each shown whole, indented once per
// level, made a 7 KB rule file a 35 MB report).
constexpr size_t kShownValues = 2000;  // values inside it, itself included
constexpr size_t kShownDepth = 32;     // levels of nesting

// Whether `n` is within the bounds; `count` and `depth` say how far it goes (stops early).
bool within_bounds(const Node& n, size_t level, size_t& count, size_t& depth) {
    depth = std::max(depth, level);
    if (++count > kShownValues || level > kShownDepth) return false;
    for (const Node& i : n.items())
        if (!within_bounds(i, level + 1, count, depth)) return false;
    for (const auto& m : n.members())
        if (!within_bounds(m.second, level + 1, count, depth)) return false;
    return true;
}

// `n` as the explanation shows it: a copy without origins, or what it is when too large.
Node shown(const Node& n) {
    size_t count = 0, depth = 0;
    if (!within_bounds(n, 1, count, depth))
        return Node::string("(not shown: " + std::string(n.is_array() ? "a list" : "an object") + " of more than " +
                            std::to_string(depth > kShownDepth ? kShownDepth : kShownValues) +
                            (depth > kShownDepth ? " levels of nesting" : " values") + ")");
    Node copy = n;
    strip_origins(copy);
    return copy;
}

RuleExplanation::Value value_of(const std::string& name, const std::function<Val()>& f) {
    RuleExplanation::Value v{name, Node(), ""};
    try {
        v.value = shown(*f());
    } catch (const std::exception& e) {
        v.error = e.what();
    }
    return v;
}

}  // namespace

std::string expr_text(const ast::Expr& e) {
    std::string out;
    write(e, out);
    return out;
}

RuleExplanation explain_evaluation(const RuleEvaluation& ev, const RuleSet& rules, size_t plan_calls) {
    RuleExplanation x;
    x.rule = &ev.rule;
    x.call_index = ev.call ? ev.call->index : plan_calls;
    x.call_id = ev.call ? ev.call->id : "";
    x.target = ev.target && ev.target->is_string() ? ev.target->as_string() : ev.target ? ev.target->to_text() : "";
    x.fired = ev.fired;
    // Work on a copy: the real frame's evidence must not see the extra look-ups.
    Frame f = ev.frame;
    f.budget = f.limit;
    if (!ev.rule.for_var.empty()) {
        for (auto it = f.vars.rbegin(); it != f.vars.rend(); ++it) {
            if (it->first != ev.rule.for_var) continue;
            x.loop_var = it->first;
            x.loop_value = shown(*it->second);
            break;
        }
    }
    std::vector<const ast::Expr*> parts;
    if (ev.rule.when) {
        if (ev.rule.when->op == ast::Op::And || ev.rule.when->op == ast::Op::Or) {
            x.connective = symbol(ev.rule.when->op);
            flatten(*ev.rule.when, ev.rule.when->op, parts);
        } else {
            parts.push_back(ev.rule.when.get());
        }
    }
    for (const ast::Expr* p : parts)
        x.operands.push_back(value_of(expr_text(*p), [&] { return evaluate(*p, f, ev.host, rules); }));
    // The lets this rule's expressions name (its own, the operation's), and the lets those
    // name in turn, in the frame's order; computed here when the evaluation did not need them.
    std::set<std::string> used;
    if (ev.rule.when) names(*ev.rule.when, used);
    for (const auto& d : ev.rule.lets) names(*d.expr, used);
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& l : f.lets) {
            if (!used.count(l.def->name)) continue;
            size_t before = used.size();
            names(*l.def->expr, used);
            grew = grew || used.size() != before;
        }
    }
    std::set<std::string> shown;
    for (size_t i = f.lets.size(); i-- > 0;) {  // the innermost definition of a name wins
        const auto& l = f.lets[i];
        if (!used.count(l.def->name) || !shown.insert(l.def->name).second) continue;
        const std::string name = l.def->name;
        x.lets.insert(x.lets.begin(), value_of(name, [&] {
            ast::Expr var;
            var.op = ast::Op::Var;
            var.name = name;
            return evaluate(var, f, ev.host, rules);
        }));
    }
    return x;
}

}  // namespace opguard
