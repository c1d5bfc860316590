// A modeled call whose targets opguard cannot resolve ($ID, an xargs placeholder, a list
// element computed when the script runs) is never "no change": its outcome and the summary
// say its effects are not predicted, in every report format, and a call whose effects lose
// data fails the check (plan.unresolved-target, locked).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

const std::string kInventory = "--inventory " + shell_quote(source_path("tests/golden/ecs-instances-disks/inventory")) + " --today 2026-12-06";

}  // namespace

TEST_CASE("unresolved targets: a call that loses data on targets opguard cannot resolve fails the check", "[fail-closed][unresolved]") {
    TempDir dir;
    const std::string script = "#!/bin/bash\n"
                               "printf 'i-1\\n' | xargs -I{} aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId {} --Force true\n"
                               "aliyun ecs DeleteDisk --RegionId cn-hangzhou --DiskId \"$DISK\"\n";
    dir.write("del.sh", script);
    const CliRun text = run_opguard(dir.path(), "check del.sh " + kInventory);
    CHECK(text.exit == 1);
    CHECK(has(text.out, "  outcome: HTTP 200; acts on targets opguard cannot resolve: its effects are not predicted\n"));
    CHECK(has(text.out, "error[plan.unresolved-target] del.sh:2:91\n"));
    CHECK(has(text.out, "error[plan.unresolved-target] del.sh:3:55\n"));
    // The warning lists the checks the unknown target cost, those that read `target` included.
    CHECK(has(text.out, "not checked for this call because they need it: ecs.disk.other-region, ecs.delete-disk.unknown, ecs.disk.creating-snapshot, ecs.delete-disk.status"));
    CHECK(has(text.out, "Plan: 2 calls act on targets opguard cannot resolve: their effects are not predicted.\n"));
    CHECK(!has(text.out, "no change"));

    const CliRun json = run_opguard(dir.path(), "check del.sh --format json " + kInventory);
    CHECK(has(json.out, "\"calls_unresolved_targets\": 2"));
    CHECK(has(json.out, "\"unresolved_targets\": true"));
    const CliRun junit = run_opguard(dir.path(), "check del.sh --format junit " + kInventory);
    CHECK(has(junit.out, "predicted: HTTP 200; acts on targets opguard cannot resolve: its effects are not predicted"));
    const CliRun gitlab = run_opguard(dir.path(), "check del.sh --format gitlab " + kInventory);
    CHECK(has(gitlab.out, "\"check_name\": \"opguard.unresolved-targets\""));
    const CliRun sarif = run_opguard(dir.path(), "check del.sh --format sarif " + kInventory);
    CHECK(has(sarif.out, "Plan: 2 calls act on targets opguard cannot resolve: their effects are not predicted."));
    // Locked: a run option cannot skip it.
    const CliRun skip = run_opguard(dir.path(), "check del.sh --skip-rule plan.unresolved-target " + kInventory);
    CHECK(skip.exit == 2);
    CHECK(has(skip.err, "error[overrides.locked]: --skip-rule plan.unresolved-target"));
}

TEST_CASE("unresolved targets: a start on an unknown instance passes with a warning, never as no change", "[fail-closed][unresolved]") {
    TempDir dir;
    dir.write("start.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId \"$ID\"\n");
    const CliRun r = run_opguard(dir.path(), "check start.sh " + kInventory);
    CHECK(r.exit == 0);
    CHECK(!has(r.out, "plan.unresolved-target"));
    CHECK(has(r.out, "warning[plan.unresolved-value] start.sh:1:62\n"));
    CHECK(has(r.out, "Plan: 1 call acts on targets opguard cannot resolve: its effects are not predicted.\n"));
    // Written out, the same call is checked and counted as usual.
    dir.write("start2.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-none\n");
    const CliRun known = run_opguard(dir.path(), "check start2.sh " + kInventory);
    CHECK(!has(known.out, "cannot resolve"));
}

TEST_CASE("unresolved targets: the one target of a call, written as a value opguard cannot resolve, is unresolved, not accepted", "[fail-closed][unresolved]") {
    TempDir dir;
    dir.write("start.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId \"$ID\"\n"
                          "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001\n");
    const CliRun text = run_opguard(dir.path(), "check start.sh " + kInventory);
    CHECK(has(text.out, "\n    $ID: unresolved (a value opguard cannot resolve: not checked, its effects not predicted)\n"));
    CHECK(!has(text.out, "$ID: accepted"));

    const CliRun json = run_opguard(dir.path(), "check start.sh --format json " + kInventory);
    const auto report = nlohmann::json::parse(json.out);
    REQUIRE(report["calls"].size() == 2);
    const auto& unresolved = report["calls"][0];
    CHECK(unresolved["outcome"] == "accepted");
    CHECK(unresolved["unresolved_targets"] == true);
    REQUIRE(unresolved["targets"].size() == 1);
    CHECK(unresolved["targets"][0]["id"] == "$ID");
    CHECK(unresolved["targets"][0]["outcome"] == "unresolved");
    CHECK(unresolved["targets"][0]["code"].is_null());
    CHECK(unresolved["targets"][0]["location"]["line"] == 1);
    CHECK(unresolved["targets"][0]["location"]["column"] == 62);
    // The literal id beside it is checked and accepted as before.
    REQUIRE(report["calls"][1]["targets"].size() == 1);
    CHECK(report["calls"][1]["targets"][0]["outcome"] == "accepted");
    CHECK(!report["calls"][1].contains("unresolved_targets"));

    const CliRun junit = run_opguard(dir.path(), "check start.sh --format junit " + kInventory);
    CHECK(has(junit.out, "$ID: unresolved (a value opguard cannot resolve: not checked, its effects not predicted)"));
}

TEST_CASE("unresolved targets: an OOS template parameter without a default as the one target is unresolved", "[fail-closed][unresolved]") {
    TempDir dir;
    dir.write("redeploy.yaml", "FormatVersion: OOS-2019-06-01\n"
                               "Parameters:\n"
                               "  instanceId:\n"
                               "    Type: String\n"
                               "Tasks:\n"
                               "  - Name: redeploy\n"
                               "    Action: ACS::ExecuteAPI\n"
                               "    Properties:\n"
                               "      Service: ECS\n"
                               "      API: RedeployInstance\n"
                               "      Parameters:\n"
                               "        RegionId: cn-hangzhou\n"
                               "        InstanceId: '{{ instanceId }}'\n");
    const CliRun json = run_opguard(dir.path(), "check redeploy.yaml --format json " + kInventory);
    CHECK(json.exit == 1);  // RedeployInstance loses data on local disks: plan.unresolved-target
    const auto report = nlohmann::json::parse(json.out);
    REQUIRE(report["calls"].size() == 1);
    REQUIRE(report["calls"][0]["targets"].size() == 1);
    CHECK(report["calls"][0]["targets"][0]["id"] == "{{ instanceId }}");
    CHECK(report["calls"][0]["targets"][0]["outcome"] == "unresolved");
    CHECK(report["calls"][0]["targets"][0]["location"]["line"] == 13);
    CHECK(report["summary"]["calls_unresolved_targets"] == 1);
    // Given a value, the same template is checked target by target.
    const CliRun given = run_opguard(dir.path(), "check redeploy.yaml --parameters '{\"instanceId\": \"i-bp1web000001\"}' --format json " + kInventory);
    const auto checked = nlohmann::json::parse(given.out);
    REQUIRE(checked["calls"][0]["targets"].size() == 1);
    CHECK(checked["calls"][0]["targets"][0]["id"] == "i-bp1web000001");
    CHECK(checked["calls"][0]["targets"][0]["outcome"] != "unresolved");
    CHECK(checked["summary"]["calls_unresolved_targets"] == 0);
}
