#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "cli/commands.hpp"
#include "engine/explain.hpp"
#include "engine/waivers.hpp"
#include "opguard.hpp"

namespace opguard::cli {

void write_output(const std::string& path, const std::string& data) {
    if (path == "-" || path.empty()) {
        std::cout << data;
        std::cout.flush();
        return;
    }
    if (path == "/dev/null" || path == "/dev/stdout" || path == "/dev/stderr") {
        std::ofstream out(path, std::ios::binary);
        out << data;
        return;
    }
    std::filesystem::path target(path);
    std::filesystem::path tmp = target;
    tmp += ".opguard-tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw InputError(path, {}, "output.unwritable", "cannot write the report here");
        out << data;
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw InputError(path, {}, "output.unwritable", "writing the report failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, target, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw InputError(path, {}, "output.unwritable", "cannot move the report into place: " + ec.message());
    }
}

static int run_check(const CommonOptions& common, const CheckOptions& opt) {
    std::vector<std::string> formats = opt.formats.empty() ? std::vector<std::string>{"text"} : opt.formats;
    if (opt.outputs.size() > formats.size())
        throw InputError("command line", {}, "usage", "more --output than --format options: each --output follows its --format");
    if (!opt.today.empty() && !valid_date(opt.today))
        throw InputError("command line", {}, "usage", "--today takes a date written YYYY-MM-DD; found '" + opt.today + "'");
    const std::string today = opt.today.empty() ? today_utc() : opt.today;

    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{!common.no_builtin_rules, common.rule_dirs});
    // The plan and the waivers are read before the (larger) inventory so a broken one fails fast.
    Plan plan = load_plan(sources, opt.plan, rules);
    std::vector<Waiver> waivers = plan_waivers(sources, plan, rules);
    for (const auto& file : opt.waiver_files)
        for (auto& w : load_waiver_file(sources, file, rules)) waivers.push_back(std::move(w));
    InventoryOptions io;
    io.kind_override = opt.inventory_kind;
    Inventory inv = load_inventory(sources, opt.inventory, rules, io);

    SimulateOptions so;
    std::vector<RuleExplanation> explanations;
    if (opt.explain)
        so.on_rule = [&](const RuleEvaluation& ev) { explanations.push_back(explain_evaluation(ev, rules, plan.calls.size())); };
    Report report = simulate(sources, plan, inv, rules, so);
    report.explanations = std::move(explanations);
    apply_waivers(report, waivers, today);

    RenderOptions ro;
    ro.tool_version = OPGUARD_VERSION;
    ro.fail_on = parse_severity(opt.fail_on);
    // Render everything first so that a failure leaves no partial set of reports.
    std::vector<std::string> rendered;
    for (const auto& f : formats) rendered.push_back(render(report, f, ro));
    for (size_t i = 0; i < formats.size(); ++i) write_output(i < opt.outputs.size() ? opt.outputs[i] : "-", rendered[i]);
    return exit_code(report, ro.fail_on) ? kExitFindings : kExitOk;
}

Severity parse_severity(const std::string& s) {
    return s == "info" ? Severity::Info : s == "warning" ? Severity::Warning : Severity::Error;
}

void setup_check(CLI::App& app, CommonOptions& common, CheckOptions& opt, int& result) {
    auto* cmd = app.add_subcommand("check", "Check a plan of API calls against saved inventory and the rules");
    cmd->add_option("plan", opt.plan, "The plan: a JSON file of API calls")->required();
    cmd->add_option("-i,--inventory", opt.inventory, "A saved API response (JSON file) or a directory of them; repeatable")
        ->required();
    cmd->add_option("--inventory-kind", opt.inventory_kind, "Resource kind of bare-array inventory files (e.g. desktop)");
    cmd->add_option("-f,--format", opt.formats,
                    "Output format: text, json, sarif, junit, github or markdown; repeat with --output for several")
        ->check(CLI::IsMember(format_names()));
    cmd->add_option("-o,--output", opt.outputs, "File for the matching --format (default: standard output)");
    cmd->add_option("--fail-on", opt.fail_on, "Lowest severity that makes the exit code 1")
        ->check(CLI::IsMember({"error", "warning", "info"}));
    cmd->add_option("--waivers", opt.waiver_files, "A waiver file (JSON, schemas/waivers.schema.json); repeatable");
    cmd->add_option("--today", opt.today, "The date waivers expire against, YYYY-MM-DD (default: today in UTC)");
    cmd->add_flag("--explain", opt.explain, "Show, for each rule on each target, whether it fired and the values it compared");
    cmd->callback([&] { result = run_check(common, opt); });
}

}  // namespace opguard::cli
