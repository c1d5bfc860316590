#include "input/adapters/aliyun_cli.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "input/adapters/cli_args.hpp"

namespace opguard::adapters {

namespace {

struct KnownFlag {
    const char* name;
    FlagMode mode;
};

// aliyun-cli openapi/flags.go, pager.go, waiter.go, output_filter.go, config/flags.go, cli_dry_run.go.
constexpr KnownFlag kFlags[] = {
    {"force", FlagMode::None},           {"dryrun", FlagMode::None},          {"quiet", FlagMode::None},
    {"secure", FlagMode::None},          {"insecure", FlagMode::None},        {"cli-dry-run", FlagMode::None},
    {"cli-dry-run-json", FlagMode::None}, {"estimate-cost", FlagMode::None},  {"yes", FlagMode::None},
    {"cli-ai-mode", FlagMode::None},     {"no-cli-ai-mode", FlagMode::None},  {"skip-secure-verify", FlagMode::None},
    {"help", FlagMode::None},
    {"pager", FlagMode::Repeatable},     {"all-pages", FlagMode::Repeatable}, {"waiter", FlagMode::Repeatable},
    {"output", FlagMode::Repeatable},    {"header", FlagMode::Repeatable},    {"estimate-cost-context", FlagMode::Repeatable},
    {"profile", FlagMode::Once},         {"region", FlagMode::Once},          {"RegionId", FlagMode::Once},
    {"endpoint", FlagMode::Once},        {"endpoint-type", FlagMode::Once},   {"version", FlagMode::Once},
    {"api-version", FlagMode::Once},     {"body", FlagMode::Once},            {"body-file", FlagMode::Once},
    {"accept", FlagMode::Once},          {"roa", FlagMode::Once},             {"method", FlagMode::Once},
    {"mode", FlagMode::Once},            {"access-key-id", FlagMode::Once},   {"access-key-secret", FlagMode::Once},
    {"sts-token", FlagMode::Once},       {"sts-region", FlagMode::Once},      {"ram-role-name", FlagMode::Once},
    {"ram-role-arn", FlagMode::Once},    {"role-session-name", FlagMode::Once}, {"external-id", FlagMode::Once},
    {"source-profile", FlagMode::Once},  {"private-key", FlagMode::Once},     {"key-pair-name", FlagMode::Once},
    {"oidc-provider-arn", FlagMode::Once}, {"oidc-token-file", FlagMode::Once}, {"bearer-token", FlagMode::Once},
    {"language", FlagMode::Once},        {"read-timeout", FlagMode::Once},    {"retry-timeout", FlagMode::Once},
    {"connect-timeout", FlagMode::Once}, {"retry-count", FlagMode::Once},     {"config-path", FlagMode::Once},
    {"cli-query", FlagMode::Once},       {"log-level", FlagMode::Once},       {"log_level", FlagMode::Once},
    {"user-agent", FlagMode::Once},      {"expired-seconds", FlagMode::Once}, {"process-command", FlagMode::Once},
    {"credentials-uri", FlagMode::Once},
};

const char* shorthand_name(char c) {
    switch (c) {
        case 'p': return "profile";
        case 'e': return "endpoint";
        case 'o': return "output";
        case 'q': return "quiet";
        case 'y': return "yes";
        case 'h': return "help";
        default: return nullptr;
    }
}

const KnownFlag* known(const std::string& name) {
    for (const auto& f : kFlags)
        if (name == f.name) return &f;
    return nullptr;
}

bool secret_flag(const std::string& n) {
    return n == "access-key-id" || n == "access-key-secret" || n == "sts-token" || n == "bearer-token" || n == "private-key";
}

bool dry_run_flag(const std::string& n) {
    return n == "dryrun" || n == "cli-dry-run" || n == "cli-dry-run-json" || n == "estimate-cost" || n == "help";
}

bool is_http_method(const std::string& s) { return s == "GET" || s == "POST" || s == "PUT" || s == "DELETE"; }

bool all_lower(const std::string& s) {
    return std::none_of(s.begin(), s.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
}

// The client's name in rule files (`client aliyun`, `product aliyun.ecd`, `cli_api aliyun.ecs.X`).
constexpr const char* kClient = "aliyun";

// Sub-commands of the CLI that call no cloud API (rule files: client aliyun, local_commands).
bool not_an_api(const RuleSet& rules, const std::string& product) {
    const Client* c = rules.client(kClient);
    return c && std::find(c->local_commands.begin(), c->local_commands.end(), product) != c->local_commands.end();
}

// Products the aliyun CLI embeds no API metadata for (rule files: product aliyun.X with
// api_metadata = false): its classic form needs --force.
bool no_embedded_apis(const RuleSet& rules, const std::string& product) {
    const ClientProduct* p = rules.product(kClient, product);
    return p && !p->api_metadata;
}

// APIs whose metadata the aliyun CLI embeds (rule files: cli_api aliyun.PRODUCT.API): without
// --force the classic form accepts only their parameter flags (openapi/rpc.go
// RpcInvoker.Prepare, meta/api.go FindParameter: the exact name, or <Name>.<anything> for a
// RepeatList). APIs without such an item are not checked.
bool embedded_accepts(const ClientApi& a, const std::string& name) {
    if (std::find(a.params.begin(), a.params.end(), name) != a.params.end()) return true;
    return std::any_of(a.repeat_lists.begin(), a.repeat_lists.end(),
                       [&](const std::string& l) { return name.size() > l.size() && name.compare(0, l.size() + 1, l + ".") == 0; });
}
std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
    return out;
}

// "RebuildDesktops" => "rebuild-desktops".
std::string pascal_to_kebab(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (std::isupper(static_cast<unsigned char>(c))) {
            if (i > 0) out.push_back('-');
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// The part of a flag's name written before its first expansion ("DesktopId." of --DesktopId.$i).
std::string name_before_expansion(const ShellWord& w) {
    std::string s = text_before_expansion(w);
    size_t dashes = 0;
    while (dashes < s.size() && dashes < 2 && s[dashes] == '-') ++dashes;
    return s.substr(dashes);
}

// Offsets of a word part's characters, for parsing inside a value.
std::vector<uint32_t> part_offsets(const WordPart& p) {
    std::vector<uint32_t> out;
    if (!p.word) return out;
    for (size_t i = p.pos; i < p.word->text.size(); ++i) out.push_back(p.word->offset_of(i));
    return out;
}

}  // namespace

std::string kebab_to_pascal(std::string_view s) {
    std::string out;
    bool up = true;
    for (char c : s) {
        if (c == '-' || c == '_') { up = true; continue; }
        out.push_back(up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
        up = false;
    }
    return out;
}

std::string default_api_version(const RuleSet& rules, const std::string& product, const std::string& action) {
    // The CLI's product metadata (rule files: product aliyun.X, version).
    if (const ClientProduct* p = rules.product(kClient, product); p && !p->version.empty()) return p->version;
    std::string found;
    for (const auto& op : rules.operations) {
        std::string p, a, v;
        for (const auto& [k, val] : op.match) {
            if (k == "product") p = val;
            if (k == "action") a = val;
            if (k == "version") v = val;
        }
        if (lower(p) != lower(product) || a != action || v.empty()) continue;
        if (!found.empty() && found != v) return "";  // several versions: the CLI's default is not known here
        found = v;
    }
    return found;
}

std::optional<Node> parse_json_list(const std::string& t, const std::vector<uint32_t>& offsets, uint32_t file) {
    size_t i = 0;
    auto at = [&](size_t k) { return Origin{file, k < offsets.size() ? offsets[k] : (offsets.empty() ? 0 : offsets.back())}; };
    auto ws = [&] { while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i; };
    ws();
    if (i >= t.size() || t[i] != '[') return std::nullopt;
    Node list = Node::array({}, at(i));
    ++i;
    ws();
    if (i < t.size() && t[i] == ']') { ++i; ws(); return i == t.size() ? std::optional<Node>(list) : std::nullopt; }
    while (true) {
        ws();
        if (i >= t.size()) return std::nullopt;
        size_t start = i;
        if (t[i] == '"') {
            std::string s;
            ++i;
            while (i < t.size() && t[i] != '"') {
                if (t[i] == '\\' && i + 1 < t.size()) {
                    char e = t[i + 1];
                    s.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
                    i += 2;
                    continue;
                }
                s.push_back(t[i++]);
            }
            if (i >= t.size()) return std::nullopt;
            ++i;
            list.items().push_back(Node::string(s, at(start)));
        } else {
            while (i < t.size() && t[i] != ',' && t[i] != ']' && !std::isspace(static_cast<unsigned char>(t[i]))) ++i;
            std::string lit = t.substr(start, i - start);
            if (lit == "true" || lit == "false") list.items().push_back(Node::boolean(lit == "true", at(start)));
            else if (lit == "null") list.items().push_back(Node::null(at(start)));
            else {
                char* end = nullptr;
                double d = std::strtod(lit.c_str(), &end);
                if (lit.empty() || end != lit.c_str() + lit.size()) return std::nullopt;
                list.items().push_back(Node::number(d, at(start)));
            }
        }
        ws();
        if (i < t.size() && t[i] == ',') { ++i; continue; }
        if (i < t.size() && t[i] == ']') { ++i; break; }
        return std::nullopt;
    }
    ws();
    if (i != t.size()) return std::nullopt;
    return list;
}

std::optional<CallDraft> read_aliyun_command(const ShellCommand& cmd, const ScriptContext& ctx, const std::string& id,
                                             const ShellWord** unknown_api) {
    const auto& words = cmd.words;
    const uint32_t file = ctx.file;
    CliArgs args = parse_cli_args(words, 1, "=:", [](const std::string& name, bool shorthand) {
        const char* n = shorthand && name.size() == 1 ? shorthand_name(name[0]) : name.c_str();
        const KnownFlag* k = n ? known(n) : nullptr;
        return k ? k->mode : FlagMode::Once;
    });
    if (args.positionals.size() < 2) {
        // `aliyun ecd` is help for a product; `aliyun $ARGS` may be any call.
        if (unknown_api) *unknown_api = first_unresolved(args.positionals);
        return std::nullopt;
    }
    if (not_an_api(*ctx.rules, args.positionals[0]->text)) return std::nullopt;

    CallDraft d;
    d.id = id;
    d.origin = Origin{file, words[0].begin};
    const ShellWord& product = *args.positionals[0];
    const ShellWord& api = *args.positionals[1];
    const bool roa = is_http_method(api.text);
    const bool plugin = !roa && all_lower(api.text);
    d.repeats = plugin ? Repeats::ClientAccepts : Repeats::ClientRejects;
    d.adapter.set("client", Node::string(plugin ? "aliyun-plugin" : "aliyun"));

    auto word_node = [&](const ShellWord& w, const std::string& text) { return located(text, file, w.begin); };
    d.set_header("product", word_node(product, product.text));
    if (cmd.unterminated) d.usage_error("", unterminated_quote_message(cmd), Origin{file, *cmd.unterminated}, true);
    if (product.unresolved()) d.unresolved("(product)", "the product", written(ctx.text, product), Origin{file, product.begin});
    std::string action;
    if (roa) {
        d.set_header("method", word_node(api, api.text));
        const ShellWord* path = args.positionals.size() > 2 ? args.positionals[2] : nullptr;
        d.set_header("path", path ? word_node(*path, path->text) : word_node(api, ""));
    } else {
        action = plugin ? kebab_to_pascal(api.text) : api.text;
        if (api.unresolved()) d.unresolved("(action)", "the API name", written(ctx.text, api), Origin{file, api.begin});
    }

    // The API version first (--version, or --api-version in the plugin form), so that the
    // operation is known while the flags are sorted.
    std::optional<WordPart> version;
    for (const CliFlag& f : args.flags)
        if (!f.name_unresolved && !f.missing_value && !f.values.empty() && (f.name == "version" || f.name == "api-version") && !version)
            version = f.values[0];
    if (!roa) {
        std::string v;
        Origin vat{file, api.begin};
        if (version) { v = version->text(); vat = Origin{file, version->offset()}; }
        else v = default_api_version(*ctx.rules, product.text, action);
        if (!v.empty()) d.set_header("version", Node::string(v, vat));
        d.set_header("action", word_node(api, action));
    }
    const Operation* op = find_operation(*ctx.rules, d.header);
    auto declared_kebab = [&](const std::string& name) {
        if (!op) return false;
        std::string pascal = lower(kebab_to_pascal(name));
        for (const auto& spec : op->params)
            if (lower(spec.name) == pascal) return true;
        return false;
    };

    // The caller's own flags; the rest are the API's parameters.
    std::optional<WordPart> region, region_id;
    std::string region_spelled, region_id_spelled;
    uint32_t region_at = 0, region_id_at = 0;
    Node flags = Node::object();
    std::set<std::string> seen_known;
    std::vector<const CliFlag*> api_flags, unresolved_names;
    for (const CliFlag& f : args.flags) {
        if (f.name_unresolved) { unresolved_names.push_back(&f); continue; }
        std::string name = f.name.size() == 1 && shorthand_name(f.name[0]) ? shorthand_name(f.name[0]) : f.name;
        const KnownFlag* k = known(name);
        // In the plugin form a kebab-case API parameter may share a CLI flag's name
        // (--language is RebuildDesktops' Language): the operation's parameter wins.
        if (k && plugin && name.size() > 1 && declared_kebab(name)) k = nullptr;
        if (!k) { api_flags.push_back(&f); continue; }
        Origin at{file, f.at};
        if (k->mode != FlagMode::Repeatable && !seen_known.insert(name).second) {
            d.note(plugin ? "repeated" : "duplicates",
                   Node::object({{"param", Node::string("", at)}, {"flag", Node::string(f.spelled, at)}}, at));
            continue;
        }
        if (dry_run_flag(name)) d.dry_run(f.spelled, at);
        if (f.missing_value) continue;
        // --waiter expr=<JMESPath> to=<value>: the CLI sends the same request again until the
        // expression on its answer reaches the value (openapi/waiter.go Waiter.CallWith). On a
        // call that only reads (a Describe polled for a status) the client waits there. On a
        // call that changes something it waits for nothing the call starts, and each request
        // sent again is a new call: noted for the rule plan.waiter-repeats-call, not a wait.
        if (name == "waiter" && !f.values.empty()) {
            const bool reads = op ? op->read_only
                             : roa ? read_only_method(*ctx.rules, api.text) : read_only_api(*ctx.rules, action, product.text);
            if (reads) {
                d.wait = true;
                d.wait_at = at;
            } else {
                std::string text;
                for (const auto& v : f.values) text += (text.empty() ? "" : " ") + v.text();
                d.note("waiter", Node::object({{"flag", Node::string(f.spelled, at)}, {"text", Node::string(text, at)},
                                               {"api", Node::string(roa ? api.text : action, at)}}, at));
            }
        }
        if (name == "region") { region = f.values.at(0); region_spelled = f.spelled; region_at = f.at; continue; }
        if (name == "RegionId") { region_id = f.values.at(0); region_id_spelled = f.spelled; region_id_at = f.at; continue; }
        if (name == "version" || name == "api-version") continue;
        if (secret_flag(name)) { flags.set(name, Node::string("[redacted]", at)); continue; }
        if (f.values.empty()) flags.set(name, Node::boolean(true, at));
        else if (k->mode == FlagMode::Repeatable) {
            Node list = Node::array({}, at);
            for (const auto& v : f.values) list.items().push_back(located(v.text(), file, v.offset()));
            flags.set(name, std::move(list));
        } else {
            flags.set(name, located(f.values[0].text(), file, f.values[0].offset()));
        }
    }

    // The call's region: --region wins over --RegionId (classic form).
    const WordPart* where = region ? &*region : (!plugin && region_id ? &*region_id : nullptr);
    if (where) d.adapter.set("region", located(where->text(), file, where->offset()));
    if (!plugin && !roa && (!op || op->param("RegionId"))) {
        if (where) {
            RawParam p;
            p.name = "RegionId";
            p.value = located(where->text(), file, where->offset());
            p.flag = region ? region_spelled : region_id_spelled;
            p.flag_at = Origin{file, region ? region_at : region_id_at};
            if (where->unresolved()) { p.unresolved = true; p.text = where->written(ctx.text); }
            d.params.push_back(std::move(p));
        } else if (op && op->param("RegionId")) {
            RawParam p;
            p.name = "RegionId";
            p.value = located("<profile region>", file, words[0].begin);
            p.flag = "the region";
            p.flag_at = p.value.origin;
            p.unresolved = true;
            p.text = "the profile's region (no --region or --RegionId on the line)";
            d.params.push_back(std::move(p));
        }
    }
    // Plugin form: RegionId is --biz-region-id. Without it, whether the plugin sends the
    // endpoint region (--region, or the profile's) as RegionId is not documented.
    if (plugin && op && op->param("RegionId")) {
        bool given = std::any_of(api_flags.begin(), api_flags.end(), [](const CliFlag* f) { return f->name == "biz-region-id"; });
        if (!given) {
            RawParam p;
            p.name = "RegionId";
            p.value = located("<region>", file, region ? region_at : words[0].begin);
            p.flag = "--biz-region-id";
            p.flag_at = p.value.origin;
            p.unresolved = true;
            p.text = "not given; whether the plugin sends " +
                     (region ? "--region " + region->text() : std::string("the profile's region")) + " as RegionId is UNCONFIRMED";
            d.params.push_back(std::move(p));
        }
    }

    // Words opguard cannot see into: an unresolved word among the arguments ($EXTRA_ARGS, "$@",
    // $(cat flags)) or a flag whose name is unresolved and names no list (--$NAME). They may
    // add any flag: --force, --dryrun, a required parameter, more list elements.
    struct Unseen { std::string word, text; uint32_t at; };
    std::vector<Unseen> unseen;
    for (size_t i = roa ? 3 : 2; i < args.positionals.size(); ++i)
        if (const ShellWord& w = *args.positionals[i]; w.unresolved())
            unseen.push_back({written(ctx.text, w), "expanded by the shell when the script runs", w.begin});
    // --DesktopId.$i x: an element of the list DesktopId at an index not known.
    struct ElementFlag { const CliFlag* flag; std::string base; size_t dot; };  // dot: in the flag's name
    std::vector<ElementFlag> element_flags;
    for (const CliFlag* f : unresolved_names) {
        const ShellWord* w = word_starting_at(words, f->at);
        std::string prefix = w ? name_before_expansion(*w) : std::string();
        size_t dot = prefix.find('.');
        std::string base;
        if (dot != std::string::npos && dot > 0) {
            base = prefix.substr(0, dot);
            if (plugin) {
                base = kebab_to_pascal(base);
                if (op)
                    for (const auto& spec : op->params)
                        if (lower(spec.name) == lower(base)) base = spec.name;
            }
            const ParamSpec* spec = op ? op->param(base) : nullptr;
            if (op && !(spec && spec->type == "list")) base.clear();
        }
        if (!base.empty()) element_flags.push_back({f, base, dot});
        else unseen.push_back({f->spelled, "a flag whose name is computed when the script runs", f->at});
    }
    const bool force = std::any_of(args.flags.begin(), args.flags.end(), [](const CliFlag& f) { return !f.name_unresolved && f.name == "force"; });
    // Classic form of a product without API metadata (ecd, appstream-center) without --force: the CLI has no metadata for the
    // API and stops before sending anything (inferred from its source, real-clients.md §1.2).
    const std::string lproduct = lower(product.text);
    const bool needs_force = !plugin && !roa && !force && !cmd.unterminated && !product.unresolved() && !api.unresolved() &&
                             no_embedded_apis(*ctx.rules, lproduct);
    if (needs_force) {
        Origin at{file, api.begin};
        d.note("missing_force", Node::object({{"product", Node::string(lproduct, at)},
                                              {"action", Node::string(api.text, at)},
                                              {"plugin", Node::string(pascal_to_kebab(api.text), at)}},
                                             at));
    }
    for (const Unseen& u : unseen) {
        std::vector<std::string> skipped = {"plan.missing-parameter"};
        if (needs_force) skipped.push_back("plan.missing-force");
        d.unseen_arguments(u.word, u.text, Origin{file, u.at}, skipped);
    }
    // The classic form of an API whose metadata the CLI embeds (ECS) checks every parameter
    // flag against it unless --force is given; not when a word opguard cannot see may hold --force.
    const ClientApi* embedded = !plugin && !roa && !force && unseen.empty() && !cmd.unterminated && !api.unresolved()
                                    ? ctx.rules->client_api(kClient, lproduct, api.text)
                                    : nullptr;

    // API parameters.
    auto declared_list = [&](const std::string& n) {
        const ParamSpec* s = op ? op->param(n) : nullptr;
        return s && s->type == "list";
    };
    std::map<std::string, int> plugin_list_count;
    for (const CliFlag* f : api_flags) {
        if (embedded) {
            std::string cli_name = f->name;
            if (cli_name.size() > 5 && cli_name.compare(cli_name.size() - 5, 5, "-FILE") == 0) cli_name.resize(cli_name.size() - 5);
            if (!embedded_accepts(*embedded, cli_name)) {
                // The CLI sends nothing: the flag never becomes a parameter of a request.
                std::string spelled = f->spelled.rfind("--", 0) == 0 ? "--" + cli_name : f->spelled;
                d.usage_error(f->spelled,
                              "'" + spelled + "' is not a valid parameter or flag: without --force the CLI checks every parameter flag against the API metadata it embeds, where " +
                                  api.text + " has only " + joined(embedded->params) + " (" + embedded->source +
                                  "; aliyun-cli openapi/rpc.go RpcInvoker.Prepare, InvalidParameterError)",
                              Origin{file, f->at});
                continue;
            }
        }
        if (f->missing_value || f->values.empty()) continue;
        const WordPart& v = f->values[0];
        RawParam p;
        p.flag = f->spelled;
        p.flag_at = Origin{file, f->at};
        p.value = located(v.text(), file, v.offset());
        if (v.unresolved()) { p.unresolved = true; p.text = v.written(ctx.text); }
        std::string name = f->name;
        if (plugin) {
            WireKey wk = split_wire_key(name);
            std::string base = wk.base == "biz-region-id" ? "RegionId" : kebab_to_pascal(wk.base);
            if (op)
                for (const auto& spec : op->params)
                    if (lower(spec.name) == lower(base)) base = spec.name;
            if (wk.index > 0) name = base + "." + std::to_string(wk.index) + (wk.rest.empty() ? "" : "." + kebab_to_pascal(wk.rest));
            else if (declared_list(base)) {
                // --desktop-id a,b or --desktop-id '["a","b"]': how a plugin reads one value of a
                // list parameter is UNCONFIRMED (real-clients.md 1.1; a repeated flag builds the
                // list). Each listed value is checked as an element, and plan.plugin-list-value
                // says so: read as one id, it would be "not found" and hide the ids it names.
                const std::string t = v.text();
                const size_t first = t.find_first_not_of(" \t");
                std::vector<Node> parts;
                if (!p.unresolved && first != std::string::npos && t[first] == '[') {
                    if (auto list = parse_json_list(t, part_offsets(v), file)) parts = std::move(list->items());
                } else if (!p.unresolved && t.find(',') != std::string::npos) {
                    const std::vector<uint32_t> offsets = part_offsets(v);
                    size_t b = 0;
                    while (b <= t.size()) {
                        size_t e = t.find(',', b);
                        if (e == std::string::npos) e = t.size();
                        const uint32_t at = b < offsets.size() ? offsets[b] : v.offset();
                        parts.push_back(Node::string(t.substr(b, e - b), Origin{file, at}));
                        b = e + 1;
                    }
                }
                if (parts.size() > 1 || (!parts.empty() && t[first] == '[')) {
                    const Origin at{file, v.offset()};
                    d.note("plugin_list_values", Node::object({{"param", Node::string(base, at)}, {"flag", Node::string(f->spelled, at)},
                                                               {"value", Node::string(t, at)},
                                                               {"count", Node::number(static_cast<double>(parts.size()))}}, at));
                    for (auto& part : parts) {
                        RawParam e = p;
                        e.name = base + "." + std::to_string(++plugin_list_count[base]);
                        e.value = std::move(part);
                        d.params.push_back(std::move(e));
                    }
                    continue;
                }
                name = base + "." + std::to_string(++plugin_list_count[base]);  // repeated flag => list
            } else name = base;
        } else if (name.size() > 5 && name.compare(name.size() - 5, 5, "-FILE") == 0) {
            // --Name-FILE path: the CLI sends the file's contents (openapi/rpc.go).
            name.resize(name.size() - 5);
            p.unresolved = true;
            p.text = "the contents of " + v.written(ctx.text);
        }
        p.name = name;
        // A list parameter written as one JSON string is sent literally: DesktopId=["a","b"].
        if (!p.unresolved && !plugin && split_wire_key(name).index == 0 && declared_list(name)) {
            std::string t = v.text();
            size_t first = t.find_first_not_of(" \t");
            Origin at{file, v.offset()};
            if (first != std::string::npos && t[first] == '[') {
                if (auto list = parse_json_list(t, part_offsets(v), file)) {
                    p.value = std::move(*list);
                    d.note("json_string_lists", Node::object({{"param", Node::string(name, at)}, {"flag", Node::string(f->spelled, at)}}, at));
                }
            } else {
                // --DesktopId ecd-x: the bare name matches too, and the value is sent as is
                // (DesktopId=ecd-x, not DesktopId.1=ecd-x). Checked as a one-element list.
                const Origin value_at = p.value.origin;
                std::vector<Node> one;
                one.push_back(std::move(p.value));
                p.value = Node::array(std::move(one), value_at);
                d.note("bare_lists", Node::object({{"param", Node::string(name, at)}, {"flag", Node::string(f->spelled, at)},
                                                   {"value", Node::string(t, at)}}, at));
            }
        }
        d.params.push_back(std::move(p));
    }
    for (const auto& [f, base, dot] : element_flags) {
        if (f->missing_value || f->values.empty()) continue;
        const WordPart& v = f->values[0];
        std::string index = f->name.size() > dot + 1 ? f->name.substr(dot + 1) : std::string();
        index = index.substr(0, index.find('.'));
        RawParam p;
        p.name = base;
        p.flag = f->spelled;
        p.flag_at = Origin{file, f->at};
        p.value = located(v.text(), file, f->at);
        p.unresolved = true;
        p.element = true;
        p.text = "a " + base + " element (" + (v.unresolved() ? v.written(ctx.text) : v.text()) + ") whose index " + index +
                 " is computed when the script runs";
        d.params.push_back(std::move(p));
    }
    for (const auto& pr : args.problems) d.usage_error(pr.flag, pr.message, Origin{file, pr.at});
    if (!flags.members().empty()) d.adapter.set("flags", std::move(flags));
    return d;
}

}  // namespace opguard::adapters
