#include "input/adapters/terraform_plan.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "core/diagnostic.hpp"
#include "core/redact.hpp"
#include "input/adapters/aliyun_cli.hpp"
#include "input/adapters/hcloud_cli.hpp"

namespace opguard::adapters {

namespace {

const Node* member(const Node* n, const char* key) { return n && n->is_object() ? n->find(key) : nullptr; }

class TerraformReader {
public:
    TerraformReader(const Node& root, PlanBuilder& b) : root_(root), b_(b) {}

    void run() {
        const Node* rcs = root_.find("resource_changes");
        if (!rcs || !rcs->is_array()) return;
        for (const Node& rc : rcs->items()) {
            // Terraform's JSON plan format: every entry has a string address, mode ("managed" or
            // "data"), type and a change with its actions. An entry opguard cannot read is an
            // input error, never a change skipped (a "delete" it did not see would pass).
            if (!rc.is_object()) fail(rc.origin, "a resource change is an object with address, mode, type and change; found " + std::string(kind_name(rc.kind())));
            const Node* type = member(&rc, "type");
            const Node* mode = member(&rc, "mode");
            const Node* address = member(&rc, "address");
            for (const auto& [key, n] : {std::pair{"address", address}, std::pair{"mode", mode}, std::pair{"type", type}})
                if (!n || !n->is_string() || n->as_string().empty())
                    fail(n ? n->origin : rc.origin, std::string("a resource change needs '") + key + "', a non-empty string" + (n ? "; found " + n->to_json().substr(0, 80) : ""));
            if (mode->as_string() != "managed" && mode->as_string() != "data")
                fail(mode->origin, "mode is \"managed\" or \"data\"; found \"" + mode->as_string().substr(0, 80) + "\"");
            const Node* change = member(&rc, "change");
            if (!change || !change->is_object()) fail(change ? change->origin : rc.origin, "a resource change needs 'change', an object with 'actions'");
            const Node* acts = member(change, "actions");
            if (!acts || !acts->is_array() || acts->items().empty())
                fail(acts ? acts->origin : change->origin, "'actions' is a non-empty list of no-op, create, read, update, delete or forget");
            for (const Node& x : acts->items()) {
                static const std::set<std::string, std::less<>> known = {"no-op", "create", "read", "update", "delete", "forget"};
                if (!x.is_string() || !known.count(x.as_string()))
                    fail(x.origin, "unknown action " + x.to_json().substr(0, 80) + ": Terraform's are no-op, create, read, update, delete and forget");
            }
            if (mode->as_string() != "managed") continue;  // a data source is read
            rc_ = &rc;
            at_ = address->origin;
            address_ = address->as_string();
            // A deposed object (the old one of a create_before_destroy replacement) shares its
            // address with the current one: its calls are named as Terraform's plan text names it.
            deposed_.clear();
            if (const Node* deposed = member(&rc, "deposed"); deposed && deposed->is_string())
                deposed_ = deposed->as_string();
            change_ = member(&rc, "change");
            before_ = member(change_, "before");
            after_ = member(change_, "after");
            calls_.clear();
            suffixes_.clear();
            std::vector<std::string> actions;
            for (const auto& x : acts->items()) actions.push_back(x.as_string());
            if (const TerraformResource* r = b_.rules().terraform_resource(type->as_string())) declared(*r, actions);
            else not_mapped(type->as_string(), actions);
            for (size_t i = 0; i < calls_.size(); ++i) {
                if (calls_.size() > 1) calls_[i].id += ":" + suffixes_[i];
                b_.add(std::move(calls_[i]));
            }
        }
    }

private:
    [[noreturn]] void fail(Origin at, const std::string& message) const {
        if (!at.known()) at = root_.origin;
        const SourceFile& f = b_.sources().file(at.file);
        throw InputError(f.path(), f.position(at.offset), "plan.terraform-shape", message);
    }

    void push(CallDraft d, const std::string& suffix) {
        suffixes_.push_back(suffix);
        calls_.push_back(std::move(d));
    }

    // ---- values --------------------------------------------------------------------------
    const Node* before(const char* k) const { return member(before_, k); }
    const Node* after(const char* k) const { return member(after_, k); }
    bool unknown(const char* k) const {
        const Node* u = member(member(change_, "after_unknown"), k);
        return u && u->truthy();
    }
    bool changed(const char* k) const {
        if (unknown(k)) return true;
        const Node* b = before(k);
        const Node* a = after(k);
        if (!b && !a) return false;
        if (!b || !a) return !(b ? b->is_null() : a->is_null());
        return !same(*b, *a);
    }
    // Equal values. A secret was blanked when the plan was read (a string to kRedacted, a number
    // to 0), so two blanked values are told apart by their text in the plan file: a password
    // that changes is a change, though neither value is ever shown.
    bool same(const Node& x, const Node& y) const {
        if (x.kind() != y.kind()) return false;
        if (x.is_array()) {
            if (x.items().size() != y.items().size()) return false;
            for (size_t i = 0; i < x.items().size(); ++i)
                if (!same(x.items()[i], y.items()[i])) return false;
            return true;
        }
        if (x.is_object()) {
            if (x.members().size() != y.members().size()) return false;
            for (const auto& [key, v] : x.members()) {
                const Node* w = y.find(key.str());
                if (!w || !same(v, *w)) return false;
            }
            return true;
        }
        const bool blanked = (x.is_string() && x.as_string() == kRedacted && y.as_string() == kRedacted) ||
                             (x.is_number() && x.as_number() == 0 && y.as_number() == 0);
        if (blanked) return raw_text(x) == raw_text(y) && !raw_text(x).empty();
        return x.equals(y);
    }
    // The JSON text of a scalar as the plan file writes it ("" when not known).
    std::string_view raw_text(const Node& n) const {
        if (!n.origin.known()) return {};
        const std::string_view t = b_.sources().file(n.origin.file).text();
        const size_t at = n.origin.offset;
        if (at >= t.size()) return {};
        size_t e = at;
        if (t[at] == '"') {
            for (e = at + 1; e < t.size() && t[e] != '"'; e += t[e] == '\\' ? 2 : 1) {}
            return e < t.size() ? t.substr(at, e + 1 - at) : std::string_view{};
        }
        while (e < t.size() && std::string_view(",}] \t\r\n").find(t[e]) == std::string_view::npos) ++e;
        return t.substr(at, e - at);
    }
    bool has(const char* k) const {
        const Node* a = after(k);
        return unknown(k) || (a && !a->is_null() && !(a->is_string() && a->as_string().empty()));
    }

    CallDraft draft() const {
        CallDraft d;
        d.id = deposed_.empty() ? address_ : address_ + " (deposed object " + deposed_ + ")";
        d.origin = at_;
        d.adapter.set("client", Node::string("terraform"));
        d.adapter.set("address", Node::string(address_, at_));
        if (!deposed_.empty()) d.adapter.set("deposed", Node::string(deposed_, at_));
        return d;
    }

    // A parameter from after.<attr> (or before.<attr> for the id of a desktop being changed).
    void param(CallDraft& d, const std::string& name, const char* attr, bool from_before = false) {
        RawParam p;
        p.name = name;
        p.flag = std::string(from_before ? "before." : "after.") + attr;
        p.flag_at = at_;
        const Node* v = from_before ? before(attr) : after(attr);
        if (!from_before && unknown(attr)) {
            p.value = Node::string("<known after apply>", at_);
            p.unresolved = true;
            p.text = address_ + "." + attr + " (known after apply)";
        } else {
            p.value = v ? *v : Node::null();
            p.value.origin = at_;
        }
        d.params.push_back(std::move(p));
    }
    void constant(CallDraft& d, const std::string& name, Node v, const std::string& flag) {
        RawParam p;
        p.name = name;
        p.flag = flag;
        p.flag_at = at_;
        p.value = std::move(v);
        p.value.origin = at_;
        d.params.push_back(std::move(p));
    }
    void unresolved(CallDraft& d, const std::string& name, const std::string& text) {
        RawParam p;
        p.name = name;
        p.flag = name;
        p.flag_at = at_;
        p.value = Node::string("<" + name + ">", at_);
        p.unresolved = true;
        p.text = text;
        d.params.push_back(std::move(p));
    }

    // The provider configuration the resource's configuration names (provider_config_key:
    // "alicloud.hz" for `provider = alicloud.hz`), found by the change's module_address, type
    // and name; nullptr when the plan has no configuration for it.
    const Node* named_provider_config() const {
        const Node* config = member(&root_, "configuration");
        const Node* configs = member(config, "provider_config");
        const Node* module = member(config, "root_module");
        if (const Node* ma = member(rc_, "module_address"); ma && ma->is_string()) {
            // module.a.module.b["k"] => the module calls a, then b (instance keys dropped).
            std::string_view rest = ma->as_string();
            while (module && rest.starts_with("module.")) {
                rest.remove_prefix(7);
                size_t end = std::min(rest.find('.'), rest.find('['));
                const std::string call(rest.substr(0, end));
                module = member(member(member(module, "module_calls"), call.c_str()), "module");
                size_t next = rest.find(".module.", end == std::string_view::npos ? rest.size() : end);
                rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
            }
        }
        const Node* type = member(rc_, "type");
        const Node* name = member(rc_, "name");
        const Node* resources = member(module, "resources");
        if (!configs || !type || !name || !resources || !resources->is_array()) return nullptr;
        for (const Node& r : resources->items()) {
            const Node* rt = member(&r, "type");
            const Node* rn = member(&r, "name");
            const Node* mode = member(&r, "mode");
            if (!rt || !rn || !rt->equals(*type) || !rn->equals(*name) || (mode && mode->is_string() && mode->as_string() != "managed")) continue;
            const Node* key = member(&r, "provider_config_key");
            return key && key->is_string() ? member(configs, key->as_string().c_str()) : nullptr;
        }
        return nullptr;
    }

    // The value of `key` in a provider configuration: a constant, or a variable's value.
    const Node* setting_of(const Node& cfg, const char* key) const {
        const Node* expr = member(member(&cfg, "expressions"), key);
        if (const Node* c = member(expr, "constant_value"); c && c->is_string()) return c;
        if (const Node* refs = member(expr, "references"); refs && refs->is_array())
            for (const auto& r : refs->items()) {
                if (!r.is_string() || r.as_string().rfind("var.", 0) != 0) continue;
                const Node* v = member(member(member(&root_, "variables"), r.as_string().substr(4).c_str()), "value");
                if (v && v->is_string()) return v;
            }
        return nullptr;
    }

    // The provider's configured value of `key` (region, project_id): of the configuration the
    // resource names (an alias included), else of the provider's default (unaliased) one.
    const Node* provider_setting(const char* key) const {
        if (const Node* named = named_provider_config()) return setting_of(*named, key);
        const Node* pn = member(rc_, "provider_name");
        const Node* configs = member(member(&root_, "configuration"), "provider_config");
        if (!configs || !configs->is_object()) return nullptr;
        for (const auto& [name, cfg] : configs->members()) {
            const Node* full = member(&cfg, "full_name");
            if (member(&cfg, "alias")) continue;
            if (pn && full && pn->is_string() && full->is_string() && pn->as_string() != full->as_string()) continue;
            if (const Node* v = setting_of(cfg, key)) return v;
        }
        return nullptr;
    }

    // ---- every other resource type ------------------------------------------------------------
    // A change opguard does not map to API calls is never dropped: it becomes one call that no
    // rule file describes ("alicloud delete alicloud_instance"), which the unmodeled-call rule
    // reports, so a plan that deletes or replaces a resource opguard cannot see does not pass.
    // Only "no-op" and "read" change nothing.
    void not_mapped(const std::string& type, const std::vector<std::string>& actions) {
        std::string what;
        for (const auto& a : actions) {
            if (a == "no-op" || a == "read" || a == "forget") continue;
            what += (what.empty() ? "" : "+") + a;
        }
        if (what.empty()) return;
        unmodeled(what + " " + type);
    }
    // One call no rule file describes, named `action` ("update alicloud_instance (instance_type)").
    void unmodeled(const std::string& action) {
        std::string provider = "terraform";
        if (const Node* pn = member(rc_, "provider_name"); pn && pn->is_string() && !pn->as_string().empty()) {
            const std::string& full = pn->as_string();
            provider = full.substr(full.rfind('/') + 1);
        }
        CallDraft d = draft();
        d.set_header("product", Node::string(provider, at_));
        d.set_header("action", Node::string(action, at_));
        push(std::move(d), action);
    }

    // ---- resource types declared in rules/ (terraform_resource items) ---------------------
    // `attr` is "before.x", "after.x" or "provider.x".
    const Node* value_of(const std::string& attr) const {
        size_t dot = attr.find('.');
        std::string root = attr.substr(0, dot), key = attr.substr(dot + 1);
        if (root == "before") return before(key.c_str());
        if (root == "after") return after(key.c_str());
        return provider_setting(key.c_str());
    }
    bool holds(const std::vector<AttrCondition>& cs) const {
        for (const auto& c : cs) {
            const Node* v = value_of(c.attr);
            if (c.attr.rfind("after.", 0) == 0 && unknown(c.attr.c_str() + 6)) return false;  // not known before apply
            bool eq = v ? v->equals(c.value) : c.value.is_null();
            if (eq != c.equal) return false;
        }
        return true;
    }

    void source_param(CallDraft& d, const TerraformResource& r, const ParamSource& p) {
        if (p.from.empty()) {
            constant(d, p.name, p.constant, p.name);
            return;
        }
        const bool is_after = p.from.rfind("after.", 0) == 0;
        const bool is_provider = p.from.rfind("provider.", 0) == 0;
        const std::string key = p.from.substr(p.from.find('.') + 1);
        if (is_provider) {
            if (const Node* v = provider_setting(key.c_str())) {
                constant(d, p.name, *v, "provider " + key);
            } else {
                for (const auto& [name, why] : r.missing)
                    if (name == p.name) unresolved(d, p.name, why);
            }
            return;
        }
        const Node* v = value_of(p.from);
        const bool unknown_after = is_after && unknown(key.c_str());
        if (p.if_set && !unknown_after && (!v || v->is_null() || (v->is_string() && v->as_string().empty()))) return;
        if (unknown_after) {
            param(d, p.name, key.c_str());
            return;
        }
        Node value = v ? *v : Node::null();
        if (!p.translate.is_null() && value.is_string())
            if (const Node* t = p.translate.find(value.as_string())) value = *t;
        if (p.as_list) {
            value.origin = at_;
            value = Node::array({value}, at_);
        }
        constant(d, p.name, std::move(value), p.from);
    }

    CallDraft declared_call(const TerraformResource& r, const ClientCall& c) {
        CallDraft d = draft();
        if (r.header == "huaweicloud") {
            d.wire_form = false;
            if (const HuaweiOperation* op = huawei_operation(b_.rules(), c.product, c.api)) {
                set_huawei_header(d, *op, at_);
            } else {
                d.set_header("cloud", Node::string("huaweicloud", at_));
                d.set_header("service", Node::string(c.product, at_));
                d.set_header("action", Node::string(c.api, at_));
            }
        } else {
            d.set_header("product", Node::string(c.product, at_));
            std::string v = default_api_version(b_.rules(), c.product, c.api);
            if (!v.empty()) d.set_header("version", Node::string(v, at_));
            d.set_header("action", Node::string(c.api, at_));
        }
        for (const auto& attr : r.region) {
            const Node* v = value_of(attr);
            if (v && v->is_string()) {
                d.adapter.set("region", Node::string(v->as_string(), at_));
                break;
            }
        }
        for (const auto& p : r.params) source_param(d, r, p);
        for (const auto& p : c.params) source_param(d, r, p);
        if (!c.conditional.empty())
            d.note("conditional", Node::object({{"message", Node::string(c.conditional, at_)}}, at_));
        if (c.wait) {
            d.wait = true;
            d.wait_at = at_;
        }
        return d;
    }

    // Each action of the change in order (a replace is ["delete", "create"], or the reverse
    // with create_before_destroy): the calls the provider makes for it.
    void declared(const TerraformResource& r, const std::vector<std::string>& actions) {
        for (const auto& a : actions) {
            const std::vector<ClientCall>* calls = a == "delete" ? &r.on_delete : a == "create" ? &r.on_create
                                                 : a == "update" ? &r.on_update : nullptr;
            if (!calls) continue;
            std::set<const ClientCall*> made;
            for (const ClientCall& c : *calls) {
                if (a == "update" && std::none_of(c.changed.begin(), c.changed.end(), [&](const std::string& k) { return changed(k.c_str()); }))
                    continue;
                if (!holds(c.only_if)) continue;
                if (!c.skip_if.empty() && holds(c.skip_if)) continue;
                push(declared_call(r, c), c.api);
                made.insert(&c);
            }
            if (a == "update") unmapped_update(r, made);
        }
    }

    // The attributes an update changes that neither an `update` call nor `no_call` names: the
    // provider makes calls for them that no rule file describes, so they become one such call
    // (plan.unmodeled-call) rather than nothing: "update alicloud_instance (instance_type)".
    // A changed attribute whose calls the `update` items list but whose conditions all left out
    // (status to Stopped from a status no item names, a value known only after apply) is one too.
    void unmapped_update(const TerraformResource& r, const std::set<const ClientCall*>& made) {
        std::set<std::string> keys;
        for (const Node* side : {before_, after_, member(change_, "after_unknown")})
            if (side && side->is_object())
                for (const auto& m : side->members()) keys.insert(m.first.str());
        std::string names;
        for (const auto& k : keys) {
            if (!changed(k.c_str())) continue;
            auto names_it = [&](const std::vector<std::string>& list) { return std::find(list.begin(), list.end(), k) != list.end(); };
            if (names_it(r.no_call)) continue;
            bool listed = false, called = false;
            for (const ClientCall& c : r.on_update)
                if (names_it(c.changed)) {
                    listed = true;
                    called = called || made.count(&c) > 0;
                }
            if (called) continue;
            names += (names.empty() ? "" : ", ") + k + (listed ? (unknown(k.c_str()) ? ": known only after apply" : ": no mapped call for this change") : "");
        }
        if (!names.empty()) unmodeled("update " + r.name + " (" + names + ")");
    }

    const Node& root_;
    PlanBuilder& b_;
    const Node* rc_ = nullptr;
    const Node* change_ = nullptr;
    const Node* before_ = nullptr;
    const Node* after_ = nullptr;
    Origin at_;
    std::string address_;
    std::string deposed_;  // the deposed object's key, or empty
    std::vector<CallDraft> calls_;
    std::vector<std::string> suffixes_;  // the API of each call, for ids when a resource makes several
};

}  // namespace

bool looks_like_terraform_plan(const Node& root, std::string* why) {
    if (!root.is_object()) {
        if (why) *why = std::string("expected an object with resource_changes; found ") + kind_name(root.kind());
        return false;
    }
    const Node* rc = root.find("resource_changes");
    if (!rc || !rc->is_array()) {
        if (why) *why = root.find("format_version") ? "has format_version but no resource_changes list (a plan with no changes, or `terraform show -json` of a state?)"
                                                    : "has no resource_changes list";
        return false;
    }
    return true;
}

void read_terraform_plan(const Node& root, PlanBuilder& builder) { TerraformReader(root, builder).run(); }

}  // namespace opguard::adapters
