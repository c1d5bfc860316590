#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "engine/explain.hpp"
#include "engine/input_text.hpp"
#include "engine/waivers.hpp"
#include "opguard.hpp"

namespace opguard::cli {

namespace {

bool is_stdout(const std::string& path) { return path == "-" || path.empty(); }

}  // namespace

// opguard never writes to its inputs: an --output that names a file this run read (plan,
// inventory, waivers, rule files, the configuration file) is refused.
static void refuse_input_as_output(const std::string& path, const SourceRegistry& sources, const std::string& config_file) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (is_stdout(path) || !fs::is_regular_file(path, ec)) return;
    if (!config_file.empty() && fs::equivalent(path, config_file, ec) && !ec)
        throw InputError("command line", {}, "usage",
                         "--output " + path + " is an input of this run (the configuration file " + config_file +
                             "): opguard never writes to its inputs");
    for (size_t i = 0; i < sources.size(); ++i) {
        const std::string& input = sources.file(static_cast<uint32_t>(i)).path();
        // A plan read from standard input (`check -`): the file the shell opened there.
        if (input == "<stdin>") {
            struct stat in, out;
            if (::fstat(STDIN_FILENO, &in) == 0 && ::stat(path.c_str(), &out) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
                throw InputError("command line", {}, "usage",
                                 "--output " + path + " is an input of this run (the plan, read from standard input): opguard never writes to its inputs");
            continue;
        }
        if (fs::equivalent(path, input, ec) && !ec)
            throw InputError("command line", {}, "usage",
                             "--output " + path + " is an input of this run (" + input +
                                 "): opguard never writes to its inputs");
    }
}

// Pairs each --output with the --format before it, in command-line order. Without
// --format, the text report goes to standard output, or to the one --output given. At most
// one report goes to standard output.
static std::vector<std::pair<std::string, std::string>> reports(const CLI::App& cmd, const CheckOptions& opt) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& path : opt.outputs)
        if (path.empty())
            throw InputError("command line", {}, "usage", "--output takes a path ('-' for standard output); found an empty one");
    if (opt.formats.empty()) {
        if (opt.outputs.size() > 1)
            throw InputError("command line", {}, "usage", "several --output options but no --format: each --output follows its --format");
        return {{"text", opt.outputs.empty() ? std::string("-") : opt.outputs.front()}};
    }
    const CLI::Option* format = cmd.get_option("--format");
    const CLI::Option* output = cmd.get_option("--output");
    size_t nf = 0, no = 0;
    std::vector<bool> has_output;
    for (const CLI::Option* o : cmd.parse_order()) {
        if (o == format && nf < opt.formats.size()) {
            out.emplace_back(opt.formats[nf++], "-");
            has_output.push_back(false);
        } else if (o == output && no < opt.outputs.size()) {
            const std::string& path = opt.outputs[no++];
            if (out.empty())
                throw InputError("command line", {}, "usage", "--output " + path + " comes before any --format: each --output follows its --format");
            if (has_output.back())
                throw InputError("command line", {}, "usage",
                                 "two --output options follow --format " + out.back().first + ": each --format takes at most one --output");
            out.back().second = path;
            has_output.back() = true;
        }
    }
    if (out.empty()) out.emplace_back("text", "-");
    size_t to_stdout = 0;
    for (const auto& [f, path] : out) to_stdout += path == "-";
    if (to_stdout > 1)
        throw InputError("command line", {}, "usage", "more than one --format writes to standard output: give each but one an --output");
    return out;
}

// SARIF's columns are UTF-16 code units, opguard's are bytes: converts a location's column
// by reading its line from the source, while the text is in memory (plans and waiver files
// are); otherwise the byte column stands.
static std::function<uint32_t(const Location&)> utf16_columns(const SourceRegistry& sources) {
    auto cache = std::make_shared<std::map<std::string, const SourceFile*>>();  // path -> file (or none)
    return [&sources, cache](const Location& l) -> uint32_t {
        auto it = cache->find(l.file);
        if (it == cache->end()) {
            const SourceFile* found = nullptr;
            for (uint32_t i = 0; i < sources.size() && !found; ++i)
                if (sources.file(i).path() == l.file) found = &sources.file(i);
            if (found && found->text().empty()) found = nullptr;
            it = cache->emplace(l.file, found).first;
        }
        const SourceFile* file = it->second;
        const std::optional<uint32_t> begin = file ? file->line_offset(l.pos.line) : std::nullopt;
        if (!begin) return l.pos.column;
        const std::string_view t = file->text();
        const size_t end = size_t{*begin} + l.pos.column - 1;
        if (end > t.size()) return l.pos.column;
        uint32_t units = 0;
        for (size_t i = *begin; i < end; ++i) {
            const auto c = static_cast<unsigned char>(t[i]);
            if ((c & 0xC0) == 0x80) continue;  // continuation byte
            units += c >= 0xF0 ? 2 : 1;        // 4-byte sequences are surrogate pairs in UTF-16
        }
        return units + 1;
    };
}

// --timings: the wall time of each stage of the pipeline, on standard error, for finding
// where a slow run spends its time (bench/RESULTS.md quotes it).
class StageClock {
public:
    explicit StageClock(bool on) : on_(on), last_(std::chrono::steady_clock::now()) {}
    // A note under the last stage (e.g. how many inventory objects the run built).
    void note(const std::string& text) const {
        if (on_) std::fprintf(stderr, "opguard:   %s\n", text.c_str());
    }
    void stage(const char* name) {
        if (!on_) return;
        const auto now = std::chrono::steady_clock::now();
        std::fprintf(stderr, "opguard: %-9s %8.1f ms  rss %6ld MB\n", name,
                     std::chrono::duration<double, std::milli>(now - last_).count(), rss_mb());
        last_ = now;
    }

private:
    // Resident memory now (Linux /proc/self/statm; -1 elsewhere).
    static long rss_mb() {
        long pages = -1, resident = -1;
        if (FILE* f = std::fopen("/proc/self/statm", "r")) {
            if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
            std::fclose(f);
        }
        return resident < 0 ? -1 : resident * ::sysconf(_SC_PAGESIZE) / (1024 * 1024);
    }

    bool on_;
    std::chrono::steady_clock::time_point last_;
};

// Everything one check holds in memory. Freeing it is millions of small deallocations for a
// large inventory, a noticeable share of the run, so it is left to the operating system,
// which takes the whole process back at exit (the pointer stays reachable). Builds with
// AddressSanitizer free it, so their leak check still sees every allocation.
struct CheckState {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    Inventory inventory;
    Report report;
};

#if defined(__SANITIZE_ADDRESS__)
#define OPGUARD_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OPGUARD_FREE_AT_EXIT 1
#endif
#endif

static CheckState& check_state() {
#ifdef OPGUARD_FREE_AT_EXIT
    static CheckState state;
    return state;
#else
    static CheckState* state = new CheckState;
    return *state;
#endif
}

// Colours only on a terminal, and not when NO_COLOR (any non-empty value) or --no-color says no.
static bool use_color(const CommonOptions& common) {
    const char* no_color = std::getenv("NO_COLOR");
    return !common.no_color && !(no_color && *no_color) && ::isatty(STDOUT_FILENO);
}

// --skip-rule and --severity values with where each was written: the command line, or the
// configuration file's line:col when the key came from there.
static std::vector<OverrideRequest> override_requests(const CheckOptions& opt) {
    std::vector<OverrideRequest> out;
    auto add = [&](const std::vector<std::string>& values, const char* key, RuleOverride::Action action) {
        auto from_file = opt.config_positions.find(key);
        for (size_t i = 0; i < values.size(); ++i) {
            Location origin{"command line", {}};
            if (from_file != opt.config_positions.end() && i < from_file->second.size())
                origin = Location{opt.config_file, from_file->second[i]};
            // A comma-separated list, as Checkov's --skip-check takes one (rule ids have no commas).
            const std::string& v = values[i];
            for (size_t from = 0;;) {
                const size_t comma = v.find(',', from);
                std::string item = v.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
                const size_t b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
                out.push_back({action, b == std::string::npos ? std::string() : item.substr(b, e - b + 1), origin});
                if (comma == std::string::npos) break;
                from = comma + 1;
            }
        }
    };
    add(opt.skip_rules, "skip-rule", RuleOverride::Action::Skip);
    add(opt.severities, "severity", RuleOverride::Action::Severity);
    return out;
}

// The bytes of these files, as far as they can be found now (a file that cannot be read is
// reported by the stage that reads it, in its turn): what the heap will hold grows with them.
static std::uintmax_t input_bytes(const std::vector<std::string>& files) {
    std::uintmax_t total = 0;
    for (const auto& file : files) {
        std::error_code ec;
        const std::uintmax_t n = std::filesystem::file_size(file, ec);
        if (!ec) total += n;
    }
    return total;
}

static int run_check(const CommonOptions& common, const CheckOptions& opt, const CLI::App& cmd) {
    const auto wanted = reports(cmd, opt);
    // (A today from .opguard.yaml was checked when the file was read, at its line:col.)
    if (!opt.today.empty() && !valid_date(opt.today))
        throw InputError("command line", {}, "usage", "--today takes a date written YYYY-MM-DD; found '" + opt.today + "'");
    const std::string today = opt.today.empty() ? today_utc() : opt.today;

    StageClock clock(opt.timings);
    CheckState& st = check_state();
    st = CheckState{};  // (one check per process; a fresh state all the same)
    SourceRegistry& sources = st.sources;
    RuleSet& rules = st.rules;
    rules = load_rules(sources, RuleSources{!common.no_builtin_rules, common.rule_dirs, /*defer_bodies=*/true});
    std::vector<RuleOverride> overrides = resolve_overrides(override_requests(opt), rules);
    apply_severity_overrides(rules, overrides);
    clock.stage("rules");
    // The inventory's files, listed once: their sizes choose the heap's pages, and
    // load_inventory reads that list. Paths that cannot be listed stay as given, for
    // load_inventory to report in its turn, after the plan.
    std::vector<std::string> inventory = opt.inventory;
    try {
        inventory = inventory_files(opt.inventory);
    } catch (const InputError&) {
        // reported by load_inventory
    }
    std::vector<std::string> input = inventory;
    input.push_back(opt.plan);
    // (Noted under the rules stage, the last one before the choice.)
    if (std::string pages = choose_heap_pages_for_input(input_bytes(input)); !pages.empty())
        clock.note("heap pages: " + pages);
    // The plan and the waivers are read before the (larger) inventory so a broken one fails fast.
    Plan& plan = st.plan;
    plan = load_plan_any(sources, opt.plan, rules, opt.plan_format, opt.parameters);
    decode_rule_bodies(rules, plan);  // only the rules this plan reaches
    std::vector<Waiver> waivers = plan_waivers(sources, plan, rules);
    for (const auto& file : opt.waiver_files)
        for (auto& w : load_waiver_file(sources, file, rules)) waivers.push_back(std::move(w));
    InventoryOptions io;
    for (const auto& k : opt.inventory_kinds) {
        const size_t eq = k.find('=');
        if (eq == std::string::npos) {
            // One KIND for every bare array: a second, different one is a conflict, not the last word.
            if (!io.kind_override.empty() && io.kind_override != k)
                throw InputError("command line", {}, "usage",
                                 "--inventory-kind " + io.kind_override + " and --inventory-kind " + k +
                                     " both name the kind of every bare array; name one, or give each file its own (KIND=FILE)");
            io.kind_override = k;
        }
        else io.kind_of_file.emplace_back(k.substr(eq + 1), k.substr(0, eq));
    }
    clock.stage("plan");
    Inventory& inv = st.inventory;
    inv = load_inventory(sources, inventory, rules, io);
    clock.stage("inventory");

    SimulateOptions so;
    so.today = today;  // rules read it as `today`
    std::vector<RuleExplanation> explanations;
    if (opt.explain)
        so.on_rule = [&](const RuleEvaluation& ev) { explanations.push_back(explain_evaluation(ev, rules, plan.calls.size())); };
    Report& report = st.report;
    report = simulate(sources, plan, inv, rules, so);
    report.explanations = std::move(explanations);
    report_invalid_utf8(sources, report);  // reports show such bytes as U+FFFD: say where they were
    apply_waivers(report, waivers, today);
    apply_overrides(report, std::move(overrides));
    clock.stage("simulate");
    {
        const auto [built, total] = inv.built_count();
        clock.note("inventory objects built: " + std::to_string(built) + " of " + std::to_string(total));
    }

    RenderOptions ro;
    ro.tool_version = OPGUARD_VERSION;
    ro.fail_on = parse_severity(opt.fail_on);
    ro.utf16_column = utf16_columns(sources);
    ro.quiet = opt.quiet;
    for (const auto& [format, path] : wanted) refuse_input_as_output(path, sources, opt.config_file);
    // All reports are written or none (write_outputs); a file report is streamed to its
    // temporary file as it is rendered.
    std::vector<OutputJob> jobs;
    for (const auto& [format, path] : wanted) {
        const bool color = format == "text" && is_stdout(path) && use_color(common);
        jobs.push_back({path, [&, format = format, color](const Sink& sink) {
                            if (color) sink(colorize_text(render(report, format, ro)));
                            else render_to(report, format, ro, sink);
                        }});
    }
    write_outputs(jobs);
    clock.stage("render");
    return exit_code(report, ro.fail_on) ? kExitFindings : kExitOk;
}

Severity parse_severity(const std::string& s) {
    return s == "info" ? Severity::Info : s == "warning" ? Severity::Warning : Severity::Error;
}

void setup_check(CLI::App& app, CommonOptions& common, CheckOptions& opt, int& result) {
    auto* cmd = app.add_subcommand("check", "Check a plan of API calls against saved inventory and the rules");
    cmd->add_option("plan", opt.plan,
                    "The plan: a file of API calls in any form --plan-format names; - reads it from standard input")
        ->required();
    // One value per -i (repeat it for several), so `check -i inventory plan.json` does not
    // take the plan for a second inventory path.
    cmd->add_option("-i,--inventory", opt.inventory, "A saved API response (JSON file) or a directory of them; repeatable")
        ->required()
        ->allow_extra_args(false);
    cmd->add_option("--inventory-kind", opt.inventory_kinds,
                    "Resource kind of bare-array inventory files: KIND for all of them, KIND=FILE for one (repeatable; e.g. "
                    "desktop=out/q1.json)")
        ->check(non_empty())
        ->allow_extra_args(false);
    cmd->add_option("--plan-format", opt.plan_format,
                    "What the plan file is (default auto: detected from its content): opguard, shell, cli-dry-run-json, "
                    "hcloud-json-input, oos-template or terraform-plan")
        ->check(CLI::IsMember(plan_format_names()));
    cmd->add_option("--parameters", opt.parameters,
                    "An OOS template's execution parameters, as aliyun oos StartExecution --Parameters takes them: a JSON "
                    "object, inline or in a FILE; given values win over Default")
        ->check(non_empty());
    cmd->add_option("-f,--format", opt.formats,
                    "Output format: text, json, sarif, junit, github, markdown or gitlab; repeat with --output for several")
        ->check(CLI::IsMember(format_names()))
        ->allow_extra_args(false);  // one value per --format, so each --output pairs with one
    cmd->add_option("-o,--output", opt.outputs, "File for the --format before it (default: standard output)")
        ->allow_extra_args(false);
    cmd->add_option("--fail-on", opt.fail_on, "Lowest severity that makes the exit code 1")
        ->check(CLI::IsMember({"error", "warning", "info"}));
    cmd->add_option("--waivers", opt.waiver_files, "A waiver file (JSON, schemas/waivers.schema.json); repeatable")
        ->allow_extra_args(false);
    cmd->add_option("--today", opt.today, "The date waivers expire against and rules read as `today`, YYYY-MM-DD (default: today in UTC)")
        ->check(non_empty());
    cmd->add_flag("--timings", opt.timings, "Print the wall time and resident memory after each stage (rules, plan, inventory, simulate, render and write) on standard error")->check(kTrueOrFalse);
    cmd->add_flag("-q,--quiet", opt.quiet, "Text report: only the failing findings (at or above --fail-on, not waived) and the summary")->check(kTrueOrFalse);
    cmd->add_flag("--explain", opt.explain, "Show, for each rule on each target, whether it fired and the values it compared")->check(kTrueOrFalse);
    cmd->add_option("--skip-rule", opt.skip_rules,
                    "Leave out the findings of a rule for this run (shown as an override in every report); repeatable, "
                    "or RULE,RULE. Locked rules (plan.unmodeled-call, ...) cannot be skipped")
        ->type_name("RULE")
        ->allow_extra_args(false);
    cmd->add_option("--severity", opt.severities,
                    "The rule's severity for this run (LEVEL: error, warning or info; shown in every report); repeatable, "
                    "or RULE=LEVEL,RULE=LEVEL. Locked rules cannot be lowered")
        ->type_name("RULE=LEVEL")
        ->allow_extra_args(false);
    cmd->callback([&, cmd] { result = run_check(common, opt, *cmd); });
}

}  // namespace opguard::cli
