// The JSON report. Its shape is schemas/report.schema.json (report_version "1").
#include <cmath>

#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard {

namespace {

Node location(const Location& l) {
    Node n = Node::object({{"file", Node::string(l.file)}});
    if (l.pos.known()) {
        n.set("line", Node::number(l.pos.line));
        n.set("column", Node::number(l.pos.column));
    }
    return n;
}

Node str_or_null(const std::string& s) { return s.empty() ? Node::null() : Node::string(s); }

}  // namespace

Node report_to_json(const Report& r, const RenderOptions& options) {
    Node root = Node::object();
    root.set("report_version", Node::string("1"));
    root.set("tool", Node::object({{"name", Node::string("opguard")}, {"version", Node::string(options.tool_version)}}));
    root.set("plan", Node::string(r.plan_file));
    Node inv = Node::array();
    for (const auto& f : r.inventory_files) inv.items().push_back(Node::string(f));
    root.set("inventory", std::move(inv));

    const report_detail::Counts counts = report_detail::counts(r);
    const size_t refused_calls = counts.calls_refused, refused_targets = counts.targets_refused;
    root.set("summary", Node::object({{"text", Node::string(r.summary())},
                                      {"calls", Node::number(static_cast<double>(r.calls.size()))},
                                      {"calls_refused", Node::number(static_cast<double>(refused_calls))},
                                      {"targets_refused", Node::number(static_cast<double>(refused_targets))},
                                      {"errors", Node::number(static_cast<double>(r.count(Severity::Error)))},
                                      {"warnings", Node::number(static_cast<double>(r.count(Severity::Warning)))},
                                      {"infos", Node::number(static_cast<double>(r.count(Severity::Info)))},
                                      {"waived", Node::number(static_cast<double>(r.waived_count()))},
                                      {"rules", Node::number(static_cast<double>(r.rule_count))}}));

    Node calls = Node::array();
    for (const auto& c : r.calls) {
        Node n = Node::object();
        n.set("index", Node::number(static_cast<double>(c.index)));
        n.set("id", Node::string(c.id));
        n.set("operation", str_or_null(c.operation));
        n.set("api", Node::string(c.label));
        n.set("location", location(c.location));
        n.set("outcome", Node::string(!c.known ? "unknown" : c.accepted ? "accepted" : "refused"));
        n.set("read_only", Node::boolean(c.read_only));
        n.set("http", c.http ? Node::number(c.http) : Node::null());
        n.set("code", str_or_null(c.code));
        n.set("message", str_or_null(c.message));
        Node targets = Node::array();
        for (const auto& t : c.targets) {
            targets.items().push_back(Node::object({{"id", Node::string(t.id)},
                                                    {"location", location(t.location)},
                                                    {"outcome", Node::string(t.outcome)},
                                                    {"code", str_or_null(t.code)},
                                                    {"message", str_or_null(t.message)}}));
        }
        n.set("targets", std::move(targets));
        n.set("response", c.response);
        calls.items().push_back(std::move(n));
    }
    root.set("calls", std::move(calls));

    Node findings = Node::array();
    for (const auto& f : r.findings) {
        const Rule& rule = *f.rule;
        Node n = Node::object();
        n.set("rule", Node::string(rule.id));
        n.set("title", Node::string(rule.title));
        n.set("severity", Node::string(severity_name(rule.severity)));
        n.set("basis", Node::string(basis_name(rule.basis)));
        n.set("call", str_or_null(f.call_id));
        n.set("operation", str_or_null(f.operation));
        n.set("target", str_or_null(f.target));
        n.set("message", Node::string(f.message));
        n.set("location", location(f.location));
        n.set("refuses", Node::string(rule.refuses == Refusal::Call ? "call" : rule.refuses == Refusal::Target ? "target" : "none"));
        n.set("code", str_or_null(rule.code));
        n.set("http", rule.http ? Node::number(rule.http) : Node::null());
        n.set("source", Node::string(rule.source));
        n.set("note", str_or_null(rule.note));
        Node ev = Node::array();
        for (const auto& c : f.evidence)
            ev.items().push_back(Node::object({{"kind", Node::string(c.kind)}, {"id", Node::string(c.id)},
                                               {"file", Node::string(c.file)}, {"pointer", Node::string(c.pointer)}}));
        n.set("evidence", std::move(ev));
        if (f.waiver) {
            n.set("waiver", Node::object({{"reason", Node::string(f.waiver->reason)},
                                          {"expires", str_or_null(f.waiver->expires)},
                                          {"location", location(f.waiver->location)},
                                          {"written_in", Node::string(f.waiver->in_plan ? "plan" : "waiver-file")}}));
        } else {
            n.set("waiver", Node::null());
        }
        findings.items().push_back(std::move(n));
    }
    root.set("findings", std::move(findings));

    Node effects = Node::array();
    for (const auto& e : r.effects) {
        Node n = Node::object();
        n.set("effect", Node::string(e.effect->id));
        n.set("call", Node::string(e.call_id));
        n.set("target", str_or_null(e.target));
        n.set("noun", str_or_null(e.noun));
        n.set("verb", str_or_null(e.verb));
        n.set("id", str_or_null(e.id));
        n.set("size_gib", e.size_gib ? Node::number(*e.size_gib) : Node::null());
        n.set("detail", str_or_null(e.detail));
        Node path = Node::array();
        for (const auto& s : e.status_path) path.items().push_back(Node::string(s));
        n.set("status_path", std::move(path));
        n.set("data_loss", Node::boolean(e.effect->data_loss));
        n.set("pending", Node::boolean(e.effect->pending));
        n.set("basis", Node::string(basis_name(e.effect->basis)));
        n.set("note", str_or_null(e.effect->note));
        n.set("source", Node::string(e.effect->source));
        effects.items().push_back(std::move(n));
    }
    root.set("effects", std::move(effects));

    Node changes = Node::array();
    for (const auto& c : r.changes) {
        Node fields = Node::array();
        for (const auto& [name, ba] : c.fields)
            fields.items().push_back(Node::object({{"field", Node::string(name)}, {"before", ba.first}, {"after", ba.second}}));
        changes.items().push_back(Node::object({{"kind", Node::string(c.kind)}, {"id", Node::string(c.id)}, {"fields", std::move(fields)}}));
    }
    root.set("changes", std::move(changes));

    if (!r.explanations.empty()) {
        auto values = [](const std::vector<RuleExplanation::Value>& vs, const char* key) {
            Node list = Node::array();
            for (const auto& v : vs) {
                Node n = Node::object({{key, Node::string(v.name)}, {"value", v.value}});
                if (!v.error.empty()) n.set("error", Node::string(v.error));
                list.items().push_back(std::move(n));
            }
            return list;
        };
        Node explain = Node::array();
        for (const auto& x : r.explanations) {
            Node n = Node::object();
            n.set("rule", Node::string(x.rule->id));
            n.set("call", str_or_null(x.call_id));
            n.set("target", str_or_null(x.target));
            n.set("loop", x.loop_var.empty() ? Node::null()
                                             : Node::object({{"var", Node::string(x.loop_var)}, {"value", x.loop_value}}));
            n.set("fired", Node::boolean(x.fired));
            n.set("connective", str_or_null(x.connective));
            n.set("operands", values(x.operands, "expr"));
            n.set("lets", values(x.lets, "name"));
            explain.items().push_back(std::move(n));
        }
        root.set("explain", std::move(explain));
    }
    return root;
}

std::string render_json(const Report& r, const RenderOptions& options) { return pretty_json(report_to_json(r, options)); }

}  // namespace opguard
