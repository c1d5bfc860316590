#include "input/adapters/plan_builder.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "dsl/rule_set_io.hpp"
#include "input/adapters/rule_needs.hpp"

namespace opguard::adapters {

namespace {

bool digits(std::string_view s) {
    return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

Node str(const std::string& s, Origin o = {}) { return Node::string(s, o); }

}  // namespace

WireKey split_wire_key(const std::string& name) {
    size_t dot = name.find('.');
    if (dot == std::string::npos || dot == 0) return {name, 0, ""};
    std::string rest = name.substr(dot + 1);
    size_t dot2 = rest.find('.');
    std::string idx = rest.substr(0, dot2);
    if (!digits(idx)) return {name, 0, ""};
    long n = std::stol(idx);
    if (n < 1) return {name, 0, ""};
    return {name.substr(0, dot), n, dot2 == std::string::npos ? std::string() : rest.substr(dot2 + 1)};
}

// ---- CallDraft ----------------------------------------------------------------------

void CallDraft::set_header(const std::string& key, Node value) {
    for (auto& [k, v] : header)
        if (k == key) { v = std::move(value); return; }
    header.emplace_back(key, std::move(value));
}

const Node* CallDraft::header_value(const std::string& key) const {
    for (const auto& [k, v] : header)
        if (k == key) return &v;
    return nullptr;
}

void CallDraft::note(const std::string& list, Node entry) {
    Node* l = adapter.find(list);
    if (!l) {
        adapter.set(list, Node::array());
        l = adapter.find(list);
    }
    l->items().push_back(std::move(entry));
}

void CallDraft::dry_run(const std::string& flag, Origin at) {
    if (const Node* d = adapter.find("dry_run"); d && d->truthy()) return;  // the first such flag is reported
    adapter.set("dry_run", Node::boolean(true, at));
    adapter.set("dry_run_flag", str(flag, at));
}

void CallDraft::unresolved(const std::string& param, const std::string& flag, const std::string& text, Origin at, bool element) {
    note("unresolved", Node::object({{"param", str(param, at)},
                                     {"flag", str(flag, at)},
                                     {"text", str(text, at)},
                                     {"element", Node::boolean(element)},
                                     {"more", Node::boolean(false)},
                                     {"skipped", Node::array()}},
                                    at));
}

void CallDraft::unseen_arguments(const std::string& word, const std::string& text, Origin at, const std::vector<std::string>& skipped) {
    Node ids = Node::array();
    for (const auto& id : skipped) ids.items().push_back(str(id));
    note("unresolved", Node::object({{"param", str("(arguments)", at)},
                                     {"flag", str(word, at)},
                                     {"text", str(text, at)},
                                     {"element", Node::boolean(false)},
                                     {"more", Node::boolean(true)},
                                     {"skipped", std::move(ids)}},
                                    at));
}

void CallDraft::usage_error(const std::string& flag, const std::string& message, Origin at, bool shell) {
    note("usage_errors", Node::object({{"flag", str(flag, at)}, {"message", str(message, at)}, {"shell", Node::boolean(shell)}}, at));
}

// ---- operation matching -----------------------------------------------------------------

const Operation* find_operation(const RuleSet& rules, const std::vector<std::pair<std::string, Node>>& header) {
    for (const auto& op : rules.operations) {
        bool ok = !op.match.empty();
        for (const auto& [k, v] : op.match) {
            const Node* h = nullptr;
            for (const auto& [hk, hv] : header)
                if (hk == k) h = &hv;
            if (!h || !h->is_string()) { ok = false; break; }
            bool folded = k == "product" || k == "cloud" || k == "service" || k == "method";
            if (folded ? lower(h->as_string()) != lower(v) : h->as_string() != v) { ok = false; break; }
        }
        if (ok) return &op;
    }
    return nullptr;
}

// ---- PlanBuilder --------------------------------------------------------------------------

PlanBuilder::PlanBuilder(const SourceRegistry& sources, uint32_t file_id, const RuleSet& rules, std::string format)
    : sources_(sources), file_(file_id), rules_(rules), format_(std::move(format)), secrets_(secret_names(rules)) {}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

namespace {
// Whether the rule set `name` (a set of strings in rules/) holds `value`; false when no rule
// file defines the set.
bool in_rule_set(const RuleSet& rules, const char* name, const std::string& value) {
    auto set = rules.sets.find(name);
    if (set == rules.sets.end()) return false;
    for (const Node& v : set->second.values.items())
        if (v.is_string() && v.as_string() == value) return true;
    return false;
}
}  // namespace

bool read_only_api(const RuleSet& rules, const std::string& api, const std::string& product) {
    size_t e = 1;
    while (e < api.size() && !(api[e] >= 'A' && api[e] <= 'Z')) ++e;
    return in_rule_set(rules, "read_only_verbs", api.substr(0, e)) && !in_rule_set(rules, "read_verb_exceptions", lower(product) + "." + api);
}

bool read_only_method(const RuleSet& rules, const std::string& method) {
    std::string upper = method;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return in_rule_set(rules, "read_only_methods", upper);
}

void PlanBuilder::add(CallDraft draft) { drafts_.push_back(std::move(draft)); }

// The draft's parameters => the `parameters` object of a plan call: repeats settled by the
// client's policy, unresolved values replaced by placeholders (or left out of their list),
// RPC wire form turned into lists here (so an unresolved element never leaves a hole and
// a list whose every element is unresolved still exists).
Node PlanBuilder::assemble(CallDraft& d, const Operation* op) const {
    auto declared_type = [&](const std::string& name) -> std::string {
        if (!op) return "";
        const ParamSpec* p = op->param(name);
        return p ? p->type : "";
    };
    std::vector<RawParam*> kept;
    std::set<std::string> seen;
    struct Pending { Origin origin; bool any = false; };
    std::map<std::string, Pending> lists_with_holes;
    for (RawParam& p : d.params) {
        if (p.unresolved && p.element) {
            // --DesktopId.$i x: an element of the list at an index not known. Whether it
            // repeats another one cannot be told either.
            if (secrets_.is_secret(p.name)) p.text = "a value opguard does not show (a secret parameter)";
            d.unresolved(p.name, p.flag, p.text, p.value.origin, true);
            auto& h = lists_with_holes[p.name];
            if (!h.any) { h.origin = p.value.origin; h.any = true; }
            continue;
        }
        WireKey wk = d.wire_form ? split_wire_key(p.name) : WireKey{p.name, 0, ""};
        std::string param = wk.base;
        if (!seen.insert(p.name).second) {
            Node entry = Node::object({{"param", str(param, p.flag_at)}, {"flag", str(p.flag, p.flag_at)}}, p.flag_at);
            d.note(d.repeats == Repeats::ClientRejects ? "duplicates" : "repeated", std::move(entry));
            continue;
        }
        if (p.unresolved) {
            Origin at = p.value.origin;
            // The text as written may hold part of a secret ("abc$SUFFIX"): not shown.
            if (secrets_.is_secret(param)) p.text = "a value opguard does not show (a secret parameter)";
            if (wk.index > 0) {
                d.unresolved(param, p.flag, p.text, at, true);
                auto& h = lists_with_holes[param];
                if (!h.any) { h.origin = at; h.any = true; }
                continue;
            }
            d.unresolved(param, p.flag, p.text, at, false);
            // The placeholder is the text as written (reports show it as the call's target):
            // a secret written inside it ("$(get-id --access-key-secret ...)") is hidden.
            p.value = declared_type(param) == "list" ? Node::array({}, at) : Node::string(redact_text(p.value.to_text(), secrets_), at);
        }
        kept.push_back(&p);
    }

    // Wire form => lists (Tag.1.Key => [{Key: ...}]), in index order.
    Node out = Node::object({}, d.origin);
    struct Repeated { std::map<long, Node> items; std::vector<Node> extra; Origin origin; const RawParam* first = nullptr; };
    std::map<std::string, Repeated> repeated;
    std::vector<std::string> order;
    for (const RawParam* p : kept) {
        WireKey wk = d.wire_form ? split_wire_key(p->name) : WireKey{p->name, 0, ""};
        if (wk.index > 0) {
            auto& r = repeated[wk.base];
            if (!r.first) {
                r.first = p;
                r.origin = p->value.origin;
                if (std::find(order.begin(), order.end(), wk.base) == order.end()) order.push_back(wk.base);
            }
            // The same element written twice in different spellings (DesktopId.1 and
            // DesktopId.01, which the client sends as two keys; how the API reads them is not
            // documented): both values are kept and checked, and plan.repeated-flag says so.
            auto again = [&] {
                d.note("repeated", Node::object({{"param", str(wk.base, p->flag_at)}, {"flag", str(p->flag, p->flag_at)}, {"all", Node::boolean(true, p->flag_at)}},
                                                p->flag_at));
            };
            if (wk.rest.empty()) {
                auto [it, fresh] = r.items.emplace(wk.index, p->value);
                if (!fresh) {
                    again();
                    r.extra.push_back(p->value);
                }
            } else {
                Node& obj = r.items[wk.index];
                if (!obj.is_object()) obj = Node::object({}, p->value.origin);
                if (obj.find(wk.rest)) {
                    again();
                    r.extra.push_back(Node::object({{wk.rest, p->value}}, p->value.origin));
                } else {
                    obj.set(wk.rest, p->value);
                }
            }
            continue;
        }
        out.set(p->name, p->value);
        if (std::find(order.begin(), order.end(), p->name) == order.end()) order.push_back(p->name);
    }
    for (auto& [base, h] : lists_with_holes) {
        if (!repeated.count(base) && !out.find(base)) {
            repeated[base].origin = h.origin;
            if (std::find(order.begin(), order.end(), base) == order.end()) order.push_back(base);
        }
    }
    for (auto& [base, r] : repeated) {
        if (const Node* plain = out.find(base)) {
            // The CLI sends both forms; which one the API reads is not documented. The
            // wire form (the API's own) is kept.
            Origin at = plain->origin;
            d.note("repeated", Node::object({{"param", str(base, at)}, {"flag", str(base + " and " + base + ".N", at)}}, at));
        }
        std::vector<Node> items;
        for (auto& [n, v] : r.items) items.push_back(std::move(v));
        for (Node& v : r.extra) items.push_back(std::move(v));
        out.set(base, Node::array(std::move(items), r.origin));
    }
    Node ordered = Node::object({}, d.origin);
    for (const auto& k : order)
        if (const Node* v = out.find(k)) ordered.set(k, *v);
    return ordered;
}

Plan PlanBuilder::build() {
    Node calls = Node::array({}, Origin{file_, 0});
    // Time in the plan: a draft's `wait` is the call's "wait": true; a `wait_only` draft is a
    // wait step ({"id", "wait": true}), which plan_from_node keeps apart from the calls.
    std::vector<CallDraft*> call_drafts;  // plan.calls[i] comes from call_drafts[i]
    // A draft's id comes from its source (a script's line, an OOS task's name, a Terraform
    // address): where two would share one (a template repeating a task's name), the later
    // ones are told apart as id#2, id#3, ...; plan_from_node refuses a plan naming one id twice.
    // Each id remembers the next suffix to try (those below it are taken for good), so a
    // name repeated N times costs O(N), not O(N^2).
    std::unordered_set<std::string> taken;
    for (CallDraft& d : drafts_) taken.insert(d.id);
    std::unordered_set<std::string> used;
    std::unordered_map<std::string, size_t> next_suffix;
    for (CallDraft& d : drafts_) {
        if (used.insert(d.id).second) continue;
        for (size_t& n = next_suffix.try_emplace(d.id, 2).first->second;; ++n)
            if (std::string alt = d.id + "#" + std::to_string(n); !taken.count(alt) && used.insert(alt).second) {
                ++n;
                d.id = std::move(alt);
                break;
            }
    }
    for (CallDraft& d : drafts_) {
        Origin wait_at = d.wait_at.known() ? d.wait_at : d.origin;
        if (d.wait_only) {
            Node step = Node::object({}, d.origin);
            step.set("id", str(d.id, d.origin));
            step.set("wait", Node::boolean(true, wait_at));
            calls.items().push_back(std::move(step));
            continue;
        }
        const Operation* op = find_operation(rules_, d.header);
        Node params = assemble(d, op);
        Node call = Node::object({}, d.origin);
        call.set("id", str(d.id, d.origin));
        // The header as written (a product or API name left to a substitution: "$(pick-api
        // --access-key-secret ...)") names the call in every report: secrets inside are hidden.
        for (const auto& [k, v] : d.header) {
            Node value = v;
            redact_tree(value, secrets_, /*free_text=*/true);
            call.set(k, std::move(value));
        }
        call.set("parameters", std::move(params));
        if (d.wait) call.set("wait", Node::boolean(true, wait_at));
        calls.items().push_back(std::move(call));
        call_drafts.push_back(&d);
    }
    Node root = Node::object({{"calls", std::move(calls)}}, Origin{file_, 0});
    Plan plan = plan_from_node(sources_, file_, root, rules_);
    // What each rule and effect reads of a call depends only on it and the operation: found once
    // per pair. A compiled rule whose expressions are still encoded is read from a decoded copy
    // (the rule set is not changed here; decode_rule_bodies does that for the simulation).
    std::map<std::pair<const void*, const Operation*>, ParamNeeds> needs_of;
    auto needs_once = [&](const auto& item, const Operation* op) -> const ParamNeeds& {
        using Item = std::decay_t<decltype(item)>;
        auto needs = [op](const Item& x) {
            if constexpr (std::is_same_v<Item, Rule>) return rule_needs(x, op);
            else return effect_needs(x, op);
        };
        auto [it, added] = needs_of.try_emplace({&item, op});
        if (added) {
            if (item.encoded.empty()) {
                it->second = needs(item);
            } else {
                Item decoded = item;
                decode_body(decoded);
                it->second = needs(decoded);
            }
        }
        return it->second;
    };

    for (size_t i = 0; i < plan.calls.size() && i < call_drafts.size(); ++i) {
        Call& call = plan.calls[i];
        Node adapter = std::move(call_drafts[i]->adapter);
        adapter.set("format", str(format_));
        if (!adapter.find("dry_run")) adapter.set("dry_run", Node::boolean(false));
        // Which rules and effects need an unresolved value: they are skipped for this call
        // (and each unresolved value says which ones it cost).
        std::vector<std::string> skip_rules, skip_effects;
        auto add = [](std::vector<std::string>& v, const std::string& id) {
            if (std::find(v.begin(), v.end(), id) == v.end()) v.push_back(id);
        };
        // Rules an adapter already named (a word that may add flags): skipped whatever the operation.
        if (Node* unresolved = adapter.find("unresolved"))
            for (const Node& u : unresolved->items())
                for (const Node& id : u.find("skipped")->items()) add(skip_rules, id.to_text());
        if (Node* unresolved = adapter.find("unresolved"); unresolved && call.operation) {
            const Operation* op = call.operation;
            auto affects = [&](const ParamNeeds& needs, const Node& u) {
                const std::string& param = u.find("param")->as_string();
                if (u.find("more")->truthy()) {
                    // More flags may come: a rule that needs the whole call or a list
                    // parameter (its elements, their count) cannot be trusted.
                    if (needs.all_params) return true;
                    for (const auto& n : needs.params)
                        if (const ParamSpec* spec = op->param(n); spec && spec->type == "list") return true;
                    return false;
                }
                if (needs.all_params || needs.params.count(param)) return true;
                if (needs.param_types && !u.find("element")->truthy()) {
                    const ParamSpec* spec = op->param(param);
                    return spec && spec->type != "string" && spec->type != "list";
                }
                return false;
            };
            auto listed = [](const Node& u, const std::string& id) {
                const auto& items = u.find("skipped")->items();
                return std::any_of(items.begin(), items.end(), [&](const Node& n) { return n.to_text() == id; });
            };
            // The value names the call's targets: a rule or effect that reads `target` cannot
            // be checked or predicted on it. A whole value (--InstanceId "$ID") leaves no known
            // target, so those are skipped for the call; an element (--DesktopId.1 "$X") is left
            // out of the list, so they still run on the others, and are listed for this element.
            ParamNeeds targets = op->targets ? target_needs(*op) : ParamNeeds{};
            // No parameter that names the targets is written, and a word that may add any flag
            // ($ARGS, "$@") is there: that word may name them (aliyun ecs DeleteInstance $ARGS).
            const bool targets_unwritten = !targets.params.empty() && std::none_of(targets.params.begin(), targets.params.end(), [&](const std::string& p) {
                return call.parameters.find(p) != nullptr;
            });
            auto names_targets = [&](const Node& u) {
                if (u.find("more")->truthy()) return targets_unwritten;
                return targets.params.count(u.find("param")->as_string()) > 0;
            };
            // When every element of the list that names the targets is unresolved, no target
            // is left to predict effects for (the engine would otherwise run them once, untargeted).
            auto no_target_left = [&](const Node& u) {
                const std::string& param = u.find("param")->as_string();
                const Node* list = call.parameters.find(param);
                if (u.find("more")->truthy()) return targets_unwritten;
                if (!u.find("element")->truthy()) return targets.params.count(param) > 0;
                return targets.params.count(param) && list && list->is_array() && list->items().empty();
            };
            for (const Rule& rule : rules_.rules) {
                if (rule.scope == Scope::Plan || !rule.applies_to(op->name)) continue;
                const ParamNeeds& needs = needs_once(rule, op);
                for (Node& u : unresolved->items()) {
                    const bool direct = affects(needs, u);
                    const bool via_target = needs.target && names_targets(u);
                    if (!direct && !via_target) continue;
                    if (!listed(u, rule.id)) u.find("skipped")->items().push_back(str(rule.id));
                    if (direct || no_target_left(u)) add(skip_rules, rule.id);
                }
            }
            bool loses_data = false;
            // lost[k]: the k-th value is needed by an effect that loses data, which is therefore
            // not predicted (the region a CLI profile supplies, which every look-up of the
            // call's desktops needs): the call may destroy objects opguard has not checked.
            // skipped[k]: how many of the call's effects are not predicted for want of it; when
            // none is left (the region of a stop: no desktop can be looked up), the summary says
            // that the call's effects are not predicted, whether or not they lose data.
            std::vector<bool> lost(unresolved->items().size(), false);
            std::vector<size_t> skipped(unresolved->items().size(), 0);
            size_t effects = 0;
            for (const Effect& eff : rules_.effects) {
                if (!eff.applies_to(op->name)) continue;
                loses_data = loses_data || eff.data_loss;
                ++effects;
                const ParamNeeds& needs = needs_once(eff, op);
                for (size_t k = 0; k < unresolved->items().size(); ++k) {
                    Node& u = unresolved->items()[k];
                    if (u.find("more")->truthy() && !targets_unwritten) continue;
                    const bool via_target = (needs.target || op->targets) && names_targets(u);
                    if (!affects(needs, u) && !via_target) continue;
                    if (!listed(u, "effect " + eff.id)) u.find("skipped")->items().push_back(str("effect " + eff.id));
                    if (affects(needs, u) || no_target_left(u)) {
                        add(skip_effects, eff.id);
                        ++skipped[k];
                        if (eff.data_loss) lost[k] = true;
                    }
                }
            }
            // A value that names the call's targets: the call acts on objects opguard cannot
            // resolve (plan.unresolved-target when its operation's effects lose data).
            bool unresolved_target = false;
            for (size_t k = 0; k < unresolved->items().size(); ++k) {
                Node& u = unresolved->items()[k];
                const bool t = names_targets(u);
                unresolved_target = unresolved_target || t || lost[k] || (effects > 0 && skipped[k] == effects);
                u.set("target", Node::boolean(t));
                u.set("data_loss", Node::boolean((t && loses_data) || lost[k]));
            }
            if (unresolved_target) adapter.set("unresolved_target", Node::boolean(true));
        }
        // A command bash cannot parse (a quote left open) never runs: only that is reported.
        if (const Node* ue = adapter.find("usage_errors"))
            for (const Node& e : ue->items())
                if (const Node* sh = e.find("shell"); sh && sh->truthy()) {
                    for (const Rule& rule : rules_.rules)
                        if (rule.scope != Scope::Plan && rule.id != "plan.cli-usage") add(skip_rules, rule.id);
                    break;
                }
        // A placeholder for a task that calls nothing (an OOS loop over an empty list) or for
        // a script the plan runs and opguard does not read: only the observation it carries
        // is reported, by the rules that walk the adapter's notes (their bodies may still be
        // encoded here, so they are named).
        bool placeholder = adapter.find("placeholder") != nullptr;
        static const std::set<std::string, std::less<>> kPlaceholderRules = {
            "plan.loop-not-checked", "plan.loop-skips-changes", "plan.script-not-read", "plan.cli-not-read"};
        if (placeholder)
            for (const Rule& rule : rules_.rules)
                if (rule.scope != Scope::Plan && !kPlaceholderRules.count(rule.id)) add(skip_rules, rule.id);
        // A step that runs only under a condition checked when it runs (OOS): its per-target
        // checks and its effects are not predicted; a dry-run line has no effects.
        bool conditional = adapter.find("conditional") != nullptr;
        if (conditional && call.operation)
            for (const Rule& rule : rules_.rules)
                if (rule.scope == Scope::Target && rule.applies_to(call.operation->name) &&
                    std::find(skip_rules.begin(), skip_rules.end(), rule.id) == skip_rules.end())
                    skip_rules.push_back(rule.id);
        adapter.set("no_effects", Node::boolean(conditional || placeholder || adapter.find("dry_run")->truthy()));
        Node sr = Node::array(), se = Node::array();
        for (const auto& id : skip_rules) sr.items().push_back(str(id));
        for (const auto& id : skip_effects) se.items().push_back(str(id));
        adapter.set("skip_rules", std::move(sr));
        adapter.set("skip_effects", std::move(se));
        // What the adapter recorded as written (flags, endpoints, values it could not
        // resolve, messages) passes through the same redaction as the parameters.
        redact_tree(adapter, secrets_, /*free_text=*/true);
        call.record.set("adapter", std::move(adapter));
    }
    return plan;
}

}  // namespace opguard::adapters
