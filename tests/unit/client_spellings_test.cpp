// Client spellings are data: the command-line clients' local commands, the products they know
// (default API version, whether the CLI embeds API metadata), the API metadata the aliyun CLI
// checks lines against and KooCLI's names of REST operations are rule-file items (`client`,
// `product`, `cli_api`, `route`), read by src/input/adapters from the RuleSet they are given.
// A --rules file adds a product, an API's metadata or a route without touching src/; errors in
// these items are located and suggest the name meant.
#include <algorithm>

#include "dsl/compiler.hpp"
#include "dsl/parser.hpp"
#include "dsl/rule_set_io.hpp"
#include "input/adapters/plan_formats.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// A script read with the built-in rules plus the rule files of `rules_dir` (none when empty),
// checked with no inventory.
struct Checked {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    Report report;
    std::string path, text;
    std::vector<const Finding*> findings(const std::string& rule_id, size_t call) const {
        std::vector<const Finding*> out;
        for (const auto& f : report.findings)
            if (f.rule->id == rule_id && f.call_index == call) out.push_back(&f);
        return out;
    }
    std::string header(size_t call, const std::string& key) const {
        const Node* n = plan.calls.at(call).record.find(key);
        return n && n->is_string() ? n->as_string() : std::string("(none)");
    }
    std::string loc(const std::string& needle, const std::string& after = {}) const { return path + ":" + lc(position_of(text, needle, after)); }
};

std::unique_ptr<Checked> check_script(const TempDir& dir, const std::string& name, const std::string& text, const std::string& rules_dir = {}) {
    auto c = std::make_unique<Checked>();
    c->text = text;
    c->path = dir.write(name, text);
    RuleSources from;
    if (!rules_dir.empty()) from.dirs.push_back(rules_dir);
    c->rules = load_rules(c->sources, from);
    c->plan = load_plan_any(c->sources, c->path, c->rules, "auto");
    Inventory inventory = load_inventory(c->sources, {}, c->rules);
    c->report = simulate(c->sources, c->plan, inventory, c->rules);
    return c;
}

std::string location(const Finding& f) { return format_location(f.location); }

// "file:line:col id message" of every error loading the built-in rules plus `path`.
std::vector<std::string> load_errors(const std::string& path) {
    SourceRegistry sources;
    try {
        load_rules(sources, RuleSources{true, {path}});
    } catch (const RuleErrorList& e) {
        std::vector<std::string> out;
        for (const auto& x : e.errors()) out.push_back(fs::path(x.file()).filename().string() + ":" + lc(x.position()) + " " + x.id() + " " + x.message());
        return out;
    }
    return {};
}

std::string at(const std::string& file, const std::string& text, const std::string& needle, const std::string& after = {}) {
    return file + ":" + lc(position_of(text, needle, after));
}

}  // namespace

TEST_CASE("the built-in rules declare the clients, their products, API metadata and routes", "[client-spellings]") {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});

    const Client* aliyun = rules.client("aliyun");
    REQUIRE(aliyun != nullptr);
    CHECK(aliyun->local_commands ==
          std::vector<std::string>{"configure", "plugin", "oss", "ossutil", "help", "version", "auto-completion", "completion"});
    CHECK(aliyun->cloud.empty());
    const Client* hcloud = rules.client("hcloud");
    REQUIRE(hcloud != nullptr);
    CHECK(hcloud->cloud == "huaweicloud");
    CHECK(std::count(hcloud->local_commands.begin(), hcloud->local_commands.end(), "meta") == 1);

    const ClientProduct* ecd = rules.product("aliyun", "ECD");  // as the CLI reads it: case ignored
    REQUIRE(ecd != nullptr);
    CHECK(ecd->version == "2020-09-30");
    CHECK_FALSE(ecd->api_metadata);
    const std::string clients = slurp(source_path("rules/clients.rules"));
    CHECK(sources.file(ecd->origin.file).path() == "builtin/clients.rules");
    CHECK(lc(pos(sources, ecd->origin)) == lc(position_of(clients, "aliyun.ecd {")));
    REQUIRE(rules.product("aliyun", "ecs") != nullptr);
    CHECK(rules.product("aliyun", "ecs")->version == "2014-05-26");
    CHECK(rules.product("aliyun", "ecs")->api_metadata);
    REQUIRE(rules.product("aliyun", "appstream-center") != nullptr);
    CHECK(rules.product("aliyun", "appstream-center")->version == "2021-09-01");
    CHECK_FALSE(rules.product("aliyun", "appstream-center")->api_metadata);
    CHECK(rules.product("hcloud", "ecd") == nullptr);

    const ClientApi* redeploy = rules.client_api("aliyun", "ecs", "RedeployInstance");
    REQUIRE(redeploy != nullptr);
    CHECK(redeploy->params == std::vector<std::string>{"ForceStop", "InstanceId"});
    CHECK(redeploy->repeat_lists.empty());
    CHECK(redeploy->source == "aliyun-openapi-meta metadatas/ecs/RedeployInstance.json");
    CHECK(rules.client_api("aliyun", "ecs", "redeployinstance") == nullptr);  // the API's name exactly

    // A modeled operation's route takes its cloud, method and path from the operation.
    const ClientRoute* check = rules.route("hcloud", "Workspace", "CheckDesktopImages");
    REQUIRE(check != nullptr);
    CHECK(check->operation == "hw.workspace.CheckDesktopImages");
    CHECK(check->cloud == "huaweicloud");
    CHECK(check->method == "POST");
    CHECK(check->path == "/v2/{project_id}/desktops/check-images");
    const ClientRoute* rebuild = rules.route("hcloud", "workspace", "BatchRebuildDesktopsSystemDisk");
    REQUIRE(rebuild != nullptr);
    CHECK(rebuild->path == "/v2/{project_id}/desktops/rebuild");
    // An unmodeled one gives its own; the cloud is the client's.
    const ClientRoute* create = rules.route("hcloud", "workspace", "CreateDesktop");
    REQUIRE(create != nullptr);
    CHECK(create->operation.empty());
    CHECK(create->cloud == "huaweicloud");
    CHECK(create->method == "POST");
    CHECK(create->path == "/v2/{project_id}/desktops");
    const ClientRoute* del = rules.route("hcloud", "workspace", "DeleteDesktop");
    REQUIRE(del != nullptr);
    CHECK(del->operation == "hw.workspace.DeleteDesktop");
    CHECK(del->method == "DELETE");
    CHECK(del->path == "/v2/{project_id}/desktops/{desktop_id}");
    CHECK(rules.route("hcloud", "workspace", "ListDesktopsDetail")->method == "GET");
    CHECK(rules.route("hcloud", "workspace", "CreateDesktop")->path == "/v2/{project_id}/desktops");
    CHECK(rules.route("hcloud", "workspace", "NoSuchOperation") == nullptr);
}

TEST_CASE("client spellings survive the compiled form of the built-in rules", "[client-spellings]") {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{false, {source_path("rules")}});
    const auto count = static_cast<uint32_t>(sources.size());
    std::string bytes = serialize_rule_set(rules, 7, 0, count);
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < count; ++i) ids.push_back(i);
    RuleSet back;
    REQUIRE(deserialize_rule_set(bytes, 7, ids, back));
    REQUIRE(back.clients.size() == rules.clients.size());
    REQUIRE(back.products.size() == rules.products.size());
    REQUIRE(back.client_apis.size() == rules.client_apis.size());
    REQUIRE(back.routes.size() == rules.routes.size());
    CHECK(back.products.size() == 3);
    CHECK(back.routes.size() == 7);
    const ClientRoute* r = back.route("hcloud", "workspace", "CheckDesktopImages");
    REQUIRE(r != nullptr);
    CHECK(r->operation == "hw.workspace.CheckDesktopImages");
    CHECK(r->origin.offset == rules.route("hcloud", "workspace", "CheckDesktopImages")->origin.offset);
    CHECK(back.product("aliyun", "ecd")->api_metadata == false);
    CHECK(back.product("aliyun", "ecs")->api_metadata == true);
    CHECK(back.client_api("aliyun", "ecs", "RedeployInstance")->params == std::vector<std::string>{"ForceStop", "InstanceId"});
    CHECK(back.client("hcloud")->local_commands == rules.client("hcloud")->local_commands);
    CHECK(back.client("hcloud")->cloud == "huaweicloud");
    // Cut short, it is refused, not read in part.
    CHECK_FALSE(deserialize_rule_set(std::string_view(bytes).substr(0, bytes.size() - 3), 7, ids, back));
}

TEST_CASE("a --rules file adds an aliyun product, an API's metadata and a KooCLI route without touching src/", "[client-spellings]") {
    TempDir dir;
    const std::string rules_text =
        "product aliyun.ens {\n"
        "  version = \"2017-11-10\";\n"
        "  source = \"test fixture\";\n"
        "}\n"
        "product aliyun.eds-user {\n"
        "  version = \"2021-03-08\";\n"
        "  api_metadata = false;\n"
        "  source = \"test fixture\";\n"
        "}\n"
        "cli_api aliyun.ens.RebootInstance {\n"
        "  params = [\"InstanceId\", \"RegionId\"];\n"
        "  repeat_lists = [\"Tag\"];\n"
        "  source = \"test fixture metadata\";\n"
        "}\n"
        "route hcloud.ecs.ListServersDetails {\n"
        "  method = \"GET\";\n"
        "  path = \"/v1/{project_id}/cloudservers/detail\";\n"
        "  source = \"test fixture\";\n"
        "}\n";
    const std::string rules_dir = dir.mkdir("more-rules");
    dir.write("more-rules/spellings.rules", rules_text);
    const std::string script =
        "aliyun ens RebootInstance --RegionId cn-hangzhou --InstanceId i-ens1 --DryRun true\n"
        "aliyun ens RebootInstance --RegionId cn-hangzhou --InstanceId i-ens1 --Tag.1.Key team\n"
        "aliyun eds-user DescribeUsers --RegionId cn-hangzhou\n"
        "hcloud ECS ListServersDetails --cli-region=cn-north-4 --project_id=p1\n";

    auto with = check_script(dir, "spell.sh", script, rules_dir);
    REQUIRE(with->plan.calls.size() == 4);
    // The product's default version names the call.
    CHECK(with->header(0, "version") == "2017-11-10");
    CHECK(with->header(2, "version") == "2021-03-08");
    // The embedded metadata: --DryRun is refused by the CLI, a repeat list's element is not.
    auto usage = with->findings("plan.cli-usage", 0);
    REQUIRE(usage.size() == 1);
    CHECK(location(*usage[0]) == with->loc("--DryRun"));
    CHECK(usage[0]->message ==
          "the aliyun CLI refuses this line before sending it: '--DryRun' is not a valid parameter or flag: without --force the CLI "
          "checks every parameter flag against the API metadata it embeds, where RebootInstance has only InstanceId and RegionId "
          "(test fixture metadata; aliyun-cli openapi/rpc.go RpcInvoker.Prepare, InvalidParameterError)");
    CHECK(with->findings("plan.cli-usage", 1).empty());
    // A product without API metadata: the classic form needs --force.
    auto force = with->findings("plan.missing-force", 2);
    REQUIRE(force.size() == 1);
    CHECK(location(*force[0]) == with->loc("DescribeUsers"));
    CHECK(force[0]->message.find("(aliyun eds-user describe-users)") != std::string::npos);
    // The KooCLI route: named by method and path, on the client's cloud; the project is given.
    CHECK(with->header(3, "cloud") == "huaweicloud");
    CHECK(with->header(3, "service") == "ecs");
    CHECK(with->header(3, "method") == "GET");
    CHECK(with->header(3, "path") == "/v1/{project_id}/cloudservers/detail");
    CHECK(with->header(3, "action") == "(none)");

    // A --cli-jsonInput file given as the plan is named after a route of the rules too.
    {
        SourceRegistry sources;
        RuleSet rules = load_rules(sources, RuleSources{true, {rules_dir}});
        const std::string input = dir.write("ListServersDetails.json", "{\"path\": {\"project_id\": \"p1\"}}\n");
        Plan p = load_plan_any(sources, input, rules, "auto");
        REQUIRE(p.calls.size() == 1);
        CHECK(p.calls[0].record.find("path")->as_string() == "/v1/{project_id}/cloudservers/detail");
        SourceRegistry builtin_sources;
        RuleSet builtin = load_rules(builtin_sources, RuleSources{true, {}});
        auto e = input_error([&] { load_plan_any(builtin_sources, input, builtin, "hcloud-json-input"); });
        REQUIRE(e);
        CHECK(e->id == "plan.hcloud-json-input");
        CHECK(e->message.find("ListServersDetails") == std::string::npos);
        CHECK(e->message.find("(one of: BatchDeleteDesktops, BatchRebuildDesktopsSystemDisk, BatchRunDesktops, CheckDesktopImages, CreateDesktop, DeleteDesktop, "
                                  "ListDesktopsDetail)") !=
              std::string::npos);
    }

    // Without the file none of it is known.
    TempDir other;
    auto without = check_script(other, "spell.sh", script);
    REQUIRE(without->plan.calls.size() == 4);
    CHECK(without->header(0, "version") == "(none)");
    CHECK(without->findings("plan.cli-usage", 0).empty());
    CHECK(without->findings("plan.missing-force", 2).empty());
    CHECK(without->header(3, "path") == "(none)");
    CHECK(without->header(3, "action") == "ListServersDetails");
}

TEST_CASE("a --rules file replaces a built-in client spelling of the same name", "[client-spellings]") {
    TempDir dir;
    const std::string rules_dir = dir.mkdir("r");
    dir.write("r/x.rules",
              "product aliyun.ecd { version = \"2020-09-30\"; source = \"a CLI release with ecd metadata\"; }\n"
              "client aliyun { local_commands = [\"configure\"]; source = \"test\"; }\n");
    const std::string script =
        "aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-x\n"
        "aliyun oss ls oss://bucket\n";
    auto c = check_script(dir, "r.sh", script, rules_dir);
    REQUIRE(c->plan.calls.size() == 2);  // oss is no longer a command of the CLI itself
    CHECK(c->header(1, "product") == "oss");
    CHECK(c->findings("plan.missing-force", 0).empty());  // api_metadata defaults to true
    CHECK(c->rules.products.size() == 3);
    CHECK(c->rules.product("aliyun", "ecd")->source == "a CLI release with ecd metadata");

    TempDir base;
    auto b = check_script(base, "r.sh", script);
    REQUIRE(b->plan.calls.size() == 1);
    CHECK(b->findings("plan.missing-force", 0).size() == 1);
}

TEST_CASE("errors in client spellings are located, all reported, with did-you-mean", "[client-spellings][rule-errors]") {
    TempDir dir;
    const std::string text =
        "product aliyn.ens { version = \"2017-11-10\"; source = \"s\"; }\n"                       // unknown client
        "cli_api aliyun.ens.RebootInstance { parms = [\"InstanceId\"]; source = \"s\"; }\n"     // misspelt property, no params
        "route hcloud.workspace.CheckImages { operation = \"hw.workspace.CheckDesktopImage\"; source = \"s\"; }\n"
        "route hcloud.workspace.Both { operation = \"hw.workspace.CheckDesktopImages\"; method = \"GET\"; source = \"s\"; }\n"
        "route hcloud.workspace.Neither { path = \"/v2/x\"; source = \"s\"; }\n"
        "product ecd { version = \"2020-09-30\"; source = \"s\"; }\n"                              // no client in the name
        "route hcloud.ecs.CheckDesktopImages { operation = \"hw.workspace.CheckDesktopImages\"; source = \"s\"; }\n"
        "product aliyun.ens2 { api_metadata = \"no\"; source = \"s\"; }\n";
    const std::string path = dir.write("bad.rules", text);
    auto errors = load_errors(path);
    const std::vector<std::string> expected = {
        at("bad.rules", text, "aliyn.ens") + " rules.unknown-name unknown client 'aliyn' (did you mean 'aliyun'?) in product aliyn.ens "
                                             "(declare it with `client aliyn { ... }`)",
        at("bad.rules", text, "aliyun.ens.RebootInstance") + " rules.missing-property cli_api aliyun.ens.RebootInstance needs a 'params' property",
        at("bad.rules", text, "parms") + " rules.unknown-property unknown property 'parms' in cli_api aliyun.ens.RebootInstance "
                                         "(did you mean 'params'?); expected one of: params, repeat_lists, source",
        at("bad.rules", text, "\"hw.workspace.CheckDesktopImage\"") +
            " rules.unknown-operation unknown operation 'hw.workspace.CheckDesktopImage' (did you mean 'hw.workspace.CheckDesktopImages'?)",
        at("bad.rules", text, "method", "Both") +
            " rules.duplicate route hcloud.workspace.Both names an operation: its method and path come from the operation's match",
        at("bad.rules", text, "hcloud.workspace.Neither") +
            " rules.missing-property route hcloud.workspace.Neither needs 'operation' (a modeled operation) or 'method' and 'path'",
        at("bad.rules", text, "ecd {") + " rules.type product ecd: the name is CLIENT.PRODUCT, such as aliyun.ecd",
        at("bad.rules", text, "\"hw.workspace.CheckDesktopImages\"", "hcloud.ecs") +
            " rules.type operation hw.workspace.CheckDesktopImages is of service 'workspace', not 'ecs'",
        at("bad.rules", text, "\"no\"") + " rules.type 'api_metadata' takes true or false",
    };
    CHECK(errors == expected);
}

TEST_CASE("client spellings: a syntax error is located and the next item still read, and built-in files may not repeat one", "[client-spellings][rule-errors]") {
    TempDir dir;
    const std::string text =
        "route hcloud.workspace.X { method = \"GET\" path = \"/v2/x\"; source = \"s\"; }\n"
        "product aliyun.ens { versoin = \"1\"; source = \"s\"; }\n";
    const std::string path = dir.write("syntax.rules", text);
    auto errors = load_errors(path);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0] == at("syntax.rules", text, "path") + " rules.syntax expected ';', found 'path'");
    CHECK(errors[1] == at("syntax.rules", text, "versoin") +
                           " rules.unknown-property unknown property 'versoin' in product aliyun.ens (did you mean 'version'?); "
                           "expected one of: version, api_metadata, source");

    // The same item twice among files that may not override each other (the built-in files).
    SourceRegistry sources;
    std::vector<ParsedRuleFile> files;
    const std::string a = "client aliyun { source = \"a\"; }\nproduct aliyun.ens { source = \"a\"; }\n";
    const std::string b = "\n\nproduct aliyun.ENS { source = \"b\"; }\n";
    for (const auto* t : {&a, &b}) {
        uint32_t id = sources.add(t == &a ? "a.rules" : "b.rules", *t);
        files.push_back({id, parse_rule_file(sources, id), false});
    }
    auto e = input_error([&] { compile_rules(sources, files); });
    REQUIRE(e);
    CHECK(e->file == "b.rules");
    CHECK(e->where() == "3:9");
    CHECK(e->id == "rules.duplicate");
    CHECK(e->message == "product aliyun.ENS is defined twice (first at a.rules:2:9)");
}

TEST_CASE("a --cli-jsonInput file is named after the longest route its name contains, in any declaration order", "[client-spellings][hcloud]") {
    TempDir dir;
    const std::string rules_dir = dir.mkdir("r");
    // The longer name first: the shorter one, declared later, is contained in it.
    dir.write("r/nova.rules",
              "route hcloud.ecs.NovaListServersDetails { method = \"GET\"; path = \"/v2.1/{project_id}/servers/detail\"; source = \"test fixture\"; }\n"
              "route hcloud.ecs.NovaListServers { method = \"GET\"; path = \"/v2.1/{project_id}/servers\"; source = \"test fixture\"; }\n");
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {rules_dir}});
    const std::string body = "{\"path\": {\"project_id\": \"p1\"}}\n";
    Plan detail = load_plan_any(sources, dir.write("nova-list-servers-details.json", body), rules, "hcloud-json-input");
    REQUIRE(detail.calls.size() == 1);
    CHECK(detail.calls[0].record.find("path")->as_string() == "/v2.1/{project_id}/servers/detail");
    Plan plain = load_plan_any(sources, dir.write("NovaListServers.json", body), rules, "hcloud-json-input");
    REQUIRE(plain.calls.size() == 1);
    CHECK(plain.calls[0].record.find("path")->as_string() == "/v2.1/{project_id}/servers");
}
