#include <iostream>

#include "cli/commands.hpp"
#include "opguard.hpp"

namespace opguard::cli {

void setup_rules(CLI::App& app, CommonOptions& common, int& result) {
    auto* cmd = app.add_subcommand("rules", "Inspect the rule set");
    cmd->require_subcommand(1);
    auto* list = cmd->add_subcommand("list", "List every rule: id, severity, operations, basis, source");
    list->callback([&] {
        SourceRegistry sources;
        RuleSet rules = load_rules(sources, RuleSources{!common.no_builtin_rules, common.rule_dirs});
        for (const auto& r : rules.rules) {
            std::string ops;
            for (const auto& o : r.operations) ops += (ops.empty() ? "" : ",") + o;
            std::cout << r.id << "\t" << severity_name(r.severity) << "\t" << ops << "\t" << basis_name(r.basis) << "\t"
                      << r.source << "\n";
        }
        result = kExitOk;
    });
}

}  // namespace opguard::cli
