#pragma once
// The configuration file of `check` (.opguard.yaml, --config FILE, --no-config) and
// `opguard config` (config_file.cpp).
#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace opguard::cli {

// Everything the command line writes into.
struct AppState {
    CommonOptions common;
    CheckOptions check;
    int result = kExitOk;
};
// Defines opguard's whole command line on `app`, writing into `state` (main.cpp).
using AppBuilder = std::function<void(CLI::App& app, AppState& state)>;

struct ConfigResult {
    std::vector<std::string> args;  // the command line with --config/--no-config removed and the file's settings added
    std::string file;               // the configuration file read, "" for none
    std::map<std::string, std::string> origins;  // key -> "FILE:LINE:COL", "command line", ...
    // For each key whose values come from the file: the line:col of each value, in order
    // (a list's items; a scalar's one value).
    std::map<std::string, std::vector<Position>> value_positions;
};

// Command-line arguments (without the program name) => the arguments to parse. Reads the
// configuration file when the command is `check`: --config FILE, else ./.opguard.yaml when it
// exists; --no-config reads none. Throws InputError (config.*) at the file's line:col for
// malformed YAML, an unknown key, a value of the wrong type, or a value the option refuses.
ConfigResult apply_config(const std::vector<std::string>& args, const AppBuilder& build);

// `opguard config [CHECK ARGUMENTS]`: prints every setting of `check`, its value and where it
// came from (command line, FILE:LINE:COL, default), as YAML with comments. Returns the exit code.
int print_config(const std::vector<std::string>& check_args, const AppBuilder& build);

}  // namespace opguard::cli
