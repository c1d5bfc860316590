#pragma once
// A plan read from a script (or any plan form) written into a test's temporary folder, with
// the look-ups the shell tests make: a parameter, an adapter note, an unresolved value.
#include <memory>
#include <string>

#include "input/adapters/plan_formats.hpp"
#include "test_support.hpp"

namespace opguard::test {

struct ScriptPlan {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    std::string path, text;

    // line:col of a node, and of the first `needle` (after `after`) in the script.
    std::string at(const Node& n) const { return lc(sources.file(n.origin.file).position(n.origin.offset)); }
    std::string where(const std::string& needle, const std::string& after = {}) const { return lc(position_of(text, needle, after)); }
    const Node& record(size_t call) const { return plan.calls.at(call).record; }
    const Node* param(size_t call, const std::string& name) const { return plan.calls.at(call).parameters.find(name); }
    const Node& adapter(size_t call) const { return *record(call).find("adapter"); }
    const Node* adapter(size_t call, const std::string& key) const { return adapter(call).find(key); }
    // The adapter's `unresolved` entry whose param starts with `param` on `call`, or nullptr.
    const Node* unresolved(size_t call, const std::string& param) const {
        const Node* un = adapter(call, "unresolved");
        if (!un) return nullptr;
        for (const auto& u : un->items())
            if (u.find("param")->as_string().rfind(param, 0) == 0) return &u;
        return nullptr;
    }
    // A field ("text", "flag") of that entry, or "".
    std::string unresolved_field(size_t call, const std::string& param, const char* field = "text") const {
        const Node* u = unresolved(call, param);
        return u ? u->find(field)->as_string() : std::string();
    }
};

// T: ScriptPlan, or a test's own type derived from it (more look-ups).
template <typename T = ScriptPlan>
std::unique_ptr<T> read_plan(const TempDir& dir, const std::string& name, const std::string& text, const std::string& format = "auto") {
    auto r = std::make_unique<T>();
    r->text = text;
    r->path = dir.write(name, text);
    r->rules = load_rules(r->sources, RuleSources{true, {}});
    r->plan = load_plan_any(r->sources, r->path, r->rules, format);
    return r;
}

}  // namespace opguard::test
