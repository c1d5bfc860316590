#include "engine/input_text.hpp"

#include <cstdio>
#include <set>
#include <string_view>

#include "core/text_safety.hpp"

namespace opguard {

const Rule& invalid_utf8_rule() {
    static const Rule r = [] {
        Rule x;
        x.id = "input.invalid-utf8";
        x.title = "An input file is not valid UTF-8";
        x.description =
            "The file holds bytes that are not UTF-8 (another encoding, or damage). Reports show each invalid sequence "
            "as U+FFFD, so a value quoted from this file differs from its bytes; save the file as UTF-8.";
        x.severity = Severity::Warning;
        x.operations = {"*"};
        x.scope = Scope::Plan;
        x.source = "opguard input reading: every report is valid UTF-8 (SECURITY.md)";
        x.basis = Basis::Documented;
        return x;
    }();
    return r;
}

void report_invalid_utf8(const SourceRegistry& sources, Report& report) {
    // Inventory files are JSON, which the JSON reader already refuses unless it is valid
    // UTF-8; they are the large inputs, whose pages are not brought back to be scanned again.
    const std::set<std::string_view> inventory(report.inventory_files.begin(), report.inventory_files.end());
    for (uint32_t id = 0; id < sources.size(); ++id) {
        const SourceFile& file = sources.file(id);
        if (inventory.count(file.path())) continue;
        const std::string_view text = file.text();
        const size_t bad = first_invalid_utf8(text);
        if (bad == std::string_view::npos) continue;
        Finding f;
        f.rule = &invalid_utf8_rule();
        f.call_index = report.calls.size();
        f.location = Location{file.path(), file.position(static_cast<uint32_t>(bad))};
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
        f.message = "the file is not valid UTF-8: byte " + std::string(byte) +
                    " here is the first that is not; reports show every invalid sequence as U+FFFD";
        report.findings.push_back(std::move(f));
    }
}

}  // namespace opguard
