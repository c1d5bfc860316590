// Shell scripts as bash runs them: straight-line assignments resolve later $X, conditional
// ones leave X unresolved and say why; unclosed substitutions, deep nesting and non-UTF-8
// text are input errors at file:line:col. --cli-dry-run-json records as the released CLI
// prints them, read linearly. aliyun --waiter marks a wait.
#include <catch2/catch.hpp>

#include <chrono>

#include "input/adapters/aliyun_cli.hpp"
#include "input/adapters/plan_formats.hpp"
#include "input/adapters/shell_lexer.hpp"
#include "script_plan.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

using Read = ScriptPlan;

std::unique_ptr<Read> read(const TempDir& dir, const std::string& name, const std::string& text, const std::string& format = "auto") {
    return read_plan(dir, name, text, format);
}

std::optional<Err> read_error(const TempDir& dir, const std::string& name, const std::string& text, const std::string& format = "auto") {
    std::string path = dir.write(name, text);
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    return input_error([&] { load_plan_any(sources, path, rules, format); });
}

const std::string kCall = "aliyun ecd RebuildDesktops --force --DesktopId.1 ecd-a ";

}  // namespace

TEST_CASE("shell variables: straight-line assignments resolve later uses, at the use", "[shell][variables]") {
    TempDir dir;
    const std::string s =
        "REGION=cn-hangzhou\n"
        "export IMAGE=\"m-win2022std\"\n"
        "readonly LANG_='en-US'\n"
        "declare -x OP=replace\n"
        "COPY=$REGION\n"
        "X=a; X+=b\n" + kCall + "--RegionId \"$REGION\" --ImageId ${IMAGE} --Language \"${LANG_}\" --OperateType $OP --Tag $COPY-$X\n";
    auto r = read(dir, "vars.sh", s);
    REQUIRE(r->plan.calls.size() == 1);
    CHECK(r->param(0, "RegionId")->as_string() == "cn-hangzhou");
    CHECK(r->at(*r->param(0, "RegionId")) == r->where("\"$REGION\""));
    CHECK(r->param(0, "ImageId")->as_string() == "m-win2022std");
    CHECK(r->param(0, "Language")->as_string() == "en-US");
    CHECK(r->param(0, "OperateType")->as_string() == "replace");
    CHECK(r->unresolved(0, "RegionId") == nullptr);
    CHECK(r->unresolved(0, "ImageId") == nullptr);
    CHECK(r->adapter(0).find("region")->as_string() == "cn-hangzhou");
    // The lexer: X+= appends, $COPY is the copy of a resolved value.
    auto cmds = adapters::split_shell_commands(s);
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0].words.back().text == "cn-hangzhou-ab");
    CHECK_FALSE(cmds[0].words.back().unresolved());
}

TEST_CASE("shell variables: an assignment in a branch, loop, list, subshell or function leaves the variable unresolved, saying where",
          "[shell][variables]") {
    TempDir dir;
    struct Form { const char* assign; const char* why; };
    const Form forms[] = {
        {"if true; then REGION=cn-hangzhou; fi\n", "REGION is assigned inside an if at f.sh:1:15"},
        {"while false; do\n  REGION=cn-hangzhou\ndone\n", "REGION is assigned inside a loop at f.sh:2:3"},
        {"case $1 in a) REGION=cn-hangzhou ;; esac\n", "REGION is assigned inside a case at f.sh:1:15"},
        {"test -n \"$1\" && REGION=cn-hangzhou\n", "REGION is assigned inside a && / || list at f.sh:1:17"},
        {"( REGION=cn-hangzhou )\n", "REGION is assigned inside a ( ) subshell or function at f.sh:1:3"},
        {"setup() {\n  REGION=cn-hangzhou\n}\n", "REGION is assigned inside a { } group or function body at f.sh:2:3"},
        {"echo x | REGION=cn-hangzhou\n", "REGION is assigned inside a pipeline at f.sh:1:10"},
        {"REGION=$(pick_region)\n", "REGION is assigned a value computed when the script runs at f.sh:1:1"},
        {"local REGION=cn-hangzhou\n", "REGION is assigned by `local` (a function's own variable) at f.sh:1:7"},
        {"read REGION\n", "REGION is read from input at f.sh:1:6"},
        {"REGION=cn-hangzhou\nsource ./env.sh\n", "REGION may be set by the `source` at f.sh:2:1"},
        {"REGION=cn-hangzhou\nif x; then unset REGION; fi\n", "REGION is unset inside an if at f.sh:2:18"},
    };
    for (const Form& f : forms) {
        CAPTURE(f.assign);
        const std::string s = std::string(f.assign) + kCall + "--ImageId m-x --RegionId \"$REGION\"\n";
        auto r = read(dir, "f.sh", s);
        // A `source` of a script not beside the plan is a call of its own (plan.script-not-read) before it.
        const bool sources = std::string(f.assign).find("source") != std::string::npos;
        REQUIRE(r->plan.calls.size() == (sources ? 2u : 1u));
        const size_t call = sources ? 1 : 0;
        const Node* u = r->unresolved(call, "RegionId");
        REQUIRE(u);
        std::string why = f.why;
        why.replace(why.find("f.sh:"), 4, r->path);  // the script's path as given
        if (why.find("inside") != std::string::npos) why += ", so its value here is not known";
        CHECK(u->find("text")->as_string() == "\"$REGION\" (" + why + ")");
        CHECK(r->at(*u) == r->where("\"$REGION\""));
    }
}

TEST_CASE("shell variables: prefix assignments, loops that change a variable, unset, defaults, word splitting", "[shell][variables]") {
    TempDir dir;
    // X=v cmd: bash expands the words before the assignment, which only reaches cmd's environment.
    auto prefix = read(dir, "p.sh", "REGION=cn-hangzhou " + kCall + "--ImageId m-x --RegionId \"$REGION\"\n");
    CHECK(prefix->unresolved(0, "RegionId"));
    // A loop that changes i after using it: the first iteration's value is not the second's.
    auto loop = read(dir, "l.sh", "i=1\nR=cn-hangzhou\nfor d in a b; do\n  " + kCall + "--ImageId m-$i --RegionId $R\n  i=$((i+1))\ndone\n");
    const Node* u = loop->unresolved(0, "ImageId");
    REQUIRE(u);
    CHECK(u->find("text")->as_string() == "m-$i (i changes inside the loop at " + loop->path + ":5:3, so its value here is not known)");
    CHECK(loop->param(0, "RegionId")->as_string() == "cn-hangzhou");  // not changed in the loop
    // ${X:-d}: d only when the script made X empty or unset; never assigned: the environment may set it.
    auto env = read(dir, "d.sh", kCall + "--ImageId m-x --RegionId ${R:-cn-hangzhou}\n");
    REQUIRE(env->unresolved(0, "RegionId"));
    CHECK(env->unresolved(0, "RegionId")->find("text")->as_string() ==
          "${R:-cn-hangzhou} (R is not assigned in this script: ${R:-cn-hangzhou} is 'cn-hangzhou' unless the environment sets R)");
    auto unset = read(dir, "u.sh", "R=x\nunset R\nE=\n" + kCall + "--ImageId ${E:-m-y} --RegionId ${R:-cn-hangzhou} --Language ${R-en-US}\n");
    CHECK(unset->param(0, "RegionId")->as_string() == "cn-hangzhou");
    CHECK(unset->param(0, "ImageId")->as_string() == "m-y");
    CHECK(unset->param(0, "Language")->as_string() == "en-US");
    // Unquoted with a space: bash splits it into two words, the first the flag's value (each
    // located at the reference).
    auto split = read(dir, "s.sh", "IMG='m-a m-b'\n" + kCall + "--RegionId cn-hangzhou --ImageId $IMG\n");
    CHECK_FALSE(split->unresolved(0, "ImageId"));
    REQUIRE(split->param(0, "ImageId"));
    CHECK(split->param(0, "ImageId")->as_string() == "m-a");
    CHECK(split->at(*split->param(0, "ImageId")) == split->where("$IMG"));
    // Part of a word, or a value bash would glob: not split, unresolved, and the reason said.
    auto part = read(dir, "t.sh", "IMG='a m-b'\n" + kCall + "--RegionId cn-hangzhou --ImageId m-$IMG\n");
    REQUIRE(part->unresolved(0, "ImageId"));
    CHECK(part->unresolved(0, "ImageId")->find("text")->as_string() ==
          "m-$IMG ($IMG is not quoted and its value has spaces or * ? [: bash splits or globs it)");
    auto glob = read(dir, "g.sh", "IMG='m-* x'\n" + kCall + "--RegionId cn-hangzhou --ImageId $IMG\n");
    REQUIRE(glob->unresolved(0, "ImageId"));
    auto quoted = read(dir, "q.sh", "IMG='m-a m-b'\n" + kCall + "--RegionId cn-hangzhou --ImageId \"$IMG\"\n");
    CHECK(quoted->param(0, "ImageId")->as_string() == "m-a m-b");
}

TEST_CASE("shell: an unclosed $( ${ or backtick is plan.shell-syntax, like an open quote", "[shell][syntax]") {
    TempDir dir;
    for (const char* open : {"$(", "${", "`"}) {
        CAPTURE(open);
        // Alone: no call remains. After a call: bash runs none of the script.
        for (const std::string before : {std::string(), kCall + "--RegionId cn-hangzhou --ImageId m-x\n"}) {
            const std::string s = before + "echo " + open + "date\n" + kCall + "--RegionId cn-hangzhou --ImageId m-x\n";
            auto e = read_error(dir, "open.sh", s);
            REQUIRE(e);
            CHECK(e->id == "plan.shell-syntax");
            CHECK(e->where() == (before.empty() ? "1:6" : "2:6"));  // the opening, after "echo "
            CHECK(e->message.find(std::string("the ") + open + " opened here is not closed") != std::string::npos);
        }
        // An assignment that holds it (no command is returned for it): refused all the same.
        const std::string a = kCall + "--RegionId cn-hangzhou --ImageId m-x\nX=" + open + "date\n";
        auto e = read_error(dir, "assign.sh", a);
        REQUIRE(e);
        CHECK(e->id == "plan.shell-syntax");
        CHECK(e->where() == "2:3");
    }
    // In an aliyun command: that command never runs (a finding on it, shell = true).
    const std::string in = kCall + "--RegionId cn-hangzhou --ImageId \"$(pick\n";
    auto r = read(dir, "in.sh", in);
    REQUIRE(r->plan.calls.size() == 1);
    const Node* usage = r->adapter(0).find("usage_errors");
    REQUIRE(usage);
    CHECK(usage->items().at(0).find("shell")->truthy());
    CHECK(r->at(usage->items().at(0)) == r->where("$(pick"));
}

TEST_CASE("shell: deep nesting is an input error naming the limit, never a stack overflow", "[shell][hostile]") {
    TempDir dir;
    std::string subst = "echo ";
    for (int i = 0; i < 100000; ++i) subst += "$(";
    for (int i = 0; i < 100000; ++i) subst += ")";
    auto e = read_error(dir, "deep.sh", subst + "\n" + kCall + "--RegionId cn-hangzhou --ImageId m-x\n");
    REQUIRE(e);
    CHECK(e->id == "plan.shell-depth");
    CHECK(e->where() == "1:" + std::to_string(6 + 2 * adapters::kMaxShellNesting));
    CHECK(e->message.find("at most 64 levels") != std::string::npos);
    std::string ticks = "echo \"";
    for (int i = 0; i < 100000; ++i) ticks += "$(echo \"";
    auto t = read_error(dir, "open-deep.sh", ticks + "\n" + kCall + "--RegionId cn-hangzhou --ImageId m-x\n");
    REQUIRE(t);
    CHECK(t->id == "plan.shell-syntax");  // never closed: bash reads to the end of the file
    CHECK(t->where() == "1:7");
    // Groups and ${ nest without recursion: read to the end, the call after them is there.
    const std::string groups = std::string(100000, '(') + "true" + std::string(100000, ')') + "\necho ${" +
                               [] { std::string b; for (int i = 0; i < 100000; ++i) b += "X:-${"; return b; }() + "x" +
                               std::string(100001, '}') + "\n" + kCall + "--RegionId cn-hangzhou --ImageId m-x\n";
    auto g = read(dir, "groups.sh", groups);
    CHECK(g->plan.calls.size() == 1);
}

TEST_CASE("a plan that is UTF-16, UTF-32 or binary says so", "[shell][encoding]") {
    TempDir dir;
    auto utf16 = [](const std::string& ascii, bool bom, bool little) {
        std::string out = bom ? (little ? std::string("\xFF\xFE") : std::string("\xFE\xFF")) : std::string();
        for (char c : ascii) {
            if (little) { out.push_back(c); out.push_back('\0'); }
            else { out.push_back('\0'); out.push_back(c); }
        }
        return out;
    };
    const std::string script = kCall + "--RegionId cn-hangzhou --ImageId m-x\n";
    for (bool bom : {true, false})
        for (bool little : {true, false}) {
            CAPTURE(bom, little);
            auto e = read_error(dir, "u16.sh", utf16(script, bom, little));
            REQUIRE(e);
            CHECK(e->id == "plan.encoding");
            CHECK(e->where() == "1:1");
            CHECK(e->message.find("UTF-16 text") != std::string::npos);
            CHECK(e->message.find("save the file as UTF-8") != std::string::npos);
        }
    auto bin = read_error(dir, "bin.sh", script + std::string("\x7f" "ELF\0\0\1", 7) + std::string(4000, 'x'));
    REQUIRE(bin);
    CHECK(bin->id == "plan.encoding");
    CHECK(bin->where() == "2:5");
    CHECK(bin->message.find("binary data") != std::string::npos);
    auto named = read_error(dir, "u16.json", utf16("{\"calls\": []}", true, true), "opguard");
    REQUIRE(named);
    CHECK(named->id == "plan.encoding");
}

TEST_CASE("auto: a script is read before any YAML, even one that holds a template", "[shell][formats]") {
    TempDir dir;
    const std::string s = "cat > t.yml <<EOF\nFormatVersion: OOS-2019-06-01\nTasks: [\nEOF\n" + kCall + "--RegionId cn-hangzhou --ImageId m-x\n";
    auto r = read(dir, "deploy.sh", s);
    REQUIRE(r->plan.calls.size() == 1);
    CHECK(r->adapter(0).find("format")->as_string() == "shell");
    // A template that is not a script keeps its YAML error.
    auto e = read_error(dir, "t.yml", "FormatVersion: OOS-2019-06-01\nTasks: [\n");
    REQUIRE(e);
    CHECK(e->id.rfind("yaml.", 0) == 0);
}

TEST_CASE("cli-dry-run-json: records as the released CLI prints them", "[dry-run-json]") {
    TempDir dir;
    const std::string head = "{\n  \"style\": \"RPC\",\n  \"endpoint\": ";
    const std::string rest =
        "  \"method\": \"POST\",\n  \"headers\": {\n    \"x-sdk-client\": \"golang/1.0.0\",\n    \"x-sdk-invoke-type\": \"common\"\n  },\n"
        "  \"note\": \"SDK runtime may add signing and transport headers before sending the request.\",\n";
    // No RegionId in the query: the endpoint's region. SourceIp / SecureTransport: the CLI's call context.
    const std::string s = head + "\"ecd.cn-shanghai.aliyuncs.com\",\n" + rest +
                          "  \"query\": {\n    \"DesktopId.1\": \"ecd-a\",\n    \"ImageId\": \"m-x\",\n    \"SecureTransport\": \"true\",\n"
                          "    \"SourceIp\": \"10.0.0.1\"\n  },\n  \"action\": \"RebuildDesktops\",\n  \"version\": \"2020-09-30\"\n}\n" +
                          // An empty endpoint: the action and version pick the operation, the query's RegionId the region.
                          head + "\"\",\n" + rest +
                          "  \"query\": {\n    \"InstanceId\": \"i-x\",\n    \"RegionId\": \"cn-beijing\"\n  },\n"
                          "  \"action\": \"RedeployInstance\",\n  \"version\": \"2014-05-26\"\n}\n";
    auto r = read(dir, "records.json", s);
    REQUIRE(r->plan.calls.size() == 2);
    REQUIRE(r->plan.calls[0].operation);
    CHECK(r->param(0, "RegionId")->as_string() == "cn-shanghai");
    CHECK(r->at(*r->param(0, "RegionId")) == r->where("\"ecd.cn-shanghai"));
    CHECK_FALSE(r->param(0, "SourceIp"));
    CHECK_FALSE(r->param(0, "SecureTransport"));
    CHECK(r->adapter(0).find("call_context")->find("SourceIp")->as_string() == "10.0.0.1");
    CHECK(r->adapter(0).find("call_context")->find("SecureTransport")->as_string() == "true");
    REQUIRE(r->plan.calls[1].operation);
    CHECK(r->plan.calls[1].operation->name == "ecs.RedeployInstance");
    CHECK(r->adapter(1).find("region")->as_string() == "cn-beijing");
    CHECK(r->param(1, "RegionId")->as_string() == "cn-beijing");
    // A form body nested past the bound: an input error at the body.
    std::string deep = "{\"style\": \"RPC\", \"endpoint\": \"ecd.cn-hangzhou.aliyuncs.com\", \"action\": \"RebuildDesktops\", \"version\": \"2020-09-30\", "
                       "\"bodyFormat\": \"form\", \"body\": \"{\\\"A\\\": " + std::string(100000, '[') + std::string(100000, ']') + "}\"}\n";
    auto e = read_error(dir, "deep.json", deep);
    REQUIRE(e);
    CHECK(e->id == "plan.dry-run-depth");
    CHECK(e->where() == "1:" + std::to_string(deep.find("\"{") + 1));
}

TEST_CASE("cli-dry-run-json: many records one after another are read in linear time", "[dry-run-json][hostile]") {
    TempDir dir;
    const std::string one =
        "{\n  \"style\": \"RPC\",\n  \"endpoint\": \"ecd.cn-hangzhou.aliyuncs.com\",\n  \"method\": \"POST\",\n"
        "  \"headers\": {\n    \"x-sdk-client\": \"golang/1.0.0\",\n    \"x-sdk-invoke-type\": \"common\"\n  },\n"
        "  \"query\": {\n    \"DesktopId.1\": \"ecd-a\"\n  },\n  \"action\": \"DescribeDesktops\",\n  \"version\": \"2020-09-30\"\n}\n";
    for (size_t n : {size_t(10000), size_t(100000)}) {
        CAPTURE(n);
        std::string s;
        s.reserve(one.size() * n);
        for (size_t i = 0; i < n; ++i) s += one;
        // Quadratic copying took minutes (or bad_alloc) at these sizes; no wall-clock bound is
        // asserted here (a loaded machine is slow either way), ctest's timeout bounds the run.
        auto r = read(dir, "many.json", s, "cli-dry-run-json");
        REQUIRE(r->plan.calls.size() == n);
        CHECK(r->plan.calls.back().id == "record-" + std::to_string(n));
        CHECK(r->at(r->plan.calls.back().record) == std::to_string(14 * (n - 1) + 1) + ":1");
    }
    // A syntax error in the 3rd record is located in the file.
    const size_t method = one.find("  \"method\"");
    std::string bad = one + one + one.substr(0, method) + "," + one.substr(method);
    auto e = read_error(dir, "bad.json", bad, "cli-dry-run-json");
    REQUIRE(e);
    CHECK(e->id == "json.syntax");
    CHECK(e->where() == "32:1");
}

TEST_CASE("aliyun --waiter marks the call as one the client waits for", "[shell][wait]") {
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    const std::string s = "aliyun ecd DescribeDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a --waiter expr='Desktops[0].DesktopStatus' to=Stopped\n"
                          "aliyun ecd DescribeDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a\n"
                          "sleep 60\n";
    uint32_t fid = sources.add("w.sh", std::string(s));
    adapters::ScriptContext ctx{sources.file(fid).text(), fid, "w.sh", &rules, &sources};
    auto cmds = adapters::split_shell_commands(s);
    REQUIRE(cmds.size() == 3);
    auto waits = adapters::read_aliyun_command(cmds[0], ctx, "line-1");
    REQUIRE(waits);
    CHECK(waits->wait);
    CHECK(lc(sources.file(fid).position(waits->wait_at.offset)) == lc(position_of(s, "--waiter")));
    auto plain = adapters::read_aliyun_command(cmds[1], ctx, "line-2");
    REQUIRE(plain);
    CHECK_FALSE(plain->wait);
}

TEST_CASE("Terraform plans and --cli-jsonInput files nested 100,000 deep are json.depth errors at the 257th level", "[hostile][formats]") {
    TempDir dir;
    const std::string prefix = "{\"format_version\": \"1.2\", \"resource_changes\": [{\"change\": {\"after\": ";
    const std::string tf = prefix + std::string(100000, '[') + std::string(100000, ']') + "}}]}\n";
    auto e = read_error(dir, "tfplan.json", tf, "terraform-plan");
    REQUIRE(e);
    CHECK(e->id == "json.depth");
    CHECK(e->where() == "1:" + std::to_string(prefix.size() + 256 - 4 + 1));  // 4 levels before the brackets
    const std::string body = "{\"body\": {\"desktop_ids\": " + std::string(100000, '[') + std::string(100000, ']') + "}}\n";
    auto j = read_error(dir, "CheckDesktopImages.json", body, "hcloud-json-input");
    REQUIRE(j);
    CHECK(j->id == "json.depth");
    dir.write("deep-input.json", body);
    auto s = read_error(dir, "h.sh", "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=deep-input.json\n");
    REQUIRE(s);
    CHECK(s->id == "json.depth");
    CHECK(s->file.find("deep-input.json") != std::string::npos);
}

TEST_CASE("shell variables: values put in place of references are bounded per script, so a doubling script cannot exhaust memory",
          "[shell][variables][hostile]") {
    // A0=x; A1="$A0$A0"; ... 28 such lines took 4 GB, 64 lines ran out of memory.
    TempDir dir;
    std::string s = "A0=x\n";
    for (int i = 1; i <= 64; ++i) s += "A" + std::to_string(i) + "=\"$A" + std::to_string(i - 1) + "$A" + std::to_string(i - 1) + "\"\n";
    s += "aliyun ecd StopDesktops --force --RegionId cn-hangzhou --ImageId \"$A64\" --DesktopId.1 ecd-a\n";
    auto r = read(dir, "d.sh", s);
    REQUIRE(r->plan.calls.size() == 1);
    const Node* u = r->unresolved(0, "ImageId");
    REQUIRE(u);
    CAPTURE(u->find("text")->as_string());
    CHECK(u->find("text")->as_string().find("is assigned at " + r->path + ":") != std::string::npos);
    CHECK(u->find("text")->as_string().find(" a value past the 8 MiB of variable values opguard puts in place in one script, so its value is not used") != std::string::npos);
    // Values within the budget are still used.
    auto ok = read(dir, "ok.sh", "A=ecd-\nB=\"${A}a\"\naliyun ecd StopDesktops --force --RegionId cn-hangzhou --DesktopId.1 \"$B\"\n");
    CHECK(ok->param(0, "DesktopId")->items().at(0).as_string() == "ecd-a");
}

TEST_CASE("shell variables: an array holding a command runs where it is expanded, with what += added, and an element changed or a branch makes it unread",
          "[shell][variables][fail-closed]") {
    // cmd=(...) was read as a command where it was written (a subshell), so cmd+=(...) was lost
    // (a desktop deleted unreported), and an array never run counted as a call.
    TempDir dir;
    auto r = read(dir, "a.sh",
                  "cmd=(aliyun ecd DeleteDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a)\n"  // 1: not a command
                  "cmd+=(--DesktopId.2 ecd-b)\n"                                                 // 2
                  "\"${cmd[@]}\"\n"                                                              // 3
                  "args=(--RegionId cn-hangzhou --DesktopId.1 'ecd-c')\n"                        // 4
                  "aliyun ecd StopDesktops --force \"${args[@]}\"\n"                             // 5
                  "never=(aliyun ecd DeleteDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-z)\n");  // 6: never run
    std::vector<std::string> ids;
    for (const auto& c : r->plan.calls) ids.push_back(c.id);
    CHECK(ids == std::vector<std::string>{"line-3", "line-5"});
    REQUIRE(r->plan.calls.size() == 2);
    CHECK(r->param(0, "DesktopId")->items().size() == 2);
    CHECK(r->param(0, "DesktopId")->items().at(1).as_string() == "ecd-b");
    CHECK(r->at(r->param(0, "DesktopId")->items().at(1)) == "3:1");  // at the word that expands it
    CHECK(r->param(1, "DesktopId")->items().at(0).as_string() == "ecd-c");

    // An element set by index, or an array assigned in a branch: not followed, and the line
    // that runs it is plan.cli-not-read (it was dropped).
    auto e = read(dir, "e.sh",
                  "cmd=(aliyun ecd DeleteDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a)\n"
                  "cmd[5]=ecd-b\n"
                  "\"${cmd[@]}\"\n"
                  "if [ -n \"$X\" ]; then c2=(aliyun ecs DeleteInstance --InstanceId i-1); fi\n"
                  "\"${c2[@]}\"\n");
    REQUIRE(e->plan.calls.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
        CAPTURE(i);
        CHECK(e->adapter(i, "cli_not_read") != nullptr);
    }
    CHECK(e->plan.calls[0].id == "line-3");
    CHECK(e->plan.calls[1].id == "line-5");
}
