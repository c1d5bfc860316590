// The terminal report: per call, the predicted answer, the findings and the effects; then
// the summary line. Stable order, one idea per line.
#include "report/render.hpp"

namespace opguard {

namespace {

std::string gib(double g) { return format_number(g) + " GiB"; }

std::string status_path(const std::vector<std::string>& p) {
    std::string s;
    for (size_t i = 0; i < p.size(); ++i) s += (i ? " -> " : "") + p[i];
    return s;
}

}  // namespace

std::string render_text(const Report& r, const RenderOptions&) {
    std::string out;
    out += "opguard: " + r.plan_file + " (" + std::to_string(r.calls.size()) + (r.calls.size() == 1 ? " call" : " calls") + ") against " +
           std::to_string(r.inventory_files.size()) + " inventory file" + (r.inventory_files.size() == 1 ? "" : "s") + ", " +
           std::to_string(r.rule_count) + " rules\n";
    auto plan_level = [&](size_t call_index) {
        for (const auto& f : r.findings) {
            if (f.call_index != call_index) continue;
            out += "  " + std::string(severity_name(f.rule->severity)) + "[" + f.rule->id + "] " + format_location(f.location);
            if (!f.target.empty()) out += " (" + f.target + ")";
            out += "\n      " + f.message + "\n";
            std::string meta;
            if (f.rule->refuses != Refusal::None)
                meta += "cloud answer: " + (f.rule->http ? "HTTP " + std::to_string(f.rule->http) + " " : std::string()) +
                        (f.rule->code.empty() ? "code undocumented" : f.rule->code) + "; ";
            meta += std::string(basis_name(f.rule->basis)) + "; " + f.rule->source;
            out += "      (" + meta + ")\n";
            if (!f.rule->note.empty()) out += "      note: " + f.rule->note + "\n";
        }
    };
    for (const auto& c : r.calls) {
        out += "\ncall " + std::to_string(c.index + 1) + " " + c.id + ": " + (c.operation.empty() ? c.label : c.operation) + "  " +
               format_location(c.location) + "\n";
        if (!c.known) {
            out += "  outcome: unknown (" + c.message + ")\n";
        } else if (!c.accepted) {
            out += "  outcome: refused, " + (c.http ? "HTTP " + std::to_string(c.http) : std::string("HTTP status undocumented")) + ", " +
                   (c.code == "undocumented" ? std::string("error code undocumented") : "code " + c.code) +
                   (c.message.empty() ? "" : " \"" + c.message + "\"") + "; nothing happens\n";
        } else {
            out += "  outcome: HTTP " + std::to_string(c.http) + (c.read_only ? " (read-only)" : "") + "\n";
            for (const auto& t : c.targets) {
                out += "    " + t.id + ": " + t.outcome;
                if (t.code == "undocumented") out += " (code undocumented)";
                else if (!t.code.empty()) out += " " + t.code;
                if (!t.message.empty()) out += " \"" + t.message + "\"";
                out += "\n";
            }
            if (c.read_only && !c.response.is_null()) out += "  predicted response: " + c.response.to_json() + "\n";
        }
        plan_level(c.index);
        bool header = false;
        for (const auto& e : r.effects) {
            if (e.call_index != c.index) continue;
            if (!header) { out += "  effects:\n"; header = true; }
            out += "    ";
            if (!e.status_path.empty() && e.verb.empty()) {
                out += e.noun + " " + e.id + " status " + status_path(e.status_path);
            } else {
                out += e.noun + " " + e.id + " " + e.verb;
                if (e.size_gib) out += " (" + gib(*e.size_gib) + ")";
                if (!e.status_path.empty()) out += "; status " + status_path(e.status_path);
            }
            if (!e.detail.empty()) out += ": " + e.detail;
            if (e.effect->basis != Basis::Documented) out += " [" + std::string(basis_name(e.effect->basis)) + "]";
            if (e.effect->pending) out += " [pending until the cloud's task finishes]";
            out += "\n";
        }
    }
    bool any_plan = false;
    for (const auto& f : r.findings) if (f.call_index >= r.calls.size()) any_plan = true;
    if (any_plan) { out += "\nplan-wide:\n"; plan_level(r.calls.size()); }
    if (!r.changes.empty()) {
        out += "\nstate after the plan (inventory -> final):\n";
        for (const auto& ch : r.changes) {
            out += "  " + ch.kind + " " + ch.id + ":";
            bool first = true;
            for (const auto& [k, ba] : ch.fields) {
                out += std::string(first ? " " : ", ") + k + " " + ba.first.to_text() + " -> " + ba.second.to_text();
                first = false;
            }
            out += "\n";
        }
    }
    out += "\n" + r.summary() + "\n";
    out += std::to_string(r.count(Severity::Error)) + " errors, " + std::to_string(r.count(Severity::Warning)) + " warnings, " +
           std::to_string(r.count(Severity::Info)) + " info\n";
    return out;
}

}  // namespace opguard
