// The change-review report, for a pull-request comment or a CI job summary (GitHub
// Flavored Markdown): summary counts first, then the refused calls and targets with the
// reasons, the data that will be lost (every effect marked data_loss, with sizes), the
// other errors, the warnings and infos, and the waived findings with their reasons.
// Everything taken from the plan or inventory is escaped, so a value cannot break a table
// or inject markup.
#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_set>

#include "engine/overrides.hpp"
#include "report/common.hpp"
#include "report/render.hpp"

namespace opguard {

using namespace report_detail;

namespace {

// Plain text: escapes what Markdown would read as markup; newlines become spaces. When the
// report is posted as a comment, GitHub would turn @name into a mention (a notification to
// that user or team) and #123 into a link to an issue: a word joiner (U+2060) after an '@'
// that a name character follows, and after a '#' that a digit follows, keeps the text as it reads and stops both. (Inline code spans never mention.)
std::string md(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        switch (c) {
            case '@':
                out += '@';
                if (i + 1 < s.size() && (std::isalnum(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '-' || s[i + 1] == '_'))
                    out += "\u2060";  // @name (not "$@")
                break;
            case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>': case '|': case '~':
                out += '\\';
                out += c;
                break;
            case '#':
                out += "\\#";
                if (i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') out += "\u2060";  // #123 (not #/pointer)
                break;
            case '\n': case '\r': out += ' '; break;
            default: out += c;
        }
    }
    return out;
}

// Inline code: a fence longer than any run of backticks inside; '|' escaped for tables.
std::string code(std::string_view s) {
    if (s.empty()) return "";
    size_t run = 0, longest = 0;
    for (char c : s) { run = c == '`' ? run + 1 : 0; longest = std::max(longest, run); }
    std::string fence(longest + 1, '`'), body;
    for (char c : s) {
        if (c == '|') body += "\\|";
        else if (c == '\n' || c == '\r') body += ' ';
        else body += c;
    }
    bool pad = longest > 0 || body.front() == '`' || body.back() == '`';
    return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string where(const Location& l) { return code(format_location(l)); }

std::string plural(size_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string reason(const Finding& f) {
    std::string s = md(f.message) + " (" + code(f.rule->id) + ")";
    if (f.waiver) s += " — waived: " + md(f.waiver->reason);
    return s;
}

}  // namespace

std::string render_markdown(const Report& r, const RenderOptions& options) {
    Counts n = counts(r);
    std::string out;
    std::string verdict = exit_code(r, options.fail_on) ? "fails" : "passes";
    out += "## opguard: " + plural(n.refused, "call", "calls") + " refused, " + plural(n.targets_refused, "target", "targets") +
           " refused, " + (n.answer_undocumented ? plural(n.answer_undocumented, "call", "calls") + " with an undocumented answer, " : "") +
           plural(n.errors, "error", "errors") + ", " + plural(n.warnings, "warning", "warnings") + "\n\n";
    out += "Plan " + code(r.plan_file) + ": " + plural(n.calls, "call", "calls") + ", checked against " +
           plural(r.inventory_files.size(), "inventory file", "inventory files") + " and " + plural(r.rule_count, "rule that applies", "rules that apply") +
           ". The check " + verdict + " at `--fail-on " + severity_name(options.fail_on) + "`.\n\n";
    out += "| calls | calls refused | targets | targets refused | errors | warnings | info | waived |\n";
    out += "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    out += "| " + std::to_string(n.calls) + " | " + std::to_string(n.refused) + " | " + std::to_string(n.targets) + " | " +
           std::to_string(n.targets_refused) + " | " + std::to_string(n.errors) + " | " + std::to_string(n.warnings) + " | " +
           std::to_string(n.infos) + " | " + std::to_string(n.waived) + " |\n\n";
    out += md(r.summary()) + "\n";
    // The rules this run skipped or gave another severity: right under the counts they change.
    if (!r.overrides.empty()) {
        out += "\n### Overrides of this run\n\n";
        for (const RuleOverride& o : r.overrides) out += "- " + md(override_text(o)) + "\n";
    }

    // ---- refused calls and targets, with the findings that refuse them
    const ByCall by = by_call(r);
    std::unordered_set<const Finding*> listed;
    out += "\n### Refused calls and targets\n\n";
    bool any_refused = false;
    std::string table = "| call | target | predicted answer | reason | where |\n|---|---|---|---|---|\n";
    for (const auto& c : r.calls) {
        if (!c.known) continue;
        std::map<std::string, std::vector<const Finding*>> refusing;  // target ("" for the call) => findings
        for (const Finding* f : by.findings[c.index])
            if (f->rule->refuses == Refusal::Call || f->rule->refuses == Refusal::Maybe) refusing[""].push_back(f);
            else if (f->rule->refuses == Refusal::Target) refusing[f->target].push_back(f);
        auto reasons = [&](const std::string& target) {
            std::string s;
            auto it = refusing.find(target);
            if (it == refusing.end()) return s;
            for (const Finding* f : it->second) {
                s += (s.empty() ? "" : "<br>") + reason(*f);
                listed.insert(f);
            }
            return s;
        };
        if (!c.accepted) {
            any_refused = true;
            std::string answer = (c.http ? "HTTP " + std::to_string(c.http) : std::string("HTTP status undocumented")) + ", " +
                                 (c.code == "undocumented" ? std::string("code undocumented") : code(c.code));
            std::string why = reasons("");
            table += "| " + code(c.id) + " | whole call (" + plural(c.targets.size(), "target", "targets") + " not run) | " + answer +
                     " | " + (why.empty() ? md(c.message) : why) + " | " + where(c.location) + " |\n";
            continue;
        }
        if (!c.answer_undocumented.empty()) {
            any_refused = true;
            std::string why = reasons("");
            table += "| " + code(c.id) + " | whole call (effects shown as if it runs) | undocumented | " +
                     (why.empty() ? md(c.answer_undocumented) : why) + " | " + where(c.location) + " |\n";
        }
        for (const auto& t : c.targets) {
            if (t.outcome != "refused") continue;
            any_refused = true;
            std::string answer = t.code == "undocumented" ? "code undocumented" : code(t.code);
            if (!t.message.empty()) answer += " " + md("\"" + t.message + "\"");
            std::string why = reasons(t.id);
            table += "| " + code(c.id) + " | " + code(t.id) + " | " + answer + " | " + (why.empty() ? md(t.message) : why) + " | " +
                     where(t.location) + " |\n";
        }
    }
    out += any_refused ? table : "No call or target is refused.\n";

    // ---- data that will be lost
    out += "\n### Data that will be lost\n\n";
    auto lost = data_loss_effects(r);
    if (lost.empty()) {
        out += "No disk is erased and no snapshot is deleted.\n";
    } else {
        std::vector<std::string> order;
        std::map<std::string, std::pair<size_t, double>> totals;
        std::map<std::string, bool> sized;
        for (const EffectRecord* e : lost) {
            std::string key = std::string(e->noun_title) + " " + std::string(e->verb);
            if (!totals.count(key)) order.push_back(key);
            ++totals[key].first;
            if (e->size_gib) { totals[key].second += *e->size_gib; sized[key] = true; }
        }
        std::string line;
        for (const auto& key : order) {
            auto sp = key.find(' ');
            const auto& [count, size] = totals[key];
            line += (line.empty() ? "" : ", ") + std::to_string(count) + " " + key.substr(0, sp) + (count == 1 ? "" : "s") + " " +
                    key.substr(sp + 1);
            if (sized[key]) line += " (" + gib(size) + ")";
        }
        out += md(line) + ".\n\n";
        out += "| resource | what happens | size | target | call | detail |\n|---|---|---:|---|---|---|\n";
        for (const EffectRecord* e : lost) {
            out += "| " + md(e->noun_title) + " " + code(e->id) + " | " + md(e->verb) + " | " + (e->size_gib ? gib(*e->size_gib) : "not given") +
                   " | " + code(e->target) + " | " + code(e->call_id) + " | " + md(e->detail);
            if (e->effect->basis != Basis::Documented) out += " (" + std::string(basis_name(e->effect->basis)) + ")";
            out += " |\n";
        }
    }
    // The other effects that are not documented: what the documentation does not settle, and
    // what opguard infers (every inferred prediction is marked as one in every format).
    std::string unsure, inferred;
    for (const auto& e : r.effects) {
        if (e.effect->data_loss || e.effect->basis == Basis::Documented) continue;
        std::string what = e.verb.empty() ? "status " + status_path(e.status_path) : std::string(e.verb);
        std::string row = "- " + md(e.noun_title) + " " + code(e.id) + " " + md(what) + " (" + code(e.call_id) + ")" +
                          (e.detail.empty() ? "" : ": " + md(e.detail)) + "\n";
        if (e.effect->basis == Basis::Undocumented) {
            if (!e.verb.empty()) unsure += row;
        } else {
            inferred += row;
        }
    }
    if (!unsure.empty()) out += "\nWhat the documentation does not settle:\n\n" + unsure;
    if (!inferred.empty()) out += "\nWhat opguard infers (the documentation does not state it):\n\n" + inferred;

    // ---- the other findings, by severity; waived ones last
    auto section = [&](const std::string& title, auto&& pick) {
        std::string rows;
        for (const auto& f : r.findings) {
            if (!pick(f)) continue;
            rows += "| " + code(f.rule->id) + " | " + where(f.location) + " | " + md(subject(f)) + " | " + md(f.message);
            if (!f.evidence.empty()) rows += "<br>evidence: " + md(evidence_list(f));
            rows += " |\n";
        }
        if (rows.empty()) return;
        out += "\n### " + title + "\n\n| rule | where | subject | message |\n|---|---|---|---|\n" + rows;
    };
    auto not_listed = [&](const Finding& f) { return !listed.count(&f); };
    section("Other errors", [&](const Finding& f) { return !f.waived() && f.rule->severity == Severity::Error && not_listed(f); });
    section("Warnings", [&](const Finding& f) { return !f.waived() && f.rule->severity == Severity::Warning; });
    section("Info", [&](const Finding& f) { return !f.waived() && f.rule->severity == Severity::Info; });
    std::string waived;
    for (const auto& f : r.findings) {
        if (!f.waiver) continue;
        waived += "| " + code(f.rule->id) + " | " + where(f.location) + " | " + md(subject(f)) + " | " + md(f.message) + " | " +
                  md(f.waiver->reason) + " | " + (f.waiver->expires.empty() ? "never" : f.waiver->expires) + " | " +
                  where(f.waiver->location) + " |\n";
    }
    if (!waived.empty())
        out += "\n### Waived findings\n\n| rule | where | subject | message | reason | expires | waiver |\n|---|---|---|---|---|---|---|\n" +
               waived;
    out += "\n<sub>opguard " + md(options.tool_version) + "</sub>\n";
    return out;
}

}  // namespace opguard
