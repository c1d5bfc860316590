// Options where users type them: global options after the subcommand, `check -` (the plan
// on standard input, named <stdin>), --quiet, and colours only on a terminal (NO_COLOR,
// --no-color). Runs OPGUARD_BINARY through the shell, from a temporary directory.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace opguard::test;

namespace {

// Runs the shell `script` in `dir` with $OPGUARD set to the binary.
CliRun shell(const TempDir& dir, const std::string& script) { return run_script(dir.path().string(), script); }

// A missing image (error, call c1) and a running desktop (warning ecd.rebuild.desktop-running, call c2).
void write_case(const TempDir& dir) {
    dir.write("inv/desktops.json",
              "{\"Desktops\": [{\"DesktopId\": \"d-1\", \"DesktopStatus\": \"Running\", \"OsType\": \"Windows\", "
              "\"ImageId\": \"m-1\", \"DesktopType\": \"ecd.basic.large\", \"GpuCategory\": 0, "
              "\"ConnectionStatus\": \"Disconnected\", \"OfficeSiteId\": \"cn-hangzhou+dir-1\", "
              "\"Disks\": [{\"DiskId\": \"d-1-sys\", \"DiskType\": \"SYSTEM\", \"DiskSize\": 80, \"DiskCategory\": \"cloud_auto\"}]}]}\n");
    dir.write("inv/images.json",
              "{\"Images\": [{\"ImageId\": \"m-1\", \"OsType\": \"WINDOWS\", \"ImageType\": \"SYSTEM\", \"GpuCategory\": false, "
              "\"Status\": \"Available\"}]}\n");
    dir.write("plan.json", plan_of({rebuild_call("c1", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"d-1\"]",
                                                        "\"ImageId\": \"m-9\""}),
                                    rebuild_call("c2", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"d-1\"]",
                                                        "\"ImageId\": \"m-1\""})}));
    dir.write("script.sh", "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 d-1 --ImageId m-9\n");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("global options are accepted after the subcommand", "[cli][options]") {
    TempDir dir;
    write_case(dir);
    dir.write("extra.rules", "rule x {\n  title = \"a\"\n}\n");
    // --rules before and after `check` read the same file (its syntax error proves it).
    CliRun before = shell(dir, "$OPGUARD --rules extra.rules check plan.json -i inv");
    CliRun after = shell(dir, "$OPGUARD check plan.json -i inv --rules extra.rules");
    CliRun between = shell(dir, "$OPGUARD check --rules extra.rules plan.json -i inv");
    CHECK(before.exit == 2);
    CHECK(before.err == "extra.rules:3:1: error[rules.syntax]: expected ';', found '}'\n");
    CHECK(after.exit == 2);
    CHECK(after.err == before.err);
    CHECK(between.err == before.err);
    // --no-builtin-rules after the subcommand: without the built-in rules no inventory shape
    // is known, so the first inventory file is refused.
    CliRun none = shell(dir, "$OPGUARD check plan.json -i inv --no-builtin-rules --rules inv/../extra-ok.rules");
    dir.write("ok.rules", "# no rules\n");
    CliRun bare = shell(dir, "$OPGUARD check plan.json -i inv --no-builtin-rules --rules ok.rules");
    CHECK(none.exit == 2);  // a missing rule file still fails, from after the subcommand
    CHECK(contains(none.err, "extra-ok.rules: error[input.unreadable]"));
    CHECK(bare.exit == 2);
    CHECK(bare.err.rfind("inv/desktops.json:1:1: error[inventory.unknown-shape]", 0) == 0);
    CliRun with_builtin = shell(dir, "$OPGUARD check plan.json -i inv --rules ok.rules");
    CHECK(with_builtin.exit == 1);
    // Global options after the rules subcommands too.
    CliRun list = shell(dir, "$OPGUARD rules list --no-builtin-rules --rules ok.rules");
    CHECK(list.exit == 0);
    CHECK(!contains(list.out, "ecd.rebuild.desktop-status"));
    CliRun list_all = shell(dir, "$OPGUARD rules list --no-color");
    CHECK(contains(list_all.out, "ecd.rebuild.desktop-status"));
}

TEST_CASE("a flag given a value takes true or false, nothing else", "[cli][options]") {
    TempDir dir;
    write_case(dir);
    for (const char* arg : {"--no-color=2", "--quiet=yes", "--timings=TRUE", "--no-config=1", "--explain=on", "--no-builtin-rules=0"}) {
        INFO(arg);
        CliRun r = shell(dir, std::string("$OPGUARD check plan.json -i inv ") + arg);
        CHECK(r.exit == 2);
        const std::string flag = std::string(arg).substr(0, std::string(arg).find('='));
        const std::string value = std::string(arg).substr(std::string(arg).find('=') + 1);
        CHECK(r.err == "command line: error[usage]: " + flag + ": takes true or false (or no value), not '" + value +
                           "' (opguard --help lists the options)\n");
    }
    // true and false are taken: --quiet=false turns off a configuration file's quiet: true.
    dir.write(".opguard.yaml", "quiet: true\n");
    CliRun quiet = shell(dir, "$OPGUARD check plan.json -i inv");
    CliRun loud = shell(dir, "$OPGUARD check plan.json -i inv --quiet=false");
    CliRun flag = shell(dir, "$OPGUARD check plan.json -i inv --no-color=true");
    CHECK(quiet.exit == 1);
    CHECK(loud.exit == 1);
    CHECK(flag.exit == 1);
    CHECK(loud.out.size() > quiet.out.size());
}

TEST_CASE("check: -i and --waivers take one value each: the plan may follow them", "[cli][options]") {
    TempDir dir;
    write_case(dir);
    dir.write("waivers.json", "{\"waivers\": [{\"rule\": \"ecd.rebuild.unknown-image\", \"reason\": \"r\"}]}\n");
    CliRun plan_last = shell(dir, "$OPGUARD check -i inv plan.json");
    CliRun plan_first = shell(dir, "$OPGUARD check plan.json -i inv");
    CHECK(plan_last.exit == 1);
    CHECK(plan_last.err.empty());
    CHECK(plan_last.out == plan_first.out);
    CHECK(contains(plan_last.out, "error[ecd.rebuild.unknown-image] plan.json:"));
    // After --waivers too: the plan is not read as a second waiver file.
    CliRun after_waivers = shell(dir, "$OPGUARD check -i inv --waivers waivers.json plan.json");
    CHECK(after_waivers.err.empty());
    CHECK(contains(after_waivers.out, "error[ecd.rebuild.unknown-image] plan.json:"));
    CHECK(contains(after_waivers.out, "[waived]"));
}

TEST_CASE("check - reads the plan from standard input, named <stdin>, its format detected", "[cli][options][stdin]") {
    TempDir dir;
    write_case(dir);
    CliRun file = shell(dir, "$OPGUARD check plan.json -i inv");
    CliRun piped = shell(dir, "cat plan.json | $OPGUARD check - -i inv");
    CHECK(piped.exit == 1);
    CHECK(file.exit == 1);
    CHECK(contains(piped.out, "opguard: <stdin> (2 calls) against 2 inventory files"));
    CHECK(contains(piped.out, "error[ecd.rebuild.unknown-image] <stdin>:9:20"));
    CHECK(contains(file.out, "error[ecd.rebuild.unknown-image] plan.json:9:20"));
    // A shell script on standard input is detected as one (as a file would be).
    CliRun script = shell(dir, "$OPGUARD check - -i inv < script.sh");
    CHECK(script.exit == 1);
    CHECK(contains(script.out, "error[ecd.rebuild.unknown-image] <stdin>:1:79"));
    // Its errors name <stdin> at line:col.
    CliRun bad = shell(dir, "printf '{\"calls\": [\\n  {\"id\": 1,}]}' | $OPGUARD check - -i inv");
    CHECK(bad.exit == 2);
    CHECK(bad.err.rfind("<stdin>:2:", 0) == 0);
    CHECK(bad.out.empty());
    // SARIF names it too.
    CliRun sarif = shell(dir, "$OPGUARD check - -i inv --format sarif < plan.json");
    CHECK(contains(sarif.out, "\"uri\": \"%3Cstdin%3E\""));  // a URI reference, percent-encoded
}

TEST_CASE("quiet: only the failing findings and the summary", "[cli][options][quiet]") {
    TempDir dir;
    write_case(dir);
    CliRun full = shell(dir, "$OPGUARD check plan.json -i inv");
    CliRun quiet = shell(dir, "$OPGUARD check plan.json -i inv --quiet");
    REQUIRE(quiet.exit == 1);
    CHECK(contains(full.out, "call 1 c1: ecd.RebuildDesktops"));
    CHECK(contains(full.out, "warning[ecd.rebuild.desktop-running]"));
    CHECK(quiet.out.rfind("  error[ecd.rebuild.unknown-image] plan.json:9:20\n", 0) == 0);
    CHECK(!contains(quiet.out, "call 1"));
    CHECK(!contains(quiet.out, "outcome:"));
    CHECK(!contains(quiet.out, "warning[ecd.rebuild.desktop-running]"));  // below --fail-on error
    CHECK(contains(quiet.out, "\n1 error, 1 warning, 1 info\n"));  // the info: no DescribeSnapshots saved
    // The summary lines are the full report's last two.
    const std::string tail = quiet.out.substr(quiet.out.rfind("\n\n") + 2);
    CHECK(full.out.size() >= tail.size());
    CHECK(full.out.compare(full.out.size() - tail.size(), tail.size(), tail) == 0);
    // --fail-on warning makes the warning a failing finding.
    CliRun warn = shell(dir, "$OPGUARD check plan.json -i inv -q --fail-on warning");
    CHECK(contains(warn.out, "  warning[ecd.rebuild.desktop-running] plan.json:"));
    // Other formats are unchanged by it.
    CliRun json_quiet = shell(dir, "$OPGUARD check plan.json -i inv --quiet --format json");
    CliRun json_full = shell(dir, "$OPGUARD check plan.json -i inv --format json");
    CHECK(json_quiet.out == json_full.out);
}

TEST_CASE("colours on a terminal only and NO_COLOR or no-color turn them off", "[cli][options][color]") {
    TempDir dir;
    write_case(dir);
    // script(1) gives the run a terminal.
    if (std::system("command -v script >/dev/null 2>&1") != 0) {
        WARN("script(1) from util-linux is not installed: colour on a terminal not tested");
        return;
    }
    const std::string esc_error = "\x1b[1;31merror\x1b[0m[ecd.rebuild.unknown-image]";
    CliRun tty = shell(dir, "script -qec \"$OPGUARD check plan.json -i inv\" /dev/null");
    CHECK(contains(tty.out, esc_error));
    CHECK(contains(tty.out, "\x1b[1;33mwarning\x1b[0m[ecd.rebuild.desktop-running]"));
    CliRun no_color_env = shell(dir, "NO_COLOR=1 script -qec \"$OPGUARD check plan.json -i inv\" /dev/null");
    CHECK(contains(no_color_env.out, "  error[ecd.rebuild.unknown-image]"));
    CHECK(!contains(no_color_env.out, "\x1b["));
    CliRun empty_env = shell(dir, "NO_COLOR= script -qec \"$OPGUARD check plan.json -i inv\" /dev/null");
    CHECK(contains(empty_env.out, esc_error));  // NO_COLOR set but empty does not count
    CliRun flag = shell(dir, "script -qec \"$OPGUARD check plan.json -i inv --no-color\" /dev/null");
    CHECK(!contains(flag.out, "\x1b["));
    CliRun flag_before = shell(dir, "script -qec \"$OPGUARD --no-color check plan.json -i inv\" /dev/null");
    CHECK(!contains(flag_before.out, "\x1b["));
    // A pipe and a file never get colours.
    CliRun pipe = shell(dir, "$OPGUARD check plan.json -i inv | cat");
    CHECK(!contains(pipe.out, "\x1b["));
    CliRun file = shell(dir, "script -qec \"$OPGUARD check plan.json -i inv -o report.txt\" /dev/null; cat report.txt");
    CHECK(contains(file.out, "  error[ecd.rebuild.unknown-image]"));
    CHECK(!contains(file.out, "\x1b["));
}
