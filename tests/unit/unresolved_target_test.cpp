// A modeled call whose targets opguard cannot resolve ($ID, an xargs placeholder, a list
// element computed when the script runs) is never "no change": its outcome and the summary
// say its effects are not predicted, in every report format, and a call whose effects lose
// data fails the check (plan.unresolved-target, locked).
#include <catch2/catch.hpp>

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
    CHECK(has(text.out, "not checked for this call because they need it: ecs.disk.other-region, ecs.delete-disk.unknown, ecs.delete-disk.status"));
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
