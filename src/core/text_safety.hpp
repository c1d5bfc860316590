#pragma once
// Text from inputs (plans, scripts, templates, inventories, file names) shown in reports and
// messages: the helpers every output uses so that no input bytes can make a report fail to
// parse, or act on the terminal or CI log that shows it (SECURITY.md "Valid output").
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
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

// `s` when it has at most `max` bytes; else its first `keep` bytes or fewer, cut at a UTF-8
// character boundary, and "..." (for messages that quote long input).
std::string shortened(std::string_view s, size_t max, size_t keep);

// The code point of the UTF-8 sequence at s[i], and i moved past it. A byte that starts no
// complete sequence is returned as itself and i moves past that byte only.
uint32_t next_code_point(std::string_view s, size_t& i);

// A code point that shows nothing on its own: white space, controls, the default-ignorable
// code points of Unicode (U+00AD, U+034F, U+061C, the Hangul fillers U+115F U+1160 U+3164
// U+FFA0, U+17B4 U+17B5, U+180B..U+180F, U+200B..U+200F, U+202A..U+202E, U+2060..U+206F,
// the variation selectors, U+FEFF, U+FFF0..U+FFF8, the tags U+E0000..U+E0FFF, ...), the
// blank braille pattern U+2800, the interlinear annotation marks U+FFF9..U+FFFB and the
// private-use code points (no glyph anyone can read).
bool invisible_code_point(uint32_t cp);

// A letter or digit written in a look-alike form, as the ASCII character it stands for:
// fullwidth forms (U+FF01..U+FF5E), the Kelvin sign, the long s, mathematical alphanumeric
// symbols, circled letters. 0 for any other code point.
char ascii_look_alike(uint32_t cp);

// Text that is not UTF-8 but UTF-16 or UTF-32, by its byte order mark or, without one, by the
// NUL bytes beside ASCII characters at its start: what it is ("UTF-32 text (byte order mark
// FF FE 00 00, little-endian)", "UTF-16 text without a byte order mark (big-endian: a NUL byte
// beside each ASCII character)"), for a message that says "save the file as UTF-8". nullopt
// for anything else (UTF-8, a UTF-8 byte order mark, binary data with a stray NUL).
std::optional<std::string> wide_text_encoding(std::string_view t);

}  // namespace opguard
