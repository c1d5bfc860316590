// check --explain: the rule-language text of expressions, and per evaluation the operands of
// `when` with their values, the lets the rule names, fired or not; explaining changes no finding.
#include <catch2/catch.hpp>

#include <map>

#include "engine/explain.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

const std::string kFleet = "rules/tests/inventory";

std::string quoted(const std::string& s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

}  // namespace

TEST_CASE("expr_text writes rule-language text that parses back to itself", "[explain]") {
    SourceRegistry sources;
    RuleSet builtin = load_rules(sources, RuleSources{true, {}});
    TempDir dir;
    std::string file;
    size_t n = 0;
    for (const auto& r : builtin.rules) {
        if (!r.when) continue;
        std::string ops;
        for (const auto& o : r.operations) ops += (ops.empty() ? "" : ", ") + quoted(o);
        file += "rule again." + std::to_string(n++) + " {\n  title = \"t\";\n  severity = info;\n";
        if (!ops.empty()) file += "  operations = [" + ops + "];\n";  // an effect-scope rule may leave them out
        if (r.scope == Scope::Target) file += "  scope = target;\n";
        if (r.scope == Scope::Effect) file += "  scope = effect;\n";
        if (r.scope == Scope::Plan) file += "  scope = plan;\n";
        if (r.for_list) file += "  for " + r.for_var + " in " + expr_text(*r.for_list) + ";\n";
        for (const auto& l : r.lets) file += "  let " + l.name + " = " + expr_text(*l.expr) + ";\n";
        file += "  when = " + expr_text(*r.when) + ";\n  message = \"m\";\n  source = \"s\";\n  basis = documented;\n}\n";
    }
    std::string path = dir.write("again.rules", file);
    SourceRegistry sources2;
    RuleSet both = load_rules(sources2, RuleSources{true, {path}});
    size_t i = 0;
    for (const auto& r : builtin.rules) {
        if (!r.when) continue;
        const Rule* again = both.rule("again." + std::to_string(i++));
        REQUIRE(again);
        CHECK(expr_text(*again->when) == expr_text(*r.when));
    }
    CHECK(i == n);
}

TEST_CASE("expr_text: a run of not or unary minus is written with its parity, so it means what the rule means", "[explain]") {
    TempDir dir;
    std::string path = dir.write("p.rules",
        "rule t.runs {\n  title = \"t\";\n  severity = info;\n  operations = [\"*\"];\n"
        "  let two = not not exists(call);\n  let three = not not not true;\n  let four = not not not not true;\n"
        "  let neg2 = - - 1;\n  let neg3 = - - - 1;\n"
        "  when = true and not not true;\n  message = \"m\";\n  source = \"s\";\n  basis = documented;\n}\n");
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{false, {path}});
    const Rule* r = rules.rule("t.runs");
    REQUIRE(r);
    std::map<std::string, std::string> lets;
    for (const auto& l : r->lets) lets[l.name] = expr_text(*l.expr);
    CHECK(lets["two"] == "not not exists(call)");
    CHECK(lets["three"] == "not true");
    CHECK(lets["four"] == "not not true");
    CHECK(lets["neg2"] == "- -1");
    CHECK(lets["neg3"] == "-1");
    CHECK(expr_text(*r->when) == "true and not not true");
    // Written back, each parses to the same run parity: the text round-trips.
    std::string again = dir.write("again.rules",
        "rule t.again {\n  title = \"t\";\n  severity = info;\n  operations = [\"*\"];\n  let a = " + lets["four"] + ";\n  let b = " +
        lets["neg2"] + ";\n  when = a and b == 1;\n  message = \"m\";\n  source = \"s\";\n  basis = documented;\n}\n");
    SourceRegistry sources2;
    RuleSet rules2 = load_rules(sources2, RuleSources{false, {again}});
    const Rule* a = rules2.rule("t.again");
    REQUIRE(a);
    CHECK(expr_text(*a->lets[0].expr) == "not not true");
    CHECK(expr_text(*a->lets[1].expr) == "- -1");
}

TEST_CASE("explain: a value past 32 levels or 2000 values is named and not shown", "[explain][hostile]") {
    // 40 lets, each a list around the one before: shown whole, the report grew as N^3.
    TempDir dir;
    std::string lets = "  let a0 = 1;\n";
    for (int i = 1; i <= 40; ++i) lets += "  let a" + std::to_string(i) + " = [a" + std::to_string(i - 1) + "];\n";
    std::string items;
    for (int i = 0; i < 2001; ++i) items += (i ? ", " : "") + std::to_string(i);
    lets += "  let wide = [" + items + "];\n";
    std::string path = dir.write("deep.rules", "rule t.deep {\n  title = \"t\";\n  severity = info;\n  operations = [\"*\"];\n" + lets +
                                                   "  when = count(a40) == 1 and count(a3) == 1 and count(wide) > 0;\n  message = \"m\";\n  source = \"s\";\n  basis = documented;\n}\n");
    std::string plan = dir.write("plan.json", plan_of({rebuild_call("hz", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-t-winstop\"]",
                                                                             "\"ImageId\": \"m-t-win2022\""})}));
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {path}});
    Plan p = load_plan(sources, plan, rules);
    Inventory inv = load_inventory(sources, {source_path(kFleet)}, rules);
    std::vector<RuleExplanation> xs;
    SimulateOptions so;
    so.on_rule = [&](const RuleEvaluation& ev) {
        if (ev.rule.id == "t.deep") xs.push_back(explain_evaluation(ev, rules, p.calls.size()));
    };
    simulate(sources, p, inv, rules, so);
    REQUIRE(xs.size() == 1);
    CHECK(xs[0].fired);
    std::map<std::string, std::string> lets_shown;
    for (const auto& l : xs[0].lets) lets_shown[l.name] = l.value.to_json();
    CHECK(lets_shown["a3"] == "[[[1]]]");
    CHECK(lets_shown["a31"] == std::string(31, '[') + "1" + std::string(31, ']'));  // 32 levels: shown
    CHECK(lets_shown["a32"] == "\"(not shown: a list of more than 32 levels of nesting)\"");
    CHECK(lets_shown["a40"] == "\"(not shown: a list of more than 32 levels of nesting)\"");
    CHECK(lets_shown["wide"] == "\"(not shown: a list of more than 2000 values)\"");
}

TEST_CASE("explain: operands of the and-chain, their values, the lets the rule names", "[explain]") {
    TempDir dir;
    std::string plan = plan_of({rebuild_call("hz", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [\"ecd-t-starting\", \"ecd-t-winstop\"]",
                                                    "\"ImageId\": \"m-t-win2022\""})});
    std::string path = dir.write("plan.json", plan);
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    Plan p = load_plan(sources, path, rules);
    Inventory inv = load_inventory(sources, {source_path(kFleet)}, rules);
    std::vector<RuleExplanation> xs;
    SimulateOptions so;
    so.on_rule = [&](const RuleEvaluation& ev) { xs.push_back(explain_evaluation(ev, rules, p.calls.size())); };
    Report explained = simulate(sources, p, inv, rules, so);

    const RuleExplanation* starting = nullptr;
    const RuleExplanation* stopped = nullptr;
    for (const auto& x : xs) {
        if (x.rule->id != "ecd.rebuild.desktop-status") continue;
        (x.target == "ecd-t-starting" ? starting : stopped) = &x;
    }
    REQUIRE(starting);
    REQUIRE(stopped);
    CHECK(starting->fired);
    CHECK_FALSE(stopped->fired);
    CHECK(starting->connective == "and");
    REQUIRE(starting->operands.size() == 3);
    CHECK(starting->operands[0].name == "exists(desktop)");
    CHECK(starting->operands[0].value.to_json() == "true");
    CHECK(starting->operands[1].name == "desktop.DesktopStatus not in [\"Running\", \"Stopped\"]");
    CHECK(starting->operands[2].name == "not stop_step_waits");
    CHECK(starting->operands[2].value.to_json() == "true");
    CHECK(stopped->operands[1].value.to_json() == "false");
    bool desktop_let = false;
    for (const auto& l : starting->lets)
        if (l.name == "desktop") {
            desktop_let = true;
            CHECK(l.value.find("DesktopStatus")->as_string() == "Starting");
        }
    CHECK(desktop_let);

    // Explaining evaluates skipped operands on a copy: findings and their evidence are unchanged.
    SourceRegistry sources2;
    RuleSet rules2 = load_rules(sources2, RuleSources{true, {}});
    Plan p2 = load_plan(sources2, path, rules2);
    Inventory inv2 = load_inventory(sources2, {source_path(kFleet)}, rules2);
    Report plain = simulate(sources2, p2, inv2, rules2);
    REQUIRE(plain.findings.size() == explained.findings.size());
    for (size_t k = 0; k < plain.findings.size(); ++k) {
        CHECK(plain.findings[k].rule->id == explained.findings[k].rule->id);
        CHECK(plain.findings[k].message == explained.findings[k].message);
        CHECK(plain.findings[k].evidence.size() == explained.findings[k].evidence.size());
    }
}
