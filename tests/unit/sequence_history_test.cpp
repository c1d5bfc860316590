// history(kind, id) carries what each earlier call did to the object: the verbs of its
// effects on it, whether data was lost, whether the object is deleted (an effect verb of the
// set deleting_verbs). Effects name their object by noun (the resource kind) and id, so an
// effect on a desktop's disk is in the disk's history. Effect-scope rules see the same as
// effect.earlier; rules/sequence.rules uses it for two hazards whatever the operations.
#include <catch2/catch.hpp>

#include "dsl_fixture.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// A fictitious operation (product "fx", no real API) that deletes desktops and loses their
// data, and a rule that prints the history of each StartDesktops / RebuildDesktops target.
const std::string kFixture =
    "operation fx.DeleteThings {\n"
    "  title = \"Delete things\";\n"
    "  product = \"fx\";\n"
    "  version = \"1\";\n"
    "  action = \"DeleteThings\";\n"
    "  params = {DesktopId: \"list!\"};\n"
    "  targets = call.DesktopId;\n"
    "  target_kind = \"desktop\";\n"
    "  verb = \"deleted\";\n"
    "  source = \"test fixture\";\n"
    "}\n"
    "effect fx.delete.desktop {\n"
    "  operations = [\"fx.DeleteThings\"];\n"
    "  noun = \"desktop\";\n"
    "  verb = \"deleted\";\n"
    "  id = target;\n"
    "  data_loss = true;\n"
    "  source = \"test fixture\";\n"
    "}\n"
    "rule fx.show-history {\n"
    "  title = \"The target's history\";\n"
    "  severity = info;\n"
    "  operations = [\"ecd.StartDesktops\", \"ecd.RebuildDesktops\"];\n"
    "  scope = target;\n"
    "  let h = history(target_kind(), target);\n"
    "  when = count(h) > 0;\n"
    "  message = \"{join(map(h, it.operation + ' [' + join(it.effects, '+') + '] loss=' + string(it.data_loss) + ' deleted=' + string(it.deleted) + ' call=' + it.call), '; ')}\";\n"
    "  source = \"test fixture\";\n"
    "}\n";

// A call; `wait`: the plan waits for its work (so a rebuilt desktop is Stopped again).
std::string call(const std::string& id, const std::string& product, const std::string& action, const std::string& desktop, bool wait = false) {
    return "    {\"id\": \"" + id + "\", \"product\": \"" + product + "\", \"version\": \"" + (product == "fx" ? "1" : "2020-09-30") +
           "\", \"action\": \"" + action + "\"," + (wait ? " \"wait\": true," : "") + "\n     \"parameters\": {" + (product == "fx" ? "" : "\"RegionId\": \"cn-hangzhou\", ") +
           "\"DesktopId\": [\"" + desktop + "\"]}}";
}

std::vector<std::string> messages(const Run& r, const std::string& rule) {
    std::vector<std::string> out;
    for (const Finding* f : r.findings(rule)) out.push_back(f->call_id + " " + f->target + ": " + f->message);
    return out;
}

}  // namespace

TEST_CASE("history() carries each earlier call's effect verbs, data loss and deletion", "[history]") {
    TempDir dir;
    auto r = run_fixture(dir, kFixture,
                         plan_of({call("del", "fx", "DeleteThings", "ecd-t-winstop"), call("start", "ecd", "StartDesktops", "ecd-t-winstop")}),
                         {source_path("rules/tests/inventory")});
    CHECK(messages(*r, "fx.show-history") ==
          std::vector<std::string>{"start ecd-t-winstop: fx.DeleteThings [deleted] loss=true deleted=true call=del"});
    // The generic rule: the StartDesktops effect on the desktop comes after its deletion.
    auto found = r->findings("sequence.deleted-earlier");
    REQUIRE(found.size() == 1);
    CHECK(found[0]->call_id == "start");
    CHECK(found[0]->message == "desktop ecd-t-winstop is deleted by call del (fx.DeleteThings) of this plan; "
                               "call start (ecd.StartDesktops) acts on it afterwards");
    CHECK(where(*found[0]) == r->loc("\"ecd-t-winstop\"", "\"start\""));
}

TEST_CASE("near miss: the deleted object is another one, or the deletion comes later", "[history]") {
    TempDir dir;
    auto other = run_fixture(dir, kFixture,
                             plan_of({call("del", "fx", "DeleteThings", "ecd-t-winrun"), call("start", "ecd", "StartDesktops", "ecd-t-winstop")}),
                             {source_path("rules/tests/inventory")});
    CHECK(other->findings("sequence.deleted-earlier").empty());
    CHECK(other->findings("fx.show-history").empty());
    TempDir dir2;
    auto later = run_fixture(dir2, kFixture,
                             plan_of({call("start", "ecd", "StartDesktops", "ecd-t-winstop"), call("del", "fx", "DeleteThings", "ecd-t-winstop")}),
                             {source_path("rules/tests/inventory")});
    CHECK(later->findings("sequence.deleted-earlier").empty());
}

TEST_CASE("an effect on a desktop's disk is in the disk's history, and the desktop's entry records the loss", "[history]") {
    TempDir dir;
    auto r = run_fixture(dir, kFixture,
                         plan_of({call("first", "ecd", "RebuildDesktops", "ecd-t-winstop", true), call("second", "ecd", "RebuildDesktops", "ecd-t-winstop")}),
                         {source_path("rules/tests/inventory")});
    // The desktop's own entry: no effect of the rebuild has a verb on the desktop itself, but
    // the effects computed for it erased its disks.
    CHECK(messages(*r, "fx.show-history") ==
          std::vector<std::string>{"second ecd-t-winstop: ecd.RebuildDesktops [] loss=true deleted=false call=first"});
    // The same operation twice on one object is the operation's own rule (ecd.rebuild.rebuilt-twice),
    // not the generic one.
    CHECK(r->findings("sequence.data-lost-again").empty());
    CHECK(r->findings("ecd.rebuild.rebuilt-twice").size() == 1);
    // The system disk's snapshot is deleted by the first rebuild; the rule files know it is
    // gone (its `deleted` state), so the second rebuild does not delete it again.
    CHECK(r->findings("sequence.deleted-earlier").empty());
}

TEST_CASE("a disk another operation changed is erased again: reported once, on the disk", "[history]") {
    TempDir dir;
    const std::string rollback =
        "    {\"id\": \"rollback\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"ResetSnapshot\", \"wait\": true,\n"
        "     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"SnapshotId\": \"s-t-ws-data\"}}";
    const std::string to_linux =
        "    {\"id\": \"to-linux\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"RebuildDesktops\",\n"
        "     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-t-winstop\"], \"ImageId\": \"m-t-ubuntu2204\"}}";
    auto r = run_fixture(dir, kFixture, plan_of({rollback, to_linux}), {source_path("rules/tests/inventory")});
    std::vector<std::string> lost;
    for (const Finding* f : r->findings("sequence.data-lost-again")) lost.push_back(f->call_id + ": " + f->message);
    // The data disk rolled back by ResetSnapshot is erased by the rebuild's OS change; the
    // snapshot the rebuild deletes is not "data lost again" (a deletion).
    CHECK(lost == std::vector<std::string>{"to-linux: disk d-t-ws-data already lost data to call rollback (ecd.ResetSnapshot); call to-linux "
                                           "(ecd.RebuildDesktops) erased it again, acting on what call rollback left"});
}

TEST_CASE("history entries are bounded by the rule set: one per operation, counting calls", "[history]") {
    TempDir dir;
    auto r = run_fixture(dir, kFixture,
                         plan_of({call("a", "fx", "DeleteThings", "ecd-t-winstop"), call("b", "fx", "DeleteThings", "ecd-t-winstop"),
                                  call("start", "ecd", "StartDesktops", "ecd-t-winstop")}),
                         {source_path("rules/tests/inventory")});
    CHECK(messages(*r, "fx.show-history") ==
          std::vector<std::string>{"start ecd-t-winstop: fx.DeleteThings [deleted] loss=true deleted=true call=a"});
    // Call b deletes what call a deleted: reported there as well.
    auto found = r->findings("sequence.deleted-earlier");
    REQUIRE(found.size() == 2);
    CHECK(found[0]->call_id == "b");
    CHECK(found[1]->call_id == "start");
}

// find_all answers from the inventory as the plan has left it, also when the same question was
// asked before a write (the answer of an earlier call is not reused after the plan changed an
// object): a desktop rebuilt off an image no longer counts as that image's desktop.
TEST_CASE("find_all after a write: the same question asked again sees the rebuilt desktop gone", "[history][find_all]") {
    TempDir dir;
    const std::string plan = R"({"calls": [
 {"id": "c1", "product": "ecd", "version": "2020-09-30", "action": "DeleteImages",
  "parameters": {"RegionId": "cn-hangzhou", "ImageId": ["m-ubuntu2004"]}},
 {"id": "c2", "product": "ecd", "version": "2020-09-30", "action": "RebuildDesktops",
  "parameters": {"RegionId": "cn-hangzhou", "DesktopId": ["ecd-hzlin03c9x4t6"], "ImageId": "m-ubuntu2204lts"}},
 {"id": "c3", "product": "ecd", "version": "2020-09-30", "action": "DeleteImages",
  "parameters": {"RegionId": "cn-hangzhou", "ImageId": ["m-ubuntu2004"]}}
]})";
    auto r = run_pipeline(dir, plan, {source_path("samples/fleet")});
    REQUIRE(r->report.calls.size() == 3);
    REQUIRE(r->report.calls[1].targets.size() == 1);
    CHECK(r->report.calls[1].targets[0].outcome == "accepted");
    const auto before = r->findings("ecd.delete-images.in-use", 0);
    const auto after = r->findings("ecd.delete-images.in-use", 2);
    REQUIRE(before.size() == 1);
    REQUIRE(after.size() == 1);
    CHECK(before[0]->message.find("the image of 3 saved desktop(s) (ecd-hklin02b3m8q1, ecd-hzlin03c9x4t6, ecd-shlin10k2z5c7)") !=
          std::string::npos);
    CHECK(after[0]->message.find("the image of 2 saved desktop(s) (ecd-hklin02b3m8q1, ecd-shlin10k2z5c7)") != std::string::npos);
}
