#include "input/adapters/terraform_plan.hpp"

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
            const Node* type = member(&rc, "type");
            const Node* mode = member(&rc, "mode");
            const Node* address = member(&rc, "address");
            if (!type || !type->is_string() || !address || !address->is_string()) continue;
            if (mode && mode->is_string() && mode->as_string() != "managed") continue;
            rc_ = &rc;
            at_ = address->origin;
            address_ = address->as_string();
            change_ = member(&rc, "change");
            before_ = member(change_, "before");
            after_ = member(change_, "after");
            calls_.clear();
            suffixes_.clear();
            std::vector<std::string> actions;
            if (const Node* a = member(change_, "actions"); a && a->is_array())
                for (const auto& x : a->items()) if (x.is_string()) actions.push_back(x.as_string());
            if (type->as_string() == "alicloud_ecd_desktop") alicloud(actions);
            else if (type->as_string() == "huaweicloud_workspace_desktop") huawei(actions);
            else not_mapped(type->as_string(), actions);
            for (size_t i = 0; i < calls_.size(); ++i) {
                if (calls_.size() > 1) calls_[i].id += ":" + suffixes_[i];
                b_.add(std::move(calls_[i]));
            }
        }
    }

private:
    void push(CallDraft d) {
        const Node* a = d.header_value("action");
        suffixes_.push_back(a ? a->as_string() : api_);
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
        return !b->equals(*a);
    }
    bool has(const char* k) const {
        const Node* a = after(k);
        return unknown(k) || (a && !a->is_null() && !(a->is_string() && a->as_string().empty()));
    }

    CallDraft draft() const {
        CallDraft d;
        d.id = address_;
        d.origin = at_;
        d.adapter.set("client", Node::string("terraform"));
        d.adapter.set("address", Node::string(address_, at_));
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

    // The provider's configured value of `key` (region, project_id): a constant, or a variable's value.
    const Node* provider_setting(const char* key) const {
        const Node* pn = member(rc_, "provider_name");
        const Node* configs = member(member(&root_, "configuration"), "provider_config");
        if (!configs || !configs->is_object()) return nullptr;
        for (const auto& [name, cfg] : configs->members()) {
            const Node* full = member(&cfg, "full_name");
            if (member(&cfg, "alias")) continue;
            if (pn && full && pn->is_string() && full->is_string() && pn->as_string() != full->as_string()) continue;
            const Node* expr = member(member(&cfg, "expressions"), key);
            if (const Node* c = member(expr, "constant_value"); c && c->is_string()) return c;
            if (const Node* refs = member(expr, "references"); refs && refs->is_array())
                for (const auto& r : refs->items()) {
                    if (!r.is_string() || r.as_string().rfind("var.", 0) != 0) continue;
                    const Node* v = member(member(member(&root_, "variables"), r.as_string().substr(4).c_str()), "value");
                    if (v && v->is_string()) return v;
                }
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
            if (a == "no-op" || a == "read") continue;
            what += (what.empty() ? "" : "+") + a;
        }
        if (what.empty()) return;
        std::string provider = "terraform";
        if (const Node* pn = member(rc_, "provider_name"); pn && pn->is_string() && !pn->as_string().empty()) {
            const std::string& full = pn->as_string();
            provider = full.substr(full.rfind('/') + 1);
        }
        CallDraft d = draft();
        d.set_header("product", Node::string(provider, at_));
        d.set_header("action", Node::string(what + " " + type, at_));
        push(std::move(d));
    }

    // ---- alicloud_ecd_desktop ---------------------------------------------------------------
    CallDraft ecd(const std::string& action) {
        CallDraft d = draft();
        d.set_header("product", Node::string("ecd", at_));
        std::string v = default_api_version(b_.rules(), "ecd", action);
        if (!v.empty()) d.set_header("version", Node::string(v, at_));
        d.set_header("action", Node::string(action, at_));
        if (const Node* r = provider_setting("region")) {
            constant(d, "RegionId", *r, "provider region");
            d.adapter.set("region", Node::string(r->as_string(), at_));
        } else {
            unresolved(d, "RegionId", "the alicloud provider's region (not in the plan: the provider block or ALICLOUD_REGION sets it)");
        }
        return d;
    }

    void alicloud(const std::vector<std::string>& actions) {
        for (const auto& a : actions) {
            if (a == "delete") {
                CallDraft d = ecd("DeleteDesktops");
                param(d, "DesktopId.1", "id", true);
                push(std::move(d));
            } else if (a == "create") {
                CallDraft d = ecd("CreateDesktops");
                for (auto [n, attr] : {std::pair{"OfficeSiteId", "office_site_id"}, {"BundleId", "bundle_id"},
                                       {"PolicyGroupId", "policy_group_id"}, {"DesktopName", "desktop_name"}})
                    if (has(attr)) param(d, n, attr);
                push(std::move(d));
            } else if (a == "update") {
                alicloud_update();
            }
        }
    }

    void alicloud_update() {
        if (changed("desktop_name")) {
            CallDraft d = ecd("ModifyDesktopName");
            param(d, "DesktopId", "id", true);
            param(d, "NewDesktopName", "desktop_name");
            push(std::move(d));
        }
        if (changed("policy_group_id")) {
            CallDraft d = ecd("ModifyDesktopsPolicyGroup");
            param(d, "DesktopId.1", "id", true);
            param(d, "PolicyGroupId", "policy_group_id");
            push(std::move(d));
        }
        if (changed("status")) {
            const Node* s = after("status");
            std::string target = s && s->is_string() ? s->as_string() : "";
            if (target == "Running" || target == "Stopped") {
                CallDraft d = ecd(target == "Running" ? "StartDesktops" : "StopDesktops");
                param(d, "DesktopId.1", "id", true);
                if (target == "Stopped" && has("stopped_mode")) param(d, "StoppedMode", "stopped_mode");
                push(std::move(d));
            }
        }
        if (changed("desktop_type") || changed("root_disk_size_gib") || changed("user_disk_size_gib")) {
            CallDraft d = ecd("ModifyDesktopSpec");
            param(d, "DesktopId", "id", true);
            if (has("desktop_type")) param(d, "DesktopType", "desktop_type");
            if (has("auto_pay")) param(d, "AutoPay", "auto_pay");
            if (has("root_disk_size_gib")) param(d, "RootDiskSizeGib", "root_disk_size_gib");
            if (has("user_disk_size_gib")) param(d, "UserDiskSizeGib", "user_disk_size_gib");
            push(std::move(d));
        }
        if (changed("payment_type")) {
            CallDraft d = ecd("ModifyDesktopChargeType");
            param(d, "DesktopId.1", "id", true);
            const Node* pt = after("payment_type");
            std::string v = pt && pt->is_string() ? pt->as_string() : "";
            if (v == "PayAsYouGo" || v == "Subscription")
                constant(d, "ChargeType", Node::string(v == "PayAsYouGo" ? "PostPaid" : "PrePaid"), "after.payment_type");
            else if (has("payment_type")) param(d, "ChargeType", "payment_type");
            if (has("period")) param(d, "Period", "period");
            if (has("period_unit")) param(d, "PeriodUnit", "period_unit");
            if (has("auto_pay")) param(d, "AutoPay", "auto_pay");
            push(std::move(d));
        }
    }

    // ---- huaweicloud_workspace_desktop --------------------------------------------------------
    CallDraft workspace(const char* operation) {
        CallDraft d = draft();
        d.wire_form = false;
        set_huawei_header(d, *huawei_operation("workspace", operation), at_);
        api_ = operation;
        const Node* region = after("region");
        if (!region || !region->is_string()) region = before("region");
        if (!region || !region->is_string()) region = provider_setting("region");
        if (region && region->is_string()) d.adapter.set("region", Node::string(region->as_string(), at_));
        if (const Node* p = provider_setting("project_id")) constant(d, "project_id", *p, "provider project_id");
        else unresolved(d, "project_id", "the project of the huaweicloud provider's region (not in the plan)");
        return d;
    }

    void huawei(const std::vector<std::string>& actions) {
        for (const auto& a : actions) {
            if (a == "delete") {
                CallDraft d = workspace("DeleteDesktop");
                param(d, "desktop_id", "id", true);
                push(std::move(d));
            } else if (a == "create") {
                CallDraft d = workspace("CreateDesktop");
                for (const char* attr : {"image_type", "image_id", "flavor_id"})
                    if (has(attr)) param(d, attr, attr);
                push(std::move(d));
            } else if (a == "update" && (changed("image_id") || changed("image_type"))) {
                // resourceDesktopUpdate: d.HasChanges("image_type", "image_id") => updateDesktopImage.
                CallDraft d = workspace("BatchRebuildDesktopsSystemDisk");
                const Node* id = before("id");
                constant(d, "desktop_ids", Node::array({id ? *id : Node::null()}, at_), "before.id");
                d.params.back().value.items()[0].origin = at_;
                param(d, "image_type", "image_type");
                param(d, "image_id", "image_id");
                push(std::move(d));
            }
        }
    }

    const Node& root_;
    PlanBuilder& b_;
    const Node* rc_ = nullptr;
    const Node* change_ = nullptr;
    const Node* before_ = nullptr;
    const Node* after_ = nullptr;
    Origin at_;
    std::string address_;
    std::string api_;  // the Huawei operation of the draft being built
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
