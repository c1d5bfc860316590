#include "dsl/compiler.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

#include "core/diagnostic.hpp"
#include "dsl/builtins.hpp"
#include "dsl/field_reads.hpp"
#include "dsl/parser.hpp"

namespace opguard {

const char* severity_name(Severity s) {
    switch (s) {
        case Severity::Info: return "info";
        case Severity::Warning: return "warning";
        case Severity::Error: return "error";
    }
    return "?";
}

const char* basis_name(Basis b) {
    switch (b) {
        case Basis::Documented: return "documented";
        case Basis::Inferred: return "inferred";
        case Basis::Undocumented: return "undocumented";
    }
    return "?";
}

const ParamSpec* Operation::param(std::string_view n) const {
    for (const auto& p : params)
        if (p.name == n) return &p;
    return nullptr;
}

bool Rule::applies_to(const std::string& operation) const {
    return std::find(operations.begin(), operations.end(), "*") != operations.end() ||
           std::find(operations.begin(), operations.end(), operation) != operations.end();
}

std::vector<ast::ExprPtr> Rule::expressions() const {
    std::vector<ast::ExprPtr> out;
    for (const auto& e : {for_list, when, at})
        if (e) out.push_back(e);
    for (const auto& l : lets)
        if (l.expr) out.push_back(l.expr);
    for (const auto* t : {&message, &response_message})
        for (const auto& p : t->parts)
            if (p.expr) out.push_back(p.expr);
    return out;
}

bool Effect::applies_to(const std::string& operation) const {
    return std::find(operations.begin(), operations.end(), operation) != operations.end();
}

bool ResourceKind::has_field(std::string_view f) const {
    if (f == status_field) return true;
    for (const auto* list : {&fields, &state})
        if (std::find(list->begin(), list->end(), f) != list->end()) return true;
    return std::any_of(derived.begin(), derived.end(), [&](const NamedValue& d) { return d.name == f; });
}

const ResourceKind* RuleSet::resource(std::string_view name) const {
    for (const auto& r : resources)
        if (r.name == name) return &r;
    return nullptr;
}
const Operation* RuleSet::operation(std::string_view name) const {
    for (const auto& o : operations)
        if (o.name == name) return &o;
    return nullptr;
}
const Listing* RuleSet::listing_of(std::string_view resource) const {
    for (const auto& l : listings)
        if (l.resource == resource) return &l;
    return nullptr;
}
namespace {
bool same_ascii_case_insensitive(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}
}  // namespace
const Client* RuleSet::client(std::string_view name) const {
    for (const auto& c : clients)
        if (c.name == name) return &c;
    return nullptr;
}
const ClientProduct* RuleSet::product(std::string_view client, std::string_view name) const {
    for (const auto& p : products)
        if (p.client == client && same_ascii_case_insensitive(p.name, name)) return &p;
    return nullptr;
}
const ClientApi* RuleSet::client_api(std::string_view client, std::string_view product, std::string_view api) const {
    for (const auto& a : client_apis)
        if (a.client == client && same_ascii_case_insensitive(a.product, product) && a.api == api) return &a;
    return nullptr;
}
const ClientRoute* RuleSet::route(std::string_view client, std::string_view service, std::string_view name) const {
    for (const auto& r : routes)
        if (r.client == client && same_ascii_case_insensitive(r.service, service) && r.name == name) return &r;
    return nullptr;
}
const OosAction* RuleSet::oos_action(std::string_view action) const {
    for (const auto& a : oos_actions)
        if (same_ascii_case_insensitive(a.action, action)) return &a;
    return nullptr;
}
const TerraformResource* RuleSet::terraform_resource(std::string_view type) const {
    for (const auto& r : terraform_resources)
        if (r.name == type) return &r;
    return nullptr;
}
const Rule* RuleSet::rule(std::string_view id) const {
    for (const auto& r : rules)
        if (r.id == id) return &r;
    return nullptr;
}

namespace {

// Names every expression may use, besides lets, loop variables and sets (`today`: the
// check's date, YYYY-MM-DD, see SimulateOptions::today; `repeat_of`: in a target-scope rule,
// {position} of the same target given earlier in the call, 1-based, or null).
const std::set<std::string, std::less<>> kContextNames = {"call", "request", "target", "repeat_of", "calls", "prior_calls", "today"};

// Thrown by Compiler::fail once the error is recorded: the step it is in stops, the
// compiler goes on with the next one.
struct StepFailed {};

class Compiler {
public:
    Compiler(const SourceRegistry& sources, RuleErrors& errors) : sources_(sources), errors_(errors) {}

    // Records an error and goes on.
    void report(Origin o, const std::string& id, const std::string& msg) const { errors_.add(o, id, msg); }
    // Records an error and abandons the step (see attempt).
    [[noreturn]] void fail(Origin o, const std::string& id, const std::string& msg) const {
        report(o, id, msg);
        throw StepFailed{};
    }
    // Runs one step of compiling an item (a property, a check); an error in it ends only it.
    template <typename F>
    void attempt(F&& step) const {
        try {
            step();
        } catch (const StepFailed&) {
        } catch (const InputError& e) {  // a message template's expression did not parse
            errors_.add(file_, e);
        }
    }
    // A name that is unknown only because the item defining it has a syntax error.
    bool broken(const std::string& name) const { return broken_.count(name) > 0; }

    // "file:line:col" of an origin, for messages that name another definition.
    std::string where(Origin o) const {
        const SourceFile& f = sources_.file(o.file);
        const Position p = f.position(o.offset);
        return f.path() + (p.known() ? ":" + std::to_string(p.line) + ":" + std::to_string(p.column) : "");
    }

    // ---- property access -------------------------------------------------------------

    struct Props {
        const ast::Item* item;
        std::vector<bool> used;
    };

    void check_allowed(const ast::Item& item, const std::vector<std::string>& allowed) const {
        std::set<std::string> seen;
        for (const auto& p : item.properties) {
            if (p.form != ast::PropertyForm::Plain) {
                std::string form = p.form == ast::PropertyForm::Let ? "let" : p.form == ast::PropertyForm::For ? "for" : "set";
                if (std::find(allowed.begin(), allowed.end(), form) == allowed.end())
                    report(p.key_origin, "rules.unknown-property",
                           "'" + form + "' is not allowed in " + item.kind + " " + item.name);
                else if (p.form == ast::PropertyForm::For && !seen.insert("for").second)
                    report(p.key_origin, "rules.duplicate", "'for' given twice in " + item.kind + " " + item.name);
                continue;
            }
            if (std::find(allowed.begin(), allowed.end(), p.key) == allowed.end()) {
                std::string list;
                std::vector<std::string> keys;
                for (const auto& a : allowed)
                    if (a != "let" && a != "for" && a != "set") list += (list.empty() ? "" : ", ") + a, keys.push_back(a);
                report(p.key_origin, "rules.unknown-property",
                       "unknown property '" + p.key + "' in " + item.kind + " " + item.name + did_you_mean(p.key, keys) +
                           "; expected one of: " + list);
            } else if (!seen.insert(p.key).second) {
                report(p.key_origin, "rules.duplicate", "property '" + p.key + "' given twice in " + item.kind + " " + item.name);
            }
        }
    }

    static const ast::Property* get(const ast::Item& item, std::string_view key) {
        for (const auto& p : item.properties)
            if (p.form == ast::PropertyForm::Plain && p.key == key) return &p;
        return nullptr;
    }

    const ast::Property& require(const ast::Item& item, std::string_view key) const {
        if (const auto* p = get(item, key)) return *p;
        fail(item.name_origin, "rules.missing-property",
             item.kind + " " + item.name + " needs a '" + std::string(key) + "' property");
    }

    std::string literal_string(const ast::Property& p) const {
        if (p.value->op == ast::Op::Literal && p.value->literal.is_string()) return p.value->literal.as_string();
        fail(p.value->origin, "rules.type", "'" + p.key + "' takes a string in double quotes");
    }

    std::string opt_string(const ast::Item& item, std::string_view key, std::string dflt = {}) const {
        const auto* p = get(item, key);
        return p ? literal_string(*p) : dflt;
    }

    // An enumerated word written bare: severity = error;
    std::string word(const ast::Property& p, const std::vector<std::string>& allowed) const {
        std::string w;
        if (p.value->op == ast::Op::Var) w = p.value->name;
        else if (p.value->op == ast::Op::Literal && p.value->literal.is_string()) w = p.value->literal.as_string();
        if (std::find(allowed.begin(), allowed.end(), w) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            std::string found = w.empty() ? "an expression" : "'" + w + "'";
            fail(p.value->origin, "rules.type", "'" + p.key + "' must be one of " + list + "; found " + found + did_you_mean(w, allowed));
        }
        return w;
    }

    std::vector<std::string> string_list(const ast::Property& p) const {
        std::vector<std::string> out;
        if (p.value->op != ast::Op::List) fail(p.value->origin, "rules.type", "'" + p.key + "' takes a list of strings: [\"a\", \"b\"]");
        for (const auto& e : p.value->args) {
            if (e->op != ast::Op::Literal || !e->literal.is_string())
                fail(e->origin, "rules.type", "'" + p.key + "' takes a list of strings: [\"a\", \"b\"]");
            out.push_back(e->literal.as_string());
        }
        return out;
    }

    bool boolean(const ast::Property& p) const {
        if (p.value->op == ast::Op::Literal && p.value->literal.is_bool()) return p.value->literal.as_bool();
        fail(p.value->origin, "rules.type", "'" + p.key + "' takes true or false");
    }

    int integer(const ast::Property& p) const {
        if (p.value->op == ast::Op::Literal && p.value->literal.is_number()) {
            // Checked before the cast: a double outside int's range cannot be converted (UB).
            double d = p.value->literal.as_number();
            if (d >= 0 && d <= 999999 && d == static_cast<double>(static_cast<int>(d))) return static_cast<int>(d);
            fail(p.value->origin, "rules.type", "'" + p.key + "' takes a whole number from 0 to 999999");
        }
        fail(p.value->origin, "rules.type", "'" + p.key + "' takes a number");
    }

    Basis basis(const ast::Item& item) const {
        const auto* p = get(item, "basis");
        if (!p) return Basis::Documented;
        std::string w = word(*p, {"documented", "inferred", "undocumented"});
        return w == "documented" ? Basis::Documented : w == "inferred" ? Basis::Inferred : Basis::Undocumented;
    }

    Template templ(const ast::Property& p) const {
        if (p.value->op != ast::Op::Literal || !p.value->literal.is_string())
            fail(p.value->origin, "rules.type", "'" + p.key + "' takes a message in double quotes");
        return parse_template(p.value->literal.as_string(), p.value->origin);
    }

    // Splits "text {expr} text" into parts. The template's text is re-read from the file so
    // that each hole's position is exact even after escapes.
    Template parse_template(const std::string& value, Origin origin) const {
        Template t;
        t.source_text = value;
        const std::string_view raw = sources_.file(origin.file).text();
        // Find the literal in the file: it starts at origin.offset with a quote.
        size_t start = origin.offset + 1;
        size_t i = start;
        std::string text;
        auto flush = [&] { if (!text.empty()) { t.parts.push_back({text, nullptr}); text.clear(); } };
        while (i < raw.size() && raw[i] != '"') {
            char c = raw[i];
            if (c == '\\' && i + 1 < raw.size()) {
                char n = raw[i + 1];
                text += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
                i += 2;
                continue;
            }
            if (c == '{' && i + 1 < raw.size() && raw[i + 1] == '{') { text += '{'; i += 2; continue; }
            if (c == '}' && i + 1 < raw.size() && raw[i + 1] == '}') { text += '}'; i += 2; continue; }
            if (c == '{') {
                size_t close = i + 1;
                int depth = 0;
                bool in_str = false;
                for (; close < raw.size() && raw[close] != '\n'; ++close) {
                    char d = raw[close];
                    if (d == '"' && !in_str) break;  // the message ends before the hole does
                    if (in_str) { if (d == '\\') ++close; else if (d == '\'') in_str = false; continue; }
                    if (d == '\'') in_str = true;
                    else if (d == '{') ++depth;
                    else if (d == '}') { if (depth == 0) break; --depth; }
                }
                if (close >= raw.size() || raw[close] != '}') {
                    // The rest of the message cannot be split into holes: it is left out.
                    report(Origin{origin.file, static_cast<uint32_t>(i)}, "rules.syntax", "'{' in a message is not closed by '}' (write '{{' for a literal brace)");
                    break;
                }
                std::string inner(raw.substr(i + 1, close - i - 1));
                // Inside holes strings are written with single quotes; turn them into double.
                std::replace(inner.begin(), inner.end(), '\'', '"');
                flush();
                try {
                    t.parts.push_back({"", parse_expression(sources_, origin.file, static_cast<uint32_t>(i + 1), inner)});
                } catch (const InputError& e) {  // a hole that does not parse; the others are still read
                    errors_.add(origin.file, e);
                }
                i = close + 1;
                continue;
            }
            text += c;
            ++i;
        }
        flush();
        return t;
    }

    // ---- name checking ---------------------------------------------------------------

    struct Names {
        std::set<std::string, std::less<>> names;
        bool any = false;  // every name passes: the item's operations are not all known
        std::vector<std::string> ops;  // the operations whose lets are the names (names_for)
        std::string selector;          // the selector that chose them, if any
        bool has(std::string_view n) const { return any || names.count(n) > 0; }
    };

    void check_expr(const ast::ExprPtr& e, const Names& names, std::vector<std::string>& extra) const {
        if (!e) return;
        if (e->op == ast::Op::Literal && e->literal.is_number() && !std::isfinite(e->literal.as_number()))
            return report(e->origin, "rules.number-range", "this number is beyond the range of the numbers rules compute with (at most about 1.8e308)");
        switch (e->op) {
            case ast::Op::Var: {
                if (names.has(e->name) || kContextNames.count(e->name) || sets_.count(e->name) ||
                    std::find(extra.begin(), extra.end(), e->name) != extra.end() || broken(e->name))
                    return;
                if (e->name == "effect" || e->name == "effects")
                    return report(e->origin, "rules.name-out-of-scope",
                         "'" + e->name + "' is bound only in " +
                             (e->name == "effect" ? std::string("'scope = effect;' rules (once per predicted effect)")
                                                  : std::string("'scope = effect;' rules and 'scope = plan;' rules without 'operations' (run after the simulation)")));
                // A let some of the item's operations define and others do not: name those.
                if (std::string lacking = lacking_let(e->name, names); !lacking.empty())
                    return report(e->origin, "rules.unknown-name", lacking);
                {
                    std::vector<std::string> known(names.names.begin(), names.names.end());
                    known.insert(known.end(), extra.begin(), extra.end());
                    for (const auto& n : kContextNames) known.push_back(n);
                    for (const auto& [n, v] : sets_) known.push_back(n);
                    return report(e->origin, "rules.unknown-name", "unknown name '" + e->name + "'" + did_you_mean(e->name, known));
                }
            }
            case ast::Op::Call: {
                const BuiltinSpec* b = find_builtin(e->name);
                if (!b) {
                    std::vector<std::string> fns;
                    for (const BuiltinSpec* x = builtins_begin(); x != builtins_end(); ++x) fns.emplace_back(x->name);
                    report(e->origin, "rules.unknown-function", "unknown function '" + e->name + "'" + did_you_mean(e->name, fns));
                    // Its arguments are checked all the same (`it` allowed: it may have been any(...)).
                    extra.push_back("it");
                    for (const auto& a : e->args) check_expr(a, names, extra);
                    extra.pop_back();
                    return;
                }
                e->fn = static_cast<uint8_t>(b->fn);
                int n = static_cast<int>(e->args.size());
                if (n < b->min_args || n > b->max_args)
                    report(e->origin, "rules.arity", "'" + e->name + "' takes " + std::to_string(b->min_args) +
                                                       (b->max_args != b->min_args ? " to " + std::to_string(b->max_args) : "") +
                                                       (b->max_args == 1 ? " argument" : " arguments") + "; found " +
                                                       std::to_string(n) + " (" + std::string(b->doc) + ")");
                if ((e->name == "lookup" || e->name == "history" || e->name == "loaded" || e->name == "incomplete" || e->name == "find_all") && !e->args.empty() &&
                    e->args[0]->op == ast::Op::Literal && e->args[0]->literal.is_string() &&
                    !kind_names_.count(e->args[0]->literal.as_string()) && !broken(e->args[0]->literal.as_string()))
                    report(e->args[0]->origin, "rules.unknown-kind", "unknown resource kind '" + e->args[0]->literal.as_string() + "'" +
                                                                         did_you_mean(e->args[0]->literal.as_string(), kinds()));
                if (e->name == "find_all" && n >= 2 && e->args[0]->op == ast::Op::Literal && e->args[0]->literal.is_string() &&
                    e->args[1]->op == ast::Op::Literal && e->args[1]->literal.is_string())
                    indexed_[e->args[0]->literal.as_string()].insert(e->args[1]->literal.as_string());
                for (int i = 0; i < n; ++i) {
                    if (i == b->lambda_arg) {
                        extra.push_back("it");
                        check_expr(e->args[i], names, extra);
                        extra.pop_back();
                    } else {
                        check_expr(e->args[i], names, extra);
                    }
                }
                return;
            }
            default:
                for (const auto& a : e->args) check_expr(a, names, extra);
        }
    }

    // "'x' is not defined by operation A (file:line:col) ..." when some but not all of the
    // operations an item applies to define a let `name`; "" otherwise.
    std::string lacking_let(const std::string& name, const Names& names) const {
        std::vector<const Operation*> with, without;
        for (const auto& o : names.ops) {
            auto it = op_names_.find(o);
            if (it == op_names_.end()) continue;
            const Operation& op = operations_[it->second];
            bool has = std::any_of(op.lets.begin(), op.lets.end(), [&](const NamedValue& l) { return l.name == name; });
            (has ? with : without).push_back(&op);
        }
        if (with.empty() || without.empty()) return "";
        std::string list;
        for (size_t i = 0; i < without.size(); ++i)
            list += std::string(i ? ", " : "") + without[i]->name + " (" + where(without[i]->origin) + ")";
        return "'" + name + "' is not defined by operation" + (without.size() > 1 ? "s " : " ") + list + ", which " +
               (names.selector.empty() ? "the item lists" : "its selector " + names.selector + " matches") + " (" + with.front()->name +
               " defines it); every operation a rule applies to defines the lets it reads: add `let " + name + " = ...;` to " +
               (without.size() > 1 ? "them" : "it") + (names.selector.empty() ? "" : ", or narrow the selector (except: [...])");
    }

    void check_template(const Template& t, const Names& names) const {
        std::vector<std::string> extra;
        for (const auto& p : t.parts) check_expr(p.expr, names, extra);
    }

    // A rule's or effect's `for x in list;` (x becomes a name) and its `let`s, checked in
    // that order: the lets may use the loop variable.
    void loop_and_lets(const ast::Item& item, Names& names, std::string& for_var, ast::ExprPtr& for_list,
                       std::vector<NamedValue>& out) const {
        if (const auto* f = for_property(item)) {
            std::vector<std::string> extra;
            check_expr(f->value, names, extra);
            for_var = f->key;
            for_list = f->value;
            names.names.insert(f->key);
        }
        out = lets(item, names);
    }

    std::vector<NamedValue> lets(const ast::Item& item, Names& names) const {
        std::vector<NamedValue> out;
        std::vector<std::string> extra;
        for (const auto& p : item.properties) {
            if (p.form != ast::PropertyForm::Let) continue;
            check_expr(p.value, names, extra);
            if (!names.names.insert(p.key).second) {
                report(p.key_origin, "rules.duplicate", "'" + p.key + "' is defined twice");
                continue;
            }
            out.push_back({p.key, p.value});
        }
        return out;
    }

    const ast::Property* for_property(const ast::Item& item) const {
        for (const auto& p : item.properties)
            if (p.form == ast::PropertyForm::For) return &p;
        return nullptr;
    }

    std::vector<std::string> kinds() const { return {kind_names_.begin(), kind_names_.end()}; }

    // ---- items ---------------------------------------------------------------------
    // Each item is compiled step by step (attempt): an error ends the step it is in, and the
    // item is still defined, so its uses elsewhere are not reported as unknown as well.

    void add_set(const ast::Item& item, bool may_override) {
        check_allowed(item, {"source", "documented", "inferred", "title", "redefine"});
        NamedSet s;
        s.name = item.name;
        s.origin = item.name_origin;
        attempt([&] { s.source = opt_string(item, "source"); });
        s.values = Node::array();
        std::map<std::string, Origin> value_origin;
        for (const char* key : {"documented", "inferred"}) {
            attempt([&] {
                if (const auto* p = get(item, key)) {
                    for (auto& v : string_list(*p)) {
                        s.basis[v] = std::string(key) == "documented" ? Basis::Documented : Basis::Inferred;
                        s.values.items().push_back(Node::string(v));
                    }
                    for (const auto& e : p->value->args) value_origin.emplace(e->literal.as_string(), e->origin);
                }
            });
        }
        attempt([&] {
            if (const auto* p = get(item, "redefine")) {
                const std::string w = word(*p, {"replace", "narrow", "extend"});
                s.redefine = w == "narrow" ? Redefine::Narrow : w == "extend" ? Redefine::Extend : Redefine::Replace;
            }
        });
        // The secret names are a floor, not a default, whatever the set says (SECURITY.md).
        if (s.name == kSecretParametersSet) s.redefine = Redefine::Extend;
        auto it = sets_.find(s.name);
        if (it != sets_.end()) {
            if (!may_override)
                return report(item.name_origin, "rules.duplicate", "set '" + s.name + "' is defined twice");
            NamedSet& first = it->second;
            // A --rules file may not weaken a set its first definition protects: an extended
            // set only gains names, a narrowed one only loses values.
            if (first.redefine == Redefine::Extend) {
                for (const auto& v : s.values.items()) {
                    const std::string& name = v.as_string();
                    if (first.basis.emplace(name, s.basis[name]).second) first.values.items().push_back(v);
                }
                return;
            }
            if (first.redefine == Redefine::Narrow) {
                bool weakens = false;
                for (const auto& v : s.values.items())
                    if (!first.basis.count(v.as_string())) {
                        weakens = true;
                        report(value_origin.at(v.as_string()), "rules.weakens",
                               "set '" + s.name + "' (" + where(first.origin) + ", redefine = narrow) may only be narrowed by a --rules file: '" +
                                   v.as_string() + "' is not one of its values, and adding it would weaken opguard's checks");
                    }
                if (weakens) return;  // the built-in set stays
                s.redefine = Redefine::Narrow;
            }
            first = std::move(s);
            return;
        }
        sets_.emplace(s.name, std::move(s));
    }

    void add_resource(const ast::Item& item) {
        check_allowed(item, {"title", "list", "detect", "id", "status", "file_hint", "fields", "types", "state", "source", "let"});
        ResourceKind r;
        r.name = item.name;
        r.origin = item.name_origin;
        kind_names_.insert(r.name);
        attempt([&] { r.title = opt_string(item, "title"); });
        attempt([&] {
            std::string list = literal_string(require(item, "list"));
            if (list.size() < 3 || list.substr(list.size() - 2) != "[]")
                fail(require(item, "list").value->origin, "rules.type", "'list' is a path ending in [], such as \"Instances.Instance[]\"");
            list.resize(list.size() - 2);
            size_t pos = 0;
            while (!list.empty()) {
                size_t dot = list.find('.', pos);
                r.list_path.push_back(list.substr(pos, dot - pos));
                if (dot == std::string::npos) break;
                pos = dot + 1;
            }
        });
        attempt([&] { r.detect_field = opt_string(item, "detect"); });
        attempt([&] { r.id_field = literal_string(require(item, "id")); });
        attempt([&] { r.status_field = opt_string(item, "status"); });
        attempt([&] { r.file_hint = opt_string(item, "file_hint"); });
        attempt([&] { r.source = opt_string(item, "source"); });
        attempt([&] { r.fields = string_list(require(item, "fields")); });
        attempt([&] { if (const auto* p = get(item, "state")) r.state = string_list(*p); });
        for (const auto& must : {r.id_field, r.status_field, r.detect_field})
            if (!must.empty() && std::find(r.fields.begin(), r.fields.end(), must) == r.fields.end())
                r.fields.push_back(must);
        attempt([&] {
            const auto* p = get(item, "types");
            if (!p) return;
            if (p->value->op != ast::Op::Object)
                fail(p->value->origin, "rules.type", "'types' takes an object: {Field: \"boolean\", ...}");
            static const std::vector<std::string> kinds = {"string", "boolean", "integer", "number", "list", "object"};
            for (size_t i = 0; i < p->value->keys.size(); ++i) {
                const std::string& field = p->value->keys[i];
                const ast::Expr& v = *p->value->args[i];
                if (std::find(r.fields.begin(), r.fields.end(), field) == r.fields.end()) {
                    report(v.origin, "rules.unknown-field", "'types' names " + field + ", which is not in the resource's 'fields'" + did_you_mean(field, r.fields));
                    continue;
                }
                if (v.op != ast::Op::Literal || !v.literal.is_string() ||
                    std::find(kinds.begin(), kinds.end(), v.literal.as_string()) == kinds.end()) {
                    report(v.origin, "rules.type", "the type of " + field + " is one of \"string\", \"boolean\", \"integer\", \"number\", \"list\", \"object\"");
                    continue;
                }
                r.types.emplace_back(field, v.literal.as_string());
            }
        });
        Names names;
        for (const auto& f : r.fields) names.names.insert(f);
        for (const auto& p : item.properties) {
            if (p.form != ast::PropertyForm::Let) continue;
            if (std::find(r.fields.begin(), r.fields.end(), p.key) != r.fields.end())
                report(p.key_origin, "rules.duplicate", "derived field '" + p.key + "' has the name of a kept field");
        }
        r.derived = lets(item, names);
        if (std::any_of(resources_.begin(), resources_.end(), [&](const ResourceKind& k) { return k.name == r.name; }))
            return report(item.name_origin, "rules.duplicate", "resource '" + r.name + "' is defined twice");
        resources_.push_back(std::move(r));
    }

    void add_operation(const ast::Item& item) {
        static const std::vector<std::string> match_keys = {"product", "version", "action", "cloud", "service", "method", "path"};
        std::vector<std::string> allowed = {"title", "params", "targets", "target_kind", "let", "response", "results_field",
                                            "result_id_field", "success_code", "response_body", "success_http", "verb",
                                            "read_only", "source", "secrets", "target_noun", "asynchronous", "exclusive",
                                            "at_least_one", "targets_unknown"};
        allowed.insert(allowed.end(), match_keys.begin(), match_keys.end());
        check_allowed(item, allowed);
        Operation op;
        op.name = item.name;
        op.origin = item.name_origin;
        attempt([&] { op.title = opt_string(item, "title"); });
        for (const auto& k : match_keys)
            attempt([&] { if (const auto* p = get(item, k)) op.match.emplace_back(k, literal_string(*p)); });
        if (op.match.empty() && std::none_of(match_keys.begin(), match_keys.end(), [&](const std::string& k) { return get(item, k); }))
            report(item.name_origin, "rules.missing-property", "operation " + op.name + " needs product/version/action or cloud/service/method/path");
        attempt([&] {
            const auto& params = require(item, "params");
            if (params.value->op != ast::Op::Object)
                fail(params.value->origin, "rules.type", "'params' takes an object: {Name: \"string!\", ...}");
            static const std::vector<std::string> types = {"string", "boolean", "integer", "number", "list", "object"};
            for (size_t i = 0; i < params.value->keys.size(); ++i) {
                attempt([&] {
                    ParamSpec ps;
                    ps.name = params.value->keys[i];
                    ast::ExprPtr v = params.value->args[i];
                    // A richer spec: {type: "string!", values: ["A", "B"]} (an enumeration).
                    if (v->op == ast::Op::Object) {
                        const ast::Expr& spec = *v;
                        ast::ExprPtr type, values;
                        for (size_t k = 0; k < spec.keys.size(); ++k) {
                            if (spec.keys[k] == "type") type = spec.args[k];
                            else if (spec.keys[k] == "values") values = spec.args[k];
                            else
                                report(spec.args[k]->origin, "rules.unknown-property",
                                       "unknown key '" + spec.keys[k] + "' in the spec of parameter " + ps.name +
                                           did_you_mean(spec.keys[k], {"type", "values"}) + "; expected type, values");
                        }
                        if (!type) fail(spec.origin, "rules.missing-property", "the spec of parameter " + ps.name + " needs 'type': {type: \"string\", values: [...]}");
                        if (values) {
                            const ast::Property vp{ast::PropertyForm::Plain, "values", values->origin, nullptr, values};
                            ps.values = string_list(vp);
                            if (ps.values.empty()) fail(values->origin, "rules.type", "'values' of parameter " + ps.name + " lists at least one value");
                            for (size_t a = 0; a < ps.values.size(); ++a)
                                for (size_t b = 0; b < a; ++b)
                                    if (ps.values[a] == ps.values[b])
                                        report(values->args[a]->origin, "rules.duplicate", "value \"" + ps.values[a] + "\" is listed twice for parameter " + ps.name);
                        }
                        v = type;
                    }
                    if (v->op != ast::Op::Literal || !v->literal.is_string())
                        fail(v->origin, "rules.type", "a parameter's type is a string such as \"string!\" or \"list\", or {type: \"string\", values: [...]}");
                    std::string t = v->literal.as_string();
                    if (!t.empty() && t.back() == '!') { ps.required = true; t.pop_back(); }
                    if (std::find(types.begin(), types.end(), t) == types.end())
                        fail(v->origin, "rules.type", "unknown parameter type '" + t + "'" + did_you_mean(t, types) +
                                                          "; expected string, boolean, integer, number, list or object (with ! when required)");
                    if (!ps.values.empty() && t != "string" && t != "list")
                        fail(v->origin, "rules.type", "parameter " + ps.name + " of type " + t + " cannot have 'values'; an enumeration is a string (or a list of strings)");
                    ps.type = t;
                    op.params.push_back(ps);
                });
            }
        });
        // exclusive = [["A", "B"]]: at most one of them; at_least_one = [["A", "B"]]: one or more.
        for (const char* key : {"exclusive", "at_least_one"}) {
            attempt([&] {
                const auto* p = get(item, key);
                if (!p) return;
                const std::string form = std::string("'") + key + "' takes a list of lists of parameter names: [[\"A\", \"B\"]]";
                if (p->value->op != ast::Op::List || p->value->args.empty() ||
                    std::any_of(p->value->args.begin(), p->value->args.end(), [](const ast::ExprPtr& g) { return g->op != ast::Op::List; }))
                    fail(p->value->origin, "rules.type", form);
                for (const auto& g : p->value->args) {
                    attempt([&] {
                        ParamGroup group;
                        group.kind = std::string(key) == "exclusive" ? ParamGroup::Kind::Exclusive : ParamGroup::Kind::AtLeastOne;
                        group.origin = g->origin;
                        const ast::Property gp{ast::PropertyForm::Plain, key, g->origin, nullptr, g};
                        group.names = string_list(gp);
                        if (group.names.size() < 2) fail(g->origin, "rules.type", std::string("a group of '") + key + "' names two or more parameters");
                        bool ok = true;
                        for (size_t n = 0; n < group.names.size(); ++n) {
                            if (op.param(group.names[n])) continue;
                            std::vector<std::string> names;
                            for (const auto& ps : op.params) names.push_back(ps.name);
                            report(g->args[n]->origin, "rules.unknown-name",
                                   "'" + group.names[n] + "' is not a parameter of " + op.name + did_you_mean(group.names[n], names));
                            ok = false;
                        }
                        if (ok) op.param_groups.push_back(std::move(group));
                    });
                }
            });
        }
        attempt([&] {
            if (const auto* p = get(item, "secrets")) {
                for (auto& s : string_list(*p)) {
                    auto it = std::find_if(op.params.begin(), op.params.end(), [&](const ParamSpec& ps) { return ps.name == s; });
                    if (it == op.params.end()) {
                        std::vector<std::string> params;
                        for (const auto& ps : op.params) params.push_back(ps.name);
                        report(p->value->origin, "rules.unknown-name", "secret '" + s + "' is not a parameter of " + op.name + did_you_mean(s, params));
                        continue;
                    }
                    it->secret = true;
                }
            }
        });
        Names names;
        std::vector<std::string> extra;
        if (const auto* p = get(item, "targets")) { check_expr(p->value, names, extra); op.targets = p->value; }
        if (const auto* p = get(item, "targets_unknown")) { check_expr(p->value, names, extra); op.targets_unknown = p->value; }
        attempt([&] { op.target_kind = opt_string(item, "target_kind"); });
        attempt([&] { op.target_noun = opt_string(item, "target_noun"); });
        if (!op.target_kind.empty() && !kind_names_.count(op.target_kind) && !broken(op.target_kind))
            report(get(item, "target_kind")->value->origin, "rules.unknown-kind",
                   "unknown resource kind '" + op.target_kind + "'" + did_you_mean(op.target_kind, kinds()));
        op.lets = lets(item, names);
        op.response = "single";
        attempt([&] { if (const auto* p = get(item, "response")) op.response = word(*p, {"per_target", "single", "body"}); });
        attempt([&] { op.results_field = opt_string(item, "results_field"); });
        attempt([&] { op.result_id_field = opt_string(item, "result_id_field"); });
        attempt([&] { op.success_code = opt_string(item, "success_code", "Success"); });
        if (const auto* p = get(item, "response_body")) { check_expr(p->value, names, extra); op.response_body = p->value; }
        if (op.response == "per_target" && (op.results_field.empty() || op.result_id_field.empty()))
            report(item.name_origin, "rules.missing-property", "a per_target response needs results_field and result_id_field");
        if (op.response == "body" && !op.response_body)
            report(item.name_origin, "rules.missing-property", "a body response needs response_body");
        attempt([&] { if (const auto* p = get(item, "success_http")) op.success_http = integer(*p); });
        attempt([&] { op.verb = opt_string(item, "verb", "accepted"); });
        attempt([&] { if (const auto* p = get(item, "read_only")) op.read_only = boolean(*p); });
        attempt([&] { if (const auto* p = get(item, "asynchronous")) op.asynchronous = boolean(*p); });
        attempt([&] { op.source = opt_string(item, "source"); });
        if (op_names_.count(op.name))
            return report(item.name_origin, "rules.duplicate", "operation '" + op.name + "' is defined twice");
        op_names_[op.name] = operations_.size();
        operations_.push_back(std::move(op));
    }

    // The operations an item names; `dropped` is set when some could not be used (unknown,
    // or broken by a syntax error), so names their lets define cannot be checked. A selector
    // (`operations = {target_kind: "desktop"};`) is written back to `selector` when given.
    std::vector<std::string> operations_of(const ast::Item& item, bool& dropped, std::string* selector = nullptr) const {
        std::vector<std::string> ops;
        attempt([&] {
            const auto& p = require(item, "operations");
            if (p.value->op == ast::Op::Object) {
                if (!selector) fail(p.value->origin, "rules.type", "an effect names its operations: [\"a\", \"b\"]; a selector {...} is for rules");
                ops = select_operations(*p.value, *selector, dropped);
                return;
            }
            if (p.value->op != ast::Op::List)
                fail(p.value->origin, "rules.type",
                     "'operations' takes a list of operation names [\"a\", \"b\"] or a selector {target_kind: \"desktop\", product: \"ecd\"}");
            auto all = string_list(p);
            if (all.empty()) fail(p.value->origin, "rules.type", "'operations' names at least one operation");
            for (size_t i = 0; i < all.size(); ++i) {
                if (all[i] == "*" || op_names_.count(all[i])) {
                    ops.push_back(all[i]);
                    continue;
                }
                dropped = true;
                if (broken(all[i])) continue;
                std::vector<std::string> known;
                for (const auto& [name, index] : op_names_) known.push_back(name);
                report(p.value->args[i]->origin, "rules.unknown-operation", "unknown operation '" + all[i] + "'" + did_you_mean(all[i], known));
            }
        });
        if (!get(item, "operations")) dropped = true;
        return ops;
    }

    // The attributes a selector may name, and an operation's value of each ("" when it has none).
    static const std::vector<std::string>& selector_keys() {
        static const std::vector<std::string> k = {"target_kind", "product", "version", "cloud", "service", "read_only", "asynchronous", "except"};
        return k;
    }
    static std::string attribute(const Operation& op, const std::string& key) {
        if (key == "target_kind") return op.target_kind;
        if (key == "read_only") return op.read_only ? "true" : "false";
        if (key == "asynchronous") return op.asynchronous ? "true" : "false";
        for (const auto& [k, v] : op.match)
            if (k == key) return v;
        return "";
    }

    // `operations = {key: value, ...}`: every operation whose attributes all match (a list
    // value: any of its values), less those named by `except`, in rule-file order.
    std::vector<std::string> select_operations(const ast::Expr& sel, std::string& text, bool& dropped) const {
        struct Criterion { std::string key; std::vector<std::string> values; };
        std::vector<Criterion> criteria;
        std::vector<std::string> except;
        bool bad = false;
        auto literal = [](const ast::Expr& e) -> std::optional<std::string> {
            if (e.op != ast::Op::Literal) return std::nullopt;
            if (e.literal.is_string()) return e.literal.as_string();
            if (e.literal.is_bool()) return std::string(e.literal.as_bool() ? "true" : "false");
            return std::nullopt;
        };
        for (size_t i = 0; i < sel.keys.size(); ++i) {
            const std::string& key = sel.keys[i];
            const ast::Expr& v = *sel.args[i];
            if (std::find(selector_keys().begin(), selector_keys().end(), key) == selector_keys().end()) {
                std::string list;
                for (const auto& k : selector_keys()) list += (list.empty() ? "" : ", ") + k;
                report(v.origin, "rules.unknown-property",
                       "unknown key '" + key + "' in an operations selector" + did_you_mean(key, selector_keys()) + "; expected one of: " + list);
                bad = true;
                continue;
            }
            Criterion c{key, {}};
            std::vector<const ast::Expr*> items;
            if (v.op == ast::Op::List) for (const auto& a : v.args) items.push_back(a.get());
            else items.push_back(&v);
            bool boolean_key = key == "read_only" || key == "asynchronous";
            for (const ast::Expr* x : items) {
                auto l = literal(*x);
                if (!l || (boolean_key != (x->literal.is_bool())) || (key == "except" && v.op != ast::Op::List)) {
                    report(x->origin, "rules.type",
                           key == "except" ? std::string("'except' takes a list of operation names: [\"a\", \"b\"]")
                           : boolean_key   ? "'" + key + "' in a selector takes true or false"
                                           : "'" + key + "' in a selector takes a string or a list of strings");
                    bad = true;
                    continue;
                }
                if (key == "except" && !op_names_.count(*l)) {
                    if (broken(*l)) { dropped = true; continue; }
                    std::vector<std::string> known;
                    for (const auto& [name, index] : op_names_) known.push_back(name);
                    report(x->origin, "rules.unknown-operation", "unknown operation '" + *l + "'" + did_you_mean(*l, known));
                    bad = true;
                    continue;
                }
                c.values.push_back(*l);
            }
            // A value no operation has is a misspelling (or an operation not written yet).
            if (key != "except" && !boolean_key)
                for (size_t j = 0; j < c.values.size(); ++j) {
                    std::vector<std::string> seen;
                    for (const auto& op : operations_) {
                        std::string a = attribute(op, key);
                        if (!a.empty() && std::find(seen.begin(), seen.end(), a) == seen.end()) seen.push_back(a);
                    }
                    if (std::find(seen.begin(), seen.end(), c.values[j]) == seen.end()) {
                        report(items[j]->origin, "rules.empty-selector",
                               "no operation has " + key + " \"" + c.values[j] + "\"" + did_you_mean(c.values[j], seen));
                        bad = true;
                    }
                }
            if (key == "except") except = c.values;
            else criteria.push_back(std::move(c));
        }
        // The selector as `rules list` and `rules explain` show it.
        text = "{";
        for (size_t i = 0; i < sel.keys.size(); ++i) {
            const ast::Expr& v = *sel.args[i];
            auto one = [&](const ast::Expr& x) {
                auto l = literal(x);
                return !l ? std::string("?") : x.literal.is_bool() ? *l : "\"" + *l + "\"";
            };
            std::string value;
            if (v.op == ast::Op::List) {
                value = "[";
                for (size_t j = 0; j < v.args.size(); ++j) value += (j ? ", " : "") + one(*v.args[j]);
                value += "]";
            } else {
                value = one(v);
            }
            text += (i ? ", " : "") + sel.keys[i] + ": " + value;
        }
        text += "}";
        if (criteria.empty() && !bad)
            fail(sel.origin, "rules.type", "an operations selector names at least one attribute besides 'except' (target_kind, product, ...)");
        if (bad) { dropped = true; return {}; }
        std::vector<std::string> ops;
        for (const auto& op : operations_) {
            bool all = std::all_of(criteria.begin(), criteria.end(), [&](const Criterion& c) {
                const std::string a = attribute(op, c.key);
                return std::find(c.values.begin(), c.values.end(), a) != c.values.end();
            });
            if (all && std::find(except.begin(), except.end(), op.name) == except.end()) ops.push_back(op.name);
        }
        if (ops.empty()) {
            dropped = true;
            fail(sel.origin, "rules.empty-selector", "the selector " + text + " matches no operation");
        }
        return ops;
    }

    // Names a rule or effect may use: context, the lets of every operation it applies to
    // (a name must be defined by all of them), its own lets and loop variable.
    Names names_for(const std::vector<std::string>& ops) const {
        Names n;
        n.ops = ops;
        bool first = true;
        for (const auto& o : ops) {
            if (o == "*") { n.names.clear(); return n; }
            std::set<std::string, std::less<>> these;
            for (const auto& l : operations_[op_names_.at(o)].lets) these.insert(l.name);
            if (first) n.names = these;
            else {
                std::set<std::string, std::less<>> both;
                std::set_intersection(n.names.begin(), n.names.end(), these.begin(), these.end(), std::inserter(both, both.end()));
                n.names = both;
            }
            first = false;
        }
        return n;
    }

    void add_rule(const ast::Item& item) {
        check_allowed(item, {"title", "description", "severity", "operations", "scope", "for", "let", "when", "at", "refuses",
                             "http", "code", "response_message", "message", "source", "basis", "note", "locked"});
        Rule r;
        r.id = item.name;
        r.origin = item.name_origin;
        attempt([&] { r.title = literal_string(require(item, "title")); });
        attempt([&] { r.description = opt_string(item, "description"); });
        bool severity_known = false;
        attempt([&] {
            std::string sev = word(require(item, "severity"), {"error", "warning", "info"});
            r.severity = sev == "error" ? Severity::Error : sev == "warning" ? Severity::Warning : Severity::Info;
            severity_known = true;
        });
        bool scope_known = true;
        attempt([&] {
            if (const auto* p = get(item, "scope")) {
                scope_known = false;
                std::string s = word(*p, {"plan", "call", "target", "effect"});
                r.scope = s == "plan" ? Scope::Plan : s == "call" ? Scope::Call : s == "effect" ? Scope::Effect : Scope::Target;
                scope_known = true;
            }
        });
        // A plan- or effect-scope rule may leave `operations` out: a policy over the whole
        // plan, run after the simulation (Rule::after_plan).
        bool dropped = false;
        // (A scope that is not one of the words is reported already, not missing operations too.)
        if ((scope_known && (r.scope == Scope::Call || r.scope == Scope::Target)) || get(item, "operations"))
            r.operations = operations_of(item, dropped, &r.selector);
        // An effect-scope rule sees the effect's call and target, not its operation's lets
        // (those are computed per call as the plan runs).
        Names names = r.scope == Scope::Effect ? Names{} : names_for(r.operations);
        names.selector = r.selector;
        names.any = (dropped && r.scope != Scope::Effect) || !scope_known;
        if (r.after_plan()) names.names.insert("effects");
        if (r.scope == Scope::Effect) names.names.insert("effect");
        std::vector<std::string> extra;
        loop_and_lets(item, names, r.for_var, r.for_list, r.lets);
        attempt([&] {
            r.when = require(item, "when").value;
            check_expr(r.when, names, extra);
        });
        if (const auto* p = get(item, "at")) { r.at = p->value; check_expr(r.at, names, extra); }
        attempt([&] {
            const auto* p = get(item, "refuses");
            if (!p) return;
            std::string s = word(*p, {"none", "call", "target", "maybe"});
            r.refuses = s == "none" ? Refusal::None : s == "call" ? Refusal::Call : s == "target" ? Refusal::Target : Refusal::Maybe;
            if (r.refuses == Refusal::Target && r.scope != Scope::Target && scope_known)
                fail(p->value->origin, "rules.type", "'refuses = target' needs 'scope = target'");
            if (r.refuses != Refusal::None && r.after_plan())
                fail(p->value->origin, "rules.type",
                     "a rule evaluated after the simulation (scope = effect, or scope = plan without operations) reports; it cannot refuse a call");
            if (r.refuses != Refusal::None && r.scope == Scope::Plan && scope_known)
                fail(p->value->origin, "rules.type", "a plan-scope rule runs once for the whole plan, not for a call: it cannot refuse one (write 'scope = call;')");
            if (r.refuses != Refusal::None && r.severity != Severity::Error && severity_known)
                fail(p->value->origin, "rules.type", "only error rules refuse a call or target");
        });
        attempt([&] { if (const auto* p = get(item, "http")) r.http = integer(*p); });
        attempt([&] { r.code = opt_string(item, "code"); });
        attempt([&] {
            if (r.refuses != Refusal::Maybe) return;
            for (const char* key : {"http", "code", "response_message"})
                if (const auto* p = get(item, key))
                    fail(p->value->origin, "rules.type",
                         "'refuses = maybe' says the cloud's answer is not documented: it names no http, code or response_message");
        });
        attempt([&] { if (const auto* p = get(item, "response_message")) { r.response_message = templ(*p); check_template(r.response_message, names); } });
        attempt([&] { r.message = templ(require(item, "message")); check_template(r.message, names); });
        attempt([&] { r.source = literal_string(require(item, "source")); });
        attempt([&] { r.basis = basis(item); });
        attempt([&] { r.note = opt_string(item, "note"); });
        attempt([&] { if (const auto* p = get(item, "locked")) r.locked = boolean(*p); });
        // A rule cannot be defined again, by a --rules file either: a policy adds rules, it
        // never replaces one (say, a built-in guard with a weaker one).
        if (rule_ids_.count(r.id)) {
            std::string first;
            for (const Rule& x : rules_)
                if (x.id == r.id) first = " (first at " + where(x.origin) + ")";
            return report(item.name_origin, "rules.duplicate",
                          "rule id '" + r.id + "' is used twice" + first + "; a rule file adds rules, it cannot redefine one");
        }
        rule_ids_.insert(r.id);
        // A rule whose scope or operations are uncertain is not checked further (analyse_reads).
        if (!scope_known || dropped) unchecked_rules_.insert(r.id);
        rules_.push_back(std::move(r));
    }

    void add_effect(const ast::Item& item) {
        check_allowed(item, {"operations", "for", "let", "when", "noun", "verb", "id", "size_gib", "detail", "status_of",
                             "status", "set", "data_loss", "pending", "basis", "source", "note"});
        Effect e;
        e.id = item.name;
        e.origin = item.name_origin;
        bool dropped = false;
        e.operations = operations_of(item, dropped);
        if (std::find(e.operations.begin(), e.operations.end(), "*") != e.operations.end()) {
            report(item.name_origin, "rules.type", "an effect names its operations; '*' is for rules");
            e.operations.erase(std::remove(e.operations.begin(), e.operations.end(), "*"), e.operations.end());
            dropped = true;
        }
        Names names = names_for(e.operations);
        names.any = dropped;
        std::vector<std::string> extra;
        loop_and_lets(item, names, e.for_var, e.for_list, e.lets);
        if (const auto* p = get(item, "when")) { e.when = p->value; check_expr(e.when, names, extra); }
        attempt([&] { e.noun = opt_string(item, "noun"); });
        attempt([&] { e.verb = opt_string(item, "verb"); });
        if (const auto* p = get(item, "id")) { e.resource_id = p->value; check_expr(e.resource_id, names, extra); }
        if (const auto* p = get(item, "size_gib")) { e.size_gib = p->value; check_expr(e.size_gib, names, extra); }
        attempt([&] { if (const auto* p = get(item, "detail")) { e.detail = templ(*p); check_template(e.detail, names); } });
        if (const auto* p = get(item, "status_of")) { e.status_of = p->value; check_expr(e.status_of, names, extra); }
        if (const auto* p = get(item, "status")) { e.status = p->value; check_expr(e.status, names, extra); }
        if (e.status && !e.status_of) report(item.name_origin, "rules.missing-property", "an effect with 'status' needs 'status_of'");
        if (!e.verb.empty() && (e.noun.empty() || !e.resource_id))
            report(item.name_origin, "rules.missing-property", "an effect with a verb needs 'noun' and 'id'");
        for (const auto& p : item.properties) {
            if (p.form != ast::PropertyForm::Set) continue;
            if (p.target->op != ast::Op::Member) {
                report(p.target->origin, "rules.type", "'set' writes a field: set object.Field = value;");
                continue;
            }
            check_expr(p.target, names, extra);
            check_expr(p.value, names, extra);
            e.sets.emplace_back(p.target, p.value);
        }
        attempt([&] { if (const auto* p = get(item, "data_loss")) e.data_loss = boolean(*p); });
        attempt([&] { if (const auto* p = get(item, "pending")) e.pending = boolean(*p); });
        attempt([&] { e.basis = basis(item); });
        attempt([&] { e.source = literal_string(require(item, "source")); });
        attempt([&] { e.note = opt_string(item, "note"); });
        if (effect_ids_.count(e.id))
            return report(item.name_origin, "rules.duplicate", "effect id '" + e.id + "' is used twice");
        effect_ids_.insert(e.id);
        if (dropped) unchecked_effects_.insert(e.id);
        effects_.push_back(std::move(e));
    }

    // A user's --rules file (may_override) may list a kind again: its listing replaces the
    // built-in one (another spelling, another command).
    void add_listing(const ast::Item& item, bool may_override) {
        check_allowed(item, {"title", "resource", "command", "options", "region_flag", "region", "id_flag", "id_form",
                             "max_ids", "flag_form", "pager", "page", "source", "note"});
        Listing l;
        l.name = item.name;
        l.origin = item.name_origin;
        l.title = opt_string(item, "title");
        const auto& res = require(item, "resource");
        l.resource = literal_string(res);
        if (!kind_names_.count(l.resource))
            fail(res.value->origin, "rules.unknown-kind", "unknown resource kind '" + l.resource + "'" + did_you_mean(l.resource, kinds()));
        auto same = std::find_if(listings_.begin(), listings_.end(), [&](const Listing& x) { return x.resource == l.resource; });
        if (same != listings_.end() && !may_override)
            fail(res.value->origin, "rules.duplicate", "resource '" + l.resource + "' has a listing already");
        l.command = string_list(require(item, "command"));
        if (l.command.empty()) fail(require(item, "command").value->origin, "rules.type", "'command' names at least the client");
        if (const auto* p = get(item, "options")) l.options = string_list(*p);
        l.region_flag = opt_string(item, "region_flag");
        if (const auto* p = get(item, "region")) {
            Names names;
            std::vector<std::string> extra;
            check_expr(p->value, names, extra);
            l.region = p->value;
        }
        if (!l.region_flag.empty() && !l.region)
            fail(item.name_origin, "rules.missing-property", "listing " + l.name + " has a region_flag and needs 'region' (a call's region)");
        l.id_flag = literal_string(require(item, "id_flag"));
        if (const auto* p = get(item, "id_form")) l.id_form = word(*p, {"repeat", "json", "comma"});
        if (const auto* p = get(item, "max_ids")) l.max_ids = integer(*p);
        if (const auto* p = get(item, "flag_form")) l.flag_form = word(*p, {"space", "equals"});
        if (const auto* p = get(item, "pager")) l.pager = string_list(*p);
        if (const auto* p = get(item, "page")) {
            if (p->value->op != ast::Op::Object)
                fail(p->value->origin, "rules.type", "'page' takes {limit_flag: \"--limit\", limit: 500, offset_flag: \"--offset\", total_field: \"total_count\"}");
            for (size_t i = 0; i < p->value->keys.size(); ++i) {
                const std::string& k = p->value->keys[i];
                const ast::Property v{ast::PropertyForm::Plain, "page." + k, p->value->args[i]->origin, nullptr, p->value->args[i]};
                if (k == "limit_flag") l.page_limit_flag = literal_string(v);
                else if (k == "offset_flag") l.page_offset_flag = literal_string(v);
                else if (k == "total_field") l.page_total_field = literal_string(v);
                else if (k == "limit") l.page_limit = integer(v);
                else fail(v.key_origin, "rules.unknown-property", "unknown key '" + k + "' in page; expected one of: limit_flag, limit, offset_flag, total_field");
            }
            // The field is matched by a sed expression in the script: a plain name only.
            if (l.page_total_field.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
                fail(p->value->origin, "rules.type", "page.total_field is a field name of letters, digits and _");
            if (l.page_limit_flag.empty() || l.page_offset_flag.empty() || l.page_total_field.empty() || l.page_limit < 1)
                fail(p->value->origin, "rules.missing-property", "'page' needs limit_flag, limit (1 or more), offset_flag and total_field");
            if (!l.pager.empty()) fail(p->value->origin, "rules.duplicate", "a listing pages with 'pager' or with 'page', not both");
        }
        l.source = literal_string(require(item, "source"));
        l.note = opt_string(item, "note");
        if (same != listings_.end()) *same = std::move(l);
        else listings_.push_back(std::move(l));
    }

    // ---- client spellings (rule_set.hpp Client, ClientProduct, ClientApi, ClientRoute) ------
    // The item's name is dotted: CLIENT[.PRODUCT|.SERVICE][.NAME]; its parts, after checking
    // their count and that the client is declared.
    std::vector<std::string> client_item_name(const ast::Item& item, size_t parts, const char* form) const {
        std::vector<std::string> out;
        size_t b = 0;
        while (true) {
            size_t d = item.name.find('.', b);
            out.push_back(item.name.substr(b, d == std::string::npos ? std::string::npos : d - b));
            if (d == std::string::npos) break;
            b = d + 1;
        }
        if (out.size() != parts || std::any_of(out.begin(), out.end(), [](const std::string& x) { return x.empty(); }))
            fail(item.name_origin, "rules.type", item.kind + " " + item.name + ": the name is " + form);
        if (item.kind != "client" && !std::any_of(clients_.begin(), clients_.end(), [&](const Client& c) { return c.name == out[0]; })) {
            std::vector<std::string> names;
            for (const auto& c : clients_) names.push_back(c.name);
            fail(item.name_origin, "rules.unknown-name", "unknown client '" + out[0] + "'" + did_you_mean(out[0], names) +
                                                            " in " + item.kind + " " + item.name + " (declare it with `client " + out[0] + " { ... }`)");
        }
        return out;
    }

    // ---- client forms: oos_action and terraform_resource items ---------------------------

    // What a call's parameter sources may name: an OOS action's parameters, or Terraform's
    // before / after attributes and provider settings.
    struct SourceNames {
        const std::vector<std::pair<std::string, Node>>* oos = nullptr;  // nullptr: Terraform
    };

    static std::string lower_ascii(std::string s) {
        for (auto& c : s) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return s;
    }

    // Where the key of an object member is written: the last `key` before its value (the
    // syntax tree keeps only the value's place).
    Origin key_origin(Origin value, const std::string& key) const {
        const std::string_view raw = sources_.file(value.file).text();
        size_t at = value.offset <= raw.size() ? raw.rfind(key, value.offset) : std::string_view::npos;
        return at == std::string_view::npos ? value : Origin{value.file, static_cast<uint32_t>(at)};
    }

    // "before.x" / "after.x" / "provider.x" from a member path, or "" when `e` is none.
    static std::string attr_path(const ast::ExprPtr& e) {
        if (!e || e->op != ast::Op::Member || e->args.size() != 1 || e->args[0]->op != ast::Op::Var) return {};
        return e->args[0]->name + "." + e->name;
    }

    void param_source(const ast::ExprPtr& e, ParamSource& p, const SourceNames& names) const {
        if (e->op == ast::Op::Call) {
            static const std::vector<std::string> fns = {"if_set", "translate"};
            if (e->name == "if_set" && e->args.size() == 1 && !p.if_set) {
                p.if_set = true;
                return param_source(e->args[0], p, names);
            }
            if (e->name == "translate" && e->args.size() == 2) {
                const auto& m = e->args[1];
                if (m->op != ast::Op::Object) fail(m->origin, "rules.type", "translate(value, {From: \"To\", ...}) takes an object of values");
                Node obj = Node::object({}, m->origin);
                for (size_t i = 0; i < m->keys.size(); ++i) {
                    if (m->args[i]->op != ast::Op::Literal) fail(m->args[i]->origin, "rules.type", "translate: each value is a constant");
                    obj.set(m->keys[i], m->args[i]->literal);
                }
                p.translate = std::move(obj);
                return param_source(e->args[0], p, names);
            }
            if (std::find(fns.begin(), fns.end(), e->name) == fns.end())
                fail(e->origin, "rules.unknown-function", "unknown function '" + e->name + "' in a parameter's source" + did_you_mean(e->name, fns) + "; expected if_set(source) or translate(source, {From: \"To\"})");
            fail(e->origin, "rules.arity", "'" + e->name + "' takes " + (e->name == "if_set" ? "one source (once)" : "a source and an object"));
        }
        if (e->op == ast::Op::List) {
            if (e->args.size() != 1 || p.as_list) fail(e->origin, "rules.type", "a list source names one value: [source]");
            p.as_list = true;
            return param_source(e->args[0], p, names);
        }
        if (e->op == ast::Op::Literal) {
            p.constant = e->literal;
            return;
        }
        if (names.oos) {
            std::vector<std::string> known;
            for (const auto& [n, d] : *names.oos) known.push_back(n);
            if (e->op == ast::Op::Var) {
                if (std::find(known.begin(), known.end(), e->name) == known.end())
                    fail(e->origin, "rules.unknown-name", "'" + e->name + "' is not a parameter of this action" + did_you_mean(e->name, known) + " (declare it in 'parameters')");
                p.from = e->name;
                return;
            }
            fail(e->origin, "rules.type", "a parameter's source is one of the action's parameters, a constant, [source] or if_set(source)");
        }
        std::string path = attr_path(e);
        static const std::vector<std::string> roots = {"before", "after", "provider"};
        std::string root = path.substr(0, path.find('.'));
        if (path.empty() || std::find(roots.begin(), roots.end(), root) == roots.end()) {
            std::string found = e->op == ast::Op::Var ? e->name : root;
            fail(e->origin, "rules.type", "a parameter's source is before.ATTRIBUTE, after.ATTRIBUTE, provider.SETTING, a constant, [source], if_set(source) or translate(source, {...})" +
                     (found.empty() ? std::string() : did_you_mean(found, roots)));
        }
        p.from = path;
    }

    std::vector<ParamSource> param_sources(const ast::ExprPtr& e, const SourceNames& names) const {
        if (e->op != ast::Op::Object) fail(e->origin, "rules.type", "'params' takes an object: {ApiName: source, ...}");
        std::vector<ParamSource> out;
        for (size_t i = 0; i < e->keys.size(); ++i) {
            ParamSource p;
            p.name = e->keys[i];
            param_source(e->args[i], p, names);
            out.push_back(std::move(p));
        }
        return out;
    }

    // Adds `x` to `list`, or, from a user's --rules file (may_override), replaces the item of
    // the same key; a second definition among the built-in files is an error.
    template <typename T, typename Same>
    void add_or_replace(std::vector<T>& list, T x, const ast::Item& item, bool may_override, Same same) {
        auto it = std::find_if(list.begin(), list.end(), same);
        if (it == list.end()) return list.push_back(std::move(x));
        if (!may_override) fail(item.name_origin, "rules.duplicate", item.kind + " " + item.name + " is defined twice (first at " + where(it->origin) + ")");
        *it = std::move(x);
    }

    void add_client_item(const ast::Item& item, bool may_override) {
        if (item.kind == "client") {
            check_allowed(item, {"title", "local_commands", "cloud", "source"});
            Client c;
            c.name = client_item_name(item, 1, "the client's command, such as aliyun")[0];
            c.origin = item.name_origin;
            c.title = opt_string(item, "title");
            if (const auto* p = get(item, "local_commands")) c.local_commands = string_list(*p);
            c.cloud = opt_string(item, "cloud");
            c.source = literal_string(require(item, "source"));
            const std::string key = c.name;
            add_or_replace(clients_, std::move(c), item, may_override, [&](const Client& x) { return x.name == key; });
        } else if (item.kind == "product") {
            check_allowed(item, {"version", "api_metadata", "source"});
            auto parts = client_item_name(item, 2, "CLIENT.PRODUCT, such as aliyun.ecd");
            ClientProduct p;
            p.client = parts[0];
            p.name = parts[1];
            p.origin = item.name_origin;
            p.version = opt_string(item, "version");
            if (const auto* v = get(item, "api_metadata")) p.api_metadata = boolean(*v);
            p.source = literal_string(require(item, "source"));
            add_or_replace(products_, std::move(p), item, may_override, [&](const ClientProduct& x) {
                return x.client == parts[0] && same_ascii_case_insensitive(x.name, parts[1]);
            });
        } else if (item.kind == "cli_api") {
            check_allowed(item, {"params", "repeat_lists", "source"});
            auto parts = client_item_name(item, 3, "CLIENT.PRODUCT.API, such as aliyun.ecs.RedeployInstance");
            ClientApi a;
            a.client = parts[0];
            a.product = parts[1];
            a.api = parts[2];
            a.origin = item.name_origin;
            a.params = string_list(require(item, "params"));
            if (const auto* p = get(item, "repeat_lists")) a.repeat_lists = string_list(*p);
            a.source = literal_string(require(item, "source"));
            add_or_replace(client_apis_, std::move(a), item, may_override, [&](const ClientApi& x) {
                return x.client == parts[0] && same_ascii_case_insensitive(x.product, parts[1]) && x.api == parts[2];
            });
        } else {
            check_allowed(item, {"operation", "method", "path", "source"});
            auto parts = client_item_name(item, 3, "CLIENT.SERVICE.NAME, such as hcloud.workspace.DeleteDesktop");
            ClientRoute r;
            r.client = parts[0];
            r.service = parts[1];
            r.name = parts[2];
            r.origin = item.name_origin;
            for (const auto& c : clients_)
                if (c.name == r.client) r.cloud = c.cloud;
            const auto* op = get(item, "operation");
            const auto* method = get(item, "method");
            const auto* path = get(item, "path");
            if (op && (method || path))
                fail((method ? method : path)->key_origin, "rules.duplicate",
                     "route " + item.name + " names an operation: its method and path come from the operation's match");
            if (op) {
                r.operation = literal_string(*op);
                auto at = op_names_.find(r.operation);
                if (at == op_names_.end()) {
                    if (broken(r.operation)) throw StepFailed{};
                    std::vector<std::string> names;
                    for (const auto& [n, i] : op_names_) names.push_back(n);
                    fail(op->value->origin, "rules.unknown-operation", "unknown operation '" + r.operation + "'" + did_you_mean(r.operation, names));
                }
                std::string service;
                for (const auto& [k, v] : operations_[at->second].match) {
                    if (k == "cloud") r.cloud = v;
                    else if (k == "service") service = v;
                    else if (k == "method") r.method = v;
                    else if (k == "path") r.path = v;
                }
                if (r.method.empty() || r.path.empty())
                    fail(op->value->origin, "rules.type", "operation " + r.operation + " has no method and path: a route names a REST operation");
                if (!same_ascii_case_insensitive(service, r.service))
                    fail(op->value->origin, "rules.type", "operation " + r.operation + " is of service '" + service + "', not '" + r.service + "'");
            } else {
                if (!method || !path)
                    fail(item.name_origin, "rules.missing-property", "route " + item.name + " needs 'operation' (a modeled operation) or 'method' and 'path'");
                r.method = literal_string(*method);
                r.path = literal_string(*path);
            }
            r.source = literal_string(require(item, "source"));
            add_or_replace(routes_, std::move(r), item, may_override, [&](const ClientRoute& x) {
                return x.client == parts[0] && same_ascii_case_insensitive(x.service, parts[1]) && x.name == parts[2];
            });
        }
    }

    // `before.x == "v" and after.y != true`
    void conditions(const ast::ExprPtr& e, std::vector<AttrCondition>& out) const {
        if (e->op == ast::Op::And) {
            for (const auto& a : e->args) conditions(a, out);
            return;
        }
        if ((e->op == ast::Op::Eq || e->op == ast::Op::Ne) && e->args.size() == 2) {
            std::string path = attr_path(e->args[0]);
            std::string root = path.substr(0, path.find('.'));
            if ((root == "before" || root == "after") && e->args[1]->op == ast::Op::Literal) {
                out.push_back({path, e->args[1]->literal, e->op == ast::Op::Eq});
                return;
            }
        }
        fail(e->origin, "rules.type", "a condition compares before.ATTRIBUTE or after.ATTRIBUTE with a constant (== or !=), joined by 'and'");
    }

    std::vector<ClientCall> client_calls(const ast::Property& prop, const SourceNames& names, const std::string& product) const {
        if (prop.value->op != ast::Op::List) fail(prop.value->origin, "rules.type", "'" + prop.key + "' takes a list of calls: [{api: \"...\", params: {...}}, ...]");
        const std::vector<std::string> allowed = names.oos
            ? std::vector<std::string>{"task", "product", "api", "params", "conditional", "wait"}
            : std::vector<std::string>{"api", "params", "changed", "only_if", "skip_if", "conditional", "wait"};
        std::vector<ClientCall> out;
        for (const auto& c : prop.value->args) {
            if (c->op != ast::Op::Object) fail(c->origin, "rules.type", "a call is an object: {api: \"...\", params: {...}}");
            ClientCall call;
            call.origin = c->origin;
            call.product = product;
            for (size_t i = 0; i < c->keys.size(); ++i) {
                const std::string& k = c->keys[i];
                const ast::Property v{ast::PropertyForm::Plain, k, key_origin(c->args[i]->origin, k), nullptr, c->args[i]};
                if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
                    std::string list;
                    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                    fail(v.key_origin, "rules.unknown-property", "unknown key '" + k + "' in a call of " + prop.key + did_you_mean(k, allowed) + "; expected one of: " + list);
                }
                if (k == "task") call.step = literal_string(v);
                else if (k == "product") call.product = literal_string(v);
                else if (k == "api") call.api = literal_string(v);
                else if (k == "params") call.params = param_sources(v.value, names);
                else if (k == "changed") call.changed = string_list(v);
                else if (k == "only_if") conditions(v.value, call.only_if);
                else if (k == "skip_if") conditions(v.value, call.skip_if);
                else if (k == "conditional") call.conditional = literal_string(v);
                else if (k == "wait") call.wait = boolean(v);
            }
            if (call.api.empty()) fail(c->origin, "rules.missing-property", "a call of " + prop.key + " needs 'api'");
            if (call.product.empty()) fail(c->origin, "rules.missing-property", "a call of " + prop.key + " needs 'product'");
            if (names.oos && call.step.empty()) fail(c->origin, "rules.missing-property", "a call of an oos_action needs 'task' (the task of the action's template that makes it)");
            if (prop.key == "update" && call.changed.empty())
                fail(c->origin, "rules.missing-property", "a call of 'update' needs 'changed' (the attributes whose change makes it)");
            out.push_back(std::move(call));
        }
        return out;
    }

    // A user's --rules file (may_override) may declare an action or a resource type again:
    // its declaration replaces the built-in one.
    void add_oos_action(const ast::Item& item, bool may_override) {
        check_allowed(item, {"action", "parameters", "calls", "source", "note"});
        OosAction a;
        a.name = item.name;
        a.origin = item.name_origin;
        const auto& act = require(item, "action");
        a.action = literal_string(act);
        if (lower_ascii(a.action).rfind("acs::", 0) != 0 || a.action.size() <= 5)
            fail(act.value->origin, "rules.type", "'action' is an OOS action name: \"ACS::PRODUCT::Name\"");
        auto same = std::find_if(oos_actions_.begin(), oos_actions_.end(), [&](const OosAction& x) { return lower_ascii(x.action) == lower_ascii(a.action); });
        if (same != oos_actions_.end() && !may_override)
            fail(act.value->origin, "rules.duplicate", "OOS action " + a.action + " is declared already, at " + where(same->origin));
        const auto& ps = require(item, "parameters");
        if (ps.value->op != ast::Op::Object) fail(ps.value->origin, "rules.type", "'parameters' takes an object: {name: Default, ...} (null: no default)");
        for (size_t i = 0; i < ps.value->keys.size(); ++i) {
            const auto& d = ps.value->args[i];
            if (d->op != ast::Op::Literal) fail(d->origin, "rules.type", "a parameter's Default is a constant (null: none)");
            a.parameters.emplace_back(ps.value->keys[i], d->literal);
        }
        SourceNames names;
        names.oos = &a.parameters;
        a.calls = client_calls(require(item, "calls"), names, "");
        a.source = literal_string(require(item, "source"));
        a.note = opt_string(item, "note");
        if (same != oos_actions_.end()) *same = std::move(a);
        else oos_actions_.push_back(std::move(a));
    }

    void add_terraform_resource(const ast::Item& item, bool may_override) {
        check_allowed(item, {"header", "product", "region", "params", "missing", "delete", "create", "update", "no_call", "source", "note"});
        TerraformResource r;
        r.name = item.name;
        r.origin = item.name_origin;
        auto same = std::find_if(terraform_resources_.begin(), terraform_resources_.end(), [&](const TerraformResource& x) { return x.name == r.name; });
        if (same != terraform_resources_.end() && !may_override)
            fail(item.name_origin, "rules.duplicate", "terraform_resource " + r.name + " is declared already, at " + where(same->origin));
        if (const auto* p = get(item, "header")) r.header = word(*p, {"aliyun", "huaweicloud"});
        r.product = literal_string(require(item, "product"));
        SourceNames names;
        if (const auto* p = get(item, "region")) {
            if (p->value->op != ast::Op::List) fail(p->value->origin, "rules.type", "'region' takes a list: [after.region, provider.region]");
            for (const auto& e : p->value->args) {
                ParamSource s;
                param_source(e, s, names);
                if (s.from.empty() || s.as_list || s.if_set || !s.translate.is_null())
                    fail(e->origin, "rules.type", "'region' lists before.ATTRIBUTE, after.ATTRIBUTE or provider.SETTING");
                r.region.push_back(s.from);
            }
        }
        if (const auto* p = get(item, "params")) r.params = param_sources(p->value, names);
        if (const auto* p = get(item, "missing")) {
            if (p->value->op != ast::Op::Object) fail(p->value->origin, "rules.type", "'missing' takes an object: {Param: \"why it is not in the plan\"}");
            for (size_t i = 0; i < p->value->keys.size(); ++i) {
                const ast::Property v{ast::PropertyForm::Plain, "missing." + p->value->keys[i], p->value->args[i]->origin, nullptr, p->value->args[i]};
                r.missing.emplace_back(p->value->keys[i], literal_string(v));
            }
        }
        if (const auto* p = get(item, "delete")) r.on_delete = client_calls(*p, names, r.product);
        if (const auto* p = get(item, "create")) r.on_create = client_calls(*p, names, r.product);
        if (const auto* p = get(item, "update")) r.on_update = client_calls(*p, names, r.product);
        if (const auto* p = get(item, "no_call")) r.no_call = string_list(*p);
        r.source = literal_string(require(item, "source"));
        r.note = opt_string(item, "note");
        if (same != terraform_resources_.end()) *same = std::move(r);
        else terraform_resources_.push_back(std::move(r));
    }

    RuleSet compile(const std::vector<ParsedRuleFile>& files) {
        for (const auto& f : files) broken_.insert(f.broken.begin(), f.broken.end());
        // Sets and resources first, then operations, then rules and effects, so order of
        // files and items does not matter.
        for (const char* pass : {"set", "resource", "operation", "rule", "effect", "listing", "client", "product", "cli_api", "route",
                                 "oos_action", "terraform_resource"})
            for (const auto& f : files)
                for (const auto& item : f.items)
                    if (item.kind == pass) {
                        file_ = f.file_id;
                        if (item.kind == "set") add_set(item, f.may_override);
                        else if (item.kind == "resource") add_resource(item);
                        else if (item.kind == "operation") add_operation(item);
                        else if (item.kind == "rule") add_rule(item);
                        else if (item.kind == "listing") attempt([&] { add_listing(item, f.may_override); });  // an error drops the listing
                        else if (item.kind == "client" || item.kind == "product" || item.kind == "cli_api" || item.kind == "route")
                            attempt([&] { add_client_item(item, f.may_override); });  // an error drops the item
                        else if (item.kind == "oos_action") attempt([&] { add_oos_action(item, f.may_override); });
                        else if (item.kind == "terraform_resource") attempt([&] { add_terraform_resource(item, f.may_override); });
                        else add_effect(item);
                    }
        for (auto& r : resources_)
            if (auto it = indexed_.find(r.name); it != indexed_.end()) r.indexed_fields.assign(it->second.begin(), it->second.end());
        analyse_reads();
        RuleSet rs;
        rs.resources = std::move(resources_);
        rs.operations = std::move(operations_);
        rs.rules = std::move(rules_);
        rs.effects = std::move(effects_);
        rs.sets = std::move(sets_);
        rs.listings = std::move(listings_);
        rs.clients = std::move(clients_);
        rs.products = std::move(products_);
        rs.client_apis = std::move(client_apis_);
        rs.routes = std::move(routes_);
        rs.oos_actions = std::move(oos_actions_);
        rs.terraform_resources = std::move(terraform_resources_);
        return rs;
    }

    // ---- what the rules read of the inventory (dsl/field_reads.hpp) --------------------

    using Env = field_reads::Env;

    // Types of an operation's lets (they may use each other in any order: two rounds).
    Env op_env(const Operation& op, field_reads::Collector& c) const {
        Env env;
        for (int round = 0; round < 2; ++round)
            for (const auto& l : op.lets) env[l.name] = c.infer(*l.expr, env);
        return env;
    }

    // The names of an operation's lets that are computed per target (use `target`, directly
    // or through another let).
    static bool uses(const ast::ExprPtr& e, const std::set<std::string>& names) {
        if (!e) return false;
        if (e->op == ast::Op::Var && names.count(e->name)) return true;
        return std::any_of(e->args.begin(), e->args.end(), [&](const ast::ExprPtr& a) { return uses(a, names); });
    }
    static std::set<std::string> per_target(const std::vector<NamedValue>& lets, std::set<std::string> dep) {
        for (bool grew = true; grew;) {
            grew = false;
            for (const auto& l : lets)
                if (!dep.count(l.name) && uses(l.expr, dep)) { dep.insert(l.name); grew = true; }
        }
        return dep;
    }
    // First use of a per-target name in `e` (nullptr: none).
    static const ast::Expr* first_use(const ast::ExprPtr& e, const std::set<std::string>& names) {
        if (!e) return nullptr;
        if (e->op == ast::Op::Var && names.count(e->name)) return e.get();
        for (const auto& a : e->args)
            if (const ast::Expr* x = first_use(a, names)) return x;
        return nullptr;
    }

    // A call- or plan-scope rule runs once per call (or plan), with no target: a name that
    // is computed per target would silently be null there.
    void check_scope(const Rule& r) const {
        if (r.scope == Scope::Target || r.scope == Scope::Effect) return;  // an effect-scope rule sees its effect's target
        std::set<std::string> dep{"target", "repeat_of"};
        for (const auto& o : r.operations) {
            if (o == "*") continue;
            auto d = per_target(operations_[op_names_.at(o)].lets, {"target"});
            dep.insert(d.begin(), d.end());
        }
        for (const auto& l : r.lets) dep.erase(l.name);  // a rule's own let shadows the operation's
        if (!r.for_var.empty()) dep.erase(r.for_var);
        dep = per_target(r.lets, dep);
        const ast::Expr* worst = nullptr;
        for (const auto& e : r.expressions())
            if (const ast::Expr* x = first_use(e, dep); x && (!worst || x->origin.offset < worst->origin.offset)) worst = x;
        if (!worst) return;
        std::string scope = r.scope == Scope::Plan ? "plan" : "call";
        fail(worst->origin, "rules.target-in-call-scope",
             "'" + worst->name + "' " + (worst->name == "target" || worst->name == "repeat_of" ? "is" : "is computed per target (it uses `target`) and is") +
                 " null in a " + scope + "-scope rule: rule " + r.id + " runs once per " + scope +
                 "; write 'scope = target;' to run it per target");
    }

    // An effect's `set` writes a field of an inventory object: one the kind has.
    void check_sets(const Effect& e, const Env& env, field_reads::Collector& c) const {
        for (const auto& [target, value] : e.sets) {
            field_reads::Type t = c.infer(*target->args[0], env);
            if (t.kind.empty() || t.list) {
                report(target->args[0]->origin, "rules.set-target",
                     "'set' writes a field of one inventory object (lookup(kind, id), or a let or loop variable bound to "
                     "one); opguard cannot tell which resource kind this is, so the write would be lost");
                continue;
            }
            const ResourceKind* k = nullptr;
            for (const auto& r : resources_) if (r.name == t.kind) k = &r;
            if (k && !k->has_field(target->name)) {
                std::vector<std::string> names = k->fields;
                names.insert(names.end(), k->state.begin(), k->state.end());
                for (const auto& d : k->derived) names.push_back(d.name);
                report(target->origin, "rules.unknown-field",
                     "resource " + k->name + " has no field '" + target->name + "'" + did_you_mean(target->name, names) +
                         "; a field only the plan writes is declared in the resource's 'state' list");
            }
        }
    }

    void analyse_reads() {
        std::set<std::string, std::less<>> set_names;
        for (const auto& [n, s] : sets_) set_names.insert(n);
        field_reads::Collector global;
        global.kinds = &kind_names_;
        global.set_names = &set_names;
        auto fresh = [&] { field_reads::Collector c; c.kinds = &kind_names_; c.set_names = &set_names; return c; };
        auto merge = [&](const field_reads::Collector& c) {
            global.reads.insert(global.reads.end(), c.reads.begin(), c.reads.end());
            global.whole.insert(c.whole.begin(), c.whole.end());
            global.untyped.insert(c.untyped.begin(), c.untyped.end());
        };
        std::map<std::string, Env, std::less<>> envs;
        for (auto& op : operations_) {
            auto c = fresh();
            Env env = op_env(op, c);
            envs[op.name] = env;
            for (const auto& l : op.lets) c.visit(*l.expr, env, false);
            if (op.targets) c.visit(*op.targets, env, true);
            if (op.targets_unknown) c.visit(*op.targets_unknown, env, true);
            if (op.response_body) c.visit(*op.response_body, env, true);
            op.field_reads = c.reads;
            merge(c);
        }
        // Names of the operations an item applies to, typed alike by all of them.
        auto env_of = [&](const std::vector<std::string>& ops) {
            Env env;
            bool first = true;
            for (const auto& o : ops) {
                if (o == "*") return Env{};
                const Env& e = envs.at(o);
                if (first) { env = e; first = false; continue; }
                for (auto it = env.begin(); it != env.end();) {
                    auto other = e.find(it->first);
                    if (other == e.end()) it = env.erase(it);
                    else {
                        if (other->second.kind != it->second.kind || other->second.list != it->second.list) it->second = {};
                        ++it;
                    }
                }
            }
            return env;
        };
        auto own = [&](field_reads::Collector& c, Env& env, const std::string& for_var, const ast::ExprPtr& for_list,
                       const std::vector<NamedValue>& lets) {
            if (for_list) {
                c.visit(*for_list, env, false);
                field_reads::Type t = c.infer(*for_list, env);
                if (!t.kind.empty()) t.list = false;
                env[for_var] = t;
            }
            for (int round = 0; round < 2; ++round)
                for (const auto& l : lets) env[l.name] = c.infer(*l.expr, env);
            for (const auto& l : lets) c.visit(*l.expr, env, false);
        };
        auto templ_visit = [](field_reads::Collector& c, const Template& t, const Env& env) {
            for (const auto& p : t.parts) if (p.expr) c.visit(*p.expr, env, true);
        };
        for (auto& r : rules_) {
            if (!unchecked_rules_.count(r.id)) attempt([&] { file_ = r.origin.file; check_scope(r); });
            auto c = fresh();
            Env env = env_of(r.operations);
            own(c, env, r.for_var, r.for_list, r.lets);
            if (r.when) c.visit(*r.when, env, false);
            if (r.at) c.visit(*r.at, env, false);
            templ_visit(c, r.message, env);
            templ_visit(c, r.response_message, env);
            r.field_reads = c.reads;
            merge(c);
        }
        for (auto& e : effects_) {
            auto c = fresh();
            Env env = env_of(e.operations);
            own(c, env, e.for_var, e.for_list, e.lets);
            for (const auto& x : {e.when, e.status_of}) if (x) c.visit(*x, env, false);
            for (const auto& x : {e.resource_id, e.size_gib, e.status}) if (x) c.visit(*x, env, true);
            templ_visit(c, e.detail, env);
            if (!unchecked_effects_.count(e.id)) check_sets(e, env, c);
            for (const auto& [target, value] : e.sets) {
                c.visit(*target->args[0], env, false);
                c.visit(*value, env, true);
            }
            e.field_reads = c.reads;
            merge(c);
        }
        // Fields each kind keeps beyond its declared ones.
        for (auto& k : resources_) {
            std::set<std::string> extra;
            for (const auto& fr : global.reads)
                if (fr.kind == k.name && !k.has_field(fr.field)) extra.insert(fr.field);
            for (const auto& f : global.untyped)
                if (!k.has_field(f)) extra.insert(f);
            for (const auto& f : k.indexed_fields)
                if (!k.has_field(f)) extra.insert(f);
            k.read_fields.assign(extra.begin(), extra.end());
            k.read_whole = global.whole.count(k.name) > 0;
        }
    }

private:
    const SourceRegistry& sources_;
    RuleErrors& errors_;
    uint32_t file_ = 0;                  // the file of the item being compiled
    std::set<std::string> broken_;       // names of items with a syntax error
    std::set<std::string> rule_ids_, effect_ids_;
    std::set<std::string> unchecked_rules_, unchecked_effects_;  // their scope or operations are not known
    std::vector<ResourceKind> resources_;
    std::vector<Operation> operations_;
    std::map<std::string, size_t, std::less<>> op_names_;
    std::vector<Rule> rules_;
    std::vector<Effect> effects_;
    std::vector<Listing> listings_;
    std::vector<Client> clients_;
    std::vector<ClientProduct> products_;
    std::vector<ClientApi> client_apis_;
    std::vector<ClientRoute> routes_;
    std::vector<OosAction> oos_actions_;
    std::vector<TerraformResource> terraform_resources_;
    std::map<std::string, NamedSet, std::less<>> sets_;
    std::set<std::string, std::less<>> kind_names_;
    mutable std::map<std::string, std::set<std::string>, std::less<>> indexed_;  // (check_expr is const) find_all(kind, field, ...) with literal kind and field
};

}  // namespace

RuleSet compile_rules(const SourceRegistry& sources, const std::vector<ParsedRuleFile>& files, RuleErrors& errors) {
    Compiler c(sources, errors);
    return c.compile(files);
}

RuleSet compile_rules(const SourceRegistry& sources, const std::vector<ParsedRuleFile>& files) {
    RuleErrors errors(sources);
    RuleSet rules = compile_rules(sources, files, errors);
    errors.throw_if_any();
    return rules;
}

}  // namespace opguard
