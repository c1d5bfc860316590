#include "report/common.hpp"
#include "core/text_safety.hpp"

#include <cmath>

#include "report/render.hpp"

namespace opguard::report_detail {

ByCall by_call(const Report& r) {
    const size_t n = r.calls.size() + 1;
    ByCall b{std::vector<std::vector<const Finding*>>(n), std::vector<std::vector<const EffectRecord*>>(n),
             std::vector<std::vector<const RuleExplanation*>>(n)};
    auto slot = [&](size_t call_index) { return call_index < r.calls.size() ? call_index : r.calls.size(); };
    for (const auto& f : r.findings) b.findings[slot(f.call_index)].push_back(&f);
    for (const auto& e : r.effects) b.effects[slot(e.call_index)].push_back(&e);
    for (const auto& x : r.explanations) b.explanations[slot(x.call_index)].push_back(&x);
    return b;
}

Counts counts(const Report& r) {
    Counts c;
    static_cast<Report::CallCounts&>(c) = r.call_counts();
    c.errors = r.count(Severity::Error);
    c.warnings = r.count(Severity::Warning);
    c.infos = r.count(Severity::Info);
    c.waived = r.waived_count();
    return c;
}

std::string gib(double g) {
    // A sum of huge sizes can overflow a double: say so, as Report::summary does, instead of "null GiB".
    if (!std::isfinite(g)) return "more than 1.7e308 GiB";
    return format_number(g) + " GiB";
}

std::string status_path(const std::vector<std::string>& p) {
    std::string s;
    for (size_t i = 0; i < p.size(); ++i) s += (i ? " -> " : "") + p[i];
    return s;
}

std::string target_outcome(const TargetOutcome& t) {
    std::string s = t.outcome;
    if (t.outcome == "unresolved") s += std::string(" ") + kUnresolvedTargetText;
    if (t.code == "undocumented") s += " (code undocumented)";
    else if (!t.code.empty()) s += " " + t.code;
    if (!t.message.empty()) s += " \"" + t.message + "\"";
    return s;
}

std::string evidence_text(const Citation& c) { return c.kind + " " + c.id + " (" + c.file + "#" + c.pointer + ")"; }

std::string evidence_list(const Finding& f) {
    std::string s;
    for (const auto& c : f.evidence) s += (s.empty() ? "" : "; ") + evidence_text(c);
    return s;
}

std::string effects_as_if(const CallOutcome& c) {
    return c.conditional || c.acts_on_unresolved() ? "" : "; effects shown as if the call runs";
}

const char* refusal_name(Refusal r) {
    switch (r) {
        case Refusal::Call: return "call";
        case Refusal::Target: return "target";
        case Refusal::Maybe: return "maybe";
        case Refusal::None: break;
    }
    return "none";
}

std::string cloud_answer(const Rule& r) {
    if (r.refuses == Refusal::None) return "";
    if (r.refuses == Refusal::Maybe) return "undocumented (the call may be refused or may run)";
    return (r.http ? "HTTP " + std::to_string(r.http) + " " : std::string()) + (r.code.empty() ? "code undocumented" : r.code);
}

std::string rule_meta(const Rule& r) {
    std::string meta;
    if (r.refuses != Refusal::None) meta += "cloud answer: " + cloud_answer(r) + "; ";
    return meta + basis_name(r.basis) + "; " + r.source;
}

std::string waiver_text(const WaiverRef& w) {
    std::string s = "waived: " + w.reason + " (";
    if (!w.expires.empty()) s += "expires " + w.expires + "; ";
    return s + "waiver at " + format_location(w.location) + ")";
}

std::string subject(const Finding& f) {
    if (f.call_id.empty()) return "plan";
    return "call " + f.call_id + (f.target.empty() ? "" : ", target " + f.target);
}

std::string effect_line(const EffectRecord& e) {
    std::string s;
    if (!e.status_path.empty() && e.verb.empty()) {
        s += std::string(e.noun_title) + " " + e.id + " status " + status_path(e.status_path);
    } else {
        s += std::string(e.noun_title) + " " + e.id + " " + std::string(e.verb);
        if (e.size_gib) s += " (" + gib(*e.size_gib) + ")";
        if (!e.status_path.empty()) s += "; status " + status_path(e.status_path);
    }
    if (!e.detail.empty()) s += ": " + e.detail;
    if (e.effect->basis != Basis::Documented) s += " [" + std::string(basis_name(e.effect->basis)) + "]";
    if (e.effect->pending) s += " [pending until the cloud's task finishes]";
    return s;
}

std::vector<const EffectRecord*> data_loss_effects(const Report& r) {
    std::vector<const EffectRecord*> out;
    for (const auto& e : r.effects)
        if (e.effect->data_loss) out.push_back(&e);
    return out;
}

std::string shorten(const std::string& s, size_t max) { return shortened(s, max, max); }

std::string explained_value(const RuleExplanation::Value& v, size_t max) {
    if (!v.error.empty()) return "(error: " + v.error + ")";
    return shorten(v.value.to_json(), max);
}

std::string count_line(const Counts& n) {
    std::string s = std::to_string(n.errors) + (n.errors == 1 ? " error, " : " errors, ") + std::to_string(n.warnings) +
                    (n.warnings == 1 ? " warning, " : " warnings, ") + std::to_string(n.infos) + " info";
    if (n.waived) s += ", " + std::to_string(n.waived) + " waived";
    return s;
}

bool at_or_above(Severity s, Severity threshold) { return static_cast<int>(s) >= static_cast<int>(threshold); }

}  // namespace opguard::report_detail
