#include <csignal>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "core/diagnostic.hpp"
#include "core/text_safety.hpp"

int main(int argc, char** argv) {
    using namespace opguard::cli;
    // A reader that closes the pipe early is a write error (EPIPE, exit 2), not a signal.
    std::signal(SIGPIPE, SIG_IGN);
    guard_standard_streams();
    CLI::App app{"opguard: checks cloud desktop and instance operation plans before they run"};
    app.set_version_flag("--version", std::string(OPGUARD_VERSION) + "\n" + allocator_description());
    app.require_subcommand(1);
    // Global options are accepted after the subcommand too (`check PLAN --rules DIR`):
    // what a subcommand does not know falls through to here. Subcommands inherit this.
    app.fallthrough();
    CommonOptions common;
    app.add_option("--rules", common.rule_dirs, "A directory (or file) of .rules files to add; repeatable")
        ->allow_extra_args(false);  // one value per --rules, so `check --rules DIR PLAN` keeps PLAN
    app.add_flag("--no-builtin-rules", common.no_builtin_rules, "Do not load the rules built into opguard");
    app.add_flag("--no-color", common.no_color, "No colours in the text report (also when NO_COLOR is set; never in files or pipes)");
    CheckOptions check;
    int result = kExitOk;
    setup_check(app, common, check, result);
    setup_rules(app, common, result);
    setup_shell_support(app, result);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kExitOk : kExitInput;
    } catch (const opguard::InputError& e) {
        std::cerr << opguard::format_input_error(e) << "\n";
        return kExitInput;
    } catch (const std::exception& e) {
        std::cerr << "opguard: internal error: " << opguard::displayable(e.what()) << "\n";
        return kExitInternal;
    }
    // `rules` commands print to std::cout: a closed or broken standard output is an error there too.
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "standard output: error[output.unwritable]: writing failed\n";
        return kExitInput;
    }
    return result;
}
