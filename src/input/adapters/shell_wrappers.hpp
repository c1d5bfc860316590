#pragma once
// cli_invocations: one simple command of a script => the aliyun / hcloud CLI commands it
// runs, directly or through another command. A script that runs the CLI through xargs,
// parallel, find -exec, watch, `bash -c "..."`, `ssh host '...'`, `eval`, `echo ... | sh`, or a function of
// its own (`retry aliyun ecs DeleteInstance ...`) still calls the cloud: such a call must be
// checked like any other, never dropped because the line does not start with `aliyun`.
//
//   - words-as-command runners: the CLI command is the words from the first word named
//     `aliyun` / `hcloud` on. Wrappers that run it once as written (nice, ionice, stdbuf,
//     setsid, taskset, chrt, flock, unbuffer, chronic, caffeinate, proxychains) say nothing;
//     the others say how they may run it (`message`): xargs and parallel once per input item,
//     find -exec once per file, watch repeatedly, an unknown program or a function of the
//     script in ways opguard does not know. Their placeholders ({}, xargs -I STR) and the
//     items xargs appends are unresolved words.
//   - shells: `bash|sh|dash|zsh|ksh|su|runuser ... -c SCRIPT`, `eval 'SCRIPT'`,
//     `ssh [options] host 'SCRIPT'`: SCRIPT is read as a script, its words located in the
//     original file; it runs once.
//   - programs that only name the CLI (echo, printf, which, chmod, cp, curl, ...) run nothing.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "input/adapters/shell_lexer.hpp"

namespace opguard::adapters {

struct CliInvocation {
    ShellCommand command;       // from the CLI's name on, every word located in the script
    std::string wrapper;        // "" (the line is the CLI command) or what runs it: "xargs", "bash -c", "retry"
    std::string message;        // how the wrapper may run it; "" when it runs it once as written
    uint32_t wrapper_at = 0;    // offset of the wrapper's first word
    // The command sources or runs another script (script_run), inside a string that bash -c,
    // eval or ssh runs: the caller reads that script (or says it cannot).
    bool runs_script = false;
    // Nothing names the CLI: an unresolved program followed by what reads as a product and an
    // API (`$ALIYUN_BIN ecs DeleteInstance`). The caller reads it only when the rule set
    // declares that product for the CLI.
    bool guessed = false;
};

// A line that runs or sources another script: `source FILE`, `. FILE`, a shell given a
// script file (`bash deploy.sh`, not -c or -s), or a script run by its path (`./deploy.sh`,
// `scripts/rotate.sh`). The word naming the script, or nullptr.
const ShellWord* script_run(const ShellCommand& c);

// The first word of `cmd` (or of what it reads on standard input) that names the aliyun or
// hcloud CLI, when the program that runs `cmd` may run it (echo, which, chmod ... never do);
// nullptr otherwise. A line for which cli_invocations finds no call but this finds a word is
// one that may call the API in a form opguard does not read.
const ShellWord* unread_cli_word(const ShellCommand& cmd);

// How deep `bash -c` / `eval` / `ssh` strings are read inside one another.
inline constexpr int kMaxWrapperDepth = 4;

// `too_deep` (when given and not yet set) gets the offset of the first such string nested
// deeper than kMaxWrapperDepth, or of substitutions nested deeper than kMaxShellNesting inside
// one: the caller refuses the script there (its calls cannot be read, and are never dropped).
// `syntax_error` (when given and not yet set) gets a string's redirection with nothing to
// redirect to (ShellScript::syntax_error, moved to its offset in the file): the shell that
// runs the string stops there, so the caller refuses the script as for one of its own lines.
struct WrappedSyntaxError {
    uint32_t at = 0;
    std::string token;
};
// `strings_read` (when given) says whether a string or standard input of the command was read as
// a script (bash -c, eval, ssh, a here-document): what it holds was looked at, calls or not.
std::vector<CliInvocation> cli_invocations(const ShellCommand& cmd, std::string_view path, std::optional<uint32_t>* too_deep = nullptr,
                                           std::optional<WrappedSyntaxError>* syntax_error = nullptr, bool* strings_read = nullptr);

}  // namespace opguard::adapters
