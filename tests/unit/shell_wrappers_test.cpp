// The CLI run through another command (xargs, parallel, find -exec, watch, a function of the
// script, bash -c, ssh, eval) is a call like any other: read, checked, located in the file,
// never dropped. Programs that only name the CLI (echo, chmod, command -v) run nothing.
#include <catch2/catch.hpp>

#include "input/adapters/shell_wrappers.hpp"
#include "script_plan.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

std::unique_ptr<ScriptPlan> read(const TempDir& dir, const std::string& name, const std::string& text) { return read_plan(dir, name, text); }

// request.adapter.wrappers[0] of call i: {wrapper, message}, or nullptr.
const Node* wrapper(const ScriptPlan& p, size_t i) {
    const Node* w = p.adapter(i, "wrappers");
    return w && !w->items().empty() ? &w->items()[0] : nullptr;
}

std::string action(const ScriptPlan& p, size_t i) {
    const Node* a = p.record(i).find("action");
    return a ? a->as_string() : "";
}

const std::string kArgs = " --RegionId cn-hangzhou --force --DesktopId.1 ";

}  // namespace

TEST_CASE("shell wrappers: xargs, parallel, find -exec, watch and a script's own function run the CLI: read, located, and said so",
          "[shell][wrappers]") {
    TempDir dir;
    const std::string s = "cat ids | xargs -I@ aliyun ecd StopDesktops" + kArgs + "@\n" +          // 1: -I STR
                          "xargs -n1 aliyun ecd StopDesktops" + kArgs + "ecd-a < ids\n" +           // 2: items appended
                          "parallel -j4 aliyun ecd StartDesktops" + kArgs + "{} ::: ecd-a ecd-b\n" +  // 3
                          "find . -name '*.id' -exec aliyun ecd RebootDesktops" + kArgs + "{} \\;\n" +  // 4
                          "watch -n 5 aliyun ecd DescribeDesktops --RegionId cn-hangzhou\n" +      // 5
                          "retry 3 aliyun ecd StopDesktops" + kArgs + "ecd-b\n";                     // 6
    auto r = read(dir, "w.sh", s);
    REQUIRE(r->plan.calls.size() == 6);
    const std::vector<std::string> actions = {"StopDesktops", "StopDesktops", "StartDesktops", "RebootDesktops", "DescribeDesktops", "StopDesktops"};
    const std::vector<std::string> wrappers = {"xargs", "xargs", "parallel", "find", "watch", "retry"};
    for (size_t i = 0; i < 6; ++i) {
        CAPTURE(i);
        CHECK(action(*r, i) == actions[i]);
        CHECK(r->plan.calls[i].id == "line-" + std::to_string(i + 1));
        REQUIRE(wrapper(*r, i));
        CHECK(wrapper(*r, i)->find("wrapper")->as_string() == wrappers[i]);
        CHECK(r->at(*wrapper(*r, i)) == std::to_string(i + 1) + ":" + (i == 0 ? "11" : "1"));  // at the wrapper
    }
    // The call itself is located at the CLI's name.
    CHECK(lc(r->sources.file(r->plan.calls[0].origin.file).position(r->plan.calls[0].origin.offset)) == r->where("aliyun"));
    // Placeholders are values opguard does not see; xargs without -I appends its items.
    CHECK(r->unresolved_field(0, "DesktopId") == "@ (xargs puts in the items it reads from its input when the script runs)");
    CHECK(r->unresolved_field(1, "(arguments)", "flag") == "(input items) (xargs appends the items it reads from its input here when the script runs)");
    CHECK(r->unresolved_field(2, "DesktopId") == "{} (parallel replaces it with each input item when the script runs)");
    CHECK(r->unresolved_field(3, "DesktopId") == "{} (find replaces {} with each file it finds when the script runs)");
    // parallel's input sources and find's terminator are not the CLI's words.
    CHECK(r->unresolved_field(2, "(arguments)", "flag").empty());
    CHECK(r->record(2).find("parameters")->find("DesktopId")->items().empty());
    CHECK(wrapper(*r, 5)->find("message")->as_string().find("`retry` runs this aliyun command: opguard does not know what `retry` does") == 0);
}

TEST_CASE("shell wrappers: bash -c, su -c, ssh and eval strings are read as scripts, every word located in the file",
          "[shell][wrappers]") {
    TempDir dir;
    const std::string s = "ID=ecd-a\n"
                          "bash -c \"aliyun ecd StopDesktops" + kArgs + "$ID\"\n" +
                          "sudo su ops -c 'aliyun ecd StartDesktops" + kArgs + "ecd-b'\n" +
                          "ssh -i ~/.ssh/k -p 2222 ops@bastion \"aliyun ecd RebootDesktops" + kArgs + "ecd-c\"\n" +
                          "eval \"aliyun ecd RebootDesktops" + kArgs + "ecd-d\"\n" +
                          "sh -ec 'cat ids | xargs -I{} aliyun ecd StopDesktops" + kArgs + "{}'\n" +
                          "if [ -n \"$X\" ]; then R=cn-shanghai; fi\nbash -c \"aliyun ecd StopDesktops --RegionId $R --force --DesktopId.1 ecd-e\"\n";
    auto r = read(dir, "s.sh", s);
    REQUIRE(r->plan.calls.size() == 6);
    CHECK(action(*r, 0) == "StopDesktops");
    const Node& d0 = r->record(0).find("parameters")->find("DesktopId")->items().at(0);
    CHECK(d0.as_string() == "ecd-a");  // the outer shell expanded $ID inside the double quotes
    CHECK(r->at(d0) == r->where("$ID\""));
    const Node& d1 = r->record(1).find("parameters")->find("DesktopId")->items().at(0);
    CHECK(d1.as_string() == "ecd-b");
    CHECK(r->at(d1) == r->where("ecd-b"));
    CHECK(r->record(2).find("parameters")->find("DesktopId")->items().at(0).as_string() == "ecd-c");
    CHECK(r->at(r->record(2).find("parameters")->find("DesktopId")->items().at(0)) == r->where("ecd-c"));
    CHECK(r->record(3).find("parameters")->find("DesktopId")->items().at(0).as_string() == "ecd-d");
    // Run once, as written: nothing to say...
    for (size_t i : {0, 1, 2, 3}) CHECK(wrapper(*r, i) == nullptr);
    // ...except for what runs inside: xargs in sh -c, located inside the string.
    REQUIRE(wrapper(*r, 4));
    CHECK(wrapper(*r, 4)->find("wrapper")->as_string() == "xargs");
    CHECK(r->at(*wrapper(*r, 4)) == r->where("xargs -I{}"));
    CHECK(r->unresolved_field(4, "DesktopId").find("{} (xargs puts in") == 0);
    // A value the outer shell could not resolve keeps the outer shell's reason.
    CHECK(r->unresolved_field(5, "RegionId") == "$R (R is assigned inside an if at " + r->path + ":7:22, so its value here is not known)");
}

TEST_CASE("shell wrappers: what echo or printf prints into a shell is a script: its calls are read and located", "[shell][wrappers][fail-closed]") {
    TempDir dir;
    const std::string s = "EID=i-bp1old000001\n"
                          "echo aliyun ecd StopDesktops" + kArgs + "ecd-a | sh\n" +
                          "echo \"aliyun ecd StartDesktops" + kArgs + "ecd-b\" | sudo bash -s\n" +
                          "printf 'aliyun ecd RebootDesktops" + kArgs + "%s\\n' ecd-c ecd-d | bash -x\n" +
                          "X=`echo aliyun ecs DescribeInstances --RegionId cn-hangzhou --InstanceIds \\'[${EID}]\\' | sh | jq .x`\n"
                          "echo aliyun ecd StopDesktops" + kArgs + "ecd-e | tee log\n" +
                          "echo aliyun ecd StopDesktops" + kArgs + "ecd-f | bash -c 'cat'\n" +
                          "printf -v CMD 'aliyun ecd StopDesktops" + kArgs + "ecd-g' | sh\n";
    auto r = read(dir, "p.sh", s);
    REQUIRE(r->plan.calls.size() == 5);
    const std::vector<std::string> actions = {"StopDesktops", "StartDesktops", "RebootDesktops", "RebootDesktops", "DescribeInstances"};
    const std::vector<std::string> ids = {"line-2", "line-3", "line-4", "line-4.2", "line-5"};
    const std::vector<std::string> targets = {"ecd-a", "ecd-b", "ecd-c", "ecd-d"};
    for (size_t i = 0; i < 5; ++i) {
        CAPTURE(i);
        CHECK(action(*r, i) == actions[i]);
        CHECK(r->plan.calls[i].id == ids[i]);
        CHECK(wrapper(*r, i) == nullptr);  // run once, as printed
        if (i < 4) {
            const Node& d = r->record(i).find("parameters")->find("DesktopId")->items().at(0);
            CHECK(d.as_string() == targets[i]);
            CHECK(r->at(d) == r->where(targets[i]));  // located where the word is written
        }
    }
    // The outer shell's quoting and expansion come first, as in bash: \'[${EID}]\' prints '[i-bp1old000001]'.
    CHECK(r->record(4).find("parameters")->find("InstanceIds")->to_text().find("i-bp1old000001") != std::string::npos);
}

TEST_CASE("shell wrappers: a here-document or here-string a shell reads as its script is read, located in the file", "[shell][wrappers][fail-closed]") {
    TempDir dir;
    const std::string s = "ssh ops@bastion <<EOF\n"                                            // 1
                          "aliyun ecd StopDesktops" + kArgs + "ecd-a\n" +                     // 2
                          "EOF\n"
                          "sudo bash -s -- prod <<'END'\n"                                    // 4
                          "\taliyun ecd StartDesktops" + kArgs + "ecd-b\n" +                 // 5
                          "END\n"
                          "sh <<< \"aliyun ecd RebootDesktops" + kArgs + "ecd-c\"\n" +       // 7
                          "cat <<-X | bash\n"                                                 // 8
                          "\taliyun ecd StopDesktops" + kArgs + "ecd-d\n" +                  // 9
                          "\tX\n"
                          "cat <<EOF > notes.txt\n"                                           // 11: written to a file, not run
                          "aliyun ecd StopDesktops" + kArgs + "ecd-e\n" +
                          "EOF\n"
                          "bash run.sh <<EOF\n"                                               // 14: run.sh is the script (not beside the plan); this is its input
                          "aliyun ecd StopDesktops" + kArgs + "ecd-f\n" +
                          "EOF\n"
                          "bash -c 'bash -s <<EOF\n"                                          // 17: inside a bash -c string
                          "aliyun ecd StopDesktops" + kArgs + "ecd-g\n" +
                          "EOF'\n";
    auto r = read(dir, "h.sh", s);
    REQUIRE(r->plan.calls.size() == 6);
    const std::vector<std::string> actions = {"StopDesktops", "StartDesktops", "RebootDesktops", "StopDesktops", "bash", "StopDesktops"};
    const std::vector<std::string> targets = {"ecd-a", "ecd-b", "ecd-c", "ecd-d", "", "ecd-g"};
    const std::vector<std::string> ids = {"line-2", "line-5", "line-7", "line-9", "line-14", "line-18"};
    for (size_t i = 0; i < 6; ++i) {
        CAPTURE(i);
        CHECK(action(*r, i) == actions[i]);
        CHECK(r->plan.calls[i].id == ids[i]);
        if (targets[i].empty()) continue;  // bash run.sh: the placeholder of a script opguard does not read
        const Node& d = r->record(i).find("parameters")->find("DesktopId")->items().at(0);
        CHECK(d.as_string() == targets[i]);
        CHECK(r->at(d) == r->where(targets[i]));
    }
}

TEST_CASE("shell wrappers: echo -e prints its escapes into the shell, echo without -e does not", "[shell][wrappers]") {
    TempDir dir;
    const std::string s = "echo -e \"aliyun ecd StopDesktops" + kArgs + "ecd-a\\naliyun ecd StartDesktops" + kArgs + "ecd-b\" | sh\n" +
                          "echo \"aliyun ecd RebootDesktops" + kArgs + "ecd-c\\t\" | sh\n";
    auto r = read(dir, "e.sh", s);
    REQUIRE(r->plan.calls.size() == 3);
    CHECK(r->plan.calls[0].id == "line-1");
    CHECK(r->plan.calls[1].id == "line-1.2");
    CHECK(action(*r, 1) == "StartDesktops");
    CHECK(r->record(1).find("parameters")->find("DesktopId")->items().at(0).as_string() == "ecd-b");
    // Without -e the backslash reaches sh, which reads \t as t: the id is ecd-ct.
    CHECK(r->record(2).find("parameters")->find("DesktopId")->items().at(0).as_string() == "ecd-ct");
}

TEST_CASE("shell wrappers: a script that deletes through echo | sh fails the check", "[shell][wrappers][fail-closed]") {
    TempDir dir;
    dir.write("d.sh", "EID=`aliyun ecs DescribeInstances --InstanceName web | jq -r .x`\n"
                      "echo aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId=$EID --Force=true | sh\n");
    auto r = run_opguard(dir.path().string(), "check d.sh --inventory " + shell_quote(source_path("tests/golden/ecs-instances-disks/inventory")));
    CHECK(r.exit == 1);
    CHECK(r.out.find("call 2 line-2: ecs.DeleteInstance  d.sh:2:6\n") != std::string::npos);
    CHECK(r.out.find("error[plan.unresolved-target] d.sh:2:68\n") != std::string::npos);
}

TEST_CASE("shell wrappers: naming the CLI is not running it", "[shell][wrappers]") {
    TempDir dir;
    const std::string names = "echo aliyun ecd DeleteDesktops --DesktopId.1 ecd-a\n"
                              "printf '%s\\n' \"aliyun ecd DeleteDesktops\"\n"
                              "chmod +x /usr/local/bin/aliyun\n"
                              "cp aliyun /usr/local/bin/aliyun\n"
                              "command -v aliyun\n"
                              "which hcloud\n"
                              "bash -c 'echo aliyun is installed'\n";
    auto only = read(dir, "n.sh", names + "aliyun ecd StopDesktops" + kArgs + "ecd-a\n");
    REQUIRE(only->plan.calls.size() == 1);
    CHECK(only->plan.calls[0].id == "line-8");
    // Alone they are no plan at all.
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    const std::string path = dir.write("none.sh", names);
    auto e = input_error([&] { load_plan_any(sources, path, rules, "auto"); });
    REQUIRE(e);
    CHECK(e->id == "plan.unknown-format");
    CHECK(e->message.find("shell: no aliyun or hcloud command that calls an API") != std::string::npos);
}

TEST_CASE("shell wrappers: a check of a script that deletes through xargs fails, never passes as 'no change'", "[shell][wrappers][fail-closed]") {
    TempDir dir;
    dir.write("w.sh", "cat ids.txt | xargs -I{} aliyun ecs DeleteImage --ImageId {} --Force true\n");
    dir.write("inv/d.json", "{\"Desktops\": []}");
    auto r = run_opguard(dir.path().string(), "check w.sh --inventory inv");
    CHECK(r.exit == 1);
    CHECK(r.out.find("error[plan.unmodeled-call] w.sh:1:26\n") != std::string::npos);
    CHECK(r.out.find("warning[plan.cli-wrapper] w.sh:1:15\n      xargs runs this aliyun command once per item or batch") != std::string::npos);
}

TEST_CASE("shell wrappers: strings nested deeper than opguard reads refuse the script there, never drop its calls",
          "[shell][wrappers][hostile]") {
    TempDir dir;
    // bash -c 'bash -c '\''...'\''': each level one more string inside the last.
    std::string s = "aliyun ecs DeleteInstance --InstanceId i-1";
    for (int i = 0; i < adapters::kMaxWrapperDepth; ++i) s = "bash -c " + shell_quote(s);
    auto read4 = read(dir, "four.sh", s + "\n");  // at the bound: read, located
    REQUIRE(read4->plan.calls.size() == 1);
    CHECK(action(*read4, 0) == "DeleteInstance");
    CHECK(read4->at(read4->record(0).find("parameters")->find("InstanceId")->items().empty()
                        ? *read4->record(0).find("parameters")->find("InstanceId")
                        : read4->record(0).find("parameters")->find("InstanceId")->items().at(0)) == read4->where("i-1"));
    const std::string five = "bash -c " + shell_quote(s) + "\n";
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    const std::string p5 = dir.write("five.sh", five);
    auto e = input_error([&] { load_plan_any(sources, p5, rules, "shell"); });
    REQUIRE(e);
    CHECK(e->id == "plan.shell-depth");
    CHECK(e->message.find("at most 4 strings inside one another") != std::string::npos);
    // Substitutions nested too deep inside one string.
    std::string deep = "aliyun ecs DeleteInstance --InstanceId i-2";
    for (int i = 0; i < adapters::kMaxShellNesting + 1; ++i) deep = "$(" + deep + ")";
    const std::string p6 = dir.write("deep.sh", "bash -c " + shell_quote("echo " + deep) + "\n");
    auto d = input_error([&] { load_plan_any(sources, p6, rules, "shell"); });
    REQUIRE(d);
    CHECK(d->id == "plan.shell-depth");
    CHECK(d->where() == "1:" + std::to_string(10 + 5 + 2 * adapters::kMaxShellNesting));
}

TEST_CASE("shell wrappers: a command word opguard cannot resolve that names the CLI, or whose words do, is read as the CLI and said so",
          "[shell][wrappers][fail-closed]") {
    // These lines were dropped as unknown programs: a DeleteInstance beside another call passed.
    TempDir dir;
    const std::string del = " ecs DeleteInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001 --Force true\n";
    const std::string s = "aliyun ecd DescribeDesktops --RegionId cn-hangzhou --force\n"  // 1
                          "${ALIYUN:-aliyun}" + del +                                     // 2
                          "\"$HOME/bin/aliyun\"" + del +                                  // 3
                          "$(command -v aliyun)" + del +                                  // 4
                          "ALI=\"aliyun --profile prod\"\n"                               // 5
                          "$ALI" + del +                                                  // 6
                          "aliyun.exe" + del +                                            // 7
                          "$ALIYUN_BIN" + del +                                           // 8
                          "$EDITOR notes.txt\n"                                           // 9: not the CLI
                          "$DOCKER run Something\n"                                       // 10: no product the rules declare
                          "\"$PYTHON\" tool.py Run Something\n";                          // 11
    auto r = read(dir, "w.sh", s);
    REQUIRE(r->plan.calls.size() == 7);
    const std::vector<std::string> programs = {"${ALIYUN:-aliyun}", "$HOME/bin/aliyun", "$(command -v aliyun)", "$ALI", "aliyun.exe",
                                               "$ALIYUN_BIN"};
    for (size_t i = 1; i < 7; ++i) {
        CAPTURE(i);
        CHECK(action(*r, i) == "DeleteInstance");
        CHECK(r->record(i).find("parameters")->find("InstanceId")->as_string() == "i-bp1old000001");
        if (i == 4) continue;  // $ALI: split into its words as bash splits it (below)
        REQUIRE(wrapper(*r, i));
        CHECK(wrapper(*r, i)->find("wrapper")->as_string() == programs[i - 1]);
        CHECK(wrapper(*r, i)->find("message")->as_string().find("the program is " + programs[i - 1]) == 0);
    }
    CHECK(wrapper(*r, 1)->find("message")->as_string().find(", a value opguard cannot resolve: read as the aliyun CLI") != std::string::npos);
    // A variable holding the name and options is split into its words, as bash splits an
    // unquoted expansion: the CLI with --profile prod, no wrapper to report.
    CHECK(wrapper(*r, 4) == nullptr);
    CHECK(r->plan.calls[4].id == "line-6");
    CHECK(wrapper(*r, 5)->find("message")->as_string() == "the program is aliyun.exe: read as the aliyun CLI, as its words say; checked as written");

    // End to end: each delete is a checked call, located at its line, never dropped.
    dir.write("p.sh", s);
    const CliRun run = run_opguard(dir.path().string(), "check p.sh --no-config -i " + shell_quote(source_path("samples/fleet")));
    CHECK(run.exit == 1);
    for (const char* line : {"2", "3", "4", "7", "8"}) {
        CAPTURE(line);
        CHECK(run.out.find(std::string("warning[plan.cli-wrapper] p.sh:") + line + ":1\n") != std::string::npos);
    }
    CHECK(run.out.find("call 7 line-8: ecs.DeleteInstance  p.sh:8:1\n") != std::string::npos);
    CHECK(run.out.find("error[ecs.instance.unknown] p.sh:8:") != std::string::npos);
}

TEST_CASE("shell wrappers: a line that names the CLI and may run it is read, or an error says it is not: never dropped",
          "[shell][wrappers][fail-closed]") {
    // Each of these deleted the instance when bash ran it, and opguard showed only the Describe.
    TempDir dir;
    const std::string del = "aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId i-bp1dedicated04 --Force true";
    const std::string inv = " --no-config -i " + shell_quote(source_path("samples/fleet"));
    struct Form { std::string line; bool read; std::string program; };
    const std::vector<Form> forms = {
        {"eval " + del, true, ""},                                       // eval's words run as they are
        {"function cleanup { " + del + "; }\ncleanup", true, ""},       // a one-line function body
        {"bash -c -- '" + del + "'", true, ""},                          // -- ends bash's options
        {"echo '" + del + "' | ssh ops@bastion", true, ""},              // ssh with no command: its shell reads stdin
        {"nice -n 5 bash -c '" + del + "'", false, "nice"},
        {"trap '" + del + "' EXIT", false, "trap"},
        {"$SHELL -c '" + del + "'", false, "$SHELL"},
        {"xargs -0 -I% sh -c '" + del + "' < ids", false, "xargs"},
        {"busybox sh -c '" + del + "'", false, "busybox"},
    };
    for (const Form& form : forms) {
        CAPTURE(form.line);
        dir.write("p.sh", "aliyun ecs DescribeInstances --RegionId cn-hangzhou\n" + form.line + "\n");
        const CliRun r = run_opguard(dir.path().string(), "check p.sh" + inv);
        if (form.read) {
            CHECK(r.out.find(": ecs.DeleteInstance  p.sh:") != std::string::npos);
            CHECK(r.out.find("Plan: 1 instance released") != std::string::npos);
        } else {
            CHECK(r.exit == 1);
            CHECK(r.out.find("call 2 line-2: shell " + form.program + "  p.sh:2:1\n") != std::string::npos);
            CHECK(r.out.find("error[plan.cli-not-read] p.sh:2:") != std::string::npos);
            CHECK(r.out.find(") and runs " + form.program + ", which may call it in a way opguard does not read: the API calls it makes are not checked") !=
                  std::string::npos);
        }
    }
    // Programs that only name the CLI run nothing: no placeholder.
    dir.write("q.sh", "aliyun ecs DescribeInstances --RegionId cn-hangzhou\necho 'run: " + del + "'\nwhich aliyun\ncommand -v aliyun\n"
                      "printf '%s\\n' '" + del + "' > todo.txt\n");
    const CliRun quiet = run_opguard(dir.path().string(), "check q.sh" + inv);
    CHECK(quiet.exit == 0);
    CHECK(quiet.out.find("plan.cli-not-read") == std::string::npos);
    CHECK(quiet.out.find("(1 call)") != std::string::npos);
}

TEST_CASE("shell wrappers: a variable holding a whole command runs it, split as bash splits it, each word located at the variable",
          "[shell][wrappers][fail-closed]") {
    // `$CMD` was left unresolved (its value has spaces) and the line dropped: a rebuild passed.
    TempDir dir;
    const std::string s = "CMD=\"aliyun ecd RebuildDesktops --RegionId cn-hangzhou --ImageId m-new\"\n"  // 1
                          "$CMD --DesktopId.1 ecd-a\n"                                                  // 2
                          "STOP='aliyun ecd StopDesktops --RegionId cn-hangzhou'\n"                     // 3
                          "${STOP} --DesktopId.1 ecd-b\n"                                               // 4
                          "\"$STOP\" --DesktopId.1 ecd-c\n"                                             // 5: quoted: one word (bash: no such program)
                          "GLOB='aliyun ecd StopDesktops --DesktopId.1 ecd-*'\n"                         // 6
                          "$GLOB\n";                                                                    // 7: bash would glob: not split
    auto r = read(dir, "v.sh", s);
    REQUIRE(r->plan.calls.size() >= 2);
    CHECK(action(*r, 0) == "RebuildDesktops");
    CHECK(r->plan.calls[0].id == "line-2");
    CHECK(r->record(0).find("parameters")->find("ImageId")->as_string() == "m-new");
    CHECK(r->at(*r->record(0).find("parameters")->find("ImageId")) == r->where("$CMD"));  // the value's bytes are at the reference
    CHECK(r->at(r->record(0).find("parameters")->find("DesktopId")->items().at(0)) == r->where("ecd-a"));
    CHECK(action(*r, 1) == "StopDesktops");
    CHECK(r->plan.calls[1].id == "line-4");
    CHECK(r->record(1).find("parameters")->find("DesktopId")->items().at(0).as_string() == "ecd-b");
    CHECK(wrapper(*r, 0) == nullptr);
    CHECK(wrapper(*r, 1) == nullptr);
    // "$STOP" is one word, which bash runs as a program of that name: read as the CLI (never
    // dropped), and the wrapper warning says what the program word was.
    REQUIRE(r->plan.calls.size() == 4);
    CHECK(r->plan.calls[2].id == "line-5");
    REQUIRE(wrapper(*r, 2));
    CHECK(wrapper(*r, 2)->find("message")->as_string().rfind("the program is aliyun ecd StopDesktops --RegionId cn-hangzhou: read as", 0) == 0);
    // $GLOB would be globbed by bash: not split; its words after it do not name an API either,
    // so the line names the CLI and is not read (plan.cli-not-read).
    CHECK(r->plan.calls[3].id == "line-7");
    CHECK(action(*r, 3) == "$GLOB");
    CHECK(r->adapter(3, "placeholder") != nullptr);

    // End to end: the rebuild is checked, refused for the image the inventory lacks.
    dir.write("p.sh", s.substr(0, s.find("STOP=")));
    const CliRun run = run_opguard(dir.path().string(), "check p.sh --no-config -i " + shell_quote(source_path("samples/fleet")));
    CHECK(run.exit == 1);
    CHECK(run.out.find("call 1 line-2: ecd.RebuildDesktops  p.sh:2:1\n") != std::string::npos);
    CHECK(run.out.find("error[ecd.rebuild.unknown-image] p.sh:2:1\n") != std::string::npos);
}

TEST_CASE("shell wrappers: what a process substitution prints into source, . or a shell is a script: read and located",
          "[shell][wrappers][fail-closed]") {
    // `source <(echo 'aliyun ...')` and `bash < <(...)` were dropped: the calls passed unchecked.
    TempDir dir;
    const std::string s = "source <(echo \"aliyun ecd StopDesktops" + kArgs + "ecd-a\")\n" +     // 1
                          ". <(printf 'aliyun ecd StartDesktops" + kArgs + "%s\\n' ecd-b)\n" +    // 2
                          "bash < <(echo aliyun ecd RebootDesktops" + kArgs + "ecd-c)\n" +        // 3
                          "sudo bash -x <(cat <<EOF\n"                                             // 4
                          "aliyun ecd StopDesktops" + kArgs + "ecd-d\n" +                          // 5
                          "EOF\n"
                          ")\n"
                          "diff <(echo aliyun ecd StopDesktops" + kArgs + "ecd-e) old.txt\n" +     // 8: compared, not run
                          "bash run.sh < <(echo aliyun ecd StopDesktops" + kArgs + "ecd-f)\n";     // 9: run.sh's input, not a script
    auto r = read(dir, "s.sh", s);
    std::vector<std::string> ids;
    for (const auto& c : r->plan.calls) ids.push_back(c.id);
    REQUIRE(ids == std::vector<std::string>{"line-1", "line-2", "line-3", "line-5", "line-9"});
    const std::vector<std::string> actions = {"StopDesktops", "StartDesktops", "RebootDesktops", "StopDesktops"};
    const std::vector<std::string> targets = {"ecd-a", "ecd-b", "ecd-c", "ecd-d"};
    for (size_t i = 0; i < 4; ++i) {
        CAPTURE(i);
        REQUIRE(action(*r, i) == actions[i]);
        const Node& d = r->record(i).find("parameters")->find("DesktopId")->items().at(0);
        CHECK(d.as_string() == targets[i]);
        CHECK(r->at(d) == r->where(targets[i]));
    }
    CHECK(action(*r, 4) == "bash");  // the placeholder of run.sh, a script not beside the plan
}

TEST_CASE("shell wrappers: a file a shell reads on standard input (bash < cmds.txt, cat cmds.txt | bash) is read as a script, or said not to be",
          "[shell][wrappers][fail-closed]") {
    // Both were dropped: the DeleteInstance in cmds.txt passed unchecked.
    TempDir dir;
    dir.write("cmds.txt", "aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001 --Force true\n");
    const std::string s = "bash < cmds.txt\n"           // 1
                          "cat cmds.txt | sh -s\n"      // 2
                          "sudo bash -s < ./cmds.txt\n"  // 3
                          "bash < missing.txt\n"        // 4: not beside the plan: plan.script-not-read
                          "python3 < cmds.txt\n";       // 5: not a shell
    auto r = read(dir, "in.sh", s);
    std::vector<std::string> ids;
    for (const auto& c : r->plan.calls) ids.push_back(c.id);
    CHECK(ids == std::vector<std::string>{"cmds.txt:line-1", "cmds.txt:line-1#2", "cmds.txt:line-1#3", "line-4"});  // a script read again: #N
    REQUIRE(r->plan.calls.size() == 4);
    for (size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(action(*r, i) == "DeleteInstance");
        CHECK(r->at(*r->record(i).find("parameters")->find("InstanceId")) == "1:63");  // located in cmds.txt
    }
    const Node* why = r->adapter(3, "scripts");
    REQUIRE(why);
    CHECK(why->items().at(0).find("message")->as_string().find("this line runs missing.txt, which opguard does not read") == 0);
}

TEST_CASE("shell wrappers: a function of the script runs its body where it is called, with the call's words as \"$@\", $1, \"$*\"",
          "[shell][wrappers][fail-closed]") {
    // `ali() { aliyun --profile p "$@"; }; ali ecd RebuildDesktops ...` was dropped (then
    // plan.cli-not-read), and `rebuild; rebuild` was one rebuild: read once, where defined.
    TempDir dir;
    const std::string s = "ali() {\n"                                                         // 1
                          "  aliyun --profile prod \"$@\"\n"                                   // 2
                          "}\n"                                                                // 3
                          "stop() { aliyun ecd StopDesktops" + kArgs + "\"$1\"; }\n" +          // 4
                          "function both { stop \"$1\"; stop \"$2\"; }\n"                      // 5
                          "ali ecd RebuildDesktops --RegionId cn-hangzhou --force --DesktopId.1 ecd-a --ImageId m-1\n"  // 6
                          "both ecd-b ecd-c\n"                                                 // 7
                          "for d in ecd-d ecd-e; do stop \"$d\"; done\n"                       // 8
                          "never() { aliyun ecd DeleteDesktops" + kArgs + "ecd-z; }\n" +       // 9: never called: read where written
                          "trap never EXIT\n";
    auto r = read(dir, "f.sh", s);
    std::vector<std::string> ids;
    for (const auto& c : r->plan.calls) ids.push_back(c.id);
    CHECK(ids == std::vector<std::string>{"line-6", "line-7", "line-7.2", "line-8[1]", "line-8[2]", "line-9"});
    REQUIRE(r->plan.calls.size() == 6);
    CHECK(action(*r, 0) == "RebuildDesktops");
    CHECK(r->record(0).find("parameters")->find("ImageId")->as_string() == "m-1");
    CHECK(r->at(*r->record(0).find("parameters")->find("ImageId")) == r->where("m-1"));  // at the call's word
    const std::vector<std::string> stopped = {"ecd-b", "ecd-c", "ecd-d", "ecd-e"};
    for (size_t i = 1; i < 5; ++i) {
        CAPTURE(i);
        CHECK(action(*r, i) == "StopDesktops");
        CHECK(r->record(i).find("parameters")->find("DesktopId")->items().at(0).as_string() == stopped[i - 1]);
    }
    CHECK(action(*r, 5) == "DeleteDesktops");
    // shift changes the parameters: that body is read where written, and "$@" there is not read.
    auto sh = read(dir, "s.sh", "f() { shift; aliyun \"$@\"; }\nf x ecd StopDesktops" + kArgs + "ecd-a\naliyun ecs DescribeRegions\n");
    REQUIRE(sh->plan.calls.size() == 2);
    CHECK(sh->adapter(0, "cli_not_read") != nullptr);
}

TEST_CASE("shell wrappers: a function's expansion follows bash: the last definition, unquoted parameters split, parameters after \"$@\" unknown, a function named as the CLI",
          "[shell][wrappers][fail-closed]") {
    TempDir dir;
    // Defined again: each call runs the definition written last before it (both bodies ran at every call).
    auto redef = read(dir, "r.sh", "f() { aliyun ecd RebootDesktops" + kArgs + "\"$1\"; }\nf ecd-a\n"
                                   "f() { aliyun ecd StopDesktops" + kArgs + "\"$1\"; }\nf ecd-b\n");
    REQUIRE(redef->plan.calls.size() == 2);
    CHECK(action(*redef, 0) == "RebootDesktops");
    CHECK(action(*redef, 1) == "StopDesktops");
    // Unquoted $2 splits the argument as bash does: two more words.
    auto split = read(dir, "s.sh", "g() { aliyun ecd StopDesktops" + kArgs + "\"$1\" $2; }\ng ecd-a \"--DesktopId.2 ecd-b\"\n");
    REQUIRE(split->plan.calls.size() == 1);
    CHECK(split->record(0).find("parameters")->find("DesktopId")->items().size() == 2);
    // main "$@": the script's own arguments are not known, so neither are $1, $2 inside.
    auto main_args = read(dir, "m.sh", "main() { aliyun ecs RebootInstance --RegionId cn-hangzhou --InstanceId \"$2\"; }\nmain \"$@\"\n");
    REQUIRE(main_args->plan.calls.size() == 1);
    CHECK(main_args->unresolved(0, "InstanceId") != nullptr);
    // A function named aliyun: inside, `command aliyun` is the CLI; its flags reach every call.
    auto named = read(dir, "n.sh", "aliyun() { command aliyun --profile prod \"$@\"; }\naliyun ecd StopDesktops" + kArgs + "ecd-a\n");
    REQUIRE(named->plan.calls.size() == 1);
    CHECK(action(*named, 0) == "StopDesktops");
    CHECK(named->adapter(0, "cli_not_read") == nullptr);
    // unset 'A[0]' changes the array: not followed, so the line that runs it is not read as before.
    auto unset = read(dir, "u.sh", "A=(ecd-a ecd-b)\nunset 'A[0]'\naliyun ecd StopDesktops" + kArgs + "\"${A[0]}\"\n");
    REQUIRE(unset->plan.calls.size() == 1);
    CHECK(unset->record(0).find("parameters")->find("DesktopId")->items().empty());  // the element is unresolved
}

TEST_CASE("shell wrappers: what another program prints into a shell is a script opguard does not read: plan.script-not-read, never dropped",
          "[shell][wrappers][fail-closed]") {
    // grep ... | bash, sed ... | sh, cat a b | bash ran the calls of cmds.txt unseen.
    TempDir dir;
    dir.write("cmds.txt", "aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001 --Force true\n");
    const std::string s = "grep -v '^#' cmds.txt | bash\n"   // 1
                          "sed 's/^/ /' cmds.txt | sh\n"      // 2
                          "cat head.txt cmds.txt | bash\n"    // 3
                          "parallel -j4 < cmds.txt\n"         // 4: each line a command: read as a script
                          "grep x cmds.txt | wc -l\n";        // 5: not a shell
    auto r = read(dir, "p.sh", s);
    std::vector<std::string> ids;
    for (const auto& c : r->plan.calls) ids.push_back(c.id);
    CHECK(ids == std::vector<std::string>{"line-1", "line-2", "line-3", "cmds.txt:line-1"});
    REQUIRE(r->plan.calls.size() == 4);
    for (size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        const Node* why = r->adapter(i, "scripts");
        REQUIRE(why);
        CHECK(why->items().at(0).find("message")->as_string().find(" prints into a shell, which runs it as a script opguard does not read") !=
              std::string::npos);
    }
    CHECK(action(*r, 3) == "DeleteInstance");
}

TEST_CASE("shell wrappers: a command read from input when the script runs ($cmd, eval \"$line\") is plan.cli-not-read, never dropped",
          "[shell][wrappers][fail-closed]") {
    // `while read -r line; do eval "$line"; done < cmds.txt` ran the file's calls unseen.
    TempDir dir;
    const std::string s = "while read -r line; do eval \"$line\"; done < cmds.txt\n"     // 1
                          "while IFS= read -r cmd; do $cmd; done < cmds.txt\n"           // 2
                          "read -r answer\n"                                             // 3
                          "echo \"$answer\"\n"                                           // 4: printed, not run
                          "aliyun ecs DescribeRegions\n";                                // 5
    auto r = read(dir, "r.sh", s);
    std::vector<std::string> ids;
    for (const auto& c : r->plan.calls) ids.push_back(c.id);
    CHECK(ids == std::vector<std::string>{"line-1", "line-2", "line-5"});
    REQUIRE(r->plan.calls.size() == 3);
    for (size_t i = 0; i < 2; ++i) {
        CAPTURE(i);
        const Node* note = r->adapter(i, "cli_not_read");
        REQUIRE(note);
        CHECK(note->items().at(0).find("message")->as_string().find(", a command read from input when the script runs, which may call the CLI") !=
              std::string::npos);
    }
    CHECK(r->at(*r->adapter(1, "cli_not_read")->items().at(0).find("message")) == "2:28");  // at $cmd
}
