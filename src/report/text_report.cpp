// The terminal report: per call, the predicted answer, the findings (with the inventory
// facts they rest on, and waivers), the effects and, with --explain, every rule's values;
// then the summary line. Stable order, one idea per line.
#include "engine/overrides.hpp"
#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard {

using namespace report_detail;

namespace {

// Appends one line of the report. Values from plans and inventories may hold newlines or
// tabs; inside a line they are shown as \n and \t, so a value can never start a line of
// its own (a forged finding) or shift the layout. Other control characters are made
// visible for every terminal format by render().
void line(std::string& out, std::string_view text) {
    size_t run = 0;  // the start of the bytes not copied yet: copied a run at a time
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '\n' && c != '\t') continue;
        out.append(text.data() + run, i - run);
        out += c == '\n' ? "\\n" : "\\t";
        run = i + 1;
    }
    out.append(text.data() + run, text.size() - run);
    out += '\n';
}

void finding_lines(const Finding& f, std::string& out) {
    std::string head = "  " + std::string(severity_name(f.rule->severity)) + "[" + f.rule->id + "] " + format_location(f.location);
    if (!f.target.empty()) head += " (" + f.target + ")";
    if (f.waived()) head += " [waived]";
    line(out, head);
    line(out, "      " + f.message);
    line(out, "      (" + rule_meta(*f.rule) + ")");
    if (!f.rule->note.empty()) line(out, "      note: " + f.rule->note);
    if (!f.evidence.empty()) line(out, "      evidence: " + evidence_list(f));
    if (f.waiver) line(out, "      " + waiver_text(*f.waiver));
}

// The run's --skip-rule / --severity overrides, one a line (nothing without any).
void override_lines(const Report& r, std::string& out) {
    if (r.overrides.empty()) return;
    line(out, "overrides:");
    for (const RuleOverride& o : r.overrides) line(out, "  " + override_text(o));
}

void explain_lines(const RuleExplanation& x, std::string& out) {
    std::string head = "    " + x.rule->id;
    if (!x.target.empty()) head += " [" + x.target + "]";
    if (!x.loop_var.empty()) head += " for " + x.loop_var + " = " + shorten(x.loop_value.to_json(), 80);
    head += x.fired ? ": fired" : ": not fired";
    if (x.operands.size() > 1)
        head += (x.connective == "and" ? " (needs all " : " (needs any of ") + std::to_string(x.operands.size()) + ")";
    line(out, head);
    for (const auto& o : x.operands) line(out, "        " + o.name + "  =>  " + explained_value(o, 160));
    for (const auto& l : x.lets) line(out, "        let " + l.name + " = " + explained_value(l, 160));
}

}  // namespace

std::string render_text(const Report& r, const RenderOptions& options) {
    std::string out;
    if (options.quiet) {  // --quiet: the failing findings and the summary, nothing else
        for (const Finding& f : r.findings)
            if (!f.waived() && at_or_above(f.rule->severity, options.fail_on)) finding_lines(f, out);
        if (!out.empty()) out += '\n';
        override_lines(r, out);
        line(out, r.summary());
        line(out, count_line(counts(r)));
        return out;
    }
    line(out, "opguard: " + r.plan_file + " (" + std::to_string(r.calls.size()) + (r.calls.size() == 1 ? " call" : " calls") +
                  ") against " + std::to_string(r.inventory_files.size()) + " inventory file" +
                  (r.inventory_files.size() == 1 ? "" : "s") + ", " + std::to_string(r.rule_count) + (r.rule_count == 1 ? " rule applies" : " rules apply"));
    override_lines(r, out);
    const ByCall by = by_call(r);
    auto findings_of = [&](size_t call_index) {
        for (const Finding* f : by.findings[call_index]) finding_lines(*f, out);
    };
    auto explanations_of = [&](size_t call_index) {
        if (by.explanations[call_index].empty()) return;
        line(out, "  explain:");
        for (const RuleExplanation* x : by.explanations[call_index]) explain_lines(*x, out);
    };
    // A wait step is shown where it stands in the plan: not a call, nothing refused or modeled.
    size_t next_wait = 0;
    auto waits_before = [&](size_t calls_done) {
        for (; next_wait < r.waits.size() && r.waits[next_wait].after <= calls_done; ++next_wait) {
            const WaitOutcome& w = r.waits[next_wait];
            std::string what = "nothing pending";
            if (!w.waited.empty()) {
                what = "until the work of ";
                for (size_t i = 0; i < w.waited.size(); ++i) what += (i ? ", " : "") + w.waited[i];
                what += " has finished";
            }
            out += '\n';
            line(out, "wait " + w.id + ": " + what + "  " + format_location(w.location));
        }
    };
    for (const auto& c : r.calls) {
        waits_before(c.index);
        out += '\n';
        line(out, "call " + std::to_string(c.index + 1) + " " + c.id + ": " + (c.operation.empty() ? c.label : c.operation) + "  " +
                      format_location(c.location));
        if (!c.known) {
            line(out, "  outcome: unknown (" + c.message + ")" + (c.wait ? "; the plan waits here until the work of the calls before it has finished" : ""));
        } else if (!c.accepted) {
            line(out, "  outcome: refused, " + (c.http ? "HTTP " + std::to_string(c.http) : std::string("HTTP status undocumented")) +
                          ", " + (c.code == "undocumented" ? std::string("error code undocumented") : "code " + c.code) +
                          (c.message.empty() ? "" : " \"" + c.message + "\"") + "; nothing happens");
        } else if (!c.answer_undocumented.empty()) {
            line(out, "  outcome: undocumented: " + c.answer_undocumented + effects_as_if(c) +
                          (c.acts_on_unresolved() ? std::string("; ") + kUnresolvedTargetsText : "") +
                          (c.wait ? "; the plan waits until its work has finished" : ""));
            for (const auto& t : c.targets) line(out, "    " + t.id + ": " + target_outcome(t));
        } else {
            line(out, "  outcome: " + (c.http ? "HTTP " + std::to_string(c.http) : std::string("accepted, HTTP status undocumented")) +
                          (c.read_only ? " (read-only)" : "") + (c.acts_on_unresolved() ? std::string("; ") + kUnresolvedTargetsText : "") +
                          (c.wait ? "; the plan waits until its work has finished" : ""));
            for (const auto& t : c.targets) line(out, "    " + t.id + ": " + target_outcome(t));
            if (c.read_only && !c.response.is_null()) line(out, "  predicted response: " + c.response.to_json());
        }
        findings_of(c.index);
        if (!by.effects[c.index].empty()) line(out, "  effects:");
        for (const EffectRecord* e : by.effects[c.index]) line(out, "    " + effect_line(*e));
        explanations_of(c.index);
    }
    waits_before(r.calls.size());
    if (!by.findings[r.calls.size()].empty() || !by.explanations[r.calls.size()].empty()) {
        out += '\n';
        line(out, "plan-wide:");
        findings_of(r.calls.size());
        explanations_of(r.calls.size());
    }
    if (!r.changes.empty()) {
        out += '\n';
        line(out, "state after the plan (inventory -> final):");
        for (const auto& ch : r.changes) {
            std::string s = "  " + ch.kind + " " + ch.id + ":";
            bool first = true;
            for (const auto& [k, ba] : ch.fields) {
                s += std::string(first ? " " : ", ") + k + " " + ba.first.to_text() + " -> " + ba.second.to_text();
                first = false;
            }
            line(out, s);
        }
    }
    Counts n = counts(r);
    out += '\n';
    line(out, r.summary());
    line(out, count_line(n));
    return out;
}

}  // namespace opguard
