#include "input/adapters/rule_needs.hpp"

#include <stdexcept>
#include <vector>

namespace opguard::adapters {

namespace {

bool is_var(const ast::ExprPtr& e, const char* name) { return e && e->op == ast::Op::Var && e->name == name; }

class Walker {
public:
    Walker(const std::vector<NamedValue>* op_lets, const std::vector<NamedValue>* own_lets) : op_lets_(op_lets), own_lets_(own_lets) {}

    void walk(const ast::ExprPtr& e) {
        if (!e) return;
        switch (e->op) {
            case ast::Op::Member:
                if (is_var(e->args[0], "call")) { out.params.insert(e->name); return; }
                if (e->args[0] && e->args[0]->op == ast::Op::Member && e->args[0]->name == "parameters" &&
                    is_var(e->args[0]->args[0], "request")) {
                    out.params.insert(e->name);
                    return;
                }
                if (e->name == "parameters" && is_var(e->args[0], "request")) { out.all_params = true; return; }
                walk(e->args[0]);
                return;
            case ast::Op::Index:
                if (is_var(e->args[0], "call") && e->args[1] && e->args[1]->op == ast::Op::Literal && e->args[1]->literal.is_string()) {
                    out.params.insert(e->args[1]->literal.as_string());
                    return;
                }
                for (const auto& a : e->args) walk(a);
                return;
            case ast::Op::Var:
                if (e->name == "call") { out.all_params = true; return; }
                let(e->name);
                return;
            case ast::Op::Call:
                if (e->name == "mistyped_params") out.param_types = true;
                for (const auto& a : e->args) walk(a);
                return;
            default:
                for (const auto& a : e->args) walk(a);
                return;
        }
    }

    ParamNeeds out;

private:
    // The engine binds an operation's lets before a rule's or effect's own, and the first
    // binding of a name wins; variables bound by the frame (call, target, loop variables)
    // are not lets and end here; `target` is one of the operation's targets, so what reads
    // it needs the parameters that name them (recorded as ParamNeeds::target).
    void let(const std::string& name) {
        if (!seen_.insert(name).second) return;
        for (const auto* lets : {op_lets_, own_lets_}) {
            if (!lets) continue;
            for (const auto& l : *lets)
                if (l.name == name) { walk(l.expr); return; }
        }
        if (name == "target") out.target = true;
    }

    const std::vector<NamedValue>* op_lets_;
    const std::vector<NamedValue>* own_lets_;
    std::set<std::string> seen_;
};

}  // namespace

ParamNeeds rule_needs(const Rule& rule, const Operation* op) {
    if (!rule.encoded.empty()) throw std::logic_error("rule_needs: the expressions of '" + rule.id + "' are not decoded");
    Walker w(op ? &op->lets : nullptr, &rule.lets);
    w.walk(rule.for_list);
    w.walk(rule.when);
    if (rule.for_var == "target") w.out.target = false;  // its own loop variable, not the frame's
    return w.out;
}

ParamNeeds effect_needs(const Effect& effect, const Operation* op) {
    if (!effect.encoded.empty()) throw std::logic_error("effect_needs: the expressions of '" + effect.id + "' are not decoded");
    Walker w(op ? &op->lets : nullptr, &effect.lets);
    for (const auto* e : {&effect.for_list, &effect.when, &effect.resource_id, &effect.size_gib, &effect.status_of, &effect.status})
        w.walk(*e);
    for (const auto& [lhs, rhs] : effect.sets) {
        w.walk(lhs);
        w.walk(rhs);
    }
    if (effect.for_var == "target") w.out.target = false;
    return w.out;
}

ParamNeeds target_needs(const Operation& op) {
    Walker w(&op.lets, nullptr);
    w.walk(op.targets);
    return w.out;
}

}  // namespace opguard::adapters
