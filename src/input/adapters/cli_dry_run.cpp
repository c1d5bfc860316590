#include "input/adapters/cli_dry_run.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

#include "core/diagnostic.hpp"
#include "input/adapters/aliyun_cli.hpp"

namespace opguard::adapters {

namespace {

// "a%2Db+c" => "a-b c": a form body's URL encoding undone (an invalid escape kept as written).
std::string percent_decoded(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out += s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

// The CLI's call context (openapi/call_context.go): added to an RPC query from the environment.
bool call_context_parameter(const std::string& k) { return k == "SourceIp" || k == "SecureTransport"; }

// RPC common parameters: not the API's own (Alibaba Cloud RPC signature v1).
bool common_parameter(const std::string& k) {
    static const char* kCommon[] = {"Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion",
                                    "SignatureNonce", "Signature", "Timestamp", "SignatureType", "SecurityToken"};
    for (const char* c : kCommon)
        if (k == c) return true;
    return false;
}

const Node* string_member(const Node& n, const char* k) {
    const Node* v = n.find(k);
    return v && v->is_string() ? v : nullptr;
}

struct TooDeep {};

Node from_json(const nlohmann::json& j, Origin at, size_t depth = 1) {
    if ((j.is_array() || j.is_object()) && depth > kMaxBodyDepth) throw TooDeep{};
    if (j.is_string()) return Node::string(j.get<std::string>(), at);
    if (j.is_boolean()) return Node::boolean(j.get<bool>(), at);
    if (j.is_number()) return Node::number(j.get<double>(), at);
    if (j.is_array()) {
        Node out = Node::array({}, at);
        for (const auto& x : j) out.items().push_back(from_json(x, at, depth + 1));
        return out;
    }
    if (j.is_object()) {
        Node out = Node::object({}, at);
        for (auto it = j.begin(); it != j.end(); ++it) out.set(it.key(), from_json(it.value(), at, depth + 1));
        return out;
    }
    return Node::null(at);
}

}  // namespace

bool looks_like_dry_run_record(const Node& n, std::string* why) {
    if (!n.is_object()) {
        if (why) *why = std::string("expected a JSON object; found ") + kind_name(n.kind());
        return false;
    }
    const Node* style = string_member(n, "style");
    if (!style) {
        if (why) *why = "has no \"style\" (RPC or ROA)";
        return false;
    }
    if (!string_member(n, "action") && !string_member(n, "pathPattern")) {
        if (why) *why = "has neither \"action\" (RPC) nor \"pathPattern\" (ROA)";
        return false;
    }
    return true;
}

std::pair<std::string, std::string> product_from_endpoint(const std::string& endpoint) {
    std::string host = endpoint;
    if (size_t s = host.find("://"); s != std::string::npos) host = host.substr(s + 3);
    if (size_t s = host.find('/'); s != std::string::npos) host.resize(s);
    if (size_t s = host.rfind('@'); s != std::string::npos) host = host.substr(s + 1);  // user-info
    if (size_t s = host.find(':'); s != std::string::npos) host.resize(s);
    std::vector<std::string> labels;
    size_t b = 0;
    while (true) {
        size_t d = host.find('.', b);
        labels.push_back(host.substr(b, d == std::string::npos ? std::string::npos : d - b));
        if (d == std::string::npos) break;
        b = d + 1;
    }
    if (labels.size() < 3 || labels[labels.size() - 2] != "aliyuncs" || labels.back() != "com") return {"", ""};
    std::string product = labels[0], region;
    if (labels.size() >= 4) region = labels[1];
    else
        for (const char* p : {"-cn-", "-ap-", "-us-", "-eu-", "-me-", "-na-", "-sa-", "-rus-"})
            if (size_t at = product.find(p); at != std::string::npos) {
                region = product.substr(at + 1);
                product.resize(at);
                break;
            }
    for (const char* suffix : {"-vpc", "-share", "-intl"}) {
        std::string s = suffix;
        if (product.size() > s.size() && product.compare(product.size() - s.size(), s.size(), s) == 0) product.resize(product.size() - s.size());
    }
    return {product, region};
}

void read_dry_run_record(const Node& rec, const std::string& id, PlanBuilder& builder, const SourceFile* file) {
    CallDraft d;
    d.id = id;
    d.origin = rec.origin;
    d.repeats = Repeats::ClientRejects;
    d.adapter.set("client", Node::string("aliyun"));
    const Node* endpoint = string_member(rec, "endpoint");
    const Node* action = string_member(rec, "action");
    const Node* version = string_member(rec, "version");
    auto [product, region] = endpoint ? product_from_endpoint(endpoint->as_string()) : std::pair<std::string, std::string>{};
    Origin product_at = endpoint ? endpoint->origin : rec.origin;
    if (product.empty() && action) {
        // No standard endpoint: the product of the only operation in the rules with this
        // action (and this version, when the record has one).
        const Operation* only = nullptr;
        int n = 0;
        for (const auto& op : builder.rules().operations) {
            bool same_action = false, other_version = false;
            for (const auto& [k, v] : op.match) {
                if (k == "action" && v == action->as_string()) same_action = true;
                if (k == "version" && version && v != version->as_string()) other_version = true;
            }
            if (same_action && !other_version) { only = &op; ++n; }
        }
        if (n == 1)
            for (const auto& [k, v] : only->match)
                if (k == "product") product = v;
    }
    d.set_header("product", Node::string(product, product_at));
    if (const Node* pattern = string_member(rec, "pathPattern")) {
        const Node* method = string_member(rec, "method");
        d.set_header("method", method ? *method : Node::string("GET", rec.origin));
        d.set_header("path", *pattern);
    } else {
        if (version) d.set_header("version", *version);
        if (action) d.set_header("action", *action);
    }
    if (!region.empty()) d.adapter.set("region", Node::string(region, product_at));
    if (endpoint) d.adapter.set("flags", Node::object({{"endpoint", *endpoint}}));

    Node call_context = Node::object();
    bool has_region_id = false;
    auto add = [&](const std::string& k, const Node& v, const std::string& where) {
        if (common_parameter(k)) return;
        if (where == "query" && call_context_parameter(k)) { call_context.set(k, v); return; }
        if (k == "RegionId") {
            has_region_id = true;
            if (!d.adapter.find("region") && v.is_string()) d.adapter.set("region", v);  // empty endpoint: the query's
        }
        RawParam p;
        p.name = k;
        p.value = v;
        p.flag = where + "." + k;
        p.flag_at = v.origin;
        d.params.push_back(std::move(p));
    };
    for (const char* part : {"pathParams", "query"})
        if (const Node* q = rec.find(part); q && q->is_object())
            for (const auto& [k, v] : q->members()) add(k, v, part);
    // Form parameters are printed as one JSON string (json.Marshal of the form map). A body
    // given as an object, as URL-encoded text (a=1&b=2) or as a JSON object in a raw string is
    // read the same way; any other body is said not to be read (its parameters may be any):
    // never dropped.
    if (const Node* body = rec.find("body"); body && !body->is_null() && !(body->is_string() && body->as_string().empty())) {
        if (body->is_object()) {
            for (const auto& [k, v] : body->members()) add(k, v, "body");
        } else if (body->is_string()) {
            nlohmann::json j = nlohmann::json::parse(body->as_string(), nullptr, false);
            try {
                if (j.is_object())
                    for (auto it = j.begin(); it != j.end(); ++it) add(it.key(), from_json(it.value(), body->origin), "body");
            } catch (const TooDeep&) {
                throw InputError(file ? file->path() : std::string(), file ? file->position(body->origin.offset) : Position{},
                                 "plan.dry-run-depth",
                                 "the body of this record nests more than " + std::to_string(kMaxBodyDepth) +
                                     " levels deep: opguard reads at most " + std::to_string(kMaxBodyDepth) + " levels");
            }
            const std::string& text = body->as_string();
            const bool form = !j.is_object() && text.find('=') != std::string::npos &&
                              text.find_first_of(" \t\n{}[]\"") == std::string::npos;
            if (form) {
                for (size_t b = 0; b <= text.size();) {
                    const size_t e = std::min(text.find('&', b), text.size());
                    const std::string pair = text.substr(b, e - b);
                    const size_t eq = pair.find('=');
                    if (eq != std::string::npos && eq > 0)
                        add(percent_decoded(pair.substr(0, eq)), Node::string(percent_decoded(pair.substr(eq + 1)), body->origin), "body");
                    b = e + 1;
                }
            } else if (!j.is_object()) {
                d.unseen_arguments("body", "a request body in a form opguard does not read", body->origin, {"plan.missing-parameter"});
            }
        } else {
            d.unseen_arguments("body", "a request body in a form opguard does not read", body->origin, {"plan.missing-parameter"});
        }
    }
    if (!call_context.members().empty()) d.adapter.set("call_context", std::move(call_context));
    // The RegionId the SDK adds when it signs: the endpoint's region (see the header).
    const Operation* op = find_operation(builder.rules(), d.header);
    if (!has_region_id && op && op->param("RegionId") && !string_member(rec, "pathPattern")) {
        RawParam p;
        p.name = "RegionId";
        p.flag = "the endpoint's region";
        if (!region.empty()) {
            p.value = Node::string(region, product_at);
            p.flag_at = product_at;
        } else {
            p.value = Node::string("<profile region>", product_at);
            p.flag_at = product_at;
            p.unresolved = true;
            p.text = "the profile's region (no RegionId in the query and no region in the endpoint)";
        }
        d.params.push_back(std::move(p));
    }
    builder.add(std::move(d));
}

bool split_json_values(std::string_view t, std::vector<std::pair<size_t, size_t>>& out, size_t& stray) {
    size_t i = 0;
    while (true) {
        while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
        if (i >= t.size()) return true;
        if (t[i] != '{' && t[i] != '[') { stray = i; return false; }
        size_t b = i;
        int depth = 0;
        bool in_string = false;
        for (; i < t.size(); ++i) {
            char c = t[i];
            if (in_string) {
                if (c == '\\') ++i;
                else if (c == '"') in_string = false;
                continue;
            }
            if (c == '"') in_string = true;
            else if (c == '{' || c == '[') ++depth;
            else if ((c == '}' || c == ']') && --depth == 0) { ++i; break; }
        }
        if (depth != 0) { stray = b; return false; }
        out.emplace_back(b, i);
    }
}

}  // namespace opguard::adapters
