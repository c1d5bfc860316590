#include "input/adapters/oos_template.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "input/adapters/aliyun_cli.hpp"

namespace opguard::adapters {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// A template value after {{ }} references are resolved. Lists keep their elements apart so
// that one unresolved element does not hide the others.
struct RValue {
    Node value;
    bool unresolved = false;
    std::string text;            // unresolved: as written, with what it depends on
    bool is_list = false;
    std::vector<RValue> items;
    Origin origin() const { return value.origin; }
};

RValue unresolved_value(const std::string& text, Origin at) {
    RValue r;
    r.value = Node::string(text, at);
    r.unresolved = true;
    r.text = text;
    return r;
}

class OosReader {
public:
    OosReader(const Node& root, PlanBuilder& b) : root_(root), b_(b), params_(root.find("Parameters")) {}

    void run() {
        const Node* tasks = root_.find("Tasks");
        if (!tasks || !tasks->is_array()) return;
        size_t n = 0;
        for (const Node& task : tasks->items()) {
            ++n;
            if (!task.is_object()) continue;
            const Node* name = task.find("Name");
            std::string id = name && name->is_string() ? name->as_string() : "task-" + std::to_string(n);
            const Node* loop = task.find("Loop");
            const Node* items = loop && loop->is_object() ? loop->find("Items") : nullptr;
            if (!items) {
                item_ = nullptr;
                emit(task, id);
                continue;
            }
            RValue all = resolve(*items, 0);
            if (!all.is_list) {
                // Items that cannot be resolved: the task is still checked once, for an unknown item.
                RValue one = all.unresolved ? all : unresolved_value(items->to_text(), items->origin);
                if (!all.unresolved) one.text = "Loop.Items " + items->to_text() + " (not a list)";
                one.text = "an item of " + one.text;
                item_ = &one;
                emit(task, id + "[?]");
                continue;
            }
            size_t i = 0;
            for (RValue& item : all.items) {
                item_ = &item;
                emit(task, id + "[" + std::to_string(++i) + "]");
            }
            item_ = nullptr;
        }
    }

private:
    // ---- {{ }} references ----------------------------------------------------------------
    RValue resolve(const Node& v, int depth) {
        if (depth > 16) return unresolved_value(v.to_text() + " (references nest too deep)", v.origin);
        if (v.is_string()) return resolve_string(v, depth);
        if (v.is_array()) {
            RValue r;
            r.is_list = true;
            r.value = Node::array({}, v.origin);
            for (const Node& i : v.items()) r.items.push_back(resolve(i, depth));
            return r;
        }
        if (v.is_object()) {
            if (v.members().size() == 1 && v.members()[0].first.rfind("Fn::", 0) == 0)
                return unresolved_value(v.members()[0].first + " " + v.members()[0].second.to_json() + " (evaluated by OOS when it runs)", v.origin);
            RValue r;
            r.value = Node::object({}, v.origin);
            for (const auto& [k, x] : v.members()) {
                RValue m = resolve(x, depth);
                if (m.unresolved) return unresolved_value(v.to_json() + ": " + m.text, v.origin);
                r.value.set(k, flatten(m));
            }
            return r;
        }
        RValue r;
        r.value = v;
        return r;
    }

    static Node flatten(const RValue& r) {
        if (!r.is_list) return r.value;
        Node out = Node::array({}, r.value.origin);
        for (const auto& i : r.items) out.items().push_back(flatten(i));
        return out;
    }

    RValue resolve_string(const Node& v, int depth) {
        static const std::regex kRef(R"(\{\{\s*([^{}]*?)\s*\}\})");
        const std::string& s = v.as_string();
        std::smatch m;
        std::string t = trim(s);
        if (std::regex_match(t, m, kRef)) {
            RValue r = reference(m[1].str(), v.origin, depth);
            if (r.unresolved) {
                r.text = s + ": " + r.text;
                r.value = Node::string(s, v.origin);  // the placeholder is the reference as written, where it is used
            }
            return r;
        }
        std::string out;
        auto begin = std::sregex_iterator(s.begin(), s.end(), kRef);
        size_t last = 0;
        for (auto it = begin; it != std::sregex_iterator(); ++it) {
            out += s.substr(last, static_cast<size_t>(it->position()) - last);
            RValue r = reference((*it)[1].str(), v.origin, depth);
            if (r.unresolved || r.is_list) {
                RValue u = unresolved_value(s + ": " + (r.unresolved ? r.text : "a list inside a string"), v.origin);
                u.value = Node::string(s, v.origin);
                return u;
            }
            out += r.value.to_text();
            last = static_cast<size_t>(it->position() + it->length());
        }
        if (last == 0 && begin == std::sregex_iterator()) {
            RValue r;
            r.value = v;
            return r;
        }
        out += s.substr(last);
        RValue r;
        r.value = Node::string(out, v.origin);
        return r;
    }

    // What one {{ name }} stands for. `text` of an unresolved result says why.
    RValue reference(const std::string& name, Origin at, int depth) {
        if (name == "ACS::TaskLoopItem") {
            if (item_) return *item_;
            return unresolved_value("ACS::TaskLoopItem outside a loop", at);
        }
        if (name.rfind("ACS::", 0) == 0) {
            std::string why = name == "ACS::RegionId" ? "the region the execution runs in"
                              : name == "ACS::AccountId" ? "the account that runs the execution"
                                                         : "a value of the execution";
            return unresolved_value(why, at);
        }
        if (name.find('|') != std::string::npos) return unresolved_value("a Jinja filter, applied by OOS when it runs", at);
        const Node* p = params_ && params_->is_object() ? params_->find(name) : nullptr;
        if (p) {
            const Node* def = p->is_object() ? p->find("Default") : nullptr;
            if (!def) return unresolved_value("template parameter " + name + " has no Default", at);
            RValue r = resolve(*def, depth + 1);
            if (r.unresolved) r.text = "the default of template parameter " + name + " is " + r.text;
            return r;
        }
        if (name.find('.') != std::string::npos) return unresolved_value("the output of an earlier task", at);
        return unresolved_value("no template parameter is called " + name, at);
    }

    // ---- calls ------------------------------------------------------------------------------
    // A parameter value => RawParams: a list becomes Name.1, Name.2 ... so that an unresolved
    // element is reported and left out on its own.
    void add_param(CallDraft& d, const std::string& name, const RValue& v, const std::string& flag, Origin flag_at) {
        auto one = [&](const std::string& n, const RValue& x) {
            RawParam p;
            p.name = n;
            p.flag = flag;
            p.flag_at = flag_at;
            p.value = x.is_list ? flatten(x) : x.value;
            if (x.unresolved) { p.unresolved = true; p.text = x.text; }
            d.params.push_back(std::move(p));
        };
        if (v.is_list && !v.items.empty()) {
            size_t i = 0;
            for (const RValue& x : v.items) one(name + "." + std::to_string(++i), x);
            return;
        }
        one(name, v);
    }

    CallDraft draft(const Node& task, const std::string& id) const {
        CallDraft d;
        d.id = id;
        d.origin = task.origin;
        d.adapter.set("client", Node::string("oos"));
        return d;
    }

    void header(CallDraft& d, const std::string& product, const std::string& action, Origin at) {
        d.set_header("product", Node::string(product, at));
        std::string v = default_api_version(b_.rules(), product, action);
        if (!v.empty()) d.set_header("version", Node::string(v, at));
        d.set_header("action", Node::string(action, at));
    }

    void set_region(CallDraft& d, const RValue& region) {
        if (!region.unresolved && region.value.is_string()) d.adapter.set("region", region.value);
    }

    void emit(const Node& task, const std::string& id) {
        const Node* action = task.find("Action");
        const Node* props = task.find("Properties");
        if (!action || !action->is_string()) return;
        std::string a = action->as_string();
        static const Node kEmpty = Node::object();
        const Node& pr = props && props->is_object() ? *props : kEmpty;
        if (lower(a) == "acs::executeapi") {
            CallDraft d = draft(task, id);
            const Node* service = pr.find("Service");
            const Node* api = pr.find("API");
            RValue s = service ? resolve(*service, 0) : unresolved_value("no Service", action->origin);
            RValue x = api ? resolve(*api, 0) : unresolved_value("no API", action->origin);
            header(d, lower(s.value.to_text()), x.value.to_text(), action->origin);
            if (s.unresolved) d.unresolved("(product)", "Service", s.text, s.origin());
            if (x.unresolved) d.unresolved("(action)", "API", x.text, x.origin());
            if (const Node* ps = pr.find("Parameters"); ps && ps->is_object())
                for (const auto& [k, v] : ps->members()) {
                    RValue rv = resolve(v, 0);
                    if (k == "RegionId") set_region(d, rv);
                    add_param(d, k, rv, "Parameters." + k, v.origin);
                }
            b_.add(std::move(d));
            return;
        }
        // The ECD actions of aliyun/oos-templates CloudProductActions/ECD (parameters regionId, desktopId).
        std::string la = lower(a);
        bool stop = la == "acs::ecd::stopdesktop", rebuild = la == "acs::ecd::rebuilddesktop", reboot = la == "acs::ecd::rebootdesktop";
        if (!stop && !rebuild && !reboot) return;
        const Node* region = pr.find("regionId");
        const Node* desktop = pr.find("desktopId");
        RValue rv = region ? resolve(*region, 0) : unresolved_value("regionId not given: its default is {{ ACS::RegionId }}, the region the execution runs in", task.origin);
        RValue dv = desktop ? resolve(*desktop, 0) : unresolved_value("desktopId not given (the action has no default)", task.origin);
        auto call = [&](const std::string& sub_id, const std::string& api) {
            CallDraft d = draft(task, id + "/" + sub_id);
            header(d, "ecd", api, action->origin);
            set_region(d, rv);
            add_param(d, "RegionId", rv, "Properties.regionId", region ? region->origin : task.origin);
            RValue list;
            list.is_list = true;
            list.value = Node::array({}, dv.origin());
            list.items.push_back(dv);
            add_param(d, "DesktopId", list, "Properties.desktopId", desktop ? desktop->origin : task.origin);
            return d;
        };
        if (stop || rebuild) {
            CallDraft d = call(rebuild ? "stopDesktop" : "StopDesktop", "StopDesktops");
            Origin at = action->origin;
            d.note("conditional",
                   Node::object({{"message", Node::string("ACS::ECD::StopDesktop calls StopDesktops only when the desktop is neither "
                                                          "Connected nor already Stopped or Stopping (a desktop with a connected user "
                                                          "is left running): opguard does not predict this step, and checks the "
                                                          "next one against the desktop as saved",
                                                          at)}},
                                at));
            b_.add(std::move(d));
        }
        if (rebuild) b_.add(call("rebuildDesktop", "RebuildDesktops"));
        if (reboot) b_.add(call("rebootDesktop", "RebootDesktops"));
    }

    const Node& root_;
    PlanBuilder& b_;
    const Node* params_;
    const RValue* item_ = nullptr;
};

}  // namespace

bool looks_like_oos_template(const Node& root, std::string* why) {
    if (!root.is_object()) {
        if (why) *why = std::string("expected a mapping with Tasks; found ") + kind_name(root.kind());
        return false;
    }
    const Node* tasks = root.find("Tasks");
    const Node* fv = root.find("FormatVersion");
    if (!tasks || !tasks->is_array()) {
        if (why) *why = fv ? "has FormatVersion but no Tasks list" : "has no Tasks list (and no FormatVersion: OOS-2019-06-01)";
        return false;
    }
    return true;
}

void read_oos_template(const Node& root, PlanBuilder& builder) { OosReader(root, builder).run(); }

}  // namespace opguard::adapters
