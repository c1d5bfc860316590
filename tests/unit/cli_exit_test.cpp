// The opguard binary's exit codes and what it prints: 0 (no finding at or above --fail-on),
// 1 (findings), 2 (unusable input or usage). Runs OPGUARD_BINARY in a temp directory with
// relative paths, so messages name files as the user wrote them.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace opguard::test;

namespace {

using CliResult = CliRun;

// Runs `opguard ARGS` in `dir`; ARGS are shell words written by the test.
CliResult opguard_cli(const TempDir& dir, const std::string& args) { return run_opguard(dir.path().string(), args); }

void write_inventory(const TempDir& dir) {
    dir.write("inv/desktops.json",
              "{\"Desktops\": [{\"DesktopId\": \"d-1\", \"DesktopStatus\": \"Stopped\", \"OsType\": \"Windows\", "
              "\"ImageId\": \"m-1\", \"DesktopType\": \"ecd.basic.large\", \"GpuCategory\": 0, "
              "\"ConnectionStatus\": \"Disconnected\", \"OfficeSiteId\": \"cn-hangzhou+dir-1\", "
              "\"Disks\": [{\"DiskId\": \"d-1-sys\", \"DiskType\": \"SYSTEM\", \"DiskSize\": 80, \"DiskCategory\": \"cloud_auto\"}]}]}\n");
    dir.write("inv/images.json",
              "{\"Images\": [{\"ImageId\": \"m-1\", \"OsType\": \"WINDOWS\", \"ImageType\": \"SYSTEM\", \"GpuCategory\": false, "
              "\"Status\": \"Available\"}, {\"ImageId\": \"m-2\", \"OsType\": \"WINDOWS\", \"ImageType\": \"SYSTEM\", "
              "\"GpuCategory\": false, \"Status\": \"Available\"}]}\n");
}

std::string plan_with(const std::vector<std::string>& params) {
    return plan_of({rebuild_call("c1", params)});
}

const std::string kRegion = "\"RegionId\": \"cn-hangzhou\"";
const std::string kDesktop = "\"DesktopId\": [\"d-1\"]";

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

TEST_CASE("exit 0: a clean plan", "[cli][exit]") {
    TempDir dir;
    write_inventory(dir);
    dir.write("plan.json", plan_with({kRegion, kDesktop, "\"ImageId\": \"m-2\""}));
    CliResult r = opguard_cli(dir, "check plan.json -i inv");
    CHECK(r.exit == 0);
    CHECK(r.err.empty());
    CHECK(r.out.rfind("opguard: plan.json (1 call) against 2 inventory files, ", 0) == 0);
    CHECK(r.out.find("\ncall 1 c1: ecd.RebuildDesktops  plan.json:3:5\n  outcome: HTTP 200\n    d-1: accepted Success\n") !=
          std::string::npos);
    // (The info: no DescribeSnapshots saved, so the snapshots the rebuild deletes are not listed.)
    CHECK(ends_with(r.out, "\nPlan: 1 desktop rebuilt, 1 disk erased (80 GiB).\n0 errors, 0 warnings, 1 info\n"));
}

TEST_CASE("bare arrays get their kinds from repeated inventory-kind KIND=FILE options", "[cli][inventory]") {
    TempDir dir;
    // --cli-query output saved under names that say nothing about what they list.
    dir.write("q/a.json",
              "[{\"DesktopId\": \"d-1\", \"DesktopStatus\": \"Stopped\", \"OsType\": \"Windows\", \"ImageId\": \"m-1\", "
              "\"DesktopType\": \"ecd.basic.large\", \"GpuCategory\": 0, \"OfficeSiteId\": \"cn-hangzhou+dir-1\", "
              "\"Disks\": [{\"DiskId\": \"d-1-sys\", \"DiskType\": \"SYSTEM\", \"DiskSize\": 80, \"DiskCategory\": \"cloud_auto\"}]}]\n");
    dir.write("q/b.json",
              "[{\"ImageId\": \"m-2\", \"OsType\": \"WINDOWS\", \"ImageType\": \"SYSTEM\", \"GpuCategory\": false, "
              "\"Status\": \"Available\"}]\n");
    dir.write("plan.json", plan_with({kRegion, kDesktop, "\"ImageId\": \"m-2\""}));
    CliResult r = opguard_cli(dir, "check plan.json -i q --inventory-kind desktop=q/a.json --inventory-kind image=./q/b.json");
    CHECK(r.err.empty());
    CHECK(r.exit == 0);
    CHECK(r.out.find("\n    d-1: accepted Success\n") != std::string::npos);

    // One kind for every bare array cannot read both: the image file has no DesktopId.
    CliResult one = opguard_cli(dir, "check plan.json -i q --inventory-kind desktop");
    CHECK(one.exit == 2);
    CHECK(one.err == "q/b.json:1:2: error[inventory.missing-id]: desktop without a string DesktopId (at JSON pointer /0)\n");

    CliResult typo = opguard_cli(dir, "check plan.json -i q --inventory-kind desktop=q/c.json");
    CHECK(typo.exit == 2);
    CHECK(typo.err ==
          "q/c.json: error[inventory.kind-file]: --inventory-kind desktop=q/c.json names a file that is not among the "
          "inventory files (give it, or its folder, with --inventory)\n");

    // A kind no rule declares, a KIND=FILE on a file that is an object, two kinds for every
    // bare array: each an error (each was silently unused, or the last one won).
    dir.write("q/d.json", "{\"Desktops\": []}\n");
    CliResult unknown = opguard_cli(dir, "check plan.json -i q --inventory-kind dekstop=q/a.json --inventory-kind image=q/b.json");
    CHECK(unknown.exit == 2);
    CHECK(unknown.err.rfind("command line: error[inventory.unknown-kind]: unknown --inventory-kind 'dekstop'; the kinds the rules declare: ", 0) == 0);
    CliResult object = opguard_cli(dir, "check plan.json -i q --inventory-kind desktop=q/a.json --inventory-kind image=q/b.json --inventory-kind image=q/d.json");
    CHECK(object.exit == 2);
    CHECK(object.err == "q/d.json:1:1: error[inventory.kind-file]: --inventory-kind image=q/d.json names a file that is a JSON object, not a bare "
                        "array: its lists say what it holds (drop the option)\n");
    CliResult two = opguard_cli(dir, "check plan.json -i q --inventory-kind desktop --inventory-kind image");
    CHECK(two.exit == 2);
    CHECK(two.err.find("--inventory-kind desktop and --inventory-kind image both name the kind of every bare array") != std::string::npos);
}

TEST_CASE("exit 1: an error finding: --fail-on moves the threshold", "[cli][exit]") {
    TempDir dir;
    write_inventory(dir);
    SECTION("an error") {
        dir.write("plan.json", plan_with({kRegion, kDesktop, "\"ImageId\": \"m-404\""}));
        CliResult r = opguard_cli(dir, "check plan.json -i inv");
        CHECK(r.exit == 1);
        CHECK(r.err.empty());
        CHECK(r.out.find("  error[ecd.rebuild.unknown-image] plan.json:9:20\n"
                         "      image m-404 is not in the saved DescribeImages responses\n") != std::string::npos);
        CHECK(r.out.find("  outcome: refused, HTTP status undocumented, error code undocumented; nothing happens\n") !=
              std::string::npos);
        CHECK(r.out.find("\nPlan: no change; 1 call refused.\n") != std::string::npos);
        CHECK(opguard_cli(dir, "check plan.json -i inv --fail-on warning").exit == 1);
    }
    SECTION("a warning fails only with --fail-on warning or info") {
        dir.write("plan.json", plan_with({kRegion, kDesktop, "\"ImageId\": \"m-2\"", "\"AfterStatus\": \"Running\""}));
        CliResult r = opguard_cli(dir, "check plan.json -i inv");
        CHECK(r.exit == 0);
        CHECK(r.out.find("  warning[ecd.rebuild.after-status] plan.json:10:24\n") != std::string::npos);
        CHECK(opguard_cli(dir, "check plan.json -i inv --fail-on warning").exit == 1);
        CHECK(opguard_cli(dir, "check plan.json -i inv --fail-on info").exit == 1);
        CHECK(opguard_cli(dir, "check plan.json -i inv --fail-on error").exit == 0);
    }
    SECTION("an info finding fails only with --fail-on info") {
        dir.write("plan.json", plan_with({kRegion, kDesktop}));
        CHECK(opguard_cli(dir, "check plan.json -i inv").exit == 0);
        CHECK(opguard_cli(dir, "check plan.json -i inv --fail-on warning").exit == 0);
        CliResult r = opguard_cli(dir, "check plan.json -i inv --fail-on info");
        CHECK(r.exit == 1);
        CHECK(r.out.find("  info[ecd.rebuild.no-image] plan.json:3:5\n") != std::string::npos);
    }
    SECTION("--format json --output writes the report to a file") {
        dir.write("plan.json", plan_with({kRegion, kDesktop, "\"ImageId\": \"m-404\""}));
        CliResult r = opguard_cli(dir, "check plan.json -i inv --format json --output report.json");
        CHECK(r.exit == 1);
        CHECK(r.out.empty());
        CHECK(r.err.empty());
        std::string report = slurp(dir.file("report.json"));
        CHECK(report.rfind("{\n  \"report_version\": \"1\",\n", 0) == 0);
        CHECK(report.find("\"rule\": \"ecd.rebuild.unknown-image\"") != std::string::npos);
        CHECK(report.find("\"plan\": \"plan.json\"") != std::string::npos);
    }
}

TEST_CASE("exit 2: malformed plan JSON names file:line:col on stderr", "[cli][exit]") {
    TempDir dir;
    write_inventory(dir);
    dir.write("plan.json", "{\"calls\": [\n  {\"id\": \"a\",}\n]}");
    CliResult r = opguard_cli(dir, "check plan.json -i inv");
    CHECK(r.exit == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("plan.json:2:14: error[json.syntax]: found '}': expected ", 0) == 0);
    CHECK(ends_with(r.err, " (at JSON pointer /calls/0)\n"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("exit 2: a plan of the wrong shape", "[cli][exit]") {
    TempDir dir;
    write_inventory(dir);
    dir.write("plan.json", "{\"calls\": [{\"action\": \"A\",\n  \"param\": {}}]}");
    CliResult r = opguard_cli(dir, "check plan.json -i inv");
    CHECK(r.exit == 2);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "plan.json:2:12: error[plan.unknown-key]: unknown key 'param' in a call; expected one of: id, product, version, "
          "action, parameters, cloud, service, method, path, path_params, query, body, waivers, wait (at JSON pointer /calls/0/param)\n");
}

TEST_CASE("exit 2: a missing inventory file", "[cli][exit]") {
    TempDir dir;
    write_inventory(dir);
    dir.write("plan.json", plan_with({kRegion, kDesktop}));
    CliResult r = opguard_cli(dir, "check plan.json -i inv -i missing.json");
    CHECK(r.exit == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "missing.json: error[input.unreadable]: cannot read file: No such file or directory\n");

    CliResult plan_missing = opguard_cli(dir, "check nope.json -i inv");
    CHECK(plan_missing.exit == 2);
    CHECK(plan_missing.err == "nope.json: error[input.unreadable]: cannot read file: No such file or directory\n");
}

TEST_CASE("exit 2: a malformed rule file given with --rules", "[cli][exit]") {
    TempDir dir;
    write_inventory(dir);
    dir.write("plan.json", plan_with({kRegion, kDesktop}));
    SECTION("a file") {
        dir.write("extra.rules", "rule x {\n  title = \"a\"\n}\n");
        CliResult r = opguard_cli(dir, "--rules extra.rules check plan.json -i inv");
        CHECK(r.exit == 2);
        CHECK(r.out.empty());
        CHECK(r.err == "extra.rules:3:1: error[rules.syntax]: expected ';', found '}'\n");
    }
    SECTION("a directory") {
        dir.write("myrules/a.rules", "# fine\n");
        dir.write("myrules/b.rules", "\n\nrule y { when = ((1); }\n");
        CliResult r = opguard_cli(dir, "--rules myrules check plan.json -i inv");
        CHECK(r.exit == 2);
        CHECK(r.err == "myrules/b.rules:3:21: error[rules.syntax]: expected ')', found ';'\n");
    }
    SECTION("a semantic error") {
        dir.write("extra.rules",
                  "rule my.rule {\n  title = \"t\";\n  severity = error;\n  operations = [\"ecd.RebuildDesktop\"];\n"
                  "  when = true;\n  message = \"m\";\n  source = \"s\";\n}\n");
        CliResult r = opguard_cli(dir, "--rules extra.rules check plan.json -i inv");
        CHECK(r.exit == 2);
        CHECK(r.err == "extra.rules:4:17: error[rules.unknown-operation]: unknown operation 'ecd.RebuildDesktop' (did you mean "
                        "'ecd.RebuildDesktops'?)\n");
    }
    SECTION("a directory without rule files") {
        dir.mkdir("norules");
        CliResult r = opguard_cli(dir, "--rules norules check plan.json -i inv");
        CHECK(r.exit == 2);
        CHECK(r.err == "norules: error[rules.empty-directory]: directory holds no .rules files\n");
    }
}

TEST_CASE("exit 2: usage errors", "[cli][exit]") {
    TempDir dir;
    CliResult r = opguard_cli(dir, "check");
    CHECK(r.exit == 2);
    CHECK(r.err.find("plan is required") != std::string::npos);
    CHECK(opguard_cli(dir, "check plan.json").exit == 2);  // no --inventory
    CHECK(opguard_cli(dir, "check plan.json -i inv --format yaml").exit == 2);
    CHECK(opguard_cli(dir, "").exit == 2);  // no subcommand
    CliResult v = opguard_cli(dir, "--version");
    CHECK(v.exit == 0);
}

TEST_CASE("the count line uses the singular for one finding", "[cli]") {
    TempDir dir;
    write_inventory(dir);
    dir.write("plan.json", plan_with({kRegion, kDesktop, "\"ImageId\": \"m-404\""}));
    CliResult r = opguard_cli(dir, "check plan.json -i inv");
    CHECK(ends_with(r.out, "\n1 error, 0 warnings, 0 info\n"));
}

TEST_CASE("exit 2: a command-line error is one line with an error id, control characters in what it quotes shown escaped", "[cli][exit]") {
    // It was CLI11's two lines, quoting a file name or a --format value raw: a name holding a
    // newline and "::error" forged a GitHub Actions workflow command.
    TempDir dir;
    CliResult r = opguard_cli(dir, "check");
    CHECK(r.exit == 2);
    CHECK(r.err == "command line: error[usage]: plan is required (opguard --help lists the options)\n");
    CliResult f = opguard_cli(dir, "check plan.json -i inv --format \"$(printf 'a\\n::error file=x::pwned\\033[31m')\"");
    CHECK(f.exit == 2);
    CHECK(f.err == "command line: error[usage]: --format: a\\u000a::error file=x::pwned\\u001b[31m not in "
                   "{text,json,sarif,junit,github,markdown,gitlab} (opguard --help lists the options)\n");
    CliResult h = opguard_cli(dir, "check --help");
    CHECK(h.exit == 0);
    CHECK(h.err.empty());
}

TEST_CASE("exit 2: no --output overwrites an input: the configuration file, a rule file, a rule test case", "[cli][exit][output]") {
    TempDir dir;
    dir.write("plan.json", "{\"calls\": []}\n");
    const std::string inv = shell_quote(source_path("samples/fleet"));
    dir.write(".opguard.yaml", "today: 2026-06-01\n");
    CliResult c = opguard_cli(dir, "check plan.json -i " + inv + " --output .opguard.yaml");
    CHECK(c.exit == 2);
    CHECK(c.err == "command line: error[usage]: --output .opguard.yaml is an input of this run (the configuration file .opguard.yaml): "
                   "opguard never writes to its inputs\n");
    dir.write(".opguard.yaml", "output: .opguard.yaml\n");
    CHECK(opguard_cli(dir, "check plan.json -i " + inv).exit == 2);
    CHECK(slurp((dir.path() / ".opguard.yaml").string()) == "output: .opguard.yaml\n");  // untouched

    std::filesystem::create_directories(dir.path() / "policy/tests/c1");
    const std::string rule = "rule my.rule {\n  title = \"t\";\n  severity = info;\n  operations = [\"*\"];\n  when = false;\n"
                             "  message = \"m\";\n  source = \"s\";\n  basis = documented;\n}\n";
    dir.write("policy/my.rules", rule);
    dir.write("policy/tests/c1/expect.json", "[]\n");
    CliResult d = opguard_cli(dir, "--rules policy rules doc --output policy/my.rules");
    CHECK(d.exit == 2);
    CHECK(d.err.find("--output policy/my.rules is an input of this run (policy/my.rules): opguard never writes to its inputs") != std::string::npos);
    CHECK(slurp((dir.path() / "policy/my.rules").string()) == rule);
    CliResult t = opguard_cli(dir, "--rules policy rules doc --output policy/tests/c1/expect.json");
    CHECK(t.exit == 2);
    CAPTURE(t.err);
    CHECK(t.err.find("is inside policy, a folder of rules or rule test cases this run reads") != std::string::npos);
    CHECK(slurp((dir.path() / "policy/tests/c1/expect.json").string()) == "[]\n");
    CHECK(opguard_cli(dir, "--rules policy rules doc --output doc.md").exit == 0);
}

TEST_CASE("exit 2: contradicting or empty options, and a symbolic-link loop in an inventory folder, are named as such", "[cli][exit]") {
    // man --output '' was accepted, --config with --no-config too; a link loop was called "a
    // FIFO, device or socket"; an inventory folder given twice was read twice.
    TempDir dir;
    CliResult man = opguard_cli(dir, "man --output ''");
    CHECK(man.exit == 2);
    CHECK(man.err == "command line: error[usage]: --output takes a path ('-' for standard output); found an empty one\n");
    dir.write("c.yaml", "today: 2026-06-01\n");
    CliResult both = opguard_cli(dir, "check p.json -i inv --config c.yaml --no-config");
    CHECK(both.exit == 2);
    CHECK(both.err == "command line: error[usage]: --config c.yaml and --no-config contradict each other: give one\n");
    std::filesystem::create_directories(dir.path() / "inv");
    dir.write("inv/desktops.json", "{\"Desktops\": []}\n");
    std::filesystem::create_symlink("loop2.json", dir.path() / "inv/loop1.json");
    std::filesystem::create_symlink("loop1.json", dir.path() / "inv/loop2.json");
    dir.write("p.json", "{\"calls\": []}\n");
    CliResult loop = opguard_cli(dir, "check p.json -i inv");
    CHECK(loop.exit == 2);
    CHECK(loop.err.rfind("inv/loop1.json: error[input.unreadable]: a symbolic link in inventory directory inv that cannot be followed: ", 0) == 0);
    std::filesystem::remove(dir.path() / "inv/loop1.json");
    std::filesystem::remove(dir.path() / "inv/loop2.json");
    CliResult twice = opguard_cli(dir, "check p.json -i inv -i ./inv -i inv/desktops.json");
    CHECK(twice.exit == 0);
    CHECK(twice.out.rfind("opguard: p.json (0 calls) against 1 inventory file, ", 0) == 0);
}
