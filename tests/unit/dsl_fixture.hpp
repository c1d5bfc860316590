#pragma once
// Running the pipeline with the built-in rules plus one fixture rule file, for the tests of
// the rule language's features (operation selectors, history, declared parameter types).
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace opguard::test {

struct FixtureRun : Run {
    std::string rules_path;
    std::string rules_text;
    // "file:line:col" of a needle in the fixture rule file.
    std::string rule_loc(const std::string& needle, const std::string& after = {}) const {
        return rules_path + ":" + lc(position_of(rules_text, needle, after));
    }
};

// "file:line:col" of a finding.
inline std::string where(const Finding& f) { return f.location.file + ":" + lc(f.location.pos); }

inline std::unique_ptr<FixtureRun> run_fixture(const TempDir& dir, const std::string& rules_text, const std::string& plan_text,
                                               const std::vector<std::string>& inventory) {
    auto r = std::make_unique<FixtureRun>();
    r->rules_text = rules_text;
    r->rules_path = rules_text.empty() ? "" : dir.write("fixture/fixture.rules", rules_text);
    r->plan_text = plan_text;
    r->plan_path = dir.write("plan.json", plan_text);
    r->rules = load_rules(r->sources, RuleSources{true, rules_text.empty() ? std::vector<std::string>{} : std::vector<std::string>{r->rules_path}});
    r->plan = load_plan(r->sources, r->plan_path, r->rules);
    r->inventory = load_inventory(r->sources, inventory, r->rules);
    r->report = simulate(r->sources, r->plan, r->inventory, r->rules);
    return r;
}

// The errors of loading the built-in rules plus `rules_text`, as "file:line:col id message".
inline std::vector<std::string> fixture_errors(const TempDir& dir, const std::string& rules_text) {
    SourceRegistry sources;
    std::string path = dir.write("fixture/fixture.rules", rules_text);
    try {
        load_rules(sources, RuleSources{true, {path}});
    } catch (const RuleErrorList& e) {
        std::vector<std::string> out;
        for (const auto& x : e.errors()) out.push_back(x.file() + ":" + lc(x.position()) + " " + x.id() + " " + x.message());
        return out;
    }
    return {};
}

}  // namespace opguard::test
