// Shared rules apply by kind: `operations = {target_kind: "desktop", product: "ecd"};` selects
// every operation with those attributes, so an operation that joins the kind gets the shared
// rules without an edit to them. A selector that matches nothing, names an unknown attribute
// or value, or matches an operation that lacks a `let` the rule reads is a compile error at
// file:line:col with did-you-mean.
#include <catch2/catch.hpp>

#include <algorithm>

#include "dsl_fixture.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// A fictitious ECD operation on desktops (its action is no real API's), defined by a user's
// rule file: the shared ECD desktop rules must apply to it.
const std::string kArchive =
    "operation my.ArchiveDesktops {\n"
    "  title = \"Archive desktops\";\n"
    "  product = \"ecd\";\n"
    "  version = \"2020-09-30\";\n"
    "  action = \"ArchiveDesktopsForTest\";\n"
    "  params = {RegionId: \"string!\", DesktopId: \"list!\"};\n"
    "  targets = call.DesktopId;\n"
    "  target_kind = \"desktop\";\n"
    "  let desktop = lookup(\"desktop\", target, call.RegionId);\n"
    "  let anywhere = lookup(\"desktop\", target);\n"
    "  source = \"test fixture\";\n"
    "}\n";

const std::string kPlan =
    "{\n  \"calls\": [\n"
    "    {\"id\": \"archive\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"ArchiveDesktopsForTest\",\n"
    "     \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-nosuchdesktop\"]}}\n"
    "  ]\n}\n";

}  // namespace

TEST_CASE("a built-in shared rule keeps its selector and the operations it matched", "[selector]") {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    const Rule* unknown = rules.rule("ecd.desktop.unknown");
    REQUIRE(unknown);
    CHECK(unknown->selector == "{target_kind: \"desktop\", product: \"ecd\"}");
    for (const char* op : {"ecd.RebuildDesktops", "ecd.StopDesktops", "ecd.StartDesktops", "ecd.RebootDesktops", "ecd-client.RebootDesktops"})
        CHECK(has(unknown->operations, op));
    CHECK_FALSE(has(unknown->operations, "ecs.RedeployInstance"));
    CHECK_FALSE(has(unknown->operations, "hw.workspace.BatchRebuildDesktopsSystemDisk"));
    const Rule* touched = rules.rule("ecd.desktop.touched-earlier");
    REQUIRE(touched);
    CHECK(touched->selector == "{target_kind: \"desktop\", product: \"ecd\", except: [\"ecd.RebuildDesktops\"]}");
    CHECK_FALSE(has(touched->operations, "ecd.RebuildDesktops"));
    CHECK(has(touched->operations, "ecd-client.RebootDesktops"));
    // The compiled form the binary carries (read above) and the rules parsed from their texts
    // (as with any --rules file) agree: the selector is serialized (rule_set_io).
    TempDir dir;
    SourceRegistry parsed_sources;
    RuleSet parsed = load_rules(parsed_sources, RuleSources{true, {dir.write("empty.rules", "# nothing\n")}});
    CHECK(parsed.rule("ecd.desktop.unknown")->selector == unknown->selector);
    CHECK(parsed.rule("ecd.desktop.unknown")->operations == unknown->operations);
}

TEST_CASE("an operation that joins the kind gets the shared rules with no edit to them", "[selector]") {
    TempDir dir;
    auto r = run_fixture(dir, kArchive, kPlan, {source_path("rules/tests/ecd.desktop.unknown/inventory")});
    REQUIRE(r->rules.rule("ecd.desktop.unknown")->applies_to("my.ArchiveDesktops"));
    CHECK(r->rules.rule("ecd.desktop.other-region")->applies_to("my.ArchiveDesktops"));
    CHECK(r->rules.rule("ecd.desktop.touched-earlier")->applies_to("my.ArchiveDesktops"));
    auto found = r->findings("ecd.desktop.unknown");
    REQUIRE(found.size() == 1);
    CHECK(found[0]->target == "ecd-nosuchdesktop");
    CHECK(where(*found[0]) == r->loc("\"ecd-nosuchdesktop\""));
    CHECK(r->report.calls.at(0).targets.at(0).outcome == "refused");
}

TEST_CASE("an operation the selector matches must define the lets the rule reads", "[selector][rule-errors]") {
    TempDir dir;
    std::string lacking = kArchive;
    lacking.erase(lacking.find("  let anywhere"), std::string("  let anywhere = lookup(\"desktop\", target);\n").size());
    auto errors = fixture_errors(dir, lacking);
    REQUIRE_FALSE(errors.empty());
    // Reported where the shared rule reads it, naming the operation and where it is defined.
    const std::string builtin = slurp(source_path("rules/ecd_desktops.rules"));
    const std::string at = "ecd_desktops.rules:" + lc(position_of(builtin, "anywhere", "rule ecd.desktop.unknown"));
    auto it = std::find_if(errors.begin(), errors.end(), [&](const std::string& e) { return e.find(at + " rules.unknown-name") != std::string::npos; });
    REQUIRE(it != errors.end());
    CHECK(it->find("'anywhere' is not defined by operation my.ArchiveDesktops (" + dir.file("fixture/fixture.rules") + ":1:11)") != std::string::npos);
    CHECK(it->find("its selector {target_kind: \"desktop\", product: \"ecd\"} matches") != std::string::npos);
    CHECK(it->find("add `let anywhere = ...;`") != std::string::npos);
}

TEST_CASE("selector errors: unknown attribute, value no operation has, nothing matched, unknown except", "[selector][rule-errors]") {
    TempDir dir;
    const std::string text =
        "rule my.a {\n"
        "  title = \"a\"; severity = info; scope = target; when = true; message = \"m\"; source = \"s\";\n"
        "  operations = {target_knd: \"desktop\"};\n"
        "}\n"
        "rule my.b {\n"
        "  title = \"b\"; severity = info; scope = target; when = true; message = \"m\"; source = \"s\";\n"
        "  operations = {target_kind: \"desktop\", product: \"ecdd\"};\n"
        "}\n"
        "rule my.c {\n"
        "  title = \"c\"; severity = info; scope = target; when = true; message = \"m\"; source = \"s\";\n"
        "  operations = {target_kind: \"instance\", product: \"ecd\"};\n"
        "}\n"
        "rule my.d {\n"
        "  title = \"d\"; severity = info; scope = target; when = true; message = \"m\"; source = \"s\";\n"
        "  operations = {product: \"ecd\", except: [\"ecd.StopDesktop\"]};\n"
        "}\n"
        "rule my.e {\n"
        "  title = \"e\"; severity = info; scope = target; when = true; message = \"m\"; source = \"s\";\n"
        "  operations = {read_only: \"no\"};\n"
        "}\n";
    auto errors = fixture_errors(dir, text);
    const std::string f = dir.file("fixture/fixture.rules");
    auto loc = [&](const std::string& needle, const std::string& after) { return f + ":" + lc(position_of(text, needle, after)); };
    REQUIRE(errors.size() == 5);
    CHECK(errors[0] == loc("\"desktop\"", "my.a") +
                           " rules.unknown-property unknown key 'target_knd' in an operations selector (did you mean 'target_kind'?); "
                           "expected one of: target_kind, product, version, cloud, service, read_only, asynchronous, except");
    CHECK(errors[1] == loc("\"ecdd\"", "my.b") + " rules.empty-selector no operation has product \"ecdd\" (did you mean 'ecd'?)");
    CHECK(errors[2] == loc("{target_kind", "my.c") +
                           " rules.empty-selector the selector {target_kind: \"instance\", product: \"ecd\"} matches no operation");
    CHECK(errors[3] == loc("\"ecd.StopDesktop\"", "my.d") +
                           " rules.unknown-operation unknown operation 'ecd.StopDesktop' (did you mean 'ecd.StopDesktops'?)");
    CHECK(errors[4] == loc("\"no\"", "my.e") + " rules.type 'read_only' in a selector takes true or false");
}

TEST_CASE("rules list and explain show the selector and what it matched", "[selector][cli]") {
    auto list = run_opguard(OPGUARD_SOURCE_DIR, "rules list");
    REQUIRE(list.exit == 0);
    CHECK(list.out.find("{target_kind: \"desktop\", product: \"ecd\"} = ecd.StopDesktops,ecd.StartDesktops,ecd.RebootDesktops,"
                        "ecd-client.RebootDesktops,ecd.DeleteDesktops,ecd.ResetDesktops,ecd.ModifyDesktopSpec,ecd.HibernateDesktops,"
                        "ecd.WakeupDesktops,ecd.RebuildDesktops") != std::string::npos);
    auto json = run_opguard(OPGUARD_SOURCE_DIR, "rules list --format json");
    REQUIRE(json.exit == 0);
    CHECK(json.out.find("\"selector\": \"{target_kind: \\\"desktop\\\", product: \\\"ecd\\\"}\"") != std::string::npos);
    CHECK(json.out.find("\"selector\": null") != std::string::npos);  // a rule that lists its operations
    auto explain = run_opguard(OPGUARD_SOURCE_DIR, "rules explain ecd.desktop.unknown");
    REQUIRE(explain.exit == 0);
    CHECK(explain.out.find("applies to: every operation with {target_kind: \"desktop\", product: \"ecd\"}, now ecd.StopDesktops (Stop desktops)") !=
          std::string::npos);
}
