// SARIF 2.1.0 (OASIS), as code-scanning services read it: one run; tool.driver.rules lists
// the rules its results reference (id, title, description, help with basis and source, default
// level); each finding is a result at file:line:col of the offending plan value, with
// the inventory facts it rests on as related locations. Waived findings carry a
// suppression (inSource for a waiver written in the plan, external for a --waivers file).
// Validated against the official schema (schemas/third_party/sarif-schema-2.1.0.json) in
// the test suite.
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>

#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard {

using namespace report_detail;

namespace {

const char* level(Severity s) {
    switch (s) {
        case Severity::Error: return "error";
        case Severity::Warning: return "warning";
        case Severity::Info: return "note";
    }
    return "none";
}

// A path as a URI reference: relative paths stay relative (resolved against the checkout
// by code-scanning services), absolute ones become file:// URIs; bytes outside the
// unreserved set are percent-encoded.
std::string uri(const std::string& path) {
    static const char* hex = "0123456789ABCDEF";
    std::string out = !path.empty() && path[0] == '/' ? "file://" : "";
    for (unsigned char c : path) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                     c == '_' || c == '~' || c == '/';
        if (plain) out += static_cast<char>(c);
        else { out += '%'; out += hex[c >> 4]; out += hex[c & 15]; }
    }
    return out;
}

Node text(const std::string& s) { return Node::object({{"text", Node::string(s)}}); }

Node physical(const Location& l, const RenderOptions& o) {
    Node p = Node::object({{"artifactLocation", Node::object({{"uri", Node::string(uri(l.file))}})}});
    if (l.pos.known()) {
        uint32_t column = o.utf16_column ? o.utf16_column(l) : l.pos.column;
        p.set("region", Node::object({{"startLine", Node::number(l.pos.line)}, {"startColumn", Node::number(column)}}));
    }
    return p;
}

std::string fingerprint(const Finding& f) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a 64 over what identifies a finding, not where it is
    for (const std::string* s : {&f.rule->id, &f.call_id, &f.target, &f.message}) {
        for (unsigned char c : *s) { h ^= c; h *= 1099511628211ull; }
        h ^= 0x1f; h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// `sev`: the rule's own severity (a --severity override changes r.severity for the run; the
// descriptor keeps the default and the invocation's ruleConfigurationOverrides says what changed).
std::string help_text(const Rule& r, Severity sev) {
    std::string ops;
    for (const auto& o : r.operations) ops += (ops.empty() ? "" : ", ") + o;
    std::string s = r.title + ".";
    if (!r.description.empty()) s += " " + r.description;
    s += "\nSeverity: " + std::string(severity_name(sev)) + ". Operations: " + ops + ".";
    if (r.refuses == Refusal::Maybe)
        s += "\nWhether the cloud refuses the call is not documented; its effects are predicted as if it runs.";
    else if (r.refuses != Refusal::None)
        s += "\nThe cloud refuses the " + std::string(r.refuses == Refusal::Call ? "whole call" : "target") + ": " + cloud_answer(r) + ".";
    s += "\nBasis: " + std::string(basis_name(r.basis)) + ". Source: " + r.source;
    if (!r.note.empty()) s += "\nNote: " + r.note;
    return s;
}

std::string help_markdown(const Rule& r, Severity sev) {
    std::string ops;
    for (const auto& o : r.operations) ops += (ops.empty() ? "" : ", ") + ("`" + o + "`");
    std::string s = "**" + r.title + "**";
    if (!r.description.empty()) s += "\n\n" + r.description;
    s += "\n\n- Severity: " + std::string(severity_name(sev)) + "\n- Operations: " + ops;
    if (r.refuses == Refusal::Maybe)
        s += "\n- Whether the cloud refuses the call is not documented; its effects are predicted as if it runs";
    else if (r.refuses != Refusal::None)
        s += "\n- The cloud refuses the " + std::string(r.refuses == Refusal::Call ? "whole call" : "target") + ": " + cloud_answer(r);
    s += "\n- Basis: " + std::string(basis_name(r.basis)) + "\n- Source: " + r.source;
    if (!r.note.empty()) s += "\n- Note: " + r.note;
    return s;
}

Node descriptor(const Rule& r, Severity sev) {
    Node props = Node::object();
    Node ops = Node::array();
    for (const auto& o : r.operations) ops.items().push_back(Node::string(o));
    props.set("source", Node::string(r.source));
    props.set("basis", Node::string(basis_name(r.basis)));
    props.set("operations", std::move(ops));
    props.set("scope", Node::string(r.scope == Scope::Plan ? "plan" : r.scope == Scope::Call ? "call" : r.scope == Scope::Effect ? "effect" : "target"));
    props.set("refuses", Node::string(refusal_name(r.refuses)));
    if (!r.code.empty()) props.set("code", Node::string(r.code));
    if (r.http) props.set("http", Node::number(r.http));
    props.set("tags", Node::array({Node::string(basis_name(r.basis)), Node::string("opguard")}));
    return Node::object({{"id", Node::string(r.id)},
                         {"shortDescription", text(r.title)},
                         {"fullDescription", text(r.description.empty() ? r.title : r.description)},
                         {"helpUri", Node::string(rule_doc_uri(r.id))},
                         {"help", Node::object({{"text", Node::string(help_text(r, sev))}, {"markdown", Node::string(help_markdown(r, sev))}})},
                         {"defaultConfiguration", Node::object({{"level", Node::string(level(sev))}})},
                         {"properties", std::move(props)}});
}

}  // namespace

std::string render_sarif(const Report& r, const RenderOptions& options) {
    // Rules: those a result or a --skip-rule / --severity override references, in rule-set
    // order, then pseudo-rules (waivers) as results use them. Rules without either are left
    // out, so adding a rule changes only the reports where it fires.
    std::set<std::string> referenced;
    for (const auto& f : r.findings) referenced.insert(f.rule->id);
    for (const RuleOverride& o : r.overrides) referenced.insert(o.rule);
    std::vector<const Rule*> rules;
    std::map<std::string, size_t> index;
    for (const Rule* rule : r.rules)
        if (referenced.count(rule->id) && index.emplace(rule->id, rules.size()).second) rules.push_back(rule);
    for (const auto& f : r.findings)
        if (index.emplace(f.rule->id, rules.size()).second) rules.push_back(f.rule);
    std::map<std::string, Severity> own;  // rule id => its severity before a --severity override
    for (const RuleOverride& o : r.overrides) own.emplace(o.rule, o.from);
    Node rule_nodes = Node::array();
    for (const Rule* rule : rules) {
        auto it = own.find(rule->id);
        rule_nodes.items().push_back(descriptor(*rule, it != own.end() ? it->second : rule->severity));
    }

    Node results = Node::array();
    for (const auto& f : r.findings) {
        Node res = Node::object();
        res.set("ruleId", Node::string(f.rule->id));
        res.set("ruleIndex", Node::number(static_cast<double>(index.at(f.rule->id))));
        res.set("level", Node::string(level(f.rule->severity)));
        res.set("message", text(f.message));
        Node loc = Node::object({{"physicalLocation", physical(f.location, options)}});
        if (!f.call_id.empty()) {
            std::string name = f.target.empty() ? f.call_id : f.target;
            std::string fq = f.target.empty() ? f.call_id : f.call_id + "/" + f.target;
            loc.set("logicalLocations", Node::array({Node::object({{"name", Node::string(name)},
                                                                   {"fullyQualifiedName", Node::string(fq)},
                                                                   {"kind", Node::string(f.target.empty() ? "call" : "target")}})}));
        }
        res.set("locations", Node::array({std::move(loc)}));
        if (!f.evidence.empty()) {
            Node rel = Node::array();
            for (size_t i = 0; i < f.evidence.size(); ++i) {
                const Citation& c = f.evidence[i];
                rel.items().push_back(Node::object(
                    {{"id", Node::number(static_cast<double>(i + 1))},
                     {"physicalLocation", Node::object({{"artifactLocation", Node::object({{"uri", Node::string(uri(c.file))}})}})},
                     {"message", text(c.kind + " " + c.id + " at JSON pointer " + c.pointer)},
                     {"properties", Node::object({{"jsonPointer", Node::string(c.pointer)}})}}));
            }
            res.set("relatedLocations", std::move(rel));
        }
        if (f.waiver) {
            Node sup = Node::object({{"kind", Node::string(f.waiver->in_plan ? "inSource" : "external")},
                                     {"status", Node::string("accepted")},
                                     {"justification", Node::string(f.waiver->reason)},
                                     {"location", Node::object({{"physicalLocation", physical(f.waiver->location, options)}})}});
            if (!f.waiver->expires.empty())
                sup.set("properties", Node::object({{"expires", Node::string(f.waiver->expires)}}));
            res.set("suppressions", Node::array({std::move(sup)}));
        }
        res.set("partialFingerprints", Node::object({{"opguardFinding/v1", Node::string(fingerprint(f))}}));
        Node props = Node::object();
        if (!f.call_id.empty()) props.set("call", Node::string(f.call_id));
        if (!f.operation.empty()) props.set("operation", Node::string(f.operation));
        if (!f.target.empty()) props.set("target", Node::string(f.target));
        props.set("basis", Node::string(basis_name(f.rule->basis)));
        res.set("properties", std::move(props));
        results.items().push_back(std::move(res));
    }

    Node artifacts = Node::array();
    artifacts.items().push_back(Node::object({{"location", Node::object({{"uri", Node::string(uri(r.plan_file))}})},
                                              {"roles", Node::array({Node::string("analysisTarget")})}}));
    for (const auto& f : r.inventory_files)
        artifacts.items().push_back(Node::object({{"location", Node::object({{"uri", Node::string(uri(f))}})},
                                                  {"roles", Node::array({Node::string("referencedOnCommandLine")})}}));

    Counts n = counts(r);
    Node driver = Node::object({{"name", Node::string("opguard")},
                                {"version", Node::string(options.tool_version)},
                                {"informationUri", Node::string(project_homepage())},
                                {"rules", std::move(rule_nodes)}});
    Node run = Node::object();
    run.set("tool", Node::object({{"driver", std::move(driver)}}));
    Node invocation = Node::object({{"executionSuccessful", Node::boolean(true)},
                                    {"exitCode", Node::number(exit_code(r, options.fail_on))}});
    // --skip-rule / --severity: SARIF's own construct, one configuration override per rule
    // (a skipped rule is disabled, a changed one has its level), with where it was written.
    if (!r.overrides.empty()) {
        Node list = Node::array();
        for (const RuleOverride& o : r.overrides) {
            const bool skip = o.action == RuleOverride::Action::Skip;
            Node props = Node::object({{"origin", Node::string(format_location(o.origin))}});
            if (skip) props.set("findingsNotReported", Node::number(static_cast<double>(o.findings)));
            // The descriptor's index when the rule is among the run's (a rule of no operation of
            // this plan is not listed: its id alone names it).
            Node ref = Node::object({{"id", Node::string(o.rule)}});
            if (auto at = index.find(o.rule); at != index.end()) ref.set("index", Node::number(static_cast<double>(at->second)));
            list.items().push_back(Node::object(
                {{"descriptor", std::move(ref)},
                 {"configuration", skip ? Node::object({{"enabled", Node::boolean(false)}})
                                        : Node::object({{"level", Node::string(level(o.to))}})},
                 {"properties", std::move(props)}}));
        }
        invocation.set("ruleConfigurationOverrides", std::move(list));
    }
    run.set("invocations", Node::array({std::move(invocation)}));
    run.set("artifacts", std::move(artifacts));
    run.set("columnKind", Node::string("utf16CodeUnits"));
    run.set("results", std::move(results));
    // What the accepted calls do (SARIF has no place of its own for it): each effect with its
    // basis, so an inferred or undocumented prediction reads as one here too.
    Node effects = Node::array();
    for (const auto& e : r.effects) {
        Node x = Node::object({{"call", Node::string(e.call_id)},
                               {"target", Node::string(e.target)},
                               {"text", Node::string(effect_line(e))},
                               {"dataLoss", Node::boolean(e.effect->data_loss)},
                               {"basis", Node::string(basis_name(e.effect->basis))}});
        effects.items().push_back(std::move(x));
    }
    run.set("properties", Node::object({{"summary", Node::string(r.summary())},
                                        {"effects", std::move(effects)},
                                        {"errors", Node::number(static_cast<double>(n.errors))},
                                        {"warnings", Node::number(static_cast<double>(n.warnings))},
                                        {"infos", Node::number(static_cast<double>(n.infos))},
                                        {"waived", Node::number(static_cast<double>(n.waived))}}));
    Node root = Node::object({{"$schema", Node::string("https://json.schemastore.org/sarif-2.1.0.json")},
                              {"version", Node::string("2.1.0")},
                              {"runs", Node::array({std::move(run)})}});
    return pretty_json(root);
}

}  // namespace opguard
