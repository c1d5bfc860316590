#pragma once
// Shared by the libFuzzer targets (fuzz/*.cpp): the built-in rules, compiled once, and the
// rest of `opguard check` (waivers, simulation, every report format) run on whatever an
// input produced, so a fuzzed plan, inventory or rule file reaches the whole pipeline.
//
// Contract every target enforces: an input may only end in an InputError (exit 2 in the
// CLI). Any other exception is "internal error" (exit 3), which is a bug: the target
// aborts so libFuzzer records the input as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include <unistd.h>

#include "dsl/builtin_rules.hpp"
#include "engine/explain.hpp"
#include "engine/waivers.hpp"
#include "opguard.hpp"

namespace opguard::fuzz {

namespace fs = std::filesystem;

inline std::string source_dir() { return OPGUARD_SOURCE_DIR; }

// The built-in rule files, parsed and compiled once. Every per-input SourceRegistry starts
// with the same files in the same order (add_builtins), so the RuleSet's origins (file
// index + offset) stay valid against it.
struct Builtins {
    std::vector<ParsedRuleFile> parsed;
    RuleSet rules;
};

inline void add_builtins(SourceRegistry& s) {
    for (const auto& f : builtin_rule_files()) s.add_static(f.name, f.text);
}

inline const Builtins& builtins() {
    static const Builtins b = [] {
        Builtins x;
        SourceRegistry s;
        add_builtins(s);
        for (uint32_t id = 0; id < s.size(); ++id) x.parsed.push_back({id, parse_rule_file(s, id), false});
        x.rules = compile_rules(s, x.parsed);
        return x;
    }();
    return b;
}

// A private directory for this process's input files (removed at exit).
inline const fs::path& work_dir() {
    static const fs::path dir = [] {
        std::string tmpl = (fs::temp_directory_path() / "opguard-fuzz-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) { std::perror("mkdtemp"); std::abort(); }
        static const std::string keep = tmpl;
        std::atexit([] { std::error_code ec; fs::remove_all(keep, ec); });
        return fs::path(tmpl);
    }();
    return dir;
}

// Writes the input to work_dir()/name and returns the path.
inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
    fs::path p = work_dir() / name;
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) { std::perror("write fuzz input"); std::abort(); }
    return p.string();
}

// The sample inventory (samples/fleet and samples/huawei), file by file in sorted order.
inline std::vector<std::string> sample_inventory_files() {
    std::vector<std::string> out;
    for (const char* d : {"samples/fleet", "samples/huawei"})
        for (const auto& e : fs::directory_iterator(source_dir() + "/" + d))
            if (e.path().extension() == ".json") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

// What `opguard check` does after loading: plan waivers, simulation (with the --explain
// observer when `explain`), waivers applied, then every report format rendered.
inline void check_and_render(SourceRegistry& sources, const Plan& plan, Inventory& inv, const RuleSet& rules,
                             bool explain = false) {
    std::vector<Waiver> waivers = plan_waivers(sources, plan, rules);
    SimulateOptions so;
    std::vector<RuleExplanation> explanations;
    if (explain)
        so.on_rule = [&](const RuleEvaluation& ev) { explanations.push_back(explain_evaluation(ev, rules, plan.calls.size())); };
    Report report = simulate(sources, plan, inv, rules, so);
    report.explanations = std::move(explanations);
    apply_waivers(report, waivers, "2026-01-01");
    RenderOptions ro;
    ro.tool_version = "fuzz";
    for (const auto& f : format_names()) {
        std::string out = render(report, f, ro);
        if (out.empty()) { std::fprintf(stderr, "format %s rendered nothing\n", f.c_str()); std::abort(); }
    }
}

// Runs `body`; an InputError is an expected outcome, anything else aborts.
template <typename F>
int guarded(F&& body) {
    try {
        body();
    } catch (const InputError& e) {
        std::string line = format_input_error(e);  // formatting the message must not fail either
        if (line.empty()) std::abort();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "opguard fuzz: internal error (exit 3 in the CLI): %s\n", e.what());
        std::abort();
    }
    return 0;
}

}  // namespace opguard::fuzz
