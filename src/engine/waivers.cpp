#include "engine/waivers.hpp"
#include "core/text_safety.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/diagnostic.hpp"
#include "input/json_reader.hpp"

namespace opguard {

namespace {

// Whether `text` holds a character a reader sees: not only blanks, control characters (NUL
// included) or the invisible characters (invisible_code_point: "\u200b", a Hangul filler,
// a variation selector) a reason would otherwise pass with.
bool says_something(std::string_view text) {
    for (size_t i = 0; i < text.size();)
        if (!invisible_code_point(next_code_point(text, i))) return true;
    return false;
}

Rule make_rule(std::string id, std::string title, std::string description) {
    Rule r;
    r.id = std::move(id);
    r.title = std::move(title);
    r.description = std::move(description);
    r.severity = Severity::Warning;
    r.operations = {"*"};
    r.scope = Scope::Plan;
    r.source = "opguard waivers: a --waivers file or a call's \"waivers\" in the plan";
    r.basis = Basis::Documented;
    return r;
}

// Reads one waiver object (from a file or a plan call), strictly.
class WaiverReader {
public:
    WaiverReader(const SourceRegistry& s, const RuleSet& r) : sources_(s), rules_(r) {}

    [[noreturn]] void fail(const Node& at, const std::string& id, const std::string& msg, const std::string& ptr) const {
        const SourceFile& f = sources_.file(at.origin.file);
        throw InputError(f.path(), f.position(at.origin.offset), id, msg, ptr);
    }

    Location locate(const Node& n) const {
        const SourceFile& f = sources_.file(n.origin.file);
        return {f.path(), f.position(n.origin.offset)};
    }

    const std::string& string_at(const Node& v, const std::string& key, const std::string& ptr) const {
        if (!v.is_string()) fail(v, "waivers.shape", "\"" + key + "\" must be a string; found " + kind_name(v.kind()), ptr);
        return v.as_string();
    }

    Waiver read(const Node& w, const std::string& ptr, bool in_plan) const {
        static const std::vector<std::string> file_keys = {"rule", "call", "action", "targets", "reason", "expires"};
        static const std::vector<std::string> plan_keys = {"rule", "targets", "reason", "expires"};
        const auto& keys = in_plan ? plan_keys : file_keys;
        if (!w.is_object()) fail(w, "waivers.shape", std::string("a waiver is an object; found ") + kind_name(w.kind()), ptr);
        Waiver out;
        out.in_plan = in_plan;
        out.location = locate(w);
        for (const auto& [k, v] : w.members()) {
            std::string p = ptr + "/" + pointer_token(k);
            if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
                std::string list;
                for (const auto& x : keys) list += (list.empty() ? "" : ", ") + x;
                fail(v, "waivers.unknown-key", "unknown key '" + k + "' in a waiver; expected one of: " + list, p);
            }
            if (k == "rule") {
                out.rule = string_at(v, k, p);
                if (!rules_.rule(out.rule))
                    fail(v, "waivers.unknown-rule", "no rule '" + out.rule + "' in the rule set (see `opguard rules list`)", p);
            } else if (k == "call") {
                out.call = string_at(v, k, p);
                if (out.call.empty()) fail(v, "waivers.shape", "\"call\" must name a call id", p);
            } else if (k == "action") {
                out.action = string_at(v, k, p);
                if (out.action.empty())
                    fail(v, "waivers.shape", "\"action\" must name the API of the call (ModifyDiskSpec, ecs.ModifyDiskSpec)", p);
            } else if (k == "reason") {
                out.reason = string_at(v, k, p);
                if (!says_something(out.reason))
                    fail(v, "waivers.shape", "\"reason\" must say why the finding is accepted; it is empty (or only spaces, control or invisible characters)", p);
            } else if (k == "expires") {
                out.expires = string_at(v, k, p);
                if (!valid_date(out.expires))
                    fail(v, "waivers.date", "\"expires\" must be a date written YYYY-MM-DD; found \"" + out.expires + "\"", p);
            } else if (k == "targets") {
                if (!v.is_array() || v.items().empty())
                    fail(v, "waivers.shape", "\"targets\" must be a non-empty list of target ids (omit it to cover every target)", p);
                for (size_t i = 0; i < v.items().size(); ++i) {
                    const Node& t = v.items()[i];
                    if (!t.is_string() || t.as_string().empty())
                        fail(t, "waivers.shape", std::string("a target is a non-empty string; found ") + kind_name(t.kind()),
                             p + "/" + std::to_string(i));
                    out.targets.push_back(t.as_string());
                }
            }
        }
        if (out.rule.empty() && !w.find("rule")) fail(w, "waivers.shape", "a waiver names the \"rule\" it waives", ptr);
        if (!w.find("reason")) fail(w, "waivers.shape", "a waiver needs a \"reason\"", ptr);
        return out;
    }

    std::vector<Waiver> read_list(const Node& list, const std::string& ptr, bool in_plan, std::optional<size_t> call) const {
        if (!list.is_array()) fail(list, "waivers.shape", std::string("\"waivers\" must be a list; found ") + kind_name(list.kind()), ptr);
        std::vector<Waiver> out;
        for (size_t i = 0; i < list.items().size(); ++i) {
            Waiver w = read(list.items()[i], ptr + "/" + std::to_string(i), in_plan);
            w.call_index = call;
            out.push_back(std::move(w));
        }
        return out;
    }

private:
    const SourceRegistry& sources_;
    const RuleSet& rules_;
};

std::string describe(const Waiver& w) {
    std::string s = "waiver for " + w.rule;
    if (!w.call.empty()) s += " on call " + w.call;
    if (!w.action.empty()) s += " (API " + w.action + ")";
    if (!w.targets.empty()) {
        s += " (target" + std::string(w.targets.size() == 1 ? " " : "s ");
        for (size_t i = 0; i < w.targets.size(); ++i) s += (i ? ", " : "") + w.targets[i];
        s += ")";
    }
    return s;
}

// Whether `call` makes the API `action` names: its operation (ecs.ModifyDiskSpec), its
// action (ModifyDiskSpec, the last word of its label) or product.Action (product in lower case).
bool makes(const CallOutcome& call, const std::string& action) {
    if (call.operation == action) return true;
    const size_t first = call.label.find(' '), last = call.label.rfind(' ');
    if (first == std::string::npos) return false;
    const std::string api = call.label.substr(last + 1);
    std::string product = call.label.substr(0, first);
    for (auto& c : product) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return api == action || product + "." + api == action;
}

bool covers(const Waiver& w, const Finding& f, const std::vector<CallOutcome>& calls) {
    if (f.rule->id != w.rule) return false;
    if (!w.action.empty() && (f.call_index >= calls.size() || !makes(calls[f.call_index], w.action))) return false;
    if (w.call_index) {
        if (f.call_index != *w.call_index) return false;
    } else if (!w.call.empty() && f.call_id != w.call) {
        return false;
    }
    if (!w.targets.empty() && std::find(w.targets.begin(), w.targets.end(), f.target) == w.targets.end()) return false;
    return true;
}

}  // namespace

const Rule& waiver_expired_rule() {
    static const Rule r = make_rule("waiver.expired", "A waiver has expired",
                                    "The waiver's expiry date has passed: it no longer applies, and the findings it covered count again.");
    return r;
}

const Rule& waiver_unused_rule() {
    static const Rule r = make_rule("waiver.unused", "A waiver covers no finding",
                                    "No finding of this run matches the waiver: the problem is fixed, or the rule id, call or targets are wrong.");
    return r;
}

bool valid_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    int y = std::stoi(std::string(s.substr(0, 4))), m = std::stoi(std::string(s.substr(5, 2))), d = std::stoi(std::string(s.substr(8, 2)));
    if (y < 1 || m < 1 || m > 12 || d < 1) return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::string today_utc() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

std::vector<Waiver> load_waiver_file(SourceRegistry& sources, const std::string& path, const RuleSet& rules) {
    uint32_t fid = sources.add(path, read_file_bytes(path, 16 * 1024 * 1024));
    Node root = read_json(sources, fid);
    WaiverReader reader(sources, rules);
    if (!root.is_object())
        reader.fail(root, "waivers.shape", std::string("a waiver file is a JSON object {\"waivers\": [...]}; found ") + kind_name(root.kind()), "");
    for (const auto& [k, v] : root.members()) {
        if (k != "waivers" && k != "$schema" && k != "description")
            reader.fail(v, "waivers.unknown-key", "unknown key '" + k + "' in the waiver file; expected waivers, description or $schema",
                        "/" + pointer_token(k));
        // As the schema says (schemas/waivers.schema.json), and as a plan's are.
        if (k != "waivers" && !v.is_string())
            reader.fail(v, "waivers.shape", "\"" + k + "\" must be a string; found " + std::string(kind_name(v.kind())), "/" + pointer_token(k));
    }
    const Node* list = root.find("waivers");
    if (!list) reader.fail(root, "waivers.shape", "the waiver file has no \"waivers\" list", "");
    return reader.read_list(*list, "/waivers", false, std::nullopt);
}

std::vector<Waiver> plan_waivers(const SourceRegistry& sources, const Plan& plan, const RuleSet& rules) {
    WaiverReader reader(sources, rules);
    std::vector<Waiver> out;
    for (const auto& c : plan.calls) {
        if (c.waivers.is_null() && !c.waivers.origin.known()) continue;
        for (auto& w : reader.read_list(c.waivers, "/calls/" + std::to_string(c.entry) + "/waivers", true, c.index)) {
            w.call = c.id;
            out.push_back(std::move(w));
        }
    }
    return out;
}

void apply_waivers(Report& report, const std::vector<Waiver>& waivers, const std::string& today) {
    std::vector<size_t> used(waivers.size(), 0), would(waivers.size(), 0);
    auto expired = [&](const Waiver& w) { return !w.expires.empty() && w.expires < today; };
    // Plan waivers first (they sit next to the call), then the files', each in written order.
    std::vector<size_t> order;
    for (size_t i = 0; i < waivers.size(); ++i) if (waivers[i].in_plan) order.push_back(i);
    for (size_t i = 0; i < waivers.size(); ++i) if (!waivers[i].in_plan) order.push_back(i);
    for (auto& f : report.findings) {
        if (f.waived()) continue;
        for (size_t i : order) {
            const Waiver& w = waivers[i];
            if (!covers(w, f, report.calls)) continue;
            if (expired(w)) { ++would[i]; continue; }
            f.waiver = WaiverRef{w.reason, w.expires, w.location, w.in_plan};
            ++used[i];
            break;
        }
    }
    for (size_t i : order) {
        const Waiver& w = waivers[i];
        Finding f;
        f.call_index = w.call_index.value_or(report.calls.size());
        f.call_id = w.call;
        f.location = w.location;
        if (expired(w)) {
            f.rule = &waiver_expired_rule();
            f.message = describe(w) + " expired on " + w.expires + " (today is " + today + ") and no longer applies";
            if (would[i]) f.message += ": " + std::to_string(would[i]) + (would[i] == 1 ? " finding it covered counts again" : " findings it covered count again");
        } else if (!used[i]) {
            f.rule = &waiver_unused_rule();
            f.message = describe(w) + " matches no finding of this run: remove it, or check its rule, call, API and targets";
        } else {
            continue;
        }
        f.message += " (reason given: " + w.reason + ")";
        report.findings.push_back(std::move(f));
    }
    stable_sort_moved_once(report.findings, [](const Finding& a, const Finding& b) { return a.call_index < b.call_index; });
}

}  // namespace opguard
