// `opguard rules list | explain ID | test [DIR]`: the rule set as documentation and as
// tested code.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "core/text_safety.hpp"
#include "cli/rule_cases.hpp"
#include "engine/explain.hpp"
#include "opguard.hpp"
#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard::cli {

namespace {

namespace fs = std::filesystem;

struct RulesOptions {
    std::string list_format = "text";
    std::string explain_id;
    std::vector<std::string> tests_dirs;
    std::string test_dir;  // "" = the default case folders (test_dirs)
    std::vector<std::string> cover;
};

std::string defined_at(const SourceRegistry& sources, const Rule& r) {
    if (!r.origin.known()) return "";
    const SourceFile& f = sources.file(r.origin.file);
    Position p = f.position(r.origin.offset);
    return f.path() + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

std::string joined(const std::vector<std::string>& v, const std::string& sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

const char* scope_name(Scope s) { return s == Scope::Plan ? "plan" : s == Scope::Call ? "call" : s == Scope::Effect ? "effect" : "target"; }

int run_list(const SourceRegistry& sources, const RuleSet& rules, const std::string& format) {
    if (format == "json") {
        Node list = Node::array();
        for (const auto& r : rules.rules) {
            Node ops = Node::array();
            for (const auto& o : r.operations) ops.items().push_back(Node::string(o));
            auto opt = [](const std::string& s) { return s.empty() ? Node::null() : Node::string(s); };
            list.items().push_back(Node::object({{"id", Node::string(r.id)},
                                                 {"title", Node::string(r.title)},
                                                 {"description", opt(r.description)},
                                                 {"severity", Node::string(severity_name(r.severity))},
                                                 {"operations", std::move(ops)},
                                                 {"selector", opt(r.selector)},
                                                 {"scope", Node::string(scope_name(r.scope))},
                                                 {"refuses", Node::string(report_detail::refusal_name(r.refuses))},
                                                 {"http", r.http ? Node::number(r.http) : Node::null()},
                                                 {"code", opt(r.code)},
                                                 {"basis", Node::string(basis_name(r.basis))},
                                                 {"source", Node::string(r.source)},
                                                 {"note", opt(r.note)},
                                                 {"defined_at", Node::string(defined_at(sources, r))}}));
        }
        std::cout << pretty_json(Node::object({{"rules", std::move(list)}}));
        return kExitOk;
    }
    std::vector<std::vector<std::string>> rows = {{"ID", "SEVERITY", "OPERATIONS", "BASIS", "SOURCE"}};
    for (const auto& r : rules.rules)
        rows.push_back({r.id, severity_name(r.severity), (r.selector.empty() ? "" : r.selector + " = ") + joined(r.operations, ","),
                        basis_name(r.basis), r.source});
    std::vector<size_t> width(4, 0);
    for (const auto& row : rows)
        for (size_t i = 0; i < 4; ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < 4; ++i) line += row[i] + std::string(width[i] - row[i].size() + 2, ' ');
        // Text from rule files (a source, an id) may hold control characters: shown escaped,
        // never sent to the terminal (an escape sequence could set its title).
        std::cout << displayable(line + row[4]) << "\n";
    }
    return kExitOk;
}

// The folders that may hold test cases for `rules explain`: --tests DIRs, else rules/tests
// and DIR/tests for each --rules DIR, those that exist.
// opguard never writes to its inputs: `rules doc --output` naming a file it read (a rule file,
// a test case's plan or inventory) or a file inside a --rules folder or a folder of test
// cases (an expect.json, a case not read) is refused before anything is written.
void refuse_doc_over_input(const std::string& path, const SourceRegistry& sources, const std::vector<std::string>& rule_dirs,
                           const std::vector<std::string>& tests) {
    if (path == "-" || path.empty()) return;
    std::error_code ec;
    const fs::path out = fs::weakly_canonical(path, ec);
    if (ec) return;  // the writer reports a path it cannot use
    auto refuse = [&](const std::string& what) {
        throw InputError("command line", {}, "usage", "--output " + path + " is " + what + ": opguard never writes to its inputs");
    };
    for (size_t i = 0; i < sources.size(); ++i) {
        const std::string& input = sources.file(static_cast<uint32_t>(i)).path();
        std::error_code e2;
        if (fs::exists(path, e2) && fs::equivalent(path, input, e2) && !e2) refuse("an input of this run (" + input + ")");
    }
    std::vector<std::string> folders = rule_dirs;
    folders.insert(folders.end(), tests.begin(), tests.end());
    for (const auto& d : folders) {
        std::error_code e2;
        const fs::path dir = fs::weakly_canonical(d, e2);
        if (e2 || !fs::is_directory(dir, e2)) continue;
        const auto rel = out.lexically_relative(dir);
        if (!rel.empty() && *rel.begin() != ".." && rel != ".") refuse("inside " + d + ", a folder of rules or rule test cases this run reads");
    }
}

std::vector<std::string> case_dirs(const CommonOptions& common, const RulesOptions& opt) {
    std::vector<std::string> dirs = opt.tests_dirs;
    if (dirs.empty()) {
        dirs.push_back("rules/tests");
        for (const auto& d : common.rule_dirs) dirs.push_back((fs::path(d) / "tests").string());
    }
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& d : dirs) {
        if (fs::is_directory(d, ec)) out.push_back(d);
        // A folder the user named that is not one is an error, as for `rules test DIR`; the
        // default folders are looked in only when they exist.
        else if (!opt.tests_dirs.empty())
            throw InputError(d, {}, "rules-test.no-directory", "no such directory of rule test cases (--tests)");
    }
    return out;
}

int run_explain(SourceRegistry& sources, const RuleSet& rules, const CommonOptions& common, const RulesOptions& opt) {
    const Rule* r = rules.rule(opt.explain_id);
    if (!r) {
        std::string near;
        for (const auto& x : rules.rules)
            if (x.id.find(opt.explain_id) != std::string::npos) near += (near.empty() ? "" : ", ") + x.id;
        throw InputError("command line", {}, "usage",
                         "no rule '" + opt.explain_id + "'" + (near.empty() ? "; see `opguard rules list`" : "; did you mean: " + near));
    }
    // Text from the rule file (titles, sources, notes, messages) is one line each: a newline
    // written in it is shown escaped, so it cannot start a line of its own.
    std::string out = r->id + ": " + displayable(r->title) + "\n";
    out += "  defined at: " + displayable(defined_at(sources, *r)) + "\n";
    out += "  severity:   " + std::string(severity_name(r->severity)) + "\n";
    if (r->locked) out += "  locked:     check --skip-rule / --severity cannot skip or lower it; only a waiver accepts a finding\n";
    out += "  applies to: ";
    if (!r->selector.empty()) out += "every operation with " + r->selector + ", now ";
    for (size_t i = 0; i < r->operations.size(); ++i) {
        const std::string& o = r->operations[i];
        const Operation* op = rules.operation(o);
        out += (i ? ", " : "") + (o == "*" ? std::string("every call") : o + (op && !op->title.empty() ? " (" + displayable(op->title) + ")" : ""));
    }
    out += "; evaluated once per " + std::string(scope_name(r->scope)) + (r->for_list ? ", for each element of a list" : "") + "\n";
    out += "\nWhat it checks\n";
    if (!r->description.empty()) out += "  " + displayable(r->description) + "\n";
    if (r->for_list) out += "  for " + r->for_var + " in " + expr_text(*r->for_list) + "\n";
    for (const auto& l : r->lets) out += "  let " + l.name + " = " + expr_text(*l.expr) + "\n";
    if (r->when) out += "  when " + expr_text(*r->when) + "\n";
    if (!r->message.source_text.empty()) out += "  message: " + displayable(r->message.source_text) + "\n";
    out += "\nWhy: what the cloud does\n";
    if (r->refuses == Refusal::None)
        out += "  The cloud does not refuse the call for this; opguard reports it as a " + std::string(severity_name(r->severity)) + ".\n";
    else if (r->refuses == Refusal::Maybe)
        out += "  Whether the cloud refuses the call is not documented: the call's outcome is undocumented, and its effects are shown as if it runs.\n";
    else
        out += std::string("  The cloud refuses the ") + (r->refuses == Refusal::Call ? "whole call" : "target") + ": " +
               (r->http ? "HTTP " + std::to_string(r->http) + ", " : std::string("HTTP status undocumented, ")) +
               (r->code.empty() ? "error code undocumented" : "error code " + r->code) + ".\n";
    if (!r->response_message.source_text.empty()) out += "  The cloud's message: " + displayable(r->response_message.source_text) + "\n";
    out += "  basis:  " + std::string(basis_name(r->basis)) + "\n";
    out += "  source: " + displayable(r->source) + "\n";
    if (!r->note.empty()) out += "  note:   " + displayable(r->note) + "\n";

    // An example that fires: the first test case that expects it to.
    out += "\nExample that fires\n";
    bool shown = false;
    for (const auto& dir : case_dirs(common, opt)) {
        std::vector<std::string> skipped;  // a broken case elsewhere does not stop the explanation
        for (const auto& c : find_rule_cases(sources, dir, rules, &skipped)) {
            bool fires = std::any_of(c.expect.begin(), c.expect.end(), [&](const Expectation& e) { return e.rule == r->id && e.result == "fires"; });
            if (!fires) continue;
            CaseRun run = run_rule_case(sources, rules, c);
            std::string plan_text = quoted_case_file(c.plan, rules, 1024 * 1024);
            out += "  test case " + displayable(c.dir + " (plan " + c.plan + (c.inventory.empty() ? "" : ", inventory " + joined(c.inventory, ", ")) + ")") + ":\n\n";
            size_t lines = 0;
            std::string shown_plan;
            for (size_t i = 0, start = 0; i <= plan_text.size(); ++i) {
                if (i < plan_text.size() && plan_text[i] != '\n') continue;
                if (i > start || i < plan_text.size()) shown_plan += "    " + plan_text.substr(start, i - start) + "\n";
                start = i + 1;
                if (++lines == 60) { shown_plan += "    ...\n"; break; }
            }
            out += shown_plan + "\n  opguard reports:\n";
            for (const auto& f : run.report.findings) {
                if (f.rule->id != r->id) continue;
                out += "    " + std::string(severity_name(f.rule->severity)) + "[" + f.rule->id + "] " +
                       displayable(format_location(f.location) + (f.target.empty() ? "" : " (" + f.target + ")")) + "\n      " + f.message + "\n";
            }
            shown = true;
            break;
        }
        if (shown) break;
    }
    if (!shown)
        out += opt.tests_dirs.empty() ? "  no test case expects this rule to fire (looked in rules/tests and DIR/tests of --rules; give --tests DIR)\n"
                                      : "  no test case expects this rule to fire (looked in the --tests folders)\n";
    std::cout << no_workflow_commands(visible_controls(valid_utf8(out), true));  // rule-file text: no raw control characters
    return kExitOk;
}

// The folder a --rules argument names: itself, or the folder of a single rule file.
fs::path rules_folder(const std::string& arg) {
    std::error_code ec;
    fs::path p = fs::path(arg).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();  // "docs/policies/"
    if (!fs::is_directory(p, ec)) p = p.parent_path();
    return p.empty() ? fs::path(".") : p;
}

// The case folders `rules test` runs: DIR when given; else, with --rules, the `tests` folder
// beside each rule folder (a policy folder's cases live in it, as rules/tests beside rules/);
// else rules/tests.
std::vector<std::string> test_dirs(const CommonOptions& common, const RulesOptions& opt) {
    if (!opt.test_dir.empty()) return {opt.test_dir};
    if (common.rule_dirs.empty()) return {"rules/tests"};
    std::vector<std::string> out;
    for (const auto& d : common.rule_dirs) {
        std::string t = (rules_folder(d) / "tests").string();
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
    return out;
}

// Whether rule file `path` is one --rules loaded: a file of a --rules folder, or the file
// itself (paths as load_rules registered them).
bool from_rule_dirs(const std::string& path, const std::vector<std::string>& rule_dirs) {
    fs::path p = fs::path(path).lexically_normal();
    for (const auto& d : rule_dirs) {
        std::error_code ec;
        fs::path n = fs::path(d).lexically_normal();
        if (!n.has_filename()) n = n.parent_path();
        if (fs::is_directory(n, ec) ? p.parent_path() == n : p == n) return true;
    }
    return false;
}

// Whether --cover `entry` names the rule file `path`: a bare name (common.rules) the file's
// name, a path (policy/my.rules) the same file.
bool covers(const std::string& entry, const std::string& path) {
    if (entry.find('/') == std::string::npos) return fs::path(path).filename().string() == entry;
    std::error_code ec;
    if (fs::path(entry).lexically_normal() == fs::path(path).lexically_normal()) return true;
    return fs::exists(entry, ec) && fs::exists(path, ec) && fs::equivalent(entry, path, ec) && !ec;
}

int run_tests(SourceRegistry& sources, const RuleSet& rules, const CommonOptions& common, const RulesOptions& opt) {
    // A --cover that names no rule file of this run would require nothing: refused.
    for (const auto& entry : opt.cover) {
        std::set<std::string> files;
        for (const auto& r : rules.rules)
            if (r.origin.known()) files.insert(sources.file(r.origin.file).path());
        if (std::none_of(files.begin(), files.end(), [&](const std::string& f) { return covers(entry, f); }))
            throw InputError("command line", {}, "usage",
                             "--cover " + entry + " names no rule file this run loaded (" + joined(std::vector<std::string>(files.begin(), files.end()), ", ") +
                                 "): give a file name (common.rules) or the path of a --rules file");
    }
    const std::vector<std::string> dirs = test_dirs(common, opt);
    std::vector<RuleCase> cases;
    for (const auto& d : dirs)
        for (auto& c : find_rule_cases(sources, d, rules)) cases.push_back(std::move(c));
    // Folder and file names are input: each shown on its line with its control characters
    // visible (a newline in a case's folder name cannot start a line of its own).
    std::cout << "opguard rules test: " << cases.size() << " case" << (cases.size() == 1 ? "" : "s") << " in " << displayable(joined(dirs, ", ")) << "\n";
    size_t passed = 0, failed = 0;
    std::set<std::string> fired_somewhere;
    for (const auto& c : cases) {
        CaseRun run = run_rule_case(sources, rules, c);
        std::vector<std::string> wrong;
        for (const auto& e : c.expect) {
            std::string got = run.result(e.rule);
            if (got != e.result) {
                wrong.push_back(format_location(e.at) + ": " + e.rule + ": expected " + e.result + ", got " + got);
                continue;
            }
            if (!e.fires_at.empty()) {
                // {"fires": [places]}: the same places, as many times each, in any order.
                std::vector<std::string> found = run.places(e.rule, c.dir), want = e.fires_at;
                std::vector<std::string> found_sorted = found;
                std::sort(found_sorted.begin(), found_sorted.end());
                std::sort(want.begin(), want.end());
                if (found_sorted != want) {
                    wrong.push_back(format_location(e.at) + ": " + e.rule + ": expected it to fire at " + joined(e.fires_at, ", ") +
                                    "; it fired at " + joined(found, ", "));
                    continue;
                }
            }
            if (got == "fires") fired_somewhere.insert(e.rule);
        }
        if (wrong.empty()) {
            ++passed;
            std::cout << "ok    " << displayable(c.name) << " (" << c.expect.size() << " expectation" << (c.expect.size() == 1 ? "" : "s") << ")\n";
        } else {
            ++failed;
            std::cout << "FAIL  " << displayable(c.name) << "\n";
            for (const auto& w : wrong) std::cout << "      " << displayable(w) << "\n";
            for (const auto& f : run.report.findings)
                std::cout << "      found: " << severity_name(f.rule->severity) << "[" << f.rule->id << "] "
                          << displayable(format_location(f.location) + (f.target.empty() ? "" : " (" + f.target + ")")) << "\n";
        }
    }
    // Coverage: every rule needs a case in which it fires (as expected). --cover FILE limits
    // that to the rules of those files; without it, --rules limits it to the rules loaded
    // from there (a policy folder answers for its own rules; the built-in rules' cases are
    // rules/tests).
    const bool policy_only = opt.cover.empty() && !common.rule_dirs.empty();
    std::vector<const Rule*> uncovered_required, uncovered_other;
    size_t required_total = 0, covered_required = 0;
    for (const auto& r : rules.rules) {
        bool required = policy_only ? r.origin.known() && from_rule_dirs(sources.file(r.origin.file).path(), common.rule_dirs)
                                    : opt.cover.empty() || (r.origin.known() && std::any_of(opt.cover.begin(), opt.cover.end(), [&](const std::string& e) {
                                          return covers(e, sources.file(r.origin.file).path());
                                      }));
        required_total += required;
        if (fired_somewhere.count(r.id)) {
            covered_required += required;
            continue;
        }
        (required ? uncovered_required : uncovered_other).push_back(&r);
    }
    size_t covered = rules.rules.size() - uncovered_required.size() - uncovered_other.size();
    if (policy_only && required_total < rules.rules.size()) {
        std::cout << "coverage: " << covered_required << " of " << required_total << " rules of " << displayable(joined(common.rule_dirs, ", "))
                  << " fire in a case that expects it (" << rules.rules.size() - required_total
                  << " built-in rules not required here: their cases are rules/tests)\n";
    } else {
        std::cout << "coverage: " << covered << " of " << rules.rules.size() << " rules fire in a case that expects it\n";
    }
    auto list = [&](const std::vector<const Rule*>& v, const std::string& what) {
        if (v.empty()) return;
        std::cout << what << "\n";
        size_t w = 0;
        for (const Rule* r : v) w = std::max(w, r->id.size());
        for (const Rule* r : v) std::cout << "  " << r->id << std::string(w - r->id.size() + 2, ' ') << displayable(defined_at(sources, *r)) << "\n";
    };
    if (policy_only) uncovered_other.clear();  // the built-in rules: rules/tests' business
    list(uncovered_required, "uncovered (no case expects these to fire; the run fails):");
    list(uncovered_other, "uncovered, outside --cover (reported only):");
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed || !uncovered_required.empty() ? kExitFindings : kExitOk;
}

}  // namespace

void setup_rules(CLI::App& app, CommonOptions& common, int& result) {
    static RulesOptions opt;
    auto load = [&common](SourceRegistry& sources) { return load_rules(sources, RuleSources{!common.no_builtin_rules, common.rule_dirs}); };
    auto* cmd = app.add_subcommand("rules", "Inspect and test the rule set");
    cmd->require_subcommand(1);

    auto* list = cmd->add_subcommand("list", "List every rule: id, severity, operations, basis, source");
    list->add_option("-f,--format", opt.list_format, "text (aligned columns) or json")->check(CLI::IsMember({"text", "json"}));
    list->callback([&result, load] {
        SourceRegistry sources;
        RuleSet rules = load(sources);
        result = run_list(sources, rules, opt.list_format);
    });

    auto* explain = cmd->add_subcommand("explain", "Explain one rule: what it checks, why, its source, and an example that fires");
    explain->add_option("id", opt.explain_id, "The rule id (see `rules list`)")->required();
    explain->add_option("--tests", opt.tests_dirs, "A folder of rule test cases to take the example from (default: rules/tests)");
    explain->callback([&result, &common, load] {
        SourceRegistry sources;
        RuleSet rules = load(sources);
        result = run_explain(sources, rules, common, opt);
    });

    static std::string doc_output = "-";
    auto* doc = cmd->add_subcommand("doc", "Write the Markdown reference of every rule (docs/rules.md), with an example from its test case");
    doc->add_option("-o,--output", doc_output, "File to write (default: standard output)");
    doc->add_option("--tests", opt.tests_dirs, "A folder of rule test cases to take the examples from (default: rules/tests)");
    doc->callback([&result, &common, load] {
        SourceRegistry sources;
        RuleSet rules = load(sources);
        const std::vector<std::string> dirs = case_dirs(common, opt);
        // (Rule-file text in the Markdown: control characters escaped, as in every report.)
        std::string text = visible_controls(valid_utf8(rules_doc(sources, rules, dirs)), true);
        refuse_doc_over_input(doc_output, sources, common.rule_dirs, dirs);
        write_output(doc_output, text);
        result = kExitOk;
    });

    auto* test = cmd->add_subcommand("test", "Run the rule test cases in DIR (default rules/tests, or DIR/tests of --rules DIR) and check every rule has one");
    test->add_option("dir", opt.test_dir,
                     "Folder of test cases: DIR/<case>/{plan.json or plan.<ext>, expect.json, inventory/} "
                     "(default: the tests folder beside each --rules folder, else rules/tests)");
    test->add_option("--cover", opt.cover,
                     "Require a firing case only for the rules of this rule file (file name, e.g. common.rules); repeatable. "
                     "Rules of other files are still listed when uncovered. Default: the rules of the --rules files, "
                     "or with no --rules every rule");
    test->callback([&result, &common, load] {
        SourceRegistry sources;
        RuleSet rules = load(sources);
        result = run_tests(sources, rules, common, opt);
    });
}

}  // namespace opguard::cli
