#pragma once
// Text from inputs (plans, scripts, templates, inventories, file names) shown in reports and
// messages: the helpers every output uses so that no input bytes can make a report fail to
// parse, or act on the terminal or CI log that shows it (SECURITY.md "Valid output").
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace opguard {

// Byte offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
// surrogates U+D800..U+DFFF and values past U+10FFFF are invalid), or npos when `s` is valid.
size_t first_invalid_utf8(std::string_view s);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD (one per maximal invalid subpart,
// as Unicode recommends); `s` itself when it is valid.
std::string valid_utf8(std::string_view s);

// The same replacement for text handed over in pieces (a sequence may be split between
// two pieces): feed() every piece, then finish().
class Utf8Filter {
public:
    using Sink = std::function<void(std::string_view)>;
    explicit Utf8Filter(Sink sink) : sink_(std::move(sink)) {}
    void feed(std::string_view piece);
    void finish();

private:
    Sink sink_;
    std::string carry_;  // an incomplete sequence at the end of the last piece
};

// Control characters shown as \u00XX: C0 (all of them, or all but tab and newline when
// `keep_layout`), DEL and the C1 controls U+0080..U+009F (CSI U+009B starts a terminal
// sequence on many terminals). Expects valid UTF-8.
std::string visible_controls(std::string_view s, bool keep_layout);

// A line that starts, after blanks, with "::" is a workflow command to GitHub Actions (on
// standard output and standard error alike). In `s`, every such line gets its first ':'
// written as \u003a, so text taken from an input cannot issue one.
std::string no_workflow_commands(std::string_view s);

// A file name or other input text for a one-line message: valid UTF-8, every control
// character visible (newlines included), no workflow command.
std::string displayable(std::string_view s);

}  // namespace opguard
