#pragma once
// render: Report + format name => the bytes of that format. One factory keyed by name
// (render.cpp); each format is one function taking the whole report and the options.
//
//   text      the terminal report                       (text_report.cpp)
//   json      versioned JSON, schemas/report.schema.json (json_report.cpp)
//   sarif     SARIF 2.1.0 for code scanning              (sarif_report.cpp)
//   junit     JUnit XML, one test case per call target   (junit_report.cpp)
//   github    GitHub Actions workflow commands           (github_report.cpp)
//   markdown  change-review report for a PR comment      (markdown_report.cpp)
//   gitlab    GitLab Code Quality issues                 (gitlab_report.cpp)
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/report.hpp"

namespace opguard {

struct RenderOptions {
    std::string tool_version;
    // --fail-on: the lowest severity that fails the run. Formats that have a pass/fail
    // notion of their own (JUnit failures) follow it.
    Severity fail_on = Severity::Error;
    // SARIF counts columns in UTF-16 code units, opguard in bytes: given, this turns a
    // location's byte column into UTF-16 units (the CLI reads the line from the source);
    // without it SARIF carries the byte column (equal on ASCII lines).
    std::function<uint32_t(const Location&)> utf16_column;
    // --quiet: the text report holds only the failing findings (at or above fail_on, not
    // waived) and the summary. The other formats ignore it.
    bool quiet = false;
};

using Renderer = std::string (*)(const Report&, const RenderOptions&);
// Where a report is streamed to, a piece at a time.
using Sink = std::function<void(std::string_view)>;
using Streamer = void (*)(const Report&, const RenderOptions&, const Sink&);

// Names of the formats render() knows, in documentation order.
const std::vector<std::string>& format_names();

// The renderer of a format; nullptr for an unknown name.
Renderer renderer(const std::string& format);

// Throws std::invalid_argument for an unknown format.
std::string render(const Report& report, const std::string& format, const RenderOptions& options);
// The same bytes as render(), handed to `sink` in pieces: formats with a streamer (json)
// write as they go, so a report of 10^5 targets is never whole in memory; the others
// arrive in one piece.
void render_to(const Report& report, const std::string& format, const RenderOptions& options, const Sink& sink);

std::string render_text(const Report& report, const RenderOptions& options);
std::string render_json(const Report& report, const RenderOptions& options);
void stream_json(const Report& report, const RenderOptions& options, const Sink& sink);
std::string render_sarif(const Report& report, const RenderOptions& options);
std::string render_junit(const Report& report, const RenderOptions& options);
std::string render_github(const Report& report, const RenderOptions& options);
std::string render_markdown(const Report& report, const RenderOptions& options);
std::string render_gitlab(const Report& report, const RenderOptions& options);

// Where the rules are documented (rule_doc.cpp): the project's home page (OPGUARD_HOMEPAGE
// at build time), a rule's anchor in docs/rules.md, and the URL of that section.
const std::string& project_homepage();
std::string rule_anchor(const std::string& rule_id);
std::string rule_doc_uri(const std::string& rule_id);

// The text report with ANSI colours on its severities and refused outcomes, for a terminal.
// Works on render()'s output, whose values can never start a line or hold ESC, so only
// opguard's own words are coloured (text_color.cpp).
std::string colorize_text(std::string_view text);

// file:line:col (or file alone when the position is unknown).
std::string format_location(const Location& l);

// Indented JSON (two spaces), as every JSON-based format writes it.
std::string pretty_json(const Node& n);

}  // namespace opguard
