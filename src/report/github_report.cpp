// GitHub Actions workflow commands: one annotation per finding,
//   ::error file=F,line=L,col=C,title=T::MESSAGE
// with the runner's escaping (data: % \r \n; properties also : and ,), so no plan value
// can end a command early or start another. Severity error -> error, warning -> warning,
// info -> notice; a waived finding is a notice that says so. The summary follows as plain
// log lines.
#include "engine/overrides.hpp"
#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard {

using namespace report_detail;

namespace {

std::string escape_data(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '%') out += "%25";
        else if (c == '\r') out += "%0D";
        else if (c == '\n') out += "%0A";
        else out += c;
    }
    return out;
}

std::string escape_property(const std::string& s) {
    std::string out;
    for (char c : escape_data(s)) {
        if (c == ':') out += "%3A";
        else if (c == ',') out += "%2C";
        else out += c;
    }
    return out;
}

}  // namespace

std::string render_github(const Report& r, const RenderOptions&) {
    std::string out;
    // --skip-rule / --severity first, as notices: the annotations below are what is left.
    for (const RuleOverride& o : r.overrides) {
        std::string props = "title=" + escape_property("opguard override " + o.rule);
        if (o.origin.pos.known())
            props = "file=" + escape_property(o.origin.file) + ",line=" + std::to_string(o.origin.pos.line) +
                    ",col=" + std::to_string(o.origin.pos.column) + "," + props;
        out += "::notice " + props + "::" + escape_data(override_text(o)) + "\n";
    }
    for (const auto& f : r.findings) {
        const char* cmd = f.waived() ? "notice" : f.rule->severity == Severity::Error ? "error"
                                              : f.rule->severity == Severity::Warning ? "warning" : "notice";
        std::string props = "file=" + escape_property(f.location.file);
        if (f.location.pos.known())
            props += ",line=" + std::to_string(f.location.pos.line) + ",col=" + std::to_string(f.location.pos.column);
        std::string title = (f.waived() ? "waived " : "") + std::string(severity_name(f.rule->severity)) + " " + f.rule->id;
        if (!f.target.empty()) title += " (" + f.target + ")";
        props += ",title=" + escape_property(title);
        std::string msg;
        if (f.waiver) msg += waiver_text(*f.waiver) + "\n";
        msg += f.message + "\n(" + rule_meta(*f.rule) + ")";
        if (!f.evidence.empty()) msg += "\nevidence: " + evidence_list(f);
        out += "::" + std::string(cmd) + " " + props + "::" + escape_data(msg) + "\n";
    }
    // What the accepted calls do, as plain log lines (escaped like data: a value cannot start
    // a workflow command), each with its basis when that is not documented.
    for (const auto& e : r.effects) out += "opguard: effect of " + escape_data(e.call_id + ": " + effect_line(e)) + "\n";
    Counts n = counts(r);
    // Plain log lines too carry input text (the plan's file name): escaped like data, so
    // no newline in it can start a line of its own.
    out += "opguard: " + escape_data(r.plan_file + ": " + r.summary()) + "\n";
    out += "opguard: " + count_line(n) + "\n";
    return out;
}

}  // namespace opguard
