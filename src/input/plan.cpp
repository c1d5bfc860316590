#include "input/plan.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/diagnostic.hpp"
#include "input/json_reader.hpp"

namespace opguard {

namespace {

const std::vector<std::string> kCallKeys = {"id", "product", "version", "action", "parameters", "cloud", "service",
                                            "method", "path", "path_params", "query", "body", "waivers", "wait"};
const std::vector<std::string> kHeaderKeys = {"product", "version", "action", "cloud", "service", "method", "path"};

class PlanReader {
public:
    PlanReader(const SourceRegistry& s, uint32_t fid, const RuleSet& r)
        : sources_(s), file_(s.file(fid)), fid_(fid), rules_(r), secrets_(secret_names(r)) {}

    [[noreturn]] void fail(const Node& at, const std::string& id, const std::string& msg, const std::string& ptr) const {
        throw InputError(file_.path(), file_.position(at.origin.offset), id, msg, ptr);
    }

    static bool is_index(std::string_view s) {
        return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    }

    // "DesktopId.2" and "Tag.1.Key" => lists ordered by index.
    Node normalise(const Node& params, const std::string& call_ptr, const std::map<std::string, std::string>& part_of) const {
        auto where = [&](const std::string& key) {
            auto it = part_of.find(key);
            return call_ptr + "/" + (it == part_of.end() ? std::string("parameters") : it->second) + "/" + pointer_token(key);
        };
        // Look-ups by name go through hash maps: a call may have a million parameters
        // (DesktopId.1 ... DesktopId.1000000), and Node::find is a linear scan.
        std::unordered_map<std::string, Node> out;
        struct Repeated { std::map<long, Node> items; Origin origin; };
        std::map<std::string, Repeated> repeated;
        std::vector<std::string> order;
        std::unordered_set<std::string> ordered_names;
        for (const auto& [name, value] : params.members()) {
            const std::string& key = name;
            size_t dot = key.find('.');
            if (dot != std::string::npos) {
                std::string base = key.substr(0, dot);
                std::string rest = key.substr(dot + 1);
                size_t dot2 = rest.find('.');
                std::string idx = rest.substr(0, dot2);
                if (!base.empty() && is_index(idx)) {
                    long n = std::stol(idx);
                    auto& r = repeated[base];
                    if (r.items.empty() && ordered_names.insert(base).second) { order.push_back(base); r.origin = value.origin; }
                    if (dot2 == std::string::npos) {
                        if (r.items.count(n)) fail(value, "plan.param-conflict", "parameter " + key + " is given twice", where(key));
                        r.items[n] = value;
                    } else {
                        auto given = r.items.find(n);
                        if (given != r.items.end() && !given->second.is_object())
                            fail(value, "plan.param-conflict",
                                 "parameter " + key + " conflicts with " + base + "." + idx + ", given as a value before it",
                                 where(key));
                        Node& obj = r.items[n];
                        if (!obj.is_object()) obj = Node::object({}, value.origin);
                        obj.set(rest.substr(dot2 + 1), value);
                    }
                    continue;
                }
            }
            if (!out.emplace(key, value).second) fail(value, "plan.param-conflict", "parameter " + key + " is given twice", where(key));
            if (ordered_names.insert(key).second) order.push_back(key);
        }
        for (auto& [base, r] : repeated) {
            if (auto given = out.find(base); given != out.end())
                fail(given->second, "plan.param-conflict",
                     "parameter " + base + " is given both as a list and in wire form (" + base + ".N)", where(base));
            std::vector<Node> items;
            for (auto& [n, v] : r.items) items.push_back(std::move(v));
            out.emplace(base, Node::array(std::move(items), r.origin));
        }
        // Keep the order the user wrote them in, for stable output.
        std::vector<Node::Member> ordered;
        ordered.reserve(order.size());
        for (const auto& k : order)
            if (auto v = out.find(k); v != out.end()) ordered.emplace_back(k, std::move(v->second));
        return Node::object(std::move(ordered), params.origin);
    }

    // The operation a call's header names. An RPC call without "version" (an SDK client
    // carries it, so plans written from SDK code often leave it out) names the operation
    // when exactly one version of product+action is modeled; with several, none (the call is
    // unmodeled, and plan.unmodeled-call says the version is missing).
    const Operation* resolve(Node& header) const {
        if (const Operation* op = match(header, false)) return op;
        if (header.find("version") || !header.find("action")) return nullptr;
        std::vector<Node> versions;
        const Operation* op = match(header, true, &versions);
        const Origin at = header.find("action")->origin;
        if (op)
            header.set("version", versions.at(0));
        else if (versions.size() > 1)  // for plan.unmodeled-call's message
            header.set("modeled_versions", Node::array(std::move(versions), at));
        return op;
    }

    // `any_version`: a match key "version" is not compared; then only a unique operation counts.
    // `versions` gets the version of each operation that matches.
    const Operation* match(const Node& header, bool any_version, std::vector<Node>* versions = nullptr) const {
        const Operation* found = nullptr;
        int matched = 0;
        for (const auto& op : rules_.operations) {
            bool ok = true;
            for (const auto& [k, v] : op.match) {
                if (any_version && k == "version") continue;
                const Node* h = header.find(k);
                if (!h || !h->is_string()) { ok = false; break; }
                // Products and clouds are case-insensitive in the CLIs (ecs / Ecs).
                std::string a = h->as_string(), b = v;
                if (k == "product" || k == "cloud" || k == "service" || k == "method") {
                    for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                    for (auto& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
                if (a != b) { ok = false; break; }
            }
            if (!ok) continue;
            if (!any_version) return &op;
            found = &op;
            ++matched;
            if (versions)
                for (const auto& [k, v] : op.match)
                    if (k == "version") versions->push_back(Node::string(v, header.find("action")->origin));
        }
        return matched == 1 ? found : nullptr;  // several versions are modeled: which one is meant is not known
    }

    bool is_secret(const std::string& name) const {
        auto it = memo_.find(name);
        if (it == memo_.end()) it = memo_.emplace(name, secrets_.is_secret(name)).first;
        return it->second;
    }

    // Secret values keep their shape (blank_secret: a list stays a list for type checks);
    // every other value is still searched (nested secrets, a URL's user-info).
    void redact(Node& n, Call& call, const std::string& name) const {
        if (!name.empty() && is_secret(name)) {
            call.secret_names.push_back(name);
            blank_secret(n);
            return;
        }
        if (n.is_object()) for (auto& [k, v] : n.members()) redact(v, call, k);
        else if (n.is_array()) for (auto& v : n.items()) redact(v, call, name);
        else if (n.is_string()) redact_tree(n, secrets_);
    }

    // Reports, waivers and explanations name calls and wait steps by id: two entries with one
    // id would be told apart nowhere, so the second is an input error (plan.duplicate-id),
    // whether its id was written or is the default one (call-N, wait-N) for an entry without.
    struct IdClaim {
        size_t entry;
        Origin at;
        bool written;
    };
    using IdClaims = std::unordered_map<std::string, IdClaim>;
    void claim(IdClaims& ids, const std::string& id, const Node& entry, size_t i) const {
        const Node* written = entry.find("id");
        auto [it, fresh] = ids.try_emplace(id, IdClaim{i, written ? written->origin : entry.origin, written != nullptr});
        if (fresh) return;
        const IdClaim& first = it->second;
        const Position at = file_.position(first.at.offset);
        const std::string first_entry = "/calls/" + std::to_string(first.entry);
        std::string msg = written ? "id '" + id + "' is already the id of " : "this entry has no id, and its default id '" + id + "' is already the id of ";
        msg += first_entry + " (line " + std::to_string(at.line) + ", column " + std::to_string(at.column) +
               (first.written ? ")" : ", by default: it has no id)") +
               "; reports and waivers name calls and wait steps by id, so each needs its own";
        fail(written ? *written : entry, "plan.duplicate-id", msg, "/calls/" + std::to_string(i) + (written ? "/id" : ""));
    }

    Plan read(const Node& root) const {
        Plan plan;
        plan.file = fid_;
        if (!root.is_object()) fail(root, "plan.shape", std::string("a plan is a JSON object {\"calls\": [...]}; found ") + kind_name(root.kind()), "");
        for (const auto& [k, v] : root.members()) {
            if (k != "calls" && k != "$schema" && k != "description")
                fail(v, "plan.unknown-key", "unknown key '" + k + "' in the plan; expected calls, description or $schema", "/" + pointer_token(k));
            if (k != "calls" && !v.is_string())
                fail(v, "plan.shape", "\"" + k + "\" must be a string; found " + kind_name(v.kind()), "/" + pointer_token(k));
        }
        const Node* calls = root.find("calls");
        if (!calls) fail(root, "plan.shape", "the plan has no \"calls\" list", "");
        if (!calls->is_array()) fail(*calls, "plan.shape", std::string("\"calls\" must be a list; found ") + kind_name(calls->kind()), "/calls");
        IdClaims ids;
        for (size_t i = 0; i < calls->items().size(); ++i) {
            const Node& c = calls->items()[i];
            std::string ptr = "/calls/" + std::to_string(i);
            if (!c.is_object()) fail(c, "plan.shape", std::string("a call is an object; found ") + kind_name(c.kind()), ptr);
            const Node* wait = c.find("wait");
            if (wait && !wait->is_bool())
                fail(*wait, "plan.shape", std::string("\"wait\" must be true or false; found ") + kind_name(wait->kind()), ptr + "/wait");
            bool names_api = std::any_of(kHeaderKeys.begin(), kHeaderKeys.end(), [&](const std::string& k) { return c.find(k) != nullptr; });
            if (wait && wait->as_bool() && !names_api) {
                // A wait step: {"id": ..., "wait": true} and nothing else.
                for (const auto& [k, v] : c.members())
                    if (k != "id" && k != "wait")
                        fail(v, "plan.unknown-key", "unknown key '" + k + "' in a wait step; a wait step has only id and wait (a call names its API)", ptr + "/" + pointer_token(k));
                WaitStep w;
                w.origin = c.origin;
                w.id = "wait-" + std::to_string(i + 1);
                if (const Node* id = c.find("id")) {
                    if (!id->is_string()) fail(*id, "plan.shape", "\"id\" must be a string; found " + std::string(kind_name(id->kind())), ptr + "/id");
                    if (id->as_string().empty()) fail(*id, "plan.shape", "\"id\" must name the step; it is empty (leave it out for wait-N)", ptr + "/id");
                    w.id = id->as_string();
                }
                claim(ids, w.id, c, i);
                w.after = plan.calls.size();
                plan.waits.push_back(std::move(w));
                continue;
            }
            Call call;
            call.index = plan.calls.size();
            call.entry = i;
            call.origin = c.origin;
            call.id = "call-" + std::to_string(i + 1);
            if (wait) { call.wait = wait->as_bool(); call.wait_at = wait->origin; }
            Node header = Node::object({}, c.origin);
            for (const auto& [k, v] : c.members()) {
                if (std::find(kCallKeys.begin(), kCallKeys.end(), k) == kCallKeys.end()) {
                    std::string list;
                    for (const auto& x : kCallKeys) list += (list.empty() ? "" : ", ") + x;
                    fail(v, "plan.unknown-key", "unknown key '" + k + "' in a call; expected one of: " + list, ptr + "/" + pointer_token(k));
                }
                bool header_key = std::find(kHeaderKeys.begin(), kHeaderKeys.end(), k) != kHeaderKeys.end();
                if ((header_key || k == "id") && !v.is_string())
                    fail(v, "plan.shape", "\"" + k + "\" must be a string; found " + kind_name(v.kind()), ptr + "/" + pointer_token(k));
                if ((header_key || k == "id") && v.as_string().empty())
                    fail(v, "plan.shape", "\"" + k + "\" is empty" + (k == "id" ? "; leave it out for call-N" : ": a call names its API"),
                         ptr + "/" + pointer_token(k));
                if (k == "id") { call.id = v.as_string(); continue; }
                if (k == "waivers") { call.waivers = v; continue; }  // checked by engine/waivers.cpp
                if (k == "wait") continue;
                if (header_key) header.set(k, v);
            }
            claim(ids, call.id, c, i);
            bool rpc = c.find("action");
            bool rest = c.find("path") || c.find("method");
            if (!rpc && !rest)
                fail(c, "plan.shape", "a call names its API: product, version and action (RPC), or cloud, service, method and path (REST)", ptr);
            // One or the other: an RPC product beside a REST cloud, service, method or path
            // leaves which API is meant open. (A REST call may carry its operation's name as
            // "action", as the CLI readers record it.)
            const char* rpc_key = c.find("product") ? "product" : c.find("version") ? "version" : nullptr;
            const char* rest_key = c.find("cloud") ? "cloud" : c.find("service") ? "service" : c.find("method") ? "method" : c.find("path") ? "path" : nullptr;
            if (rpc_key && rest_key)
                fail(*c.find(rest_key), "plan.shape",
                     std::string("\"") + rest_key + "\" (a REST call's) beside \"" + rpc_key +
                         "\" (an RPC call's): a call names its API one way, product, version and action, or cloud, service, method and path",
                     ptr + "/" + rest_key);
            Node params = Node::object({}, c.origin);
            std::map<std::string, std::string> part_of;  // parameter => the plan key it came from
            for (const char* part : {"path_params", "query", "parameters", "body"}) {
                const Node* p = c.find(part);
                if (!p) continue;
                if (!p->is_object())
                    fail(*p, "plan.shape", std::string("\"") + part + "\" must be an object; found " + kind_name(p->kind()), ptr + "/" + part);
                if (params.members().empty()) params.origin = p->origin;
                for (const auto& [k, v] : p->members()) {
                    if (!part_of.emplace(k, part).second)  // (a map: Node::find would make this quadratic)
                        fail(v, "plan.param-conflict", "parameter " + k + " is given twice", ptr + "/" + part + "/" + pointer_token(k));
                    params.members().emplace_back(k, v);
                }
            }
            call.parameters = normalise(params, ptr, part_of);
            call.operation = resolve(header);
            redact(call.parameters, call, "");
            call.record = header;
            call.record.set("id", Node::string(call.id, c.find("id") ? c.find("id")->origin : c.origin));
            call.record.set("index", Node::number(static_cast<double>(call.index)));
            call.record.set("operation", call.operation ? Node::string(call.operation->name, c.origin) : Node::null(c.origin));
            call.record.set("parameters", call.parameters);
            call.record.origin = c.origin;
            plan.calls.push_back(std::move(call));
        }
        return plan;
    }

private:
    const SourceRegistry& sources_;
    const SourceFile& file_;
    uint32_t fid_;
    const RuleSet& rules_;
    SecretNames secrets_;
    mutable std::unordered_map<std::string, bool> memo_;  // names repeat from call to call
};

}  // namespace

Plan plan_from_node(const SourceRegistry& sources, uint32_t file_id, const Node& root, const RuleSet& rules) {
    return PlanReader(sources, file_id, rules).read(root);
}

SecretNames secret_names(const RuleSet& rules) {
    SecretNames names;
    if (auto s = rules.sets.find("secret_parameters"); s != rules.sets.end())
        for (const auto& v : s->second.values.items())
            if (v.is_string()) names.add(v.as_string());
    for (const auto& op : rules.operations)
        for (const auto& p : op.params)
            if (p.secret) names.add(p.name);
    return names;
}

bool is_secret_parameter(std::string_view name, const RuleSet& rules) { return secret_names(rules).is_secret(name); }

Node read_plan_json(const SourceRegistry& sources, uint32_t file_id, const RuleSet& rules) {
    const SecretNames names = secret_names(rules);
    Node root;
    try {
        root = read_json(sources, file_id);
    } catch (const InputError& e) {
        // read_json hides what it found beside a built-in secret name; names the rules add
        // are known only here. Say where and what kind of error it is, not what was found.
        const std::string& id = e.id();
        if (id != "json.syntax" && id != "json.number" && id != "json.utf8") throw;
        const std::string& ptr = e.pointer();
        for (size_t at = 0; at < ptr.size();) {
            size_t next = ptr.find('/', at + 1);
            std::string_view token = std::string_view(ptr).substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
            if (names.is_secret(token)) {
                const char* what = id == "json.number" ? "a malformed number" : id == "json.utf8" ? "invalid UTF-8" : "a JSON syntax error";
                throw InputError(e.file(), e.position(), id,
                                 "found " + std::string(what) + " in the value of secret parameter " + std::string(token) +
                                     " (not shown: it is a secret): expected valid JSON",
                                 ptr);
            }
            if (next == std::string::npos) break;
            at = next;
        }
        const SourceFile& f = sources.file(file_id);
        if (auto off = f.line_offset(e.position().line);
            off && excerpt_near_secret(ptr, f.text(), size_t{*off} + e.position().column - 1, names))
            throw InputError(e.file(), e.position(), id, hide_found_excerpt(e.message()), ptr);
        throw;
    }
    redact_tree(root, names);
    return root;
}

Plan load_plan(SourceRegistry& sources, const std::string& path, const RuleSet& rules, const PlanOptions& options) {
    uint32_t fid = sources.add(path, map_or_read_file(path, options.max_file_bytes));
    Node root = read_plan_json(sources, fid, rules);
    return plan_from_node(sources, fid, root, rules);
}

}  // namespace opguard
