#include "input/adapters/hcloud_cli.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "core/diagnostic.hpp"
#include "input/adapters/cli_args.hpp"
#include "input/json_reader.hpp"

namespace opguard::adapters {

namespace {

// The client's name in rule files (`client hcloud`, `route hcloud.SERVICE.NAME`).
constexpr const char* kClient = "hcloud";

std::string alnum_lower(const std::string& s) {
    std::string out;
    for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
}

// The client's own commands (rule files: client hcloud, local_commands), ASCII case ignored.
bool local_command(const RuleSet& rules, const std::string& s) {
    const Client* c = rules.client(kClient);
    return c && std::any_of(c->local_commands.begin(), c->local_commands.end(), [&](const std::string& k) { return lower(s) == k; });
}

bool digits(const std::string& s) {
    return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Objects whose keys are all 1-based indices become arrays in index order (KooCLI --a.1=x).
// Two spellings of one index (--a.1 and --a.01; which one KooCLI sends is not documented)
// both stay in the array, in the order written, so that neither value goes unchecked.
void arrays_from_indices(Node& n) {
    if (n.is_array()) for (auto& i : n.items()) arrays_from_indices(i);
    if (!n.is_object()) return;
    for (auto& [k, v] : n.members()) arrays_from_indices(v);
    if (n.members().empty()) return;
    for (const auto& [k, v] : n.members())
        if (!digits(k)) return;
    std::multimap<long, Node> byindex;
    for (auto& [k, v] : n.members()) byindex.emplace(std::stol(k), std::move(v));
    std::vector<Node> items;
    for (auto& [i, v] : byindex) items.push_back(std::move(v));
    n = Node::array(std::move(items), n.origin);
}

void insert_path(Node& root, const std::vector<std::string>& segs, Node value) {
    Node* cur = &root;
    for (size_t i = 0; i + 1 < segs.size(); ++i) {
        Node* next = cur->find(segs[i]);
        if (!next || !next->is_object()) {
            cur->set(segs[i], Node::object({}, value.origin));
            next = cur->find(segs[i]);
        }
        cur = next;
    }
    if (!cur->find(segs.back())) cur->set(segs.back(), std::move(value));
}

std::vector<std::string> split_dots(const std::string& s) {
    std::vector<std::string> out;
    size_t b = 0;
    while (true) {
        size_t d = s.find('.', b);
        out.push_back(s.substr(b, d == std::string::npos ? std::string::npos : d - b));
        if (d == std::string::npos) break;
        b = d + 1;
    }
    return out;
}

void set_rest_header(CallDraft& d, const std::string& cloud, const std::string& service, const std::string& operation,
                     Origin service_at, Origin op_at, const HuaweiOperation* known) {
    d.set_header("cloud", Node::string(known ? known->cloud : cloud, service_at));
    d.set_header("service", Node::string(lower(service), service_at));
    // A known operation is named by its method and path (how the rules match REST calls);
    // another one only by its name.
    if (known) {
        d.set_header("method", Node::string(known->method, op_at));
        d.set_header("path", Node::string(known->path, op_at));
    } else {
        d.set_header("action", Node::string(operation, op_at));
    }
}

// Members of the path/query/formData/body objects of a --cli-jsonInput document.
void merge_json_input(CallDraft& d, const Node& root) {
    for (const char* part : {"path", "query", "formData", "body"}) {
        const Node* p = root.find(part);
        if (!p || !p->is_object()) continue;
        for (const auto& [k, v] : p->members()) {
            RawParam rp;
            rp.name = k;
            rp.value = v;
            rp.flag = std::string(part) + "." + k;
            rp.flag_at = v.origin;
            d.params.push_back(std::move(rp));
        }
    }
}

}  // namespace

const HuaweiOperation* huawei_operation(const RuleSet& rules, const std::string& service, const std::string& operation) {
    return rules.route(kClient, service, operation);
}

void set_huawei_header(CallDraft& d, const HuaweiOperation& op, Origin at) {
    set_rest_header(d, op.cloud, op.service, op.name, at, at, &op);
}

bool looks_like_hcloud_json_input(const Node& root, std::string* why) {
    if (!root.is_object() || root.members().empty()) {
        if (why) *why = "expected an object with path, query or body";
        return false;
    }
    bool any = false;
    for (const auto& [k, v] : root.members()) {
        if (k != "header" && k != "path" && k != "query" && k != "formData" && k != "cookie" && k != "body") {
            if (why) *why = "has key '" + k + "'; a --cli-jsonInput file holds only header, path, query, formData, cookie and body";
            return false;
        }
        if (k == "path" || k == "query" || k == "body" || k == "formData") any = true;
    }
    if (!any && why) *why = "has none of path, query, formData, body";
    return any;
}

std::optional<CallDraft> read_hcloud_command(const ShellCommand& cmd, const ScriptContext& ctx, const std::string& id,
                                             const ShellWord** unknown_api) {
    const auto& words = cmd.words;
    const uint32_t file = ctx.file;
    CliArgs args = parse_cli_args(words, 1, "=", [](const std::string& name, bool) {
        if (name == "dryrun" || name == "skeleton" || name == "debug" || name == "help" || name == "h") return FlagMode::None;
        return FlagMode::Once;
    });
    if (args.positionals.size() < 2) {
        if (unknown_api) *unknown_api = first_unresolved(args.positionals);  // `hcloud $ARGS`
        return std::nullopt;
    }
    if (local_command(*ctx.rules, args.positionals[0]->text)) return std::nullopt;
    const ShellWord& service = *args.positionals[0];
    const ShellWord& opword = *args.positionals[1];
    std::string operation = opword.text, version;
    if (size_t slash = operation.find('/'); slash != std::string::npos) {  // Operation/v3
        version = operation.substr(slash + 1);
        operation.resize(slash);
    }
    const HuaweiOperation* known = huawei_operation(*ctx.rules, service.text, operation);
    const Client* client = ctx.rules->client(kClient);

    CallDraft d;
    d.id = id;
    d.origin = Origin{file, words[0].begin};
    d.wire_form = false;
    d.repeats = Repeats::ClientAccepts;
    d.adapter.set("client", Node::string("hcloud"));
    set_rest_header(d, client ? client->cloud : std::string(), service.text, operation, Origin{file, service.begin},
                    Origin{file, opword.begin}, known);
    // KooCLI's Operation/vN names the operation's version: recorded as written. A REST call's
    // header has no "version" (that is an RPC call's), and the rules match the operation by
    // its method and path.
    if (!version.empty()) d.adapter.set("operation_version", Node::string(version, Origin{file, opword.begin}));
    if (service.unresolved()) d.unresolved("(service)", "the service", written(ctx.text, service), Origin{file, service.begin});
    if (opword.unresolved()) d.unresolved("(action)", "the operation", written(ctx.text, opword), Origin{file, opword.begin});
    if (cmd.unterminated) d.usage_error("", unterminated_quote_message(cmd), Origin{file, *cmd.unterminated}, true);
    // An unresolved word among the arguments ($EXTRA_ARGS, "$@") may add any flag.
    for (size_t i = 2; i < args.positionals.size(); ++i)
        if (const ShellWord& w = *args.positionals[i]; w.unresolved())
            d.unseen_arguments(written(ctx.text, w), "expanded by the shell when the script runs", Origin{file, w.begin},
                               {"plan.missing-parameter"});

    Node flags = Node::object();
    Node tree = Node::object({}, d.origin);
    std::map<std::string, std::string> flag_of;  // top-level parameter => flag as written
    std::map<std::string, Origin> flag_at;
    std::string project_from_profile;
    Origin project_at{};
    const WordPart* json_input = nullptr;
    uint32_t json_input_at = 0;
    std::map<std::string, int> seen;
    for (const CliFlag& f : args.flags) {
        Origin at{file, f.at};
        if (f.name_unresolved) {
            // --desktop_ids.$i=x: an element of desktop_ids at an index not known; another
            // unresolved name may be any parameter.
            const ShellWord* w = word_starting_at(words, f.at);
            std::string prefix = w ? text_before_expansion(*w) : std::string();
            while (!prefix.empty() && prefix[0] == '-') prefix.erase(0, 1);
            size_t dot = prefix.find('.');
            if (dot != std::string::npos && dot > 0 && dot + 1 == prefix.size() && !f.values.empty()) {
                std::string top = prefix.substr(0, dot);
                const WordPart& v = f.values[0];
                std::string index = f.name.substr(dot + 1);
                index = index.substr(0, index.find('.'));
                d.unresolved(top, f.spelled,
                             "a " + top + " element (" + (v.unresolved() ? v.written(ctx.text) : v.text()) + ") whose index " + index +
                                 " is computed when the script runs",
                             at, true);
                if (!flag_of.count(top)) { flag_of[top] = f.spelled; flag_at[top] = at; }
                if (!tree.find(top)) tree.set(top, Node::array({}, at));
            } else if (dot == std::string::npos || dot == 0) {
                d.unseen_arguments(f.spelled, "a flag whose name is computed when the script runs", at, {"plan.missing-parameter"});
            } else {
                d.unresolved(split_dots(prefix)[0], f.spelled, "a flag whose name is computed when the script runs", at);
            }
            continue;
        }
        bool system = f.name.rfind("cli-", 0) == 0 || f.name == "region" || f.name == "profile" || f.name == "mode" ||
                      f.name == "dryrun" || f.name == "skeleton" || f.name == "debug" || f.name == "help" || f.name == "h";
        if (++seen[f.name] > 1) {
            d.note("repeated", Node::object({{"param", Node::string(system ? "" : split_dots(f.name)[0], at)},
                                             {"flag", Node::string(f.spelled, at)}},
                                            at));
            continue;
        }
        if (system) {
            if (f.name == "dryrun" || f.name == "skeleton" || f.name == "help" || f.name == "h") d.dry_run(f.spelled, at);
            if (f.values.empty()) {
                if (!f.missing_value) flags.set(f.name, Node::boolean(true, at));
                continue;
            }
            const WordPart& v = f.values[0];
            Node value = located(v.text(), file, v.offset());
            if (f.name == "cli-region" || f.name == "region") d.adapter.set("region", value);
            else if (f.name == "cli-jsonInput") { json_input = &v; json_input_at = f.at; flags.set(f.name, value); }
            else if (f.name == "cli-project-id") { project_from_profile = v.text(); project_at = value.origin; flags.set(f.name, value); }
            else if (f.name == "cli-access-key" || f.name == "cli-secret-key" || f.name == "cli-security-token")
                flags.set(f.name, Node::string("[redacted]", at));
            else flags.set(f.name, value);
            continue;
        }
        if (f.values.empty()) continue;
        const WordPart& v = f.values[0];
        std::vector<std::string> segs = split_dots(f.name);
        const std::string& top = segs[0];
        if (!flag_of.count(top)) { flag_of[top] = f.spelled; flag_at[top] = at; }
        if (v.unresolved()) {
            bool element = std::any_of(segs.begin() + 1, segs.end(), digits);
            Origin vat{file, v.offset()};
            if (segs.size() == 1) {
                RawParam p;
                p.name = top;
                p.value = located(v.text(), file, v.offset());
                p.flag = f.spelled;
                p.flag_at = at;
                p.unresolved = true;
                p.text = v.written(ctx.text);
                d.params.push_back(std::move(p));
                continue;
            }
            d.unresolved(top, f.spelled, v.written(ctx.text), vat, element);
            if (element) {
                if (!tree.find(top)) tree.set(top, Node::array({}, vat));
                continue;
            }
        }
        insert_path(tree, segs, located(v.text(), file, v.offset()));
    }
    arrays_from_indices(tree);
    for (auto& [k, v] : tree.members()) {
        RawParam p;
        p.name = k;
        p.value = std::move(v);
        p.flag = flag_of.count(k) ? flag_of[k] : "--" + k;
        p.flag_at = flag_at.count(k) ? flag_at[k] : p.value.origin;
        d.params.push_back(std::move(p));
    }
    if (json_input && json_input->unresolved()) {
        // --cli-jsonInput="$F": the file, and so the request it holds, is known only when the
        // script runs: any parameter may come from it.
        d.unseen_arguments("--cli-jsonInput", "a file whose name " + json_input->written(ctx.text) + " is computed when the script runs",
                           Origin{file, json_input_at}, {"plan.missing-parameter"});
    } else if (json_input) {
        namespace fs = std::filesystem;
        fs::path p = json_input->text();
        if (p.is_relative()) p = fs::path(ctx.path).parent_path() / p;
        p = p.lexically_normal();  // hw/./input/check.json => hw/input/check.json (no file-system look-up)
        std::string bytes;
        try {
            bytes = read_file_bytes(p.string(), 64 * 1024 * 1024);
        } catch (const InputError& e) {
            const SourceFile& sf = ctx.sources->file(file);
            throw InputError(sf.path(), sf.position(json_input_at), "plan.hcloud-json-input",
                             "cannot read the --cli-jsonInput file " + p.string() + ": " + e.message());
        }
        uint32_t fid = ctx.sources->add(p.string(), std::move(bytes));
        Node root = read_plan_json(*ctx.sources, fid, *ctx.rules);
        std::string why;
        if (!looks_like_hcloud_json_input(root, &why))
            throw InputError(p.string(), ctx.sources->file(fid).position(root.origin.offset), "plan.hcloud-json-input",
                             "not a KooCLI --cli-jsonInput file: " + why);
        // KooCLI takes the API parameters of one position (body, query, ...) from the file or
        // from the line, not from both: mixed, it "may not parse them completely" and answers
        // "[USE_ERROR] The following parameters are required" (hcli_19_004). Which parameters
        // it would send is not known: plan.hcloud-split-position says so, and fails the check.
        std::vector<std::string> on_line;
        for (const RawParam& lp : d.params) {
            const std::string base = lp.name.substr(0, lp.name.find('.'));
            if (known && known->path.find("{" + base + "}") != std::string::npos) continue;
            on_line.push_back(lp.flag);
        }
        std::vector<std::string> in_file;
        for (const char* part : {"query", "formData", "body"})
            if (const Node* m = root.find(part); m && m->is_object() && !m->members().empty()) in_file.push_back(part);
        if (!on_line.empty() && !in_file.empty()) {
            const Origin at{file, json_input_at};
            std::string flags_text, parts_text;
            for (const auto& f : on_line) flags_text += (flags_text.empty() ? "" : ", ") + f;
            for (const auto& part : in_file) parts_text += (parts_text.empty() ? "" : ", ") + part;
            d.note("split_positions", Node::object({{"flag", Node::string("--cli-jsonInput", at)}, {"line", Node::string(flags_text, at)},
                                                    {"file", Node::string(p.string(), at)}, {"parts", Node::string(parts_text, at)}}, at));
        }
        merge_json_input(d, root);
    }
    // --project_id defaults to the project of the profile's region (or --cli-project-id).
    if (known && known->path.find("{project_id}") != std::string::npos &&
        std::none_of(d.params.begin(), d.params.end(), [](const RawParam& p) { return p.name == "project_id"; })) {
        RawParam p;
        p.name = "project_id";
        p.flag = "--project_id";
        if (!project_from_profile.empty()) {
            p.value = Node::string(project_from_profile, project_at);
            p.flag = "--cli-project-id";
            p.flag_at = project_at;
        } else {
            p.value = located("<profile project>", file, words[0].begin);
            p.flag_at = p.value.origin;
            p.unresolved = true;
            p.text = "the profile's project (no --project_id on the line)";
        }
        d.params.insert(d.params.begin(), std::move(p));
    }
    // How KooCLI answers a malformed flag is not documented: no usage error is reported.
    if (!flags.members().empty()) d.adapter.set("flags", std::move(flags));
    return d;
}

CallDraft read_hcloud_json_input(const Node& root, uint32_t file, const std::string& path, const std::string& id,
                                 const RuleSet& rules) {
    std::string name = alnum_lower(std::filesystem::path(path).stem().string());
    // The longest route name the file name contains (BatchDeleteDesktops.json names
    // BatchDeleteDesktops, not DeleteDesktop), whatever the order the rule files declare them in.
    const HuaweiOperation* known = nullptr;
    size_t known_length = 0;
    for (const auto& o : rules.routes) {
        const std::string n = alnum_lower(o.name);
        if (o.client == kClient && n.size() > known_length && name.find(n) != std::string::npos) {
            known = &o;
            known_length = n.size();
        }
    }
    if (!known) {
        std::set<std::string> names;  // sorted: the message does not depend on the order of the rule files
        for (const auto& o : rules.routes)
            if (o.client == kClient) names.insert(o.name);
        std::string ops;
        for (const auto& n : names) ops += (ops.empty() ? "" : ", ") + n;
        throw InputError(path, {}, "plan.hcloud-json-input",
                         "a KooCLI --cli-jsonInput file does not say which operation it is for; name the file after it "
                         "(one of: " + ops + "), or check the hcloud line that uses it");
    }
    CallDraft d;
    d.id = id;
    d.origin = root.origin;
    d.wire_form = false;
    d.adapter.set("client", Node::string("hcloud"));
    set_rest_header(d, known->cloud, known->service, known->name, Origin{file, 0}, Origin{file, 0}, known);
    merge_json_input(d, root);
    return d;
}

}  // namespace opguard::adapters
