// The JSON report. Its shape is schemas/report.schema.json (report_version "1"). Written
// straight to text with JsonWriter: a report of 10^5 targets is never a Node tree.
#include "report/common.hpp"
#include "report/json_writer.hpp"
#include "report/render.hpp"

namespace opguard {

namespace {

void location(JsonWriter& w, std::string_view key, const Location& l) {
    w.key(key).begin_object().field("file", l.file);
    if (l.pos.known()) w.field("line", l.pos.line).field("column", l.pos.column);
    w.end_object();
}

void summary(JsonWriter& w, const Report& r) {
    const report_detail::Counts counts = report_detail::counts(r);
    w.key("summary").begin_object();
    w.field("text", r.summary());
    w.field("calls", r.calls.size());
    w.field("calls_refused", counts.refused);
    w.field("targets_refused", counts.targets_refused);
    w.field("calls_not_modeled", counts.not_modeled);
    w.field("calls_not_read", counts.not_read);
    w.field("calls_unresolved_targets", counts.unresolved);
    w.field("calls_answer_undocumented", counts.answer_undocumented);
    w.field("errors", r.count(Severity::Error));
    w.field("warnings", r.count(Severity::Warning));
    w.field("infos", r.count(Severity::Info));
    w.field("waived", r.waived_count());
    w.field("rules", r.rule_count);
    w.end_object();
}

void call(JsonWriter& w, const CallOutcome& c) {
    w.begin_object();
    w.field("index", c.index);
    w.field("id", c.id);
    w.field_or_null("operation", c.operation);
    w.field("api", c.label);
    location(w, "location", c.location);
    w.field("outcome", !c.known ? "unknown" : !c.accepted ? "refused" : !c.answer_undocumented.empty() ? "undocumented" : "accepted");
    w.field("read_only", c.read_only);
    if (c.wait) w.field("wait", true);  // only when the plan waits after the call
    if (c.acts_on_unresolved()) w.field("unresolved_targets", true);  // only when its targets are unresolved
    w.key("http");
    if (c.http) w.number(c.http); else w.null();
    w.field_or_null("code", c.code);
    w.field_or_null("message", c.message);
    w.key("targets").begin_array();
    for (const auto& t : c.targets) {
        w.begin_object().field("id", t.id);
        location(w, "location", t.location);
        w.field("outcome", t.outcome).field_or_null("code", t.code).field_or_null("message", t.message);
        w.end_object();
    }
    w.end_array();
    w.field("response", c.response);
    w.end_object();
}

void finding(JsonWriter& w, const Finding& f) {
    const Rule& rule = *f.rule;
    w.begin_object();
    w.field("rule", rule.id);
    w.field("title", rule.title);
    w.field("severity", severity_name(rule.severity));
    w.field("basis", basis_name(rule.basis));
    w.field_or_null("call", f.call_id);
    w.field_or_null("operation", f.operation);
    w.field_or_null("target", f.target);
    w.field("message", f.message);
    location(w, "location", f.location);
    w.field("refuses", report_detail::refusal_name(rule.refuses));
    w.field_or_null("code", rule.code);
    w.key("http");
    if (rule.http) w.number(rule.http); else w.null();
    w.field("source", rule.source);
    w.field_or_null("note", rule.note);
    w.key("evidence").begin_array();
    for (const auto& c : f.evidence)
        w.begin_object().field("kind", c.kind).field("id", c.id).field("file", c.file).field("pointer", c.pointer).end_object();
    w.end_array();
    w.key("waiver");
    if (f.waiver) {
        w.begin_object().field("reason", f.waiver->reason).field_or_null("expires", f.waiver->expires);
        location(w, "location", f.waiver->location);
        w.field("written_in", f.waiver->in_plan ? "plan" : "waiver-file").end_object();
    } else {
        w.null();
    }
    w.end_object();
}

void effect(JsonWriter& w, const EffectRecord& e) {
    w.begin_object();
    w.field("effect", e.effect->id);
    w.field("call", e.call_id);
    w.field_or_null("target", e.target);
    w.field_or_null("noun", e.noun);
    w.field_or_null("verb", e.verb);
    w.field_or_null("id", e.id);
    w.key("size_gib");
    if (e.size_gib) w.number(*e.size_gib); else w.null();
    w.field_or_null("detail", e.detail);
    w.key("status_path").begin_array();
    for (const auto& s : e.status_path) w.string(s);
    w.end_array();
    w.field("data_loss", e.effect->data_loss);
    w.field("pending", e.effect->pending);
    w.field("basis", basis_name(e.effect->basis));
    w.field_or_null("note", e.effect->note);
    w.field("source", e.effect->source);
    w.end_object();
}

void change(JsonWriter& w, const ResourceChange& c) {
    w.begin_object().field("kind", c.kind).field("id", c.id);
    w.key("fields").begin_array();
    for (const auto& [name, ba] : c.fields)
        w.begin_object().field("field", name).field("before", ba.first).field("after", ba.second).end_object();
    w.end_array();
    w.end_object();
}

void explanation(JsonWriter& w, const RuleExplanation& x) {
    auto values = [&](std::string_view key, const std::vector<RuleExplanation::Value>& vs, const char* name) {
        w.key(key).begin_array();
        for (const auto& v : vs) {
            w.begin_object().field(name, v.name).field("value", v.value);
            if (!v.error.empty()) w.field("error", v.error);
            w.end_object();
        }
        w.end_array();
    };
    w.begin_object();
    w.field("rule", x.rule->id);
    w.field_or_null("call", x.call_id);
    w.field_or_null("target", x.target);
    w.key("loop");
    if (x.loop_var.empty()) w.null();
    else w.begin_object().field("var", x.loop_var).field("value", x.loop_value).end_object();
    w.field("fired", x.fired);
    w.field_or_null("connective", x.connective);
    values("operands", x.operands, "expr");
    values("lets", x.lets, "name");
    w.end_object();
}

void write_json_report(const Report& r, const RenderOptions& options, std::string& out, const JsonWriter::Sink* sink) {
    JsonWriter w(out, sink);
    w.begin_object();
    w.field("report_version", "1");
    w.key("tool").begin_object().field("name", "opguard").field("version", options.tool_version).end_object();
    w.field("plan", r.plan_file);
    w.key("inventory").begin_array();
    for (const auto& f : r.inventory_files) w.string(f);
    w.end_array();
    summary(w, r);
    w.key("calls").begin_array();
    for (const auto& c : r.calls) call(w, c);
    w.end_array();
    if (!r.waits.empty()) {  // only for a plan with wait steps
        w.key("waits").begin_array();
        for (const auto& x : r.waits) {
            w.begin_object().field("id", x.id);
            location(w, "location", x.location);
            w.field("after_calls", x.after);
            w.key("waited").begin_array();
            for (const auto& id : x.waited) w.string(id);
            w.end_array();
            w.end_object();
        }
        w.end_array();
    }
    if (!r.overrides.empty()) {  // only when --skip-rule / --severity changed the rule set
        w.key("overrides").begin_array();
        for (const auto& o : r.overrides) {
            const bool skip = o.action == RuleOverride::Action::Skip;
            w.begin_object().field("rule", o.rule).field("action", skip ? "skip" : "severity");
            w.field("from", severity_name(o.from));
            w.key("to");
            if (skip) w.null(); else w.string(severity_name(o.to));
            w.field("origin", format_location(o.origin));
            if (skip) w.field("findings_not_reported", o.findings);
            w.end_object();
        }
        w.end_array();
    }
    w.key("findings").begin_array();
    for (const auto& f : r.findings) finding(w, f);
    w.end_array();
    w.key("effects").begin_array();
    for (const auto& e : r.effects) effect(w, e);
    w.end_array();
    w.key("changes").begin_array();
    for (const auto& c : r.changes) change(w, c);
    w.end_array();
    if (!r.explanations.empty()) {
        w.key("explain").begin_array();
        for (const auto& x : r.explanations) explanation(w, x);
        w.end_array();
    }
    w.end_object();
    w.raw("\n");
    w.flush();
}

}  // namespace

std::string render_json(const Report& r, const RenderOptions& options) {
    std::string out;
    write_json_report(r, options, out, nullptr);
    return out;
}

void stream_json(const Report& r, const RenderOptions& options, const Sink& sink) {
    std::string buffer;
    buffer.reserve(JsonWriter::kChunk + JsonWriter::kChunk / 4);
    write_json_report(r, options, buffer, &sink);
}

}  // namespace opguard
