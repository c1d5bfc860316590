#include "report/render.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

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
// log, ESC starts an escape sequence (colours, cursor moves, hidden text) and NUL or a
// carriage return hides what precedes it. The text-like formats show them as \u00XX instead.
// Newlines and tabs are the formats' own layout (each renderer folds those inside values).
std::string visible_controls(std::string s) {
    auto bad = [](unsigned char c) { return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f; };
    if (std::none_of(s.begin(), s.end(), [&](char c) { return bad(static_cast<unsigned char>(c)); })) return s;
    std::string out;
    out.reserve(s.size() + 16);
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (!bad(c)) { out += ch; continue; }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
    }
    return out;
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
    return f.for_terminal ? visible_controls(f.fn(report, options)) : f.fn(report, options);
}

void render_to(const Report& report, const std::string& format, const RenderOptions& options, const Sink& sink) {
    const Format& f = format_of(format);
    if (f.stream) f.stream(report, options, sink);
    else sink(render(report, format, options));
}

std::string format_location(const Location& l) {
    if (!l.pos.known()) return l.file;
    return l.file + ":" + std::to_string(l.pos.line) + ":" + std::to_string(l.pos.column);
}

std::string pretty_json(const Node& n) {
    std::string out;
    JsonWriter(out).value(n);
    out += '\n';
    return out;
}

}  // namespace opguard
