#include "dsl/rule_set_io.hpp"

#include <cstring>
#include <memory>
#include <stdexcept>

#include "dsl/builtin_rules.hpp"

namespace opguard {

namespace {

constexpr char kMagic[8] = {'o', 'p', 'g', 'r', 'u', 'l', 'e', '8'};

class Writer {
public:
    Writer(uint32_t first, uint32_t count) : first_(first), count_(count) {}
    std::string out;

    void u(uint64_t v) {
        while (v >= 0x80) { out.push_back(static_cast<char>((v & 0x7f) | 0x80)); v >>= 7; }
        out.push_back(static_cast<char>(v));
    }
    void b(bool v) { u(v ? 1 : 0); }
    void s(const std::string& v) { u(v.size()); out.append(v); }
    void d(double v) { char buf[8]; std::memcpy(buf, &v, 8); out.append(buf, 8); }
    void strings(const std::vector<std::string>& v) { u(v.size()); for (const auto& x : v) s(x); }
    void origin(const Origin& o) {
        if (!o.known()) { u(0); return; }
        if (o.file < first_ || o.file - first_ >= count_) throw std::logic_error("rule origin outside the built-in files");
        u(o.file - first_ + 1);
        u(o.offset);
    }
    void node(const Node& n) {
        u(static_cast<uint8_t>(n.kind()));
        origin(n.origin);
        switch (n.kind()) {
            case NodeKind::Null: break;
            case NodeKind::Bool: b(n.as_bool()); break;
            case NodeKind::Number: d(n.as_number()); break;
            case NodeKind::String: s(n.as_string()); break;
            case NodeKind::Array: u(n.items().size()); for (const auto& i : n.items()) node(i); break;
            case NodeKind::Object:
                u(n.members().size());
                for (const auto& [k, v] : n.members()) { s(k); node(v); }
                break;
        }
    }
    void expr(const ast::ExprPtr& e) {
        if (!e) { u(0); return; }
        u(1);
        u(static_cast<uint8_t>(e->op));
        origin(e->origin);
        // Most expressions have no literal (a default null): one byte says so.
        const bool literal = !e->literal.is_null() || e->literal.origin.known();
        u(literal ? 1 : 0);
        if (literal) node(e->literal);
        s(e->name);
        u(e->args.size());
        for (const auto& a : e->args) expr(a);
        strings(e->keys);
        u(e->depth);
        u(e->repeat);
        u(e->fn);
    }
    void named(const std::vector<NamedValue>& v) { u(v.size()); for (const auto& x : v) { s(x.name); expr(x.expr); } }
    void reads(const std::vector<FieldRead>& v) { u(v.size()); for (const auto& x : v) { s(x.kind); s(x.field); origin(x.origin); } }
    void sources(const std::vector<ParamSource>& v) {
        u(v.size());
        for (const auto& p : v) { s(p.name); s(p.from); node(p.constant); b(p.as_list); b(p.if_set); node(p.translate); }
    }
    void conditions(const std::vector<AttrCondition>& v) {
        u(v.size());
        for (const auto& c : v) { s(c.attr); node(c.value); b(c.equal); }
    }
    void calls(const std::vector<ClientCall>& v) {
        u(v.size());
        for (const auto& c : v) {
            s(c.step); s(c.product); s(c.api); sources(c.params); strings(c.changed); conditions(c.only_if);
            conditions(c.skip_if); s(c.conditional); b(c.wait); origin(c.origin);
        }
    }
    void templ(const Template& t) {
        u(t.parts.size());
        for (const auto& p : t.parts) { s(p.text); expr(p.expr); }
        s(t.source_text);
    }

    // A rule's or effect's expressions as one length-prefixed run of bytes, which a reader can
    // leave encoded; a body still encoded is written back as it was read.
    template <class Write>
    void body(const EncodedBody& encoded, Write&& write) {
        if (!encoded.empty()) {
            if (encoded.first_file != first_ || encoded.file_count != count_)
                throw std::logic_error("an encoded rule body from other built-in files");
            u(encoded.bytes.size());
            out.append(encoded.bytes);
            return;
        }
        Writer inner(first_, count_);
        write(inner);
        u(inner.out.size());
        out.append(inner.out);
    }
    void rule_body(const Rule& x) {
        body(x.encoded, [&](Writer& w) {
            w.expr(x.for_list); w.named(x.lets); w.expr(x.when); w.expr(x.at); w.templ(x.response_message); w.templ(x.message);
        });
    }
    void effect_body(const Effect& e) {
        body(e.encoded, [&](Writer& w) {
            w.expr(e.for_list); w.named(e.lets); w.expr(e.when); w.expr(e.resource_id); w.expr(e.size_gib); w.templ(e.detail);
            w.expr(e.status_of); w.expr(e.status);
            w.u(e.sets.size());
            for (const auto& [lhs, rhs] : e.sets) { w.expr(lhs); w.expr(rhs); }
        });
    }

private:
    uint32_t first_, count_;
};

class Reader {
public:
    Reader(std::string_view in, const std::vector<uint32_t>& ids) : p_(in.data()), end_(in.data() + in.size()), ids_(ids) {}
    bool ok = true;

    uint64_t u() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p_ >= end_) { ok = false; return 0; }
            auto c = static_cast<uint8_t>(*p_++);
            v |= static_cast<uint64_t>(c & 0x7f) << shift;
            if (!(c & 0x80)) return v;
        }
        ok = false;
        return 0;
    }
    size_t count() {
        uint64_t n = u();
        if (n > static_cast<uint64_t>(end_ - p_)) { ok = false; return 0; }  // every element takes a byte
        return static_cast<size_t>(n);
    }
    bool b() { return u() != 0; }
    std::string s() {
        size_t n = count();
        if (!ok) return {};
        std::string v(p_, n);
        p_ += n;
        return v;
    }
    void s_into(std::string& out) {
        size_t n = count();
        if (!ok) return;
        out.assign(p_, n);
        p_ += n;
    }
    double d() {
        if (end_ - p_ < 8) { ok = false; return 0; }
        double v;
        std::memcpy(&v, p_, 8);
        p_ += 8;
        return v;
    }
    std::vector<std::string> strings() {
        std::vector<std::string> v(count());
        for (auto& x : v) x = s();
        return v;
    }
    Origin origin() {
        uint64_t f = u();
        if (f == 0) return {};
        if (f > ids_.size()) { ok = false; return {}; }
        return Origin{ids_[f - 1], static_cast<uint32_t>(u())};
    }
    Node node(int depth = 0) {
        if (depth > 512) { ok = false; return {}; }
        auto kind = static_cast<NodeKind>(u());
        Origin o = origin();
        switch (kind) {
            case NodeKind::Null: return Node::null(o);
            case NodeKind::Bool: return Node::boolean(b(), o);
            case NodeKind::Number: return Node::number(d(), o);
            case NodeKind::String: return Node::string(s(), o);
            case NodeKind::Array: {
                std::vector<Node> items(count());
                for (auto& i : items) { i = node(depth + 1); if (!ok) break; }
                return Node::array(std::move(items), o);
            }
            case NodeKind::Object: {
                std::vector<Node::Member> members(count());
                for (auto& m : members) { m.first = s(); m.second = node(depth + 1); if (!ok) break; }
                return Node::object(std::move(members), o);
            }
        }
        ok = false;
        return {};
    }
    ast::ExprPtr expr(int depth = 0) {
        if (u() == 0 || !ok) return nullptr;
        if (depth > 1024) { ok = false; return nullptr; }
        auto e = std::make_shared<ast::Expr>();
        e->op = static_cast<ast::Op>(u());
        e->origin = origin();
        if (u() != 0) e->literal = node();
        s_into(e->name);
        e->args.resize(count());
        for (auto& a : e->args) { a = expr(depth + 1); if (!ok) break; }
        e->keys = strings();
        e->depth = static_cast<uint32_t>(u());
        e->repeat = static_cast<uint32_t>(u());
        e->fn = static_cast<uint8_t>(u());
        return e;
    }
    std::vector<NamedValue> named() {
        std::vector<NamedValue> v(count());
        for (auto& x : v) { x.name = s(); x.expr = expr(); }
        return v;
    }
    std::vector<FieldRead> reads() {
        std::vector<FieldRead> v(count());
        for (auto& x : v) { x.kind = s(); x.field = s(); x.origin = origin(); }
        return v;
    }
    std::vector<ParamSource> sources() {
        std::vector<ParamSource> v(count());
        for (auto& p : v) { p.name = s(); p.from = s(); p.constant = node(); p.as_list = b(); p.if_set = b(); p.translate = node(); }
        return v;
    }
    std::vector<AttrCondition> conditions() {
        std::vector<AttrCondition> v(count());
        for (auto& c : v) { c.attr = s(); c.value = node(); c.equal = b(); }
        return v;
    }
    std::vector<ClientCall> calls() {
        std::vector<ClientCall> v(count());
        for (auto& c : v) {
            c.step = s(); c.product = s(); c.api = s(); c.params = sources(); c.changed = strings(); c.only_if = conditions();
            c.skip_if = conditions(); c.conditional = s(); c.wait = b(); c.origin = origin();
            if (!ok) break;
        }
        return v;
    }
    Template templ() {
        Template t;
        t.parts.resize(count());
        for (auto& p : t.parts) { s_into(p.text); p.expr = expr(); }
        s_into(t.source_text);
        return t;
    }
    // The inverse of Writer::rule_body / effect_body, over the body's own bytes.
    void body(Rule& x) {
        x.for_list = expr(); x.lets = named(); x.when = expr(); x.at = expr(); x.response_message = templ(); x.message = templ();
    }
    void body(Effect& e) {
        e.for_list = expr(); e.lets = named(); e.when = expr(); e.resource_id = expr(); e.size_gib = expr(); e.detail = templ();
        e.status_of = expr(); e.status = expr();
        e.sets.resize(count());
        for (auto& [lhs, rhs] : e.sets) { lhs = expr(); rhs = expr(); }
    }
    bool at_end() const { return p_ == end_; }
    std::string_view take(size_t n) {
        if (static_cast<size_t>(end_ - p_) < n) { ok = false; return {}; }
        std::string_view v(p_, n);
        p_ += n;
        return v;
    }

private:
    const char* p_;
    const char* end_;
    const std::vector<uint32_t>& ids_;
};

}  // namespace

// Every member of these structs is written and read below. Adding a member changes its size
// here: then write and read it too (a member left out would silently be lost from the
// built-in rules, which are loaded from this form), and update the size. (Sizes of the
// Debian 12 x86-64 build, the one CI and the project's script make.)
#if defined(__x86_64__) && defined(__GLIBCXX__) && !defined(_GLIBCXX_DEBUG)
static_assert(sizeof(ResourceKind) == 408, "ResourceKind changed: serialize the new member");
static_assert(sizeof(Operation) == 512, "Operation changed: serialize the new member");
static_assert(sizeof(ParamSpec) == 96, "ParamSpec changed: serialize the new member");
static_assert(sizeof(Rule) == 560, "Rule changed: serialize the new member");
static_assert(sizeof(Effect) == 480, "Effect changed: serialize the new member");
static_assert(sizeof(NamedSet) == 176, "NamedSet changed: serialize the new member");
static_assert(sizeof(ParamGroup) == 40, "ParamGroup changed: serialize the new member");
static_assert(sizeof(Listing) == 496, "Listing changed: serialize the new member");
static_assert(sizeof(Client) == 160, "Client changed: serialize the new member");
static_assert(sizeof(ClientProduct) == 144, "ClientProduct changed: serialize the new member");
static_assert(sizeof(ClientApi) == 184, "ClientApi changed: serialize the new member");
static_assert(sizeof(ClientRoute) == 264, "ClientRoute changed: serialize the new member");
static_assert(sizeof(ParamSource) == 168, "ParamSource changed: serialize the new member");
static_assert(sizeof(AttrCondition) == 88, "AttrCondition changed: serialize the new member");
static_assert(sizeof(ClientCall) == 240, "ClientCall changed: serialize the new member");
static_assert(sizeof(OosAction) == 184, "OosAction changed: serialize the new member");
static_assert(sizeof(TerraformResource) == 336, "TerraformResource changed: serialize the new member");
static_assert(sizeof(RuleSet) == 11 * 24 + 48, "RuleSet changed: serialize the new member");
#endif

std::string serialize_rule_set(const RuleSet& r, uint64_t text_hash, uint32_t first_file, uint32_t file_count) {
    Writer w(first_file, file_count);
    w.out.append(kMagic, sizeof kMagic);
    w.u(text_hash);
    w.u(file_count);
    w.u(r.resources.size());
    for (const auto& k : r.resources) {
        w.s(k.name); w.origin(k.origin); w.s(k.title); w.strings(k.list_path); w.s(k.detect_field); w.s(k.id_field);
        w.s(k.status_field); w.s(k.file_hint); w.strings(k.fields); w.named(k.derived); w.strings(k.state);
        w.strings(k.indexed_fields); w.strings(k.read_fields); w.b(k.read_whole); w.s(k.source);
        std::vector<std::string> typed, type_names;
        for (const auto& [field, type] : k.types) { typed.push_back(field); type_names.push_back(type); }
        w.strings(typed); w.strings(type_names);
    }
    w.u(r.operations.size());
    for (const auto& o : r.operations) {
        w.s(o.name); w.origin(o.origin); w.s(o.title);
        w.u(o.match.size());
        for (const auto& [k, v] : o.match) { w.s(k); w.s(v); }
        w.u(o.params.size());
        for (const auto& p : o.params) { w.s(p.name); w.s(p.type); w.b(p.required); w.b(p.secret); w.strings(p.values); }
        w.u(o.param_groups.size());
        for (const auto& g : o.param_groups) { w.u(static_cast<uint8_t>(g.kind)); w.strings(g.names); w.origin(g.origin); }
        w.expr(o.targets); w.s(o.target_kind); w.s(o.target_noun); w.named(o.lets); w.s(o.response);
        w.s(o.results_field); w.s(o.result_id_field); w.s(o.success_code); w.expr(o.response_body);
        w.u(static_cast<uint32_t>(o.success_http)); w.s(o.verb); w.b(o.read_only); w.b(o.asynchronous); w.s(o.source);
        w.reads(o.field_reads);
        w.expr(o.targets_unknown);
    }
    w.u(r.rules.size());
    for (const auto& x : r.rules) {
        w.s(x.id); w.origin(x.origin); w.s(x.title); w.s(x.description); w.u(static_cast<uint8_t>(x.severity));
        w.strings(x.operations); w.u(static_cast<uint8_t>(x.scope)); w.s(x.for_var); w.u(static_cast<uint8_t>(x.refuses));
        w.u(static_cast<uint32_t>(x.http)); w.s(x.code); w.s(x.source); w.u(static_cast<uint8_t>(x.basis)); w.s(x.note);
        w.reads(x.field_reads); w.b(x.locked); w.s(x.selector); w.rule_body(x);
    }
    w.u(r.effects.size());
    for (const auto& e : r.effects) {
        w.s(e.id); w.origin(e.origin); w.strings(e.operations); w.s(e.for_var); w.s(e.noun); w.s(e.verb);
        w.b(e.data_loss); w.b(e.pending); w.u(static_cast<uint8_t>(e.basis)); w.s(e.source); w.s(e.note);
        w.reads(e.field_reads); w.effect_body(e);
    }
    w.u(r.sets.size());
    for (const auto& [key, set] : r.sets) {
        w.s(key); w.s(set.name); w.origin(set.origin); w.node(set.values);
        w.u(set.basis.size());
        for (const auto& [v, basis] : set.basis) { w.s(v); w.u(static_cast<uint8_t>(basis)); }
        w.s(set.source); w.u(static_cast<uint8_t>(set.redefine));
    }
    w.u(r.listings.size());
    for (const auto& l : r.listings) {
        w.s(l.name); w.origin(l.origin); w.s(l.title); w.s(l.resource); w.strings(l.command); w.strings(l.options);
        w.s(l.region_flag); w.expr(l.region); w.s(l.id_flag); w.s(l.id_form); w.u(static_cast<uint32_t>(l.max_ids));
        w.s(l.flag_form); w.strings(l.pager); w.s(l.page_limit_flag); w.s(l.page_offset_flag); w.s(l.page_total_field);
        w.u(static_cast<uint32_t>(l.page_limit)); w.s(l.source); w.s(l.note);
    }
    w.u(r.clients.size());
    for (const auto& c : r.clients) {
        w.s(c.name); w.origin(c.origin); w.s(c.title); w.strings(c.local_commands); w.s(c.cloud); w.s(c.source);
    }
    w.u(r.products.size());
    for (const auto& p : r.products) {
        w.s(p.client); w.s(p.name); w.origin(p.origin); w.s(p.version); w.b(p.api_metadata); w.s(p.source);
    }
    w.u(r.client_apis.size());
    for (const auto& a : r.client_apis) {
        w.s(a.client); w.s(a.product); w.s(a.api); w.origin(a.origin); w.strings(a.params); w.strings(a.repeat_lists);
        w.s(a.source);
    }
    w.u(r.routes.size());
    for (const auto& x : r.routes) {
        w.s(x.client); w.s(x.service); w.s(x.name); w.origin(x.origin); w.s(x.operation); w.s(x.cloud); w.s(x.method);
        w.s(x.path); w.s(x.source);
    }
    w.u(r.oos_actions.size());
    for (const auto& a : r.oos_actions) {
        w.s(a.name); w.origin(a.origin); w.s(a.action);
        w.u(a.parameters.size());
        for (const auto& [n, d] : a.parameters) { w.s(n); w.node(d); }
        w.calls(a.calls); w.s(a.source); w.s(a.note);
    }
    w.u(r.terraform_resources.size());
    for (const auto& t : r.terraform_resources) {
        w.s(t.name); w.origin(t.origin); w.s(t.header); w.s(t.product); w.strings(t.region); w.sources(t.params);
        w.u(t.missing.size());
        for (const auto& [n, why] : t.missing) { w.s(n); w.s(why); }
        w.calls(t.on_delete); w.calls(t.on_create); w.calls(t.on_update); w.strings(t.no_call); w.s(t.source); w.s(t.note);
    }
    return std::move(w.out);
}

namespace {

// The SourceRegistry ids of the files 1 .. file_count of a body's origins.
std::vector<uint32_t> body_file_ids(const EncodedBody& b) {
    std::vector<uint32_t> ids(b.file_count);
    for (uint32_t i = 0; i < b.file_count; ++i) ids[i] = b.first_file + i;
    return ids;
}

// Decodes a rule's or effect's encoded body into it, its origins in `ids`; false when the
// bytes do not decode exactly (the body is then left encoded).
template <class Item>
bool decode_encoded(Item& item, const std::vector<uint32_t>& ids) {
    Reader rd(item.encoded.bytes, ids);
    rd.body(item);
    if (!rd.ok || !rd.at_end()) return false;
    item.encoded = {};
    return true;
}

// The compiled form was read once already (its lengths and hash checked): a body left
// encoded that does not decode is a defect of opguard, not an input error.
template <class Item>
void decode_deferred(Item& item) {
    if (!item.encoded.empty() && !decode_encoded(item, body_file_ids(item.encoded)))
        throw std::logic_error("the compiled expressions of '" + item.id + "' do not decode");
}

}  // namespace

void decode_body(Rule& rule) { decode_deferred(rule); }
void decode_body(Effect& effect) { decode_deferred(effect); }

bool deserialize_rule_set(std::string_view data, uint64_t text_hash, const std::vector<uint32_t>& file_ids, RuleSet& out,
                          bool defer_bodies) {
    // Deferred bodies name their files by the first id and a count: the ids must run on.
    for (size_t i = 1; i < file_ids.size() && defer_bodies; ++i)
        if (file_ids[i] != file_ids[0] + i) defer_bodies = false;
    const EncodedBody files{{}, file_ids.empty() ? 0 : file_ids[0], static_cast<uint32_t>(file_ids.size())};
    auto body = [&](Reader& rd) {
        EncodedBody b = files;
        b.bytes = rd.take(rd.count());
        return b;
    };
    Reader rd(data, file_ids);
    if (rd.take(sizeof kMagic) != std::string_view(kMagic, sizeof kMagic) || !rd.ok) return false;
    if (rd.u() != text_hash || rd.u() != file_ids.size() || !rd.ok) return false;
    RuleSet r;
    r.resources.resize(rd.count());
    for (auto& k : r.resources) {
        k.name = rd.s(); k.origin = rd.origin(); k.title = rd.s(); k.list_path = rd.strings(); k.detect_field = rd.s();
        k.id_field = rd.s(); k.status_field = rd.s(); k.file_hint = rd.s(); k.fields = rd.strings(); k.derived = rd.named();
        k.state = rd.strings(); k.indexed_fields = rd.strings(); k.read_fields = rd.strings(); k.read_whole = rd.b();
        k.source = rd.s();
        const std::vector<std::string> typed = rd.strings(), type_names = rd.strings();
        if (!rd.ok || typed.size() != type_names.size()) return false;
        for (size_t i = 0; i < typed.size(); ++i) k.types.emplace_back(typed[i], type_names[i]);
    }
    r.operations.resize(rd.count());
    for (auto& o : r.operations) {
        o.name = rd.s(); o.origin = rd.origin(); o.title = rd.s();
        o.match.resize(rd.count());
        for (auto& [k, v] : o.match) { k = rd.s(); v = rd.s(); }
        o.params.resize(rd.count());
        for (auto& p : o.params) { p.name = rd.s(); p.type = rd.s(); p.required = rd.b(); p.secret = rd.b(); p.values = rd.strings(); }
        o.param_groups.resize(rd.count());
        for (auto& g : o.param_groups) { g.kind = static_cast<ParamGroup::Kind>(rd.u()); g.names = rd.strings(); g.origin = rd.origin(); }
        o.targets = rd.expr(); o.target_kind = rd.s(); o.target_noun = rd.s(); o.lets = rd.named(); o.response = rd.s();
        o.results_field = rd.s(); o.result_id_field = rd.s(); o.success_code = rd.s(); o.response_body = rd.expr();
        o.success_http = static_cast<int>(rd.u()); o.verb = rd.s(); o.read_only = rd.b(); o.asynchronous = rd.b();
        o.source = rd.s(); o.field_reads = rd.reads();
        o.targets_unknown = rd.expr();
        if (!rd.ok) return false;
    }
    r.rules.resize(rd.count());
    for (auto& x : r.rules) {
        x.id = rd.s(); x.origin = rd.origin(); x.title = rd.s(); x.description = rd.s();
        x.severity = static_cast<Severity>(rd.u()); x.operations = rd.strings(); x.scope = static_cast<Scope>(rd.u());
        x.for_var = rd.s(); x.refuses = static_cast<Refusal>(rd.u()); x.http = static_cast<int>(rd.u()); x.code = rd.s();
        x.source = rd.s(); x.basis = static_cast<Basis>(rd.u()); x.note = rd.s(); x.field_reads = rd.reads();
        x.locked = rd.b(); x.selector = rd.s(); x.encoded = body(rd);
        if (!rd.ok || (!defer_bodies && !decode_encoded(x, file_ids))) return false;
    }
    r.effects.resize(rd.count());
    for (auto& e : r.effects) {
        e.id = rd.s(); e.origin = rd.origin(); e.operations = rd.strings(); e.for_var = rd.s(); e.noun = rd.s(); e.verb = rd.s();
        e.data_loss = rd.b(); e.pending = rd.b(); e.basis = static_cast<Basis>(rd.u()); e.source = rd.s(); e.note = rd.s();
        e.field_reads = rd.reads(); e.encoded = body(rd);
        if (!rd.ok || (!defer_bodies && !decode_encoded(e, file_ids))) return false;
    }
    for (size_t n = rd.count(), i = 0; i < n && rd.ok; ++i) {
        std::string key = rd.s();
        NamedSet set;
        set.name = rd.s(); set.origin = rd.origin(); set.values = rd.node();
        for (size_t m = rd.count(), j = 0; j < m && rd.ok; ++j) {
            std::string v = rd.s();
            set.basis.emplace(std::move(v), static_cast<Basis>(rd.u()));
        }
        set.source = rd.s();
        set.redefine = static_cast<Redefine>(rd.u());
        r.sets.emplace(std::move(key), std::move(set));
    }
    r.listings.resize(rd.ok ? rd.count() : 0);
    for (auto& l : r.listings) {
        l.name = rd.s(); l.origin = rd.origin(); l.title = rd.s(); l.resource = rd.s(); l.command = rd.strings();
        l.options = rd.strings(); l.region_flag = rd.s(); l.region = rd.expr(); l.id_flag = rd.s(); l.id_form = rd.s();
        l.max_ids = static_cast<int>(rd.u()); l.flag_form = rd.s(); l.pager = rd.strings(); l.page_limit_flag = rd.s();
        l.page_offset_flag = rd.s(); l.page_total_field = rd.s(); l.page_limit = static_cast<int>(rd.u()); l.source = rd.s();
        l.note = rd.s();
        if (!rd.ok) return false;
    }
    r.clients.resize(rd.ok ? rd.count() : 0);
    for (auto& c : r.clients) {
        c.name = rd.s(); c.origin = rd.origin(); c.title = rd.s(); c.local_commands = rd.strings(); c.cloud = rd.s();
        c.source = rd.s();
        if (!rd.ok) return false;
    }
    r.products.resize(rd.ok ? rd.count() : 0);
    for (auto& p : r.products) {
        p.client = rd.s(); p.name = rd.s(); p.origin = rd.origin(); p.version = rd.s(); p.api_metadata = rd.b();
        p.source = rd.s();
        if (!rd.ok) return false;
    }
    r.client_apis.resize(rd.ok ? rd.count() : 0);
    for (auto& a : r.client_apis) {
        a.client = rd.s(); a.product = rd.s(); a.api = rd.s(); a.origin = rd.origin(); a.params = rd.strings();
        a.repeat_lists = rd.strings(); a.source = rd.s();
        if (!rd.ok) return false;
    }
    r.routes.resize(rd.ok ? rd.count() : 0);
    for (auto& x : r.routes) {
        x.client = rd.s(); x.service = rd.s(); x.name = rd.s(); x.origin = rd.origin(); x.operation = rd.s(); x.cloud = rd.s();
        x.method = rd.s(); x.path = rd.s(); x.source = rd.s();
        if (!rd.ok) return false;
    }
    r.oos_actions.resize(rd.ok ? rd.count() : 0);
    for (auto& a : r.oos_actions) {
        a.name = rd.s(); a.origin = rd.origin(); a.action = rd.s();
        a.parameters.resize(rd.count());
        for (auto& [n, d] : a.parameters) { n = rd.s(); d = rd.node(); }
        a.calls = rd.calls(); a.source = rd.s(); a.note = rd.s();
        if (!rd.ok) return false;
    }
    r.terraform_resources.resize(rd.ok ? rd.count() : 0);
    for (auto& t : r.terraform_resources) {
        t.name = rd.s(); t.origin = rd.origin(); t.header = rd.s(); t.product = rd.s(); t.region = rd.strings();
        t.params = rd.sources();
        t.missing.resize(rd.count());
        for (auto& [n, why] : t.missing) { n = rd.s(); why = rd.s(); }
        t.on_delete = rd.calls(); t.on_create = rd.calls(); t.on_update = rd.calls(); t.no_call = rd.strings(); t.source = rd.s(); t.note = rd.s();
        if (!rd.ok) return false;
    }
    if (!rd.ok || !rd.at_end()) return false;
    out = std::move(r);
    return true;
}

}  // namespace opguard
