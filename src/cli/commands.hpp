#pragma once
// One setup_x / run_x pair per subcommand (check.cpp, rules_cmd.cpp); main.cpp wires them.
#include <CLI/CLI.hpp>
#include "dsl/rule_set.hpp"
#include "report/render.hpp"
#include <functional>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace opguard::cli {

// Exit codes (README "Exit codes").
inline constexpr int kExitOk = 0;        // no finding at or above --fail-on
inline constexpr int kExitFindings = 1;  // at least one finding at or above --fail-on
inline constexpr int kExitInput = 2;     // usage error, or unreadable / malformed plan, inventory or rules
inline constexpr int kExitInternal = 3;  // a bug in opguard: please report it

// A flag's value, when one is written (--quiet=false turns off a configuration file's
// quiet: true): true or false, nothing else (--no-color=2 is a usage error, not "on").
inline const CLI::Validator kTrueOrFalse(
    [](std::string& v) { return v == "true" || v == "false" ? std::string() : "takes true or false (or no value), not '" + v + "'"; },
    "");

// For options whose empty value would read as "not given" (--today "", --parameters "$UNSET"):
// an empty value is a usage error, never a silently dropped input.
inline CLI::Validator non_empty() {
    return CLI::Validator(
        [](std::string& s) { return s.empty() ? std::string("an empty value was given (an unset variable?)") : std::string(); }, "",
        "NONEMPTY");
}

struct CommonOptions {
    std::vector<std::string> rule_dirs;
    bool no_builtin_rules = false;
    bool no_color = false;  // --no-color (NO_COLOR in the environment does the same)
};

struct CheckOptions {
    std::string plan;
    std::vector<std::string> inventory;
    std::vector<std::string> inventory_kinds;  // --inventory-kind KIND or KIND=FILE
    std::string plan_format = "auto";  // --plan-format (input/adapters/plan_formats.hpp)
    std::string parameters;            // --parameters FILE|JSON: an OOS template's execution parameters
    std::vector<std::string> formats;
    std::vector<std::string> outputs;
    std::string fail_on = "error";
    std::vector<std::string> waiver_files;
    std::string today;     // YYYY-MM-DD; "" = the current UTC date
    bool explain = false;
    bool timings = false;  // --timings: each stage's wall time on standard error
    bool quiet = false;    // --quiet: the text report holds the failing findings and the summary
    std::vector<std::string> skip_rules;  // --skip-rule ID
    std::vector<std::string> severities;  // --severity ID=LEVEL
    // Set by main from the configuration file (config_file.hpp), not by an option: the file
    // read, and for each key taken from it, the line:col of each of its values.
    std::string config_file;
    std::map<std::string, std::vector<Position>> config_positions;
};

void setup_check(CLI::App& app, CommonOptions& common, CheckOptions& opt, int& result);

// The allocator of the binary, for --version (src/cli/allocator.cpp).
std::string allocator_description();
// Inputs (plan and inventory files) larger than this are checked on 4 KiB heap pages.
inline constexpr std::uintmax_t kLargeInputBytes = std::uintmax_t(64) << 20;
// Before a check reads its plan: 4 KiB heap pages from now on when the input is larger
// than kLargeInputBytes, unless MIMALLOC_LARGE_OS_PAGES in the environment decided. Returns
// what the heap's pages are from now on and why ("4 KiB from here on: the input (plan and
// inventory) is N bytes, over 64 MiB"), or "" when the C library's malloc is in use.
std::string choose_heap_pages_for_input(std::uintmax_t input_bytes);
void setup_rules(CLI::App& app, CommonOptions& common, int& result);
// `inventory PLAN`: the script that saves what check needs for PLAN (inventory_cmd.cpp).
void setup_inventory(CLI::App& app, CommonOptions& common, int& result);
// `man` and `completion bash|zsh|fish`, written from the whole of `app` (shell_support.cpp).
void setup_shell_support(CLI::App& app, int& result);

// `rules doc`: the Markdown rule reference (docs/rules.md) of `rules`, with examples from
// the test cases under `case_dirs` (rules_doc.cpp).
std::string rules_doc(SourceRegistry& sources, const RuleSet& rules, const std::vector<std::string>& case_dirs);

// "error" | "warning" | "info" (already checked by CLI11) => Severity.
Severity parse_severity(const std::string& s);

// Writes `data` to `path` atomically (a temporary file in the same folder, then rename), so
// a failed run never leaves a half-written report. "-" is standard output. What happens to
// symbolic links, FIFOs and devices: output_files.cpp.
void write_output(const std::string& path, const std::string& data);

// Writes several (path, data) reports: all of them or none. Files are staged in temporary
// files first; if any cannot be written, or standard output fails, every temporary file is
// removed and no existing report is touched. Throws InputError "output.unwritable".
void write_outputs(const std::vector<std::pair<std::string, std::string>>& outputs);
// A report to write: where ("-" for standard output), and what produces its bytes, piece
// by piece, into the sink it is given.
struct OutputJob {
    std::string path;
    std::function<void(const Sink&)> produce;
};
// write_outputs for reports rendered as they are written: each file report streams into its
// temporary file; standard output and devices get theirs after every file is complete.
void write_outputs(const std::vector<OutputJob>& jobs);
// Gives each closed standard stream (0, 1, 2) /dev/null opened read-only, so no file opguard
// opens takes its place and writing to it fails with EBADF (output_files.cpp).
void guard_standard_streams();

}  // namespace opguard::cli
