#include "dsl/compiler.hpp"

#include <algorithm>
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
const Rule* RuleSet::rule(std::string_view id) const {
    for (const auto& r : rules)
        if (r.id == id) return &r;
    return nullptr;
}

namespace {

// `near` when it is a plausible misspelling of `name` (ASCII case ignored, at most a third of
// its letters differ, at least one may; names of three letters or more), else "": a
// did-you-mean only when it helps.
std::string close_enough(const std::string& name, const std::string& near) {
    if (near.empty() || name.size() < 3) return std::string();
    auto low = [](std::string x) { for (auto& c : x) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a'); return x; };
    const std::string a = low(name), b = low(near);
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()] <= std::max<size_t>(1, a.size() / 3) ? near : std::string();
}

// Names every expression may use, besides lets, loop variables and sets.
const std::set<std::string, std::less<>> kContextNames = {"call", "request", "target", "calls", "prior_calls"};

class Compiler {
public:
    Compiler(const SourceRegistry& sources) : sources_(sources) {}

    [[noreturn]] void fail(Origin o, const std::string& id, const std::string& msg) const {
        const SourceFile& f = sources_.file(o.file);
        throw InputError(f.path(), f.position(o.offset), id, msg);
    }

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
                    fail(p.key_origin, "rules.unknown-property",
                         "'" + form + "' is not allowed in " + item.kind + " " + item.name);
                if (p.form == ast::PropertyForm::For && !seen.insert("for").second)
                    fail(p.key_origin, "rules.duplicate", "'for' given twice in " + item.kind + " " + item.name);
                continue;
            }
            if (std::find(allowed.begin(), allowed.end(), p.key) == allowed.end()) {
                std::string list;
                for (const auto& a : allowed)
                    if (a != "let" && a != "for" && a != "set") list += (list.empty() ? "" : ", ") + a;
                fail(p.key_origin, "rules.unknown-property",
                     "unknown property '" + p.key + "' in " + item.kind + " " + item.name + "; expected one of: " + list);
            }
            if (!seen.insert(p.key).second)
                fail(p.key_origin, "rules.duplicate", "property '" + p.key + "' given twice in " + item.kind + " " + item.name);
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
            fail(p.value->origin, "rules.type", "'" + p.key + "' must be one of " + list + "; found " + found);
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
                if (close >= raw.size() || raw[close] != '}')
                    fail(Origin{origin.file, static_cast<uint32_t>(i)}, "rules.syntax", "'{' in a message is not closed by '}' (write '{{' for a literal brace)");
                std::string inner(raw.substr(i + 1, close - i - 1));
                // Inside holes strings are written with single quotes; turn them into double.
                std::replace(inner.begin(), inner.end(), '\'', '"');
                flush();
                t.parts.push_back({"", parse_expression(sources_, origin.file, static_cast<uint32_t>(i + 1), inner)});
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
        bool has(std::string_view n) const { return names.count(n) > 0; }
    };

    void check_expr(const ast::ExprPtr& e, const Names& names, std::vector<std::string>& extra) const {
        if (!e) return;
        switch (e->op) {
            case ast::Op::Var: {
                if (names.has(e->name) || kContextNames.count(e->name) || sets_.count(e->name) ||
                    std::find(extra.begin(), extra.end(), e->name) != extra.end())
                    return;
                if (e->name == "effect" || e->name == "effects")
                    fail(e->origin, "rules.name-out-of-scope",
                         "'" + e->name + "' is bound only in " +
                             (e->name == "effect" ? std::string("'scope = effect;' rules (once per predicted effect)")
                                                  : std::string("'scope = effect;' rules and 'scope = plan;' rules without 'operations' (run after the simulation)")));
                {
                    std::vector<std::string> known(names.names.begin(), names.names.end());
                    known.insert(known.end(), extra.begin(), extra.end());
                    for (const auto& n : kContextNames) known.push_back(n);
                    for (const auto& [n, v] : sets_) known.push_back(n);
                    std::string near = close_enough(e->name, field_reads::closest_name(e->name, known));
                    fail(e->origin, "rules.unknown-name", "unknown name '" + e->name + "'" + (near.empty() ? "" : " (did you mean " + near + "?)"));
                }
            }
            case ast::Op::Call: {
                const BuiltinSpec* b = find_builtin(e->name);
                if (!b) {
                    std::vector<std::string> fns;
                    for (const BuiltinSpec* x = builtins_begin(); x != builtins_end(); ++x) fns.emplace_back(x->name);
                    std::string near = close_enough(e->name, field_reads::closest_name(e->name, fns));
                    fail(e->origin, "rules.unknown-function", "unknown function '" + e->name + "'" + (near.empty() ? "" : " (did you mean " + near + "?)"));
                }
                e->fn = static_cast<uint8_t>(b->fn);
                int n = static_cast<int>(e->args.size());
                if (n < b->min_args || n > b->max_args)
                    fail(e->origin, "rules.arity", "'" + e->name + "' takes " + std::to_string(b->min_args) +
                                                       (b->max_args != b->min_args ? " to " + std::to_string(b->max_args) : "") +
                                                       (b->max_args == 1 ? " argument" : " arguments") + "; found " +
                                                       std::to_string(n) + " (" + std::string(b->doc) + ")");
                if ((e->name == "lookup" || e->name == "history" || e->name == "loaded" || e->name == "find_all") && !e->args.empty() &&
                    e->args[0]->op == ast::Op::Literal && e->args[0]->literal.is_string() &&
                    !kind_names_.count(e->args[0]->literal.as_string()))
                    fail(e->args[0]->origin, "rules.unknown-kind", "unknown resource kind '" + e->args[0]->literal.as_string() + "'");
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
            if (!names.names.insert(p.key).second)
                fail(p.key_origin, "rules.duplicate", "'" + p.key + "' is defined twice");
            out.push_back({p.key, p.value});
        }
        return out;
    }

    const ast::Property* for_property(const ast::Item& item) const {
        for (const auto& p : item.properties)
            if (p.form == ast::PropertyForm::For) return &p;
        return nullptr;
    }

    // ---- items ---------------------------------------------------------------------

    void add_set(const ast::Item& item, bool may_override) {
        check_allowed(item, {"source", "documented", "inferred", "title", "redefine"});
        NamedSet s;
        s.name = item.name;
        s.origin = item.name_origin;
        s.source = opt_string(item, "source");
        s.values = Node::array();
        std::map<std::string, Origin> value_origin;
        for (const char* key : {"documented", "inferred"}) {
            if (const auto* p = get(item, key)) {
                for (auto& v : string_list(*p)) {
                    s.basis[v] = std::string(key) == "documented" ? Basis::Documented : Basis::Inferred;
                    s.values.items().push_back(Node::string(v));
                }
                for (const auto& e : p->value->args) value_origin.emplace(e->literal.as_string(), e->origin);
            }
        }
        if (const auto* p = get(item, "redefine")) {
            const std::string w = word(*p, {"replace", "narrow", "extend"});
            s.redefine = w == "narrow" ? Redefine::Narrow : w == "extend" ? Redefine::Extend : Redefine::Replace;
        }
        // The secret names are a floor, not a default, whatever the set says (SECURITY.md).
        if (s.name == kSecretParametersSet) s.redefine = Redefine::Extend;
        auto it = sets_.find(s.name);
        if (it != sets_.end()) {
            if (!may_override)
                fail(item.name_origin, "rules.duplicate", "set '" + s.name + "' is defined twice");
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
                for (const auto& v : s.values.items())
                    if (!first.basis.count(v.as_string()))
                        fail(value_origin.at(v.as_string()), "rules.weakens",
                             "set '" + s.name + "' (" + where(first.origin) + ", redefine = narrow) may only be narrowed by a --rules file: '" +
                                 v.as_string() + "' is not one of its values, and adding it would weaken opguard's checks");
                s.redefine = Redefine::Narrow;
            }
            first = std::move(s);
            return;
        }
        sets_.emplace(s.name, std::move(s));
    }

    void add_resource(const ast::Item& item) {
        check_allowed(item, {"title", "list", "detect", "id", "status", "file_hint", "fields", "state", "source", "let"});
        ResourceKind r;
        r.name = item.name;
        r.origin = item.name_origin;
        r.title = opt_string(item, "title");
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
        r.detect_field = opt_string(item, "detect");
        r.id_field = literal_string(require(item, "id"));
        r.status_field = opt_string(item, "status");
        r.file_hint = opt_string(item, "file_hint");
        r.source = opt_string(item, "source");
        r.fields = string_list(require(item, "fields"));
        if (const auto* p = get(item, "state")) r.state = string_list(*p);
        for (const auto& must : {r.id_field, r.status_field, r.detect_field})
            if (!must.empty() && std::find(r.fields.begin(), r.fields.end(), must) == r.fields.end())
                r.fields.push_back(must);
        Names names;
        for (const auto& f : r.fields) names.names.insert(f);
        for (const auto& p : item.properties) {
            if (p.form != ast::PropertyForm::Let) continue;
            if (std::find(r.fields.begin(), r.fields.end(), p.key) != r.fields.end())
                fail(p.key_origin, "rules.duplicate", "derived field '" + p.key + "' has the name of a kept field");
        }
        r.derived = lets(item, names);
        kind_names_.insert(r.name);
        if (std::any_of(resources_.begin(), resources_.end(), [&](const ResourceKind& k) { return k.name == r.name; }))
            fail(item.name_origin, "rules.duplicate", "resource '" + r.name + "' is defined twice");
        resources_.push_back(std::move(r));
    }

    void add_operation(const ast::Item& item) {
        static const std::vector<std::string> match_keys = {"product", "version", "action", "cloud", "service", "method", "path"};
        std::vector<std::string> allowed = {"title", "params", "targets", "target_kind", "let", "response", "results_field",
                                            "result_id_field", "success_code", "response_body", "success_http", "verb",
                                            "read_only", "source", "secrets", "target_noun", "asynchronous"};
        allowed.insert(allowed.end(), match_keys.begin(), match_keys.end());
        check_allowed(item, allowed);
        Operation op;
        op.name = item.name;
        op.origin = item.name_origin;
        op.title = opt_string(item, "title");
        for (const auto& k : match_keys)
            if (const auto* p = get(item, k)) op.match.emplace_back(k, literal_string(*p));
        if (op.match.empty()) fail(item.name_origin, "rules.missing-property", "operation " + op.name + " needs product/version/action or cloud/service/method/path");
        const auto& params = require(item, "params");
        if (params.value->op != ast::Op::Object)
            fail(params.value->origin, "rules.type", "'params' takes an object: {Name: \"string!\", ...}");
        static const std::vector<std::string> types = {"string", "boolean", "integer", "number", "list", "object"};
        for (size_t i = 0; i < params.value->keys.size(); ++i) {
            const auto& v = params.value->args[i];
            if (v->op != ast::Op::Literal || !v->literal.is_string())
                fail(v->origin, "rules.type", "a parameter's type is a string such as \"string!\" or \"list\"");
            std::string t = v->literal.as_string();
            ParamSpec ps;
            ps.name = params.value->keys[i];
            if (!t.empty() && t.back() == '!') { ps.required = true; t.pop_back(); }
            if (std::find(types.begin(), types.end(), t) == types.end())
                fail(v->origin, "rules.type", "unknown parameter type '" + t + "'; expected string, boolean, integer, number, list or object (with ! when required)");
            ps.type = t;
            op.params.push_back(ps);
        }
        if (const auto* p = get(item, "secrets")) {
            for (auto& s : string_list(*p)) {
                auto it = std::find_if(op.params.begin(), op.params.end(), [&](const ParamSpec& ps) { return ps.name == s; });
                if (it == op.params.end()) fail(p->value->origin, "rules.unknown-name", "secret '" + s + "' is not a parameter of " + op.name);
                it->secret = true;
            }
        }
        Names names;
        std::vector<std::string> extra;
        if (const auto* p = get(item, "targets")) { check_expr(p->value, names, extra); op.targets = p->value; }
        op.target_kind = opt_string(item, "target_kind");
    op.target_noun = opt_string(item, "target_noun");
        if (!op.target_kind.empty() && !kind_names_.count(op.target_kind))
            fail(get(item, "target_kind")->value->origin, "rules.unknown-kind", "unknown resource kind '" + op.target_kind + "'");
        op.lets = lets(item, names);
        op.response = "single";
        if (const auto* p = get(item, "response")) op.response = word(*p, {"per_target", "single", "body"});
        op.results_field = opt_string(item, "results_field");
        op.result_id_field = opt_string(item, "result_id_field");
        op.success_code = opt_string(item, "success_code", "Success");
        if (const auto* p = get(item, "response_body")) { check_expr(p->value, names, extra); op.response_body = p->value; }
        if (op.response == "per_target" && (op.results_field.empty() || op.result_id_field.empty()))
            fail(item.name_origin, "rules.missing-property", "a per_target response needs results_field and result_id_field");
        if (op.response == "body" && !op.response_body)
            fail(item.name_origin, "rules.missing-property", "a body response needs response_body");
        if (const auto* p = get(item, "success_http")) op.success_http = integer(*p);
        op.verb = opt_string(item, "verb", "accepted");
        if (const auto* p = get(item, "read_only")) op.read_only = boolean(*p);
        if (const auto* p = get(item, "asynchronous")) op.asynchronous = boolean(*p);
        op.source = opt_string(item, "source");
        if (std::any_of(operations_.begin(), operations_.end(), [&](const Operation& o) { return o.name == op.name; }))
            fail(item.name_origin, "rules.duplicate", "operation '" + op.name + "' is defined twice");
        op_names_[op.name] = operations_.size();
        operations_.push_back(std::move(op));
    }

    std::vector<std::string> operations_of(const ast::Item& item) const {
        const auto& p = require(item, "operations");
        auto ops = string_list(p);
        if (ops.empty()) fail(p.value->origin, "rules.type", "'operations' names at least one operation");
        for (size_t i = 0; i < ops.size(); ++i)
            if (ops[i] != "*" && !op_names_.count(ops[i]))
                fail(p.value->args[i]->origin, "rules.unknown-operation", "unknown operation '" + ops[i] + "'");
        return ops;
    }

    // Names a rule or effect may use: context, the lets of every operation it applies to
    // (a name must be defined by all of them), its own lets and loop variable.
    Names names_for(const std::vector<std::string>& ops) const {
        Names n;
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
        r.title = literal_string(require(item, "title"));
        r.description = opt_string(item, "description");
        std::string sev = word(require(item, "severity"), {"error", "warning", "info"});
        r.severity = sev == "error" ? Severity::Error : sev == "warning" ? Severity::Warning : Severity::Info;
        if (const auto* p = get(item, "scope")) {
            std::string s = word(*p, {"plan", "call", "target", "effect"});
            r.scope = s == "plan" ? Scope::Plan : s == "call" ? Scope::Call : s == "effect" ? Scope::Effect : Scope::Target;
        }
        // A plan- or effect-scope rule may leave `operations` out: a policy over the whole
        // plan, run after the simulation (Rule::after_plan).
        if (r.scope == Scope::Call || r.scope == Scope::Target || get(item, "operations")) r.operations = operations_of(item);
        // An effect-scope rule sees the effect's call and target, not its operation's lets
        // (those are computed per call as the plan runs).
        Names names = r.scope == Scope::Effect ? Names{} : names_for(r.operations);
        if (r.after_plan()) names.names.insert("effects");
        if (r.scope == Scope::Effect) names.names.insert("effect");
        std::vector<std::string> extra;
        loop_and_lets(item, names, r.for_var, r.for_list, r.lets);
        r.when = require(item, "when").value;
        check_expr(r.when, names, extra);
        if (const auto* p = get(item, "at")) { r.at = p->value; check_expr(r.at, names, extra); }
        if (const auto* p = get(item, "refuses")) {
            std::string s = word(*p, {"none", "call", "target"});
            r.refuses = s == "none" ? Refusal::None : s == "call" ? Refusal::Call : Refusal::Target;
        }
        if (r.refuses == Refusal::Target && r.scope != Scope::Target)
            fail(get(item, "refuses")->value->origin, "rules.type", "'refuses = target' needs 'scope = target'");
        if (r.refuses != Refusal::None && r.after_plan())
            fail(get(item, "refuses")->value->origin, "rules.type",
                 "a rule evaluated after the simulation (scope = effect, or scope = plan without operations) reports; it cannot refuse a call");
        if (r.refuses != Refusal::None && r.severity != Severity::Error)
            fail(get(item, "refuses")->value->origin, "rules.type", "only error rules refuse a call or target");
        if (const auto* p = get(item, "http")) r.http = integer(*p);
        r.code = opt_string(item, "code");
        if (const auto* p = get(item, "response_message")) { r.response_message = templ(*p); check_template(r.response_message, names); }
        r.message = templ(require(item, "message"));
        check_template(r.message, names);
        r.source = literal_string(require(item, "source"));
        r.basis = basis(item);
        r.note = opt_string(item, "note");
        if (const auto* p = get(item, "locked")) r.locked = boolean(*p);
        // A rule cannot be defined again, by a --rules file either: a policy adds rules, it
        // never replaces one (say, a built-in guard with a weaker one).
        for (const Rule& x : rules_)
            if (x.id == r.id)
                fail(item.name_origin, "rules.duplicate", "rule id '" + r.id + "' is used twice (first at " + where(x.origin) +
                                                              "); a rule file adds rules, it cannot redefine one");
        rules_.push_back(std::move(r));
    }

    void add_effect(const ast::Item& item) {
        check_allowed(item, {"operations", "for", "let", "when", "noun", "verb", "id", "size_gib", "detail", "status_of",
                             "status", "set", "data_loss", "pending", "basis", "source", "note"});
        Effect e;
        e.id = item.name;
        e.origin = item.name_origin;
        e.operations = operations_of(item);
        if (std::find(e.operations.begin(), e.operations.end(), "*") != e.operations.end())
            fail(item.name_origin, "rules.type", "an effect names its operations; '*' is for rules");
        Names names = names_for(e.operations);
        std::vector<std::string> extra;
        loop_and_lets(item, names, e.for_var, e.for_list, e.lets);
        if (const auto* p = get(item, "when")) { e.when = p->value; check_expr(e.when, names, extra); }
        e.noun = opt_string(item, "noun");
        e.verb = opt_string(item, "verb");
        if (const auto* p = get(item, "id")) { e.resource_id = p->value; check_expr(e.resource_id, names, extra); }
        if (const auto* p = get(item, "size_gib")) { e.size_gib = p->value; check_expr(e.size_gib, names, extra); }
        if (const auto* p = get(item, "detail")) { e.detail = templ(*p); check_template(e.detail, names); }
        if (const auto* p = get(item, "status_of")) { e.status_of = p->value; check_expr(e.status_of, names, extra); }
        if (const auto* p = get(item, "status")) { e.status = p->value; check_expr(e.status, names, extra); }
        if (e.status && !e.status_of) fail(item.name_origin, "rules.missing-property", "an effect with 'status' needs 'status_of'");
        if (!e.verb.empty() && (e.noun.empty() || !e.resource_id))
            fail(item.name_origin, "rules.missing-property", "an effect with a verb needs 'noun' and 'id'");
        for (const auto& p : item.properties) {
            if (p.form != ast::PropertyForm::Set) continue;
            if (p.target->op != ast::Op::Member) fail(p.target->origin, "rules.type", "'set' writes a field: set object.Field = value;");
            check_expr(p.target, names, extra);
            check_expr(p.value, names, extra);
            e.sets.emplace_back(p.target, p.value);
        }
        if (const auto* p = get(item, "data_loss")) e.data_loss = boolean(*p);
        if (const auto* p = get(item, "pending")) e.pending = boolean(*p);
        e.basis = basis(item);
        e.source = literal_string(require(item, "source"));
        e.note = opt_string(item, "note");
        if (std::any_of(effects_.begin(), effects_.end(), [&](const Effect& x) { return x.id == e.id; }))
            fail(item.name_origin, "rules.duplicate", "effect id '" + e.id + "' is used twice");
        effects_.push_back(std::move(e));
    }

    RuleSet compile(const std::vector<ParsedRuleFile>& files) {
        // Sets and resources first, then operations, then rules and effects, so order of
        // files and items does not matter.
        for (const char* pass : {"set", "resource", "operation", "rule", "effect"})
            for (const auto& f : files)
                for (const auto& item : f.items)
                    if (item.kind == pass) {
                        if (item.kind == "set") add_set(item, f.may_override);
                        else if (item.kind == "resource") add_resource(item);
                        else if (item.kind == "operation") add_operation(item);
                        else if (item.kind == "rule") add_rule(item);
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
        std::set<std::string> dep{"target"};
        for (const auto& o : r.operations) {
            if (o == "*") continue;
            auto d = per_target(operations_[op_names_.at(o)].lets, {"target"});
            dep.insert(d.begin(), d.end());
        }
        for (const auto& l : r.lets) dep.erase(l.name);  // a rule's own let shadows the operation's
        if (!r.for_var.empty()) dep.erase(r.for_var);
        dep = per_target(r.lets, dep);
        std::vector<ast::ExprPtr> exprs{r.for_list, r.when, r.at};
        for (const auto& l : r.lets) exprs.push_back(l.expr);
        for (const auto* t : {&r.message, &r.response_message})
            for (const auto& p : t->parts) exprs.push_back(p.expr);
        const ast::Expr* worst = nullptr;
        for (const auto& e : exprs)
            if (const ast::Expr* x = first_use(e, dep); x && (!worst || x->origin.offset < worst->origin.offset)) worst = x;
        if (!worst) return;
        std::string scope = r.scope == Scope::Plan ? "plan" : "call";
        fail(worst->origin, "rules.target-in-call-scope",
             "'" + worst->name + "' " + (worst->name == "target" ? "is" : "is computed per target (it uses `target`) and is") +
                 " null in a " + scope + "-scope rule: rule " + r.id + " runs once per " + scope +
                 "; write 'scope = target;' to run it per target");
    }

    // An effect's `set` writes a field of an inventory object: one the kind has.
    void check_sets(const Effect& e, const Env& env, field_reads::Collector& c) const {
        for (const auto& [target, value] : e.sets) {
            field_reads::Type t = c.infer(*target->args[0], env);
            if (t.kind.empty() || t.list)
                fail(target->args[0]->origin, "rules.set-target",
                     "'set' writes a field of one inventory object (lookup(kind, id), or a let or loop variable bound to "
                     "one); opguard cannot tell which resource kind this is, so the write would be lost");
            const ResourceKind* k = nullptr;
            for (const auto& r : resources_) if (r.name == t.kind) k = &r;
            if (k && !k->has_field(target->name)) {
                std::vector<std::string> names = k->fields;
                names.insert(names.end(), k->state.begin(), k->state.end());
                for (const auto& d : k->derived) names.push_back(d.name);
                std::string near = field_reads::closest_name(target->name, names);
                fail(target->origin, "rules.unknown-field",
                     "resource " + k->name + " has no field '" + target->name + "'" +
                         (near.empty() ? "" : " (did you mean " + near + "?)") +
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
            check_scope(r);
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
            check_sets(e, env, c);
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
    std::vector<ResourceKind> resources_;
    std::vector<Operation> operations_;
    std::map<std::string, size_t, std::less<>> op_names_;
    std::vector<Rule> rules_;
    std::vector<Effect> effects_;
    std::map<std::string, NamedSet, std::less<>> sets_;
    std::set<std::string, std::less<>> kind_names_;
    mutable std::map<std::string, std::set<std::string>, std::less<>> indexed_;  // (check_expr is const) find_all(kind, field, ...) with literal kind and field
};

}  // namespace

RuleSet compile_rules(const SourceRegistry& sources, const std::vector<ParsedRuleFile>& files) {
    Compiler c(sources);
    return c.compile(files);
}

}  // namespace opguard
