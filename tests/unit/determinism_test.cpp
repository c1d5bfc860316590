// What opguard writes (issue 7), tested through the binary (OPGUARD_BINARY):
//   - determinism: the same inputs give byte-identical output in every format, whatever
//     the order of inventory files on the command line or of the directory listing, the
//     time zone or the locale;
//   - secrets: values of secret parameters never appear in any output or error message;
//   - nothing lost: opguard never writes to its inputs, and --output files are written
//     atomically (a failed run leaves no half-written report and an existing file untouched).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

using Cli = CliRun;

// `ENV opguard ARGS` from `dir` (ARGS are shell words).
Cli cli(const TempDir& dir, const std::string& args, const std::string& env = "") {
    return run_opguard(dir.path().string(), args, env);
}

void copy_file(const std::string& from, const std::string& to) {
    fs::create_directories(fs::path(to).parent_path());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

// The sample inventory files, by name.
std::vector<std::string> sample_files(const std::string& sub) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(source_path(sub)))
        if (e.path().extension() == ".json") out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// Rewrites `dir`/inv/<sub> with the sample files created in the given order (the order a
// directory lists them in follows creation order on most file systems).
void lay_out(const TempDir& dir, const std::string& sub, std::vector<std::string> names, bool reverse) {
    fs::remove_all(dir.path() / "inv" / sub);
    fs::create_directories(dir.path() / "inv" / sub);
    if (reverse) std::reverse(names.begin(), names.end());
    for (const auto& n : names) copy_file(source_path("samples/" + sub + "/" + n), dir.file("inv/" + sub + "/" + n));
}

std::string join_inventory(const std::vector<std::string>& paths) {
    std::string s;
    for (const auto& p : paths) s += " -i " + shell_quote(p);
    return s;
}

// Every file below `root` with its bytes and modification time.
std::map<std::string, std::pair<std::string, std::pair<long, long>>> snapshot(const fs::path& root) {
    std::map<std::string, std::pair<std::string, std::pair<long, long>>> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        struct stat st{};
        ::stat(e.path().c_str(), &st);
        out[e.path().string()] = {slurp(e.path().string()), {st.st_mtim.tv_sec, st.st_mtim.tv_nsec}};
    }
    return out;
}

}  // namespace

// ---- determinism -------------------------------------------------------------------------

TEST_CASE("determinism: check --help lists the formats the renderer knows", "[determinism]") {
    TempDir dir;
    Cli r = cli(dir, "check --help");
    REQUIRE(r.exit == 0);
    for (const auto& f : format_names()) CHECK(r.out.find(f) != std::string::npos);
    CHECK(format_names().size() >= 6);
}

TEST_CASE("determinism: byte-identical output in every format, whatever the order of inventory files",
          "[determinism]") {
    TempDir dir;
    const auto fleet = sample_files("samples/fleet");
    const auto huawei = sample_files("samples/huawei");
    REQUIRE(fleet.size() >= 7);
    copy_file(source_path("samples/operations-plan.json"), dir.file("operations-plan.json"));
    copy_file(source_path("samples/rebuild-plan.json"), dir.file("rebuild-plan.json"));

    std::vector<std::string> files;  // every inventory file, as a path relative to dir
    for (const auto& f : fleet) files.push_back("inv/fleet/" + f);
    for (const auto& f : huawei) files.push_back("inv/huawei/" + f);

    for (const auto& format : format_names()) {
        for (const std::string plan : {"operations-plan.json", "rebuild-plan.json"}) {
            INFO("format " << format << ", plan " << plan);
            const std::string base = "check " + plan + " --format " + format + " --today 2026-06-01";
            // 1. directories, listed in creation order
            lay_out(dir, "fleet", fleet, false);
            lay_out(dir, "huawei", huawei, false);
            Cli ref = cli(dir, base + " -i inv/fleet -i inv/huawei");
            REQUIRE(ref.exit <= 1);
            REQUIRE(ref.err.empty());
            REQUIRE(ref.out.size() > 100);
            // 2. the same run again
            CHECK(cli(dir, base + " -i inv/fleet -i inv/huawei").out == ref.out);
            // 3. the directories in the other order on the command line
            Cli r = cli(dir, base + " -i inv/huawei -i inv/fleet");
            CHECK(r.exit == ref.exit);
            CHECK(r.out == ref.out);
            // 4. every file named, in sorted, reversed and shuffled orders, and the parent directory
            std::vector<std::string> order = files;
            CHECK(cli(dir, base + join_inventory(order)).out == ref.out);
            std::reverse(order.begin(), order.end());
            CHECK(cli(dir, base + join_inventory(order)).out == ref.out);
            std::vector<std::string> shuffled;
            for (size_t i = 0; i < files.size(); i += 2) shuffled.push_back(files[i]);
            for (size_t i = 1; i < files.size(); i += 2) shuffled.insert(shuffled.begin(), files[i]);
            CHECK(cli(dir, base + join_inventory(shuffled)).out == ref.out);
            CHECK(cli(dir, base + " -i inv").out == ref.out);
            // 5. files and directories mixed, one file named twice
            CHECK(cli(dir, base + " -i inv/huawei/" + huawei[0] + " -i inv/fleet -i inv/huawei").out == ref.out);
            // 6. the directories re-created with their files in the reverse order (listing order)
            lay_out(dir, "fleet", fleet, true);
            lay_out(dir, "huawei", huawei, true);
            CHECK(cli(dir, base + " -i inv/fleet -i inv/huawei").out == ref.out);
            // 7. another time zone and locale
            CHECK(cli(dir, base + " -i inv/fleet -i inv/huawei", "TZ=Pacific/Kiritimati LC_ALL=C.UTF-8 LANG=de_DE.UTF-8").out ==
                  ref.out);
            // 8. written with --output instead of standard output
            Cli o = cli(dir, base + " -i inv/fleet -i inv/huawei --output report.out");
            CHECK(o.exit == ref.exit);
            CHECK(o.out.empty());
            CHECK(slurp(dir.file("report.out")) == ref.out);
        }
    }
}

TEST_CASE("determinism: input errors are the same whatever the order", "[determinism]") {
    TempDir dir;
    // Two pages disagree about one desktop: the error names both, always the same way round.
    const std::string a = "{\"Desktops\": [{\"DesktopId\": \"ecd-1\", \"DesktopStatus\": \"Running\", \"OfficeSiteId\": \"cn-hangzhou+d\"}]}";
    const std::string b = "{\"Desktops\": [{\"DesktopId\": \"ecd-1\", \"DesktopStatus\": \"Stopped\", \"OfficeSiteId\": \"cn-hangzhou+d\"}]}";
    dir.write("inv/a_desktops.json", a);
    dir.write("inv/b_desktops.json", b);
    dir.write("plan.json", plan_of({rebuild_call("c1", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-1\"]"})}));
    Cli r1 = cli(dir, "check plan.json -i inv/a_desktops.json -i inv/b_desktops.json");
    Cli r2 = cli(dir, "check plan.json -i inv/b_desktops.json -i inv/a_desktops.json");
    Cli r3 = cli(dir, "check plan.json -i inv");
    CHECK(r1.exit == 2);
    CHECK(r1.err.find("error[inventory.conflicting-duplicate]") != std::string::npos);
    CHECK(r2.err == r1.err);
    CHECK(r3.err == r1.err);
}

// ---- secrets -----------------------------------------------------------------------------

namespace {

// Secret values used below; none may appear in any output.
const std::vector<std::string> kSecrets = {
    "LT-9f8e7d6c5b4a-SECRET", "ST-0a1b2c3d4e5f-SECRET", "AKS-s3cr3t-value-XYZ", "hunter2-PASSWORD-abc",
    "NewPass-!@#-SECRET",     "wire-SECRET-one",         "wire-SECRET-two",      "body-SECRET-pw",
    "STS-SECRET-token-777",   "PK-----BEGIN-SECRET",
};

std::string secret_plan() {
    return R"({"calls": [
  {"id": "reboot", "product": "ecd", "version": "2020-10-02", "action": "RebootDesktops",
   "parameters": {"RegionId": "ap-southeast-1", "ClientId": "f4a0dc8e-1702-4728-9a60-95b27a35c0de",
                  "SessionId": "cd45e873-650d-4d70-acb9-f996187a1f2e", "LoginToken": "LT-9f8e7d6c5b4a-SECRET",
                  "SessionToken": "ST-0a1b2c3d4e5f-SECRET", "DesktopId": ["ecd-sgwin12n8b1e2"], "ClientToken": "t-1",
                  "AccessKeySecret": "AKS-s3cr3t-value-XYZ"}},
  {"id": "rebuild", "product": "ecd", "version": "2020-09-30", "action": "RebuildDesktops",
   "parameters": {"RegionId": "cn-hangzhou", "DesktopId": ["ecd-hzwin04d2p7w3"], "ImageId": "m-win2022std",
                  "password": "hunter2-PASSWORD-abc", "NewPassword": "NewPass-!@#-SECRET",
                  "Password.1": "wire-SECRET-one", "Password.2": "wire-SECRET-two", "Extra": {"SecurityToken": "STS-SECRET-token-777"}}},
  {"id": "unknown-op", "product": "ecd", "version": "2020-09-30", "action": "ResetPassword",
   "parameters": {"RegionId": "cn-hangzhou", "PrivateKey": "PK-----BEGIN-SECRET"}},
  {"id": "hw", "cloud": "huaweicloud", "service": "workspace", "method": "POST", "path": "/v2/{project_id}/desktops/check-images",
   "path_params": {"project_id": "0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e"},
   "body": {"desktop_ids": ["0730042a-b9c7-4279-bb24-d3fd299a2efe"], "password": "body-SECRET-pw"}}
]}
)";
}

void check_no_secret(const std::string& what, const std::string& text) {
    for (const auto& s : kSecrets) {
        INFO(what << " must not contain " << s);
        CHECK(text.find(s) == std::string::npos);
        // nor a recognisable part of it
        CHECK(text.find(s.substr(0, s.size() / 2)) == std::string::npos);
    }
}

}  // namespace

TEST_CASE("secrets: no secret parameter value reaches any format, --explain included", "[secrets]") {
    TempDir dir;
    dir.write("plan.json", secret_plan());
    const std::string inv = " -i " + shell_quote(source_path("samples/fleet")) + " -i " + shell_quote(source_path("samples/huawei"));
    for (const auto& format : format_names()) {
        for (const std::string extra : {"", " --explain"}) {
            Cli r = cli(dir, "check plan.json --format " + format + extra + inv);
            INFO(format << extra << " exit " << r.exit << "\n" << r.err);
            CHECK(r.exit <= 1);
            check_no_secret(format + extra + " stdout", r.out);
            check_no_secret(format + extra + " stderr", r.err);
        }
    }
    // rules list/explain output has no plan in it, but the waivers path reads the plan too.
    Cli w = cli(dir, "check plan.json --waivers /nonexistent.json" + inv);
    CHECK(w.exit == 2);
    check_no_secret("waiver error", w.out + w.err);
}

TEST_CASE("secrets: error messages about a plan never quote a secret", "[secrets]") {
    TempDir dir;
    const std::string inv = " -i " + shell_quote(source_path("samples/fleet"));
    auto head = [](const std::string& params) {
        return std::string("{\"calls\": [{\"id\": \"c\", \"product\": \"ecd\", \"version\": \"2020-10-02\", "
                           "\"action\": \"RebootDesktops\", \"parameters\": {\"RegionId\": \"cn-hangzhou\", ") +
               params;
    };
    struct Case {
        const char* what;
        std::string text;
        std::string id;
    };
    const std::vector<Case> cases = {
        {"a syntax error after the secret", head("\"LoginToken\": \"LT-9f8e7d6c5b4a-SECRET\", }}]}"), "json.syntax"},
        {"a missing comma after the secret", head("\"LoginToken\": \"LT-9f8e7d6c5b4a-SECRET\" \"SessionToken\": \"x\"}}]}"), "json.syntax"},
        {"the secret written without quotes", head("\"LoginToken\": LT-9f8e7d6c5b4a-SECRET}}]}"), "json.syntax"},
        {"the secret in single quotes", head("\"Password\": 'hunter2-PASSWORD-abc'}}]}"), "json.syntax"},
        {"a numeric secret with a leading zero", head("\"Password\": 0123456789}}]}"), "json.number"},
        {"a numeric secret too large", head("\"Password\": 9e999}}]}"), "json.number"},
        {"a secret in wire form, unquoted", head("\"Password.1\": wire-SECRET-one}}]}"), "json.syntax"},
        {"a secret inside a list, unquoted", head("\"SessionToken\": [ST-0a1b2c3d4e5f-SECRET]}}]}"), "json.syntax"},
        {"a secret cut off by the end of the file", head("\"LoginToken\": \"LT-9f8e7d6c5b4a-SECRET"), "json.syntax"},
        {"a duplicate secret key", head("\"LoginToken\": \"LT-9f8e7d6c5b4a-SECRET\", \"LoginToken\": \"ST-0a1b2c3d4e5f-SECRET\"}}]}"),
         "json.duplicate-key"},
        {"a wire-form conflict", head("\"LoginToken\": \"LT-9f8e7d6c5b4a-SECRET\", \"LoginToken.1\": \"ST-0a1b2c3d4e5f-SECRET\"}}]}"),
         "plan.param-conflict"},
        {"an unknown key after the secret", head("\"LoginToken\": \"LT-9f8e7d6c5b4a-SECRET\"}, \"parmeters\": 1}]}"), "plan.unknown-key"},
    };
    for (const auto& c : cases) {
        dir.write("plan.json", c.text);
        Cli r = cli(dir, "check plan.json" + inv);
        INFO(c.what << ": " << r.err);
        CHECK(r.exit == 2);
        CHECK(r.err.rfind("plan.json:", 0) == 0);
        CHECK(r.err.find("error[" + c.id + "]") != std::string::npos);
        check_no_secret(c.what, r.out + r.err);
        // "0123456789" is not in kSecrets: check it by hand
        CHECK(r.err.find("0123456789") == std::string::npos);
        CHECK(r.err.find("9e999") == std::string::npos);
    }
    // In-process too: the InputError itself (message and pointer) holds no secret.
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    std::string path = dir.write("plan.json", head("\"LoginToken\": LT-9f8e7d6c5b4a-SECRET}}]}"));
    auto e = input_error([&] { load_plan(sources, path, rules); });
    REQUIRE(e);
    CHECK(e->pointer == "/calls/0/parameters/LoginToken");
    CHECK(e->where() == lc(position_of(slurp(path), "LT-9f8e")));
    check_no_secret("InputError", e->what + e->message + e->pointer);
}

// ---- nothing lost --------------------------------------------------------------------------

TEST_CASE("nothing lost: opguard never writes to its inputs", "[output]") {
    TempDir dir;
    copy_file(source_path("samples/operations-plan.json"), dir.file("in/plan.json"));
    for (const auto& f : sample_files("samples/fleet")) copy_file(source_path("samples/fleet/" + f), dir.file("in/inv/" + f));
    dir.write("in/rules/extra.rules", "rule x.extra {\n  title = \"t\";\n  severity = info;\n  operations = [\"*\"];\n"
                                      "  when = false;\n  message = \"m\";\n  source = \"s\";\n}\n");
    dir.write("in/waivers.json", "{\"waivers\": []}");
    const auto before = snapshot(dir.path() / "in");
    ::sleep(1);  // a write would change the modification time visibly
    SECTION("a normal run, every format to files outside the inputs") {
        std::string args = "--rules in/rules check in/plan.json -i in/inv --waivers in/waivers.json";
        for (const auto& f : format_names()) args += " --format " + f + " --output out/report." + f;
        fs::create_directories(dir.path() / "out");
        Cli r = cli(dir, args);
        INFO(r.err);
        CHECK(r.exit <= 1);
        CHECK(snapshot(dir.path() / "in") == before);
        CHECK(fs::exists(dir.path() / "out/report.json"));
    }
    SECTION("--output naming an input is refused before anything is written") {
        for (const char* target : {"in/plan.json", "in/inv/describe_images.json", "in/waivers.json", "in/rules/extra.rules",
                                   "./in/../in/plan.json"}) {
            Cli r = cli(dir, std::string("--rules in/rules check in/plan.json -i in/inv --waivers in/waivers.json --format json --output ") +
                                 target);
            INFO(target << ": " << r.err);
            CHECK(r.exit == 2);
            CHECK(r.err.find("error[usage]") != std::string::npos);
            CHECK(r.err.find("input") != std::string::npos);
            CHECK(snapshot(dir.path() / "in") == before);
        }
    }
    SECTION("a plan read from standard input (check -) is an input too, by name or as /dev/stdin") {
        for (const char* target : {"in/plan.json", "/dev/stdin"}) {
            const CliRun r = run_captured(dir.path().string(), "timeout -s KILL 60 " + shell_quote(OPGUARD_BINARY) +
                                                                   " check - -i in/inv --format json --output " + target + " < in/plan.json");
            INFO(target << ": " << r.err);
            CHECK(r.exit == 2);
            CHECK(r.err.find("is an input of this run (the plan, read from standard input)") != std::string::npos);
            CHECK(snapshot(dir.path() / "in") == before);
        }
        // Descriptor 0 as /dev/fd/0: open for reading only, which is what the message says.
        const CliRun fd0 = run_captured(dir.path().string(), "timeout -s KILL 60 " + shell_quote(OPGUARD_BINARY) +
                                                                 " check in/plan.json -i in/inv --output /dev/fd/0 < /dev/null");
        CHECK(fd0.exit == 2);
        CHECK(fd0.err.find("/dev/fd/0: error[output.unwritable]: cannot write the report here: descriptor 0 (standard input) is open for reading only") !=
              std::string::npos);
        // Standard input that is not the plan is not an input: a report to another file goes there.
        const CliRun other = run_captured(dir.path().string(), "timeout -s KILL 60 " + shell_quote(OPGUARD_BINARY) +
                                                                   " check in/plan.json -i in/inv --format json --output out.json < in/waivers.json");
        CHECK(other.exit <= 1);
        CHECK(snapshot(dir.path() / "in") == before);
    }
}

TEST_CASE("nothing lost: --output is written atomically", "[output]") {
    TempDir dir;
    const std::string inv = " -i " + shell_quote(source_path("samples/fleet"));
    copy_file(source_path("samples/rebuild-plan.json"), dir.file("plan.json"));
    dir.write("broken.json", "{\"calls\": [");
    const std::string old_report = "the report of yesterday\n";
    auto leftovers = [&] {
        std::vector<std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(dir.path()))
            if (e.path().filename().string().find("opguard-tmp") != std::string::npos) out.push_back(e.path().string());
        return out;
    };
    SECTION("a run that fails on its input leaves an existing report untouched") {
        std::string report = dir.write("report.txt", old_report);
        struct stat st0{};
        ::stat(report.c_str(), &st0);
        Cli r = cli(dir, "check broken.json --output report.txt" + inv);
        CHECK(r.exit == 2);
        CHECK(slurp(report) == old_report);
        struct stat st1{};
        ::stat(report.c_str(), &st1);
        CHECK(st1.st_ino == st0.st_ino);
        CHECK(leftovers().empty());
        // the same with a malformed inventory, and with bad rules
        dir.write("badinv/desktops.json", "{\"Desktops\": [}");
        r = cli(dir, "check plan.json --output report.txt -i badinv");
        CHECK(r.exit == 2);
        dir.write("badrules/x.rules", "rule {");
        r = cli(dir, "--rules badrules check plan.json --output report.txt" + inv);
        CHECK(r.exit == 2);
        CHECK(slurp(report) == old_report);
        CHECK(leftovers().empty());
    }
    SECTION("a successful run replaces the file whole, leaving no temporary file") {
        std::string report = dir.write("report.txt", old_report);
        Cli r = cli(dir, "check plan.json --output report.txt" + inv);
        CHECK(r.exit == 1);
        std::string now = slurp(report);
        CHECK(now.rfind("opguard: plan.json (10 calls)", 0) == 0);
        CHECK(now == cli(dir, "check plan.json" + inv).out);
        CHECK(leftovers().empty());
    }
    SECTION("an output that cannot be written: exit 2, nothing half-written, other outputs untouched") {
        std::string first = dir.write("first.json", old_report);
        dir.mkdir("adir");
        for (const char* bad : {"missing-dir/report.txt", "adir", "first.json/x"}) {
            Cli r = cli(dir, std::string("check plan.json --format json --output first.json --format text --output ") + bad + inv);
            INFO(bad << ": " << r.err);
            CHECK(r.exit == 2);
            CHECK(r.err.find("error[output.unwritable]") != std::string::npos);
            CHECK(slurp(first) == old_report);  // all reports are written, or none
            CHECK(fs::is_directory(dir.path() / "adir"));
            CHECK(leftovers().empty());
        }
    }
    SECTION("standard output that cannot be written is an error, not a silent success") {
        std::string cmd = "cd " + shell_quote(dir.path().string()) + " && " + shell_quote(OPGUARD_BINARY) + " check plan.json" + inv +
                          " >/dev/full 2>err.txt; echo $? > rc.txt";
        REQUIRE(std::system(cmd.c_str()) == 0);
        CHECK(slurp(dir.file("rc.txt")) == "2\n");
        CHECK(slurp(dir.file("err.txt")).find("error[output.unwritable]") != std::string::npos);
        // Every other command too, --help and --version included (they exited 0, their
        // output lost), each with the operating system's cause (it was "writing failed").
        for (const char* args : {"--help", "--version", "check --help", "rules list", "rules explain plan.unmodeled-call", "config"}) {
            CAPTURE(args);
            std::string c = "cd " + shell_quote(dir.path().string()) + " && " + shell_quote(OPGUARD_BINARY) + " " + args +
                            " >/dev/full 2>err.txt; echo $? > rc.txt";
            REQUIRE(std::system(c.c_str()) == 0);
            CHECK(slurp(dir.file("rc.txt")) == "2\n");
            CHECK(slurp(dir.file("err.txt")) == "standard output: error[output.unwritable]: writing failed: No space left on device\n");
        }
    }
}
