#include "input/adapters/oos_template.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/diagnostic.hpp"
#include "input/adapters/aliyun_cli.hpp"

namespace opguard::adapters {

namespace {

std::string trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

// The {{ ... }} references of a string, found without std::regex (which recurses once per
// character and overflows the stack on long values): [begin, end) of each, and its inside.
struct Ref {
    size_t begin, end;
    std::string name;
};
std::vector<Ref> references(const std::string& s) {
    std::vector<Ref> out;
    size_t i = 0;
    while ((i = s.find("{{", i)) != std::string::npos) {
        size_t close = s.find("}}", i + 2);
        if (close == std::string::npos) break;
        std::string_view inside(s.data() + i + 2, close - i - 2);
        if (inside.find('{') != std::string_view::npos || inside.find('}') != std::string_view::npos) { i += 2; continue; }
        out.push_back({i, close + 2, trim(inside)});
        i = close + 2;
    }
    return out;
}

// A template value after {{ }} references are resolved. Lists keep their elements apart so
// that one unresolved element does not hide the others. `size`: values and characters, what
// a copy costs against the expansion budget.
struct RValue {
    Node value;
    bool unresolved = false;
    std::string text;            // unresolved: as written, with what it depends on
    bool is_list = false;
    std::vector<RValue> items;
    size_t size = 1;
    Origin origin() const { return value.origin; }
};

RValue unresolved_value(const std::string& text, Origin at) {
    RValue r;
    r.value = Node::string(text, at);
    r.unresolved = true;
    r.text = text;
    r.size = 1 + text.size();
    return r;
}

size_t node_size(const Node& n) {
    if (n.is_string()) return 1 + n.as_string().size();
    size_t s = 1;
    if (n.is_array()) for (const auto& i : n.items()) s += node_size(i);
    if (n.is_object()) for (const auto& [k, v] : n.members()) s += k.size() + node_size(v);
    return s;
}

RValue literal(const Node& v) {
    RValue r;
    if (v.is_array()) {
        r.is_list = true;
        r.value = Node::array({}, v.origin);
        for (const Node& i : v.items()) {
            r.items.push_back(literal(i));
            r.size += r.items.back().size;
        }
        return r;
    }
    r.value = v;
    r.size = node_size(v);
    return r;
}

Node flatten(const RValue& r) {
    if (!r.is_list) return r.value;
    Node out = Node::array({}, r.value.origin);
    for (const auto& i : r.items) out.items().push_back(flatten(i));
    return out;
}

bool in_list(const std::string& la, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return la == n; });
}

// Actions that call nothing that changes a resource (flow control, notifications, waits for
// time or approval, target selection that only lists resources).
bool changes_nothing(const std::string& la) {
    if (in_list(la, {"acs::choice", "acs::sleep", "acs::approve", "acs::notify", "acs::selecttargets"})) return true;
    return la.rfind("acs::", 0) == 0 && la.size() > 12 && la.compare(la.size() - 7, 7, "trigger") == 0 &&
           la.find("::", 5) == std::string::npos;  // ACS::TimerTrigger, ACS::EventTrigger, ACS::AlarmTrigger
}

// One template being expanded: its parameters, the values given for them, and those resolved.
struct Scope {
    std::string name;                         // TemplateName; "" for the plan itself
    const Node* params = nullptr;             // its Parameters mapping
    std::map<std::string, RValue> given;      // values for its parameters (--parameters, or the parent task's)
    std::map<std::string, RValue> resolved;   // each parameter resolved once
    std::set<std::string> resolving;          // a Default that refers back to itself
    std::string prefix;                       // call ids: "task[1]/" in a nested template
    std::vector<std::string> chain;           // TemplateNames from the plan down to this one
};

class OosReader {
public:
    OosReader(PlanBuilder& b, const OosInput& in) : b_(b), in_(in) {
        budget_ = kOosExpansionFloor + kOosExpansionFactor * in.input_bytes;
    }

    void run(const Node& root) {
        Scope top;
        top.params = root.find("Parameters");
        if (in_.parameters) {
            const Node& given = *in_.parameters;
            for (const auto& [k, v] : given.members()) {
                if (!declares(top.params, k))
                    fail(v.origin, "oos.unknown-parameter",
                         "the template declares no parameter '" + k + "'" + declared_list(top.params) +
                             " (aliyun oos StartExecution refuses an execution with an undeclared parameter)");
                RValue r = literal(v);
                charge(r.size, v.origin);
                top.given.emplace(k, std::move(r));
            }
        }
        tasks(root, top);
        for (auto& d : out_) b_.add(std::move(d));
    }

private:
    // ---- errors and the budget ------------------------------------------------------------
    [[noreturn]] void fail(Origin at, const std::string& id, const std::string& message) const {
        const SourceFile& f = b_.sources().file(at.file);
        throw InputError(f.path(), f.position(at.offset), id, message);
    }

    void charge(size_t units, Origin at) {
        used_ += units;
        if (used_ > budget_)
            fail(at, "oos.expansion-limit",
                 "the template's references, loops and nested templates expand beyond " + std::to_string(budget_) +
                     " values and characters (opguard's limit: " + std::to_string(kOosExpansionFloor) + " + " +
                     std::to_string(kOosExpansionFactor) + " per byte of the template files and --parameters)");
    }

    static bool declares(const Node* params, const std::string& name) {
        return params && params->is_object() && params->find(name);
    }
    static std::string declared_list(const Node* params) {
        if (!params || !params->is_object() || params->members().empty()) return "; it declares none";
        std::string s;
        for (const auto& [k, v] : params->members()) s += (s.empty() ? "" : ", ") + k;
        return "; it declares: " + s;
    }

    // ---- {{ }} references ----------------------------------------------------------------
    RValue resolve(const Node& v, int depth) {
        if (depth > kOosMaxResolveDepth)
            fail(v.origin, "oos.reference-depth",
                 "template values and the parameters they refer to nest deeper than " + std::to_string(kOosMaxResolveDepth) +
                     " levels (opguard's limit)");
        if (v.is_string()) return resolve_string(v, depth);
        if (v.is_array()) {
            RValue r;
            r.is_list = true;
            r.value = Node::array({}, v.origin);
            for (const Node& i : v.items()) {
                r.items.push_back(resolve(i, depth + 1));
                r.size += r.items.back().size;
            }
            return r;
        }
        if (v.is_object()) {
            if (v.members().size() == 1 && v.members()[0].first.str().rfind("Fn::", 0) == 0)
                return unresolved_value(v.members()[0].first + " (a function OOS evaluates when it runs)", v.origin);
            RValue r;
            r.value = Node::object({}, v.origin);
            for (const auto& [k, x] : v.members()) {
                RValue m = resolve(x, depth + 1);
                if (m.unresolved) return unresolved_value("{" + k + ": " + m.text + "}", v.origin);
                r.size += k.size() + m.size;
                r.value.set(k, flatten(m));
            }
            return r;
        }
        return literal(v);
    }

    RValue resolve_string(const Node& v, int depth) {
        const std::string& s = v.as_string();
        std::vector<Ref> refs = references(s);
        if (refs.empty()) {
            charge(1 + s.size(), v.origin);
            return literal(v);
        }
        if (refs.size() == 1 && trim(s.substr(0, refs[0].begin)).empty() && trim(s.substr(refs[0].end)).empty()) {
            RValue r = reference(refs[0].name, v.origin, depth);
            if (r.unresolved) {
                r.text = s + ": " + r.text;
                r.value = Node::string(s, v.origin);  // the placeholder is the reference as written, where it is used
                r.size = 1 + s.size() + r.text.size();
            }
            charge(r.size, v.origin);
            return r;
        }
        std::string out;
        size_t last = 0;
        for (const Ref& ref : refs) {
            out += s.substr(last, ref.begin - last);
            RValue r = reference(ref.name, v.origin, depth);
            if (r.unresolved || r.is_list) {
                RValue u = unresolved_value(s + ": " + (r.unresolved ? r.text : "a list inside a string"), v.origin);
                u.value = Node::string(s, v.origin);
                return u;
            }
            out += r.value.to_text();
            charge(out.size(), v.origin);
            last = ref.end;
        }
        out += s.substr(last);
        RValue r;
        r.value = Node::string(out, v.origin);
        r.size = 1 + out.size();
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
        Scope& s = *scope_;
        if (auto it = s.resolved.find(name); it != s.resolved.end()) return it->second;
        if (auto it = s.given.find(name); it != s.given.end()) return it->second;
        const Node* p = s.params && s.params->is_object() ? s.params->find(name) : nullptr;
        if (p) {
            const Node* def = p->is_object() ? p->find("Default") : nullptr;
            if (!def) return unresolved_value("template parameter " + name + " has no Default and is not given (--parameters)", at);
            if (!s.resolving.insert(name).second)
                return unresolved_value("the Default of template parameter " + name + " refers back to itself", at);
            // A Default is the template's, not a task's: no loop item applies to it.
            const RValue* item = item_;
            item_ = nullptr;
            RValue r = resolve(*def, depth + 1);
            item_ = item;
            s.resolving.erase(name);
            if (r.unresolved) r.text = "the default of template parameter " + name + " is " + r.text;
            s.resolved.emplace(name, r);
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
        charge(v.size, flag_at);
        if (v.is_list && !v.items.empty()) {
            size_t i = 0;
            for (const RValue& x : v.items) one(name + "." + std::to_string(++i), x);
            return;
        }
        one(name, v);
    }

    CallDraft draft(const Node& task, const std::string& id) {
        charge(1 + id.size(), task.origin);
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

    static void set_region(CallDraft& d, const RValue& region) {
        if (!region.unresolved && region.value.is_string()) d.adapter.set("region", region.value);
    }

    void note(CallDraft& d, const std::string& list, const std::string& message, Origin at) {
        d.note(list, Node::object({{"message", Node::string(message, at)}}, at));
    }

    // ACS::ExecuteApi and ACS::CheckFor: the API the task names, as written.
    void execute_api(const Node& task, const std::string& id, const Node& action, const Node& pr) {
        CallDraft d = draft(task, id);
        const Node* service = pr.find("Service");
        const Node* api = pr.find("API");
        RValue s = service ? resolve(*service, 0) : unresolved_value("no Service", action.origin);
        RValue x = api ? resolve(*api, 0) : unresolved_value("no API", action.origin);
        header(d, lower(s.value.to_text()), x.value.to_text(), action.origin);
        if (s.unresolved) d.unresolved("(product)", "Service", s.text, s.origin());
        if (x.unresolved) d.unresolved("(action)", "API", x.text, x.origin());
        if (const Node* ps = pr.find("Parameters"); ps && ps->is_object())
            for (const auto& [k, v] : ps->members()) {
                RValue rv = resolve(v, 0);
                if (k == "RegionId") set_region(d, rv);
                add_param(d, k, rv, "Parameters." + k, v.origin);
            }
        out_.push_back(std::move(d));
    }

    // An OOS action that runs its own template (ACS::ECS::StopInstance, declared in rules/ as
    // an oos_action): the calls its template makes, in order, each with the action's
    // parameters as given in the task (`where`: "Properties." or "Properties.Parameters.")
    // or their defaults.
    void declared_action(const OosAction& act, const Node& task, const std::string& id, const Node& action, const Node& args,
                         const std::string& where) {
        std::map<std::string, RValue> values;
        std::map<std::string, Origin> at;
        for (const auto& [name, def] : act.parameters) {
            const Node* given = args.find(name);
            at[name] = given ? given->origin : task.origin;
            values[name] = given ? resolve(*given, 0) : default_value(name, def, task.origin);
        }
        for (const ClientCall& c : act.calls) {
            CallDraft d = draft(task, id + "/" + c.step);
            header(d, c.product, c.api, action.origin);
            for (const ParamSource& p : c.params) {
                RValue v;
                Origin flag_at = task.origin;
                std::string flag = where + p.from;
                if (p.from.empty()) {
                    v = literal(p.constant);
                    v.value.origin = task.origin;
                    flag = where + p.name;
                } else {
                    v = values[p.from];
                    flag_at = at[p.from];
                }
                if (p.if_set && !v.unresolved && (v.value.is_null() || (v.value.is_string() && v.value.as_string().empty()))) continue;
                if (!v.unresolved && !p.translate.is_null() && v.value.is_string())
                    if (const Node* t = p.translate.find(v.value.as_string())) {
                        Origin o = v.value.origin;
                        v.value = *t;
                        v.value.origin = o;
                    }
                if (p.as_list) {
                    RValue list;
                    list.is_list = true;
                    list.value = Node::array({}, v.origin());
                    list.size += v.size;
                    list.items.push_back(std::move(v));
                    v = std::move(list);
                }
                if (p.name == "RegionId") set_region(d, v);
                add_param(d, p.name, v, flag, flag_at);
            }
            if (!c.conditional.empty()) note(d, "conditional", c.conditional, action.origin);
            if (c.wait) {
                d.wait = true;
                d.wait_at = task.origin;
            }
            out_.push_back(std::move(d));
        }
    }

    // The value of an action's parameter the task does not give: its Default, or unresolved
    // (no Default; or one that refers to a value of the execution, such as {{ ACS::RegionId }}).
    RValue default_value(const std::string& name, const Node& def, Origin at) {
        if (def.is_null()) return unresolved_value(name + " not given (the action has no default)", at);
        if (def.is_string()) {
            const std::string& s = def.as_string();
            std::vector<Ref> refs = references(s);
            if (!refs.empty()) {
                std::string why = refs.size() == 1 && refs[0].name.rfind("ACS::", 0) == 0 ? reference(refs[0].name, at, 0).text
                                                                                         : "a value of the execution";
                return unresolved_value(name + " not given: its default is " + s + ", " + why, at);
            }
        }
        RValue r = literal(def);
        r.value.origin = at;
        return r;
    }

    // An action opguard does not expand: one call that no operation models, located at the task.
    void unexpanded(const Node& task, const std::string& id, const std::string& action, Origin at, const std::string& why) {
        CallDraft d = draft(task, id);
        d.header = unexpanded_header(b_.rules(), action, at);
        d.adapter.set("oos_action", Node::string(action, at));
        d.note("unexpanded", Node::object({{"action", Node::string(action, at)}, {"message", Node::string(why, at)}}, at));
        out_.push_back(std::move(d));
    }

    void nested(const Node& task, const std::string& id, const Node& action, const Node& pr) {
        const Node* tn = pr.find("TemplateName");
        static const Node kEmpty = Node::object();
        const Node* ps = pr.find("Parameters");
        const Node& args = ps && ps->is_object() ? *ps : kEmpty;
        RValue name = tn ? resolve(*tn, 0) : unresolved_value("no TemplateName", action.origin);
        if (name.unresolved || !name.value.is_string()) {
            unexpanded(task, id, "ACS::Template", action.origin,
                       "ACS::Template runs a template opguard cannot name (TemplateName is " + name.text +
                           "): what it calls is not checked");
            return;
        }
        const std::string n = name.value.as_string();
        const std::string ln = lower(n);
        if (const OosAction* act = b_.rules().oos_action(n)) {
            declared_action(*act, task, id, action, args, "Properties.Parameters.");
            return;
        }
        if (ln.rfind("acs::", 0) == 0) {
            unexpanded(task, id, n, name.origin(),
                       "ACS::Template runs the OOS action " + n + ", which opguard does not expand: what it calls is not checked");
            return;
        }
        if (scope_->chain.size() >= static_cast<size_t>(kOosMaxTemplateDepth))
            fail(task.origin, "oos.template-depth",
                 "ACS::Template nests templates deeper than " + std::to_string(kOosMaxTemplateDepth) + " levels (opguard's limit)");
        if (std::find(scope_->chain.begin(), scope_->chain.end(), n) != scope_->chain.end()) {
            std::string path;
            for (const auto& c : scope_->chain) path += c + " -> ";
            fail(task.origin, "oos.template-cycle", "ACS::Template runs " + n + ", which is already running: " + path + n);
        }
        bool safe = !n.empty() && n[0] != '.' && n.find('/') == std::string::npos && n.find('\\') == std::string::npos;
        const Node* child = safe && in_.find_template ? in_.find_template(n) : nullptr;
        if (!child) {
            unexpanded(task, id, n, name.origin(),
                       "ACS::Template runs template " + n + ", whose file (" + n + ".yml, .yaml or .json) is not beside the plan: "
                       "what it calls is not checked; put the template there to have it checked");
            return;
        }
        if (counted_.insert(child->origin.file).second)  // each file's bytes once, however often it runs
            budget_ += kOosExpansionFactor * b_.sources().file(child->origin.file).text().size();
        std::string why;
        if (!looks_like_oos_template(*child, &why)) fail(child->origin, "oos.shape", "template " + n + " (ACS::Template) " + why);
        Scope s;
        s.name = n;
        s.params = child->find("Parameters");
        s.prefix = id + "/";
        s.chain = scope_->chain;
        s.chain.push_back(n);
        for (const auto& [k, v] : args.members()) {
            if (!declares(s.params, k))
                fail(v.origin, "oos.unknown-parameter", "template " + n + " declares no parameter '" + k + "'" + declared_list(s.params));
            s.given.emplace(k, resolve(v, 0));
        }
        const RValue* item = item_;
        Scope* parent = scope_;
        item_ = nullptr;
        tasks(*child, s);
        item_ = item;
        scope_ = parent;
    }

    void task(const Node& t, const std::string& id) {
        const Node* action = t.find("Action");
        if (!action || !action->is_string()) fail(t.origin, "oos.shape", "a task needs an Action (a string, such as ACS::ExecuteApi)");
        const std::string a = action->as_string();
        const std::string la = lower(a);
        static const Node kEmpty = Node::object();
        const Node* props = t.find("Properties");
        const Node& pr = props && props->is_object() ? *props : kEmpty;
        if (la == "acs::executeapi" || la == "acs::checkfor") return execute_api(t, id, *action, pr);
        if (la == "acs::waitfor") {
            // WaitFor calls its API again and again until a value holds: an API that changes
            // something (DeleteInstance) is a call like ACS::ExecuteApi's, never a bare wait.
            if (const Node* api = pr.find("API"); api && api->is_string() && !read_only_api(api->as_string(), service_of(pr)))
                return execute_api(t, id, *action, pr);
            CallDraft d = draft(t, id);
            d.wait_only = true;
            d.wait_at = t.origin;
            out_.push_back(std::move(d));
            return;
        }
        if (la == "acs::template") return nested(t, id, *action, pr);
        if (const OosAction* act = b_.rules().oos_action(a)) return declared_action(*act, t, id, *action, pr, "Properties.");
        if (changes_nothing(la)) return;
        unexpanded(t, id, a, action->origin, "opguard does not expand the OOS action " + a + ": what it calls is not checked");
    }

    bool read_only_api(const std::string& api, const std::string& product) const { return adapters::read_only_api(b_.rules(), api, product); }
    // The product an ACS::ExecuteAPI, CheckFor or WaitFor calls: its Properties.Service.
    static std::string service_of(const Node& props) {
        const Node* s = props.find("Service");
        return s && s->is_string() ? s->as_string() : "";
    }

    // Whether a task only reads: an ACS::ExecuteAPI, CheckFor or WaitFor of a read-only API
    // (the rules' read_only_verbs), an ACS::<Product>::<Api> of one, or an action that calls
    // nothing (ACS::Sleep, ACS::Choice, ...). Anything else may change something.
    bool task_reads_only(const Node& task) const {
        const Node* action = task.find("Action");
        if (!action || !action->is_string()) return false;
        const std::string la = lower(action->as_string());
        if (changes_nothing(la)) return true;
        if (la == "acs::executeapi" || la == "acs::checkfor" || la == "acs::waitfor") {
            const Node* props = task.find("Properties");
            const Node* api = props && props->is_object() ? props->find("API") : nullptr;
            return api && api->is_string() && read_only_api(api->as_string(), service_of(*props));
        }
        const std::string& a = action->as_string();
        const size_t last = a.rfind("::");
        return last != std::string::npos && la.rfind("acs::", 0) == 0 && la.find("::", 5) != std::string::npos &&
               read_only_api(a.substr(last + 2), a.substr(5, last - 5));
    }

    // `empty`: the loop's list is empty, so nothing under it ran; `changes`: its task may
    // change something (not task_reads_only). The rules decide what each case is.
    void loop_note(CallDraft& d, const Node& task, const std::string& name, const std::string& message, Origin at, bool empty = false) {
        d.note("loops", Node::object({{"task", Node::string(name, task.origin)}, {"message", Node::string(message, at)},
                                      {"empty", Node::boolean(empty, at)}, {"changes", Node::boolean(!task_reads_only(task), at)}},
                                     at));
    }

    void tasks(const Node& root, Scope& scope) {
        scope_ = &scope;
        const Node* list = root.find("Tasks");
        if (!list || !list->is_array()) return;
        size_t n = 0;
        for (const Node& t : list->items()) {
            ++n;
            if (!t.is_object()) fail(t.origin, "oos.shape", std::string("a task is a mapping; found ") + kind_name(t.kind()));
            const Node* name = t.find("Name");
            std::string tn = name && name->is_string() ? name->as_string() : "task-" + std::to_string(n);
            std::string id = scope.prefix + tn;
            const Node* loop = t.find("Loop");
            if (!loop) {
                item_ = nullptr;
                task(t, id);
                continue;
            }
            const Node* items = loop->is_object() ? loop->find("Items") : nullptr;
            RValue all = items ? resolve(*items, 0) : unresolved_value("a Loop without Items", loop->origin);
            Origin at = items ? items->origin : loop->origin;
            if (all.is_list && all.items.empty()) {
                // Nothing runs: a placeholder call carries the warning (it has no effects, and
                // only the adapter rules apply to it).
                CallDraft d = draft(t, id + "[]");
                const Node* action = t.find("Action");
                std::string a = action && action->is_string() ? action->as_string() : "(no Action)";
                d.set_header("product", Node::string("oos", at));
                d.set_header("action", Node::string(a, at));
                d.adapter.set("placeholder", Node::boolean(true, at));
                // Loop.Items '{{ desktopIds }}': the parameter that holds the list, for the advice.
                std::string held_by;
                if (items && items->is_string()) {
                    std::string_view v = items->as_string();
                    if (v.starts_with("{{") && v.ends_with("}}")) {
                        v = v.substr(2, v.size() - 4);
                        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
                        while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
                        if (!v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
                            held_by = std::string(v);
                    }
                }
                loop_note(d, t, tn,
                          "task " + tn + " (" + a + ") loops over Loop.Items " + (items ? items->to_text() : std::string()) +
                              ", which is an empty list: it runs nothing, and nothing under it was checked (give the list, for example with " +
                              (held_by.empty() ? std::string("--parameters") : "--parameters '{\"" + held_by + "\": [...]}'") + ")",
                          at, /*empty=*/true);
                out_.push_back(std::move(d));
                continue;
            }
            if (all.is_list) {
                size_t i = 0;
                for (RValue& item : all.items) {
                    item_ = &item;
                    task(t, id + "[" + std::to_string(++i) + "]");
                    scope_ = &scope;
                }
                item_ = nullptr;
                continue;
            }
            // Items that cannot be resolved: the task is checked once, for an unknown item.
            RValue one = all.unresolved ? all : unresolved_value("Loop.Items " + all.value.to_text() + " (not a list)", at);
            std::string why = one.text;
            one.text = "an item of " + one.text;
            item_ = &one;
            size_t before = out_.size();
            task(t, id + "[?]");
            scope_ = &scope;
            item_ = nullptr;
            std::string message = "task " + tn + " loops over " + why +
                                  ", which opguard cannot resolve: it is checked once for an unknown item, and nothing that "
                                  "depends on the items was checked";
            if (out_.size() > before) {
                loop_note(out_[before], t, tn, message, at);
            } else {
                CallDraft d = draft(t, id + "[?]");
                d.set_header("product", Node::string("oos", at));
                d.set_header("action", Node::string(t.find("Action")->to_text(), at));
                d.adapter.set("placeholder", Node::boolean(true, at));
                loop_note(d, t, tn, message, at);
                out_.push_back(std::move(d));
            }
        }
    }

    PlanBuilder& b_;
    const OosInput& in_;
    size_t budget_ = 0, used_ = 0;
    std::set<uint32_t> counted_;  // template files whose size the budget includes
    Scope* scope_ = nullptr;
    const RValue* item_ = nullptr;
    std::vector<CallDraft> out_;
};

}  // namespace

std::vector<std::pair<std::string, Node>> unexpanded_header(const RuleSet& rules, const std::string& action, Origin at) {
    // ACS::ECS::StopInstance => ecs StopInstance; ACS::Foo => oos Foo.
    std::vector<std::string> parts;
    size_t i = 0;
    while (true) {
        size_t j = action.find("::", i);
        parts.push_back(action.substr(i, j == std::string::npos ? std::string::npos : j - i));
        if (j == std::string::npos) break;
        i = j + 2;
    }
    std::string product = parts.size() >= 3 ? lower(parts[1]) : "oos";
    std::string api = parts.back().empty() ? action : parts.back();
    std::vector<std::pair<std::string, Node>> h = {{"product", Node::string(product, at)}, {"action", Node::string(api, at)}};
    std::vector<std::pair<std::string, Node>> versioned = h;
    if (std::string v = default_api_version(rules, product, api); !v.empty()) versioned.emplace_back("version", Node::string(v, at));
    if (find_operation(rules, h) || find_operation(rules, versioned)) h[1].second = Node::string(action, at);
    return h;
}

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

void read_oos_template(const Node& root, PlanBuilder& builder, const OosInput& input) { OosReader(builder, input).run(root); }

}  // namespace opguard::adapters
