// opguard fails closed: calls no rule file models fail the check, rules see every field of a
// saved response, rule mistakes that would read null are rule-file errors or findings, and
// an optional list left out acts on nothing.
#include "test_support.hpp"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "report/render.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// Built-in rules plus `extra_rules` (a --rules directory when not empty).
std::unique_ptr<Run> run_with(const TempDir& dir, const std::string& plan_text, const std::vector<std::string>& inventory,
                              const std::string& extra_rules = {}) {
    auto r = std::make_unique<Run>();
    r->plan_text = plan_text;
    r->plan_path = dir.write("plan.json", plan_text);
    RuleSources from{true, {}};
    if (!extra_rules.empty()) {
        dir.write("extra/extra.rules", extra_rules);
        from.dirs.push_back(dir.file("extra"));
    }
    r->rules = load_rules(r->sources, from);
    r->plan = load_plan(r->sources, r->plan_path, r->rules);
    r->inventory = load_inventory(r->sources, inventory, r->rules);
    r->report = simulate(r->sources, r->plan, r->inventory, r->rules);
    return r;
}

std::optional<Err> rules_error(const TempDir& dir, const std::string& extra_rules) {
    dir.write("bad/bad.rules", extra_rules);
    return input_error([&] {
        SourceRegistry sources;
        load_rules(sources, RuleSources{true, {dir.file("bad")}});
    });
}

const char* kDesktops = R"({"Desktops": [
  {"DesktopId": "ecd-1", "OfficeSiteId": "cn-hangzhou+dir-1", "DesktopStatus": "Stopped", "OsType": "Windows",
   "ImageId": "m-1", "DesktopGroupId": "dg-1", "PolicyGroupId": "pg-1", "Tags": [{"Key": "env", "Value": "prod"}]},
  {"DesktopId": "ecd-2", "OfficeSiteId": "cn-hangzhou+dir-1", "DesktopStatus": "Stopped", "OsType": "Windows",
   "ImageId": "m-1", "DesktopGroupId": "dg-1"}
]}
)";

std::string rebuild_plan() {
    return plan_of({rebuild_call("c1", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-1\", \"ecd-2\"]"})});
}

// The findings of `rule` in a JSON report, each as "file:line:col " and the first `n`
// characters of its message.
std::vector<std::string> located(const nlohmann::json& report, const std::string& rule, size_t n) {
    std::vector<std::string> out;
    for (const auto& f : report["findings"])
        if (f["rule"] == rule)
            out.push_back(f["location"]["file"].get<std::string>() + ":" + f["location"]["line"].dump() + ":" + f["location"]["column"].dump() +
                          " " + f["message"].get<std::string>().substr(0, n));
    return out;
}

}  // namespace

TEST_CASE("a call no rule file models fails the check: a read-only one is info", "[fail-closed][unmodeled]") {
    TempDir dir;
    std::string plan = plan_of({
        "    {\"id\": \"del\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"DeleteDesktopGroup\",\n"
        "     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-1\"]}}",
        "    {\"id\": \"list\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"DescribeDesktops\"}",
        "    {\"id\": \"hw\", \"cloud\": \"huaweicloud\", \"service\": \"workspace\", \"method\": \"GET\", \"path\": \"/v2/p/desktops\"}",
        "    {\"id\": \"hwdel\", \"cloud\": \"huaweicloud\", \"service\": \"workspace\", \"method\": \"DELETE\", \"path\": \"/v2/p/desktops/d\"}",
    });
    auto r = run_with(dir, plan, {});
    auto err = r->findings("plan.unmodeled-call");
    REQUIRE(err.size() == 2);
    CHECK(err[0]->rule->severity == Severity::Error);
    CHECK(err[0]->call_id == "del");
    CHECK(format_location(err[0]->location) == r->loc("{\"id\": \"del\""));
    CHECK(err[0]->message == "no rule file describes ecd DeleteDesktopGroup: opguard cannot tell what this call changes or destroys");
    CHECK(err[1]->call_id == "hwdel");
    CHECK(err[1]->message == "no rule file describes huaweicloud DELETE /v2/p/desktops/d: opguard cannot tell what this call changes or destroys");
    auto info = r->findings("plan.unmodeled-read");
    REQUIRE(info.size() == 2);
    CHECK(info[0]->rule->severity == Severity::Info);
    CHECK(info[0]->call_id == "list");
    CHECK(info[1]->call_id == "hw");
    CHECK(exit_code(r->report, Severity::Error) == 1);
    CHECK(r->report.summary() == "Plan: no change; 4 calls not modeled.");
    std::string json = render(r->report, "json", {});
    CHECK(json.find("\"calls_not_modeled\": 4") != std::string::npos);
    std::string md = render(r->report, "markdown", {});
    CHECK(md.find("4 calls not modeled") != std::string::npos);
}

TEST_CASE("first_word splits a CamelCase action at its second word", "[fail-closed][unmodeled]") {
    TempDir dir;
    // CheckoutDesktop's first word is Checkout, not Check: not read-only.
    auto r = run_with(dir, plan_of({"    {\"id\": \"co\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"CheckoutDesktop\"}",
                                    "    {\"id\": \"ck\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"CheckDesktop\"}"}),
                      {});
    REQUIRE(r->findings("plan.unmodeled-call").size() == 1);
    CHECK(r->findings("plan.unmodeled-call")[0]->call_id == "co");
    REQUIRE(r->findings("plan.unmodeled-read").size() == 1);
    CHECK(r->findings("plan.unmodeled-read")[0]->call_id == "ck");
}

TEST_CASE("a --rules rule sees a field no resource lists", "[fail-closed][projection]") {
    TempDir dir;
    std::string inv = dir.write("inv/desktops.json", kDesktops);
    const std::string rules =
        "rule my.tagged {\n  title = \"t\";\n  severity = warning;\n  operations = [\"ecd.RebuildDesktops\"];\n  scope = target;\n"
        "  let d = lookup(\"desktop\", target);\n  when = count(d.Tags) > 0;\n"
        "  message = \"{target} is tagged {join(map(d.Tags, it.Key + '=' + it.Value), ',')} in policy group {d.PolicyGroupId}\";\n"
        "  source = \"test\";\n}\n";
    auto r = run_with(dir, rebuild_plan(), {inv}, rules);
    const ResourceKind* k = r->rules.resource("desktop");
    REQUIRE(k);
    CHECK(std::find(k->read_fields.begin(), k->read_fields.end(), "Tags") != k->read_fields.end());
    CHECK(std::find(k->read_fields.begin(), k->read_fields.end(), "PolicyGroupId") != k->read_fields.end());
    CHECK_FALSE(k->read_whole);
    auto f = r->findings("my.tagged");
    REQUIRE(f.size() == 1);
    CHECK(f[0]->target == "ecd-1");
    CHECK(f[0]->message == "ecd-1 is tagged env=prod in policy group pg-1");
    for (const Finding* a : r->findings("inventory.field-absent")) CHECK(a->message.find("rule my.tagged") != 0);
}

namespace {
std::vector<const Finding*> absent_of(const Run& r, const std::string& by) {
    std::vector<const Finding*> out;
    for (const Finding* f : r.findings("inventory.field-absent"))
        if (f->message.rfind(by + " reads", 0) == 0) out.push_back(f);
    return out;
}
}  // namespace

TEST_CASE("an object read whole keeps every field of its kind", "[fail-closed][projection]") {
    TempDir dir;
    std::string inv = dir.write("inv/desktops.json", kDesktops);
    const std::string rules =
        "rule my.whole {\n  title = \"t\";\n  severity = info;\n  operations = [\"ecd.RebuildDesktops\"];\n  scope = target;\n"
        "  let d = lookup(\"desktop\", target);\n  when = exists(d);\n  message = \"{d}\";\n  source = \"test\";\n}\n";
    auto r = run_with(dir, rebuild_plan(), {inv}, rules);
    CHECK(r->rules.resource("desktop")->read_whole);
    CHECK_FALSE(r->rules.resource("image")->read_whole);
    auto f = r->findings("my.whole");
    REQUIRE(f.size() == 2);
    CHECK(f[0]->message.find("\"Tags\"") != std::string::npos);
    CHECK(f[0]->message.find("\"DesktopGroupId\":\"dg-1\"") != std::string::npos);
}

TEST_CASE("a field no saved object has: one info per rule and field, with the closest field", "[fail-closed][field-absent]") {
    TempDir dir;
    std::string inv = dir.write("inv/desktops.json", kDesktops);
    const std::string rules =
        "rule my.group {\n  title = \"t\";\n  severity = warning;\n  operations = [\"ecd.RebuildDesktops\"];\n  scope = target;\n"
        "  let d = lookup(\"desktop\", target);\n  when = d.DesktopGroupID == \"dg-1\" or d.DesktopGroupID == \"dg-2\";\n"
        "  message = \"m\";\n  source = \"test\";\n}\n";
    auto r = run_with(dir, rebuild_plan(), {inv}, rules);
    CHECK(r->findings("my.group").empty());  // it reads null: the misspelling is what the info says
    auto f = absent_of(*r, "rule my.group");
    REQUIRE(f.size() == 1);
    CHECK(f[0]->rule->severity == Severity::Info);
    CHECK(f[0]->message ==
          "rule my.group reads desktop.DesktopGroupID, but no saved desktop has a field DesktopGroupID, so it reads null "
          "(did you mean DesktopGroupId?)");
    CHECK(format_location(f[0]->location) == dir.file("extra/extra.rules") + ":7:10");
    SECTION("not when no object of the kind was loaded") {
        TempDir d2;
        auto r2 = run_with(d2, rebuild_plan(), {}, rules);
        CHECK(r2->findings("inventory.field-absent").empty());
    }
}

TEST_CASE("a call-scope rule reading a per-target let is a rule-file error", "[fail-closed][rules]") {
    TempDir dir;
    auto e = rules_error(dir,
                         "rule my.bad {\n  title = \"t\";\n  severity = warning;\n  operations = [\"ecd.RebuildDesktops\"];\n"
                         "  when = desktop.DesktopStatus == \"Running\";\n  message = \"m\";\n  source = \"test\";\n}\n");
    REQUIRE(e);
    CHECK(e->id == "rules.target-in-call-scope");
    CHECK(e->file == dir.file("bad/bad.rules"));
    CHECK(e->where() == "5:10");
    CHECK(e->message.find("'desktop' is computed per target") != std::string::npos);
    SECTION("through the rule's own let, and `target` itself") {
        TempDir d2;
        auto e2 = rules_error(d2,
                              "rule my.bad {\n  title = \"t\";\n  severity = warning;\n  operations = [\"ecd.RebuildDesktops\"];\n"
                              "  let t = target;\n  when = exists(t);\n  message = \"m\";\n  source = \"test\";\n}\n");
        REQUIRE(e2);
        CHECK(e2->id == "rules.target-in-call-scope");
        CHECK(e2->where() == "5:11");
    }
    SECTION("the same rule with scope = target compiles") {
        TempDir d3;
        CHECK_FALSE(rules_error(d3,
                                "rule my.ok {\n  title = \"t\";\n  severity = warning;\n  operations = [\"ecd.RebuildDesktops\"];\n"
                                "  scope = target;\n  when = desktop.DesktopStatus == \"Running\";\n  message = \"m\";\n  source = \"test\";\n}\n"));
    }
}

TEST_CASE("an effect setting a field its kind does not have is a rule-file error", "[fail-closed][rules]") {
    TempDir dir;
    auto e = rules_error(dir,
                         "effect my.set {\n  operations = [\"ecd.RebuildDesktops\"];\n  set desktop.ImageID = \"m-2\";\n"
                         "  source = \"test\";\n}\n");
    REQUIRE(e);
    CHECK(e->id == "rules.unknown-field");
    CHECK(e->where() == "3:7");
    CHECK(e->message.find("resource desktop has no field 'ImageID' (did you mean 'ImageId'?)") == 0);
    SECTION("a write to something that is no inventory object") {
        TempDir d2;
        auto e2 = rules_error(d2, "effect my.set {\n  operations = [\"ecd.RebuildDesktops\"];\n  set call.ImageId = \"m-2\";\n"
                                  "  source = \"test\";\n}\n");
        REQUIRE(e2);
        CHECK(e2->id == "rules.set-target");
        CHECK(e2->where() == "3:7");
    }
}

TEST_CASE("an optional list parameter left out acts on nothing", "[fail-closed][targets]") {
    TempDir dir;
    std::string inv = dir.write("inv/list_image.json",
                                R"({"Data": [{"ImageId": "img-1", "ImageName": "n", "Status": "Available", "ImageRegionList": ["cn-hangzhou"]}]})");
    auto r = run_with(dir, plan_of({"    {\"id\": \"d\", \"product\": \"appstream-center\", \"version\": \"2021-09-01\", "
                                    "\"action\": \"StartTaskForDistributeImage\", \"parameters\": {\"ImageId\": \"img-1\"}}"}),
                      {inv});
    REQUIRE(r->report.calls.size() == 1);
    CHECK(r->report.calls[0].targets.empty());
    CHECK(r->effects(0).empty());
    CHECK(r->report.changes.empty());
    // The request sends its lists as form fields: no DestinationRegionList is the empty one,
    // which the cloud answers with TargetDistributeRegionListEmpty (inferred).
    CHECK(r->findings("appstream.distribute.region-list-absent").size() == 1);
    CHECK_FALSE(r->report.calls[0].accepted);
    CHECK(r->report.calls[0].http == 400);
    CHECK(r->report.calls[0].code == "ImageDistribute.TargetDistributeRegionListEmpty");
}

TEST_CASE("a Terraform change of a resource type opguard does not map is an unmodeled call, never dropped", "[fail-closed][terraform]") {
    TempDir dir;
    const std::string plan =
        "{\"format_version\": \"1.2\", \"resource_changes\": [\n"
        " {\"address\": \"alicloud_nas_file_system.share\", \"mode\": \"managed\", \"type\": \"alicloud_nas_file_system\", \"provider_name\": \"registry.terraform.io/aliyun/alicloud\",\n"
        "  \"change\": {\"actions\": [\"delete\"], \"before\": {\"id\": \"i-1\"}, \"after\": null}},\n"
        " {\"address\": \"alicloud_oss_bucket.logs\", \"mode\": \"managed\", \"type\": \"alicloud_oss_bucket\", \"provider_name\": \"registry.terraform.io/aliyun/alicloud\",\n"
        "  \"change\": {\"actions\": [\"delete\", \"create\"], \"before\": {\"id\": \"d-1\"}, \"after\": {}}},\n"
        " {\"address\": \"alicloud_vpc.main\", \"mode\": \"managed\", \"type\": \"alicloud_vpc\", \"provider_name\": \"registry.terraform.io/aliyun/alicloud\",\n"
        "  \"change\": {\"actions\": [\"no-op\"], \"before\": {\"id\": \"vpc-1\"}, \"after\": {\"id\": \"vpc-1\"}}},\n"
        " {\"address\": \"data.alicloud_images.all\", \"mode\": \"data\", \"type\": \"alicloud_images\",\n"
        "  \"change\": {\"actions\": [\"read\"], \"before\": null, \"after\": {}}}\n"
        "]}\n";
    dir.write("tfplan.json", plan);
    CliRun r = run_opguard(dir.path().string(), "check tfplan.json -i " + shell_quote(source_path("samples/fleet")) + " --format json");
    CHECK(r.exit == 1);
    const auto report = nlohmann::json::parse(r.out);
    REQUIRE(report["calls"].size() == 2);  // the no-op and the data source read change nothing
    CHECK(report["calls"][0]["id"] == "alicloud_nas_file_system.share");
    CHECK(report["calls"][1]["id"] == "alicloud_oss_bucket.logs");
    std::vector<std::string> places;
    for (const auto& f : report["findings"])
        if (f["rule"] == "plan.unmodeled-call") places.push_back(f["location"]["line"].dump() + ":" + f["location"]["column"].dump());
    CHECK(places == std::vector<std::string>{"2:14", "4:14"});  // each at its address
    CHECK(report["summary"]["calls_not_modeled"] == 2);
    CliRun text = run_opguard(dir.path().string(), "check tfplan.json -i " + shell_quote(source_path("samples/fleet")));
    CHECK(text.out.find("no rule file describes alicloud delete alicloud_nas_file_system: opguard cannot tell what this call changes or destroys") !=
          std::string::npos);
    CHECK(text.out.find("no rule file describes alicloud delete+create alicloud_oss_bucket") != std::string::npos);
}

TEST_CASE("a rebuild of a desktop saved without its system disk still erases one: the effect and a warning say so", "[fail-closed][inventory]") {
    const std::string dir = source_path("rules/tests/ecd.rebuild.disks-not-saved");
    CliRun r = run_opguard(dir, "--no-config check plan.json -i inventory --format json");
    CHECK(r.exit == 0);  // a warning: the rebuild is accepted, its erase reported
    const auto report = nlohmann::json::parse(r.out);
    std::vector<std::string> erased;
    for (const auto& e : report["effects"])
        if (e["verb"] == "erased") {
            erased.push_back(e["id"].get<std::string>());
            CHECK(e["data_loss"] == true);
            CHECK(e["size_gib"].is_null());  // not known
        }
    CHECK(erased == std::vector<std::string>{"ecd-t-winstop:system", "ecd-t-nodisks:system"});
    CHECK(report["summary"]["text"] == "Plan: 2 desktops rebuilt, 2 disks erased.");
    std::vector<std::string> warned;
    for (const auto& f : report["findings"])
        if (f["rule"] == "ecd.rebuild.disks-not-saved") warned.push_back(f["target"].get<std::string>() + " " + f["message"].get<std::string>().substr(0, 90));
    CHECK(warned == std::vector<std::string>{"ecd-t-winstop desktop ecd-t-winstop is saved without a SYSTEM disk in Disks (no Disks field): the rebuil",
                                             "ecd-t-nodisks desktop ecd-t-nodisks is saved without a SYSTEM disk in Disks (an empty list): the rebuild"});
}

TEST_CASE("an OsType not saved: the data disk counts as erased, and no refusal rests on an OS change", "[fail-closed][inventory]") {
    const std::string dir = source_path("rules/tests/ecd.rebuild.os-unknown");
    CliRun r = run_opguard(dir, "--no-config check plan.json -i inventory");
    CHECK(r.exit == 0);
    CHECK(r.out.find("warning[ecd.rebuild.os-unknown] plan.json:12:11 (ecd-t-hkwin)\n      desktop ecd-t-hkwin is saved without OsType") != std::string::npos);
    CHECK(r.out.find("error[ecd.rebuild.os-change-outside-mainland]") == std::string::npos);
    CHECK(r.out.find("disk d-t-hk-sys erased (80 GiB)") != std::string::npos);
    CHECK(r.out.find("ecd-t-hkwin: accepted Success") != std::string::npos);
}

TEST_CASE("a target given twice in one call is warned of, and its effects are predicted once", "[fail-closed][repeated]") {
    CliRun r = run_opguard(source_path("rules/tests"), "--no-config check plan.repeated-target/plan.json -i inventory --format json");
    CHECK(r.exit == 0);
    const auto report = nlohmann::json::parse(r.out);
    std::vector<std::string> targets;
    for (const auto& t : report["calls"][0]["targets"]) targets.push_back(t["id"].get<std::string>() + " " + t["outcome"].get<std::string>());
    CHECK(targets == std::vector<std::string>{"ecd-t-winstop accepted", "ecd-t-linstop accepted", "ecd-t-winstop accepted"});
    std::vector<std::string> effects;
    for (const auto& e : report["effects"]) effects.push_back(e["id"].get<std::string>());
    // ecd-t-winstop's disks, snapshots and status once, not twice.
    CHECK(effects == std::vector<std::string>{"d-t-ws-sys", "d-t-ws-data", "s-t-ws-sys", "s-t-ws-data", "ecd-t-winstop", "d-t-ls-sys", "d-t-ls-data", "ecd-t-linstop"});
    CHECK(report["summary"]["text"] == "Plan: 2 desktops rebuilt, 3 disks erased (200 GiB), 1 disk retained (100 GiB), 1 snapshot deleted, 1 snapshot kept.");
    REQUIRE(report["findings"].size() == 1);
    const auto& f = report["findings"][0];
    CHECK(f["rule"] == "plan.repeated-target");
    CHECK(f["severity"] == "warning");
    CHECK(f["location"]["line"] == 8);
    CHECK(f["location"]["column"] == 57);  // the second "ecd-t-winstop"
    CHECK(f["message"] == "ecd-t-winstop is given again (it is also target 1 of this call): what the cloud does with an id given twice in one request is "
                          "not documented; opguard predicts its effects once");
}

TEST_CASE("a saved field of another JSON type than the API returns is an error at the value, never read as false", "[fail-closed][inventory][types]") {
    TempDir dir;
    dir.write("inv/images.json", "{\"Images\": [\n"
                                 "  {\"ImageId\": \"m-gpu\", \"OsType\": \"Windows\", \"Status\": \"Available\", \"GpuCategory\": \"true\"},\n"
                                 "  {\"ImageId\": \"m-std\", \"OsType\": \"Windows\", \"Status\": \"Available\", \"GpuCategory\": false, \"Size\": \"40\"}\n"
                                 "]}\n");
    dir.write("inv/desktops.json", "{\"Desktops\": [\n"
                                   "  {\"DesktopId\": \"ecd-1\", \"DesktopStatus\": \"Stopped\", \"OsType\": \"Windows\", \"OfficeSiteId\": \"cn-hangzhou+dir-1\",\n"
                                   "   \"DesktopType\": \"ecd.basic.large\", \"GpuCategory\": 0, \"Disks\": {\"DiskType\": \"SYSTEM\"}}\n"
                                   "]}\n");
    dir.write("plan.sh", "aliyun ecd RebuildDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-1 --ImageId m-gpu\n");
    CliRun r = run_opguard(dir.path().string(), "--no-config check plan.sh -i inv --format json");
    CHECK(r.exit == 1);
    const auto report = nlohmann::json::parse(r.out);
    const std::vector<std::string> found = located(report, "inventory.field-type", 60);
    // The image's string "true" and the desktop's Disks object; m-std's Size "40" is a number
    // (a numeric string counts), and m-std is not read by the check.
    CHECK(found == std::vector<std::string>{"inv/images.json:2:83 image m-gpu: GpuCategory is \"true\" (a string), where the API",
                                            "inv/desktops.json:3:65 desktop ecd-1: Disks is {\"DiskType\":\"SYSTEM\"} (an object), w"});
}

TEST_CASE("a mistyped field find_all matches on is reported though no rule ever reads the object", "[fail-closed][inventory][types]") {
    TempDir dir;
    dir.write("inv/instances.json", "{\"Instances\": {\"Instance\": [{\"InstanceId\": \"i-1\", \"RegionId\": \"cn-hangzhou\", \"Status\": \"Stopped\"}]}}\n");
    dir.write("inv/disks.json", "{\"Disks\": {\"Disk\": [\n"
                                "  {\"DiskId\": \"d-1\", \"InstanceId\": [\"i-1\"], \"Type\": \"data\", \"Size\": 500, \"DeleteWithInstance\": true}\n"
                                "]}}\n");
    dir.write("plan.sh", "aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId i-1\n");
    CliRun r = run_opguard(dir.path().string(), "--no-config check plan.sh -i inv");
    CHECK(r.exit == 1);
    CHECK(r.out.find("error[inventory.field-type] inv/disks.json:2:35\n      disk d-1: InstanceId is [\"i-1\"] (an array), where the API returns a string") !=
          std::string::npos);
}

TEST_CASE("a local-disk family is found from InstanceType when InstanceTypeFamily is empty, in any case", "[fail-closed][inventory]") {
    TempDir dir;
    dir.write("i.json", R"({"Instances": {"Instance": [
      {"InstanceId": "i-1", "InstanceType": "ecs.d1ne.2xlarge", "InstanceTypeFamily": ""},
      {"InstanceId": "i-2", "InstanceType": "ecs.g7.large", "InstanceTypeFamily": "ECS.I2"}
    ]}})");
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    Inventory inv = load_inventory(sources, {dir.file("i.json")}, rules);
    CHECK(inv.find("instance", "i-1")->value().find("family")->as_string() == "ecs.d1ne");
    CHECK(inv.find("instance", "i-1")->value().find("local_disk_family")->truthy());
    CHECK(inv.find("instance", "i-2")->value().find("local_disk_family")->truthy());
}

TEST_CASE("an id not on the saved pages of a list that misses pages is refused, and the message says it may be on a page not saved", "[fail-closed][inventory][pages]") {
    TempDir dir;
    // Desktops: one page that asks for the next; instances: every page saved.
    dir.write("inv/desktops.json", "{\"Desktops\": [{\"DesktopId\": \"ecd-1\", \"OfficeSiteId\": \"cn-hangzhou+dir-1\", \"DesktopStatus\": \"Stopped\"}],\n"
                                   " \"NextToken\": \"page-2\"}\n");
    dir.write("inv/instances.json", "{\"TotalCount\": 1, \"Instances\": {\"Instance\": [{\"InstanceId\": \"i-1\", \"RegionId\": \"cn-hangzhou\", \"Status\": \"Running\"}]}}\n");
    dir.write("plan.sh", "aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-9\n"
                         "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-9\n");
    CliRun r = run_opguard(dir.path().string(), "--no-config check plan.sh -i inv --format json");
    CHECK(r.exit == 1);
    const auto report = nlohmann::json::parse(r.out);
    std::vector<std::string> found;
    for (const auto& f : report["findings"])
        if (f["rule"] == "ecd.desktop.unknown" || f["rule"] == "ecs.redeploy.unknown-instance")
            found.push_back(f["rule"].get<std::string>() + ": " + f["message"].get<std::string>());
    CHECK(found == std::vector<std::string>{
                       "ecd.desktop.unknown: desktop ecd-9 is not in the saved DescribeDesktops responses (those responses miss pages: it may be on "
                       "a page not saved, and the outcome shown is the answer to an id that does not exist)",
                       "ecs.redeploy.unknown-instance: instance i-9 is not in the saved DescribeInstances responses"});
    // Still refused (fail-closed), with the page warning at the NextToken.
    CHECK(report["calls"][0]["targets"][0]["outcome"] == "refused");
    CHECK(report["calls"][1]["outcome"] == "refused");
    CHECK(located(report, "inventory.incomplete", 0) == std::vector<std::string>{"inv/desktops.json:2:15 "});
}

TEST_CASE("Huawei desktops, ECS events and the other kinds declare their types too: a value of another type is an error at it", "[fail-closed][inventory][types]") {
    TempDir dir;
    // A Huawei desktop whose metadata was saved as a string, and an ECS system event whose
    // EventType was flattened to its name (the API returns {Code, Name}).
    dir.write("inv/list_desktops_detail.json",
              "{\"desktops\": [\n"
              "  {\"desktop_id\": \"hw-1\", \"status\": \"ACTIVE\", \"metadata\": \"metering.image_id=img-1\"}\n"
              "], \"total_count\": 1}\n");
    dir.write("inv/list_images.json", "{\"images\": [{\"id\": \"img-1\", \"os_type\": \"Windows\"}], \"total_count\": 1}\n");
    dir.write("inv/instances.json", "{\"Instances\": {\"Instance\": [{\"InstanceId\": \"i-1\", \"RegionId\": \"cn-hangzhou\", \"Status\": \"Running\"}]}}\n");
    dir.write("inv/events.json", "{\"InstanceSystemEventSet\": {\"InstanceSystemEventType\": [\n"
                                 "  {\"EventId\": \"e-1\", \"InstanceId\": \"i-1\", \"EventType\": \"SystemMaintenance.Redeploy\",\n"
                                 "   \"EventCycleStatus\": {\"Code\": 24, \"Name\": \"Scheduled\"}}\n"
                                 "]}}\n");
    dir.write("plan.json", R"({"calls": [
  {"id": "check", "cloud": "huaweicloud", "service": "workspace", "method": "POST", "path": "/v2/{project_id}/desktops/check-images",
   "path_params": {"project_id": "p"}, "body": {"desktop_ids": ["hw-1"]}},
  {"id": "redeploy", "product": "ecs", "version": "2014-05-26", "action": "RedeployInstance",
   "parameters": {"RegionId": "cn-hangzhou", "InstanceId": "i-1"}}
]}
)");
    CliRun r = run_opguard(dir.path().string(), "--no-config check plan.json -i inv --format json");
    CHECK(r.exit == 1);
    const auto report = nlohmann::json::parse(r.out);
    const std::vector<std::string> found = located(report, "inventory.field-type", 52);
    CHECK(found == std::vector<std::string>{"inv/events.json:2:56 system event e-1: EventType is \"SystemMaintenance.Re",
                                            "inv/list_desktops_detail.json:2:58 Huawei desktop hw-1: metadata is \"metering.image_id="});
}

TEST_CASE("a rule's list + list is one list, as concat makes it: a check on it is not silently false", "[fail-closed][rules]") {
    // It was null: count(a + b) > 0 never fired, and nothing said so.
    TempDir dir;
    auto r = run_with(dir, rebuild_plan(), {dir.write("inv/desktops.json", kDesktops)},
                      "rule policy.joined {\n  title = \"t\";\n  severity = warning;\n  operations = [\"ecd.RebuildDesktops\"];\n"
                      "  scope = call;\n  when = count(call.DesktopId + [\"ecd-9\"]) == 3 and (call.DesktopId + [\"ecd-9\"])[2] == \"ecd-9\";\n"
                      "  message = \"{join(call.DesktopId + ['ecd-9'], ' ')}\";\n  source = \"s\";\n}\n");
    auto f = r->findings("policy.joined");
    REQUIRE(f.size() == 1);
    CHECK(f[0]->message == "ecd-1 ecd-2 ecd-9");
}

TEST_CASE("a reset of a group whose desktops are not known acts on targets opguard cannot resolve, never no change", "[fail-closed][targets]") {
    for (const char* name : {"ecd.reset.group-ids-not-expanded", "ecd.reset.group-not-saved"}) {
        INFO(name);
        TempDir dir;
        std::string base = source_path(std::string("rules/tests/") + name);
        std::string inv = std::filesystem::exists(base + "/inventory") ? base + "/inventory" : source_path("rules/tests/inventory");
        auto r = run_with(dir, slurp(base + "/plan.json"), {inv});
        REQUIRE(r->report.calls.size() == 1);
        const CallOutcome& c = r->report.calls[0];
        CHECK(c.accepted);
        CHECK(c.unresolved_targets);
        CHECK(c.acts_on_unresolved());
        CHECK(c.response.is_null());
        CHECK(r->effects(0).empty());
        CHECK(r->findings(name).size() == 1);
        CHECK(r->report.summary() == "Plan: 1 call acts on targets opguard cannot resolve: its effects are not predicted.");
    }
    // Near miss: a group whose desktops are saved is expanded to them.
    TempDir dir;
    std::string base = source_path("rules/tests/ecd.reset.group-ids-not-expanded.no");
    std::string inv = std::filesystem::exists(base + "/inventory") ? base + "/inventory" : source_path("rules/tests/inventory");
    auto r = run_with(dir, slurp(base + "/plan.json"), {inv});
    CHECK_FALSE(r->report.calls.at(0).unresolved_targets);
}
