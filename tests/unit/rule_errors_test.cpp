// Rule authors get every error at once: the parser recovers at the next item, the compiler
// goes on after each error, and all of them are reported, sorted, one a line
// (FILE:LINE:COL: error[ID]: MESSAGE), with "did you mean" for misspelt names, at most
// RuleErrors::kPrinted lines. Through load_rules (the built-in rules plus --rules files)
// and through the binary (exit code 2, standard error).
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// "file:line:col id message" per error, in the order reported.
struct Reported {
    std::vector<std::string> lines;
    size_t total = 0;
    std::string what;
};

Reported load_errors(const std::vector<std::string>& rule_files) {
    SourceRegistry sources;
    try {
        load_rules(sources, RuleSources{true, rule_files});
    } catch (const RuleErrorList& e) {
        Reported r;
        for (const auto& x : e.errors()) r.lines.push_back(fs::path(x.file()).filename().string() + ":" + lc(x.position()) + " " + x.id() + " " + x.message());
        r.total = e.total();
        r.what = e.what();
        return r;
    }
    FAIL("the rules loaded without an error");
    return {};
}

// line:col of `needle` in `text` (after `after`), as "file:line:col".
std::string at(const std::string& file, const std::string& text, const std::string& needle, const std::string& after = {}) {
    return file + ":" + lc(position_of(text, needle, after));
}

const std::string kSeveral =
    "rule my.one {\n"
    "  title = \"One\";\n"
    "  severity = eror;\n"
    "  operations = [\"ecd.StopDesktops\"];\n"
    "  when = lenn(call.RegionId) > 0;\n"
    "  mesage = \"m\";\n"
    "  source = \"s\";\n"
    "}\n"
    "rule my.two {\n"
    "  title = \"Two\"\n"
    "  severity = error;\n"
    "}\n"
    "rule my.three {\n"
    "  title = \"Three\";\n"
    "  severity = warning;\n"
    "  operations = [\"ecd.StopDesktops\", \"ecd.StopDesktop\"];\n"
    "  when = exists(desktp) and count(call.DesktopId, 1) > 0;\n"
    "  message = \"desktop {nope}\";\n"
    "  source = \"s\";\n"
    "}\n"
    "effect my.effect {\n"
    "  operations = [\"ecd.StopDesktops\"];\n"
    "  set desktop.ImageID = \"m-1\";\n"
    "  source = \"s\";\n"
    "}\n"
    "rule my.three {\n"
    "  title = \"again\"; severity = info; operations = [\"*\"]; when = true; message = \"m\"; source = \"s\";\n"
    "}\n";

}  // namespace

TEST_CASE("every error of a rule file is reported, in order, with file:line:col, id and did-you-mean", "[rule-errors]") {
    TempDir dir;
    const std::string path = dir.write("my.rules", kSeveral);
    Reported r = load_errors({path});
    const std::string& t = kSeveral;
    const std::vector<std::string> want = {
        // a required property left out: at the rule's name
        at("my.rules", t, "my.one") + " rules.missing-property rule my.one needs a 'message' property",
        at("my.rules", t, "eror") + " rules.type 'severity' must be one of error, warning, info; found 'eror' (did you mean 'error'?)",
        at("my.rules", t, "lenn") + " rules.unknown-function unknown function 'lenn' (did you mean 'len'?)",
        at("my.rules", t, "mesage") +
            " rules.unknown-property unknown property 'mesage' in rule my.one (did you mean 'message'?); expected one of: title, "
            "description, severity, operations, scope, when, at, refuses, http, code, response_message, message, source, basis, note, locked",
        // the syntax error in my.two: parsing goes on at my.three
        at("my.rules", t, "severity", "\"Two\"") + " rules.syntax expected ';', found 'severity'",
        at("my.rules", t, "\"ecd.StopDesktop\"") +
            " rules.unknown-operation unknown operation 'ecd.StopDesktop' (did you mean 'ecd.StopDesktops'?)",
        // one operation unknown: the names of the other are not checked (no cascade) ...
        // ... but functions and their argument counts are
        at("my.rules", t, "count(call.DesktopId, 1)") +
            " rules.arity 'count' takes 1 argument; found 2 (count(list): number of elements (0 for null; 1 for a single value))",
        // a field written: at the write's object (the member expression)
        at("my.rules", t, "desktop.ImageID") +
            " rules.unknown-field resource desktop has no field 'ImageID' (did you mean 'ImageId'?); a field only the plan "
            "writes is declared in the resource's 'state' list",
        at("my.rules", t, "my.three", "rule my.three {\n  title = \"again\"") + " rules.duplicate rule id 'my.three' is used twice (first at " +
            path + ":" + lc(position_of(t, "my.three")) + "); a rule file adds rules, it cannot redefine one",
    };
    CHECK(r.lines == want);
    CHECK(r.total == want.size());
    // Printed one a line, in the CLI's form.
    CHECK(r.what.find(path + ":3:14: error[rules.type]: 'severity' must be one of error, warning, info; found 'eror' (did you mean 'error'?)\n" +
                      path + ":5:10: error[rules.unknown-function]: unknown function 'lenn' (did you mean 'len'?)\n") != std::string::npos);
}

TEST_CASE("did you mean: names, functions, properties, fields, kinds and operations", "[rule-errors]") {
    TempDir dir;
    const std::string text =
        "rule my.names {\n"
        "  title = \"t\"; severity = error; operations = [\"ecd.StopDesktops\"];\n"
        "  let wanted = \"Running\";\n"
        "  when = exists(desktop) and desktop.DesktopStatus != wantd and Count(call.DesktopId) > 0 and exists(lookup(\"desktp\", target));\n"
        "  mesage = \"m\"; message = \"m\"; source = \"s\"; basis = documentd;\n"
        "  scope = target;\n"
        "}\n"
        "effect my.field {\n"
        "  operations = [\"ecd.StopDesktops\"];\n"
        "  set desktop.DesktopStatuss = \"Stopped\";\n"
        "  source = \"s\";\n"
        "}\n";
    Reported r = load_errors({dir.write("dym.rules", text)});
    const std::vector<std::string> want = {
        at("dym.rules", text, "wantd") + " rules.unknown-name unknown name 'wantd' (did you mean 'wanted'?)",
        at("dym.rules", text, "Count(") + " rules.unknown-function unknown function 'Count' (did you mean 'count'?)",
        at("dym.rules", text, "\"desktp\"") + " rules.unknown-kind unknown resource kind 'desktp' (did you mean 'desktop'?)",
        at("dym.rules", text, "mesage") +
            " rules.unknown-property unknown property 'mesage' in rule my.names (did you mean 'message'?); expected one of: title, "
            "description, severity, operations, scope, when, at, refuses, http, code, response_message, message, source, basis, note, locked",
        at("dym.rules", text, "documentd") +
            " rules.type 'basis' must be one of documented, inferred, undocumented; found 'documentd' (did you mean 'documented'?)",
        at("dym.rules", text, "desktop.DesktopStatuss") +
            " rules.unknown-field resource desktop has no field 'DesktopStatuss' (did you mean 'DesktopStatus'?); a field only the "
            "plan writes is declared in the resource's 'state' list",
    };
    CHECK(r.lines == want);

    SECTION("a misspelt scope is one error, not a missing 'operations' as well") {
        const std::string text = "rule my.scope { title = \"t\"; severity = info; scope = pln; when = true; message = \"m\"; source = \"s\"; }\n";
        Reported s = load_errors({dir.write("scope.rules", text)});
        CHECK(s.lines == std::vector<std::string>{at("scope.rules", text, "pln") +
                                                  " rules.type 'scope' must be one of plan, call, target, effect; found 'pln' (did "
                                                  "you mean 'plan'?)"});
    }
    SECTION("no suggestion when nothing is close") {
        const std::string far = "rule my.far { title = \"t\"; severity = error; operations = [\"ecd.StopDesktops\"]; "
                                "when = zzzzzz(1); message = \"m\"; source = \"s\"; }\n";
        Reported f = load_errors({dir.write("far.rules", far)});
        REQUIRE(f.lines.size() == 1);
        CHECK(f.lines[0] == at("far.rules", far, "zzzzzz") + " rules.unknown-function unknown function 'zzzzzz'");
    }
}

TEST_CASE("an unclosed brace is reported where it opens, and parsing goes on at the next item", "[rule-errors]") {
    TempDir dir;
    SECTION("before the next item") {
        const std::string text =
            "rule my.open {\n"
            "  title = \"t\";\n"
            "  severity = error;\n"
            "\n"
            "rule my.next {\n"
            "  title = \"t\"; severity = error; operations = [\"ecd.StopDesktops\"];\n"
            "  scope = target; when = exists(desktop); message = \"m\"; source = \"s\"; refuses = cal;\n"
            "}\n";
        Reported r = load_errors({dir.write("open.rules", text)});
        const std::vector<std::string> want = {
            at("open.rules", text, "{") + " rules.unclosed '{' is not closed: no '}' before the next item (line 5)",
            at("open.rules", text, "cal;") +
                " rules.type 'refuses' must be one of none, call, target, maybe; found 'cal' (did you mean 'call'?)",
        };
        CHECK(r.lines == want);
    }
    SECTION("at the end of the file, with a bracket inside it") {
        const std::string text =
            "rule my.ok { title = \"t\"; severity = error; operations = [\"*\"]; when = true; message = \"m\"; source = \"s\"; }\n"
            "rule my.open {\n"
            "  title = \"t\";\n"
            "  when = count([1, 2, 3\n";
        Reported r = load_errors({dir.write("eof.rules", text)});
        const std::vector<std::string> want = {
            at("eof.rules", text, "{", "my.open") + " rules.unclosed '{' is not closed: no '}' before the end of the file",
            at("eof.rules", text, "(", "count") + " rules.unclosed '(' is not closed: no ')' before the end of the file",
            at("eof.rules", text, "[1,") + " rules.unclosed '[' is not closed: no ']' before the end of the file",
        };
        CHECK(r.lines == want);
    }
    SECTION("a syntax error in an item that is not closed either: both") {
        const std::string text =
            "rule my.open {\n"
            "  title = \"t\"\n"
            "  severity = error;\n"
            "effect my.next {\n"
            "  operations = [\"ecd.StopDesktops\"]; source = \"s\"; data_loss = yes;\n"
            "}\n";
        Reported r = load_errors({dir.write("both.rules", text)});
        const std::vector<std::string> want = {
            at("both.rules", text, "{") + " rules.unclosed '{' is not closed: no '}' before the next item (line 4)",
            at("both.rules", text, "severity") + " rules.syntax expected ';', found 'severity'",
            at("both.rules", text, "yes") + " rules.type 'data_loss' takes true or false",
        };
        CHECK(r.lines == want);
    }
    SECTION("items on one line: recovery after the broken item's closing brace") {
        const std::string text = "rule a { x = ; } rule b { y = 1 } set c { documented = [\"x\"]; }\n";
        Reported r = load_errors({dir.write("line.rules", text)});
        const std::vector<std::string> want = {
            "line.rules:1:14 rules.syntax expected an expression, found ';'",
            "line.rules:1:33 rules.syntax expected ';', found '}'",
        };
        CHECK(r.lines == want);
    }
}

TEST_CASE("a syntax error in an item does not make its uses unknown as well", "[rule-errors]") {
    TempDir dir;
    const std::string text =
        "operation my.Op {\n"
        "  product = \"my\"; version = \"1\"; action = \"Op\"\n"
        "  params = {Id: \"string!\"};\n"
        "  let thing = lookup(\"my_kind\", call.Id);\n"
        "}\n"
        "resource my_kind {\n"
        "  list = \"Things[]\"; id = \"Id\"; fields = [\"Id\"]\n"
        "}\n"
        "rule my.rule {\n"
        "  title = \"t\"; severity = error; operations = [\"my.Op\"];\n"
        "  when = exists(thing) and exists(lookup(\"my_kind\", call.Id)) and exists(bogus);\n"
        "  message = \"m\"; source = \"s\";\n"
        "}\n";
    Reported r = load_errors({dir.write("cascade.rules", text)});
    // The two syntax errors; not "unknown operation 'my.Op'", "unknown name 'thing'" or
    // "unknown resource kind 'my_kind'". `bogus` is not checked: the rule's operation is unknown.
    CHECK(r.lines == std::vector<std::string>{"cascade.rules:3:3 rules.syntax expected ';', found 'params'",
                                              "cascade.rules:8:1 rules.syntax expected ';', found '}'"});
}

TEST_CASE("a number beyond the range of a double is an error at its place, never infinity", "[rule-errors]") {
    TempDir dir;
    const std::string text =
        "rule my.big {\n"
        "  title = \"t\"; severity = info; operations = [\"*\"];\n"
        "  when = count([]) > 1e400 or count([]) < -1.7976931348623159e308 or count([1e999]) > 1.7976931348623157e308;\n"
        "  message = \"m {2e308}\"; source = \"s\";\n"
        "}\n";
    Reported r = load_errors({dir.write("big.rules", text)});
    const std::string why = " rules.number-range this number is beyond the range of the numbers rules compute with (at most about 1.8e308)";
    CHECK(r.lines == std::vector<std::string>{at("big.rules", text, "1e400") + why, at("big.rules", text, "1.7976931348623159e308") + why,
                                              at("big.rules", text, "1e999") + why, at("big.rules", text, "2e308") + why});
}

TEST_CASE("errors in two --rules files are all reported, exit code 2, one line each", "[rule-errors][cli]") {
    TempDir dir;
    const std::string a =
        "rule a.one {\n"
        "  title = \"t\"; severity = error; operations = [\"*\"];\n"
        "  when = upperr(call.operation) == \"X\";\n"
        "  message = \"m\"; source = \"s\";\n"
        "}\n";
    const std::string b =
        "rule b.one {\n"
        "  title = \"t\"; severity = error; operations = [\"*\"]\n"
        "  when = true; message = \"m\"; source = \"s\";\n"
        "}\n"
        "rule b.two { title = \"t\"; severity = error; operations = [\"*\"]; when = true; mesage = \"m\"; source = \"s\"; }\n";
    dir.write("a.rules", a);
    dir.write("b.rules", b);
    CliRun run = run_opguard(dir.path().string(), "rules list --rules a.rules --rules b.rules");
    CHECK(run.exit == 2);
    CHECK(run.out.empty());
    CHECK(run.err ==
          at("a.rules", a, "upperr") + ": error[rules.unknown-function]: unknown function 'upperr' (did you mean 'upper'?)\n" +
          at("b.rules", b, "when") + ": error[rules.syntax]: expected ';', found 'when'\n" +
          at("b.rules", b, "b.two") + ": error[rules.missing-property]: rule b.two needs a 'message' property\n" +
          at("b.rules", b, "mesage") + ": error[rules.unknown-property]: unknown property 'mesage' in rule b.two (did you mean 'message'?); expected "
          "one of: title, description, severity, operations, scope, when, at, refuses, http, code, response_message, message, "
          "source, basis, note, locked\n");
}

TEST_CASE("the errors printed are bounded: the first 50, then how many more", "[rule-errors][hostile]") {
    TempDir dir;
    SECTION("many semantic errors") {
        std::string text = "rule many {\n  title = \"t\"; severity = error; operations = [\"*\"]; when = true; message = \"m\"; source = \"s\";\n";
        for (int i = 0; i < 120; ++i) text += "  let v" + std::to_string(i) + " = nosuch" + std::to_string(i) + "();\n";
        text += "}\n";
        dir.write("many.rules", text);
            CliRun run = run_opguard(dir.path().string(), "rules list --rules many.rules");
        CHECK(run.exit == 2);
        std::vector<std::string> lines;
        std::istringstream in(run.err);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        REQUIRE(lines.size() == 51);
        CHECK(lines[0] == "many.rules:3:12: error[rules.unknown-function]: unknown function 'nosuch0'");
        CHECK(lines[49] == "many.rules:52:13: error[rules.unknown-function]: unknown function 'nosuch49'");
        CHECK(lines[50] == "opguard: 70 more errors in rule files not shown (the first 50 are)");
    }
    SECTION("a file of nothing but broken items") {
        std::string text;
        for (int i = 0; i < 200000; ++i) text += "rule x {\n";
        dir.write("hostile.rules", text);
            CliRun run = run_opguard(dir.path().string(), "rules list --rules hostile.rules", "", 60);
        CHECK(run.exit == 2);
        CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 51);
        CHECK(run.err.rfind("hostile.rules:1:8: error[rules.unclosed]: '{' is not closed: no '}' before the next item (line 2)\n", 0) == 0);
        CHECK(run.err.find("opguard: 199950 more errors in rule files not shown (the first 50 are)\n") != std::string::npos);
    }
}

TEST_CASE("every hole of a message template is checked, each error at its place", "[rule-errors]") {
    TempDir dir;
    const std::string text =
        "rule t.one {\n"
        "  title = \"t\"; severity = error; operations = [\"ecd.StopDesktops\"]; scope = target;\n"
        "  when = exists(desktop);\n"
        "  message = \"desktop {target.} is {desktp.DesktopStatus}, {lenn(target)} and {nope\";\n"
        "  source = \"s\";\n"
        "}\n";
    Reported r = load_errors({dir.write("holes.rules", text)});
    const std::vector<std::string> want = {
        at("holes.rules", text, "} is") + " rules.syntax expected identifier, found the end of the expression",
        at("holes.rules", text, "desktp") + " rules.unknown-name unknown name 'desktp' (did you mean 'desktop'?)",
        at("holes.rules", text, "lenn") + " rules.unknown-function unknown function 'lenn' (did you mean 'len'?)",
        at("holes.rules", text, "{nope") +
            " rules.syntax '{' in a message is not closed by '}' (write '{{' for a literal brace)",
    };
    CHECK(r.lines == want);
}

TEST_CASE("a message that quotes a huge name is shown by its start, not whole", "[rule-errors][hostile]") {
    // A 3 MB identifier was echoed whole: a 3 MB line on standard error.
    TempDir dir;
    const std::string name(3'000'000, 'a');
    std::string path = dir.write("long.rules", "rule org.x {\n  title = \"t\";\n  severity = info;\n  operations = [\"*\"];\n  when = " + name +
                                                   ";\n  message = \"m\";\n  source = \"s\";\n  basis = documented;\n}\n");
    Reported r = load_errors({path});
    REQUIRE(r.lines.size() == 1);
    CHECK(r.lines[0].rfind("long.rules:5:10 rules.unknown-name unknown name 'aaaa", 0) == 0);
    CHECK(r.lines[0].size() < RuleErrors::kMaxMessage + 100);
    CHECK(r.lines[0].find("...") != std::string::npos);
    CHECK(r.what.size() < RuleErrors::kMaxMessage + 200);
}
