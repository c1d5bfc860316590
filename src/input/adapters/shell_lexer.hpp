#pragma once
// split_shell_commands: shell script text => the simple commands it runs, each a list of
// words after quote removal, every byte of every word mapped back to its offset in the
// script. Enough of POSIX sh / bash for scripts of CLI calls: comments, '...' and "...",
// backslash escapes and backslash-newline continuations, ; && || | & and newlines,
// ( ) and { } grouping, redirections (dropped), here-documents (skipped), compound-command
// keywords (if/then/do/...: dropped; for/case/select headers: dropped), and the commands
// inside $( ... ) and ` ... ` (returned before the command that contains them).
// Parameter expansions ($VAR, ${...}), command substitutions and arithmetic are kept as
// written and marked: opguard never runs or guesses them.
#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace opguard::adapters {

struct ShellWord {
    std::string text;                 // the word as the command receives it; expansions kept as written
    std::vector<uint32_t> offsets;    // offsets[i]: offset in the script of text[i] (0-based bytes)
    uint32_t begin = 0;               // the word as written: [begin, end) in the script
    uint32_t end = 0;
    std::vector<std::pair<uint32_t, uint32_t>> expansions;  // [begin, end) of each $... / `...` in the script
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
    std::optional<uint32_t> unterminated;
    char unterminated_quote = 0;      // '\'' or '"'
};

// Never throws on odd input: an unterminated quote stops the script there (see above); an
// unterminated substitution runs to the end of the text.
std::vector<ShellCommand> split_shell_commands(std::string_view text);

// What bash does with the command's unterminated quote (cmd.unterminated), for a finding there.
std::string unterminated_quote_message(const ShellCommand& cmd);

// The word's source text as written (quotes included), for messages.
std::string written(std::string_view text, const ShellWord& w);

// The word of `words` (in script order, as a ShellCommand holds them) that starts at offset
// `at` in the script, or nullptr.
const ShellWord* word_starting_at(const std::vector<ShellWord>& words, uint32_t at);

// The word's text before its first expansion: "--DesktopId." of --DesktopId.$i.
std::string text_before_expansion(const ShellWord& w);

}  // namespace opguard::adapters
