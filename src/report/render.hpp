#pragma once
// render: Report + format name => the bytes of that format. One factory keyed by name;
// each format is one function taking the whole report.
#include <string>
#include <vector>

#include "engine/report.hpp"

namespace opguard {

struct RenderOptions {
    std::string tool_version;
};

// Names of the formats render() knows, in documentation order.
const std::vector<std::string>& format_names();

// Throws std::invalid_argument for an unknown format.
std::string render(const Report& report, const std::string& format, const RenderOptions& options);

std::string render_text(const Report& report, const RenderOptions& options);
std::string render_json(const Report& report, const RenderOptions& options);
Node report_to_json(const Report& report, const RenderOptions& options);

// file:line:col (or file alone when the position is unknown).
std::string format_location(const Location& l);

}  // namespace opguard
