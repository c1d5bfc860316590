#include "engine/simulate.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/diagnostic.hpp"
#include "dsl/field_reads.hpp"
#include "engine/eval.hpp"
#include "engine/waivers.hpp"

namespace opguard {

size_t Report::count(Severity s) const {
    return static_cast<size_t>(
        std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.rule->severity == s && !f.waived(); }));
}

size_t Report::waived_count() const {
    return static_cast<size_t>(std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return f.waived(); }));
}

Report::CallCounts Report::call_counts() const {
    CallCounts n;
    n.calls = calls.size();
    for (const auto& c : calls) {
        n.targets += c.targets.size();
        if (c.placeholder) ++n.not_read;
        else if (!c.known) ++n.not_modeled;
        if (c.acts_on_unresolved()) ++n.unresolved;
        if (c.acts_conditionally()) ++n.conditional;
        if (c.dry_run) continue;
        if (c.known && !c.accepted) ++n.refused;
        if (c.known && c.accepted && !c.answer_undocumented.empty()) ++n.answer_undocumented;
        for (const auto& t : c.targets) if (t.outcome == "refused") ++n.targets_refused;
    }
    return n;
}

std::string Report::summary() const {
    std::string s = "Plan: ";
    const CallCounts n = call_counts();
    const size_t unresolved = n.unresolved, conditional = n.conditional, not_read = n.not_read;
    // What such a call changes is not known: it is said instead of "no change", never beside it.
    const std::string unresolved_text =
        unresolved == 0 ? ""
        : unresolved == 1 ? std::string("1 call ") + kUnresolvedTargetsText
                          : std::to_string(unresolved) + " calls act on targets opguard cannot resolve: their effects are not predicted";
    const std::string conditional_text =
        conditional == 0 ? ""
        : conditional == 1 ? std::string("1 call runs only under a condition checked when it runs: its effects are not predicted")
                           : std::to_string(conditional) + " calls run only under a condition checked when they run: their effects are not predicted";
    const std::string not_read_text =
        not_read == 0 ? ""
        : not_read == 1 ? std::string("1 step (a script line or template task) makes API calls opguard does not read: they are not checked")
                        : std::to_string(not_read) + " steps (script lines or template tasks) make API calls opguard does not read: they are not checked";
    if (summary_parts.empty() && unresolved == 0 && conditional == 0 && not_read == 0) s += "no change";
    if (summary_parts.empty() && unresolved) s += unresolved_text;
    if (summary_parts.empty() && !unresolved && conditional) s += conditional_text;
    if (summary_parts.empty() && !unresolved && !conditional && not_read) s += not_read_text;
    for (size_t i = 0; i < summary_parts.size(); ++i) s += (i ? ", " : "") + summary_parts[i];
    std::vector<std::string> tail;
    if (n.refused) tail.push_back(std::to_string(n.refused) + (n.refused == 1 ? " call refused" : " calls refused"));
    if (n.targets_refused) tail.push_back(std::to_string(n.targets_refused) + (n.targets_refused == 1 ? " target refused" : " targets refused"));
    // Their effects are in the parts above, predicted as if they run.
    if (n.answer_undocumented)
        tail.push_back(std::to_string(n.answer_undocumented) +
                       (n.answer_undocumented == 1 ? " call may be refused as a whole (undocumented)" : " calls may be refused as a whole (undocumented)"));
    if (n.not_modeled) tail.push_back(std::to_string(n.not_modeled) + (n.not_modeled == 1 ? " call not modeled" : " calls not modeled"));
    if (!tail.empty()) {
        s += "; ";
        for (size_t i = 0; i < tail.size(); ++i) s += (i ? ", " : "") + tail[i];
    }
    if (!summary_parts.empty() && unresolved) s += "; " + unresolved_text;
    if ((!summary_parts.empty() || unresolved) && conditional) s += "; " + conditional_text;
    if ((!summary_parts.empty() || unresolved || conditional) && not_read) s += "; " + not_read_text;
    return s + ".";
}

int exit_code(const Report& r, Severity fail_on) {
    for (const auto& f : r.findings)
        if (!f.waived() && static_cast<int>(f.rule->severity) >= static_cast<int>(fail_on)) return 1;
    return 0;
}

namespace {

// The member names of the values the simulation makes per effect and per history entry,
// interned once instead of once per value made.
struct MemberNames {
    Key call{"call"}, operation{"operation"}, target{"target"}, kind{"kind"}, effect{"effect"}, noun{"noun"},
        verb{"verb"}, id{"id"}, size_gib{"size_gib"}, data_loss{"data_loss"}, basis{"basis"}, pending{"pending"},
        status_path{"status_path"}, detail{"detail"}, earlier{"earlier"}, object{"object"}, final{"final"},
        count{"count"}, last_call{"last_call"}, effects{"effects"}, deleted{"deleted"};
};
const MemberNames& member_names() {
    static const MemberNames names;
    return names;
}

std::string plural(const std::string& noun, size_t n) {
    if (n == 1) return noun;
    if (!noun.empty() && noun.back() == 'y') return noun.substr(0, noun.size() - 1) + "ies";
    if (!noun.empty() && noun.back() == 's') return noun + "es";
    return noun + "s";
}

std::string format_gib(double g) {
    // A sum of huge sizes can overflow a double: say so instead of printing "null GiB".
    if (!std::isfinite(g)) return "more than 1.7e308 GiB";
    double r = std::round(g * 100) / 100;
    return format_number(std::isfinite(r) ? r : g) + " GiB";
}

// What an input adapter left in a call's record (request.adapter, see
// input/adapters/plan_builder.hpp): the rules and effects that need a value it could not
// resolve (not evaluated for this call), and whether the call's effects can be predicted at
// all (not for a dry-run line, nor for a step that runs only under a condition checked when
// it runs).
struct AdapterDirectives {
    bool dry_run = false;  // request.adapter.no_effects
    bool conditional = false;  // request.adapter.conditional: runs only under a condition checked when it runs
    bool placeholder = false;  // request.adapter.placeholder: stands for calls opguard does not read
    bool unresolved_target = false;  // request.adapter.unresolved_target
    // Some unresolved value of the call may carry more flags ("$@"): what the call asks is not
    // known in full, so no response is predicted.
    bool unresolved_more = false;
    // Where the plan writes each unresolved value that is a call's one target (an InstanceId
    // of "$ID"): the target that value names is reported as unresolved, not as accepted.
    std::vector<Origin> unresolved_target_at;
    std::set<std::string, std::less<>> skip_rules, skip_effects;
    bool names_unresolved_target(const Node& target) const {
        return target.origin.known() &&
               std::any_of(unresolved_target_at.begin(), unresolved_target_at.end(), [&](const Origin& o) {
                   return o.file == target.origin.file && o.offset == target.origin.offset;
               });
    }
    static AdapterDirectives of(const Call& c) {
        AdapterDirectives d;
        const Node* a = c.record.find("adapter");
        if (!a) return d;
        if (const Node* ne = a->find("no_effects")) d.dry_run = ne->truthy();
        d.conditional = a->find("conditional") != nullptr;
        if (const Node* ph = a->find("placeholder")) d.placeholder = ph->truthy();
        if (const Node* ut = a->find("unresolved_target")) d.unresolved_target = ut->truthy();
        if (const Node* us = a->find("unresolved"); us && us->is_array())
            for (const Node& u : us->items()) {
                const Node* t = u.find("target");
                const Node* e = u.find("element");
                if (const Node* m = u.find("more"); m && m->truthy()) d.unresolved_more = true;
                if (t && t->truthy() && !(e && e->truthy())) d.unresolved_target_at.push_back(u.origin);
            }
        for (auto [key, into] : {std::pair{"skip_rules", &d.skip_rules}, {"skip_effects", &d.skip_effects}})
            if (const Node* l = a->find(key); l && l->is_array())
                for (const auto& id : l->items()) into->insert(id.to_text());
        return d;
    }
};

class Simulation : public EvalHost {
public:
    Simulation(const SourceRegistry& s, const Plan& p, Inventory& i, const RuleSet& r, const SimulateOptions& o)
        : sources_(s), plan_(p), inv_(i), rules_(r), options_(o) {
        // The step budget of one evaluation grows with the input (see Frame::limit), so a
        // rule that visits every call or object once fits however large the plan is.
        const double items = static_cast<double>(p.calls.size()) + static_cast<double>(i.built_count().second);
        const double limit = std::max(static_cast<double>(Frame::kBaseBudget), static_cast<double>(Frame::kStepsPerItem) * items);
        budget_ = limit > 1e15 ? static_cast<long>(1e15) : static_cast<long>(limit);
        if (auto it = r.sets.find(kDeletingVerbsSet); it != r.sets.end())
            for (const auto& v : it->second.values.items())
                if (v.is_string()) deleting_verbs_.insert(v.as_string());
    }

    // ---- EvalHost ------------------------------------------------------------------
    const InventoryObject* lookup(std::string_view kind, std::string_view id, const Node* region) override {
        const InventoryObject* o = inv_.find(kind, id);
        if (!o) return nullptr;
        if (region && !region->is_null()) {
            const Node* r = o->value().find("region");
            if (!r || !values_equal(*r, *region)) return nullptr;
        }
        return o;
    }
    // One entry per operation that touched the object, in order of first touch, so its size
    // is bounded by the rule set, not by the plan: a rule reading it costs the same at the
    // 10,000th call as at the first.
    Node history(std::string_view kind, std::string_view id) override {
        Node out = Node::array();
        const Histories* entries = history_of(kind, id);
        if (!entries) return out;
        for (const HistoryEntry& h : *entries) out.items().push_back(history_node(h));
        return out;
    }
    // One entry of history() / `effect.earlier`.
    Node history_node(const EffectRecord::Earlier& h) const {
        Node effects = Node::array();
        effects.items().reserve(h.effects.size());
        for (const std::string* v : h.effects) effects.items().push_back(Node::string(*v));
        const MemberNames& k = member_names();
        return Node::object_moved({{k.call, Node::string(plan_.calls[h.first_call].id)},
                                   {k.operation, Node::string(h.operation->name)},
                                   {k.verb, Node::string(h.operation->verb)},
                                   {k.count, Node::number(static_cast<double>(h.count))},
                                   {k.last_call, Node::string(plan_.calls[h.last_call].id)},
                                   {k.pending, Node::boolean(h.pending)},
                                   {k.effects, std::move(effects)},
                                   {k.data_loss, Node::boolean(h.data_loss)},
                                   {k.deleted, Node::boolean(h.deleted)}});
    }
    // Objects of `kind` whose `field` equals `value`, through an index built on first use.
    // The list (copies of the objects) is kept for the next rule that asks the same until the
    // plan next writes an inventory object (write_field, assumed_no_wait): the rules of one
    // call and target ask for the same objects again and again (a desktop's snapshots).
    Val find_all(std::string_view kind, std::string_view field, const Node& value) override {
        if (!value.is_string() && !value.is_number()) return Val(Node::array());
        // The question "kind \x1f field \x1f value", written into a string kept between calls:
        // its parts are looked up as views of it.
        std::string& asked = asked_;
        asked.assign(kind).append("\x1f").append(field);
        const size_t key_size = asked.size();
        asked += '\x1f';
        if (value.is_string()) asked += value.as_string();
        else asked += value.to_text();
        const std::string_view key = std::string_view(asked).substr(0, key_size);
        const std::string_view wanted = std::string_view(asked).substr(key_size + 1);
        if (auto kept = found_.find(std::string_view(asked)); kept != found_.end()) return Val(kept->second);
        auto it = secondary_.find(key);
        if (it == secondary_.end()) {
            it = secondary_.try_emplace(std::string(key)).first;
            for (const auto& o : inv_.objects(std::string(kind)))
                if (const Node* f = o.peek(field)) it->second[f->to_text()].push_back(&o);
        }
        auto out = std::make_shared<Node>(Node::array());
        auto hit = it->second.find(wanted);
        if (hit != it->second.end()) {
            out->items().reserve(hit->second.size());
            for (const InventoryObject* o : hit->second) out->items().push_back(o->value());
        }
        found_.emplace(asked, out);
        return Val(std::move(out));
    }
    bool loaded(std::string_view kind) override { return inv_.loaded(kind); }
    bool incomplete(std::string_view kind) override {
        return std::any_of(inv_.incomplete().begin(), inv_.incomplete().end(),
                           [&](const IncompleteList& l) { return l.kind->name == kind; });
    }
    // `calls` (every call's record) and `prior_calls` (those before the current call; all of
    // them for plan-wide rules) are copies of the plan's records, made only when a rule
    // asks: `prior_calls` grows with the calls already run, so building it stays linear.
    const Node* context(std::string_view name) override {
        if (name == "calls" || (name == "prior_calls" && !call_)) {
            if (!all_calls_built_) {
                for (const auto& c : plan_.calls) all_calls_.items().push_back(c.record);
                all_calls_built_ = true;
            }
            return &all_calls_;
        }
        if (name == "effects") return policies_running_ ? &all_effects() : nullptr;
        if (name == "today") {
            if (today_.is_null()) today_ = Node::string(options_.today.empty() ? today_utc() : options_.today);
            return &today_;
        }
        if (name == "prior_calls") {
            auto& items = prior_calls_.items();
            for (size_t i = items.size(); i < call_->index; ++i) items.push_back(plan_.calls[i].record);
            return &prior_calls_;
        }
        return nullptr;
    }
    // What the plan's calls use of the rule set: each operation some call is of, and each
    // rule and effect that applies to one of them, with a name for it ("operation X",
    // "rule Y", "effect Z") and the inventory fields it reads (dsl/field_reads.hpp), in
    // rule-set order: operations, then rules, then effects.
    template <class F>
    void each_used_by_plan(F&& f) const {
        std::set<std::string, std::less<>> ops;
        for (const auto& c : plan_.calls) if (c.operation) ops.insert(c.operation->name);
        if (ops.empty()) return;
        auto applies = [&](const std::vector<std::string>& list) {
            return std::any_of(list.begin(), list.end(), [&](const std::string& o) { return o == "*" || ops.count(o); });
        };
        for (const auto& op : rules_.operations) if (ops.count(op.name)) f("operation " + op.name, op.field_reads, &op);
        for (const auto& r : rules_.rules) if (applies(r.operations)) f("rule " + r.id, r.field_reads, nullptr);
        for (const auto& e : rules_.effects) if (applies(e.operations)) f("effect " + e.id, e.field_reads, nullptr);
    }
    // Per rule, effect and operation that a call of the plan uses, and per inventory field it
    // reads: the fields no saved object of a loaded kind has, with the nearest field that
    // exists. One entry per item and field.
    Node absent_fields() override {
        Node out = Node::array();
        each_used_by_plan([&](const std::string& by, const std::vector<FieldRead>& reads, const Operation*) {
            std::set<std::pair<std::string, std::string>> done;
            for (const auto& fr : reads) {
                if (!done.emplace(fr.kind, fr.field).second) continue;
                const ResourceKind* k = rules_.resource(fr.kind);
                if (!k || inv_.objects(fr.kind).empty()) continue;
                // Fields the engine computes or the plan writes are not in saved responses.
                if (std::find(k->state.begin(), k->state.end(), fr.field) != k->state.end()) continue;
                if (std::any_of(k->derived.begin(), k->derived.end(), [&](const NamedValue& d) { return d.name == fr.field; })) continue;
                const auto& names = inv_.field_names(fr.kind);
                if (names.count(fr.field)) continue;
                std::string near = field_reads::closest_name(fr.field, std::vector<std::string>(names.begin(), names.end()));
                out.items().push_back(Node::object({{"by", Node::string(by)},
                                                    {"kind", Node::string(fr.kind)},
                                                    {"field", Node::string(fr.field)},
                                                    {"closest", near.empty() ? Node::null() : Node::string(near)},
                                                    {"at", Node::string(fr.field, fr.origin)}}));
            }
        });
        return out;
    }
    // The kinds that a rule, effect or operation of the plan's calls reads (an operation's
    // target kind too) whose saved lists miss pages.
    Node incomplete_lists() override {
        Node out = Node::array();
        if (inv_.incomplete().empty()) return out;
        std::set<std::string, std::less<>> kinds;
        each_used_by_plan([&](const std::string&, const std::vector<FieldRead>& reads, const Operation* op) {
            for (const auto& fr : reads) kinds.insert(fr.kind);
            if (op) kinds.insert(op->target_kind);
        });
        for (const IncompleteList& l : inv_.incomplete()) {
            if (!kinds.count(l.kind->name)) continue;
            out.items().push_back(Node::object({{"kind", Node::string(l.kind->name)},
                                                {"title", Node::string(l.kind->title.empty() ? l.kind->name : l.kind->title)},
                                                {"why", Node::string(l.why)},
                                                {"at", Node::string(l.kind->name, l.at)}}));
        }
        return out;
    }
    // The fields of the objects the check has read whose saved JSON type is not the declared
    // one (ResourceKind::types), in file and offset order.
    Node mistyped_fields() override {
        Node out = Node::array();
        for (const MistypedField& m : inv_.mistyped())
            out.items().push_back(Node::object({{"kind", Node::string(m.kind->name)},
                                                {"title", Node::string(m.kind->title.empty() ? m.kind->name : m.kind->title)},
                                                {"id", Node::string(m.id)},
                                                {"field", Node::string(m.field)},
                                                {"expected", Node::string(m.expected)},
                                                {"found", Node::string(m.found)},
                                                {"value", Node::string(m.value)},
                                                {"at", Node::string(m.field, m.at)}}));
        return out;
    }
    // An index per set of paths, extended call by call as the plan advances: each call's
    // record is read once per set, so the rule costs O(1) per call, not O(calls so far).
    Node first_prior_call(const Node& criteria) override {
        std::vector<std::string> paths;
        std::string wanted;
        std::vector<std::pair<std::string, const Node*>> members;
        for (const auto& [k, v] : criteria.members()) members.emplace_back(k, &v);
        std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [k, v] : members) {
            if (!v->is_string() && !v->is_number()) return Node::null();
            paths.push_back(k);
            std::string t = v->to_text();
            wanted += std::to_string(t.size()) + ":" + t + ";";
        }
        CallIndex& idx = call_indexes_[paths];
        const size_t upto = call_ ? call_->index : plan_.calls.size();
        for (; idx.upto < upto; ++idx.upto) {
            const Node& record = plan_.calls[idx.upto].record;
            std::string key;
            bool ok = true;
            for (const auto& p : paths) {
                const Node* n = &record;
                for (size_t at = 0; n && at <= p.size();) {
                    size_t dot = p.find('.', at);
                    if (dot == std::string::npos) dot = p.size();
                    n = n->is_object() ? n->find(std::string_view(p).substr(at, dot - at)) : nullptr;
                    at = dot + 1;
                }
                if (!n || (!n->is_string() && !n->is_number())) { ok = false; break; }
                std::string t = n->to_text();
                key += std::to_string(t.size()) + ":" + t + ";";
            }
            if (ok) idx.first.try_emplace(std::move(key), idx.upto);
        }
        auto hit = idx.first.find(wanted);
        if (hit == idx.first.end() || hit->second >= upto) return Node::null();
        return plan_.calls[hit->second].record;
    }
    const Operation* operation() override { return call_ ? call_->operation : nullptr; }
    const Node* parameters() override { return call_ ? &call_->parameters : nullptr; }

    // ---- helpers -------------------------------------------------------------------
    // Whether `e` is a value written in the rule files (a literal, list or object, or a
    // set's name): its elements' origins are places in a rule file, so a finding looping
    // over it (`for w in [{...}]`) or pointing at it (`at = "..."`) stays at its default place.
    bool written_in_rules(const ast::Expr& e) const {
        return e.op == ast::Op::Literal || e.op == ast::Op::List || e.op == ast::Op::Object ||
               (e.op == ast::Op::Var && rules_.sets.count(e.name));
    }
    Location locate(Origin o) const {
        if (!o.known()) return {plan_file(), {}};
        const SourceFile& f = sources_.file(o.file);
        return {f.path(), f.position(o.offset)};
    }
    std::string plan_file() const { return sources_.file(plan_.file).path(); }

    // An evaluation error (a value of a type the rule did not expect, the step budget) while
    // checking a call is caused by that call: it is located at the call in the plan, and the
    // message names the rule or effect and the place in its rule file where evaluation
    // stopped. An error whose origin is already in the plan or inventory stays there; one
    // outside any call (a plan-wide rule) is located at the plan file.
    [[noreturn]] void fail(const EvalError& err) const {
        const SourceFile& file = sources_.file(err.origin.file);
        const Position in_rules = file.position(err.origin.offset);
        if (!is_rule_file(err.origin.file)) throw InputError(file.path(), in_rules, "rules.evaluation", err.what());
        std::string where = file.path();
        if (in_rules.known()) where += ":" + std::to_string(in_rules.line) + ":" + std::to_string(in_rules.column);
        std::string what = rule_now_ ? "rule " + rule_now_->id : effect_now_ ? "effect " + effect_now_->id : std::string("the operation's rules");
        if (call_) {
            const Location at = locate(call_->origin);
            throw InputError(at.file, at.pos, "rules.evaluation",
                             "checking call " + call_->id + " with " + what + " failed: " + err.what() + " (at " + where + ")");
        }
        throw InputError(plan_file(), {}, "rules.evaluation",
                         "checking the plan with " + what + " failed: " + err.what() + " (at " + where + ")");
    }
    bool is_rule_file(uint32_t file) const {
        if (rule_files_.empty()) {
            rule_files_.assign(sources_.size(), false);
            auto mark = [&](Origin o) { if (o.known() && o.file < rule_files_.size()) rule_files_[o.file] = true; };
            for (const auto& r : rules_.rules) mark(r.origin);
            for (const auto& e : rules_.effects) mark(e.origin);
            for (const auto& o : rules_.operations) mark(o.origin);
        }
        return file < rule_files_.size() && rule_files_[file];
    }

    Val eval(const ast::ExprPtr& e, Frame& f) {
        try {
            return evaluate(*e, f, *this, rules_);
        } catch (const EvalError& err) {
            fail(err);
        }
    }
    // Evaluates an expression that is not owned by a rule file (a let reference built here).
    void eval_node(const ast::Expr& e, Frame& f) {
        try {
            evaluate(e, f, *this, rules_);
        } catch (const EvalError& err) {
            fail(err);
        }
    }
    std::string render(const Template& t, Frame& f) {
        try {
            return render_template(t, f, *this, rules_);
        } catch (const EvalError& err) {
            fail(err);
        }
    }

    Frame base_frame(const Call& call) {
        Frame f = fresh_frame();
        f.bind("call", Val(&call.parameters));
        f.bind("request", Val(&call.record));
        return f;
    }

    std::vector<Citation> cite(const Frame& f) const {
        std::vector<Citation> out;
        std::set<const InventoryObject*> seen;
        for (const InventoryObject* o : f.evidence) {
            if (!seen.insert(o).second) continue;
            out.push_back({o->kind->name, o->id, sources_.file(o->file).path(), o->pointer()});
        }
        return out;
    }

    struct Fired {
        const Rule* rule;
        std::string message;
        bool assumes_no_wait = false;
    };

    Frame fresh_frame() const {
        Frame f;
        f.limit = f.budget = budget_;
        // call, request, target, a loop variable, `it`: one allocation, not one per doubling.
        f.vars.reserve(6);
        return f;
    }

    // ---- time in the plan ----------------------------------------------------------
    // An asynchronous call leaves each target in its status path's first transitional
    // status; the final status is pending until the plan waits (the call's "wait", a wait
    // step). A finding that fired while an object it read had a pending status is checked
    // again as if the plan had waited: when it would not fire then, it rests on the
    // assumption that the plan does not wait, and its message says so and how to declare
    // the wait.
    struct PendingStatus {
        size_t call = 0;       // the call that left the object in transition
        std::string call_id;
        Node final;            // the status once its work has finished
    };
    // What history() shows of one operation's calls on an object: the first and last call,
    // how many, whether one is not waited for yet, the verbs of their effects on it, each
    // once, in order, whether one lost data, whether one is in the set deleting_verbs.
    using HistoryEntry = EffectRecord::Earlier;
    // The history of each object the plan touched, by kind (an effect's noun) and then id,
    // so that a question is looked up by its views, with no key made for it.
    using Histories = std::vector<HistoryEntry>;
    const Histories* history_of(std::string_view kind, std::string_view id) const {
        auto k = history_.find(kind);
        if (k == history_.end()) return nullptr;
        auto it = k->second.find(id);
        return it == k->second.end() ? nullptr : &it->second;
    }
    // What an effect did to the object it names (noun = resource kind, id), recorded into the
    // history once the call's own history is (record_history).
    struct EffectMark {
        const std::string* noun = nullptr;  // Effect::noun
        std::string id;
        const std::string* verb = nullptr;  // Effect::verb
        bool data_loss = false;
    };

    std::string assumed_no_wait(const Rule& rule, Frame& f) {
        if (pending_.empty()) return "";
        std::vector<std::pair<InventoryObject*, const PendingStatus*>> in_transition;
        std::set<const InventoryObject*> seen;
        auto consider = [&](const InventoryObject* o) {
            if (!seen.insert(o).second) return;
            auto it = pending_.find(const_cast<InventoryObject*>(o));
            if (it != pending_.end()) in_transition.emplace_back(it->first, &it->second);
        };
        for (const InventoryObject* o : f.evidence) consider(o);
        for (const auto& l : f.lets) for (const InventoryObject* o : l.evidence) consider(o);
        if (in_transition.empty()) return "";
        // Evaluate `when` again with the final statuses, in a copy whose named values are
        // computed afresh; the objects are restored afterwards.
        std::vector<Node> saved;
        found_.clear();  // (and again once the statuses are restored)
        for (auto& [o, p] : in_transition) {
            Node* field = o->value().find(o->kind->status_field);
            saved.push_back(field ? *field : Node::null());
            if (field) *field = p->final;
        }
        Frame again = f;
        for (auto& l : again.lets) l = Frame::Let{l.def, std::nullopt, false, {}, l.vars_visible};
        again.budget = again.limit;
        bool still = true;
        try {
            still = evaluate(*rule.when, again, *this, rules_)->truthy();
        } catch (const EvalError&) {
            still = true;  // cannot tell: no assumption is claimed
        }
        for (size_t i = 0; i < in_transition.size(); ++i)
            if (Node* field = in_transition[i].first->value().find(in_transition[i].first->kind->status_field)) *field = saved[i];
        found_.clear();
        if (still) return "";
        std::vector<std::string> ids;
        std::sort(in_transition.begin(), in_transition.end(), [](const auto& a, const auto& b) { return a.second->call < b.second->call; });
        for (auto& [o, p] : in_transition)
            if (std::find(ids.begin(), ids.end(), p->call_id) == ids.end()) ids.push_back(p->call_id);
        std::string list;
        for (size_t i = 0; i < ids.size(); ++i) list += (i ? (i + 1 == ids.size() ? " and " : ", ") : "") + ids[i];
        return " (assumes the plan does not wait for call " + list + " to finish, which leaves " +
               (in_transition.size() == 1 ? in_transition[0].first->id + " " + saved[0].to_text()
                                          : std::to_string(in_transition.size()) + " objects in transition") +
               "; if it waits, declare the wait: \"wait\": true on that call or a {\"wait\": true} step in an opguard plan, "
               "an aliyun Describe command with --waiter after it, an ACS::WaitFor task in an OOS template)";
    }

    // The plan waits for the work of every call so far (a wait step); returns their ids.
    std::vector<std::string> wait_for_all() {
        std::vector<std::pair<size_t, std::string>> calls;
        for (auto& [o, p] : pending_) {
            calls.emplace_back(p.call, p.call_id);
            write_status(*o, p.final);
        }
        pending_.clear();
        for (auto& [entries, idx] : unwaited_history_) (*entries)[idx].pending = false;
        for (const auto& [index, id] : unwaited_history_calls_) calls.emplace_back(index, id);
        unwaited_history_.clear();
        unwaited_history_calls_.clear();
        std::sort(calls.begin(), calls.end());
        calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
        std::vector<std::string> ids;
        for (auto& c : calls) ids.push_back(c.second);
        return ids;
    }

    void write_status(InventoryObject& o, const Node& v) {
        touch(o, o.kind->status_field);
        Node x = v;
        x.origin = {};
        write_field(o, o.kind->status_field, std::move(x));
    }

    // Every write of the plan to an inventory object goes here, so that find_all's indexes
    // follow it: a desktop rebuilt onto another image is found by its new ImageId, no longer
    // by the old one (an index built before the write would otherwise answer from the
    // saved value). Bucket order stays deterministic: a moved object goes last.
    void write_field(InventoryObject& o, const std::string& field, Node v) {
        found_.clear();
        auto idx = secondary_.find(o.kind->name + "\x1f" + field);
        if (idx != secondary_.end()) {
            if (const Node* before = o.value().find(field)) {
                auto bucket = idx->second.find(before->to_text());
                if (bucket != idx->second.end())
                    bucket->second.erase(std::remove(bucket->second.begin(), bucket->second.end(), &o), bucket->second.end());
            }
            idx->second[v.to_text()].push_back(&o);
        }
        o.value().set(field, std::move(v));
    }

    // Evaluates one rule in `frame` (its `for` loop included); records findings and returns
    // the refusals it made. The frame is shared by all rules of one call or target, so the
    // operation's lets (look-ups) are computed once; the rule's own lets and loop variable
    // are removed again before returning.
    // A rule or effect whose expressions are still encoded (decode_rule_bodies was not given
    // this plan) would read as one without conditions: refused, never run.
    template <class Item>
    static void require_decoded(const Item& item) {
        if (!item.encoded.empty())
            throw std::logic_error("'" + item.id + "' was to run with its compiled expressions not decoded");
    }

    std::vector<Fired> run_rule(const Rule& rule, Frame& frame, const Call* call, const Node* target, Origin fallback) {
        require_decoded(rule);
        std::vector<Fired> fired;
        rule_now_ = &rule;  // for fail()
        const size_t nlets = frame.lets.size(), nvars = frame.vars.size();
        frame.budget = budget_;
        frame.add_lets(rule.lets);
        auto once = [&](Frame& f, Origin default_at) {
            f.evidence.clear();
            bool fires = eval(rule.when, f)->truthy();
            if (options_.on_rule) options_.on_rule(RuleEvaluation{rule, call, target, f, *this, fires});
            if (!fires) return;
            std::string assumption = assumed_no_wait(rule, f);
            Finding fd;
            fd.rule = &rule;
            fd.call_index = call ? call->index : plan_.calls.size();
            fd.call_id = call ? call->id : "";
            fd.operation = call && call->operation ? call->operation->name : "";
            fd.target = target && target->is_string() ? target->as_string() : "";
            fd.message = render(rule.message, f) + assumption;
            Origin at = default_at;
            if (rule.at) {
                Val v = eval(rule.at, f);
                if (v->origin.known() && !written_in_rules(*rule.at)) at = v->origin;
            }
            fd.location = locate(at);
            fd.evidence = cite(f);
            Fired x{&rule, rule.response_message.empty() ? std::string() : render(rule.response_message, f), !assumption.empty()};
            findings_.push_back(std::move(fd));
            fired.push_back(std::move(x));
        };
        if (rule.for_list) {
            Val list = eval(rule.for_list, frame);
            const bool literal = written_in_rules(*rule.for_list);
            std::vector<const Node*> els;
            if (list->is_array()) for (const auto& i : list->items()) els.push_back(&i);
            else if (!list->is_null()) els.push_back(list.get());
            for (const Node* el : els) {
                frame.vars.erase(frame.vars.begin() + static_cast<std::ptrdiff_t>(nvars), frame.vars.end());
                frame.bind(rule.for_var, Val(list, el));
                // The rule's lets may use the loop variable: recompute them per element.
                frame.reset_lets_from(nlets);
                once(frame, el->origin.known() && !literal ? el->origin : fallback);
            }
        } else {
            once(frame, fallback);
        }
        frame.lets.erase(frame.lets.begin() + static_cast<std::ptrdiff_t>(nlets), frame.lets.end());
        frame.vars.erase(frame.vars.begin() + static_cast<std::ptrdiff_t>(nvars), frame.vars.end());
        rule_now_ = nullptr;
        return fired;
    }

    // The rules and effects that apply to an operation (nullptr: a call no rule file
    // describes, which only "*" call rules see), in rule-set order; worked out once per
    // operation rather than per call and target.
    struct ForOperation {
        std::vector<const Rule*> call_rules, target_rules;
        std::vector<const Effect*> effects;
    };
    const ForOperation& of(const Operation* op) {
        auto [it, added] = for_operation_.try_emplace(op);
        if (!added) return it->second;
        ForOperation& f = it->second;
        const std::string name = op ? op->name : "*";
        for (const auto& rule : rules_.rules) {
            if (!rule.applies_to(name)) continue;
            if (rule.scope == Scope::Call) f.call_rules.push_back(&rule);
            if (rule.scope == Scope::Target && op) f.target_rules.push_back(&rule);
        }
        if (op)
            for (const auto& e : rules_.effects)
                if (e.applies_to(name)) {
                    require_decoded(e);
                    f.effects.push_back(&e);
                }
        return f;
    }

    // Keeps a field's saved value the first time the plan writes it (for `changes`): only
    // the fields written are copied, not the whole object.
    void touch(InventoryObject& o, const std::string& field) {
        auto [it, added] = originals_.try_emplace(&o);
        if (added) touched_order_.push_back(&o);
        for (const auto& saved : it->second)
            if (saved.first == field) return;
        const Node* now = o.value().find(field);
        it->second.emplace_back(field, now ? std::optional<Node>(*now) : std::nullopt);
    }

    InventoryObject* object_of(const Node* n) {
        const Node* kind = n->find(kKindField);
        if (!kind || !kind->is_string()) return nullptr;
        const ResourceKind* k = rules_.resource(kind->as_string());
        const Node* idn = k ? n->find(k->id_field) : nullptr;
        if (!idn || !idn->is_string()) return nullptr;
        return inv_.find(k->name, idn->as_string());
    }

    // Effects of one accepted target: all records are computed against the state before
    // any of them writes, then the writes happen.
    void apply_effects(const Call& call, const Node* target) {
        struct Write { InventoryObject* obj; std::string field; Node value; std::optional<Node> final; };
        std::vector<Write> writes;
        effect_marks_.clear();
        // The operation's lets are computed once for the target and shared by every effect;
        // an effect's own lets are recomputed per loop element.
        Frame shared = base_frame(call);
        if (target) shared.bind("target", Val(target));
        shared.add_lets(call.operation->lets);
        for (const auto& l : call.operation->lets) {
            ast::Expr v;
            v.op = ast::Op::Var;
            v.name = l.name;
            eval_node(v, shared);
        }
        // Each effect adds its lets (and loop variable) to the shared frame and removes them
        // again, as run_rule does, instead of copying the frame per effect and element.
        const size_t op_lets = shared.lets.size(), op_vars = shared.vars.size();
        const long budget = budget_;
        for (const Effect* e : of(call.operation).effects) {
            const Effect& eff = *e;
            if (adapter_.skip_effects.count(eff.id)) continue;
            effect_now_ = &eff;  // for fail()
            Frame& f = shared;
            f.budget = budget;
            f.add_lets(eff.lets);
            auto once = [&] {
                if (eff.when && !eval(eff.when, f)->truthy()) return;
                EffectRecord rec;
                rec.effect = &eff;
                rec.call_index = call.index;
                rec.call_id = call.id;
                rec.target = target && target->is_string() ? target->as_string() : "";
                if (target) rec.target_origin = target->origin;
                rec.noun = eff.noun;
                rec.noun_title = noun_title(eff.noun);
                rec.verb = eff.verb;
                if (eff.resource_id) rec.id = eval(eff.resource_id, f)->to_text();
                if (!rec.id.empty() && !eff.noun.empty() && effect_rules_) {
                    // Only earlier calls: an entry this call started (an earlier target of it) is left out.
                    // Read by effect-scope rules only, so kept only when there is one.
                    if (const Histories* entries = history_of(eff.noun, rec.id))
                        for (const HistoryEntry& h : *entries) {
                            if (h.first_call == call.index) continue;
                            rec.earlier.push_back(h);  // what history() shows of it
                        }
                }
                if (eff.size_gib) {
                    Val s = eval(eff.size_gib, f);
                    if (s->is_number()) rec.size_gib = s->as_number();
                    else if (s->is_string()) { char* end = nullptr; double d = std::strtod(s->as_string().c_str(), &end); if (end && *end == 0 && !s->as_string().empty()) rec.size_gib = d; }
                }
                rec.detail = render(eff.detail, f);
                if (eff.status) {
                    Val path = eval(eff.status, f);
                    if (path->is_array())
                        for (const auto& s : path->items()) rec.status_path.push_back(s.is_null() ? "unknown" : s.to_text());
                    Val obj = eval(eff.status_of, f);
                    if (obj->is_object() && !rec.status_path.empty()) {
                        if (InventoryObject* o = object_of(obj.get()); o && !o->kind->status_field.empty()) {
                            // An asynchronous operation leaves the object in transition until
                            // the plan waits (status path [before, transitional..., final]).
                            if (call.operation->asynchronous && rec.status_path.size() >= 3)
                                writes.push_back({o, o->kind->status_field, Node::string(rec.status_path[1]), Node::string(rec.status_path.back())});
                            else
                                writes.push_back({o, o->kind->status_field, Node::string(rec.status_path.back()), std::nullopt});
                        }
                    }
                }
                for (const auto& [lhs, rhs] : eff.sets) {
                    Val holder = eval(lhs->args[0], f);
                    Val value = eval(rhs, f);
                    if (!holder->is_object()) continue;
                    if (InventoryObject* o = object_of(holder.get())) writes.push_back({o, lhs->name, *value, std::nullopt});
                }
                if (!rec.verb.empty() && !rec.id.empty() && !eff.noun.empty())
                    effect_marks_.push_back(EffectMark{&eff.noun, rec.id, &eff.verb, eff.data_loss});
                if (!rec.verb.empty() || !rec.status_path.empty()) effects_.push_back(std::move(rec));
            };
            if (eff.for_list) {
                Val list = eval(eff.for_list, f);
                const long after_list = f.budget;  // each element starts from what the list left
                if (list->is_array()) {
                    for (const auto& el : list->items()) {
                        f.budget = after_list;
                        f.vars.erase(f.vars.begin() + static_cast<std::ptrdiff_t>(op_vars), f.vars.end());
                        f.bind(eff.for_var, Val(list, &el));
                        // The effect's lets may use the loop variable: recompute them per element.
                        f.reset_lets_from(op_lets);
                        once();
                    }
                }
            } else {
                once();
            }
            f.lets.erase(f.lets.begin() + static_cast<std::ptrdiff_t>(op_lets), f.lets.end());
            f.vars.erase(f.vars.begin() + static_cast<std::ptrdiff_t>(op_vars), f.vars.end());
        }
        effect_now_ = nullptr;
        for (auto& w : writes) {
            touch(*w.obj, w.field);
            Node v = w.value;
            v.origin = {};
            write_field(*w.obj, w.field, std::move(v));
            // A later write of the status replaces what an earlier call left pending.
            if (w.field == w.obj->kind->status_field) {
                if (w.final) {
                    pending_[w.obj] = PendingStatus{call.index, call.id, *w.final};
                    pending_of_call_.push_back(w.obj);
                } else {
                    pending_.erase(w.obj);
                }
            }
        }
    }

    // The entry of `call`'s operation in the history of object `id` of `kind`; `again`:
    // count a call that touched the object already (a target listed twice counts twice, as
    // it always has).
    HistoryEntry& history_entry(const Call& call, std::string_view kind, std::string_view id, bool again) {
        auto k = history_.find(kind);
        if (k == history_.end()) k = history_.emplace(std::string(kind), StringMap<Histories>()).first;
        auto it = k->second.find(id);
        if (it == k->second.end()) it = k->second.emplace(std::string(id), Histories()).first;
        Histories& entries = it->second;  // a map's values stay where they are: unwaited_history_ keeps its address
        size_t i = 0;
        while (i < entries.size() && entries[i].operation != call.operation) ++i;
        if (i == entries.size()) {
            HistoryEntry fresh;
            fresh.operation = call.operation;
            fresh.first_call = call.index;
            entries.push_back(std::move(fresh));
        }
        HistoryEntry& h = entries[i];
        if (!again && h.count > 0 && h.last_call == call.index) return h;
        h.last_call = call.index;
        ++h.count;
        // An asynchronous call's work is pending until the plan waits (a call's own wait
        // is applied when the call is done, see run_call).
        if (call.operation->asynchronous && !call.wait) {
            h.pending = true;
            unwaited_history_.emplace_back(&entries, i);
            if (unwaited_history_calls_.empty() || unwaited_history_calls_.back().first != call.index)
                unwaited_history_calls_.emplace_back(call.index, call.id);
        }
        return h;
    }

    void record_history(const Call& call, const Node* target) {
        if (target && target->is_string() && !call.operation->target_kind.empty()) {
            HistoryEntry& h = history_entry(call, call.operation->target_kind, target->as_string(), true);
            // The target lost data when an effect computed for it did, on it or on its parts
            // (a rebuilt desktop's erased disks).
            for (const EffectMark& m : effect_marks_) h.data_loss = h.data_loss || m.data_loss;
        }
        // What the target's effects did, to the target or to other objects (a desktop's disks).
        for (const EffectMark& m : effect_marks_) {
            HistoryEntry& h = history_entry(call, *m.noun, m.id, false);
            if (std::none_of(h.effects.begin(), h.effects.end(), [&](const std::string* v) { return *v == *m.verb; }))
                h.effects.push_back(m.verb);
            h.data_loss = h.data_loss || m.data_loss;
            if (deleting_verbs_.count(*m.verb)) h.deleted = true;
        }
        effect_marks_.clear();
    }

    static std::string label(const Call& c) {
        const Node& r = c.record;
        auto s = [&](const char* k) { const Node* n = r.find(k); return n && n->is_string() ? n->as_string() : std::string(); };
        // The parts the call gives, one space between them (no gap where one is missing).
        auto join = [](std::initializer_list<std::string> parts) {
            std::string out;
            for (const auto& p : parts)
                if (!p.empty()) out += (out.empty() ? "" : " ") + p;
            return out;
        };
        if (!s("action").empty()) return join({s("product"), s("version"), s("action")});
        return join({s("cloud"), s("service"), s("method"), s("path")});
    }

    void run_call(const Call& call) {
        call_ = &call;
        adapter_ = AdapterDirectives::of(call);
        CallOutcome out;
        out.dry_run = adapter_.dry_run;
        out.conditional = adapter_.conditional;
        out.placeholder = adapter_.placeholder;
        out.unresolved_targets = adapter_.unresolved_target;
        out.index = call.index;
        out.id = call.id;
        out.label = label(call);
        out.location = locate(call.origin);
        const Operation* op = call.operation;
        out.known = op != nullptr;
        out.operation = op ? op->name : "";
        out.read_only = op && op->read_only;

        // Call-scope rules ("*" rules also run for calls no rule file describes).
        std::vector<Fired> call_refusals;
        const Rule* maybe_refused = nullptr;  // the first rule with `refuses = maybe` that fired
        Frame call_frame = base_frame(call);
        if (op) call_frame.add_lets(op->lets);
        for (const Rule* r : of(op).call_rules) {
            const Rule& rule = *r;
            if (adapter_.skip_rules.count(rule.id)) continue;
            for (auto& x : run_rule(rule, call_frame, &call, nullptr, call.origin)) {
                if (rule.refuses == Refusal::Call) call_refusals.push_back(x);
                if (rule.refuses == Refusal::Maybe && !maybe_refused) maybe_refused = &rule;
            }
        }
        if (!op) {
            out.accepted = false;
            out.message = adapter_.placeholder ? "this stands for API calls opguard does not read: they are not checked, and their effects are not predicted"
                                               : "no rule file describes this call; its outcome is not predicted";
            // A call polled until a condition holds (aliyun --waiter on a Describe call) starts
            // no work of its own: opguard takes it as the wait for the work pending before it.
            out.wait = call.wait;
            if (call.wait) wait_for_all();
            outcomes_.push_back(std::move(out));
            return;
        }

        // Targets.
        Val targets;
        std::vector<const Node*> target_nodes;
        if (op->targets) {
            Frame f = base_frame(call);
            f.add_lets(op->lets);
            targets = eval(op->targets, f);
            if (targets->is_array()) for (const auto& t : targets->items()) target_nodes.push_back(&t);
            else if (!targets->is_null()) target_nodes.push_back(targets.get());
        }
        // The rules say the plan and the inventory cannot tell this call's targets (a group
        // named but not saved): it acts on targets opguard cannot resolve.
        if (op->targets_unknown) {
            Frame f = base_frame(call);
            f.add_lets(op->lets);
            if (eval(op->targets_unknown, f)->truthy()) out.unresolved_targets = true;
        }

        // A target given again in the same call (DesktopId.1 and DesktopId.2 both ecd-x): what
        // the cloud does with it is not documented. Its rules run (a rule may say so through
        // `repeat_of`, the 1-based position of its first occurrence), and its effects are
        // predicted once, at the first.
        std::vector<size_t> first_of(target_nodes.size());
        {
            std::unordered_map<std::string, size_t> seen;
            for (size_t t = 0; t < target_nodes.size(); ++t) {
                const Node& n = *target_nodes[t];
                first_of[t] = n.is_string() || n.is_number() ? seen.try_emplace(n.to_text(), t).first->second : t;
            }
        }
        // A call refused as a whole does nothing to any target: its targets are not checked
        // one by one (that also keeps a hostile 10^6-target call cheap).
        std::vector<std::vector<Fired>> target_refusals(target_nodes.size());
        std::vector<const Rule*> target_maybe(target_nodes.size(), nullptr);  // a `refuses = maybe` rule that fired for it
        for (size_t t = 0; call_refusals.empty() && t < target_nodes.size(); ++t) {
            Frame f = base_frame(call);
            f.bind("target", Val(targets, target_nodes[t]));
            f.bind("repeat_of", first_of[t] == t ? Val()
                                                 : Val(Node::object({{"position", Node::number(static_cast<double>(first_of[t] + 1))}})));
            f.add_lets(op->lets);
            for (const Rule* r : of(op).target_rules) {
                const Rule& rule = *r;
                if (adapter_.skip_rules.count(rule.id)) continue;
                Origin fallback = target_nodes[t]->origin.known() ? target_nodes[t]->origin : call.origin;
                // A target-scope rule may refuse the whole call: one bad target fails the
                // request (App Streaming answers a repeated region with a 400 for the call).
                for (auto& x : run_rule(rule, f, &call, target_nodes[t], fallback)) {
                    if (rule.refuses == Refusal::Target) target_refusals[t].push_back(x);
                    if (rule.refuses == Refusal::Call) call_refusals.push_back(x);
                    if (rule.refuses == Refusal::Maybe && !maybe_refused) maybe_refused = &rule;
                    if (rule.refuses == Refusal::Maybe && !target_maybe[t]) target_maybe[t] = &rule;
                }
            }
        }

        // A call whose target is one value, not a list (an InstanceId, a SnapshotId, a path's
        // desktop_id), acts on that object alone: refusing its target refuses the call, which
        // the cloud answers with that target's error.
        if (call_refusals.empty() && op->targets && !targets->is_array() && target_nodes.size() == 1 && !target_refusals[0].empty())
            call_refusals = target_refusals[0];

        out.accepted = call_refusals.empty();
        if (!out.accepted) {
            // Which of several refusals the cloud reports is not documented; the prediction
            // names the first (in rule order) whose error code is documented, else the first.
            auto chosen = std::find_if(call_refusals.begin(), call_refusals.end(), [](const Fired& f) { return !f.rule->code.empty(); });
            if (chosen != call_refusals.end()) std::rotate(call_refusals.begin(), chosen, chosen + 1);
            const Rule* r = call_refusals.front().rule;
            out.http = r->http;
            out.code = r->code.empty() ? "undocumented" : r->code;
            out.message = call_refusals.front().message;
            Node body = Node::object();
            body.set("Code", Node::string(out.code));
            if (!out.message.empty()) body.set("Message", Node::string(out.message));
            out.response = std::move(body);
        } else {
            out.http = op->success_http;
            // Whether the cloud accepts the call is not documented: a rule says so, or a target
            // is refused and nothing documents how the cloud answers that (the response has
            // no per-target result, or the refusing rule's code is undocumented: the cloud
            // may answer with an error for the whole call).
            if (adapter_.dry_run) {
                // A dry-run line sends nothing: there is no answer to doubt.
            } else if (maybe_refused) {
                out.answer_undocumented = "the cloud's answer is not documented (" + maybe_refused->id + ")";
            } else {
                for (size_t t = 0; t < target_nodes.size() && out.answer_undocumented.empty(); ++t) {
                    if (target_refusals[t].empty() || adapter_.names_unresolved_target(*target_nodes[t])) continue;
                    const Rule* r = target_refusals[t].front().rule;
                    if (op->response != "per_target")
                        out.answer_undocumented = "a target is refused (" + r->id + ") and the response has no per-target result: "
                                                  "whether the cloud refuses the whole call is not documented";
                    else if (r->code.empty())
                        out.answer_undocumented = "a target is refused (" + r->id + ") with an undocumented code: "
                                                  "whether the cloud answers per target or refuses the whole call is not documented";
                }
            }
            if (!out.answer_undocumented.empty()) {
                out.http = 0;
                out.message = out.answer_undocumented;
            }
        }

        std::vector<Node> results;
        for (size_t t = 0; t < target_nodes.size(); ++t) {
            TargetOutcome to;
            const Node* tn = target_nodes[t];
            to.id = tn->to_text();
            to.location = locate(tn->origin.known() ? tn->origin : call.origin);
            if (!out.accepted) {
                to.outcome = "not-run";
            } else if (adapter_.names_unresolved_target(*tn)) {
                // Not checked (the rules that need it were skipped) and no effect predicted:
                // neither accepted nor refused, and not in the predicted response.
                to.outcome = "unresolved";
                out.targets.push_back(std::move(to));
                continue;
            } else if (!target_refusals[t].empty()) {
                to.outcome = "refused";
                const Rule* r = target_refusals[t].front().rule;
                to.code = r->code.empty() ? "undocumented" : r->code;
                to.message = target_refusals[t].front().message;
            } else if (target_maybe[t] && !out.answer_undocumented.empty()) {
                // A rule doubts this target: neither accepted nor refused. Its effects are
                // predicted, as for the call.
                to.outcome = "undocumented";
                to.message = "the cloud's answer is not documented (" + target_maybe[t]->id + ")";
            } else {
                to.outcome = "accepted";
                // (no success code when the cloud's answer to the call is not documented)
                to.code = op->response == "per_target" && out.answer_undocumented.empty() ? op->success_code : "";
            }
            if (out.accepted && op->response == "per_target") {
                Node r = Node::object();
                r.set(op->result_id_field, Node::string(to.id));
                r.set("Code", Node::string(to.code));
                if (!to.message.empty()) r.set("Message", Node::string(to.message));
                results.push_back(std::move(r));
            }
            out.targets.push_back(std::move(to));
        }
        if (out.accepted) {
            if (!out.answer_undocumented.empty() || out.unresolved_targets || adapter_.unresolved_more) {
                // No response is predicted: the cloud's answer is not documented, or the call
                // names targets opguard cannot resolve, or may carry flags opguard cannot see
                // (what it answers for them is unknown).
            } else if (op->response == "per_target") {
                // results_field may be a dotted path: ECS wraps its lists in an object
                // ("InstanceResponses.InstanceResponse").
                Node list = Node::array(std::move(results));
                std::string_view path = op->results_field;
                for (size_t dot; (dot = path.rfind('.')) != std::string_view::npos; path = path.substr(0, dot))
                    list = Node::object_moved({{Key(path.substr(dot + 1)), std::move(list)}});
                out.response = Node::object_moved({{Key(path), std::move(list)}});
            } else if (op->response == "body") {
                Frame f = base_frame(call);
                f.add_lets(op->lets);
                out.response = *eval(op->response_body, f);
                strip_origins(out.response);
            } else {
                out.response = Node::object();
            }
            // Effects, then history, target by target; an operation that names no targets runs
            // them once. An operation whose targets come out empty (an optional list parameter
            // left out) has nothing to act on: no effect on a null target.
            // A dry-run line changes nothing; a conditional step's effects are not predicted.
            if (target_nodes.empty() && !op->targets && !adapter_.dry_run) {
                apply_effects(call, nullptr);
                record_history(call, nullptr);
            }
            for (size_t t = 0; t < target_nodes.size() && !adapter_.dry_run; ++t) {
                if (!out.targets[t].runs() || first_of[t] != t) continue;
                apply_effects(call, target_nodes[t]);
                record_history(call, target_nodes[t]);
            }
        }
        // "wait": true: the client waits until this call's work has finished.
        // A call that starts no asynchronous work of its own (a Describe polled with --waiter)
        // is taken as the wait for the work pending before it.
        out.wait = call.wait;
        if (call.wait && !op->asynchronous) wait_for_all();
        else if (call.wait) {
            // The objects this call left in transition (pending_of_call_), in pending_'s order.
            std::sort(pending_of_call_.begin(), pending_of_call_.end(), std::less<InventoryObject*>());
            pending_of_call_.erase(std::unique(pending_of_call_.begin(), pending_of_call_.end()), pending_of_call_.end());
            for (InventoryObject* o : pending_of_call_) {
                auto it = pending_.find(o);
                if (it == pending_.end() || it->second.call != call.index) continue;
                write_status(*it->first, it->second.final);
                pending_.erase(it);
            }
        }
        pending_of_call_.clear();
        outcomes_.push_back(std::move(out));
        call_ = nullptr;
    }


    Report run() {
        // Plan-wide rules: once, when the plan has a call they apply to.
        for (const auto& rule : rules_.rules) {
            if (rule.scope != Scope::Plan) continue;
            bool applies = std::any_of(plan_.calls.begin(), plan_.calls.end(),
                                       [&](const Call& c) { return c.operation && rule.applies_to(c.operation->name); });
            if (!applies) continue;
            Frame f = fresh_frame();
            run_rule(rule, f, nullptr, nullptr, Origin{plan_.file, 0});
        }
        std::vector<WaitOutcome> waits;
        size_t next_wait = 0;
        auto waits_before = [&](size_t calls_done) {
            for (; next_wait < plan_.waits.size() && plan_.waits[next_wait].after <= calls_done; ++next_wait) {
                const WaitStep& w = plan_.waits[next_wait];
                waits.push_back(WaitOutcome{w.id, locate(w.origin), w.after, wait_for_all()});
            }
        };
        for (const auto& c : plan_.calls) {
            waits_before(c.index);
            run_call(c);
        }
        waits_before(plan_.calls.size());
        // The state after the plan (`changes`) is the state once its work has finished.
        wait_for_all();
        call_ = nullptr;
        run_policies();

        Report r;
        r.plan_file = plan_file();
        r.inventory_files = inv_.files;
        // Only the rules that apply to this plan: a rule added for another operation leaves
        // every report of this plan as it was.
        std::set<std::string, std::less<>> operations;
        for (const auto& c : plan_.calls)
            if (c.operation) operations.insert(c.operation->name);
        for (const auto& rule : rules_.rules) {
            bool applies = rule.operations.empty() ||  // a policy over the whole plan
                           std::any_of(rule.operations.begin(), rule.operations.end(), [&](const std::string& o) {
                               return o == "*" ? !plan_.calls.empty() : operations.count(o) > 0;
                           });
            if (applies) r.rules.push_back(&rule);
        }
        r.rule_count = r.rules.size();
        r.calls = std::move(outcomes_);
        r.waits = std::move(waits);
        r.evaluation_steps = steps;
        r.findings = std::move(findings_);
        // Stable order: by call, then by position in the plan, then rule id. Findings are
        // made call by call, so they are mostly in order already: sorted only when not, and
        // then through their indexes, each finding moved once.
        auto before = [](const Finding& a, const Finding& b) {
            if (a.call_index != b.call_index) return a.call_index < b.call_index;
            if (a.location.pos.line != b.location.pos.line) return a.location.pos.line < b.location.pos.line;
            if (a.location.pos.column != b.location.pos.column) return a.location.pos.column < b.location.pos.column;
            return a.rule->id < b.rule->id;
        };
        stable_sort_moved_once(r.findings, before);
        r.effects = std::move(effects_);
        for (InventoryObject* o : touched_order_) {
            ResourceChange ch;
            ch.kind = o->kind->name;
            ch.id = o->id;
            const auto& saved = originals_.at(o);
            for (const auto& [k, v] : o->value().members()) {
                if (k == kKindField) continue;
                const std::optional<Node>* before = nullptr;  // a field never written is unchanged
                for (const auto& f : saved)
                    if (f.first == k) { before = &f.second; break; }
                if (!before) continue;
                const Node* b = *before ? &**before : nullptr;
                if (b && b->equals(v)) continue;
                Node bn = b ? *b : Node::null();
                Node an = v;
                strip_origins(bn);
                strip_origins(an);
                ch.fields.emplace_back(k, std::make_pair(std::move(bn), std::move(an)));
            }
            if (!ch.fields.empty()) r.changes.push_back(std::move(ch));
        }
        summarise(r);
        return r;
    }

    // ---- policies: rules over the predicted outcome -----------------------------------
    // An object as the inventory saved it: its current value with the fields the plan wrote
    // put back (originals_).
    Node saved_state(const InventoryObject& o) const {
        Node v = o.value();
        auto it = originals_.find(&o);
        if (it == originals_.end()) return v;
        for (const auto& [field_name, before] : it->second) {
            const std::string& field = field_name;  // a structured binding cannot be captured (clang 14)
            if (before) v.set(field, *before);
            else if (v.is_object()) {
                auto& m = v.members();
                m.erase(std::remove_if(m.begin(), m.end(), [&](const auto& kv) { return kv.first == field; }), m.end());
            }
        }
        return v;
    }

    // The members of an effect as rules see it, in their order; a rule that reads only some
    // of them by name (`effect.earlier`, `effect.noun`) gets a value with only those (and
    // `target`, which the rule's frame binds), a rule that uses `effect` otherwise (whole,
    // indexed, passed on) all of them.
    enum EffectMember : uint32_t {
        kCallMember, kOperationMember, kTargetMember, kKindMember, kEffectMember, kNounMember, kVerbMember,
        kIdMember, kSizeMember, kDataLossMember, kBasisMember, kPendingMember, kStatusPathMember, kDetailMember,
        kEarlierMember, kObjectMember, kFinalMember, kEffectMembers
    };
    using EffectMask = uint32_t;
    static constexpr EffectMask kAllEffectMembers = (EffectMask{1} << kEffectMembers) - 1;
    static constexpr EffectMask bit(EffectMember m) { return EffectMask{1} << m; }
    static const Key& effect_member_name(EffectMember m) {
        const MemberNames& k = member_names();
        static const Key* const names[] = {&k.call, &k.operation, &k.target, &k.kind, &k.effect, &k.noun,
                                           &k.verb, &k.id, &k.size_gib, &k.data_loss, &k.basis, &k.pending,
                                           &k.status_path, &k.detail, &k.earlier, &k.object, &k.final};
        static_assert(std::size(names) == kEffectMembers);
        return *names[m];
    }

    // One predicted effect as rules see it (an item of `effects`, `effect` in effect-scope
    // rules), with the members `mask` names. `object` and `final` are the object as saved and
    // as the plan leaves it (copies of the object: made only when a rule reads them).
    Node effect_node(const EffectRecord& rec, EffectMask mask) const {
        const Call& c = plan_.calls[rec.call_index];
        const std::string& kind = c.operation ? c.operation->target_kind : std::string();
        const bool objects = (mask & (bit(kObjectMember) | bit(kFinalMember))) != 0;
        const InventoryObject* o = objects && !kind.empty() && !rec.target.empty() ? inv_.find(kind, rec.target) : nullptr;
        std::vector<Node::Member> m;
        m.reserve(static_cast<size_t>(std::popcount(mask)));
        auto add = [&](EffectMember which, auto&& make) {
            if (mask & bit(which)) m.emplace_back(effect_member_name(which), make());
        };
        add(kCallMember, [&] { return Node::string(rec.call_id); });
        add(kOperationMember, [&] { return Node::string(c.operation ? c.operation->name : ""); });
        add(kTargetMember, [&] { return rec.target.empty() ? Node::null() : Node::string(rec.target, rec.target_origin); });
        add(kKindMember, [&] { return kind.empty() ? Node::null() : Node::string(kind); });
        add(kEffectMember, [&] { return Node::string(rec.effect->id); });
        add(kNounMember, [&] { return Node::string(std::string(rec.noun)); });
        add(kVerbMember, [&] { return Node::string(std::string(rec.verb)); });
        add(kIdMember, [&] { return rec.id.empty() ? Node::null() : Node::string(rec.id); });
        add(kSizeMember, [&] { return rec.size_gib ? Node::number(*rec.size_gib) : Node::null(); });
        add(kDataLossMember, [&] { return Node::boolean(rec.effect->data_loss); });
        add(kBasisMember, [&] { return Node::string(basis_name(rec.effect->basis)); });
        add(kPendingMember, [&] { return Node::boolean(rec.effect->pending); });
        add(kStatusPathMember, [&] {
            Node status = Node::array();
            for (const auto& st : rec.status_path) status.items().push_back(Node::string(st));
            return status;
        });
        add(kDetailMember, [&] { return Node::string(rec.detail); });
        add(kEarlierMember, [&] {
            Node earlier = Node::array();
            for (const auto& h : rec.earlier) earlier.items().push_back(history_node(h));
            return earlier;
        });
        add(kObjectMember, [&] { return o ? saved_state(*o) : Node::null(); });
        add(kFinalMember, [&] { return o ? o->value() : Node::null(); });
        return Node::object(std::move(m));
    }

    // `effects` of policies: every predicted effect, in the order they were predicted; made
    // when a rule first asks for it.
    const Node& all_effects() {
        if (!effects_built_) {
            effects_node_ = Node::array();
            effects_node_.items().reserve(effects_.size());
            for (const EffectRecord& rec : effects_) effects_node_.items().push_back(effect_node(rec, kAllEffectMembers));
            effects_built_ = true;
        }
        return effects_node_;
    }

    // The members of `effect` that `e` reads: those it names (`effect.NAME`), or all of them
    // when it uses `effect` otherwise (whole, indexed, bound to a name).
    static EffectMask effect_reads(const ast::Expr& e) {
        if (e.op == ast::Op::Member && !e.args.empty() && e.args[0] && e.args[0]->op == ast::Op::Var &&
            e.args[0]->name == "effect") {
            for (uint32_t i = 0; i < kEffectMembers; ++i)
                if (effect_member_name(static_cast<EffectMember>(i)) == e.name) return bit(static_cast<EffectMember>(i));
            return 0;  // a member effects do not have: null whatever the value holds
        }
        if (e.op == ast::Op::Var) return e.name == "effect" ? kAllEffectMembers : 0;
        EffectMask mask = 0;
        for (const auto& a : e.args)
            if (a) mask |= effect_reads(*a);
        return mask;
    }
    static EffectMask effect_reads(const Rule& r) {
        EffectMask mask = bit(kTargetMember);  // bound as `target` for every effect-scope rule
        for (const ast::ExprPtr& e : r.expressions()) mask |= effect_reads(*e);
        return mask;
    }

    // Rules evaluated once the plan has run: `scope = plan` without operations, once, at the
    // plan's first call; `scope = effect`, once per effect, at its call and target. An effect
    // is made into a value per rule that reads it, not kept for all effects at once.
    void run_policies() {
        if (std::none_of(rules_.rules.begin(), rules_.rules.end(), [](const Rule& r) { return r.after_plan(); })) return;
        policies_running_ = true;
        const Origin plan_at = plan_.calls.empty() ? Origin{plan_.file, 0} : plan_.calls.front().origin;
        for (const auto& rule : rules_.rules) {
            if (rule.scope == Scope::Plan && rule.after_plan()) {
                Frame f = fresh_frame();
                run_rule(rule, f, nullptr, nullptr, plan_at);
            } else if (rule.scope == Scope::Effect) {
                const EffectMask reads = effect_reads(rule);
                for (size_t i = 0; i < effects_.size(); ++i) {
                    const EffectRecord& rec = effects_[i];
                    const Call& c = plan_.calls[rec.call_index];
                    if (!rule.operations.empty() && !(c.operation && rule.applies_to(c.operation->name))) continue;
                    if (AdapterDirectives::of(c).skip_rules.count(rule.id)) continue;
                    call_ = &c;
                    Frame f = base_frame(c);
                    Node made;
                    const Node* e = &made;
                    if (effects_built_) e = &effects_node_.items()[i];
                    else made = effect_node(rec, reads);
                    f.bind("effect", Val(e));
                    f.bind("target", Val(e->find("target")));
                    run_rule(rule, f, &c, e->find("target"), rec.target_origin.known() ? rec.target_origin : c.origin);
                    call_ = nullptr;
                }
            }
        }
    }

    // An effect's noun is its object's resource kind where the object is one ("hw_desktop",
    // "ecs_snapshot": history() meets objects by it); reports name it by the kind's title
    // ("Huawei desktop"), as the summary names a call's targets. A noun that is no kind
    // ("local disk set") is printed as written.
    const std::string& noun_title(const std::string& noun) const {
        const ResourceKind* k = rules_.resource(noun);
        return k && !k->title.empty() ? k->title : noun;
    }

    void summarise(Report& r) {
        // Accepted targets by (noun, verb), in order of first appearance.
        std::vector<std::pair<std::string, size_t>> parts;
        auto bump = [&](const std::string& key) {
            for (auto& p : parts) if (p.first == key) { ++p.second; return; }
            parts.emplace_back(key, 1);
        };
        std::map<std::string, std::string> noun_of_key, verb_of_key;
        // (call index, target) pairs that some effect record names.
        std::set<std::pair<size_t, std::string_view>> affected;
        for (const auto& e : r.effects) affected.emplace(e.call_index, e.target);
        // (call index, target, noun) of the effects that the effect tally below counts: a
        // target whose own effect says what the call did to it ("snapshot deleted", "desktop
        // retyped" for a resize, "desktop stopped" for BatchRunDesktops' "operated on") is
        // counted there, once, with the effect's more precise verb. Effects are counted under
        // noun_title, as a call's targets are under their kind's title, so one object is
        // counted once under one name.
        std::set<std::tuple<size_t, std::string_view, std::string>> told;
        for (const auto& e : r.effects)
            if (!e.verb.empty() && e.id == e.target) told.emplace(e.call_index, e.target, e.noun_title);
        for (const auto& c : r.calls) {
            if (!c.accepted || !c.known || c.dry_run) continue;
            const Operation* op = rules_.operation(c.operation);
            const ResourceKind* k = rules_.resource(op->target_kind);
            std::string noun = !op->target_noun.empty() ? op->target_noun
                               : k && !k->title.empty() ? k->title
                               : (op->target_kind.empty() ? "call" : op->target_kind);
            // (An operation that names targets but got none, e.g. all unresolved, changed nothing known.)
            if (c.targets.empty() && !op->targets) { std::string key = "call\x1f" + op->verb; noun_of_key[key] = "call"; verb_of_key[key] = op->verb; bump(key); }
            // A target counts when its call did something to it: an operation with effects
            // that left none for this target (a replayed ClientToken) is not counted.
            bool has_effects = !of(op).effects.empty();
            std::set<std::string_view> counted;  // a target given twice in the call counts once
            for (const auto& t : c.targets) {
                if (!t.runs() || !counted.insert(t.id).second) continue;
                if (has_effects && !affected.count({c.index, t.id})) continue;
                if (told.count({c.index, t.id, noun})) continue;
                std::string key = noun + "\x1f" + op->verb;
                noun_of_key[key] = noun;
                verb_of_key[key] = op->verb;
                bump(key);
            }
        }
        for (const auto& [key, n] : parts)
            r.summary_parts.push_back(std::to_string(n) + " " + plural(noun_of_key[key], n) + " " + verb_of_key[key]);
        // Effects by (noun, verb), with sizes.
        std::vector<std::string> order;
        std::map<std::string, std::pair<size_t, double>> totals;
        std::map<std::string, bool> has_size, undocumented;
        for (const auto& e : r.effects) {
            if (e.verb.empty()) continue;
            std::string key = std::string(e.noun_title) + "\x1f" + std::string(e.verb);
            if (!totals.count(key)) order.push_back(key);
            auto& t = totals[key];
            ++t.first;
            if (e.size_gib) { t.second += *e.size_gib; has_size[key] = true; }
            if (e.effect->basis == Basis::Undocumented) undocumented[key] = true;
        }
        for (const auto& key : order) {
            auto sep = key.find('\x1f');
            std::string noun = key.substr(0, sep), verb = key.substr(sep + 1);
            auto [n, gib] = totals[key];
            std::string s = std::to_string(n) + " " + plural(noun, n) + " " + verb;
            if (has_size[key]) s += " (" + format_gib(gib) + ")";
            if (undocumented[key]) s += " (undocumented)";
            r.summary_parts.push_back(s);
        }
    }

private:
    const SourceRegistry& sources_;
    const Plan& plan_;
    Inventory& inv_;
    const RuleSet& rules_;
    const SimulateOptions& options_;
    const Call* call_ = nullptr;
    const Rule* rule_now_ = nullptr;      // the rule being evaluated (for fail())
    const Effect* effect_now_ = nullptr;  // the effect being evaluated (for fail())
    mutable std::vector<bool> rule_files_;  // by source id: a rule file (built when first asked)
    AdapterDirectives adapter_;  // of call_
    Node all_calls_ = Node::array();
    Node today_;  // `today`, made when a rule first reads it
    Node prior_calls_ = Node::array();
    bool all_calls_built_ = false;
    Node effects_node_ = Node::array();  // `effects` of policies (run_policies)
    bool effects_built_ = false;
    bool policies_running_ = false;                 // run_policies has begun: `effects` is there
    // Some rule has scope effect: effects keep what earlier calls did to their object.
    const bool effect_rules_ = std::any_of(rules_.rules.begin(), rules_.rules.end(), [](const Rule& r) { return r.scope == Scope::Effect; });
    std::unordered_map<const Operation*, ForOperation> for_operation_;
    StringMap<StringMap<Histories>> history_;  // looked up, never iterated
    std::vector<EffectMark> effect_marks_;          // of the target whose effects ran last (record_history)
    std::set<std::string, std::less<>> deleting_verbs_;  // the set deleting_verbs: an effect so named removes its object
    std::map<InventoryObject*, PendingStatus> pending_;               // statuses in transition, by object
    std::vector<InventoryObject*> pending_of_call_;  // objects the running call put into pending_
    std::vector<std::pair<Histories*, size_t>> unwaited_history_;      // history entries with pending work
    std::vector<std::pair<size_t, std::string>> unwaited_history_calls_;  // (index, id) of calls with pending work
    long budget_ = Frame::kBaseBudget;
    struct CallIndex {
        size_t upto = 0;                                     // calls indexed so far
        std::unordered_map<std::string, size_t> first;       // values of the paths => first call
    };
    std::map<std::vector<std::string>, CallIndex> call_indexes_;
    StringMap<StringMap<std::vector<const InventoryObject*>>> secondary_;
    // find_all's answers since the plan last wrote an inventory object: kind, field, value => list.
    StringMap<std::shared_ptr<Node>> found_;
    std::string asked_;  // find_all's question, written anew each time
    // Per object the plan changed: each written field's saved value (nullopt: absent).
    std::unordered_map<const InventoryObject*, std::vector<std::pair<std::string, std::optional<Node>>>> originals_;
    std::vector<InventoryObject*> touched_order_;
    std::vector<Finding> findings_;
    std::vector<CallOutcome> outcomes_;
    std::deque<EffectRecord> effects_;
};

}  // namespace

Report simulate(const SourceRegistry& sources, const Plan& plan, Inventory& inventory, const RuleSet& rules,
                const SimulateOptions& options) {
    Simulation s(sources, plan, inventory, rules, options);
    return s.run();
}

}  // namespace opguard
