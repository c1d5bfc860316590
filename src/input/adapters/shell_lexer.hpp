#pragma once
// split_shell_commands: shell script text => the simple commands it runs, each a list of
// words after quote removal, every byte of every word mapped back to its offset in the
// script. Enough of POSIX sh / bash for scripts of CLI calls: comments, '...' and "...",
// backslash escapes and backslash-newline continuations, ; && || | & and newlines,
// ( ) and { } grouping, redirections (dropped), here-documents (skipped), compound-command
// keywords (if/then/do/...: dropped; for/case/select headers: dropped), and the commands
// inside $( ... ) and ` ... ` (returned before the command that contains them).
// Command substitutions and arithmetic are kept as written and marked: opguard never runs or
// guesses them. Shell variables are resolved only where bash's value is certain:
//   - a straight-line assignment (X=v, export/readonly/declare [-x|-r|-g] X=v; quoted or
//     not; X+=v; X=$Y of a resolved Y), i.e. one that runs at the top level of the script,
//     not inside if/while/until/for/select/case, a { } group or function body, a ( )
//     subshell, a $( ) substitution, a && / || list, a pipeline or a background command,
//     sets X for every later $X / ${X} / "$X" / ${X:-d} / ${X-d};
//   - `for X in WORDS; do BODY; done` where every word is literal or resolved (an unquoted
//     resolved $V splits on blanks; no glob, brace expansion or IFS change): BODY's commands
//     are returned once per word, in bash's order, with X set to the word (bounded by
//     kMaxUnrolledCommands and kMaxUnrolledBytes);
//   - an assignment anywhere else (and `read X`, any other for loop variable, `local X=v`, a value
//     computed when the script runs, an array) makes X unresolved from there on; so does a
//     `source`/`.`/`eval` for every variable; the word's `why` says which and where;
//   - a prefix assignment (X=v cmd) only sets X in that command's environment: bash expands
//     the command's words before, so it resolves nothing;
//   - `unset X` (straight-line) makes $X empty and ${X:-d} d; a variable the script never
//     assigned comes from the environment and stays unresolved (${X:-d} too: the
//     environment may set X);
//   - a word that is one unquoted $X / ${X} of a certain value with blanks (CMD="aliyun ecs
//     RebootInstance"; $CMD ...) is split into the words bash splits it into (default IFS);
//     any other unquoted value that bash would split or glob (spaces, * ? [), or that is
//     empty, stays unresolved; other ${...} forms (${#X}, ${X/a/b}, ...) stay unresolved.
#include <cstdint>
#include <string>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace opguard::adapters {

// A variable reference in a word ($X, ${X}, ${X:-d}, ${X-d}), resolved when its command runs.
struct ShellVarRef {
    uint32_t begin = 0, end = 0;  // the expansion as written
    std::string name;             // "" when the form is not one opguard evaluates
    std::string op;               // "", ":-" or "-"
    std::string fallback;         // the literal word after op
    bool quoted = false;          // inside "..."
    std::string index;            // ${X[@]}: "@", ${X[*]}: "*", ${X[2]}: "2"; "" for none
};

struct ShellWord {
    std::string text;                 // the word as the command receives it; expansions kept as written
    std::vector<uint32_t> offsets;    // offsets[i]: offset in the script of text[i] (0-based bytes)
    uint32_t begin = 0;               // the word as written: [begin, end) in the script
    uint32_t end = 0;
    std::vector<std::pair<uint32_t, uint32_t>> expansions;  // [begin, end) of each unresolved $... / `...` in the script
    // Why an unresolved expansion could not be resolved, keyed by the expansion's begin
    // ("REGION is assigned inside an if at deploy.sh:3:5").
    std::vector<std::pair<uint32_t, std::string>> why;
    // The values of the word's variables that are certain but stay unresolved because bash
    // would split or glob them ($GLOB of 'aliyun ecs ... i-*'), blank-separated: what the word
    // may run, for the checks that a line names the CLI.
    std::string held;
    std::vector<std::string> unresolved_names;  // the variables of its references left unresolved ($line of `read line`)
    std::vector<ShellVarRef> vars;    // the lexer's own bookkeeping (cleared once resolved)
    bool unresolved() const { return !expansions.empty(); }
    // Offset in the script of text[i]; `end` for i == text.size().
    uint32_t offset_of(size_t i) const { return i < offsets.size() ? offsets[i] : end; }
};

struct ShellCommand {
    std::vector<ShellWord> words;     // assignments, wrappers and keywords already removed
    // A quote this command opens and never closes ('...', "...", $'...', $"..."): bash reads to
    // the end of the file, stops with "unexpected EOF while looking for matching `\"'" and runs
    // neither this command nor anything after it. `unterminated` is the offset of the opening
    // quote; the word holding it ends at the end of that quote's line (no value spans lines
    // bash never accepted), and nothing after it is read as a command.
    // The same for a command substitution $( or ` or a parameter expansion ${ that is never
    // closed (bash: "unexpected EOF while looking for matching `)'").
    std::optional<uint32_t> unterminated;
    char unterminated_quote = 0;      // what bash looks for: '\'' or '"' (quotes), ')' for $(, '}' for ${, '`'
    // A command of the body of a `for NAME in WORDS` loop whose words are all literal (or
    // resolved): the body is returned once per word, in the order bash runs it, NAME set to
    // the word; `iteration` is the word's 1-based position (0: not in such a loop).
    uint32_t iteration = 0;
    // The command's output is piped into a shell that reads its script from standard input
    // (`echo aliyun ecs StopInstance ... | sh`, `printf '...' | bash -s`): that shell runs
    // what this command prints; so does one in `source <(...)` or `bash < <(...)`.
    bool piped_to_shell = false;
    bool piped = false;  // its output is piped into the next command (`cmd | next`)
    // The function of the script whose body holds the command ("" at the top level), and,
    // for a copy made where the function is called (expand_functions), where that call is.
    std::string function;
    uint32_t function_at = 0;  // where that function's body opens (a function defined again has another)
    std::optional<uint32_t> called_at;
    std::optional<ShellWord> stdin_file;  // the file of its `< FILE` redirection, as written
    // What the command reads on standard input, as written: each here-document's body
    // (`bash -s <<EOF`, `ssh host <<'EOF'`) and each here-string's word (`sh <<< "..."`).
    std::vector<ShellWord> input_texts;
    std::vector<uint32_t> input_ids;  // the lexer's own bookkeeping (empty once returned)
    // The `while` or `until` keyword whose condition this command is (`until aliyun ...; do
    // sleep 5; done`): the loop runs it once per round, so it may be sent many times.
    std::optional<ShellWord> loop_condition;
};

// The shells opguard knows to read a script (a -c string, standard input or a file) the way
// sh does: bash, sh, dash, zsh, ksh, mksh, ash. `name` is the program's base name.
bool is_shell_program(std::string_view name);

// Where a shell command (sh, bash, dash, zsh, ksh, ash, mksh) takes its script from: a -c
// string, standard input (no operand, or -s and the positional parameters after it), or the
// file its first operand names (`bash -e deploy.sh`, `sh -- x.sh`). NotShell for any other
// command.
struct ShellScriptSource {
    enum Kind { NotShell, String, Stdin, File } kind = NotShell;
    const ShellWord* file = nullptr;  // File: the word naming it
};
ShellScriptSource shell_script_source(const ShellCommand& c);

// How deep command substitutions ($( ) and ` `, process substitutions) may nest. bash has
// no such bound; a deeper script is refused (ShellScript::too_deep) rather than read in part.
inline constexpr int kMaxShellNesting = 64;

// How far a `for NAME in WORDS` loop over literal words is unrolled: at most this many
// commands in all (words x commands of the body), and at most this many bytes of their
// words. A larger loop is read once with NAME unresolved, and the warning says why.
inline constexpr size_t kMaxUnrolledCommands = 20000;
inline constexpr size_t kMaxUnrolledBytes = size_t{16} << 20;

// At most this many bytes of variable values are put in place of references in one script
// (each value once per reference): `A1="$A0$A0"` repeated doubles a value on every line, and
// 30 such lines would ask for gigabytes. A reference past the budget stays unresolved, and its
// warning says why.
inline constexpr size_t kMaxExpandedBytes = size_t{8} << 20;

struct ShellScript {
    std::vector<ShellCommand> commands;
    std::set<std::string> read_variables;  // the variables `read`, `mapfile` or `readarray` set (values read when it runs)
    // Offset of the substitution that opens nesting level kMaxShellNesting + 1; nothing after
    // it is read.
    std::optional<uint32_t> too_deep;
    // The quote or substitution left open (as ShellCommand::unterminated), whether or not a
    // command holding it was returned (X="... assigns and returns none).
    std::optional<uint32_t> unterminated;
    char unterminated_quote = 0;
    // A redirection with nothing to redirect to (`--InstanceId <ID>` at the end of a line,
    // `> |`): bash stops with "syntax error near unexpected token `TOKEN'" and runs neither
    // the complete command holding it nor anything after it; those commands are left out.
    std::optional<uint32_t> syntax_error;  // offset of the redirection operator
    std::string syntax_token;              // "newline", "|", ";;", ...
};

// `path` only names the file in the `why` of unresolved variables (file:line:col).
ShellScript read_shell_script(std::string_view text, std::string_view path = {});

// Never throws on odd input: an unterminated quote stops the script there (see above); an
// unterminated substitution runs to the end of the text.
std::vector<ShellCommand> split_shell_commands(std::string_view text);  // read_shell_script(text).commands

// What bash does with the command's unterminated quote or substitution (cmd.unterminated),
// for a finding there.
std::string unterminated_quote_message(const ShellCommand& cmd);
// What is left open at cmd.unterminated, as written: "'", "\"", "$(", "${", "`".
std::string unterminated_opening(const ShellCommand& cmd);

// Why the expansions of `w` at or after offset `from` are unresolved ("; "-joined), or "".
std::string why_unresolved(const ShellWord& w, uint32_t from = 0);

// The word's source text as written (quotes included), for messages; followed by why it is
// unresolved, in parentheses, when the word says.
std::string written(std::string_view text, const ShellWord& w);

// The word of `words` (in script order, as a ShellCommand holds them) that starts at offset
// `at` in the script, or nullptr.
const ShellWord* word_starting_at(const std::vector<ShellWord>& words, uint32_t at);

// The word's text before its first expansion: "--DesktopId." of --DesktopId.$i.
std::string text_before_expansion(const ShellWord& w);

}  // namespace opguard::adapters
