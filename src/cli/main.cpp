#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <unistd.h>
#include <new>
#include <exception>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "core/diagnostic.hpp"
#include "core/redact.hpp"
#include "core/text_safety.hpp"
#include "input/json_reader.hpp"

namespace {

using namespace opguard::cli;

// opguard's whole command line. Built once for the run, and again by the configuration file
// reader to see what a command line sets (config_file.cpp).
void build_app(CLI::App& app, AppState& st) {
    app.set_version_flag("--version", std::string(OPGUARD_VERSION) + "\n" + allocator_description() + "\njson reader: " + opguard::json_reader_description());
    app.require_subcommand(1);
    // Global options are accepted after the subcommand too (`check PLAN --rules DIR`):
    // what a subcommand does not know falls through to here. Subcommands inherit this.
    app.fallthrough();
    CommonOptions& common = st.common;
    app.add_option("--rules", common.rule_dirs, "A directory (or file) of .rules files to add; repeatable")
        ->allow_extra_args(false);  // one value per --rules, so `check --rules DIR PLAN` keeps PLAN
    app.add_flag("--no-builtin-rules", common.no_builtin_rules, "Do not load the rules built into opguard")->check(kTrueOrFalse);
    app.add_flag("--no-color", common.no_color, "No colours in the text report (also when NO_COLOR is set; never in files or pipes)")->check(kTrueOrFalse);
    // Read before parsing (config_file.cpp); defined here so --help, the manual and completions show them.
    static std::string config_file;
    static bool no_config = false;
    app.add_option("--config", config_file, "The configuration file of check (default: .opguard.yaml in the working directory, when it exists)");
    app.add_flag("--no-config", no_config, "Read no configuration file")->check(kTrueOrFalse);
    setup_check(app, common, st.check, st.result);
    setup_rules(app, common, st.result);
    setup_inventory(app, common, st.result);
    setup_shell_support(app, st.result);
    auto* config = app.add_subcommand("config", "Print the effective settings of check (configuration file and command line) and where each came from; takes the arguments of check: opguard config PLAN -i DIR ...");
    config->prefix_command();  // everything after `config` is check's command line
    config->fallthrough(false);
    config->callback([config, &st] { st.result = print_config(config->remaining(), build_app); });
}

// A usage error quotes the command line as given, in the parser's order ("not expected:
// X --access-key-secret" puts a value before its flag): every value of a flag with a secret's
// name (--password=X, --access-key-secret X) is hidden wherever it appears, and the whole
// message then passes through redact_text, as every other error message does.
std::string redact_usage(std::string message, const std::vector<std::string>& args) {
    const opguard::SecretNames& names = opguard::builtin_secret_names();
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const size_t b = a.find_first_not_of('-');
        if (a.empty() || a[0] != '-' || b == std::string::npos) continue;
        const size_t eq = a.find('=', b);
        if (!names.is_secret(a.substr(b, eq == std::string::npos ? std::string::npos : eq - b))) continue;
        const std::string value = eq != std::string::npos ? a.substr(eq + 1) : i + 1 < args.size() ? args[i + 1] : "";
        if (value.empty()) continue;
        for (size_t at = message.find(value); at != std::string::npos; at = message.find(value, at + std::strlen(opguard::kRedacted)))
            message.replace(at, value.size(), opguard::kRedacted);
    }
    return opguard::redact_text(message, names);
}

// What a command printed to standard output reaches it, or the run fails: a closed or
// broken standard output is exit 2 with the operating system's cause, for every command
// (--help and --version included), as it is for the reports check writes.
int finish_output(int code) {
    errno = 0;
    std::cout.flush();
    if (std::cout) return code;
    int err = errno;
    // The stream failed on an earlier write, whose errno is gone: one byte more says why
    // (it cannot reach a reader: the stream has already failed).
    if (err == 0 && ::write(STDOUT_FILENO, "\n", 1) < 0) err = errno;
    std::cerr << "standard output: error[output.unwritable]: writing failed" << (err ? std::string(": ") + std::strerror(err) : std::string())
              << "\n";
    return kExitInput;
}

}  // namespace

// Memory runs out where an exception cannot leave (a destructor, a noexcept move): the
// program would abort (exit 134, nothing said). It says why and exits 3 instead, as an
// internal error caught in main does. Only async-signal-safe calls: the heap is exhausted.
[[noreturn]] void on_terminate() {
    const char* why = "opguard: internal error: terminated\n";
    if (std::exception_ptr e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const std::bad_alloc&) {
            why = "opguard: out of memory (the inputs need more memory than this machine or its limits give; see the README, Robustness)\n";
        } catch (...) {
        }
    }
    const ssize_t ignored = ::write(STDERR_FILENO, why, std::strlen(why));
    (void)ignored;
    std::_Exit(kExitInternal);
}

int main(int argc, char** argv) {
    std::set_terminate(on_terminate);
    // A reader that closes the pipe early is a write error (EPIPE, exit 2), not a signal.
    std::signal(SIGPIPE, SIG_IGN);
    guard_standard_streams();
    CLI::App app{"opguard: checks cloud desktop and instance operation plans before they run"};
    app.name(argc > 0 ? argv[0] : "opguard");
    AppState st;
    build_app(app, st);
    try {
        ConfigResult cfg = apply_config(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc), build_app);
        // Where the file's values were written, for errors and reports that name them (--skip-rule, --severity).
        st.check.config_file = cfg.file;
        st.check.config_positions = cfg.value_positions;
        std::reverse(cfg.args.begin(), cfg.args.end());
        app.parse(cfg.args);
    } catch (const CLI::ParseError& e) {
        // --help and --version print and exit 0. Any other parse error is one line with an
        // error id, as every input error is; what it quotes of the command line (a file name,
        // a --format value) is shown with control characters escaped, so that a name holding
        // a newline or an escape sequence cannot forge a line of its own (::error ...).
        if (e.get_exit_code() == 0) return finish_output(app.exit(e));
        const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
        std::cerr << "command line: error[usage]: " << opguard::displayable(redact_usage(e.what(), args))
                  << " (opguard --help lists the options)\n";
        return kExitInput;
    } catch (const opguard::InputError& e) {
        std::cerr << opguard::format_input_error(e) << "\n";
        return kExitInput;
    } catch (const std::bad_alloc&) {
        std::cerr << "opguard: out of memory (the inputs need more memory than this machine or its limits give; see the README, Robustness)\n";
        return kExitInternal;
    } catch (const std::exception& e) {
        std::cerr << "opguard: internal error: " << opguard::displayable(e.what()) << "\n";
        return kExitInternal;
    }
    // `rules` commands print to std::cout: a closed or broken standard output is an error there too.
    return finish_output(st.result);
}
