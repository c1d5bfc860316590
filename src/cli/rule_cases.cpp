#include "cli/rule_cases.hpp"

#include <algorithm>
#include <filesystem>

#include "core/diagnostic.hpp"
#include "engine/waivers.hpp"
#include "input/json_reader.hpp"
#include "opguard.hpp"

namespace opguard::cli {

namespace fs = std::filesystem;

std::string CaseRun::result(const std::string& rule) const {
    for (const auto& f : report.findings)
        if (f.rule->id == rule) return "fires";
    return applicable.count(rule) ? "does-not-fire" : "not-applicable";
}

std::vector<RuleCase> find_rule_cases(SourceRegistry& sources, const std::string& dir, const RuleSet& rules,
                                      std::vector<std::string>* skipped) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw InputError(dir, {}, "rules-test.no-directory", "no such directory of rule test cases");
    std::vector<std::pair<fs::path, std::vector<fs::path>>> dirs;  // each case folder, with its plan.* files
    // Whether something is at `p` (a file, a folder, a link even if broken or looping): what
    // is there is then read as `check` reads it, and what cannot be read is its input error,
    // never a case or an inventory silently left out.
    auto present = [](const fs::path& p) {
        std::error_code e2;
        const fs::file_type t = fs::symlink_status(p, e2).type();
        return t != fs::file_type::not_found && t != fs::file_type::none;
    };
    // The files named plan.* in a case folder, whatever they are (a folder or a FIFO named
    // plan.json is the plan, and reading it says what it is).
    auto plans_in = [](const fs::path& d) {
        std::vector<fs::path> found;
        std::error_code e2;
        for (const auto& f : fs::directory_iterator(d, e2))
            if (f.path().filename().string().rfind("plan.", 0) == 0) found.push_back(f.path());
        std::sort(found.begin(), found.end());
        return found;
    };
    // A case is a folder with an expect.json, or with a plan file (plan.json, plan.sh, ...):
    // one with a plan and no expect.json (expected.json, a typo) is an error below, never
    // skipped as if it were not there. An entry that cannot be told a folder or not (a link
    // that loops) is an input error.
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::error_code se;
        const bool is_dir = e.is_directory(se);
        if (se) throw InputError(e.path().string(), {}, "input.unreadable", "cannot read: " + se.message());
        if (!is_dir) continue;
        std::vector<fs::path> plans = plans_in(e.path());
        // A folder with a case's inventory/ or rules/ but no plan is a case missing its plan.
        const bool case_parts = e.path().filename() != "inventory" && (present(e.path() / "inventory") || present(e.path() / "rules"));
        if (present(e.path() / "expect.json") || !plans.empty() || case_parts) dirs.emplace_back(e.path(), std::move(plans));
    }
    if (ec) throw InputError(dir, {}, "input.unreadable", "cannot list directory: " + ec.message());
    std::sort(dirs.begin(), dirs.end());
    std::vector<std::string> shared;
    if (present(fs::path(dir) / "inventory")) shared.push_back((fs::path(dir) / "inventory").string());

    std::vector<RuleCase> out;
    for (const auto& [d, plans] : dirs) try {
        RuleCase c;
        c.name = d.filename().string();
        c.dir = d.string();
        // The plan: plan.json, or the one plan.<ext> in any form `check` reads (plan.sh,
        // plan.yml, plan.tf.json, ...: its format is detected from the content), so the rules
        // about what the adapters observe have cases too. Other files of the case (a
        // --cli-jsonInput file the script names, say) must not be called plan.*.
        if (plans.empty()) throw InputError(c.dir, {}, "rules-test.no-plan", "a rule test case needs a plan.json (or plan.<ext> in another plan form)");
        if (!present(d / "expect.json"))
            throw InputError(c.dir, {}, "rules-test.no-expect",
                             "a rule test case needs an expect.json beside its plan (the rule ids and what each should do); none here");
        if (plans.size() > 1) {
            std::string names;
            for (const auto& p : plans) names += (names.empty() ? "" : ", ") + p.filename().string();
            throw InputError(c.dir, {}, "rules-test.no-plan", "a rule test case has one plan file; found " + names);
        }
        c.plan = plans.front().string();
        if (present(d / "rules")) c.fixture_rules = (d / "rules").string();
        // inventory: a folder of saved responses, or one file, read as `check -i` reads it.
        if (present(d / "inventory")) c.inventory = {(d / "inventory").string()};
        else c.inventory = shared;

        std::string path = (d / "expect.json").string();
        uint32_t fid = sources.add(path, read_file_bytes(path, 1024 * 1024));
        Node root = read_json(sources, fid);
        const SourceFile& file = sources.file(fid);
        auto fail = [&](const Node& at, const std::string& id, const std::string& msg, const std::string& ptr) {
            throw InputError(path, file.position(at.origin.offset), id, msg, ptr);
        };
        const std::string results = "\"fires\", \"does-not-fire\", \"not-applicable\" or {\"fires\": [\"FILE:LINE:COL\", ...]}";
        if (!root.is_object() || root.members().empty())
            fail(root, "rules-test.expect", "expect.json maps rule ids to " + results, "");
        for (const auto& [rule, v] : root.members()) {
            std::string ptr = "/" + pointer_token(rule);
            if (rule == "$comment" || rule == "description") continue;
            if (rule == "options") {
                // How the case is run: the options of `check` a case may set.
                if (!v.is_object()) fail(v, "rules-test.expect", "\"options\" is an object, e.g. {\"today\": \"2026-12-24\"}; found " + v.to_json(), ptr);
                for (const auto& [key, value] : v.members()) {
                    if (key != "today")
                        fail(value, "rules-test.expect", "unknown option '" + key + "'; a case's options are: today", ptr + "/" + pointer_token(key));
                    if (!value.is_string() || !valid_date(value.as_string()))
                        fail(value, "rules-test.expect", "\"today\" is a date written YYYY-MM-DD; found " + value.to_json(), ptr + "/today");
                    c.today = value.as_string();
                }
                continue;
            }
            if (!rules.rule(rule)) fail(v, "rules-test.unknown-rule", "no rule '" + rule + "' in the rule set", ptr);
            Expectation e{rule, "", {path, file.position(v.origin.offset)}, {}};
            if (v.is_string() && (v.as_string() == "fires" || v.as_string() == "does-not-fire" || v.as_string() == "not-applicable")) {
                e.result = v.as_string();
            } else if (v.is_object() && v.members().size() == 1 && v.find("fires")) {
                // {"fires": [places]}: the rule fires exactly there.
                const Node& list = *v.find("fires");
                if (!list.is_array() || list.items().empty())
                    fail(list, "rules-test.expect", "\"fires\" takes a non-empty list of \"FILE:LINE:COL\" places; found " + list.to_json(),
                         ptr + "/fires");
                for (size_t i = 0; i < list.items().size(); ++i) {
                    const Node& place = list.items()[i];
                    if (!place.is_string() || place.as_string().empty())
                        fail(place, "rules-test.expect", "a place is a string \"FILE:LINE:COL\" (plus \" (TARGET)\"); found " + place.to_json(),
                             ptr + "/fires/" + std::to_string(i));
                    e.fires_at.push_back(place.as_string());
                }
                e.result = "fires";
            } else {
                fail(v, "rules-test.expect", "expected " + results + "; found " + v.to_json(), ptr);
            }
            c.expect.push_back(std::move(e));
        }
        out.push_back(std::move(c));
    } catch (const InputError& e) {
        if (!skipped) throw;
        skipped->push_back(format_input_error(e));
    }
    return out;
}

std::vector<std::string> CaseRun::places(const std::string& rule, const std::string& case_dir) const {
    const std::string prefix = case_dir + "/";
    std::vector<std::string> out;
    for (const auto& f : report.findings) {
        if (f.rule->id != rule) continue;
        std::string file = f.location.file.rfind(prefix, 0) == 0 ? f.location.file.substr(prefix.size()) : f.location.file;
        std::string place = file;
        if (f.location.pos.known()) {
            place += ':';
            place += std::to_string(f.location.pos.line);
            place += ':';
            place += std::to_string(f.location.pos.column);
        }
        if (!f.target.empty()) {
            place += " (";
            place += f.target;
            place += ')';
        }
        out.push_back(std::move(place));
    }
    return out;
}

std::string quoted_case_file(const std::string& path, const RuleSet& rules, size_t limit) {
    return redact_text(read_file_bytes(path, limit), secret_names(rules));
}

CaseRun run_rule_case(SourceRegistry& sources, const RuleSet& given, const RuleCase& c) {
    CaseRun run;
    // A case with its own rules/ runs with the built-in rules and those, compiled together.
    if (!c.fixture_rules.empty()) run.fixture = std::make_shared<RuleSet>(load_rules(sources, RuleSources{true, {c.fixture_rules}}));
    const RuleSet& rules = run.fixture ? *run.fixture : given;
    Plan plan = load_plan_any(sources, c.plan, rules);
    Inventory inv = load_inventory(sources, c.inventory, rules);
    // A rule applies when it was evaluated, or when its operations take a call of the plan
    // (a `for` over an empty list evaluates nothing, yet the rule applied). Calls no rule
    // file describes get only call-scope "*" rules, as in the simulator.
    SimulateOptions so;
    so.today = c.today;
    so.on_rule = [&](const RuleEvaluation& ev) { run.applicable.insert(ev.rule.id); };
    run.report = simulate(sources, plan, inv, rules, so);
    for (const auto& r : rules.rules) {
        // A plan-wide rule without operations runs once the plan has run, for any plan.
        if (r.scope == Scope::Plan && r.operations.empty() && !plan.calls.empty()) run.applicable.insert(r.id);
        for (const auto& c : plan.calls)
            if (c.operation ? r.applies_to(c.operation->name) : r.scope == Scope::Call && r.applies_to("*"))
                run.applicable.insert(r.id);
    }
    return run;
}

}  // namespace opguard::cli
