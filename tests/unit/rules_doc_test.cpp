// `opguard rules doc`: the Markdown rule reference (docs/rules.md). Runs OPGUARD_BINARY.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace opguard::test;

TEST_CASE("rules doc: every rule with its fields, anchor and an example that fires", "[cli][rules][doc]") {
    const std::string src = OPGUARD_SOURCE_DIR;
    CliRun d = run_opguard(src, "rules doc");
    REQUIRE(d.exit == 0);
    CHECK(d.err.empty());
    CHECK(d.out.rfind("# opguard rule reference\n", 0) == 0);
    // One table row linking each rule to its section, and the section itself.
    CHECK(d.out.find("| [ecd.rebuild.desktop-status](#ecdrebuilddesktop-status) | error | The desktop is in a status that cannot be rebuilt |\n") !=
          std::string::npos);
    const size_t at = d.out.find("\n## ecd.rebuild.desktop-status\n");
    REQUIRE(at != std::string::npos);
    const std::string section = d.out.substr(at, d.out.find("\n## ", at + 1) - at);
    for (const char* part : {"- Severity: error\n", "- Operations: `ecd.RebuildDesktops`\n",
                             "- What the cloud answers: it refuses the target: IncorrectDesktopStatus\n", "- Basis: inferred\n",
                             "- Source: RebuildDesktops API reference", "- Note: The code and message are documented",
                             "Example that fires (test case `rules/tests/ecd.rebuild.desktop-status`)",
                             "error[ecd.rebuild.desktop-status] rules/tests/ecd.rebuild.desktop-status/plan.json:8:23 (ecd-t-starting)\n"})
        CHECK(section.find(part) != std::string::npos);
    // Every rule of `rules list` has a section.
    CliRun list = run_opguard(src, "rules list --format json");
    size_t pos = 0, rules = 0;
    while ((pos = list.out.find("\"id\": \"", pos)) != std::string::npos) {
        pos += 7;
        const std::string id = list.out.substr(pos, list.out.find('"', pos) - pos);
        CHECK(d.out.find("\n## " + id + "\n") != std::string::npos);
        ++rules;
    }
    CHECK(rules > 50);
    // --output writes the same bytes to a file.
    TempDir dir;
    CliRun o = run_opguard(src, "rules doc --output " + shell_quote(dir.file("rules.md")));
    CHECK(o.exit == 0);
    CHECK(o.out.empty());
    CHECK(slurp(dir.file("rules.md")) == d.out);
}
