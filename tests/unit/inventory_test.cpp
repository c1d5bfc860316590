// load_inventory: kinds detected from the shape of saved responses, pages merged,
// derived fields, duplicates, and the input errors of unusable inventory.
#include <catch2/catch.hpp>

#include <deque>
#include <string>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

struct Loaded {
    SourceRegistry sources;
    RuleSet rules;
    Inventory inv;
};

std::unique_ptr<Loaded> load(const std::vector<std::string>& paths, const InventoryOptions& options = {}) {
    auto l = std::make_unique<Loaded>();
    l->rules = load_rules(l->sources, RuleSources{true, {}});
    l->inv = load_inventory(l->sources, paths, l->rules, options);
    return l;
}

std::optional<Err> load_error(const std::vector<std::string>& paths, const InventoryOptions& options = {}) {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    return input_error([&] { load_inventory(sources, paths, rules, options); });
}

std::string text_of(const InventoryObject& o, const char* field) {
    const Node* n = o.value().find(field);
    return n ? n->to_text() : "<absent>";
}

}  // namespace

TEST_CASE("samples/fleet: every file's kind is detected and pages merge", "[inventory]") {
    auto l = load({source_path("samples/fleet")});
    const std::string fleet = source_path("samples/fleet");
    CHECK(l->inv.files == std::vector<std::string>{fleet + "/describe_desktops_page1.json", fleet + "/describe_desktops_page2.json",
                                                   fleet + "/describe_images.json",
                                                   fleet + "/describe_instance_history_events.json",
                                                   fleet + "/describe_instances.json", fleet + "/describe_regions.json",
                                                   fleet + "/describe_snapshots.json", fleet + "/list_image.json"});
    CHECK(l->inv.objects("desktop").size() == 12);
    CHECK(l->inv.objects("image").size() == 6);
    CHECK(l->inv.objects("snapshot").size() == 10);
    CHECK(l->inv.objects("ecd_region").size() == 5);
    CHECK(l->inv.objects("instance").size() == 7);
    CHECK(l->inv.objects("ecs_event").size() == 6);
    CHECK(l->inv.objects("app_image").size() == 2);  // list_image.json: {"Data": [...]} with ImageId
    CHECK(l->inv.find("app_image", "imgc-0b2financeenc"));
    CHECK(l->inv.objects("no-such-kind").empty());

    // Desktops in load order: page 1 (7), then page 2 (5).
    const auto& desktops = l->inv.objects("desktop");
    CHECK(desktops.front().id == "ecd-hkwin01a7c2k9");
    CHECK(desktops[6].id == "ecd-sggpu07g1v6z4");
    CHECK(desktops[7].id == "ecd-shwin08h4w9a5");
    CHECK(desktops.back().id == "ecd-sgwin12n8b1e2");

    const InventoryObject* d = l->inv.find("desktop", "ecd-shwin08h4w9a5");
    REQUIRE(d);
    CHECK(d->kind->name == "desktop");
    CHECK(l->sources.file(d->file).path() == fleet + "/describe_desktops_page2.json");
    CHECK(d->pointer() == "/Desktops/0");
    CHECK(l->inv.find("desktop", "ecd-hzwin04d2p7w3")->pointer() == "/Desktops/3");
    CHECK(l->inv.find("image", "m-win2022golden")->pointer() == "/Images/5");
    CHECK(l->inv.find("snapshot", "s-hk01sys010")->pointer() == "/Snapshots/9");
    CHECK(l->inv.find("ecd_region", "ap-southeast-1"));
    CHECK_FALSE(l->inv.find("desktop", "m-win2022std"));  // ids are per kind
    CHECK_FALSE(l->inv.find("desktop", "ecd-gone0000000000"));
}

TEST_CASE("samples/fleet: kept fields, the kind member and derived fields", "[inventory]") {
    auto l = load({source_path("samples/fleet")});
    const InventoryObject* hk = l->inv.find("desktop", "ecd-hkwin01a7c2k9");
    REQUIRE(hk);
    CHECK(text_of(*hk, "DesktopStatus") == "Stopped");
    CHECK(text_of(*hk, "OsType") == "Windows");
    CHECK(text_of(*hk, "@kind") == "desktop");
    CHECK(text_of(*hk, "Cpu") == "<absent>");        // not a kept field
    CHECK(text_of(*hk, "Tags") == "<absent>");
    CHECK(hk->value().find("Disks")->items().size() == 2);
    CHECK(hk->value().find("Disks")->items()[1].to_json() ==
          R"({"DiskCategory":"cloud_auto","DiskId":"d-hk01data","DiskSize":100,"DiskType":"DATA","PerformanceLevel":"PL0"})");
    // region: the OfficeSiteId prefix before '+'; gpu: ecd.graphics.* or GpuCategory > 0.
    CHECK(text_of(*hk, "region") == "cn-hongkong");
    CHECK(text_of(*hk, "gpu") == "false");

    const InventoryObject* gpu = l->inv.find("desktop", "ecd-hzgpu05e5r1y8");
    REQUIRE(gpu);
    CHECK(text_of(*gpu, "region") == "cn-hangzhou");
    CHECK(text_of(*gpu, "gpu") == "true");
    CHECK(text_of(*l->inv.find("desktop", "ecd-sggpu07g1v6z4"), "region") == "ap-southeast-1");
    CHECK(text_of(*l->inv.find("desktop", "ecd-bjwin09j7y2b6"), "region") == "cn-beijing");

    CHECK(text_of(*l->inv.find("image", "m-wingpu2022"), "gpu") == "true");
    CHECK(text_of(*l->inv.find("image", "m-win2022std"), "gpu") == "false");
    CHECK(text_of(*l->inv.find("image", "m-win2022golden"), "Status") == "Creating");
    CHECK(text_of(*l->inv.find("snapshot", "s-hz03dat005"), "SourceDiskSize") == "200");
    CHECK(text_of(*l->inv.find("ecd_region", "cn-hongkong"), "LocalName") == "China (Hong Kong)");
}

TEST_CASE("derived gpu: GpuCategory > 0 without a graphics type, and a graphics type alone", "[inventory]") {
    TempDir dir;
    dir.write("d.json", R"({"Desktops": [
      {"DesktopId": "a", "DesktopType": "ecd.basic.large", "GpuCategory": 1, "OfficeSiteId": "cn-shanghai+dir-1"},
      {"DesktopId": "b", "DesktopType": "ecd.graphics.2xlarge", "GpuCategory": 0},
      {"DesktopId": "c", "DesktopType": "ecd.basic.large", "GpuCategory": "0", "OfficeSiteId": "no-plus"}
    ]})");
    auto l = load({dir.file("d.json")});
    CHECK(text_of(*l->inv.find("desktop", "a"), "gpu") == "true");
    CHECK(text_of(*l->inv.find("desktop", "a"), "region") == "cn-shanghai");
    CHECK(text_of(*l->inv.find("desktop", "b"), "gpu") == "true");
    CHECK(text_of(*l->inv.find("desktop", "b"), "region") == "null");  // no OfficeSiteId
    CHECK(text_of(*l->inv.find("desktop", "c"), "gpu") == "false");
    CHECK(text_of(*l->inv.find("desktop", "c"), "region") == "no-plus");
}

TEST_CASE("a duplicate id with the same content merges", "[inventory][duplicates]") {
    TempDir dir;
    const std::string img = R"({"ImageId": "m-1", "OsType": "WINDOWS", "Status": "Available"})";
    dir.write("inv/a.json", "{\"Images\": [" + img + "]}");
    dir.write("inv/b.json", "{\"RequestId\": \"x\",\n \"Images\": [\n  {\"ImageId\": \"m-2\"},\n  " + img + "\n]}");
    auto l = load({dir.file("inv")});
    CHECK(l->inv.files.size() == 2);
    REQUIRE(l->inv.objects("image").size() == 2);
    const InventoryObject* m1 = l->inv.find("image", "m-1");
    REQUIRE(m1);
    CHECK(l->sources.file(m1->file).path() == dir.file("inv/a.json"));  // the first copy stays
    CHECK(m1->pointer() == "/Images/0");
}

TEST_CASE("a duplicate id with different content is inventory.conflicting-duplicate", "[inventory][duplicates]") {
    TempDir dir;
    SECTION("across files") {
        dir.write("inv/a.json", "{\"Images\": [\n  {\"ImageId\": \"m-1\", \"OsType\": \"WINDOWS\"}\n]}\n");
        dir.write("inv/b.json", "{\"Images\": [\n  {\"ImageId\": \"m-2\"},\n  {\"ImageId\": \"m-1\", \"OsType\": \"LINUX\"}\n]}\n");
        auto e = load_error({dir.file("inv")});
        REQUIRE(e);
        CHECK(e->id == "inventory.conflicting-duplicate");
        CHECK(e->file == dir.file("inv/b.json"));
        CHECK(e->where() == "3:3");
        CHECK(e->pointer == "/Images/1");
        CHECK(e->message.rfind("image m-1 appears twice with different contents; the other copy is at " + dir.file("inv/a.json"), 0) == 0);
    }
    SECTION("within one file") {
        dir.write("c.json",
                  "{\"Snapshots\": [\n  {\"SnapshotId\": \"s-1\", \"Status\": \"ACCOMPLISHED\"},\n"
                  "  {\"SnapshotId\": \"s-1\", \"Status\": \"PROGRESSING\"}\n]}\n");
        auto e = load_error({dir.file("c.json")});
        REQUIRE(e);
        CHECK(e->id == "inventory.conflicting-duplicate");
        CHECK(e->file == dir.file("c.json"));
        CHECK(e->where() == "3:3");
        CHECK(e->pointer == "/Snapshots/1");
        CHECK(e->message == "snapshot s-1 appears twice with different contents; the other copy is at " + dir.file("c.json") +
                                ":2:3 (/Snapshots/0)");
    }
}

// The first file's text is released before the conflict is found, so the position of the
// other copy is lost from the message (see the report).
TEST_CASE("conflicting duplicate across files names the other copy's line:col",
          "[inventory][duplicates]") {
    TempDir dir;
    dir.write("inv/a.json", "{\"Images\": [\n  {\"ImageId\": \"m-1\", \"OsType\": \"WINDOWS\"}\n]}\n");
    dir.write("inv/b.json", "{\"Images\": [\n  {\"ImageId\": \"m-1\", \"OsType\": \"LINUX\"}\n]}\n");
    auto e = load_error({dir.file("inv")});
    REQUIRE(e);
    CHECK(e->message == "image m-1 appears twice with different contents; the other copy is at " + dir.file("inv/a.json") +
                            ":2:3 (/Images/0)");
}

TEST_CASE("unknown shapes and bare arrays", "[inventory][errors]") {
    TempDir dir;
    SECTION("an object with no known list") {
        dir.write("x.json", "\n  {\"Machines\": {\"Machine\": []}}");
        auto e = load_error({dir.file("x.json")});
        REQUIRE(e);
        CHECK(e->id == "inventory.unknown-shape");
        CHECK(e->file == dir.file("x.json"));
        CHECK(e->where() == "2:3");
        // Every kind the rules declare, by list path, in rule-file order.
        CHECK(e->message.rfind("not a saved API response opguard knows; expected a JSON object with one of: Data[] (app_image), ", 0) == 0);
        CHECK(e->message.find(", Desktops[] (desktop), Images[] (image), Snapshots[] (snapshot), DesktopGroups[] (desktop_group), Regions[] (ecd_region), ") !=
              std::string::npos);
        CHECK(e->message.find(", Instances.Instance[] (instance)") != std::string::npos);
        CHECK(e->message.find(", desktops[] (hw_desktop), images[] (hw_image), image_infos[] (hw_image_check)") != std::string::npos);
    }
    SECTION("a list under a known key that is not a list") {
        dir.write("x.json", "{\"Desktops\": {\"DesktopId\": \"a\"}}");
        auto e = load_error({dir.file("x.json")});
        REQUIRE(e);
        CHECK(e->id == "inventory.unknown-shape");
        CHECK(e->where() == "1:1");
    }
    SECTION("a scalar") {
        dir.write("x.json", "42");
        auto e = load_error({dir.file("x.json")});
        REQUIRE(e);
        CHECK(e->id == "inventory.unknown-shape");
        CHECK(e->where() == "1:1");
        CHECK(e->message.rfind("not a saved API response opguard knows; expected a JSON value with one of: ", 0) == 0);
    }
    SECTION("a bare array whose file name names no kind") {
        dir.write("out.json", "[{\"DesktopId\": \"a\"}]");
        auto e = load_error({dir.file("out.json")});
        REQUIRE(e);
        CHECK(e->id == "inventory.bare-array");
        CHECK(e->file == dir.file("out.json"));
        CHECK(e->where() == "1:1");
        CHECK(e->message ==
              "a bare JSON array (--cli-query output) does not say what it lists; name the kind with --inventory-kind "
              "KIND=FILE (or KIND for every such file) or put it in the file name (e.g. desktops.json)");
    }
    SECTION("a bare array named by its file name") {
        dir.write("my_desktops.json", "[{\"DesktopId\": \"a\", \"OfficeSiteId\": \"cn-beijing+x\"}]");
        auto l = load({dir.file("my_desktops.json")});
        REQUIRE(l->inv.objects("desktop").size() == 1);
        const InventoryObject* d = l->inv.find("desktop", "a");
        REQUIRE(d);
        CHECK(d->pointer() == "/0");
        CHECK(text_of(*d, "region") == "cn-beijing");
    }
    SECTION("a bare array with --inventory-kind") {
        dir.write("out.json", "[{\"ImageId\": \"m-1\"}, {\"ImageId\": \"m-2\"}]");
        InventoryOptions o;
        o.kind_override = "image";
        auto l = load({dir.file("out.json")}, o);
        CHECK(l->inv.objects("image").size() == 2);
        CHECK(l->inv.find("image", "m-2")->pointer() == "/1");

        o.kind_override = "gadget";
        auto e = load_error({dir.file("out.json")}, o);
        REQUIRE(e);
        CHECK(e->id == "inventory.unknown-kind");
        CHECK(e->message.rfind("unknown --inventory-kind 'gadget'; the kinds the rules declare: Data[] (app_image), Desktops[] (desktop), ", 0) == 0);
    }
    SECTION("--inventory-kind KIND=FILE gives each bare array its own kind") {
        dir.write("q1.json", "[{\"ImageId\": \"m-1\"}]");
        dir.write("q2.json", "[{\"DesktopId\": \"ecd-1\", \"OfficeSiteId\": \"cn-hangzhou+dir-1\"}]");
        dir.write("images.json", "[{\"ImageId\": \"m-9\"}]");
        InventoryOptions o;
        o.kind_of_file = {{dir.file("q1.json"), "image"}, {dir.file("./q2.json"), "desktop"}};
        auto l = load({dir.file("q1.json"), dir.file("q2.json"), dir.file("images.json")}, o);
        CHECK(l->inv.find("image", "m-1"));
        REQUIRE(l->inv.find("desktop", "ecd-1"));
        CHECK(text_of(*l->inv.find("desktop", "ecd-1"), "region") == "cn-hangzhou");
        CHECK(l->inv.find("image", "m-9"));  // named by its file name, not by another file's kind

        // A plain KIND covers the bare arrays no KIND=FILE names.
        o.kind_of_file = {{dir.file("q2.json"), "desktop"}};
        o.kind_override = "image";
        auto l2 = load({dir.file("q1.json"), dir.file("q2.json")}, o);
        CHECK(l2->inv.find("image", "m-1"));
        CHECK(l2->inv.find("desktop", "ecd-1"));

        // A FILE that is not among the inventory files is a mistake, said before anything is read.
        o.kind_override.clear();
        o.kind_of_file = {{dir.file("q3.json"), "image"}};
        auto e = load_error({dir.file("q1.json")}, o);
        REQUIRE(e);
        CHECK(e->id == "inventory.kind-file");
        CHECK(e->file == dir.file("q3.json"));
        CHECK(e->message == "--inventory-kind image=" + dir.file("q3.json") +
                                " names a file that is not among the inventory files (give it, or its folder, with --inventory)");
    }
}

TEST_CASE("elements that are not objects or have no id", "[inventory][errors]") {
    TempDir dir;
    dir.write("a.json", "{\"Images\": [\n  {\"ImageId\": \"m-1\"},\n  \"m-2\"\n]}");
    auto e = load_error({dir.file("a.json")});
    REQUIRE(e);
    CHECK(e->id == "inventory.shape");
    CHECK(e->where() == "3:3");
    CHECK(e->pointer == "/Images/1");
    CHECK(e->message == "expected an object in image list, found string");

    dir.write("b.json", "{\"Images\": [\n  {\"Name\": \"no id\"}\n]}");
    auto e2 = load_error({dir.file("b.json")});
    REQUIRE(e2);
    CHECK(e2->id == "inventory.missing-id");
    CHECK(e2->where() == "2:3");
    CHECK(e2->pointer == "/Images/0");
    CHECK(e2->message == "image without a string ImageId");
}

TEST_CASE("directories: recursive, sorted, and an empty one is an error", "[inventory][errors]") {
    TempDir dir;
    SECTION("no json at all") {
        dir.mkdir("empty");
        auto e = load_error({dir.file("empty")});
        REQUIRE(e);
        CHECK(e->id == "inventory.empty-directory");
        CHECK(e->file == dir.file("empty"));
        CHECK_FALSE(e->pos.known());
        CHECK(e->message == "directory holds no .json files");
    }
    SECTION("only other files") {
        dir.write("other/readme.txt", "not json");
        auto e = load_error({dir.file("other")});
        REQUIRE(e);
        CHECK(e->id == "inventory.empty-directory");
    }
    SECTION("nested directories are read in path order") {
        dir.write("inv/z.json", "{\"Images\": [{\"ImageId\": \"m-z\"}]}");
        dir.write("inv/sub/a.json", "{\"Images\": [{\"ImageId\": \"m-a\"}]}");
        dir.write("inv/notes.txt", "ignored");
        auto l = load({dir.file("inv")});
        CHECK(l->inv.files == std::vector<std::string>{dir.file("inv/sub/a.json"), dir.file("inv/z.json")});
        CHECK(l->inv.objects("image").front().id == "m-a");
    }
}

TEST_CASE("a missing inventory file is input.unreadable", "[inventory][errors]") {
    TempDir dir;
    auto e = load_error({dir.file("missing.json")});
    REQUIRE(e);
    CHECK(e->id == "input.unreadable");
    CHECK(e->file == dir.file("missing.json"));
    CHECK_FALSE(e->pos.known());
    CHECK(e->message == "cannot read file: No such file or directory");
    CHECK(e->what == dir.file("missing.json") + ": error[input.unreadable]: cannot read file: No such file or directory");
}

TEST_CASE("malformed inventory JSON names the file and position", "[inventory][errors]") {
    TempDir dir;
    dir.write("bad.json", "{\"Images\": [\n  {\"ImageId\": \"m-1\",}\n]}");
    auto e = load_error({dir.file("bad.json")});
    REQUIRE(e);
    CHECK(e->id.rfind("json.", 0) == 0);
    CHECK(e->file == dir.file("bad.json"));
    CHECK(e->pos.line == 2);
}

TEST_CASE("malformed JSON in a field no rule reads, or in a kind no rule reads, is an input error too", "[inventory][errors]") {
    // These passed silently: the values no rule reads were skipped unchecked.
    struct Case { const char* name; std::string text; const char* id; std::string at, pointer; };
    const std::vector<Case> cases = {
        {"bracket", "{\"Images\": [\n  {\"ImageId\": \"m-1\", \"Unread\": [}]\n]}", "json.syntax", "2:33", "/Images/0/Unread/0"},
        {"atom", "{\"Images\": [\n  {\"ImageId\": \"m-1\", \"Unread\": tru}\n]}", "json.syntax", "2:32", "/Images/0/Unread"},
        {"comma", "{\"RequestId\": [1,,2], \"Images\": [{\"ImageId\": \"m-1\"}]}", "json.syntax", "1:18", "/RequestId/1"},
        {"escape", "{\"Images\": [{\"ImageId\": \"m-1\", \"Unread\": {\"k\": \"\\q\"}}]}", "json.escape", "", ""},
        {"number", "{\"Images\": [{\"ImageId\": \"m-1\", \"Unread\": [01]}]}", "json.number", "", ""},
        {"kind no rule reads", "{\"Unknown\": 1, \"Images\": [], \"Other\": {\"a\": }}", "json.syntax", "", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        TempDir dir;
        dir.write("bad.json", c.text);
        auto e = load_error({dir.file("bad.json")});
        REQUIRE(e);
        CHECK(e->file == dir.file("bad.json"));
        CHECK(e->pos.known());
        if (std::string(c.id) == "json.escape") CHECK(e->id.rfind("json.", 0) == 0);
        else CHECK(e->id == c.id);
        if (!c.at.empty()) CHECK(std::to_string(e->pos.line) + ":" + std::to_string(e->pos.column) == c.at);
        if (!c.pointer.empty()) CHECK(e->what.find("(at JSON pointer " + c.pointer + ")") != std::string::npos);
    }
}

TEST_CASE("KooCLI CheckDesktopImages output is hw_image_check, one record per desktop_id", "[inventory][huawei]") {
    TempDir dir;
    // hcloud Workspace CheckDesktopImages ... > check_desktop_images.json: the response body as
    // KooCLI prints it; the second desktop asked about is left out (its image is gone).
    dir.write("inv/check_desktop_images.json",
              "{\n"
              "  \"image_infos\": [\n"
              "    {\n"
              "      \"desktop_id\": \"0730042a-b9c7-4279-bb24-d3fd299a2efe\",\n"
              "      \"image_id\": \"b669106a-1395-4f24-92af-d884c227e558\",\n"
              "      \"image_name\": \"win-office-2025\",\n"
              "      \"image_type\": \"market\",\n"
              "      \"os_type\": \"Windows\"\n"
              "    },\n"
              "    {\n"
              "      \"desktop_id\": \"9d1f3c1e-0000-4e6a-8f00-5b2c7e1d9a77\",\n"
              "      \"image_id\": \"3e1c2b7a-5d4f-4a8e-9c0b-1f2e3d4c5b6a\",\n"
              "      \"image_type\": \"gold\",\n"
              "      \"os_type\": \"Linux\"\n"
              "    }\n"
              "  ]\n"
              "}\n");
    auto l = load({dir.file("inv")});
    CHECK(l->inv.loaded("hw_image_check"));
    REQUIRE(l->inv.objects("hw_image_check").size() == 2);
    const InventoryObject* a = l->inv.find("hw_image_check", "0730042a-b9c7-4279-bb24-d3fd299a2efe");
    REQUIRE(a);
    CHECK(a->kind->name == "hw_image_check");
    CHECK(a->pointer() == "/image_infos/0");
    CHECK(l->sources.file(a->file).path() == dir.file("inv/check_desktop_images.json"));
    CHECK(text_of(*a, "image_id") == "b669106a-1395-4f24-92af-d884c227e558");
    CHECK(text_of(*a, "image_name") == "win-office-2025");
    CHECK(text_of(*a, "image_type") == "market");
    CHECK(text_of(*a, "os_type") == "Windows");
    CHECK(text_of(*a, "@kind") == "hw_image_check");
    const InventoryObject* b = l->inv.find("hw_image_check", "9d1f3c1e-0000-4e6a-8f00-5b2c7e1d9a77");
    REQUIRE(b);
    CHECK(b->pointer() == "/image_infos/1");
    CHECK(text_of(*b, "image_id") == "3e1c2b7a-5d4f-4a8e-9c0b-1f2e3d4c5b6a");
    CHECK(text_of(*b, "image_name") == "<absent>");
    CHECK(text_of(*b, "os_type") == "Linux");
    // The answer says nothing about other kinds: neither a desktop nor an image is loaded.
    CHECK_FALSE(l->inv.loaded("hw_desktop"));
    CHECK_FALSE(l->inv.loaded("hw_image"));
    CHECK_FALSE(l->inv.find("hw_image", "b669106a-1395-4f24-92af-d884c227e558"));
}

TEST_CASE("an empty CheckDesktopImages answer is loaded, with no record", "[inventory][huawei]") {
    TempDir dir;
    dir.write("check.json", "{\"image_infos\": []}\n");
    auto l = load({dir.file("check.json")});
    CHECK(l->inv.loaded("hw_image_check"));  // every desktop asked about was left out
    CHECK(l->inv.objects("hw_image_check").empty());
}

TEST_CASE("bare arrays of Huawei answers: the file name and the id field pick the kind", "[inventory][huawei]") {
    TempDir dir;
    SECTION("--cli-query image_infos saved as check_desktop_images.json") {
        // The name also holds "desktop" (hint of ECD desktops, declared first), whose DesktopId
        // the elements do not have.
        dir.write("check_desktop_images.json",
                  "[\n  {\"desktop_id\": \"0730042a-b9c7-4279-bb24-d3fd299a2efe\", \"image_id\": \"b669106a-1395-4f24-92af-d884c227e558\"}\n]\n");
        auto l = load({dir.file("check_desktop_images.json")});
        CHECK(l->inv.objects("desktop").empty());
        REQUIRE(l->inv.objects("hw_image_check").size() == 1);
        const InventoryObject* c = l->inv.find("hw_image_check", "0730042a-b9c7-4279-bb24-d3fd299a2efe");
        REQUIRE(c);
        CHECK(c->pointer() == "/0");
        CHECK(text_of(*c, "image_id") == "b669106a-1395-4f24-92af-d884c227e558");
    }
    SECTION("--cli-query desktops saved as list_desktops_detail.json") {
        dir.write("list_desktops_detail.json", "[{\"desktop_id\": \"1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a51\", \"status\": \"ACTIVE\"}]");
        auto l = load({dir.file("list_desktops_detail.json")});
        CHECK(l->inv.objects("desktop").empty());
        REQUIRE(l->inv.find("hw_desktop", "1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a51"));
        CHECK(text_of(*l->inv.find("hw_desktop", "1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a51"), "status") == "ACTIVE");
    }
    SECTION("ECD images.json keeps the first declared kind whose id it has") {
        dir.write("images.json", "[{\"ImageId\": \"m-1\", \"OsType\": \"WINDOWS\"}]");
        auto l = load({dir.file("images.json")});
        CHECK(l->inv.objects("hw_image").empty());
        REQUIRE(l->inv.find("image", "m-1"));
    }
    SECTION("no kind whose hint the name holds has the id: the first declared one says so") {
        dir.write("check_desktop_images.json", "[{\"DesktopName\": \"no id\"}]");
        auto e = load_error({dir.file("check_desktop_images.json")});
        REQUIRE(e);
        CHECK(e->id == "inventory.missing-id");
        CHECK(e->where() == "1:2");
        CHECK(e->pointer == "/0");
        CHECK(e->message == "desktop without a string DesktopId");
    }
    SECTION("--inventory-kind hw_image_check") {
        dir.write("out.json", "[{\"desktop_id\": \"d-1\", \"image_id\": \"i-1\"}, {\"desktop_id\": \"d-2\", \"image_id\": \"i-2\"}]");
        InventoryOptions o;
        o.kind_override = "hw_image_check";
        auto l = load({dir.file("out.json")}, o);
        REQUIRE(l->inv.objects("hw_image_check").size() == 2);
        CHECK(text_of(*l->inv.find("hw_image_check", "d-2"), "image_id") == "i-2");
        CHECK(l->inv.find("hw_image_check", "d-2")->pointer() == "/1");
    }
}

// Objects of a saved response's list are built when first read: loading keeps their id, the
// field that tells kinds apart and the fields find_all matches on, and checks the rest.
TEST_CASE("list objects are built on first read, with the same value and positions", "[inventory][lazy]") {
    TempDir dir;
    dir.write("inv/describe_snapshots.json",
              "{\"Snapshots\": [\n"
              "  {\"SnapshotId\": \"s-1\", \"DesktopId\": \"ecd-a\", \"Status\": \"ACCOMPLISHED\", \"Junk\": [1, {\"x\": 2}]},\n"
              "  {\"Junk\": 0, \"SnapshotId\": \"s-2\", \"DesktopId\": \"ecd-b\",\n   \"SourceDiskSize\": \"100\", \"Status\": \"PROGRESSING\"}\n"
              "]}\n");
    auto l = load({dir.file("inv")});
    REQUIRE(l->inv.objects("snapshot").size() == 2);
    const InventoryObject& s1 = l->inv.objects("snapshot")[0];
    const InventoryObject& s2 = l->inv.objects("snapshot")[1];
    CHECK(l->inv.built_count() == std::pair<size_t, size_t>{0, 2});
    // The id and DesktopId (find_all("snapshot", "DesktopId", ...) in the built-in rules)
    // are there without building.
    REQUIRE(s2.peek("DesktopId"));
    CHECK(s2.peek("DesktopId")->as_string() == "ecd-b");
    CHECK(s2.peek("SnapshotId")->as_string() == "s-2");
    CHECK_FALSE(s2.built());
    // Any other field builds the object, in document order, with the kind member last.
    REQUIRE(s2.peek("Status"));
    CHECK(s2.built());
    CHECK_FALSE(s1.built());
    CHECK(s2.value().to_json() ==
          R"({"SnapshotId":"s-2","DesktopId":"ecd-b","SourceDiskSize":"100","Status":"PROGRESSING","@kind":"snapshot"})");
    // Positions are those of the file, not of the object.
    const SourceFile& f = l->sources.file(s2.file);
    const Position p = f.position(s2.value().find("Status")->origin.offset);
    CHECK(p.line == 4);
    CHECK(p.column == 39);  // the opening quote of "PROGRESSING"
    CHECK(f.position(s2.value().origin.offset).line == 3);
    CHECK(text_of(s1, "Junk") == "<absent>");
    CHECK(s1.built());
    CHECK(l->inv.built_count() == std::pair<size_t, size_t>{2, 2});
}

TEST_CASE("an error inside a list object not yet built is found when the file is loaded", "[inventory][lazy][errors]") {
    TempDir dir;
    struct Case {
        const char* element;
        const char* id;
        const char* where;
    };
    // Status is a kept field but not kept at load: its value is still checked then.
    const Case cases[] = {
        {R"({"SnapshotId": "s-1", "Status": "A\qB"})", "json.syntax", "2:37"},  // the backslash
        {R"({"SnapshotId": "s-1", "Status": 1e999})", "json.number", "2:35"},
        {R"({"SnapshotId": "s-1", "Status": "A", "Status": "B"})", "json.duplicate-key", "2:40"},  // the second key
    };
    for (const auto& c : cases) {
        INFO(c.element);
        dir.write("bad.json", std::string("{\"Snapshots\": [\n  ") + c.element + "\n]}\n");
        auto e = load_error({dir.file("bad.json")});
        REQUIRE(e);
        CHECK(e->id == c.id);
        CHECK(e->where() == c.where);
        CHECK(e->pointer.rfind("/Snapshots/0", 0) == 0);
    }
}

TEST_CASE("IdIndex: every id found, ids it does not hold not found, an id added again names the later object", "[inventory]") {
    // Enough objects to grow the table many times over; ids that differ in their last bytes
    // only, and ids that share a prefix with one another.
    std::deque<InventoryObject> objects;
    for (int i = 0; i < 20000; ++i) {
        objects.emplace_back();
        objects.back().id = "ecd-" + std::string(12, 'x') + std::to_string(i);
    }
    IdIndex index;
    CHECK(index.find("ecd-1") == nullptr);  // empty
    for (auto& o : objects) index.put(&o);
    for (auto& o : objects) CHECK(index.find(o.id) == &o);
    CHECK(index.find("ecd-" + std::string(12, 'x')) == nullptr);
    CHECK(index.find("ecd-" + std::string(12, 'x') + "20000") == nullptr);
    CHECK(index.find("") == nullptr);
    InventoryObject again;
    again.id = objects[123].id;
    index.put(&again);
    CHECK(index.find(objects[123].id) == &again);
    CHECK(index.find(objects[124].id) == &objects[124]);
}

TEST_CASE("a derived field reads the rule files' sets: an instance's family and whether it has local disks", "[inventory]") {
    TempDir dir;
    dir.write("i.json", R"({"Instances": {"Instance": [
      {"InstanceId": "i-1", "InstanceType": "ecs.d1ne.2xlarge", "InstanceTypeFamily": "ecs.d1ne"},
      {"InstanceId": "i-2", "InstanceType": "ecs.i2.xlarge"},
      {"InstanceId": "i-3", "InstanceType": "ecs.g7.large", "InstanceTypeFamily": "ecs.g7"},
      {"InstanceId": "i-4"}
    ]}})");
    auto l = load({dir.file("i.json")});
    CHECK(text_of(*l->inv.find("instance", "i-1"), "local_disk_family") == "true");
    CHECK(text_of(*l->inv.find("instance", "i-2"), "family") == "ecs.i2");  // from InstanceType
    CHECK(text_of(*l->inv.find("instance", "i-2"), "local_disk_family") == "true");
    CHECK(text_of(*l->inv.find("instance", "i-3"), "local_disk_family") == "false");
    CHECK(text_of(*l->inv.find("instance", "i-4"), "family") == "null");
    CHECK(text_of(*l->inv.find("instance", "i-4"), "local_disk_family") == "false");
}

TEST_CASE("a folder's *.json files are read whatever the case of the extension, and no other file", "[inventory][files]") {
    TempDir dir;
    dir.write("inv/a.json", R"({"Images": [{"ImageId": "m-1"}]})");
    dir.write("inv/B.JSON", R"({"Images": [{"ImageId": "m-2"}]})");
    dir.write("inv/c.Json", R"({"Images": [{"ImageId": "m-3"}]})");
    dir.write("inv/notes.txt", "not an inventory");
    auto l = load({dir.file("inv")});
    CHECK(l->inv.files == std::vector<std::string>{dir.file("inv/B.JSON"), dir.file("inv/a.json"), dir.file("inv/c.Json")});
    CHECK(l->inv.objects("image").size() == 3);
}

TEST_CASE("pages left out: every saved page ends with a NextToken, or the pages of one total hold fewer objects", "[inventory][pages]") {
    TempDir dir;
    // Desktops: two regions, each with its own TotalCount; Hangzhou's two pages hold 3 of 3,
    // Shanghai's one page 1 of 2.
    dir.write("inv/hz1.json", R"({"NextToken": "t2", "TotalCount": 3, "Desktops": [{"DesktopId": "a"}, {"DesktopId": "b"}]})");
    dir.write("inv/hz2.json", R"({"NextToken": "", "TotalCount": 3, "Desktops": [{"DesktopId": "c"}]})");
    dir.write("inv/sh1.json", "{\"TotalCount\": 2,\n \"Desktops\": [{\"DesktopId\": \"d\"}]}");
    // Snapshots: the only page asks for another.
    dir.write("inv/snap.json", "{\"Snapshots\": [{\"SnapshotId\": \"s-1\"}],\n \"NextToken\": \"more\"}");
    // Images: complete.
    dir.write("inv/img.json", R"({"TotalCount": 1, "Images": [{"ImageId": "m-1"}]})");
    auto l = load({dir.file("inv")});
    std::vector<std::string> got;
    for (const auto& i : l->inv.incomplete())
        got.push_back(i.kind->name + " " + i.why + " @" + l->sources.file(i.at.file).path().substr(dir.path().string().size() + 1) + ":" +
                      std::to_string(l->sources.file(i.at.file).position(i.at.offset).line));
    CHECK(got == std::vector<std::string>{"desktop the saved responses count 2 and hold 1 @inv/sh1.json:1",
                                          "snapshot every saved page ends with a NextToken (\"more\"): the page it asks for is not saved @inv/snap.json:2"});
}

TEST_CASE("several responses in one file are refused with a message that says so", "[inventory][several]") {
    TempDir dir;
    dir.write("a.json", "{\"Images\": [{\"ImageId\": \"m-1\"}]}\n{\"Images\": [{\"ImageId\": \"m-2\"}]}\n");
    auto e = load_error({dir.file("a.json")});
    REQUIRE(e);
    CHECK(e->id == "inventory.several-values");
    CHECK(e->where() == "2:1");
    CHECK(e->message.find("a second JSON value starts here: an inventory file holds one saved response") == 0);
    dir.write("images.json", "[{\"RequestId\": \"r\", \"Images\": [{\"ImageId\": \"m-1\"}]}]\n");
    auto b = load_error({dir.file("images.json")});
    REQUIRE(b);
    CHECK(b->id == "inventory.several-values");
    CHECK(b->message == "this list holds whole saved responses (this one has Images), not image objects: save each response to its own file");
}
