#include "engine/overrides.hpp"

#include <algorithm>
#include <map>

#include "core/diagnostic.hpp"
#include "core/suggest.hpp"

namespace opguard {

namespace {

// The rule id nearest to `id` when it is a plausible misspelling (at most a quarter of its
// characters differ, at least two may), else "".
std::string near_id(const std::string& id, const RuleSet& rules) {
    std::string best;
    size_t best_d = std::max<size_t>(2, id.size() / 4) + 1;
    for (const auto& r : rules.rules) {
        const size_t d = edit_distance(id, r.id);
        if (d < best_d) best_d = d, best = r.id;
    }
    return best;
}

// "command line" or "FILE:LINE:COL".
std::string origin_text(const Location& l) {
    if (!l.pos.known()) return l.file;
    return l.file + ":" + std::to_string(l.pos.line) + ":" + std::to_string(l.pos.column);
}

const char* option_of(RuleOverride::Action a) { return a == RuleOverride::Action::Skip ? "--skip-rule" : "--severity"; }

[[noreturn]] void fail(const OverrideRequest& q, const std::string& id, const std::string& message) {
    throw InputError(q.origin.file, q.origin.pos, id,
                     std::string(option_of(q.action)) + (q.text.empty() ? "" : " " + q.text) + ": " + message);
}

}  // namespace

std::vector<RuleOverride> resolve_overrides(const std::vector<OverrideRequest>& requests, const RuleSet& rules) {
    std::map<std::string, RuleOverride> by_rule;
    for (const OverrideRequest& q : requests) {
        RuleOverride o;
        o.action = q.action;
        o.origin = q.origin;
        std::string level;
        if (q.action == RuleOverride::Action::Severity) {
            const size_t eq = q.text.find('=');
            if (eq == std::string::npos)
                fail(q, "overrides.syntax", "expected RULE=LEVEL (LEVEL: error, warning or info), e.g. ecd.rebuild.desktop-running=warning");
            o.rule = q.text.substr(0, eq);
            level = q.text.substr(eq + 1);
        } else {
            o.rule = q.text;
        }
        if (o.rule.empty()) fail(q, "overrides.syntax", "no rule id given (an empty value, or an empty item of a comma-separated list)");
        const Rule* rule = rules.rule(o.rule);
        if (!rule) {
            const std::string near = near_id(o.rule, rules);
            fail(q, "overrides.unknown-rule",
                 "no rule '" + o.rule + "' in the rule set" + (near.empty() ? "" : " (did you mean '" + near + "'?)") +
                     "; see `opguard rules list`");
        }
        o.from = o.to = rule->severity;
        if (q.action == RuleOverride::Action::Severity) {
            if (level == "error") o.to = Severity::Error;
            else if (level == "warning") o.to = Severity::Warning;
            else if (level == "info") o.to = Severity::Info;
            else fail(q, "overrides.level", "'" + level + "' is not a severity: error, warning or info");
        }
        if (rule->locked && (q.action == RuleOverride::Action::Skip || o.to < o.from))
            fail(q, "overrides.locked",
                 "rule " + o.rule + " is locked (`locked = true;` in its rule file): it reports what opguard could not check or "
                 "model, so a run option cannot " + (q.action == RuleOverride::Action::Skip ? "skip it" : "lower its severity") +
                 "; accept a finding of it with a waiver that names the finding and gives a reason (--waivers, or `waivers` on the plan's call)");
        auto [it, added] = by_rule.emplace(o.rule, o);
        if (!added) {
            const RuleOverride& was = it->second;
            if (was.action == o.action && was.to == o.to) continue;  // the same request again
            fail(q, "overrides.conflict",
                 "rule " + o.rule + " is already " +
                     (was.action == RuleOverride::Action::Skip ? std::string("skipped")
                                                               : std::string("given severity ") + severity_name(was.to)) +
                     " by " + origin_text(was.origin));
        }
    }
    std::vector<RuleOverride> out;
    for (auto& [id, o] : by_rule) out.push_back(std::move(o));
    return out;
}

void apply_severity_overrides(RuleSet& rules, const std::vector<RuleOverride>& overrides) {
    for (const RuleOverride& o : overrides)
        if (o.action == RuleOverride::Action::Severity)
            for (Rule& r : rules.rules)
                if (r.id == o.rule) r.severity = o.to;
}

void apply_overrides(Report& report, std::vector<RuleOverride> overrides) {
    std::map<std::string, RuleOverride*> skipped;
    for (RuleOverride& o : overrides)
        if (o.action == RuleOverride::Action::Skip) skipped.emplace(o.rule, &o);
    if (!skipped.empty()) {
        auto& fs = report.findings;
        fs.erase(std::remove_if(fs.begin(), fs.end(),
                                [&](const Finding& f) {
                                    auto it = skipped.find(f.rule->id);
                                    if (it == skipped.end()) return false;
                                    ++it->second->findings;
                                    return true;
                                }),
                 fs.end());
    }
    report.overrides = std::move(overrides);
}

std::string override_text(const RuleOverride& o) {
    const std::string origin = " (" + origin_text(o.origin) + ")";
    if (o.action == RuleOverride::Action::Skip)
        return "skip " + o.rule + origin + ": " + std::to_string(o.findings) + (o.findings == 1 ? " finding" : " findings") +
               " not reported";
    return "severity " + o.rule + " " + severity_name(o.from) + " -> " + severity_name(o.to) + origin;
}

}  // namespace opguard
