// The terminal report: per call, the predicted answer, the findings (with the inventory
// facts they rest on, and waivers), the effects and, with --explain, every rule's values;
// then the summary line. Stable order, one idea per line.
#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard {

using namespace report_detail;

namespace {

void finding_lines(const Finding& f, std::string& out) {
    out += "  " + std::string(severity_name(f.rule->severity)) + "[" + f.rule->id + "] " + format_location(f.location);
    if (!f.target.empty()) out += " (" + f.target + ")";
    if (f.waived()) out += " [waived]";
    out += "\n      " + f.message + "\n";
    out += "      (" + rule_meta(*f.rule) + ")\n";
    if (!f.rule->note.empty()) out += "      note: " + f.rule->note + "\n";
    if (!f.evidence.empty()) out += "      evidence: " + evidence_list(f) + "\n";
    if (f.waiver) out += "      " + waiver_text(*f.waiver) + "\n";
}

void explain_lines(const RuleExplanation& x, std::string& out) {
    out += "    " + x.rule->id;
    if (!x.target.empty()) out += " [" + x.target + "]";
    if (!x.loop_var.empty()) out += " for " + x.loop_var + " = " + shorten(x.loop_value.to_json(), 80);
    out += x.fired ? ": fired" : ": not fired";
    if (x.operands.size() > 1)
        out += (x.connective == "and" ? " (needs all " : " (needs any of ") + std::to_string(x.operands.size()) + ")";
    out += "\n";
    for (const auto& o : x.operands) out += "        " + o.name + "  =>  " + explained_value(o, 160) + "\n";
    for (const auto& l : x.lets) out += "        let " + l.name + " = " + explained_value(l, 160) + "\n";
}

}  // namespace

std::string render_text(const Report& r, const RenderOptions&) {
    std::string out;
    out += "opguard: " + r.plan_file + " (" + std::to_string(r.calls.size()) + (r.calls.size() == 1 ? " call" : " calls") + ") against " +
           std::to_string(r.inventory_files.size()) + " inventory file" + (r.inventory_files.size() == 1 ? "" : "s") + ", " +
           std::to_string(r.rule_count) + " rules\n";
    const ByCall by = by_call(r);
    auto findings_of = [&](size_t call_index) {
        for (const Finding* f : by.findings[call_index]) finding_lines(*f, out);
    };
    auto explanations_of = [&](size_t call_index) {
        if (by.explanations[call_index].empty()) return;
        out += "  explain:\n";
        for (const RuleExplanation* x : by.explanations[call_index]) explain_lines(*x, out);
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
        findings_of(c.index);
        if (!by.effects[c.index].empty()) out += "  effects:\n";
        for (const EffectRecord* ep : by.effects[c.index]) {
            const EffectRecord& e = *ep;
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
        explanations_of(c.index);
    }
    if (!by.findings[r.calls.size()].empty() || !by.explanations[r.calls.size()].empty()) {
        out += "\nplan-wide:\n";
        findings_of(r.calls.size());
        explanations_of(r.calls.size());
    }
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
    Counts n = counts(r);
    out += "\n" + r.summary() + "\n";
    out += count_line(n) + "\n";
    return out;
}

}  // namespace opguard
