// A redirection with nothing to redirect to (`--InstanceId <ID>` copied from documentation,
// `> |`, `cat <<` at the end of a line) is a bash syntax error: bash runs neither that command
// nor any after it. opguard refuses such a script at the redirection (plan.shell-syntax,
// exit 2), naming the token bash names, and reads every script bash accepts as before. The
// cases are checked against bash itself (`bash -n`), so the test holds opguard to bash.
#include <catch2/catch.hpp>

#include <regex>

#include "input/adapters/shell_lexer.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;
using opguard::adapters::read_shell_script;
using opguard::adapters::ShellScript;

namespace {

bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

struct BashVerdict {
    int line = 0;        // 0: bash -n accepts the script
    std::string token;   // the token bash names
};

BashVerdict bash_n(const std::string& dir, const std::string& file) {
    const CliRun r = run_captured(dir, "bash -n " + shell_quote(file));
    BashVerdict v;
    std::smatch m;
    static const std::regex re("line ([0-9]+): syntax error near unexpected token `([^']*)'");
    if (std::regex_search(r.err, m, re)) {
        v.line = std::stoi(m[1]);
        v.token = m[2];
    }
    return v;
}

}  // namespace

TEST_CASE("shell syntax: a redirection with no target is refused where bash refuses it, with bash's token", "[adapters][shell][hostile]") {
    struct Case { std::string line; int bash_line; std::string token; int column; };
    const std::vector<Case> cases = {
        // The documentation placeholder: <实例ID reads a file, > has nothing after it.
        {"aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId <\xe5\xae\x9e\xe4\xbe\x8bID>", 2, "newline", 71},
        {"aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-2 >", 2, "newline", 66},
        {"echo a; echo b >", 2, "newline", 16},
        {"cat <<", 2, "newline", 5},
        {"echo x > | cat", 2, "|", 8},
        {"echo x >> ;", 2, ";", 8},
        {"echo x 2>&1 > &2", 2, "&", 13},
        {"echo x >#comment", 2, "newline", 8},
        {"echo x > #comment", 2, "newline", 8},
        {"echo $(echo b >)", 2, ")", 15},
        {"echo x &>", 2, "newline", 8},
        {"echo x >&", 2, "newline", 8},
        {"echo x > (y)", 2, "(", 8},
        {"echo x > ;;", 2, ";;", 8},
        {"echo x 2>", 2, "newline", 9},
        {"echo x <<< ", 2, "newline", 8},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.line) {
            TempDir dir;
            dir.write("s.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-1\n" + c.line +
                                  "\naliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-3\n");
            const BashVerdict bash = bash_n(dir.path(), "s.sh");
            CHECK(bash.line == c.bash_line);
            CHECK(bash.token == c.token);
            const CliRun r = run_opguard(dir.path(), "check s.sh --inventory " + shell_quote(source_path("samples/fleet")));
            CHECK(r.exit == 2);
            CHECK(r.out.empty());
            CHECK(has(r.err, "s.sh:2:" + std::to_string(c.column) + ": error[plan.shell-syntax]: this redirection has no file "));
            CHECK(has(r.err, "(bash: \"syntax error near unexpected token `" + c.token + "'\"): bash runs no command from this one on"));
        }
    }
}

TEST_CASE("shell syntax: redirections bash accepts are read as before", "[adapters][shell]") {
    const std::vector<std::string> lines = {
        "cat < <(echo hi)",
        "echo x >& 2",
        "echo ok > f",
        "echo x 2>&1 >/dev/null",
        "echo x >|f",
        "cat <<EOF\nbody > \nEOF",
        "echo x > \"$OUT\"",
    };
    for (const std::string& line : lines) {
        DYNAMIC_SECTION(line) {
            TempDir dir;
            dir.write("s.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId ecs-1\n" + line +
                                  "\naliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId ecs-2\n");
            CHECK(bash_n(dir.path(), "s.sh").line == 0);
            const CliRun r = run_opguard(dir.path(), "check s.sh --format json --inventory " + shell_quote(source_path("samples/fleet")));
            CHECK(r.exit != 2);
            CHECK(!has(r.err, "plan.shell-syntax"));
            CHECK(has(r.out, "\"id\": \"line-1\""));
            CHECK(has(r.out, "\"id\": \"line-" + std::to_string(line.find('\n') == std::string::npos ? 3 : 5) + "\""));
        }
    }
}

TEST_CASE("shell syntax: in a string bash -c runs, the redirection is refused at its place in the file", "[adapters][shell][hostile]") {
    TempDir dir;
    dir.write("w.sh", "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId i-1\n"
                      "bash -c \"aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId <ID>\"\n");
    const CliRun r = run_opguard(dir.path(), "check w.sh --inventory " + shell_quote(source_path("samples/fleet")));
    CHECK(r.exit == 2);
    CHECK(has(r.err, "w.sh:2:74: error[plan.shell-syntax]: this redirection has no file before the end of the line"));
    CHECK(has(r.err, "the shell that runs this string runs none of its commands from this one on"));
}

TEST_CASE("shell syntax: the commands of the complete command holding the error are left out", "[adapters][shell]") {
    // bash reads an if ... fi, a loop or a line of ;-joined commands whole before running any
    // of it: none of it runs. Commands before it do.
    const std::string text = "echo first\n"
                             "if true; then\n"
                             "  echo inside\n"
                             "  echo broken >\n"
                             "fi\n"
                             "echo after\n";
    const ShellScript s = read_shell_script(text);
    REQUIRE(s.syntax_error);
    CHECK(*s.syntax_error == text.find(">"));
    CHECK(s.syntax_token == "newline");
    REQUIRE(s.commands.size() == 1);
    CHECK(s.commands[0].words[1].text == "first");

    const std::string joined = "echo first\necho a; echo b > | cat\necho after\n";
    const ShellScript j = read_shell_script(joined);
    REQUIRE(j.syntax_error);
    CHECK(j.syntax_token == "|");
    REQUIRE(j.commands.size() == 1);
    CHECK(j.commands[0].words[1].text == "first");
}
