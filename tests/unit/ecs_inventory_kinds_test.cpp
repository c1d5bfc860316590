// ECS DescribeDisks / DescribeSnapshots / DescribeImages beside ECD DescribeImages /
// DescribeSnapshots: the kinds are told apart by the shape of the saved response (ECS wraps
// its lists, Images.Image[]; ECD does not, Images[]), never by file name alone.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

TEST_CASE("ECS disks, snapshots and images load beside ECD images and snapshots, told apart by shape", "[inventory][ecs]") {
    TempDir dir;
    // File names that say nothing, so only the shape decides.
    dir.write("a.json", R"({"Images": [{"ImageId": "m-ecdwin01", "OsType": "Windows", "Status": "Available"}], "RequestId": "r1"})");
    dir.write("b.json", R"({"Images": {"Image": [{"ImageId": "m-ecsalinux01", "OSType": "linux", "Status": "Available", "Size": 40}]},
                            "PageNumber": 1, "PageSize": 10, "RegionId": "cn-hangzhou", "RequestId": "r2", "TotalCount": 1})");
    dir.write("c.json", R"({"Snapshots": [{"SnapshotId": "s-ecd01", "DesktopId": "ecd-1", "SourceDiskType": "SYSTEM"}], "RequestId": "r3"})");
    dir.write("d.json", R"({"Snapshots": {"Snapshot": [{"SnapshotId": "s-ecs01", "SourceDiskId": "d-ecs01", "SnapshotType": "auto",
                            "Status": "accomplished", "Usage": "none"}]}, "RequestId": "r4", "TotalCount": 1})");
    dir.write("e.json", R"({"Disks": {"Disk": [{"DiskId": "d-ecs01", "InstanceId": "i-1", "Type": "data", "Size": 100,
                            "Status": "In_use", "DeleteWithInstance": true}]}, "RequestId": "r5", "TotalCount": 1})");
    SourceRegistry sources;
    const RuleSet rules = load_rules(sources, RuleSources{true, {}});
    const Inventory inv = load_inventory(sources, {dir.path().string()}, rules, {});

    REQUIRE(inv.objects("image").size() == 1);
    CHECK(inv.objects("image")[0].id == "m-ecdwin01");
    REQUIRE(inv.objects("ecs_image").size() == 1);
    CHECK(inv.objects("ecs_image")[0].id == "m-ecsalinux01");
    CHECK(inv.find("ecs_image", "m-ecsalinux01")->pointer() == "/Images/Image/0");
    CHECK_FALSE(inv.find("image", "m-ecsalinux01"));
    CHECK_FALSE(inv.find("ecs_image", "m-ecdwin01"));

    REQUIRE(inv.objects("snapshot").size() == 1);
    CHECK(inv.objects("snapshot")[0].id == "s-ecd01");
    REQUIRE(inv.objects("ecs_snapshot").size() == 1);
    CHECK(inv.find("ecs_snapshot", "s-ecs01")->pointer() == "/Snapshots/Snapshot/0");
    CHECK_FALSE(inv.find("snapshot", "s-ecs01"));

    REQUIRE(inv.objects("disk").size() == 1);
    const InventoryObject* disk = inv.find("disk", "d-ecs01");
    REQUIRE(disk);
    CHECK(disk->pointer() == "/Disks/Disk/0");
    CHECK(sources.file(disk->file).path() == dir.file("e.json"));
}

TEST_CASE("opguard inventory writes the ECS DescribeDisks, DescribeSnapshots and DescribeImages commands the rules need", "[inventory][ecs][listing]") {
    TempDir dir;
    dir.write("plan.json", R"({"calls": [
  {"id": "os", "product": "ecs", "version": "2014-05-26", "action": "ReplaceSystemDisk",
   "parameters": {"RegionId": "cn-hangzhou", "InstanceId": "i-bp1web000001", "ImageId": "m-bp1img01"}},
  {"id": "reset", "product": "ecs", "version": "2014-05-26", "action": "ResetDisk",
   "parameters": {"RegionId": "cn-hangzhou", "DiskId": "d-bp1dat01", "SnapshotId": "s-bp1dat01"}}
]})");
    const CliRun r = run_opguard(dir.path().string(), "inventory plan.json");
    CHECK(r.exit == 0);
    CHECK(r.out.find("aliyun ecs DescribeDisks --RegionId cn-hangzhou --DiskIds '[\"d-bp1dat01\"]' --pager 'path=Disks.Disk[]'") !=
          std::string::npos);
    CHECK(r.out.find("aliyun ecs DescribeSnapshots --RegionId cn-hangzhou --SnapshotIds '[\"s-bp1dat01\"]' --pager "
                     "'path=Snapshots.Snapshot[]'") != std::string::npos);
    CHECK(r.out.find("aliyun ecs DescribeImages --RegionId cn-hangzhou --ImageId m-bp1img01 --pager 'path=Images.Image[]'") !=
          std::string::npos);
    CHECK(r.out.find("aliyun ecs DescribeInstances --RegionId cn-hangzhou --InstanceIds '[\"i-bp1web000001\"]'") != std::string::npos);
}

TEST_CASE("an ECS DeleteSnapshot with no saved DescribeSnapshots is said, never 'no change'", "[inventory][ecs][fail-closed]") {
    // It printed "accepted", "Plan: no change.", 0 findings, and markdown "no snapshot is deleted".
    TempDir dir;
    dir.write("p.sh", "aliyun ecs DeleteSnapshot --RegionId cn-hangzhou --SnapshotId s-bp1important01 --Force true\n");
    const std::string inv = " --no-config -i " + shell_quote(source_path("samples/fleet"));
    const CliRun text = run_opguard(dir.path().string(), "check p.sh" + inv);
    CHECK(text.exit == 0);  // a warning: the call itself is modeled
    CHECK(text.out.find("warning[ecs.delete-snapshot.no-inventory] p.sh:1:63 (s-bp1important01)\n") != std::string::npos);
    CHECK(text.out.find("ECS snapshot s-bp1important01 deleted if it exists: not in a saved DescribeSnapshots") != std::string::npos);
    CHECK(text.out.find("Plan: 1 ECS snapshot deleted if it exists.\n") != std::string::npos);
    const CliRun md = run_opguard(dir.path().string(), "check p.sh --format markdown" + inv);
    CHECK(md.out.find("no snapshot is deleted") == std::string::npos);
    // With the snapshot saved, the usual checks run and this one does not.
    dir.write("inv/snaps.json", R"({"Snapshots": {"Snapshot": [{"SnapshotId": "s-bp1important01", "SourceDiskId": "d-ecs01", "SnapshotType": "user",
                                    "Status": "accomplished", "Usage": "none", "SourceDiskSize": "40"}]}, "RequestId": "r4", "TotalCount": 1})");
    const CliRun saved = run_opguard(dir.path().string(), "check p.sh --no-config -i inv");
    CHECK(saved.out.find("ecs.delete-snapshot.no-inventory") == std::string::npos);
    CHECK(saved.out.find("deleted if it exists") == std::string::npos);
    CHECK(saved.out.find("ECS snapshot s-bp1important01 deleted") != std::string::npos);

    // Its neighbours: an ECS DeleteDisk and an ECD DeleteSnapshot with nothing saved of their kind.
    dir.write("n.sh", "aliyun ecs DeleteDisk --DiskId d-bp1notsaved01\n"
                      "aliyun ecd DeleteSnapshot --force --RegionId cn-hangzhou --SnapshotId.1 s-ecdnotsaved1\n");
    dir.write("instances/i.json", R"({"Instances": {"Instance": []}, "RequestId": "r", "TotalCount": 0})");
    const CliRun n = run_opguard(dir.path().string(), "check n.sh --no-config -i instances");
    CHECK(n.out.find("disk d-bp1notsaved01 is not checked: no DescribeDisks response was given") != std::string::npos);
    CHECK(n.out.find("disk d-bp1notsaved01 released if it exists: not in a saved DescribeDisks (none was given)") != std::string::npos);
    CHECK(n.out.find("snapshot s-ecdnotsaved1 is not checked: no DescribeSnapshots response was given") != std::string::npos);
    CHECK(n.out.find("snapshot s-ecdnotsaved1 deleted if it exists") != std::string::npos);
    CHECK(n.out.find("Plan: 1 disk released if it exists, 1 snapshot deleted if it exists.\n") != std::string::npos);
}
