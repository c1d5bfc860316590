// check --output never harms what it writes over (src/cli/output_files.cpp, SECURITY.md
// "Output files"): only regular files are replaced; a symbolic link's target is written and
// the link stays a link; FIFOs and character devices are written as they are and stay what
// they are; two outputs naming one file are refused before anything is written; every OS
// error names its real cause; a closed standard output or a pipe closed early is exit 2.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include "test_support.hpp"

using namespace opguard::test;

namespace {

const std::string kInv = " -i " + shell_quote(source_path("samples/fleet"));

struct Dir : TempDir {
    Dir() { fs::copy_file(source_path("samples/rebuild-plan.json"), file("plan.json")); }
    CliRun run(const std::string& args) const { return run_opguard(path().string(), "check plan.json" + kInv + " " + args); }
    // Runs a whole shell command line in this directory; returns its exit status.
    int sh(const std::string& cmd) const {
        const int st = std::system(("cd " + shell_quote(path().string()) + " && " + cmd).c_str());
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    std::vector<std::string> leftovers() const {
        std::vector<std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(path()))
            if (e.path().filename().string().find("opguard-tmp") != std::string::npos) out.push_back(e.path().string());
        return out;
    }
};

mode_t lmode(const std::string& p) {
    struct stat st{};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode;
}

std::string opguard_bin() { return shell_quote(OPGUARD_BINARY); }

}  // namespace

TEST_CASE("check --output through a symbolic link writes the link's target and the link stays a link", "[output][security]") {
    Dir dir;
    const std::string expected = dir.run("").out;
    REQUIRE(expected.rfind("opguard: plan.json", 0) == 0);
    dir.mkdir("real");
    SECTION("a link to an existing file in another directory") {
        dir.write("real/report.txt", "old\n");
        REQUIRE(::chmod(dir.file("real/report.txt").c_str(), 0640) == 0);
        REQUIRE(::symlink("real/report.txt", dir.file("link.txt").c_str()) == 0);
        CliRun r = dir.run("--output link.txt");
        CHECK(r.exit == 1);
        CHECK(S_ISLNK(lmode(dir.file("link.txt"))));
        CHECK(S_ISREG(lmode(dir.file("real/report.txt"))));
        CHECK((lmode(dir.file("real/report.txt")) & 0777) == 0640);  // the replaced file's permissions
        CHECK(slurp(dir.file("real/report.txt")) == expected);
        CHECK(dir.leftovers().empty());
    }
    SECTION("a chain of links, and a dangling link: the file at its end is created") {
        REQUIRE(::symlink("real/new.txt", dir.file("dangling.txt").c_str()) == 0);
        REQUIRE(::symlink("dangling.txt", dir.file("chain.txt").c_str()) == 0);
        CliRun r = dir.run("--output chain.txt");
        CHECK(r.exit == 1);
        CHECK(S_ISLNK(lmode(dir.file("chain.txt"))));
        CHECK(S_ISLNK(lmode(dir.file("dangling.txt"))));
        CHECK(S_ISREG(lmode(dir.file("real/new.txt"))));
        CHECK(slurp(dir.file("real/new.txt")) == expected);
        CHECK(dir.leftovers().empty());
    }
    SECTION("a link loop is output.unwritable, nothing written") {
        REQUIRE(::symlink("b.txt", dir.file("a.txt").c_str()) == 0);
        REQUIRE(::symlink("a.txt", dir.file("b.txt").c_str()) == 0);
        CliRun r = dir.run("--output a.txt");
        CHECK(r.exit == 2);
        CHECK(r.err.rfind("a.txt: error[output.unwritable]: ", 0) == 0);
        CHECK(r.err.find("symbolic links") != std::string::npos);
        CHECK(S_ISLNK(lmode(dir.file("a.txt"))));
    }
}

TEST_CASE("check --output to a FIFO or a character device writes into it and it stays one", "[output][security]") {
    Dir dir;
    const std::string expected = dir.run("").out;
    SECTION("a FIFO with a reader gets the report") {
        REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
        const int rc = dir.sh("(timeout -s KILL 60 cat fifo > got.txt &) ; timeout -s KILL 60 " + opguard_bin() + " check plan.json" +
                              kInv + " --output fifo > /dev/null 2> err.txt; echo $? > rc.txt; sleep 0.2");
        REQUIRE(rc == 0);
        CHECK(slurp(dir.file("rc.txt")) == "1\n");
        CHECK(S_ISFIFO(lmode(dir.file("fifo"))));
        CHECK(slurp(dir.file("got.txt")) == expected);
        CHECK(dir.leftovers().empty());
    }
    SECTION("/dev/full: ENOSPC is reported by name, exit 2; the device is still a device") {
        CliRun r = dir.run("--format json --output /dev/full");
        CHECK(r.exit == 2);
        CHECK(r.err == "/dev/full: error[output.unwritable]: writing the report failed: No space left on device\n");
        CHECK(S_ISCHR(lmode("/dev/full")));
        // through a symbolic link too
        REQUIRE(::symlink("/dev/full", dir.file("full-link").c_str()) == 0);
        r = dir.run("--output full-link");
        CHECK(r.exit == 2);
        CHECK(r.err.find("No space left on device") != std::string::npos);
        CHECK(S_ISLNK(lmode(dir.file("full-link"))));
        CHECK(S_ISCHR(lmode("/dev/full")));
        CHECK(dir.leftovers().empty());
    }
    SECTION("/dev/null and a link to it: the run succeeds, the device stays") {
        REQUIRE(::symlink("/dev/null", dir.file("null-link").c_str()) == 0);
        for (const char* out : {"/dev/null", "null-link"}) {
            CliRun r = dir.run(std::string("--format sarif --output ") + out);
            INFO(out << ": " << r.err);
            CHECK(r.exit == 1);
            CHECK(r.err.empty());
            CHECK(S_ISCHR(lmode("/dev/null")));
        }
        CHECK(S_ISLNK(lmode(dir.file("null-link"))));
        CHECK(dir.leftovers().empty());
    }
    SECTION("a directory, a socket-less path under a file, a missing directory: the real cause, never 'Success'") {
        dir.write("afile", "x");
        dir.mkdir("adir");
        const std::pair<const char*, const char*> cases[] = {
            {"adir", "it is a directory"},
            {"afile/x.json", "Not a directory"},
            {"missing/x.json", "No such file or directory"},
        };
        for (const auto& [out, cause] : cases) {
            CliRun r = dir.run(std::string("--output ") + out);
            INFO(out << ": " << r.err);
            CHECK(r.exit == 2);
            CHECK(r.err.rfind(std::string(out) + ": error[output.unwritable]: ", 0) == 0);
            CHECK(r.err.find(cause) != std::string::npos);
            CHECK(r.err.find("Success") == std::string::npos);
        }
        CHECK(slurp(dir.file("afile")) == "x");
    }
}

TEST_CASE("two --output naming one file are refused before anything is written", "[output][security]") {
    Dir dir;
    dir.mkdir("sub");
    dir.write("old.json", "old\n");
    REQUIRE(::symlink("old.json", dir.file("old-link.json").c_str()) == 0);
    REQUIRE(::link(dir.file("old.json").c_str(), dir.file("old-hard.json").c_str()) == 0);
    const std::pair<const char*, const char*> pairs[] = {
        {"a.json", "./a.json"},          {"a.json", "sub/../a.json"},    {"old.json", "./old.json"},
        {"old.json", "old-link.json"},   {"old.json", "old-hard.json"},  {"old-link.json", "old-hard.json"},
    };
    for (const auto& [first, second] : pairs) {
        CliRun r = dir.run(std::string("--format json --output ") + first + " --format sarif --output other.sarif --format text --output " + second);
        INFO(first << " / " << second << ": " << r.err);
        CHECK(r.exit == 2);
        CHECK(r.err.rfind("command line: error[output.conflict]: --output " + std::string(second) + " and --output " + first, 0) == 0);
        CHECK_FALSE(fs::exists(dir.file("a.json")));
        CHECK_FALSE(fs::exists(dir.file("other.sarif")));
        CHECK(slurp(dir.file("old.json")) == "old\n");
        CHECK(dir.leftovers().empty());
    }
    SECTION("standard output redirected to the file another --output names") {
        const int rc = dir.sh(opguard_bin() + " check plan.json" + kInv +
                              " --format text --format json --output old.json > old-hard.json 2> err.txt; echo $? > rc.txt");
        REQUIRE(rc == 0);
        CHECK(slurp(dir.file("rc.txt")) == "2\n");
        CHECK(slurp(dir.file("err.txt")).rfind("command line: error[output.conflict]: --output old.json and --output standard output", 0) == 0);
    }
    SECTION("two different files and two character devices are fine") {
        CliRun r = dir.run("--format json --output x.json --format sarif --output /dev/null --format text --output /dev/null");
        CHECK(r.exit == 1);
        CHECK(fs::exists(dir.file("x.json")));
    }
}

TEST_CASE("standard output closed, or a pipe closed early: exit 2 with output.unwritable", "[output][security]") {
    Dir dir;
    SECTION("closed standard output") {
        REQUIRE(dir.sh(opguard_bin() + " check plan.json" + kInv + " >&- 2> err.txt; echo $? > rc.txt") == 0);
        CHECK(slurp(dir.file("rc.txt")) == "2\n");
        CHECK(slurp(dir.file("err.txt")) ==
              "standard output: error[output.unwritable]: writing the report failed: Bad file descriptor (it is closed)\n");
        CHECK(dir.leftovers().empty());
    }
    SECTION("/dev/stdout and /dev/fd/N are written where they are: appended after >>, never replaced") {
        const std::string expected = dir.run("--format json").out;
        dir.write("log.txt", "earlier line\n");
        dir.write("three.txt", "kept\n");
        REQUIRE(dir.sh(opguard_bin() + " check plan.json" + kInv + " --format json --output /dev/stdout >> log.txt 2> err.txt; echo $? > rc.txt") == 0);
        CHECK(slurp(dir.file("rc.txt")) == "1\n");
        CHECK(slurp(dir.file("log.txt")) == "earlier line\n" + expected);
        REQUIRE(dir.sh(opguard_bin() + " check plan.json" + kInv + " --format json --output /dev/fd/3 3>> three.txt; echo $? > rc.txt") == 0);
        CHECK(slurp(dir.file("rc.txt")) == "1\n");
        CHECK(slurp(dir.file("three.txt")) == "kept\n" + expected);
        CliRun r = dir.run("--format json --output /dev/fd/7");
        CHECK(r.exit == 2);
        CHECK(r.err == "/dev/fd/7: error[output.unwritable]: cannot write the report here: Bad file descriptor (it is closed)\n");
        CHECK(dir.leftovers().empty());
    }
    SECTION("standard output is written after the file reports are complete; when it fails no file is replaced") {
        const std::string expected = dir.run("--format json").out;
        const std::string sarif = dir.run("--format sarif").out;
        REQUIRE(dir.sh(opguard_bin() + " check plan.json" + kInv + " --format sarif --output s.sarif --format json > out.json 2> err.txt") == 1);
        CHECK(slurp(dir.file("out.json")) == expected);
        CHECK(slurp(dir.file("s.sarif")) == sarif);
        // Standard output closed: the report to it fails, and the file report is not put in place.
        dir.write("s.sarif", "earlier\n");
        REQUIRE(dir.sh(opguard_bin() + " check plan.json" + kInv + " --format sarif --output s.sarif --format json >&- 2> err.txt; echo $? > rc.txt") == 0);
        CHECK(slurp(dir.file("rc.txt")) == "2\n");
        CHECK(slurp(dir.file("err.txt")).rfind("standard output: error[output.unwritable]: writing the report failed: Bad file descriptor", 0) == 0);
        CHECK(slurp(dir.file("s.sarif")) == "earlier\n");
        CHECK(dir.leftovers().empty());
    }
    SECTION("a reader that has closed the pipe") {
        // The writer starts only once the reader has closed its end (the file `closed`), so
        // the report meets a closed pipe however the machine schedules the two sides.
        REQUIRE(dir.sh("rm -f closed; { while [ ! -e closed ]; do sleep 0.01; done; " + opguard_bin() + " check plan.json" + kInv +
                       " 2> err.txt; echo $? > rc.txt; } | { exec <&-; : > closed; }") == 0);
        CHECK(slurp(dir.file("rc.txt")) == "2\n");
        CHECK(slurp(dir.file("err.txt")).rfind("standard output: error[output.unwritable]: writing the report failed: Broken pipe", 0) == 0);
    }
}

TEST_CASE("an empty --output is a usage error, not standard output", "[output]") {
    TempDir dir;
    const CliRun r = run_opguard(dir.path().string(), "check " + shell_quote(source_path("samples/rebuild-plan.json")) + " --no-config -i " +
                                                          shell_quote(source_path("samples/fleet")) + " --format json --output ''");
    CHECK(r.exit == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "command line: error[usage]: --output takes a path ('-' for standard output); found an empty one\n");
}
