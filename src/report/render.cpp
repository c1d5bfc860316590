#include "report/render.hpp"

#include <stdexcept>

namespace opguard {

const std::vector<std::string>& format_names() {
    static const std::vector<std::string> names = {"text", "json"};
    return names;
}

std::string render(const Report& report, const std::string& format, const RenderOptions& options) {
    if (format == "text") return render_text(report, options);
    if (format == "json") return render_json(report, options);
    throw std::invalid_argument("unknown format '" + format + "'");
}

std::string format_location(const Location& l) {
    if (!l.pos.known()) return l.file;
    return l.file + ":" + std::to_string(l.pos.line) + ":" + std::to_string(l.pos.column);
}

}  // namespace opguard
