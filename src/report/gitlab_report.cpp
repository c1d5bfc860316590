// GitLab Code Quality (a JSON array of issues, the subset of the Code Climate format GitLab
// reads; schemas/gitlab-codequality.schema.json): one issue per finding that is not waived
// (GitLab has no notion of an accepted finding), at the plan value that causes it.
// Severities: error -> critical, warning -> minor, info -> info (README "Reports").
#include <cstdio>
#include <set>

#include "engine/overrides.hpp"
#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard {

using namespace report_detail;

namespace {

const char* gitlab_severity(Severity s) {
    switch (s) {
        case Severity::Error: return "critical";
        case Severity::Warning: return "minor";
        default: return "info";
    }
}

// FNV-1a 64 over what identifies a finding (rule, call, target, message), not where it is,
// so an issue keeps its fingerprint when lines move; `salt` separates two equal findings.
std::string fingerprint(const Finding& f, unsigned salt) {
    uint64_t h = 1469598103934665603ull;
    const std::string salt_text = std::to_string(salt);
    for (const std::string* s : {&f.rule->id, &f.call_id, &f.target, &f.message, &salt_text}) {
        for (unsigned char c : *s) { h ^= c; h *= 1099511628211ull; }
        h ^= 0x1f; h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace

std::string render_gitlab(const Report& r, const RenderOptions&) {
    Node issues = Node::array();
    std::set<std::string> seen;
    for (const Finding& f : r.findings) {
        if (f.waived()) continue;
        std::string fp;
        for (unsigned salt = 0; fp.empty() || seen.count(fp); ++salt) fp = fingerprint(f, salt);
        seen.insert(fp);
        const std::string path = f.location.file.empty() ? r.plan_file : f.location.file;
        const uint32_t line = f.location.pos.known() ? f.location.pos.line : 1;
        issues.items().push_back(Node::object({
            {"description", Node::string(f.message)},
            {"check_name", Node::string(f.rule->id)},
            {"fingerprint", Node::string(fp)},
            {"severity", Node::string(gitlab_severity(f.rule->severity))},
            {"location", Node::object({{"path", Node::string(path)}, {"lines", Node::object({{"begin", Node::number(line)}})}})},
        }));
    }
    // A call on targets opguard cannot resolve, or a step whose calls opguard does not read: an
    // info issue each, at the call, so the merge request says that its effects are not
    // predicted even when its finding is waived (plan.unresolved-target, plan.cli-not-read, ...).
    for (const CallOutcome& c : r.calls) {
        if (!c.acts_on_unresolved() && !c.placeholder) continue;
        Finding key;
        static const Rule unresolved_rule = [] { Rule x; x.id = "opguard.unresolved-targets"; return x; }();
        static const Rule not_read_rule = [] { Rule x; x.id = "opguard.calls-not-read"; return x; }();
        key.rule = c.placeholder ? &not_read_rule : &unresolved_rule;
        key.call_id = c.id;
        key.message = c.placeholder ? std::string("step ") + c.id + " (" + c.label + ") " + c.message
                                    : std::string("call ") + c.id + " (" + c.operation + ") " + kUnresolvedTargetsText;
        std::string fp;
        for (unsigned salt = 0; fp.empty() || seen.count(fp); ++salt) fp = fingerprint(key, salt);
        seen.insert(fp);
        const std::string path = c.location.file.empty() ? r.plan_file : c.location.file;
        issues.items().push_back(Node::object({
            {"description", Node::string(key.message)},
            {"check_name", Node::string(key.rule->id)},
            {"fingerprint", Node::string(fp)},
            {"severity", Node::string("info")},
            {"location", Node::object({{"path", Node::string(path)},
                                       {"lines", Node::object({{"begin", Node::number(c.location.pos.known() ? c.location.pos.line : 1)}})}})},
        }));
    }
    // --skip-rule / --severity: an info issue each, at the configuration file's line when the
    // override was written there (else the plan's first line), so the merge request shows it.
    for (const RuleOverride& o : r.overrides) {
        Finding key;  // what identifies the override, for its fingerprint
        static const Rule override_rule = [] { Rule x; x.id = "opguard.override"; return x; }();
        key.rule = &override_rule;
        key.call_id = o.rule;
        key.message = o.action == RuleOverride::Action::Skip ? "skip" : std::string("severity ") + severity_name(o.to);
        std::string fp;
        for (unsigned salt = 0; fp.empty() || seen.count(fp); ++salt) fp = fingerprint(key, salt);
        seen.insert(fp);
        const bool in_file = o.origin.pos.known();
        issues.items().push_back(Node::object({
            {"description", Node::string(override_text(o))},
            {"check_name", Node::string("opguard.override")},
            {"fingerprint", Node::string(fp)},
            {"severity", Node::string("info")},
            {"location", Node::object({{"path", Node::string(in_file ? o.origin.file : r.plan_file)},
                                       {"lines", Node::object({{"begin", Node::number(in_file ? o.origin.pos.line : 1)}})}})},
        }));
    }
    return pretty_json(issues);
}

}  // namespace opguard
