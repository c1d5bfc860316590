#include "report/render.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "core/text_safety.hpp"
#include "report/json_writer.hpp"

namespace opguard {

namespace {

struct Format {
    const char* name;
    Renderer fn;
    Streamer stream = nullptr;  // writes in pieces; nullptr: fn's result in one piece
    bool for_terminal = false;  // read by people on terminals and CI logs: control characters made visible
};

// The one list of formats: adding a format is a renderer function and a line here.
const Format kFormats[] = {
    {"text", render_text, nullptr, true},   {"json", render_json, stream_json}, {"sarif", render_sarif},
    {"junit", render_junit},                {"github", render_github, nullptr, true},
    {"markdown", render_markdown, nullptr, true},
    {"gitlab", render_gitlab},
};

// A value from a plan or inventory may hold control characters: on a terminal or in a CI
// log, ESC (or C1's CSI) starts an escape sequence (colours, cursor moves, hidden text) and
// NUL or a carriage return hides what precedes it. The text-like formats show them as
// \u00XX instead. Newlines and tabs are the formats' own layout (each renderer folds those
// inside values). Text and markdown lines cannot start a GitHub workflow command; the
// github format escapes its own (github_report.cpp).
std::string terminal_safe(std::string s, const char* format) {
    s = visible_controls(s, true);
    return std::strcmp(format, "github") == 0 ? s : no_workflow_commands(s);
}

const Format& format_of(const std::string& name) {
    for (const auto& f : kFormats)
        if (name == f.name) return f;
    throw std::invalid_argument("unknown format '" + name + "'");
}

}  // namespace

const std::vector<std::string>& format_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& f : kFormats) v.emplace_back(f.name);
        return v;
    }();
    return names;
}

Renderer renderer(const std::string& format) {
    for (const auto& f : kFormats)
        if (format == f.name) return f.fn;
    return nullptr;
}

std::string render(const Report& report, const std::string& format, const RenderOptions& options) {
    const Format& f = format_of(format);
    // Every format is valid UTF-8 whatever the input bytes: invalid sequences become U+FFFD
    // (the report has an input.invalid-utf8 finding saying where they were).
    std::string out = valid_utf8(f.fn(report, options));
    return f.for_terminal ? terminal_safe(std::move(out), f.name) : out;
}

void render_to(const Report& report, const std::string& format, const RenderOptions& options, const Sink& sink) {
    const Format& f = format_of(format);
    if (f.stream) {
        Utf8Filter filter(sink);
        f.stream(report, options, [&](std::string_view piece) { filter.feed(piece); });
        filter.finish();
    } else {
        sink(render(report, format, options));
    }
}

std::string format_location(const Location& l) {
    // A file name may hold any bytes: shown on one line, controls visible.
    const std::string file = visible_controls(valid_utf8(l.file), false);
    if (!l.pos.known()) return file;
    return file + ":" + std::to_string(l.pos.line) + ":" + std::to_string(l.pos.column);
}

std::string pretty_json(const Node& n) {
    std::string out;
    JsonWriter(out).value(n).raw("\n");
    return out;
}

}  // namespace opguard
