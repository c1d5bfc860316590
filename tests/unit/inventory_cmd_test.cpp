// `opguard inventory PLAN`: the script of aliyun / hcloud commands that save what check reads
// (engine/inventory_script.hpp, the `listing` items of rules/*.rules).
#include "test_support.hpp"

#include "engine/inventory_script.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// Ids ecd-sh001 ... ecd-shNNN.
std::vector<std::string> shanghai_ids(int n) {
    std::vector<std::string> out;
    for (int i = 1; i <= n; ++i) {
        char b[16];
        std::snprintf(b, sizeof b, "ecd-sh%03d", i);
        out.push_back(b);
    }
    return out;
}

std::string json_list(const std::vector<std::string>& ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? ", \"" : "\"") + ids[i] + "\"";
    return s + "]";
}

// ECD in two regions (101 desktops in one: two commands), ECS in one region and with no
// region at all, a WUYING client call carrying a login token, and a call no rule describes.
std::string json_plan() {
    return "{\n  \"calls\": [\n"
           "    {\"id\": \"hz-rebuild\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"RebuildDesktops\",\n"
           "     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-hz02\", \"ecd-hz01\"], \"ImageId\": \"m-new\"}},\n"
           "    {\"id\": \"sh-stop\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"StopDesktops\",\n"
           "     \"parameters\": {\"RegionId\": \"cn-shanghai\", \"DesktopId\": " + json_list(shanghai_ids(101)) + "}},\n"
           "    {\"id\": \"redeploy\", \"product\": \"ecs\", \"version\": \"2014-05-26\", \"action\": \"RedeployInstance\",\n"
           "     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"InstanceId\": \"i-hz1\"}},\n"
           "    {\"id\": \"redeploy-where\", \"product\": \"ecs\", \"version\": \"2014-05-26\", \"action\": \"RedeployInstance\",\n"
           "     \"parameters\": {\"InstanceId\": \"i-nowhere\"}},\n"
           "    {\"id\": \"client-reboot\", \"product\": \"ecd\", \"version\": \"2020-10-02\", \"action\": \"RebootDesktops\",\n"
           "     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-hz01\"], \"ClientId\": \"c-1\", \"SessionId\": \"s-1\",\n"
           "                    \"LoginToken\": \"lt-SECRET-4711\", \"ClientToken\": \"tok-1\"}},\n"
           "    {\"id\": \"sites\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"DescribeOfficeSites\",\n"
           "     \"parameters\": {\"RegionId\": \"cn-hangzhou\"}}\n"
           "  ]\n}\n";
}

std::string repeat_flags(const std::string& flag, const std::vector<std::string>& ids) {
    std::string s;
    for (size_t i = 0; i < ids.size(); ++i) s += " " + flag + "." + std::to_string(i + 1) + " " + ids[i];
    return s;
}

std::string script_of(const std::string& plan_path, const std::string& dir = "inventory") {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    Plan plan = load_plan_any(sources, plan_path, rules);
    InventoryScriptOptions o;
    o.dir = dir;
    o.plan_path = plan_path;
    return inventory_script(sources, plan, rules, o);
}

// A shell script plan: aliyun ecd and ecs lines, and hcloud Workspace lines.
const char* kShellPlan =
    "#!/bin/sh\n"
    "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hz01 --ImageId m-new --force\n"
    "aliyun ecs RedeployInstance --region cn-beijing --InstanceId i-bj1 --ForceStop false\n"
    "aliyun ecs RedeployInstance --RegionId \"$REGION\" --InstanceId i-var\n"
    "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --desktop_ids.1=hw-d1 --desktop_ids.2=hw-d2\n"
    "hcloud Workspace CheckDesktopImages --desktop_ids.1=hw-d3\n"
    "for id in $(cat ids.txt); do\n"
    "  aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 \"$id\" --force\n"
    "done\n";

// Stand-ins for the two clients: they answer the Describe/List calls for exactly the ids
// they are given, shaped as `aliyun ... --pager` and KooCLI write them, and log every call.
const char* kFakeAliyun = R"SH(#!/bin/sh
echo "aliyun $*" >> "$CALL_LOG"
product=$1; action=$2; shift 2
region=; ids=; pager=
while [ $# -gt 0 ]; do
  case $1 in
    --RegionId) region=$2; shift 2;;
    --DesktopId.*|--ImageId.*) ids="$ids $2"; shift 2;;
    --InstanceIds) ids=$(printf '%s' "$2" | tr -d '[]"' | tr ',' ' '); shift 2;;
    --pager) pager=$2; shift 2;;
    *) shift;;
  esac
done
sep=
case $action in
  DescribeDesktops)
    [ "$pager" = 'path=Desktops[]' ] || exit 9
    printf '{\n\t"Desktops": ['
    for id in $ids; do
      printf '%s{"DesktopId": "%s", "DesktopStatus": "Stopped", "OfficeSiteId": "%s+dir-1", "OsType": "Windows", "ImageId": "m-old", "DesktopType": "ecd.basic.large", "GpuCategory": 0, "Disks": []}' "$sep" "$id" "$region"; sep=,
    done
    printf ']\n}\n';;
  DescribeImages)
    printf '{"Images": ['
    for id in $ids; do printf '%s{"ImageId": "%s", "Status": "Available", "OsType": "WINDOWS", "GpuCategory": false}' "$sep" "$id"; sep=,; done
    printf ']}\n';;
  DescribeInstances)
    printf '{"Instances": {"Instance": ['
    for id in $ids; do printf '%s{"InstanceId": "%s", "RegionId": "%s", "Status": "Running", "LocalStorageAmount": 0}' "$sep" "$id" "$region"; sep=,; done
    printf ']}}\n';;
  *) exit 8;;
esac
)SH";

const char* kFakeHcloud = R"SH(#!/bin/sh
echo "hcloud $*" >> "$CALL_LOG"
ids=; offset=
for a in "$@"; do
  case $a in
    --desktop_id.*=*) ids="$ids ${a#*=}";;
    --offset=*) offset=${a#*=};;
  esac
done
sep=
printf '{"desktops": ['
if [ "$offset" = 0 ]; then
  for id in $ids; do printf '%s{"desktop_id": "%s", "computer_name": "pc-%s", "status": "ACTIVE", "metadata": {"metering.image_id": "img-1", "os_type": "Windows"}}' "$sep" "$id" "$id"; sep=,; done
fi
printf '], "total_count": 700}\n'
)SH";

}  // namespace

TEST_CASE("inventory: a JSON plan gives one aliyun command per product and region and 100 ids", "[inventory-cmd]") {
    TempDir dir;
    const std::string plan = dir.write("plan.json", json_plan());
    const std::string script = script_of(plan);
    const auto sh = shanghai_ids(101);
    const std::string pager = " --force --pager 'path=Desktops[]'";
    const std::string expected =
        "#!/bin/sh\n"
        "# The responses opguard check reads for " + plan + " (written by opguard inventory).\n"
        "# Run it where the CLIs are configured, then: opguard check " + plan + " --inventory inventory\n"
        "set -eu\n"
        "mkdir -p inventory\n"
        "# call sites at " + plan + ":14:5: no rule file describes this call; nothing is saved for it\n"
        "\n"
        "# desktop (ECD DescribeDesktops), cn-hangzhou: 2 ids, at most 100 a command\n"
        "aliyun ecd DescribeDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hz01 --DesktopId.2 ecd-hz02" + pager +
        " > inventory/ecd-DescribeDesktops-cn-hangzhou-1.json\n"
        "\n"
        "# desktop (ECD DescribeDesktops), cn-shanghai: 101 ids, at most 100 a command\n"
        "aliyun ecd DescribeDesktops --RegionId cn-shanghai" + repeat_flags("--DesktopId", {sh.begin(), sh.begin() + 100}) + pager +
        " > inventory/ecd-DescribeDesktops-cn-shanghai-1.json\n"
        "aliyun ecd DescribeDesktops --RegionId cn-shanghai --DesktopId.1 ecd-sh101" + pager +
        " > inventory/ecd-DescribeDesktops-cn-shanghai-2.json\n"
        "\n"
        "# image (ECD DescribeImages), cn-hangzhou: 1 id, all in one command (How many ImageId values one request takes is not "
        "documented: every image of a region is asked for in one command.)\n"
        "aliyun ecd DescribeImages --RegionId cn-hangzhou --ImageId.1 m-new --force --pager 'path=Images[]' > "
        "inventory/ecd-DescribeImages-cn-hangzhou-1.json\n"
        "\n"
        "# instance (ECS DescribeInstances), cn-hangzhou: 1 id, at most 100 a command\n"
        "aliyun ecs DescribeInstances --RegionId cn-hangzhou --InstanceIds '[\"i-hz1\"]' --pager 'path=Instances.Instance[]' > "
        "inventory/ecs-DescribeInstances-cn-hangzhou-1.json\n"
        "\n"
        "# instance (ECS DescribeInstances): the region of these is not known from the plan; first needed by call redeploy-where at " +
        plan + ":9:5.\n"
        "# Put the region in place of REGION and run:\n"
        "# aliyun ecs DescribeInstances --RegionId REGION --InstanceIds '[\"i-nowhere\"]' --pager 'path=Instances.Instance[]' > "
        "inventory/ecs-DescribeInstances-REGION-1.json\n"
        "\n"
        "# App Streaming image (app_image): the rules look up these ids, and no rule file says which command lists them; save a "
        "response with Data[] in inventory by hand:\n"
        "#   m-new (call hz-rebuild at " + plan + ":3:5)\n"
        "\n"
        "# instance full status (ecs_full_status): the rules look up these ids, and no rule file says which command lists them; "
        "save a response with InstanceFullStatusSet.InstanceFullStatusType[] in inventory by hand:\n"
        "#   i-hz1 (call redeploy at " + plan + ":7:5)\n"
        "#   i-nowhere (call redeploy-where at " + plan + ":9:5)\n"
        "\n"
        "# Read by the rules through other saved objects, so not named by the plan alone (save them too for the checks that read them; "
        "once the others are saved, opguard inventory " + plan + " --inventory inventory names those it can):\n"
        "#   ecs_event\n"
        "#   snapshot\n";
    CHECK(script == expected);
    // The login token of the client call is a parameter, never an id: it is nowhere.
    CHECK(script.find("lt-SECRET-4711") == std::string::npos);
    // Deterministic: the same inputs, the same bytes.
    CHECK(script_of(plan) == script);
    // A runnable POSIX shell script.
    const std::string saved = dir.write("save.sh", script);
    const CliRun n = run_captured(dir.path().string(), "sh -n " + shell_quote(saved));
    CHECK(n.exit == 0);
    CHECK(n.err.empty());
}

TEST_CASE("inventory: a shell-script plan gives aliyun commands and an hcloud page loop", "[inventory-cmd]") {
    TempDir dir;
    const std::string plan = dir.write("rollout.sh", kShellPlan);
    const std::string script = script_of(plan, "saved inv");
    // ECS: --region gives the region of a line without --RegionId.
    CHECK(script.find("\naliyun ecs DescribeInstances --RegionId cn-beijing --InstanceIds '[\"i-bj1\"]' --pager "
                      "'path=Instances.Instance[]' > 'saved inv/ecs-DescribeInstances-cn-beijing-1.json'\n") != std::string::npos);
    // ECD, with the folder quoted as one shell word.
    CHECK(script.find("\naliyun ecd DescribeDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hz01 --force --pager 'path=Desktops[]' > "
                      "'saved inv/ecd-DescribeDesktops-cn-hangzhou-1.json'\n") != std::string::npos);
    // An unresolved $REGION is no region: the command waits for one, in a comment.
    CHECK(script.find("# instance (ECS DescribeInstances): the region of these is not known from the plan; first needed by call line-4 at " +
                      plan + ":4:1.\n# Put the region in place of REGION and run:\n"
                      "# aliyun ecs DescribeInstances --RegionId REGION --InstanceIds '[\"i-var\"]' --pager 'path=Instances.Instance[]' > "
                      "'saved inv/ecs-DescribeInstances-REGION-1.json'\n") != std::string::npos);
    CHECK(script.find("$REGION") == std::string::npos);
    // KooCLI merges no pages: a loop over offset until total_count.
    const std::string loop =
        "\n# Huawei desktop (Huawei Workspace ListDesktopsDetail), cn-north-4: 2 ids, at most 500 a command\n"
        "offset=0\n"
        "while :; do\n"
        "  hcloud Workspace ListDesktopsDetail --cli-region=cn-north-4 --desktop_id.1=hw-d1 --desktop_id.2=hw-d2 --limit=500 "
        "--offset=\"$offset\" > 'saved inv/Workspace-ListDesktopsDetail-cn-north-4-1-'\"$offset\".json\n"
        "  total=$(sed -n 's/.*\"total_count\"[^0-9]*\\([0-9][0-9]*\\).*/\\1/p' 'saved inv/Workspace-ListDesktopsDetail-cn-north-4-1-'\"$offset\".json"
        " | head -n 1)\n"
        "  offset=$((offset + 500))\n"
        "  [ \"$offset\" -lt \"${total:-0}\" ] || break\n"
        "done\n";
    CHECK(script.find(loop) != std::string::npos);
    // A KooCLI line without --cli-region: the profile's region, not known here.
    CHECK(script.find("# Huawei desktop (Huawei Workspace ListDesktopsDetail): the region of these is not known from the plan; first "
                      "needed by call line-6 at " + plan + ":6:1.\n# Put the region in place of REGION and run:\n"
                      "# hcloud Workspace ListDesktopsDetail --cli-region=REGION --desktop_id.1=hw-d3 > "
                      "'saved inv/Workspace-ListDesktopsDetail-REGION-1.json'\n") != std::string::npos);
    // A list element a loop supplies is not known: said, not guessed.
    CHECK(script.find("\n# call line-8 at " + plan + ":8:3: a list element opguard cannot know (\"$id\" (id is the variable of the loop at " +
                      plan + ":7:5)) is left out; save its object by hand\n") != std::string::npos);
    CHECK(script.rfind("#!/bin/sh\n", 0) == 0);
    CHECK(script.find("\nset -eu\nmkdir -p 'saved inv'\n") != std::string::npos);
    const std::string saved = dir.write("save.sh", script);
    const CliRun n = run_captured(dir.path().string(), "sh -n " + shell_quote(saved));
    CHECK(n.exit == 0);
    CHECK(n.err.empty());
}

TEST_CASE("inventory: the saved responses are what check --inventory DIR reads", "[inventory-cmd]") {
    TempDir dir;
    dir.write("bin/aliyun", kFakeAliyun);
    dir.write("bin/hcloud", kFakeHcloud);
    fs::permissions(dir.path() / "bin/aliyun", fs::perms::owner_all);
    fs::permissions(dir.path() / "bin/hcloud", fs::perms::owner_all);
    const std::string plan = dir.write("plan.sh",
                                       "aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hz01 --DesktopId.2 ecd-hz02 --force\n"
                                       "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-hz1\n"
                                       "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --desktop_ids.1=hw-d1\n");
    const CliRun gen = run_opguard(dir.path().string(), "inventory plan.sh -o saved");
    REQUIRE(gen.exit == 0);
    CHECK(gen.err.empty());
    dir.write("save.sh", gen.out);
    const CliRun ran = run_captured(dir.path().string(), "PATH=\"$PWD/bin:$PATH\" CALL_LOG=\"$PWD/calls.log\" sh save.sh");
    REQUIRE(ran.exit == 0);
    // The files are where the script says, and the hcloud loop asked for the second page.
    CHECK(fs::is_regular_file(dir.path() / "saved/ecd-DescribeDesktops-cn-hangzhou-1.json"));
    CHECK(fs::is_regular_file(dir.path() / "saved/ecs-DescribeInstances-cn-hangzhou-1.json"));
    CHECK(fs::is_regular_file(dir.path() / "saved/Workspace-ListDesktopsDetail-cn-north-4-1-0.json"));
    CHECK(fs::is_regular_file(dir.path() / "saved/Workspace-ListDesktopsDetail-cn-north-4-1-500.json"));
    CHECK_FALSE(fs::exists(dir.path() / "saved/Workspace-ListDesktopsDetail-cn-north-4-1-1000.json"));
    const std::string log = slurp(dir.file("calls.log"));
    CHECK(log.find("aliyun ecd DescribeDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hz01 --DesktopId.2 ecd-hz02 --force --pager "
                   "path=Desktops[]\n") != std::string::npos);
    CHECK(log.find("hcloud Workspace ListDesktopsDetail --cli-region=cn-north-4 --desktop_id.1=hw-d1 --limit=500 --offset=500\n") !=
          std::string::npos);

    const CliRun check = run_opguard(dir.path().string(), "check plan.sh --inventory saved --format json");
    CHECK(check.exit <= 1);
    CHECK(check.err.empty());
    // Every saved file is read, and every object the plan names is found.
    for (const char* f : {"saved/ecd-DescribeDesktops-cn-hangzhou-1.json", "saved/ecs-DescribeInstances-cn-hangzhou-1.json",
                          "saved/Workspace-ListDesktopsDetail-cn-north-4-1-0.json",
                          "saved/Workspace-ListDesktopsDetail-cn-north-4-1-500.json"})
        CHECK(check.out.find(std::string("\"") + f + "\"") != std::string::npos);
    CHECK(check.out.find("ecd.desktop.unknown") == std::string::npos);
    CHECK(check.out.find("ecs.redeploy.unknown-instance") == std::string::npos);
    CHECK(check.out.find("hw.check-images.unknown-desktop") == std::string::npos);
    // The stopped desktops are refused by StopDesktops (Running required): the check used them.
    CHECK(check.out.find("ecd.power.desktop-status") != std::string::npos);
}

TEST_CASE("inventory: the command line", "[inventory-cmd]") {
    TempDir dir;
    dir.write("plan.json", json_plan());
    const CliRun a = run_opguard(dir.path().string(), "inventory plan.json --output-dir out/inv");
    CHECK(a.exit == 0);
    CHECK(a.out.find("\nmkdir -p out/inv\n") != std::string::npos);
    CHECK(a.out.find(" > out/inv/ecd-DescribeDesktops-cn-hangzhou-1.json\n") != std::string::npos);
    // Nothing is written but the script on standard output.
    CHECK_FALSE(fs::exists(dir.path() / "out"));
    const CliRun missing = run_opguard(dir.path().string(), "inventory nope.json");
    CHECK(missing.exit == 2);
    CHECK(missing.err.find("nope.json") != std::string::npos);
    const CliRun bad = run_opguard(dir.path().string(), "inventory plan.json -o ''");
    CHECK(bad.exit == 2);
    CHECK(bad.err.find("error[usage]") != std::string::npos);
    // A folder starting with '-' is written ./-rf: mkdir and check --inventory would read it as options.
    const CliRun dash = run_opguard(dir.path().string(), "inventory plan.json --output-dir=-rf");
    CHECK(dash.exit == 0);
    CHECK(dash.out.find("\nmkdir -p ./-rf\n") != std::string::npos);
    CHECK(dash.out.find(" > ./-rf/ecd-DescribeDesktops-cn-hangzhou-1.json\n") != std::string::npos);
    CHECK(dash.out.find("--inventory ./-rf\n") != std::string::npos);
    CHECK(dash.out.find(" -rf") == std::string::npos);
}

TEST_CASE("inventory: a listing in a rule file is checked like every item", "[inventory-cmd]") {
    TempDir dir;
    auto compile = [&](const std::string& text) {
        const std::string path = dir.write("extra/listing.rules", text);
        SourceRegistry sources;
        return input_error([&] { load_rules(sources, RuleSources{true, {dir.file("extra")}}); });
    };
    const std::string unknown_kind = "listing x.List {\n  resource = \"desktops\";\n  command = [\"aliyun\"];\n  id_flag = \"--Id\";\n  source = \"s\";\n}\n";
    auto e = compile(unknown_kind);
    REQUIRE(e);
    CHECK(e->id == "rules.unknown-kind");
    CHECK(e->where() == "2:14");
    const std::string bad_key = "listing x.List {\n  resource = \"desktop\";\n  command = [\"aliyun\"];\n  id_flag = \"--Id\";\n  max_id = 5;\n  source = \"s\";\n}\n";
    e = compile(bad_key);
    REQUIRE(e);
    CHECK(e->id == "rules.unknown-property");
    CHECK(e->where() == "5:3");
    const std::string bad_form = "listing x.List {\n  resource = \"snapshot\";\n  command = [\"aliyun\"];\n  id_flag = \"--Id\";\n  id_form = csv;\n  source = \"s\";\n}\n";
    e = compile(bad_form);
    REQUIRE(e);
    CHECK(e->id == "rules.type");
    CHECK(e->where() == "5:13");
    CHECK(e->message == "'id_form' must be one of repeat, json, comma; found 'csv'");
    // The total field is spliced into a sed expression of the script: a plain name only.
    const std::string bad_total = "listing x.List {\n  resource = \"snapshot\";\n  command = [\"hcloud\"];\n  id_flag = \"--id\";\n"
                                  "  page = {limit_flag: \"--limit\", limit: 5, offset_flag: \"--offset\", total_field: \"n'/p\"};\n  source = \"s\";\n}\n";
    e = compile(bad_total);
    REQUIRE(e);
    CHECK(e->id == "rules.type");
    CHECK(e->where() == "5:10");
}

TEST_CASE("inventory: a listing in a --rules file replaces the built-in one", "[inventory-cmd]") {
    TempDir dir;
    // The aliyun CLI's plugin form, from a user's rule file: the script follows it.
    dir.write("rules/plugin.rules",
              "listing my.describe-desktops {\n"
              "  title = \"ECD plugin describe-desktops\";\n"
              "  resource = \"desktop\";\n"
              "  command = [\"aliyun\", \"ecd\", \"describe-desktops\"];\n"
              "  region_flag = \"--biz-region-id\";\n"
              "  region = call.RegionId;\n"
              "  id_flag = \"--desktop-id\";\n"
              "  id_form = comma;\n"
              "  max_ids = 2;\n"
              "  options = [\"--api-version\", \"2020-09-30\"];\n"
              "  pager = [\"--pager\", \"path=Desktops[]\"];\n"
              "  source = \"a team's runbook\";\n"
              "}\n");
    dir.write("plan.json", plan_of({rebuild_call("c1", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-c\", \"ecd-a\", \"ecd-b\"]"})}));
    const CliRun r = run_opguard(dir.path().string(), "inventory plan.json --rules rules");
    REQUIRE(r.exit == 0);
    CHECK(r.out.find("\n# desktop (ECD plugin describe-desktops), cn-hangzhou: 3 ids, at most 2 a command\n"
                     "aliyun ecd describe-desktops --biz-region-id cn-hangzhou --desktop-id ecd-a,ecd-b --api-version 2020-09-30 "
                     "--pager 'path=Desktops[]' > inventory/ecd-describe-desktops-cn-hangzhou-1.json\n"
                     "aliyun ecd describe-desktops --biz-region-id cn-hangzhou --desktop-id ecd-c --api-version 2020-09-30 "
                     "--pager 'path=Desktops[]' > inventory/ecd-describe-desktops-cn-hangzhou-2.json\n") != std::string::npos);
    CHECK(r.out.find("DescribeDesktops") == std::string::npos);
}

TEST_CASE("inventory: ids from the plan cannot break out of the script", "[inventory-cmd]") {
    TempDir dir;
    dir.write("plan.json", plan_of({rebuild_call("c1", {"\"RegionId\": \"cn-hangzhou\"",
                                                         "\"DesktopId\": [\"ecd-it's\", \"ecd-a\\nrm -rf /\", \"$(reboot)\"]"})}));
    const CliRun r = run_opguard(dir.path().string(), "inventory plan.json");
    REQUIRE(r.exit == 0);
    // Quoted as one word each; a newline in an id leaves it out, said in a one-line comment.
    CHECK(r.out.find("aliyun ecd DescribeDesktops --RegionId cn-hangzhou --DesktopId.1 '$(reboot)' --DesktopId.2 'ecd-it'\\''s' --force") !=
          std::string::npos);
    CHECK(r.out.find("# call c1 at plan.json:3:5: a desktop id opguard cannot know or write (ecd-a\\u000arm -rf /) is left out\n") !=
          std::string::npos);
    CHECK(r.out.find("\nrm -rf") == std::string::npos);
    dir.write("save.sh", r.out);
    const CliRun n = run_captured(dir.path().string(), "sh -n save.sh");
    CHECK(n.exit == 0);
}

TEST_CASE("inventory: with the responses saved so far, objects found through them are named", "[inventory-cmd]") {
    TempDir dir;
    // A rebuild onto each desktop's own image (no ImageId, as the OOS RebuildDesktop action
    // does it): which images depends on the saved desktops.
    dir.write("plan.json", plan_of({rebuild_call("c1", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-hz01\"]"})}));
    dir.write("saved/ecd-DescribeDesktops-cn-hangzhou-1.json",
              "{\"Desktops\": [{\"DesktopId\": \"ecd-hz01\", \"OfficeSiteId\": \"cn-hangzhou+dir-1\", \"ImageId\": \"m-current\","
              " \"DesktopStatus\": \"Stopped\", \"OsType\": \"Windows\"}]}\n");
    const CliRun first = run_opguard(dir.path().string(), "inventory plan.json -o saved");
    REQUIRE(first.exit == 0);
    CHECK(first.out.find("aliyun ecd DescribeImages") == std::string::npos);
    CHECK(first.out.find("\n# Read by the rules through other saved objects, so not named by the plan alone (save them too for the "
                         "checks that read them; once the others are saved, opguard inventory plan.json --inventory saved names those "
                         "it can):\n#   app_image\n#   image (ECD DescribeImages)\n#   snapshot\n") != std::string::npos);
    const CliRun second = run_opguard(dir.path().string(), "inventory plan.json -o saved --inventory saved");
    REQUIRE(second.exit == 0);
    CHECK(second.out.find("\naliyun ecd DescribeDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hz01 --force --pager 'path=Desktops[]' > "
                          "saved/ecd-DescribeDesktops-cn-hangzhou-1.json\n") != std::string::npos);
    CHECK(second.out.find("\naliyun ecd DescribeImages --RegionId cn-hangzhou --ImageId.1 m-current --force --pager 'path=Images[]' > "
                          "saved/ecd-DescribeImages-cn-hangzhou-1.json\n") != std::string::npos);
    CHECK(second.out.find("#   image (ECD DescribeImages)") == std::string::npos);
    // A broken saved file is the usual inventory error.
    dir.write("broken/x.json", "{\"Desktops\": [}");
    const CliRun bad = run_opguard(dir.path().string(), "inventory plan.json --inventory broken");
    CHECK(bad.exit == 2);
    CHECK(bad.err.find("broken/x.json:1:15: error[json.") != std::string::npos);
}
