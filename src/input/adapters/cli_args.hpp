#pragma once
// parse_cli_args: the words of one CLI command => its flags (with values) and positionals,
// the way the aliyun CLI's parser reads them (cli/parser.go): a flag token is split at the
// first of `splitters` ("--Name=v", "--Name:v"); a flag that takes a value without an
// inline one takes the next word unless that word is itself a flag; a repeatable flag
// (--pager, --waiter, --output, --header) takes every following non-flag word; a word
// starting with "---" is a value, not a flag. Every value keeps its offsets in the script.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.hpp"
#include "input/adapters/shell_lexer.hpp"

namespace opguard::adapters {

enum class FlagMode { None, Once, Repeatable };

// A part of a word: word->text from `pos` to the end.
struct WordPart {
    const ShellWord* word = nullptr;
    size_t pos = 0;
    std::string text() const { return word ? word->text.substr(pos) : std::string(); }
    uint32_t offset() const;  // where the part is written in the script (an opening quote included)
    // True when a $..., `...` expansion lies in this part.
    bool unresolved() const;
    // The part as written in the script (quotes included), for messages.
    std::string written(std::string_view script) const;
};

struct CliFlag {
    std::string name;          // without the leading dashes
    std::string spelled;       // as written: "--DesktopId.1", "-p"
    uint32_t at = 0;           // offset of the flag in the script
    bool name_unresolved = false;
    std::vector<WordPart> values;  // none for a switch; one for most flags; several for repeatable ones
    bool missing_value = false;    // needs a value and got none
};

struct CliArgs {
    std::vector<CliFlag> flags;
    std::vector<const ShellWord*> positionals;
    struct Problem { std::string flag; std::string message; uint32_t at; };
    std::vector<Problem> problems;   // what the client itself would refuse
};

// `mode(name, shorthand)` tells how a flag takes values; unknown flags are API parameters (Once).
CliArgs parse_cli_args(const std::vector<ShellWord>& words, size_t first, const std::string& splitters,
                       const std::function<FlagMode(const std::string&, bool)>& mode);

// The first of `words` that is a value opguard cannot resolve, or nullptr.
const ShellWord* first_unresolved(const std::vector<const ShellWord*>& words);

// Node helpers: a string value located at its first byte in file `file`.
Node located(const std::string& s, uint32_t file, uint32_t offset);

}  // namespace opguard::adapters
