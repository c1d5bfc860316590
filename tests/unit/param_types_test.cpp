// Declared parameter types: enumerations ({type: "string", values: [...]}) and parameter
// groups (exclusive = [[...]]: at most one; at_least_one = [[...]]), checked by the generic
// rules plan.value-not-allowed, plan.exclusive-parameters and plan.one-parameter-required
// (rules/common.rules) with the finding at the parameter's value; their mistakes in a rule
// file are compile errors at file:line:col with did-you-mean.
#include <catch2/catch.hpp>

#include "dsl_fixture.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

const std::string kFixture =
    "operation fx.ResetThings {\n"
    "  title = \"Reset things\";\n"
    "  product = \"fx\";\n"
    "  version = \"1\";\n"
    "  action = \"ResetThings\";\n"
    "  params = {Mode: {type: \"string!\", values: [\"RESET_SYSTEM\", \"RESET_USER\"]},\n"
    "            Scopes: {type: \"list\", values: [\"ALL\", \"SOME\"]},\n"
    "            DesktopId: \"list\", DesktopGroupId: \"string\", DesktopGroupIds: \"list\"};\n"
    "  exclusive = [[\"DesktopId\", \"DesktopGroupId\", \"DesktopGroupIds\"]];\n"
    "  at_least_one = [[\"DesktopId\", \"DesktopGroupId\", \"DesktopGroupIds\"]];\n"
    "  source = \"test fixture\";\n"
    "}\n";

std::string reset(const std::string& params) {
    return "{\n  \"calls\": [\n    {\"id\": \"r\", \"product\": \"fx\", \"version\": \"1\", \"action\": \"ResetThings\",\n"
           "     \"parameters\": {" + params + "}}\n  ]\n}\n";
}

}  // namespace

TEST_CASE("the declared spec is compiled and kept by the compiled form", "[params]") {
    TempDir dir;
    auto r = run_fixture(dir, kFixture, reset("\"Mode\": \"RESET_USER\", \"DesktopId\": [\"d\"]"), {});
    const Operation* op = r->rules.operation("fx.ResetThings");
    REQUIRE(op);
    REQUIRE(op->param("Mode"));
    CHECK(op->param("Mode")->required);
    CHECK(op->param("Mode")->type == "string");
    CHECK(op->param("Mode")->values == std::vector<std::string>{"RESET_SYSTEM", "RESET_USER"});
    REQUIRE(op->param_groups.size() == 2);
    CHECK(op->param_groups[0].kind == ParamGroup::Kind::Exclusive);
    CHECK(op->param_groups[1].kind == ParamGroup::Kind::AtLeastOne);
    CHECK(op->param_groups[1].names == std::vector<std::string>{"DesktopId", "DesktopGroupId", "DesktopGroupIds"});
    CHECK(r->report.findings.empty());
    // A built-in enumeration, read from the binary's compiled rules.
    SourceRegistry s;
    RuleSet builtin = load_rules(s, RuleSources{true, {}});
    CHECK(builtin.operation("appstream.StartTaskForDistributeImage")->param("ProductType")->values ==
          std::vector<std::string>{"CloudDesktop", "CloudApp", "WuyingServer"});
}

TEST_CASE("a value outside the enumeration is refused at the value, a list element by element", "[params]") {
    TempDir dir;
    auto r = run_fixture(dir, kFixture, reset("\"Mode\": \"RESET_DATA\", \"Scopes\": [\"ALL\", \"NONE\"], \"DesktopId\": [\"d\"]"), {});
    auto found = r->findings("plan.value-not-allowed");
    REQUIRE(found.size() == 2);
    CHECK(found[0]->message == "Mode is \"RESET_DATA\"; fx.ResetThings takes one of: RESET_SYSTEM, RESET_USER");
    CHECK(where(*found[0]) == r->loc("\"RESET_DATA\""));
    CHECK(found[1]->message == "Scopes is \"NONE\"; fx.ResetThings takes one of: ALL, SOME");
    CHECK(where(*found[1]) == r->loc("\"NONE\""));
    CHECK_FALSE(r->report.calls.at(0).accepted);
    // Near miss: the values as declared (case matters: "reset_user" is not one of them).
    TempDir d2;
    auto ok = run_fixture(d2, kFixture, reset("\"Mode\": \"RESET_USER\", \"Scopes\": [\"SOME\"], \"DesktopId\": [\"d\"]"), {});
    CHECK(ok->findings("plan.value-not-allowed").empty());
    TempDir d3;
    auto lower = run_fixture(d3, kFixture, reset("\"Mode\": \"reset_user\", \"DesktopId\": [\"d\"]"), {});
    CHECK(lower->findings("plan.value-not-allowed").size() == 1);
    // A value of the wrong type is plan.wrong-type's, not reported twice.
    TempDir d4;
    auto typed = run_fixture(d4, kFixture, reset("\"Mode\": 3, \"DesktopId\": [\"d\"]"), {});
    CHECK(typed->findings("plan.value-not-allowed").empty());
    CHECK(typed->findings("plan.wrong-type").size() == 1);
}

TEST_CASE("exclusive parameters given together, and none of an at-least-one group", "[params]") {
    TempDir dir;
    auto both = run_fixture(dir, kFixture, reset("\"Mode\": \"RESET_USER\", \"DesktopId\": [\"d\"], \"DesktopGroupId\": \"dg-1\""), {});
    auto found = both->findings("plan.exclusive-parameters");
    REQUIRE(found.size() == 1);
    CHECK(found[0]->message == "fx.ResetThings takes only one of DesktopId, DesktopGroupId, DesktopGroupIds; the call gives DesktopId and DesktopGroupId");
    CHECK(where(*found[0]) == both->loc("\"dg-1\""));
    CHECK(both->findings("plan.one-parameter-required").empty());

    TempDir d2;
    auto none = run_fixture(d2, kFixture, reset("\"Mode\": \"RESET_USER\""), {});
    auto missing = none->findings("plan.one-parameter-required");
    REQUIRE(missing.size() == 1);
    CHECK(missing[0]->message == "fx.ResetThings needs at least one of DesktopId, DesktopGroupId, DesktopGroupIds; the call gives none");
    CHECK(none->findings("plan.exclusive-parameters").empty());
    CHECK_FALSE(none->report.calls.at(0).accepted);

    TempDir d3;
    auto one = run_fixture(d3, kFixture, reset("\"Mode\": \"RESET_USER\", \"DesktopGroupIds\": [\"dg-1\"]"), {});
    CHECK(one->findings("plan.exclusive-parameters").empty());
    CHECK(one->findings("plan.one-parameter-required").empty());
}

TEST_CASE("mistakes in a parameter spec or group are compile errors at file:line:col", "[params][rule-errors]") {
    TempDir dir;
    const std::string text =
        "operation fx.Bad {\n"
        "  product = \"fx\"; version = \"1\"; action = \"Bad\"; source = \"s\";\n"
        "  params = {Mode: {type: \"string\", value: [\"A\"]},\n"
        "            Flag: {type: \"boolean\", values: [\"yes\"]},\n"
        "            Kind: {values: [\"A\"]},\n"
        "            Level: {type: \"string\", values: [\"A\", \"A\"]},\n"
        "            DesktopId: \"list\", GroupId: \"string\"};\n"
        "  exclusive = [[\"DesktopId\", \"GroupID\"], [\"DesktopId\"]];\n"
        "  at_least_one = [\"DesktopId\", \"GroupId\"];\n"
        "}\n";
    auto errors = fixture_errors(dir, text);
    const std::string f = dir.file("fixture/fixture.rules");
    auto loc = [&](const std::string& needle, const std::string& after = {}) { return f + ":" + lc(position_of(text, needle, after)); };
    REQUIRE(errors.size() == 7);
    CHECK(errors[0] == loc("[\"A\"]}", "value:") + " rules.unknown-property unknown key 'value' in the spec of parameter Mode (did you mean 'values'?); expected type, values");
    CHECK(errors[1] == loc("\"boolean\"") + " rules.type parameter Flag of type boolean cannot have 'values'; an enumeration is a string (or a list of strings)");
    CHECK(errors[2] == loc("{values", "Kind") + " rules.missing-property the spec of parameter Kind needs 'type': {type: \"string\", values: [...]}");
    CHECK(errors[3] == loc("\"A\"]}", "[\"A\", ") + " rules.duplicate value \"A\" is listed twice for parameter Level");
    CHECK(errors[4] == loc("\"GroupID\"") + " rules.unknown-name 'GroupID' is not a parameter of fx.Bad (did you mean 'GroupId'?)");
    CHECK(errors[5] == loc("[\"DesktopId\"]]") + " rules.type a group of 'exclusive' names two or more parameters");
    CHECK(errors[6] == loc("[\"DesktopId\", \"GroupId\"];") + " rules.type 'at_least_one' takes a list of lists of parameter names: [[\"A\", \"B\"]]");
}
