// Every rule of rules/common.rules and rules/ecd_rebuild_desktops.rules, once where it
// fires and once where it does not; the effects of an accepted rebuild; the summary; and
// the state one call leaves for the next. Tiny plans and inventories in temp files.
#include <catch2/catch.hpp>

#include <set>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

std::string desktop(const std::string& id, const std::string& os, const std::string& region, const std::string& status,
                    const std::string& type, const std::string& connection, const std::string& image,
                    const std::string& disks, int gpu_category = 0) {
    return "{\"DesktopId\": \"" + id + "\", \"OsType\": \"" + os + "\", \"OfficeSiteId\": \"" + region +
           "+dir-1\", \"DesktopStatus\": \"" + status + "\", \"DesktopType\": \"" + type + "\", \"ConnectionStatus\": \"" +
           connection + "\", \"ImageId\": \"" + image + "\", \"GpuCategory\": " + std::to_string(gpu_category) +
           ", \"Disks\": [" + disks + "]}";
}

std::string disk(const std::string& id, const std::string& type, int size) {
    return "{\"DiskId\": \"" + id + "\", \"DiskType\": \"" + type + "\", \"DiskSize\": " + std::to_string(size) +
           ", \"DiskCategory\": \"cloud_auto\"}";
}

std::string image(const std::string& id, const std::string& os, const std::string& type, bool gpu,
                  const std::string& status = "Available") {
    return "{\"ImageId\": \"" + id + "\", \"OsType\": \"" + os + "\", \"ImageType\": \"" + type +
           "\", \"GpuCategory\": " + (gpu ? "true" : "false") + ", \"Status\": \"" + status + "\"}";
}

std::string snapshot(const std::string& id, const std::string& desktop_id, const std::string& disk_type,
                     const std::string& size) {
    return "{\"SnapshotId\": \"" + id + "\", \"DesktopId\": \"" + desktop_id + "\", \"SourceDiskType\": \"" + disk_type +
           "\", \"SourceDiskSize\": \"" + size + "\", \"SnapshotType\": \"AUTO\", \"Status\": \"ACCOMPLISHED\"}";
}

// The inventory every case runs against.
//   d-win        Windows, cn-hangzhou, Stopped, 80 GiB system + 100 GiB data, 2 snapshots
//   d-lin        Linux,   cn-hangzhou, Stopped, 80 + 50, 2 snapshots
//   d-hk         Windows, cn-hongkong, Stopped, 80
//   d-gpu        Windows, cn-hangzhou, graphics desktop
//   d-running    Windows, cn-hangzhou, Running
//   d-connected  Windows, cn-hangzhou, Stopped with a user connected
//   d-starting   Windows, cn-hangzhou, Starting
//   d-bj         Windows, cn-beijing
//   images: m-win, m-win2 (WINDOWS system), m-lin (LINUX), m-gpu (GPU), m-custom (CUSTOM),
//           m-creating (Creating); m-win2 is also an App Streaming image (in cn-shanghai)
std::string write_inventory(const TempDir& dir) {
    std::string desktops = "{\"Desktops\": [\n  " +
                           desktop("d-win", "Windows", "cn-hangzhou", "Stopped", "ecd.basic.large", "Disconnected", "m-win-old",
                                   disk("d-win-sys", "SYSTEM", 80) + ", " + disk("d-win-data", "DATA", 100)) +
                           ",\n  " +
                           desktop("d-lin", "Linux", "cn-hangzhou", "Stopped", "ecd.basic.large", "Disconnected", "m-lin",
                                   disk("d-lin-sys", "SYSTEM", 80) + ", " + disk("d-lin-data", "DATA", 50)) +
                           ",\n  " +
                           desktop("d-hk", "Windows", "cn-hongkong", "Stopped", "ecd.basic.large", "Disconnected", "m-win",
                                   disk("d-hk-sys", "SYSTEM", 80)) +
                           ",\n  " +
                           desktop("d-gpu", "Windows", "cn-hangzhou", "Stopped", "ecd.graphics.xlarge", "Disconnected", "m-gpu",
                                   disk("d-gpu-sys", "SYSTEM", 100), 1) +
                           ",\n  " +
                           desktop("d-running", "Windows", "cn-hangzhou", "Running", "ecd.basic.large", "Disconnected", "m-win",
                                   disk("d-running-sys", "SYSTEM", 80)) +
                           ",\n  " +
                           desktop("d-connected", "Windows", "cn-hangzhou", "Stopped", "ecd.basic.large", "Connected", "m-win",
                                   disk("d-connected-sys", "SYSTEM", 80)) +
                           ",\n  " +
                           desktop("d-starting", "Windows", "cn-hangzhou", "Starting", "ecd.basic.large", "Disconnected", "m-win",
                                   disk("d-starting-sys", "SYSTEM", 80)) +
                           ",\n  " +
                           desktop("d-bj", "Windows", "cn-beijing", "Stopped", "ecd.basic.large", "Disconnected", "m-win",
                                   disk("d-bj-sys", "SYSTEM", 80)) +
                           "\n]}\n";
    dir.write("inv/desktops.json", desktops);
    dir.write("inv/images.json", "{\"Images\": [\n  " + image("m-win", "WINDOWS", "SYSTEM", false) + ",\n  " +
                                     image("m-win2", "WINDOWS", "SYSTEM", false) + ",\n  " +
                                     image("m-win-old", "WINDOWS", "SYSTEM", false) + ",\n  " +
                                     image("m-lin", "LINUX", "SYSTEM", false) + ",\n  " +
                                     image("m-gpu", "WINDOWS", "SYSTEM", true) + ",\n  " +
                                     image("m-custom", "WINDOWS", "CUSTOM", false) + ",\n  " +
                                     image("m-creating", "WINDOWS", "SYSTEM", false, "Creating") + "\n]}\n");
    dir.write("inv/snapshots.json", "{\"Snapshots\": [\n  " + snapshot("s-win-sys", "d-win", "SYSTEM", "80") + ",\n  " +
                                        snapshot("s-win-data", "d-win", "DATA", "100") + ",\n  " +
                                        snapshot("s-lin-sys", "d-lin", "SYSTEM", "80") + ",\n  " +
                                        snapshot("s-lin-data", "d-lin", "DATA", "50") + "\n]}\n");
    // App Streaming's ListImage: m-win2 is also an App Streaming image, present in cn-shanghai.
    dir.write("inv/list_image.json",
              "{\"Data\": [\n  {\"ImageId\": \"m-win2\", \"ImageRegionList\": [\"cn-shanghai\"], \"Status\": \"IMAGE_AVAILABLE\", "
              "\"VolumeEncryptionEnabled\": false}\n]}\n");
    return dir.file("inv");
}

struct Case {
    TempDir dir;
    std::unique_ptr<Run> run;
};

// One rebuild call "c1" with these parameter lines.
std::unique_ptr<Case> rebuild(const std::vector<std::string>& params) {
    auto c = std::make_unique<Case>();
    std::string inv = write_inventory(c->dir);
    c->run = run_pipeline(c->dir, plan_of({rebuild_call("c1", params)}), {inv});
    return c;
}

std::unique_ptr<Case> plan(const std::vector<std::string>& calls) {
    auto c = std::make_unique<Case>();
    std::string inv = write_inventory(c->dir);
    c->run = run_pipeline(c->dir, plan_of(calls), {inv});
    return c;
}

const std::string kHz = "\"RegionId\": \"cn-hangzhou\"";

// An App Streaming StartTaskForDistributeImage call in the plan layout.
std::string distribute_call(const std::string& id, const std::string& image_id, const std::string& regions) {
    return "    {\n      \"id\": \"" + id + "\",\n"
           "      \"product\": \"appstream-center\", \"version\": \"2021-09-01\", \"action\": \"StartTaskForDistributeImage\",\n"
           "      \"parameters\": {\n        \"ImageId\": \"" + image_id + "\",\n        \"DestinationRegionList\": [" + regions +
           "]\n      }\n    }";
}
std::string ids(const std::string& list) { return "\"DesktopId\": [" + list + "]"; }
std::string img(const std::string& id) { return "\"ImageId\": \"" + id + "\""; }

std::set<std::string> rule_ids(const Run& r) {
    std::set<std::string> s;
    for (const auto& f : r.report.findings) s.insert(f.rule->id);
    return s;
}

// The rules of a rule file, as written (for the coverage check below).
std::vector<std::string> rules_in(const std::string& file) {
    std::string text = slurp(source_path("rules/" + file));
    std::vector<std::string> out;
    size_t at = 0;
    while ((at = text.find("\nrule ", at)) != std::string::npos) {
        at += 6;
        out.push_back(text.substr(at, text.find_first_of(" {", at) - at));
    }
    return out;
}

}  // namespace

TEST_CASE("the rules this file covers are the rules of the two rule files", "[rules]") {
    std::vector<std::string> covered = {
        "plan.unmodeled-read", "plan.unmodeled-call", "inventory.field-absent", "inventory.field-type", "inventory.incomplete", "plan.unknown-parameter", "plan.missing-parameter", "plan.wrong-type",
        "ecd.rebuild.desktop-count", "ecd.rebuild.unknown-image", "ecd.rebuild.image-not-available",
        "ecd.rebuild.operate-type", "ecd.rebuild.language-value", "ecd.rebuild.language-custom-image",
        "ecd.rebuild.after-status", "ecd.rebuild.no-image", "ecd.rebuild.os-change-outside-mainland",
        "ecd.rebuild.gpu-desktop-non-gpu-image", "ecd.rebuild.non-gpu-desktop-gpu-image", "ecd.rebuild.language-linux",
        "ecd.rebuild.desktop-status", "ecd.rebuild.desktop-running", "ecd.rebuild.desktop-connected",
        "ecd.rebuild.image-copy-pending", "ecd.rebuild.rebuilt-twice",
        // tests/unit/fail_closed_test.cpp
        "ecd.rebuild.disks-not-saved", "ecd.rebuild.os-unknown", "ecd.rebuild.no-snapshot-inventory",
        // tests/unit/param_types_test.cpp
        "plan.value-not-allowed", "plan.exclusive-parameters", "plan.one-parameter-required",
        // rules/tests/ecd.rebuild.os-change-region-unclassified (a desktop in a region of neither
        // region set) and tests/unit/answer_undocumented_test.cpp
        "ecd.rebuild.os-change-region-unclassified",
        // rules/tests/plan.empty-required-parameter (ClientToken "")
        "plan.empty-required-parameter",
        // rules/tests/ecd.rebuild.empty-image-id (ImageId "")
        "ecd.rebuild.empty-image-id"};
    // Also covered below: ecd.desktop.unknown and ecd.desktop.other-region (rules/ecd_desktops.rules),
    // which apply to RebuildDesktops too.
    std::vector<std::string> in_files = rules_in("common.rules");
    for (const auto& r : rules_in("ecd_rebuild_desktops.rules")) in_files.push_back(r);
    CHECK(std::set<std::string>(in_files.begin(), in_files.end()) == std::set<std::string>(covered.begin(), covered.end()));
}

TEST_CASE("a clean rebuild has no findings", "[rules]") {
    auto c = rebuild({kHz, ids("\"d-win\""), img("m-win2")});
    const Run& r = *c->run;
    CHECK(r.report.findings.empty());
    REQUIRE(r.report.calls.size() == 1);
    CHECK(r.report.calls[0].accepted);
    CHECK(r.report.calls[0].http == 200);
    CHECK(r.report.calls[0].targets[0].outcome == "accepted");
    CHECK(r.report.calls[0].targets[0].code == "Success");
    CHECK(r.report.calls[0].response.to_json() == R"({"RebuildResults":[{"DesktopId":"d-win","Code":"Success"}]})");
    CHECK(exit_code(r.report, Severity::Error) == 0);
    CHECK(exit_code(r.report, Severity::Info) == 0);
}

// ---- common.rules ------------------------------------------------------------------------

TEST_CASE("plan.unmodeled-call", "[rules][common]") {
    SECTION("fires for a call no rule file describes") {
        auto c = plan({"    {\"product\": \"ecs\", \"version\": \"2014-05-26\", \"action\": \"ModifyInstanceSpec\",\n"
                       "     \"parameters\": {\"InstanceId\": \"i-1\", \"Whatever\": 1}}"});
        const Run& r = *c->run;
        auto f = r.findings("plan.unmodeled-call");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->rule->severity == Severity::Error);
        CHECK(f[0]->target.empty());
        CHECK(f[0]->call_id == "call-1");
        CHECK(format_location(f[0]->location) == r.loc("{\"product\""));
        CHECK(format_location(f[0]->location) == r.plan_path + ":3:5");
        CHECK(f[0]->message == "no rule file describes ecs ModifyInstanceSpec: opguard cannot tell what this call changes or destroys");
        CHECK(rule_ids(r) == std::set<std::string>{"plan.unmodeled-call"});  // no parameter checks
        CHECK_FALSE(r.report.calls[0].known);
        CHECK_FALSE(r.report.calls[0].accepted);
        CHECK(r.report.calls[0].label == "ecs 2014-05-26 ModifyInstanceSpec");
        CHECK(exit_code(r.report, Severity::Error) == 1);
    }
    SECTION("REST calls are named by cloud and path") {
        auto c = plan({"    {\"cloud\": \"x\", \"service\": \"s\", \"method\": \"POST\", \"path\": \"/v1/things\"}"});
        auto f = c->run->findings("plan.unmodeled-call");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->message == "no rule file describes x POST /v1/things: opguard cannot tell what this call changes or destroys");
    }
    SECTION("does not fire for a described call") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-win")});
        CHECK(c->run->findings("plan.unmodeled-call").empty());
    }
}

TEST_CASE("plan.unknown-parameter", "[rules][common]") {
    SECTION("fires, pointing at the parameter's value; the call is not refused") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-win"), "\"Force\": true"});
        const Run& r = *c->run;
        auto f = r.findings("plan.unknown-parameter");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->rule->severity == Severity::Error);
        CHECK(f[0]->target.empty());
        CHECK(format_location(f[0]->location) == r.loc("true"));
        CHECK(format_location(f[0]->location) == r.plan_path + ":10:18");
        CHECK(f[0]->message == "ecd.RebuildDesktops has no parameter Force");
        CHECK(r.report.calls[0].accepted);
        CHECK(exit_code(r.report, Severity::Error) == 1);
    }
    SECTION("does not fire for declared parameters") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-win"), "\"Language\": \"en-US\"", "\"AfterStatus\": \"Stopped\""});
        CHECK(c->run->findings("plan.unknown-parameter").empty());
    }
}

TEST_CASE("plan.missing-parameter", "[rules][common]") {
    SECTION("fires without RegionId and refuses the call") {
        auto c = rebuild({ids("\"d-win\""), img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("plan.missing-parameter");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target.empty());
        CHECK(format_location(f[0]->location) == r.plan_path + ":6:21");  // the parameters object
        CHECK(f[0]->message == "ecd.RebuildDesktops requires RegionId, which the call does not give");
        const CallOutcome& co = r.report.calls[0];
        CHECK_FALSE(co.accepted);
        CHECK(co.http == 0);
        CHECK(co.code == "undocumented");
        CHECK(co.response.to_json() == R"({"Code":"undocumented"})");
        REQUIRE(co.targets.size() == 1);
        CHECK(co.targets[0].outcome == "not-run");
        CHECK(r.report.effects.empty());
    }
    SECTION("fires at the call when there are no parameters at all") {
        auto c = plan({"    {\"id\": \"bare\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"RebuildDesktops\"}"});
        auto f = c->run->findings("plan.missing-parameter");
        REQUIRE(f.size() == 2);
        CHECK(f[0]->message == "ecd.RebuildDesktops requires RegionId, which the call does not give");
        CHECK(f[1]->message == "ecd.RebuildDesktops requires DesktopId, which the call does not give");
        CHECK(format_location(f[0]->location) == c->run->plan_path + ":3:5");
    }
    SECTION("does not fire when the required parameters are given") {
        auto c = rebuild({kHz, ids("\"d-win\"")});
        CHECK(c->run->findings("plan.missing-parameter").empty());
    }
}

TEST_CASE("plan.wrong-type", "[rules][common]") {
    SECTION("fires for a string where a list is expected, and refuses the call") {
        auto c = rebuild({kHz, "\"DesktopId\": \"d-win\"", img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("plan.wrong-type");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target.empty());
        CHECK(format_location(f[0]->location) == r.loc("\"d-win\""));
        CHECK(format_location(f[0]->location) == r.plan_path + ":8:22");
        CHECK(f[0]->message == "DesktopId must be of type list; the call gives a value of type string: d-win");
        CHECK_FALSE(r.report.calls[0].accepted);
        CHECK(r.report.calls[0].code == "undocumented");
    }
    SECTION("fires for a number where a string is expected") {
        auto c = rebuild({"\"RegionId\": 42", ids("\"d-win\"")});
        auto f = c->run->findings("plan.wrong-type");
        REQUIRE(f.size() == 1);
        CHECK(format_location(f[0]->location) == c->run->plan_path + ":7:21");
        CHECK(f[0]->message == "RegionId must be of type string; the call gives a value of type number: 42");
    }
    SECTION("does not fire for the wire form, which is a list") {
        auto c = rebuild({kHz, "\"DesktopId.1\": \"d-win\"", img("m-win")});
        CHECK(c->run->findings("plan.wrong-type").empty());
        CHECK(c->run->report.calls[0].accepted);
    }
}

// ---- the whole call -----------------------------------------------------------------------

TEST_CASE("ecd.rebuild.desktop-count", "[rules][ecd]") {
    SECTION("fires for no desktop: the call is refused with HTTP 400") {
        auto c = rebuild({kHz, ids(""), img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.desktop-count");
        REQUIRE(f.size() == 1);
        CHECK(format_location(f[0]->location) == r.loc("[]"));
        CHECK(f[0]->message.rfind("DesktopId names 0 desktops; RebuildDesktops takes 1 to 20", 0) == 0);
        const CallOutcome& co = r.report.calls[0];
        CHECK_FALSE(co.accepted);
        CHECK(co.http == 400);
        CHECK(co.code == "undocumented");
        CHECK(co.targets.empty());
    }
    SECTION("fires for 21 desktops") {
        std::string list;
        for (int i = 0; i < 21; ++i) list += std::string(i ? ", " : "") + "\"d-win\"";
        auto c = rebuild({kHz, ids(list), img("m-win")});
        auto f = c->run->findings("ecd.rebuild.desktop-count");
        REQUIRE(f.size() == 1);
        CHECK(format_location(f[0]->location) == c->run->plan_path + ":8:22");
        CHECK(f[0]->message ==
              "DesktopId names 21 desktops; RebuildDesktops takes 1 to 20, so the whole call is refused (HTTP 4xx) and no "
              "desktop is rebuilt");
        CHECK(c->run->report.calls[0].http == 400);
        CHECK(c->run->report.calls[0].targets.size() == 21);
        CHECK(c->run->report.calls[0].targets[20].outcome == "not-run");
    }
    SECTION("does not fire for 1 or 20 desktops") {
        auto one = rebuild({kHz, ids("\"d-win\""), img("m-win")});
        CHECK(one->run->findings("ecd.rebuild.desktop-count").empty());
        std::string list;
        for (int i = 0; i < 20; ++i) list += std::string(i ? ", " : "") + "\"d-x" + std::to_string(i) + "\"";
        auto twenty = rebuild({kHz, ids(list), img("m-win")});
        CHECK(twenty->run->findings("ecd.rebuild.desktop-count").empty());
        CHECK(twenty->run->report.calls[0].accepted);
    }
}

TEST_CASE("ecd.rebuild.unknown-image", "[rules][ecd]") {
    SECTION("fires for an image not in the inventory; the call is refused") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-nope")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.unknown-image");
        REQUIRE(f.size() == 1);
        CHECK(format_location(f[0]->location) == r.loc("\"m-nope\""));
        CHECK(format_location(f[0]->location) == r.plan_path + ":9:20");
        CHECK(f[0]->message == "image m-nope is not in the saved DescribeImages responses");
        CHECK_FALSE(r.report.calls[0].accepted);
        CHECK(r.report.calls[0].http == 0);
        CHECK(r.report.calls[0].code == "undocumented");
        CHECK(r.findings("ecd.rebuild.image-not-available").empty());
    }
    SECTION("does not fire for a known image or no ImageId") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.rebuild.unknown-image").empty());
        CHECK(rebuild({kHz, ids("\"d-win\"")})->run->findings("ecd.rebuild.unknown-image").empty());
    }
}

TEST_CASE("ecd.rebuild.image-not-available", "[rules][ecd]") {
    SECTION("fires for an image still Creating; the call is refused") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-creating")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.image-not-available");
        REQUIRE(f.size() == 1);
        CHECK(format_location(f[0]->location) == r.loc("\"m-creating\""));
        CHECK(f[0]->message == "image m-creating is Creating, not Available");
        CHECK(f[0]->evidence.size() >= 1);
        CHECK_FALSE(r.report.calls[0].accepted);
        CHECK(r.report.calls[0].code == "undocumented");
        CHECK(r.report.effects.empty());
    }
    SECTION("does not fire for an Available image") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.rebuild.image-not-available").empty());
    }
}

TEST_CASE("ecd.rebuild.operate-type", "[rules][ecd]") {
    SECTION("fires for a value other than replace; the answer is undocumented and the worst case is shown") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-win"), "\"OperateType\": \"keep\""});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.operate-type");
        REQUIRE(f.size() == 1);
        CHECK(format_location(f[0]->location) == r.loc("\"keep\""));
        CHECK(format_location(f[0]->location) == r.plan_path + ":10:24");
        CHECK(f[0]->message ==
              "OperateType is \"keep\"; the only documented value is \"replace\" (omit it to keep or erase the data disk by OS): "
              "whether the cloud refuses the call, ignores the value or replaces the data disk is not documented, so the effects "
              "shown are the worst case");
        // Not refused (that would say "nothing happens"): the outcome is undocumented, with
        // no HTTP status or response, and the rebuild's effects are predicted.
        const CallOutcome& co = r.report.calls[0];
        CHECK(co.accepted);
        CHECK(co.answer_undocumented == "the cloud's answer is not documented (ecd.rebuild.operate-type)");
        CHECK(co.http == 0);
        CHECK(co.response.is_null());
        std::vector<std::string> effects;
        for (const EffectRecord* e : r.effects(0)) effects.push_back(e->id + " " + std::string(e->verb));
        CHECK(std::find(effects.begin(), effects.end(), "d-win-sys erased") != effects.end());
    }
    SECTION("does not fire for replace or when absent") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win"), "\"OperateType\": \"replace\""})
                  ->run->findings("ecd.rebuild.operate-type")
                  .empty());
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.rebuild.operate-type").empty());
    }
}

TEST_CASE("ecd.rebuild.language-value", "[rules][ecd]") {
    SECTION("fires for an unsupported language; the call is refused") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-win"), "\"Language\": \"fr-FR\""});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.language-value");
        REQUIRE(f.size() == 1);
        CHECK(format_location(f[0]->location) == r.loc("\"fr-FR\""));
        CHECK(f[0]->message == "Language is \"fr-FR\"; valid values are en-US, zh-HK, zh-CN and ja-JP");
        CHECK_FALSE(r.report.calls[0].accepted);
    }
    SECTION("does not fire for the four documented languages") {
        for (const char* lang : {"en-US", "zh-HK", "zh-CN", "ja-JP"}) {
            auto c = rebuild({kHz, ids("\"d-win\""), img("m-win"), std::string("\"Language\": \"") + lang + "\""});
            CHECK(c->run->findings("ecd.rebuild.language-value").empty());
            CHECK(c->run->report.calls[0].accepted);
        }
    }
}

TEST_CASE("ecd.rebuild.language-custom-image", "[rules][ecd]") {
    SECTION("fires for Language with a custom image; a warning, the call goes ahead") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-custom"), "\"Language\": \"zh-CN\""});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.language-custom-image");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->rule->severity == Severity::Warning);
        CHECK(f[0]->target.empty());
        CHECK(format_location(f[0]->location) == r.loc("\"zh-CN\""));
        CHECK(f[0]->message ==
              "Language zh-CN is given but image m-custom is a CUSTOM image; Language applies only to system images");
        CHECK(r.report.calls[0].accepted);
        CHECK(r.report.calls[0].targets[0].outcome == "accepted");
    }
    SECTION("does not fire for a system image or without Language") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win"), "\"Language\": \"zh-CN\""})
                  ->run->findings("ecd.rebuild.language-custom-image")
                  .empty());
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-custom")})->run->findings("ecd.rebuild.language-custom-image").empty());
    }
}

TEST_CASE("ecd.rebuild.after-status", "[rules][ecd]") {
    SECTION("fires when AfterStatus is sent") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-win"), "\"AfterStatus\": \"Running\""});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.after-status");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->rule->severity == Severity::Warning);
        CHECK(f[0]->rule->basis == Basis::Undocumented);
        CHECK(format_location(f[0]->location) == r.loc("\"Running\""));
        CHECK(f[0]->message == "AfterStatus \"Running\" is sent, but no document says what it does or which values it takes");
        CHECK(r.report.calls[0].accepted);
    }
    SECTION("does not fire without it") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.rebuild.after-status").empty());
    }
}

TEST_CASE("ecd.rebuild.no-image", "[rules][ecd]") {
    SECTION("fires without ImageId, at the call; the desktop is rebuilt onto its own image") {
        auto c = rebuild({kHz, ids("\"d-win\"")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.no-image");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->rule->severity == Severity::Info);
        CHECK(format_location(f[0]->location) == r.plan_path + ":3:5");
        CHECK(f[0]->message ==
              "no ImageId: each desktop is re-initialised from the image it runs now, and its system disk is still erased");
        CHECK(r.report.calls[0].accepted);
        CHECK(exit_code(r.report, Severity::Warning) == 0);
        CHECK(exit_code(r.report, Severity::Info) == 1);
        const EffectRecord* sys = r.effect(0, "disk", "d-win-sys");
        REQUIRE(sys);
        CHECK(sys->verb == "erased");
        CHECK(sys->detail == "system disk of d-win (cloud_auto) re-initialised from image m-win-old");
        const EffectRecord* data = r.effect(0, "disk", "d-win-data");
        REQUIRE(data);
        CHECK(data->verb == "retained");
    }
    SECTION("does not fire with ImageId") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.rebuild.no-image").empty());
    }
}

// ---- each desktop ------------------------------------------------------------------------

TEST_CASE("ecd.desktop.unknown (for RebuildDesktops)", "[rules][ecd]") {
    SECTION("fires for a desktop not in the inventory; only that target is refused") {
        auto c = rebuild({kHz, ids("\"d-win\", \"d-nope\""), img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.desktop.unknown");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target == "d-nope");
        CHECK(format_location(f[0]->location) == r.loc("\"d-nope\""));
        CHECK(format_location(f[0]->location) == r.plan_path + ":8:32");
        CHECK(f[0]->message == "desktop d-nope is not in the saved DescribeDesktops responses");
        const CallOutcome& co = r.report.calls[0];
        CHECK(co.accepted);
        CHECK(r.target(0, "d-win")->outcome == "accepted");
        CHECK(r.target(0, "d-nope")->outcome == "refused");
        CHECK(r.target(0, "d-nope")->code == "undocumented");
        CHECK(format_location(r.target(0, "d-nope")->location) == r.plan_path + ":8:32");
        // Whether the cloud answers an unknown desktop in RebuildResults or refuses the whole
        // call is not documented: no HTTP status and no response are predicted, and the
        // effects on d-win are shown as if the call runs.
        CHECK(co.answer_undocumented ==
              "a target is refused (ecd.desktop.unknown) with an undocumented code: whether the cloud answers per target "
              "or refuses the whole call is not documented");
        CHECK(co.http == 0);
        CHECK(co.response.is_null());
        CHECK(r.target(0, "d-win")->code.empty());
        CHECK_FALSE(r.effects(0).empty());
    }
    SECTION("does not fire for a known desktop") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.desktop.unknown").empty());
    }
}

TEST_CASE("ecd.desktop.other-region (for RebuildDesktops)", "[rules][ecd]") {
    SECTION("fires for a desktop in another region than the call") {
        auto c = rebuild({kHz, ids("\"d-bj\""), img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.desktop.other-region");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target == "d-bj");
        CHECK(format_location(f[0]->location) == r.loc("\"d-bj\""));
        CHECK(f[0]->message ==
              "desktop d-bj is in cn-beijing (office site cn-beijing+dir-1), but the call goes to cn-hangzhou: the endpoint "
              "of cn-hangzhou does not know it");
        REQUIRE(f[0]->evidence.size() == 1);
        CHECK(f[0]->evidence[0].kind == "desktop");
        CHECK(f[0]->evidence[0].id == "d-bj");
        CHECK(f[0]->evidence[0].file == c->dir.file("inv/desktops.json"));
        CHECK(f[0]->evidence[0].pointer == "/Desktops/7");
        CHECK(r.target(0, "d-bj")->outcome == "refused");
        CHECK(r.target(0, "d-bj")->code == "undocumented");
        CHECK(r.findings("ecd.desktop.unknown").empty());
    }
    SECTION("does not fire for a desktop in the call's region") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.desktop.other-region").empty());
    }
}

TEST_CASE("ecd.rebuild.os-change-outside-mainland", "[rules][ecd]") {
    SECTION("fires for an OS change in Hong Kong") {
        auto c = rebuild({"\"RegionId\": \"cn-hongkong\"", ids("\"d-hk\""), img("m-lin")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.os-change-outside-mainland");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target == "d-hk");
        CHECK(format_location(f[0]->location) == r.loc("\"d-hk\""));
        CHECK(f[0]->message ==
              "desktop d-hk in cn-hongkong runs Windows; image m-lin is LINUX: outside the Chinese mainland a rebuild cannot "
              "change the OS");
        CHECK(r.target(0, "d-hk")->outcome == "refused");
        CHECK(r.target(0, "d-hk")->code == "undocumented");
        CHECK(r.report.effects.empty());
    }
    SECTION("does not fire for the same OS in Hong Kong (case-insensitive), nor for an OS change in the mainland") {
        auto same = rebuild({"\"RegionId\": \"cn-hongkong\"", ids("\"d-hk\""), img("m-win")});
        CHECK(same->run->findings("ecd.rebuild.os-change-outside-mainland").empty());
        CHECK(same->run->target(0, "d-hk")->outcome == "accepted");
        auto mainland = rebuild({kHz, ids("\"d-win\""), img("m-lin")});
        CHECK(mainland->run->findings("ecd.rebuild.os-change-outside-mainland").empty());
        CHECK(mainland->run->target(0, "d-win")->outcome == "accepted");
    }
}

TEST_CASE("ecd.rebuild.gpu-desktop-non-gpu-image", "[rules][ecd]") {
    SECTION("fires for a graphics desktop and a non-GPU image") {
        auto c = rebuild({kHz, ids("\"d-gpu\""), img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.gpu-desktop-non-gpu-image");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target == "d-gpu");
        CHECK(format_location(f[0]->location) == r.loc("\"d-gpu\""));
        CHECK(f[0]->message == "desktop d-gpu is a graphics desktop (ecd.graphics.xlarge); image m-win is not a GPU image");
        CHECK(r.target(0, "d-gpu")->outcome == "refused");
        CHECK(r.target(0, "d-gpu")->code == "undocumented");
    }
    SECTION("does not fire for a GPU image") {
        auto c = rebuild({kHz, ids("\"d-gpu\""), img("m-gpu")});
        CHECK(c->run->findings("ecd.rebuild.gpu-desktop-non-gpu-image").empty());
        CHECK(c->run->target(0, "d-gpu")->outcome == "accepted");
    }
}

TEST_CASE("ecd.rebuild.non-gpu-desktop-gpu-image", "[rules][ecd]") {
    SECTION("fires for a non-graphics desktop and a GPU image") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-gpu")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.non-gpu-desktop-gpu-image");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target == "d-win");
        CHECK(format_location(f[0]->location) == r.loc("\"d-win\""));
        CHECK(f[0]->message == "desktop d-win is not a graphics desktop (ecd.basic.large); image m-gpu is a GPU image");
        CHECK(r.target(0, "d-win")->outcome == "refused");
        CHECK(r.target(0, "d-win")->code == "undocumented");
    }
    SECTION("does not fire for a non-GPU image") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.rebuild.non-gpu-desktop-gpu-image").empty());
    }
}

TEST_CASE("ecd.rebuild.language-linux", "[rules][ecd]") {
    SECTION("fires for a desktop that will run Linux and a language other than en-US") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-lin"), "\"Language\": \"zh-CN\""});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.language-linux");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target == "d-win");
        // `at = call.Language`: the finding points at the language, not at the desktop.
        CHECK(format_location(f[0]->location) == r.loc("\"zh-CN\""));
        CHECK(format_location(f[0]->location) == r.plan_path + ":10:21");
        CHECK(f[0]->message ==
              "desktop d-win will run Linux (image m-lin); Language zh-CN is not allowed: Linux cloud computers support only "
              "English (en-US)");
        CHECK(r.target(0, "d-win")->outcome == "refused");
        CHECK(r.target(0, "d-win")->code == "undocumented");
    }
    SECTION("fires for a Linux desktop rebuilt onto its own image") {
        auto c = rebuild({kHz, ids("\"d-lin\""), "\"Language\": \"ja-JP\""});
        auto f = c->run->findings("ecd.rebuild.language-linux");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->message ==
              "desktop d-lin will run Linux (image m-lin); Language ja-JP is not allowed: Linux cloud computers support only "
              "English (en-US)");
    }
    SECTION("does not fire for en-US, nor for a Linux desktop moving to Windows") {
        CHECK(rebuild({kHz, ids("\"d-lin\""), img("m-lin"), "\"Language\": \"en-US\""})
                  ->run->findings("ecd.rebuild.language-linux")
                  .empty());
        auto to_win = rebuild({kHz, ids("\"d-lin\""), img("m-win"), "\"Language\": \"zh-CN\""});
        CHECK(to_win->run->findings("ecd.rebuild.language-linux").empty());
        CHECK(to_win->run->target(0, "d-lin")->outcome == "accepted");
    }
}

TEST_CASE("ecd.rebuild.desktop-status", "[rules][ecd]") {
    SECTION("fires for a Starting desktop with the documented code and message") {
        auto c = rebuild({kHz, ids("\"d-win\", \"d-starting\""), img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.desktop-status");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->target == "d-starting");
        CHECK(format_location(f[0]->location) == r.loc("\"d-starting\""));
        CHECK(f[0]->message ==
              "desktop d-starting is Starting; a desktop that is starting, stopping, rebuilding, pending, expired or deleted "
              "cannot be rebuilt");
        const TargetOutcome* t = r.target(0, "d-starting");
        CHECK(t->outcome == "refused");
        CHECK(t->code == "IncorrectDesktopStatus");
        CHECK(t->message == "The current status of the desktop does not support this operation.");
        CHECK(r.target(0, "d-win")->outcome == "accepted");
        CHECK(r.report.calls[0].response.to_json() ==
              R"({"RebuildResults":[{"DesktopId":"d-win","Code":"Success"},{"DesktopId":"d-starting","Code":"IncorrectDesktopStatus","Message":"The current status of the desktop does not support this operation."}]})");
    }
    SECTION("does not fire for Stopped or Running") {
        auto c = rebuild({kHz, ids("\"d-win\", \"d-running\""), img("m-win")});
        CHECK(c->run->findings("ecd.rebuild.desktop-status").empty());
    }
}

TEST_CASE("ecd.rebuild.desktop-running", "[rules][ecd]") {
    SECTION("fires for a Running desktop; a warning, the desktop is rebuilt") {
        auto c = rebuild({kHz, ids("\"d-running\""), img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.desktop-running");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->rule->severity == Severity::Warning);
        CHECK(f[0]->target == "d-running");
        CHECK(format_location(f[0]->location) == r.loc("\"d-running\""));
        CHECK(f[0]->message.rfind("desktop d-running is Running; the official OOS template ACS::ECD::RebuildDesktop stops", 0) == 0);
        CHECK(r.target(0, "d-running")->outcome == "accepted");
        const EffectRecord* d = r.effect(0, "desktop", "d-running");
        REQUIRE(d);
        CHECK(d->status_path == std::vector<std::string>{"Running", "Rebuilding", "Running"});
    }
    SECTION("does not fire for a Stopped desktop") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.rebuild.desktop-running").empty());
    }
}

TEST_CASE("ecd.rebuild.desktop-connected", "[rules][ecd]") {
    SECTION("fires for a desktop with a connected user") {
        auto c = rebuild({kHz, ids("\"d-connected\""), img("m-win")});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.desktop-connected");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->rule->severity == Severity::Warning);
        CHECK(f[0]->target == "d-connected");
        CHECK(format_location(f[0]->location) == r.loc("\"d-connected\""));
        CHECK(f[0]->message ==
              "desktop d-connected has a connected user; the rebuild ends the session, and the OOS stop step skips connected "
              "desktops");
        CHECK(r.target(0, "d-connected")->outcome == "accepted");
    }
    SECTION("does not fire for a disconnected desktop") {
        CHECK(rebuild({kHz, ids("\"d-win\""), img("m-win")})->run->findings("ecd.rebuild.desktop-connected").empty());
    }
}

TEST_CASE("ecd.rebuild.image-copy-pending", "[rules][ecd][sequence]") {
    SECTION("fires when an earlier call is still copying the image to the call's region") {
        auto c = plan({distribute_call("copy", "m-win2", "\"cn-hangzhou\""),
                       rebuild_call("rb", {kHz, ids("\"d-win\""), img("m-win2")})});
        const Run& r = *c->run;
        REQUIRE(r.report.calls.size() == 2);
        CHECK(r.report.calls[0].accepted);
        auto f = r.findings("ecd.rebuild.image-copy-pending");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->rule->severity == Severity::Warning);
        CHECK(f[0]->call_id == "rb");
        CHECK(f[0]->target.empty());
        CHECK(format_location(f[0]->location) == r.loc("\"m-win2\"", "\"id\": \"rb\""));
        CHECK(format_location(f[0]->location) == r.plan_path + ":17:20");
        CHECK(f[0]->message ==
              "image m-win2 is copied to cn-hangzhou by an earlier StartTaskForDistributeImage call of this plan; the copy "
              "is asynchronous, so this rebuild may run before the image exists there");
        CHECK(r.report.calls[1].accepted);
        CHECK(r.target(1, "d-win")->outcome == "accepted");
    }
    SECTION("does not fire for a copy to another region, nor before the copy is started") {
        auto other = plan({distribute_call("copy", "m-win2", "\"cn-beijing\""),
                           rebuild_call("rb", {kHz, ids("\"d-win\""), img("m-win2")})});
        CHECK(other->run->report.calls[0].accepted);
        CHECK(other->run->findings("ecd.rebuild.image-copy-pending").empty());
        auto before = plan({rebuild_call("rb", {kHz, ids("\"d-win\""), img("m-win2")}),
                            distribute_call("copy", "m-win2", "\"cn-hangzhou\"")});
        CHECK(before->run->report.calls[1].accepted);
        CHECK(before->run->findings("ecd.rebuild.image-copy-pending").empty());
    }
}

// A rebuild call after which the plan waits until the rebuild has finished (same lines as
// rebuild_call: the key goes on the action's line).
static std::string waited(std::string call) {
    const std::string action = "\"action\": \"RebuildDesktops\",";
    return call.replace(call.find(action), action.size(), action + " \"wait\": true,");
}

TEST_CASE("ecd.rebuild.rebuilt-twice: the second rebuild of a desktop in one plan", "[rules][ecd][sequence]") {
    SECTION("fires on the second call only, naming the first") {
        auto c = plan({waited(rebuild_call("first", {kHz, ids("\"d-win\""), img("m-win")})),
                       rebuild_call("second", {kHz, ids("\"d-lin\", \"d-win\""), img("m-win2")})});
        const Run& r = *c->run;
        auto f = r.findings("ecd.rebuild.rebuilt-twice");
        REQUIRE(f.size() == 1);
        CHECK(f[0]->call_index == 1);
        CHECK(f[0]->call_id == "second");
        CHECK(f[0]->target == "d-win");
        CHECK(format_location(f[0]->location) == r.loc("\"d-win\"", "\"id\": \"second\""));
        CHECK(format_location(f[0]->location) == r.plan_path + ":17:32");
        CHECK(f[0]->message ==
              "desktop d-win is already rebuilt by call first of this plan; the second rebuild erases it again");
        CHECK(r.target(1, "d-win")->outcome == "accepted");
    }
    SECTION("does not fire when the first call was refused") {
        auto c = plan({rebuild_call("first", {kHz, ids("\"d-win\""), img("m-win"), "\"Language\": \"xx-XX\""}),
                       rebuild_call("second", {kHz, ids("\"d-win\""), img("m-win2")})});
        CHECK_FALSE(c->run->report.calls[0].accepted);
        CHECK(c->run->findings("ecd.rebuild.rebuilt-twice").empty());
    }
    SECTION("does not fire when the first call refused that desktop") {
        auto c = plan({rebuild_call("first", {kHz, ids("\"d-win\""), img("m-gpu")}),
                       rebuild_call("second", {kHz, ids("\"d-win\""), img("m-win2")})});
        CHECK(c->run->target(0, "d-win")->outcome == "refused");
        CHECK(c->run->findings("ecd.rebuild.rebuilt-twice").empty());
    }
    SECTION("does not fire for different desktops") {
        auto c = plan({rebuild_call("first", {kHz, ids("\"d-win\""), img("m-win")}),
                       rebuild_call("second", {kHz, ids("\"d-lin\""), img("m-lin")})});
        CHECK(c->run->findings("ecd.rebuild.rebuilt-twice").empty());
    }
}

// ---- effects -----------------------------------------------------------------------------

namespace {

struct Expect {
    const char* operate_type;  // nullptr: absent
    const char* image_id;
    const char* data_disk_verb;
    const char* data_snapshot_verb;
    const char* summary;
};

}  // namespace

TEST_CASE("effects: OperateType x same OS decides the data disk and its snapshots", "[rules][effects]") {
    const Expect cases[] = {
        {nullptr, "m-win2", "retained", "kept",
         "Plan: 1 desktop rebuilt, 1 disk erased (80 GiB), 1 disk retained (100 GiB), 1 snapshot deleted, 1 snapshot kept."},
        {nullptr, "m-lin", "erased", "deleted", "Plan: 1 desktop rebuilt, 2 disks erased (180 GiB), 2 snapshots deleted."},
        {"replace", "m-win2", "replaced", "possibly deleted",
         "Plan: 1 desktop rebuilt, 1 disk erased (80 GiB), 1 disk replaced (100 GiB), 1 snapshot deleted, 1 snapshot "
         "possibly deleted (undocumented)."},
        {"replace", "m-lin", "replaced", "deleted",
         "Plan: 1 desktop rebuilt, 1 disk erased (80 GiB), 1 disk replaced (100 GiB), 2 snapshots deleted."},
    };
    for (const Expect& x : cases) {
        std::vector<std::string> params = {kHz, ids("\"d-win\""), img(x.image_id)};
        if (x.operate_type) params.push_back(std::string("\"OperateType\": \"") + x.operate_type + "\"");
        auto c = rebuild(params);
        const Run& r = *c->run;
        INFO("OperateType " << (x.operate_type ? x.operate_type : "(absent)") << ", image " << x.image_id);
        REQUIRE(r.report.calls[0].accepted);
        REQUIRE(r.target(0, "d-win")->outcome == "accepted");

        const EffectRecord* sys = r.effect(0, "disk", "d-win-sys");
        REQUIRE(sys);
        CHECK(sys->effect->id == "ecd.rebuild.system-disk");
        CHECK(sys->verb == "erased");
        CHECK(sys->target == "d-win");
        CHECK(sys->call_id == "c1");
        REQUIRE(sys->size_gib);
        CHECK(*sys->size_gib == 80);
        CHECK(sys->effect->data_loss);
        CHECK(sys->detail == std::string("system disk of d-win (cloud_auto) re-initialised from image ") + x.image_id);

        const EffectRecord* data = r.effect(0, "disk", "d-win-data");
        REQUIRE(data);
        CHECK(data->verb == x.data_disk_verb);
        REQUIRE(data->size_gib);
        CHECK(*data->size_gib == 100);
        CHECK(data->effect->data_loss == (std::string(x.data_disk_verb) != "retained"));

        const EffectRecord* ssys = r.effect(0, "snapshot", "s-win-sys");
        REQUIRE(ssys);
        CHECK(ssys->verb == "deleted");
        CHECK(ssys->detail == "snapshot of the system disk of d-win (80 GiB, AUTO) becomes invalid and is deleted");
        const EffectRecord* sdata = r.effect(0, "snapshot", "s-win-data");
        REQUIRE(sdata);
        CHECK(sdata->verb == x.data_snapshot_verb);
        // Snapshots of other desktops are untouched.
        CHECK_FALSE(r.effect(0, "snapshot", "s-lin-sys"));

        const EffectRecord* d = r.effect(0, "desktop", "d-win");
        REQUIRE(d);
        CHECK(d->verb.empty());
        CHECK(d->status_path == std::vector<std::string>{"Stopped", "Rebuilding", "Stopped"});
        CHECK(r.report.summary() == x.summary);
        CHECK(r.report.summary_parts.front() == "1 desktop rebuilt");
    }
}

TEST_CASE("effects: details, order and the state after the plan", "[rules][effects]") {
    auto c = rebuild({kHz, ids("\"d-win\""), img("m-lin")});
    const Run& r = *c->run;
    std::vector<std::string> seen;
    for (const auto* e : r.effects(0)) seen.push_back(e->effect->id + " " + e->id);
    CHECK(seen == std::vector<std::string>{"ecd.rebuild.system-disk d-win-sys", "ecd.rebuild.data-disk-erased d-win-data",
                                           "ecd.rebuild.system-snapshots s-win-sys",
                                           "ecd.rebuild.data-snapshots-deleted s-win-data", "ecd.rebuild.desktop d-win"});
    CHECK(r.effect(0, "disk", "d-win-data")->detail == "data disk of d-win erased: the OS changes from Windows to LINUX");
    CHECK(r.effect(0, "desktop", "d-win")->detail == "image m-win-old -> m-lin (LINUX)");

    // Changes: snapshots marked deleted, the desktop's image and OS.
    std::vector<std::string> changes;
    for (const auto& ch : r.report.changes) {
        std::string s = ch.kind + " " + ch.id + ":";
        for (const auto& [k, ba] : ch.fields) s += " " + k + " " + ba.first.to_json() + "->" + ba.second.to_json();
        changes.push_back(s);
    }
    CHECK(changes == std::vector<std::string>{"snapshot s-win-sys: deleted null->true",
                                              "snapshot s-win-data: deleted null->true",
                                              "desktop d-win: OsType \"Windows\"->\"LINUX\" ImageId \"m-win-old\"->\"m-lin\""});
}

TEST_CASE("effects: a same-OS rebuild keeps the desktop's own spelling of the OS", "[rules][effects]") {
    auto c = rebuild({kHz, ids("\"d-win\""), img("m-win2")});
    const Run& r = *c->run;
    CHECK(r.effect(0, "disk", "d-win-data")->detail == "data disk of d-win kept: same OS (Windows)");
    CHECK(r.effect(0, "desktop", "d-win")->detail == "image m-win-old -> m-win2 (Windows)");
    REQUIRE(r.report.changes.size() == 2);
    CHECK(r.report.changes[1].kind == "desktop");
    REQUIRE(r.report.changes[1].fields.size() == 1);
    CHECK(r.report.changes[1].fields[0].first == "ImageId");
}

TEST_CASE("summary: refused calls and targets, and nothing to do", "[rules][summary]") {
    SECTION("a refused call changes nothing") {
        auto c = rebuild({kHz, ids("\"d-win\""), img("m-nope")});
        CHECK(c->run->report.effects.empty());
        CHECK(c->run->report.changes.empty());
        CHECK(c->run->report.summary() == "Plan: no change; 1 call refused.");
    }
    SECTION("refused targets are counted; accepted ones summarised") {
        auto c = rebuild({kHz, ids("\"d-win\", \"d-gpu\", \"d-starting\""), img("m-win2")});
        CHECK(c->run->report.summary() ==
              "Plan: 1 desktop rebuilt, 1 disk erased (80 GiB), 1 disk retained (100 GiB), 1 snapshot deleted, 1 snapshot "
              "kept; 2 targets refused, 1 call may be refused as a whole (undocumented).");
    }
    SECTION("an empty plan") {
        auto c = plan({});
        CHECK(c->run->report.summary() == "Plan: no change.");
        CHECK(c->run->report.findings.empty());
    }
}

// A call no rule describes has outcome "unknown" (JSON) but is counted as refused in the
// summary (see the report).
TEST_CASE("summary: a call no rule file describes is not counted as refused", "[rules][summary]") {
    auto c = plan({"    {\"product\": \"ecs\", \"version\": \"2014-05-26\", \"action\": \"ModifyInstanceSpec\"}"});
    CHECK(c->run->report.summary() == "Plan: no change; 1 call not modeled.");
}

// ---- sequences ---------------------------------------------------------------------------

TEST_CASE("sequence: each call sees the state the earlier ones leave", "[rules][sequence]") {
    // d-win: Windows -> Linux (data erased, snapshots deleted) -> Windows again (the OS
    // changes back: data erased again; the snapshots are already gone).
    auto c = plan({waited(rebuild_call("to-linux", {kHz, ids("\"d-win\""), img("m-lin")})),
                   waited(rebuild_call("back", {kHz, ids("\"d-win\""), img("m-win2")})),
                   rebuild_call("again", {kHz, ids("\"d-win\"")})});
    const Run& r = *c->run;
    REQUIRE(r.report.calls.size() == 3);
    for (const auto& co : r.report.calls) CHECK(co.accepted);

    CHECK(r.effect(0, "disk", "d-win-data")->verb == "erased");
    CHECK(r.effect(0, "snapshot", "s-win-sys")->verb == "deleted");
    CHECK(r.effect(0, "snapshot", "s-win-data")->verb == "deleted");

    CHECK(r.effect(1, "disk", "d-win-data")->verb == "erased");
    CHECK(r.effect(1, "disk", "d-win-data")->detail == "data disk of d-win erased: the OS changes from LINUX to WINDOWS");
    CHECK_FALSE(r.effect(1, "snapshot", "s-win-sys"));
    CHECK_FALSE(r.effect(1, "snapshot", "s-win-data"));
    CHECK(r.effect(1, "desktop", "d-win")->detail == "image m-lin -> m-win2 (WINDOWS)");

    // No ImageId: the desktop is rebuilt onto the image the plan left it with.
    CHECK(r.effect(2, "disk", "d-win-sys")->detail == "system disk of d-win (cloud_auto) re-initialised from image m-win2");
    CHECK(r.effect(2, "disk", "d-win-data")->verb == "retained");

    auto twice = r.findings("ecd.rebuild.rebuilt-twice");
    REQUIRE(twice.size() == 2);
    CHECK(twice[0]->call_id == "back");
    CHECK(twice[0]->message == "desktop d-win is already rebuilt by call to-linux of this plan; the second rebuild erases it again");
    CHECK(format_location(twice[0]->location) == r.loc("\"d-win\"", "\"id\": \"back\""));
    CHECK(twice[1]->call_id == "again");
    CHECK(twice[1]->message == "desktop d-win is already rebuilt by call to-linux of this plan; the second rebuild erases it again");
    CHECK(format_location(twice[1]->location) == r.loc("\"d-win\"", "\"id\": \"again\""));

    CHECK(r.report.summary() ==
          "Plan: 3 desktops rebuilt, 5 disks erased (440 GiB), 2 snapshots deleted, 1 disk retained (100 GiB).");
    REQUIRE(r.report.changes.size() == 3);
    const auto& d = r.report.changes[2];
    CHECK(d.id == "d-win");
    std::string fields;
    for (const auto& [k, ba] : d.fields) fields += k + " " + ba.first.to_text() + "->" + ba.second.to_text() + "; ";
    CHECK(fields == "OsType Windows->WINDOWS; ImageId m-win-old->m-win2; ");
}

TEST_CASE("findings are ordered by call, then position, then rule id", "[rules][report]") {
    auto c = rebuild({kHz, ids("\"d-connected\", \"d-running\""), img("m-win"), "\"AfterStatus\": \"x\"", "\"Bogus\": 1"});
    std::vector<std::string> got;
    for (const auto& f : c->run->report.findings)
        got.push_back(lc(f.location.pos) + " " + f.rule->id + (f.target.empty() ? "" : " " + f.target));
    CHECK(got == std::vector<std::string>{"8:23 ecd.rebuild.desktop-connected d-connected",
                                          "8:38 ecd.rebuild.desktop-running d-running", "10:24 ecd.rebuild.after-status",
                                          "11:18 plan.unknown-parameter"});
}

namespace {
// A WUYING client RebootDesktops call (LoginToken is a secret of that operation).
std::string client_reboot(const std::string& login_token, const std::string& client_id) {
    return "    {\"id\": \"rb\", \"product\": \"ecd\", \"version\": \"2020-10-02\", \"action\": \"RebootDesktops\",\n"
           "     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"ClientId\": " + client_id +
           ", \"SessionId\": \"s\", \"ClientToken\": \"t\",\n"
           "       \"DesktopId\": [\"d-running\"], \"LoginToken\": " + login_token + "}}";
}
}  // namespace

TEST_CASE("plan.wrong-type on a plain parameter of another operation: secrets stay redacted", "[rules][common][secrets]") {
    auto c = plan({client_reboot("\"tok-secret\"", "[\"c\"]")});
    const Run& r = *c->run;
    auto f = r.findings("plan.wrong-type");
    REQUIRE(f.size() == 1);
    CHECK(f[0]->message == "ClientId must be of type string; the call gives a value of type array: c");
    CHECK(format_location(f[0]->location) == r.loc("[\"c\"]"));
    CHECK(r.plan.calls[0].parameters.find("LoginToken")->as_string() == "[redacted]");
    for (const auto& x : r.report.findings) CHECK(x.message.find("tok-secret") == std::string::npos);
}

// Secrets are redacted to the string "[redacted]" before the rules see them, so a secret of
// the wrong type (here a list for a string) is not reported, while the same mistake on
// another parameter is (the case above; see the report).
TEST_CASE("plan.wrong-type also applies to secret parameters", "[rules][common][secrets]") {
    auto c = plan({client_reboot("[\"tok\"]", "\"c\"")});
    auto f = c->run->findings("plan.wrong-type");
    REQUIRE(f.size() == 1);
    CHECK(f[0]->message == "LoginToken must be of type string; the call gives a value of type array: [redacted]");
}
