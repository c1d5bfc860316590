// A let is computed once per call or target and then shared by every rule and effect that
// reads it, so its value must not depend on who reads it first. It sees the variables bound
// where it is defined (call, target, and for a rule's or an effect's own lets that group's
// loop variable), never those of the place that happens to ask: a rule's `for desktop in`
// or an enclosing filter's `it` must not leak into an operation's `let`.
#include <catch2/catch.hpp>

#include "dsl_fixture.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// A fictitious operation (product "fx") whose lets read `desktop`, and three rules: the
// first loops over a variable named like the operation's let, the second reads a let inside
// filter() (where `it` is bound), the third only reads the lets.
const std::string kFixture =
    "operation fx.LookThings {\n"
    "  title = \"Look at things\";\n"
    "  product = \"fx\";\n"
    "  version = \"1\";\n"
    "  action = \"LookThings\";\n"
    "  params = {DesktopId: \"list!\"};\n"
    "  targets = call.DesktopId;\n"
    "  target_kind = \"desktop\";\n"
    "  let desktop = lookup(\"desktop\", target);\n"
    "  let seen = default(desktop.DesktopId, \"none\");\n"
    "  let first_disk = first(filter(list(desktop.Disks), exists(it.DiskId)));\n"
    "  let seen_disk = default(first_disk.DiskId, \"none\");\n"
    "  source = \"test fixture\";\n"
    "}\n"
    "rule fx.loop-named-like-a-let {\n"
    "  title = \"A loop variable named like the operation's let\";\n"
    "  severity = info;\n"
    "  operations = [\"fx.LookThings\"];\n"
    "  scope = target;\n"
    "  for desktop in [\"one\", \"two\"];\n"
    "  let mine = desktop + \"!\";\n"
    "  when = true;\n"
    "  message = \"{mine} {seen}\";\n"
    "  source = \"test fixture\";\n"
    "}\n"
    "rule fx.let-inside-filter {\n"
    "  title = \"A let first read inside filter()\";\n"
    "  severity = info;\n"
    "  operations = [\"fx.LookThings\"];\n"
    "  scope = target;\n"
    "  when = count(filter([{DiskId: \"not-the-desktops\"}], seen_disk != \"\")) == 1;\n"
    "  message = \"{seen_disk}\";\n"
    "  source = \"test fixture\";\n"
    "}\n"
    "rule fx.reads-the-lets {\n"
    "  title = \"Reads the lets\";\n"
    "  severity = info;\n"
    "  operations = [\"fx.LookThings\"];\n"
    "  scope = target;\n"
    "  when = true;\n"
    "  message = \"{seen} {seen_disk}\";\n"
    "  source = \"test fixture\";\n"
    "}\n";

const std::string kPlan =
    "{\"calls\": [\n"
    "  {\"id\": \"look\", \"product\": \"fx\", \"version\": \"1\", \"action\": \"LookThings\",\n"
    "   \"parameters\": {\"DesktopId\": [\"ecd-t-winstop\"]}}\n"
    "]}\n";

std::vector<std::string> messages(const Run& r, const std::string& rule) {
    std::vector<std::string> out;
    for (const Finding* f : r.findings(rule)) out.push_back(f->target + ": " + f->message);
    return out;
}

}  // namespace

TEST_CASE("an operation's let has one value whichever rule reads it first", "[eval][let]") {
    TempDir dir;
    auto r = run_fixture(dir, kFixture, kPlan, {source_path("rules/tests/inventory")});
    // The rule's own let sees its loop variable, element by element; the operation's `seen`
    // is computed from the operation's `desktop`, not from the loop variable "one".
    CHECK(messages(*r, "fx.loop-named-like-a-let") ==
          std::vector<std::string>{"ecd-t-winstop: one! ecd-t-winstop", "ecd-t-winstop: two! ecd-t-winstop"});
    // Computed inside filter(), where `it` is {DiskId: 'not-the-desktops'}: the let's own
    // filter binds its own `it`, and the outer one is not seen.
    CHECK(messages(*r, "fx.let-inside-filter") == std::vector<std::string>{"ecd-t-winstop: d-t-ws-sys"});
    // And the value the later rule reads is the same.
    CHECK(messages(*r, "fx.reads-the-lets") == std::vector<std::string>{"ecd-t-winstop: ecd-t-winstop d-t-ws-sys"});
}
