// `opguard inventory PLAN`: the shell script of aliyun / hcloud commands that save the
// responses `check PLAN --inventory DIR` reads (engine/inventory_script.hpp).
#include <iostream>

#include "cli/commands.hpp"
#include "engine/inventory_script.hpp"
#include "opguard.hpp"

namespace opguard::cli {

namespace {

struct InventoryOptions {
    std::string plan;
    std::string dir = "inventory";
    std::string plan_format = "auto";
    std::string parameters;
    std::vector<std::string> inventory;  // responses saved so far
};

int run_inventory(const CommonOptions& common, const InventoryOptions& opt) {
    if (opt.dir.empty()) throw InputError("command line", {}, "usage", "--output-dir takes a directory name; found an empty one");
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{!common.no_builtin_rules, common.rule_dirs});
    Plan plan = load_plan_any(sources, opt.plan, rules, opt.plan_format, opt.parameters);
    InventoryScriptOptions so;
    so.dir = opt.dir;
    so.plan_path = opt.plan;
    Inventory saved;
    if (!opt.inventory.empty()) {
        saved = load_inventory(sources, opt.inventory, rules);
        so.inventory = &saved;
    }
    std::cout << inventory_script(sources, plan, rules, so);
    return kExitOk;
}

}  // namespace

void setup_inventory(CLI::App& app, CommonOptions& common, int& result) {
    static InventoryOptions opt;
    auto* cmd = app.add_subcommand(
        "inventory", "Print a shell script of the aliyun / hcloud commands that save the responses check needs for a plan");
    cmd->add_option("plan", opt.plan, "The plan, in any form check reads; - reads it from standard input")->required();
    cmd->add_option("-o,--output-dir", opt.dir,
                    "The directory the script saves the responses in, for check --inventory DIR (default: inventory)");
    cmd->add_option("-i,--inventory", opt.inventory,
                    "Responses saved so far (a JSON file or a directory; repeatable): the rules read them, so objects found "
                    "through saved ones (the image a saved desktop runs) are named too")
        ->allow_extra_args(false);
    cmd->add_option("--plan-format", opt.plan_format,
                    "What the plan file is (default auto: detected from its content), as for check")
        ->check(CLI::IsMember(plan_format_names()));
    cmd->add_option("--parameters", opt.parameters, "An OOS template's execution parameters, as for check")->check(non_empty());
    cmd->callback([&result, &common] { result = run_inventory(common, opt); });
}

}  // namespace opguard::cli
