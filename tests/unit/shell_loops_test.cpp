// `for NAME in WORDS` loops in scripts: a loop over words bash's list is certain of runs its
// body once per word, in bash's order, each call with the word; any other loop is read once
// with its variable unresolved, and the warning says why.
#include <catch2/catch.hpp>

#include "input/adapters/shell_lexer.hpp"
#include "script_plan.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// The script's calls: their ids, the first DesktopId element, why DesktopId (or `param`) is unresolved.
struct Script : ScriptPlan {
    std::string desktop(size_t call) const {
        const Node* d = param(call, "DesktopId");
        if (!d) return "<none>";
        return d->is_array() ? (d->items().empty() ? "<empty>" : d->items().at(0).as_string()) : d->as_string();
    }
    std::vector<std::string> ids() const {
        std::vector<std::string> out;
        for (const auto& c : plan.calls) out.push_back(c.id);
        return out;
    }
    std::string why(size_t call, const std::string& p = "DesktopId") const { return unresolved_field(call, p); }
};

std::unique_ptr<Script> read(const TempDir& dir, const std::string& name, const std::string& text) { return read_plan<Script>(dir, name, text); }

const std::string kStop = "aliyun ecd StopDesktops --force --RegionId cn-hangzhou --DesktopId.1 \"$d\"";
const std::string kRebuild = "aliyun ecd RebuildDesktops --force --RegionId cn-hangzhou --ImageId m-x --DesktopId.1 \"$d\"";

}  // namespace

TEST_CASE("shell loops: a for loop over literal words runs its body once per word, in bash's order", "[shell][loops]") {
    TempDir dir;
    const std::string s = "#!/bin/bash\nfor d in ecd-a 'ecd-b'; do\n  " + kStop + "\n  " + kRebuild + "\ndone\n" + kRebuild + "\n";
    auto r = read(dir, "roll.sh", s);
    REQUIRE(r->plan.calls.size() == 5);
    // stop a, rebuild a, stop b, rebuild b: each iteration's calls before the next one's.
    CHECK(r->ids() == std::vector<std::string>{"line-3[1]", "line-4[1]", "line-3[2]", "line-4[2]", "line-6"});
    CHECK(r->plan.calls[0].operation->name == "ecd.StopDesktops");
    CHECK(r->plan.calls[1].operation->name == "ecd.RebuildDesktops");
    CHECK(r->desktop(0) == "ecd-a");
    CHECK(r->desktop(1) == "ecd-a");
    CHECK(r->desktop(2) == "ecd-b");
    CHECK(r->desktop(3) == "ecd-b");
    // Every value is located at its use in the body, whichever iteration it belongs to.
    const std::string use3 = lc(position_of(s, "\"$d\"", "StopDesktops"));
    const std::string use4 = lc(position_of(s, "\"$d\"", "RebuildDesktops"));
    CHECK(use3 == "3:72");
    CHECK(r->at(r->param(0, "DesktopId")->items().at(0)) == use3);
    CHECK(r->at(r->param(2, "DesktopId")->items().at(0)) == use3);
    CHECK(r->at(r->param(3, "DesktopId")->items().at(0)) == use4);
    CHECK(r->why(0).empty());
    // After the loop the variable is not known (bash leaves the last word; opguard does not rely on it).
    CHECK(r->why(4) == "\"$d\" (d is the variable of the loop at " + r->path + ":2:5)");
    // One line: the same, numbered by iteration.
    auto one = read(dir, "one.sh", "for d in ecd-a ecd-b ecd-c; do " + kStop + "; done\n");
    CHECK(one->ids() == std::vector<std::string>{"line-1[1]", "line-1[2]", "line-1[3]"});
    CHECK(one->desktop(2) == "ecd-c");
}

TEST_CASE("shell loops: resolved variables in the list split as bash splits them", "[shell][loops]") {
    TempDir dir;
    // Unquoted: split on blanks into three words; quoted: one word.
    auto split = read(dir, "split.sh", "IDS=\"ecd-a  ecd-b\necd-c\"\nfor d in $IDS ecd-d; do " + kStop + "; done\n");
    REQUIRE(split->plan.calls.size() == 4);
    CHECK(split->desktop(0) == "ecd-a");
    CHECK(split->desktop(1) == "ecd-b");
    CHECK(split->desktop(2) == "ecd-c");
    CHECK(split->desktop(3) == "ecd-d");
    auto quoted = read(dir, "quoted.sh", "IDS='ecd-a ecd-b'\nfor d in \"$IDS\"; do " + kStop + "; done\n");
    REQUIRE(quoted->plan.calls.size() == 1);
    CHECK(quoted->desktop(0) == "ecd-a ecd-b");
    CHECK(quoted->ids() == std::vector<std::string>{"line-2[1]"});
    // An empty unquoted value adds no word.
    auto empty = read(dir, "empty.sh", "E=\nfor d in $E ecd-a; do " + kStop + "; done\n");
    REQUIRE(empty->plan.calls.size() == 1);
    CHECK(empty->desktop(0) == "ecd-a");
}

TEST_CASE("shell loops: a list bash's value is not certain of is read once, the variable unresolved", "[shell][loops]") {
    TempDir dir;
    struct Case {
        std::string script, why;
    };
    const std::string var = "d is the variable of the loop at ";
    // (the loop keyword is on the last line but one of each script)
    const std::vector<Case> cases = {
        {"for d in $(cut -d, -f1 ids.csv); do " + kStop + "; done\n", "1:5"},  // computed when the script runs
        {"for d in ecd-*; do " + kStop + "; done\n", "1:5"},                   // a glob
        {"for d in ecd-{a,b}; do " + kStop + "; done\n", "1:5"},               // brace expansion
        {"for d in $FROM_ENV; do " + kStop + "; done\n", "1:5"},               // the environment
        {"for d in \"${ARR[@]}\"; do " + kStop + "; done\n", "1:5"},          // an array
        {"for d; do " + kStop + "; done\n", "1:5"},                            // the positional parameters
        {"for d in; do " + kStop + "; done\n", "1:5"},                         // runs nothing: still read once, so it is seen
        {"IFS=,\nL=ecd-a,ecd-b\nfor d in $L; do " + kStop + "; done\n", "3:5"},  // IFS changed
        {"X='a b'\nfor d in \"a\"$X; do " + kStop + "; done\n", "2:5"},        // quoted and split parts in one word
    };
    for (const auto& c : cases) {
        CAPTURE(c.script);
        auto r = read(dir, "l.sh", c.script);
        REQUIRE(r->plan.calls.size() == 1);
        CHECK(r->ids() == std::vector<std::string>{c.script.rfind("IFS", 0) == 0 ? "line-3" : (c.script[0] == 'X' ? "line-2" : "line-1")});
        CHECK(r->why(0) == "\"$d\" (" + var + r->path + ":" + c.why + ")");
    }
}

TEST_CASE("shell loops: nested loops, assignments and source in the body", "[shell][loops]") {
    TempDir dir;
    // The outer loop unrolls; the inner one (its variable) is read once per outer word, unresolved.
    auto nested = read(dir, "n.sh",
                       "for r in cn-hangzhou cn-shanghai; do\n  for d in ecd-a ecd-b; do\n"
                       "    aliyun ecd StopDesktops --force --RegionId \"$r\" --DesktopId.1 \"$d\"\n  done\ndone\n");
    REQUIRE(nested->plan.calls.size() == 2);
    CHECK(nested->ids() == std::vector<std::string>{"line-3[1]", "line-3[2]"});
    CHECK(nested->param(0, "RegionId")->as_string() == "cn-hangzhou");
    CHECK(nested->param(1, "RegionId")->as_string() == "cn-shanghai");
    CHECK(nested->why(1) == "\"$d\" (d is the variable of the loop at " + nested->path + ":2:7)");
    // A variable the body assigns stays unresolved in the body; the loop variable does not.
    auto assigns = read(dir, "a.sh", "for d in ecd-a ecd-b; do\n  R=cn-hangzhou\n  aliyun ecd StopDesktops --force --RegionId \"$R\" --DesktopId.1 \"$d\"\ndone\n");
    REQUIRE(assigns->plan.calls.size() == 2);
    CHECK(assigns->desktop(1) == "ecd-b");
    CHECK(assigns->why(1, "RegionId") == "\"$R\" (R changes inside the loop at " + assigns->path + ":2:3, so its value here is not known)");
    CHECK(assigns->why(1).empty());
    // A `source` in the body may change the loop variable: read once, unresolved.
    auto sourced = read(dir, "s.sh", "for d in ecd-a ecd-b; do\n  . ./env.sh\n  " + kStop + "\ndone\n");
    // (./env.sh is not beside the plan: a placeholder call says its calls are not checked.)
    REQUIRE(sourced->plan.calls.size() == 2);
    CHECK(sourced->plan.calls[0].id == "line-2");
    CHECK(sourced->why(1).find("d may be set by the `.` at " + sourced->path + ":2:3") != std::string::npos);
    // A loop never closed (bash: unexpected end of file): read once.
    auto open = read(dir, "o.sh", "for d in ecd-a ecd-b; do\n  " + kStop + "\n");
    REQUIRE(open->plan.calls.size() == 1);
    CHECK(open->ids() == std::vector<std::string>{"line-2"});
}

TEST_CASE("shell loops: a loop larger than opguard unrolls is read once and says so", "[shell][loops][hostile]") {
    TempDir dir;
    std::string words;
    for (size_t i = 0; i < adapters::kMaxUnrolledCommands / 2 + 1; ++i) words += " ecd-" + std::to_string(i);
    // Two commands per word: one more word than the bound allows.
    auto r = read(dir, "big.sh", "for d in" + words + "; do\n  " + kStop + "\n  " + kRebuild + "\ndone\n");
    REQUIRE(r->plan.calls.size() == 2);
    CHECK(r->ids() == std::vector<std::string>{"line-2", "line-3"});
    CHECK(r->why(0) == "\"$d\" (d is the variable of the loop at " + r->path + ":1:5 (a loop over 10001 words whose body has 2 commands: more "
                       "than the 20000 commands or 16 MiB of words opguard unrolls))");
    // At the bound exactly: unrolled.
    words.clear();
    for (size_t i = 0; i < adapters::kMaxUnrolledCommands / 2; ++i) words += " ecd-" + std::to_string(i);
    auto at = read(dir, "at.sh", "for d in" + words + "; do\n  " + kStop + "\n  " + kRebuild + "\ndone\n");
    CHECK(at->plan.calls.size() == adapters::kMaxUnrolledCommands);
    CHECK(at->desktop(adapters::kMaxUnrolledCommands - 1) == "ecd-" + std::to_string(adapters::kMaxUnrolledCommands / 2 - 1));
    // Few words but long commands: bounded by bytes too (3 words x 6 MiB > 16 MiB).
    const std::string tag(6u << 20, 't');
    auto wide = read(dir, "wide.sh", "for d in ecd-a ecd-b ecd-c; do\n  " + kStop + " --Tag " + tag + "\ndone\n");
    REQUIRE(wide->plan.calls.size() == 1);
    CHECK(wide->why(0).find("(a loop over 3 words whose body has 1 commands: more than the 20000 commands or 16 MiB") != std::string::npos);
    auto narrow = read(dir, "narrow.sh", "for d in ecd-a ecd-b; do\n  " + kStop + " --Tag " + tag + "\ndone\n");
    CHECK(narrow->plan.calls.size() == 2);
}
