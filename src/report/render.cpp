#include "report/render.hpp"

#include <stdexcept>

namespace opguard {

namespace {

struct Format {
    const char* name;
    Renderer fn;
};

// The one list of formats: adding a format is a renderer function and a line here.
const Format kFormats[] = {
    {"text", render_text},   {"json", render_json},     {"sarif", render_sarif},
    {"junit", render_junit}, {"github", render_github}, {"markdown", render_markdown},
};

void pretty(const Node& n, std::string& out, int indent) {
    auto pad = [&](int k) { out += '\n'; out.append(static_cast<size_t>(k) * 2, ' '); };
    if (n.is_array() && !n.items().empty()) {
        out += '[';
        for (size_t i = 0; i < n.items().size(); ++i) {
            if (i) out += ',';
            pad(indent + 1);
            pretty(n.items()[i], out, indent + 1);
        }
        pad(indent);
        out += ']';
    } else if (n.is_object() && !n.members().empty()) {
        out += '{';
        for (size_t i = 0; i < n.members().size(); ++i) {
            if (i) out += ',';
            pad(indent + 1);
            append_json_string(out, n.members()[i].first);
            out += ": ";
            pretty(n.members()[i].second, out, indent + 1);
        }
        pad(indent);
        out += '}';
    } else {
        out += n.to_json();
    }
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
    Renderer fn = renderer(format);
    if (!fn) throw std::invalid_argument("unknown format '" + format + "'");
    return fn(report, options);
}

std::string format_location(const Location& l) {
    if (!l.pos.known()) return l.file;
    return l.file + ":" + std::to_string(l.pos.line) + ":" + std::to_string(l.pos.column);
}

std::string pretty_json(const Node& n) {
    std::string out;
    pretty(n, out, 0);
    out += '\n';
    return out;
}

}  // namespace opguard
