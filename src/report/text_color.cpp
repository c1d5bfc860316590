// Colours for the text report on a terminal (check.cpp decides when: standard output is a
// terminal, NO_COLOR is unset or empty, no --no-color). It reads the finished report line by
// line: the text renderer shows a newline inside a value as \n and render() shows ESC as
// \u001b, so a line's start is always opguard's own wording and no value can add colours.
#include <array>
#include <string>
#include <string_view>

#include "report/render.hpp"

namespace opguard {

namespace {

constexpr std::string_view kReset = "\x1b[0m";

struct Colour {
    std::string_view prefix;  // the start of a line...
    size_t length;            // how many bytes after the leading spaces are coloured
    std::string_view code;
};

// Finding heads ("  error[rule] file:l:c"), refused outcomes and the plan-wide heading.
const std::array<Colour, 5> kColours = {{
    {"  error[", 5, "\x1b[1;31m"},
    {"  warning[", 7, "\x1b[1;33m"},
    {"  info[", 4, "\x1b[1;36m"},
    {"  outcome: refused", 16, "\x1b[31m"},
    {"call ", 4, "\x1b[1m"},
}};

}  // namespace

std::string colorize_text(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view l = text.substr(start, end - start);
        bool done = false;
        for (const auto& c : kColours) {
            if (l.substr(0, c.prefix.size()) != c.prefix) continue;
            // Leading spaces stay uncoloured; the word after them is.
            const size_t lead = l.find_first_not_of(' ');
            out.append(l.substr(0, lead));
            out.append(c.code);
            out.append(l.substr(lead, c.length));
            out.append(kReset);
            out.append(l.substr(lead + c.length));
            done = true;
            break;
        }
        if (!done) out.append(l);
        if (end < text.size()) out += '\n';
        start = end + 1;
    }
    return out;
}

}  // namespace opguard
