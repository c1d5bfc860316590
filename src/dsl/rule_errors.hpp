#pragma once
// Errors in rule files, collected rather than thrown one at a time: the parser recovers at
// the next item and the compiler goes on with the next property or item, so a rule author
// sees every error of every rule file in one run. Printed one a line, sorted by file (in the
// order the files were loaded) and position:
//   FILE:LINE:COL: error[ID]: MESSAGE
// at most kPrinted of them, then one line counting the rest.
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/source.hpp"

namespace opguard {

// One error of a rule file. `file` indexes the SourceRegistry; pos is 1-based ({0,0}: none).
struct RuleError {
    uint32_t file = Origin::kNoFile;
    Position pos;
    std::string id;       // stable: rules.syntax, rules.unclosed, rules.unknown-function, ...
    std::string message;
};

// Thrown by RuleErrors::throw_if_any: an InputError for the first error (so a caller that
// reads one error still gets the first), whose what() is every printed line.
class RuleErrorList : public InputError {
public:
    RuleErrorList(std::vector<InputError> errors, size_t total);
    const char* what() const noexcept override { return text_.c_str(); }
    const std::vector<InputError>& errors() const { return errors_; }  // sorted; at most RuleErrors::kKept
    size_t total() const { return total_; }                          // all errors found, kept or not

private:
    std::vector<InputError> errors_;
    size_t total_;
    std::string text_;
};

class RuleErrors {
public:
    static constexpr size_t kPrinted = 50;   // lines printed; "N more" counts the rest
    static constexpr size_t kKept = 1000;    // errors kept in memory; a hostile file may have more
    static constexpr size_t kMaxMessage = 2000;  // bytes of one message; longer ones end in "..."

    explicit RuleErrors(const SourceRegistry& sources) : sources_(sources) {}
    // An error at byte `o.offset` of file `o.file`.
    void add(Origin o, std::string id, std::string message);
    // An error already located (a thrown InputError) in file `file`.
    void add(uint32_t file, const InputError& e);
    size_t count() const { return total_; }
    bool empty() const { return total_ == 0; }
    // Throws RuleErrorList when there is an error.
    void throw_if_any() const;

private:
    const SourceRegistry& sources_;
    std::vector<RuleError> kept_;
    size_t total_ = 0;
};

// The text of a "did you mean" hint, " (did you mean 'X'?)", when one of `candidates` is a
// plausible misspelling of `name` (edit distance at most a third of its length, ASCII case
// ignored, names of three letters or more); "" otherwise.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace opguard
