// A shell plan that sources or runs another script (source FILE, . FILE, bash FILE,
// ./FILE.sh) runs the calls written there. opguard reads a script found in the plan's folder
// and checks its calls with the plan's, each located in its own file; one it cannot read
// (not there, a path computed at run time, a script that runs itself, too deep) is a
// placeholder call with plan.script-not-read, never silently nothing.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

const std::string kInventory = " --inventory " + shell_quote(source_path("tests/golden/ecs-instances-disks/inventory"));

}  // namespace

TEST_CASE("scripts the plan runs: read from the plan's folder, their calls checked and located in their own files", "[shell][scripts][fail-closed]") {
    TempDir dir;
    dir.write("ops/plan.sh", "#!/bin/bash\n"
                             "source lib/env.sh\n"
                             ". \"$(dirname \"$0\")/lib/stop.sh\"\n"
                             "bash -e ./delete.sh\n"
                             "./lib/start.sh --now\n");
    dir.write("ops/lib/env.sh", "REGION=cn-hangzhou\naliyun ecs DescribeInstances --RegionId cn-hangzhou\n");
    dir.write("ops/lib/stop.sh", "aliyun ecs StopInstance --RegionId cn-hangzhou --InstanceId i-bp1web000001\n");
    dir.write("ops/delete.sh", "# deletes the old instance\n\naliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001\n");
    dir.write("ops/lib/start.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-bp1web000001\n");
    const CliRun r = run_opguard(dir.path(), "check ops/plan.sh --format json" + kInventory);
    INFO(r.err);
    REQUIRE((r.exit == 0 || r.exit == 1));
    const auto report = nlohmann::json::parse(r.out);
    REQUIRE(report["calls"].size() == 4);
    const std::vector<std::string> ids = {"lib/env.sh:line-2", "lib/stop.sh:line-1", "delete.sh:line-3", "lib/start.sh:line-1"};
    const std::vector<std::string> files = {"ops/lib/env.sh", "ops/lib/stop.sh", "ops/delete.sh", "ops/lib/start.sh"};
    const std::vector<std::string> apis = {"ecs 2014-05-26 DescribeInstances", "ecs 2014-05-26 StopInstance", "ecs 2014-05-26 DeleteInstance",
                                           "ecs 2014-05-26 StartInstance"};
    for (size_t i = 0; i < 4; ++i) {
        CAPTURE(i);
        CHECK(report["calls"][i]["id"] == ids[i]);
        CHECK(report["calls"][i]["location"]["file"] == files[i]);
        CHECK(report["calls"][i]["location"]["line"] == (i == 0 ? 2 : i == 2 ? 3 : 1));
    }
    CHECK(report["calls"][1]["operation"] == "ecs.StopInstance");
    CHECK(report["calls"][2]["operation"] == "ecs.DeleteInstance");
    // The delete's effects are predicted as for a call written in the plan itself.
    bool released = false;
    for (const auto& e : report["effects"]) released = released || (e["id"] == "i-bp1old000001" && e["verb"] == "released");
    CHECK(released);
    for (const auto& f : report["findings"]) CHECK(f["rule"] != "plan.script-not-read");
}

TEST_CASE("scripts the plan runs: one opguard cannot read is a placeholder that says so", "[shell][scripts][fail-closed]") {
    TempDir dir;
    dir.write("plan.sh", "#!/bin/bash\n"
                         "source ./missing.sh\n"
                         "bash \"$TOOLS/rotate.sh\"\n"
                         "./plan.sh\n"
                         "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001\n");
    const CliRun r = run_opguard(dir.path(), "check plan.sh" + kInventory);
    CHECK(r.exit == 1);  // calls not checked fail the check, as an unmodeled call does
    CHECK(has(r.out, "call 1 line-2: shell source  plan.sh:2:1\n"));
    CHECK(has(r.out, "error[plan.script-not-read] plan.sh:2:8\n      this line runs ./missing.sh, which opguard does not read: ./missing.sh is not "
                     "beside the plan (opguard looks for it relative to the plan's folder); the API calls it makes are not checked\n"));
    CHECK(has(r.out, "error[plan.script-not-read] plan.sh:3:6\n      this line runs $TOOLS/rotate.sh, which opguard does not read: its path "
                     "\"$TOOLS/rotate.sh\" (TOOLS may be set by the `source` at plan.sh:2:1) is not known before the script runs; the API calls it "
                     "makes are not checked\n"));
    CHECK(has(r.out, "error[plan.script-not-read] plan.sh:4:1\n      this line runs ./plan.sh, which opguard does not read: ./plan.sh is already "
                     "being read (it runs itself)"));
    CHECK(has(r.out, "call 4 line-5: ecs.StartInstance"));
    // A placeholder is not a call: no outcome is predicted for it, and no other rule reads it.
    CHECK(has(r.out, "Plan: 1 instance started; 3 steps (script lines or template tasks) make API calls opguard does not read: they are not checked.\n"));
    // GitLab: an info issue per step, which stays when the step's finding is waived.
    const CliRun gitlab = run_opguard(dir.path(), "check plan.sh -f gitlab" + kInventory);
    CHECK(has(gitlab.out, "\"description\": \"step line-2 (shell source) this stands for API calls opguard does not read: they are not checked, and their "
                          "effects are not predicted\",\n    \"check_name\": \"opguard.calls-not-read\""));
    CHECK(has(r.out, "3 errors, 0 warnings, 0 info\n"));

    // A script known to make no API calls is accepted explicitly, line by line: a waiver.
    dir.write("waivers.json", R"({"waivers": [
  {"rule": "plan.script-not-read", "call": "line-2", "reason": "missing.sh only sets variables"},
  {"rule": "plan.script-not-read", "call": "line-3", "reason": "rotate.sh is checked on its own"},
  {"rule": "plan.script-not-read", "call": "line-4", "reason": "the plan runs itself once"}]})");
    const CliRun waived = run_opguard(dir.path(), "check plan.sh --waivers waivers.json" + kInventory);
    CHECK(waived.exit == 0);
    CHECK(has(waived.out, "0 errors, 0 warnings, 0 info, 3 waived\n"));
    // One left unwaived still fails it; --skip-rule cannot (the rule is locked).
    dir.write("two.json", R"({"waivers": [
  {"rule": "plan.script-not-read", "call": "line-2", "reason": "missing.sh only sets variables"},
  {"rule": "plan.script-not-read", "call": "line-3", "reason": "rotate.sh is checked on its own"}]})");
    CHECK(run_opguard(dir.path(), "check plan.sh --waivers two.json" + kInventory).exit == 1);
    const CliRun skip = run_opguard(dir.path(), "check plan.sh --skip-rule plan.script-not-read" + kInventory);
    CHECK(skip.exit == 2);
    CHECK(has(skip.err, "plan.script-not-read"));
}

TEST_CASE("scripts the plan runs: a delete in a sourced script fails the check, its errors name its own file", "[shell][scripts][fail-closed]") {
    TempDir dir;
    dir.write("plan.sh", "source purge.sh\n");
    dir.write("purge.sh", "aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId \"$ID\" --Force true\n");
    const CliRun del = run_opguard(dir.path(), "check plan.sh" + kInventory);
    CHECK(del.exit == 1);
    CHECK(has(del.out, "error[plan.unresolved-target] purge.sh:1:63\n"));
    // Input errors in it are located there (exit 2), as in the plan.
    dir.write("purge.sh", "aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId <ID>\n");
    const CliRun bad = run_opguard(dir.path(), "check plan.sh" + kInventory);
    CHECK(bad.exit == 2);
    CHECK(has(bad.err, "purge.sh:1:66: error[plan.shell-syntax]: this redirection has no file"));
}

TEST_CASE("scripts the plan runs: at most 4 inside one another, each read where it is named", "[shell][scripts][hostile]") {
    TempDir dir;
    dir.write("s0.sh", "./s1.sh\n");
    for (int i = 1; i <= 6; ++i)
        dir.write("s" + std::to_string(i) + ".sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-" + std::to_string(i) +
                                                       "\n./s" + std::to_string(i + 1) + ".sh\n");
    const CliRun r = run_opguard(dir.path(), "check s0.sh --format json" + kInventory);
    const auto report = nlohmann::json::parse(r.out);
    std::vector<std::string> ids;
    for (const auto& c : report["calls"]) ids.push_back(c["id"]);
    CHECK(ids == std::vector<std::string>{"s1.sh:line-1", "s2.sh:line-1", "s3.sh:line-1", "s4.sh:line-1", "s4.sh:line-2"});
    bool deep = false;
    for (const auto& f : report["findings"])
        deep = deep || (f["rule"] == "plan.script-not-read" && f["message"].get<std::string>().find("./s5.sh is nested deeper than opguard reads (4 scripts") != std::string::npos);
    CHECK(deep);
}

TEST_CASE("scripts the plan runs: a folder, a pipe or a symbolic-link loop is not read and says why", "[shell][scripts][hostile]") {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / std::filesystem::path("folder.sh"));
    REQUIRE(::mkfifo((dir.path() / std::filesystem::path("pipe.sh")).c_str(), 0600) == 0);
    std::filesystem::create_symlink("loop-b.sh", dir.path() / std::filesystem::path("loop-a.sh"));
    std::filesystem::create_symlink("loop-a.sh", dir.path() / std::filesystem::path("loop-b.sh"));
    dir.write("plan.sh", "source folder.sh\nsource pipe.sh\nsource loop-a.sh\n"
                         "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001\n");
    const CliRun r = run_opguard(dir.path(), "check plan.sh" + kInventory, "", 20);
    CHECK(r.exit == 1);  // not read: the check fails (and does not hang on the pipe)
    CHECK(has(r.out, "this line runs folder.sh, which opguard does not read: folder.sh is not a regular file (a folder, device or pipe)"));
    CHECK(has(r.out, "this line runs pipe.sh, which opguard does not read: pipe.sh is not a regular file (a folder, device or pipe)"));
    CHECK(has(r.out, "this line runs loop-a.sh, which opguard does not read: loop-a.sh cannot be read ("));
    CHECK(has(r.out, "call 4 line-4: ecs.StartInstance"));
}

TEST_CASE("scripts the plan runs: also from a string bash -c or ssh runs", "[shell][scripts][fail-closed]") {
    TempDir dir;
    dir.write("x.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001\n");
    dir.write("plan.sh", "bash -c \"source ./x.sh\"\n"
                         "ssh ops@bastion '. ./missing.sh && aliyun ecs StopInstance --RegionId cn-hangzhou --InstanceId i-bp1web000001'\n");
    const CliRun r = run_opguard(dir.path(), "check plan.sh" + kInventory);
    CHECK(r.exit == 1);  // ./missing.sh is not read
    CHECK(has(r.out, "call 1 x.sh:line-1: ecs.StartInstance  x.sh:1:1\n"));
    CHECK(has(r.out, "call 2 line-2: shell .  plan.sh:2:18\n"));
    CHECK(has(r.out, "error[plan.script-not-read] plan.sh:2:20\n      this line runs ./missing.sh, which opguard does not read"));
    CHECK(has(r.out, "call 3 line-2.2: ecs.StopInstance  plan.sh:2:36\n"));
}

TEST_CASE("scripts the plan runs: `-` and `--` end a shell's options, as in bash", "[shell][scripts]") {
    // bash - FILE and bash -- FILE run FILE; bash - with nothing after it reads standard input.
    TempDir dir;
    dir.write("x.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001\n");
    dir.write("plan.sh", "bash - x.sh\n"
                         "sh -- ./x.sh\n"
                         "echo aliyun ecs StopInstance --RegionId cn-hangzhou --InstanceId i-bp1web000001 | bash -\n");
    const CliRun r = run_opguard(dir.path(), "check plan.sh" + kInventory);
    CHECK(has(r.out, "call 1 x.sh:line-1: ecs.StartInstance  x.sh:1:1\n"));
    CHECK(has(r.out, "call 2 x.sh:line-1#2: ecs.StartInstance  x.sh:1:1\n"));
    CHECK(has(r.out, "call 3 line-3: ecs.StopInstance  plan.sh:3:6\n"));
    CHECK(!has(r.out, "plan.script-not-read"));
}
