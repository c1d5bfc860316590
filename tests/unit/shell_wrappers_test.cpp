// The CLI run through another command (xargs, parallel, find -exec, watch, a function of the
// script, bash -c, ssh, eval) is a call like any other: read, checked, located in the file,
// never dropped. Programs that only name the CLI (echo, chmod, command -v) run nothing.
#include <catch2/catch.hpp>

#include "input/adapters/plan_formats.hpp"
#include "input/adapters/shell_wrappers.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

struct Script {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    std::string path, text;
    std::string at(const Node& n) const { return lc(sources.file(n.origin.file).position(n.origin.offset)); }
    std::string where(const std::string& needle, const std::string& after = {}) const { return lc(position_of(text, needle, after)); }
    const Node& call(size_t i) const { return plan.calls.at(i).record; }
    std::string action(size_t i) const {
        const Node* a = call(i).find("action");
        return a ? a->as_string() : "";
    }
    const Node* adapter(size_t i, const std::string& key) const { return call(i).find("adapter")->find(key); }
    // request.adapter.wrappers[0] of call i: {wrapper, message}, or nullptr.
    const Node* wrapper(size_t i) const {
        const Node* w = adapter(i, "wrappers");
        return w && !w->items().empty() ? &w->items()[0] : nullptr;
    }
    std::string unresolved_flag(size_t i, const std::string& param) const { return unresolved_field(i, param, "flag"); }
    std::string unresolved_text(size_t i, const std::string& param) const { return unresolved_field(i, param, "text"); }
    std::string unresolved_field(size_t i, const std::string& param, const char* field) const {
        const Node* un = adapter(i, "unresolved");
        if (!un) return "";
        for (const auto& u : un->items())
            if (u.find("param")->as_string() == param) return u.find(field)->as_string();
        return "";
    }
};

std::unique_ptr<Script> read(const TempDir& dir, const std::string& name, const std::string& text) {
    auto r = std::make_unique<Script>();
    r->text = text;
    r->path = dir.write(name, text);
    r->rules = load_rules(r->sources, RuleSources{true, {}});
    r->plan = load_plan_any(r->sources, r->path, r->rules, "auto");
    return r;
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
        CHECK(r->action(i) == actions[i]);
        CHECK(r->plan.calls[i].id == "line-" + std::to_string(i + 1));
        REQUIRE(r->wrapper(i));
        CHECK(r->wrapper(i)->find("wrapper")->as_string() == wrappers[i]);
        CHECK(r->at(*r->wrapper(i)) == std::to_string(i + 1) + ":" + (i == 0 ? "11" : "1"));  // at the wrapper
    }
    // The call itself is located at the CLI's name.
    CHECK(lc(r->sources.file(r->plan.calls[0].origin.file).position(r->plan.calls[0].origin.offset)) == r->where("aliyun"));
    // Placeholders are values opguard does not see; xargs without -I appends its items.
    CHECK(r->unresolved_text(0, "DesktopId") == "@ (xargs puts in the items it reads from its input when the script runs)");
    CHECK(r->unresolved_flag(1, "(arguments)") == "(input items) (xargs appends the items it reads from its input here when the script runs)");
    CHECK(r->unresolved_text(2, "DesktopId") == "{} (parallel replaces it with each input item when the script runs)");
    CHECK(r->unresolved_text(3, "DesktopId") == "{} (find replaces {} with each file it finds when the script runs)");
    // parallel's input sources and find's terminator are not the CLI's words.
    CHECK(r->unresolved_flag(2, "(arguments)").empty());
    CHECK(r->call(2).find("parameters")->find("DesktopId")->items().empty());
    CHECK(r->wrapper(5)->find("message")->as_string().find("`retry` runs this aliyun command: opguard does not know what `retry` does") == 0);
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
    CHECK(r->action(0) == "StopDesktops");
    const Node& d0 = r->call(0).find("parameters")->find("DesktopId")->items().at(0);
    CHECK(d0.as_string() == "ecd-a");  // the outer shell expanded $ID inside the double quotes
    CHECK(r->at(d0) == r->where("$ID\""));
    const Node& d1 = r->call(1).find("parameters")->find("DesktopId")->items().at(0);
    CHECK(d1.as_string() == "ecd-b");
    CHECK(r->at(d1) == r->where("ecd-b"));
    CHECK(r->call(2).find("parameters")->find("DesktopId")->items().at(0).as_string() == "ecd-c");
    CHECK(r->at(r->call(2).find("parameters")->find("DesktopId")->items().at(0)) == r->where("ecd-c"));
    CHECK(r->call(3).find("parameters")->find("DesktopId")->items().at(0).as_string() == "ecd-d");
    // Run once, as written: nothing to say...
    for (size_t i : {0, 1, 2, 3}) CHECK(r->wrapper(i) == nullptr);
    // ...except for what runs inside: xargs in sh -c, located inside the string.
    REQUIRE(r->wrapper(4));
    CHECK(r->wrapper(4)->find("wrapper")->as_string() == "xargs");
    CHECK(r->at(*r->wrapper(4)) == r->where("xargs -I{}"));
    CHECK(r->unresolved_text(4, "DesktopId").find("{} (xargs puts in") == 0);
    // A value the outer shell could not resolve keeps the outer shell's reason.
    CHECK(r->unresolved_text(5, "RegionId") == "$R (R is assigned inside an if at " + r->path + ":7:22, so its value here is not known)");
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
    dir.write("w.sh", "cat ids.txt | xargs -I{} aliyun ecs DeleteInstance --InstanceId {} --Force true\n");
    dir.write("inv/d.json", "{\"Desktops\": []}");
    auto r = run_opguard(dir.path().string(), "check w.sh --inventory inv");
    CHECK(r.exit == 1);
    CHECK(r.out.find("error[plan.unmodeled-call] w.sh:1:26\n") != std::string::npos);
    CHECK(r.out.find("warning[plan.cli-wrapper] w.sh:1:15\n      xargs runs this aliyun command once per item or batch") != std::string::npos);
}
