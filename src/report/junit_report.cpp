// JUnit XML, as CI servers read it: one <testsuite> per call, one <testcase> per call
// target (a call without targets is one test case; plan-wide findings make a "plan" suite,
// and each waiver.expired / waiver.unused notice is a test case of a "waivers" suite: it is
// about the waiver, not about a target). A test case fails when a finding about it (its own, or its call's)
// is at or above --fail-on and not waived; other findings, waived ones included, and the
// predicted outcome go to <system-out>. No timestamps: the same inputs give the same bytes.
#include <map>

#include "engine/overrides.hpp"
#include "engine/waivers.hpp"
#include "core/text_safety.hpp"
#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard {

using namespace report_detail;

namespace {

// Escapes text for XML 1.0 content and attribute values. What XML 1.0 cannot carry
// becomes U+FFFD: C0 controls but tab, LF and CR; invalid UTF-8 (lone surrogates written in
// UTF-8 among it); the noncharacters U+FFFE and U+FFFF.
std::string xml(const std::string& raw) {
    const std::string s = valid_utf8(raw);
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        if (ch == '\xEF' && i + 2 < s.size() && s[i + 1] == '\xBF' && (s[i + 2] == '\xBE' || s[i + 2] == '\xBF')) {
            out += "\xEF\xBF\xBD";
            i += 2;
            continue;
        }
        unsigned char c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            case '\n': out += "&#10;"; break;
            case '\r': out += "&#13;"; break;
            case '\t': out += "&#9;"; break;
            default:
                if (c < 0x20 || c == 0x7f) out += "\xEF\xBF\xBD";
                else out += ch;
        }
    }
    return out;
}

// Element text keeps its newlines readable.
std::string xml_text(const std::string& s) {
    std::string out = xml(s), plain;
    for (size_t i = 0; i < out.size(); ++i) {
        if (out.compare(i, 5, "&#10;") == 0) { plain += '\n'; i += 4; }
        else plain += out[i];
    }
    return plain;
}

std::string finding_block(const Finding& f) {
    std::string s = std::string(severity_name(f.rule->severity)) + "[" + f.rule->id + "] " + format_location(f.location);
    if (!f.target.empty()) s += " (" + f.target + ")";
    s += "\n  " + f.message + "\n  (" + rule_meta(*f.rule) + ")\n";
    if (!f.evidence.empty()) s += "  evidence: " + evidence_list(f) + "\n";
    if (f.waiver) s += "  " + waiver_text(*f.waiver) + "\n";
    return s;
}

struct Case {
    std::string classname, name;
    Location at;
    std::string outcome;
    std::vector<const Finding*> findings;
    std::vector<const EffectRecord*> effects;  // what the call does to this target, in <system-out>
};

bool fails(const Finding& f, Severity threshold) { return !f.waived() && at_or_above(f.rule->severity, threshold); }

void write_case(const Case& c, Severity threshold, std::string& out) {
    // The Jenkins JUnit schema (junit-10.xsd) allows a test case only name, classname, time
    // and group: its place in the plan goes first in <system-out>.
    out += "    <testcase classname=\"" + xml(c.classname) + "\" name=\"" + xml(c.name) + "\">\n";
    std::vector<const Finding*> failing, other;
    for (const Finding* f : c.findings) (fails(*f, threshold) ? failing : other).push_back(f);
    if (!failing.empty()) {
        std::string body;
        for (const Finding* f : failing) body += finding_block(*f);
        out += "      <failure type=\"" + xml(failing.front()->rule->id) + "\" message=\"" + xml(failing.front()->message) + "\">" +
               xml_text(body) + "</failure>\n";
    }
    {
        std::string body = c.at.file.empty() ? "" : "at: " + format_location(c.at) + "\n";
        if (!c.outcome.empty()) body += "predicted: " + c.outcome + "\n";
        for (const EffectRecord* e : c.effects) body += "effect: " + effect_line(*e) + "\n";
        for (const Finding* f : other) body += finding_block(*f);
        if (!body.empty()) out += "      <system-out>" + xml_text(body) + "</system-out>\n";
    }
    out += "    </testcase>\n";
}

std::string call_outcome(const CallOutcome& c) {
    if (!c.known) return "unknown (" + c.message + ")";
    if (!c.accepted)
        return "call refused, " + (c.http ? "HTTP " + std::to_string(c.http) : std::string("HTTP status undocumented")) + ", " +
               (c.code == "undocumented" ? std::string("error code undocumented") : "code " + c.code);
    if (!c.answer_undocumented.empty())
        return "undocumented: " + c.answer_undocumented + effects_as_if(c) + (c.acts_on_unresolved() ? std::string("; ") + kUnresolvedTargetsText : "");
    return (c.http ? "HTTP " + std::to_string(c.http) : std::string("accepted, HTTP status undocumented")) +
           (c.acts_on_unresolved() ? std::string("; ") + kUnresolvedTargetsText : "");
}

}  // namespace

std::string render_junit(const Report& r, const RenderOptions& options) {
    struct Suite {
        std::string name;
        std::vector<Case> cases;
    };
    std::vector<Suite> suites;
    auto notice = [](const Finding& f) { return f.rule == &waiver_expired_rule() || f.rule == &waiver_unused_rule(); };
    const ByCall by = by_call(r);
    for (const auto& c : r.calls) {
        Suite s;
        s.name = "call " + std::to_string(c.index + 1) + " " + c.id + ": " + (c.operation.empty() ? c.label : c.operation);
        std::vector<const Finding*> call_level;
        std::map<std::string, std::vector<const Finding*>> of_target;
        for (const Finding* f : by.findings[c.index]) {
            if (notice(*f)) continue;
            if (f->target.empty()) call_level.push_back(f);
            else of_target[f->target].push_back(f);
        }
        if (c.targets.empty()) {
            Case k{c.id, c.id, c.location, call_outcome(c), call_level, by.effects[c.index]};
            s.cases.push_back(std::move(k));
        }
        for (const auto& t : c.targets) {
            // The target's own findings first (they name the failure), then its call's.
            Case k{c.id, t.id, t.location, call_outcome(c) + "; " + t.id + ": " + target_outcome(t), {}, {}};
            if (auto it = of_target.find(t.id); it != of_target.end()) k.findings = it->second;
            k.findings.insert(k.findings.end(), call_level.begin(), call_level.end());
            for (const EffectRecord* e : by.effects[c.index])
                if (e->target == t.id) k.effects.push_back(e);
            s.cases.push_back(std::move(k));
        }
        suites.push_back(std::move(s));
    }
    std::vector<const Finding*> plan_wide;
    Suite waivers{"waivers", {}};
    for (const auto& f : r.findings) {
        if (notice(f)) waivers.cases.push_back(Case{"waivers", format_location(f.location), f.location, "", {&f}, {}});
        else if (f.call_index >= r.calls.size()) plan_wide.push_back(&f);
    }
    if (!plan_wide.empty()) {
        // (Built in place, not through an initializer list of one Case: g++ 12 -O3 warns that
        // list's copy may read an uninitialised string.)
        Suite plan{"plan", {}};
        plan.cases.push_back(Case{"plan", "plan-wide findings", Location{r.plan_file, {}}, "", plan_wide, {}});
        suites.push_back(std::move(plan));
    }
    if (!waivers.cases.empty()) suites.push_back(std::move(waivers));

    auto failed = [&](const Case& k) {
        for (const Finding* f : k.findings) if (fails(*f, options.fail_on)) return true;
        return false;
    };
    size_t tests = 0, failures = 0;
    for (const auto& s : suites) {
        tests += s.cases.size();
        for (const auto& k : s.cases) failures += failed(k);
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<testsuites name=\"opguard " + xml(r.plan_file) + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
           std::to_string(failures) + "\" errors=\"0\">\n";
    // --skip-rule / --severity: a property of every suite (the Jenkins schema has properties
    // on suites only), so whichever suite a reviewer opens shows that the verdict was changed.
    std::string properties;
    if (!r.overrides.empty()) {
        properties = "    <properties>\n";
        for (const RuleOverride& o : r.overrides)
            properties += "      <property name=\"opguard.override\" value=\"" + xml(override_text(o)) + "\"/>\n";
        properties += "    </properties>\n";
    }
    for (const auto& s : suites) {
        size_t f = 0;
        for (const auto& k : s.cases) f += failed(k);
        out += "  <testsuite name=\"" + xml(s.name) + "\" tests=\"" + std::to_string(s.cases.size()) + "\" failures=\"" +
               std::to_string(f) + "\" errors=\"0\" skipped=\"0\">\n";
        out += properties;
        for (const auto& k : s.cases) write_case(k, options.fail_on, out);
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

}  // namespace opguard
