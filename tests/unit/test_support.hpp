#pragma once
// Helpers shared by the unit tests: temporary directories, positions of text in a file,
// capturing InputError, and running the whole pipeline on small inputs.
// Data files are found through OPGUARD_SOURCE_DIR / OPGUARD_TEST_DATA, never the
// working directory.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

#include "opguard.hpp"

namespace opguard::test {

namespace fs = std::filesystem;

inline std::string source_path(const std::string& rel) { return std::string(OPGUARD_SOURCE_DIR) + "/" + rel; }

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "opguard-test-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    std::string file(const std::string& rel) const { return (path_ / rel).string(); }
    std::string mkdir(const std::string& rel) const {
        fs::create_directories(path_ / rel);
        return file(rel);
    }
    std::string write(const std::string& rel, const std::string& text) const {
        fs::path p = path_ / rel;
        fs::create_directories(p.parent_path());
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out << text;
        return p.string();
    }

private:
    fs::path path_;
};

// 1-based line:col of the first `needle` in `text` at or after the first `after` (if given).
inline Position position_of(const std::string& text, const std::string& needle, const std::string& after = {}) {
    size_t from = 0;
    if (!after.empty()) {
        from = text.find(after);
        if (from == std::string::npos) FAIL("marker not found: " << after);
    }
    size_t at = text.find(needle, from);
    if (at == std::string::npos) FAIL("needle not found: " << needle);
    Position p{1, 1};
    for (size_t i = 0; i < at; ++i) {
        if (text[i] == '\n') { ++p.line; p.column = 1; }
        else ++p.column;
    }
    return p;
}

inline std::string lc(Position p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

inline Position pos(const SourceRegistry& s, Origin o) {
    REQUIRE(o.known());
    return s.file(o.file).position(o.offset);
}

// An InputError, copied out so it can be inspected after the catch.
struct Err {
    std::string file;
    Position pos;
    std::string id;
    std::string message;
    std::string pointer;
    std::string what;
    std::string where() const { return lc(pos); }
};

template <typename F>
std::optional<Err> input_error(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return Err{e.file(), e.position(), e.id(), e.message(), e.pointer(), e.what()};
    }
    return std::nullopt;
}

// ---- the whole pipeline on temp files ----------------------------------------------------

struct Run {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    Inventory inventory;
    Report report;
    std::string plan_path;
    std::string plan_text;

    std::vector<const Finding*> findings(const std::string& rule_id) const {
        std::vector<const Finding*> out;
        for (const auto& f : report.findings)
            if (f.rule->id == rule_id) out.push_back(&f);
        return out;
    }
    std::vector<const Finding*> findings(const std::string& rule_id, size_t call_index) const {
        std::vector<const Finding*> out;
        for (const auto& f : report.findings)
            if (f.rule->id == rule_id && f.call_index == call_index) out.push_back(&f);
        return out;
    }
    // "file:line:col" of a needle in the plan.
    std::string loc(const std::string& needle, const std::string& after = {}) const {
        return plan_path + ":" + lc(position_of(plan_text, needle, after));
    }
    const TargetOutcome* target(size_t call, const std::string& id) const {
        for (const auto& t : report.calls.at(call).targets)
            if (t.id == id) return &t;
        return nullptr;
    }
    std::vector<const EffectRecord*> effects(size_t call) const {
        std::vector<const EffectRecord*> out;
        for (const auto& e : report.effects)
            if (e.call_index == call) out.push_back(&e);
        return out;
    }
    const EffectRecord* effect(size_t call, const std::string& noun, const std::string& id) const {
        for (const auto& e : report.effects)
            if (e.call_index == call && e.noun == noun && e.id == id) return &e;
        return nullptr;
    }
};

// Built-in rules, plan text written to `dir`/plan.json, inventory paths as given.
inline std::unique_ptr<Run> run_pipeline(const TempDir& dir, const std::string& plan_text,
                                         const std::vector<std::string>& inventory) {
    auto r = std::make_unique<Run>();
    r->plan_text = plan_text;
    r->plan_path = dir.write("plan.json", plan_text);
    r->rules = load_rules(r->sources, RuleSources{true, {}, /*defer_bodies=*/true});  // as a check loads them
    r->plan = load_plan(r->sources, r->plan_path, r->rules);
    decode_rule_bodies(r->rules, r->plan);
    r->inventory = load_inventory(r->sources, inventory, r->rules);
    r->report = simulate(r->sources, r->plan, r->inventory, r->rules);
    return r;
}

// ---- plans in a fixed layout -----------------------------------------------------------
// {
//   "calls": [
//     {
//       "id": "c1",
//       "product": "ecd", "version": "2020-09-30", "action": "RebuildDesktops",
//       "parameters": {
//         "RegionId": "cn-hangzhou",           <- one parameter a line, 8 spaces in
//         ...
//       }
//     }
//   ]
// }
inline std::string rebuild_call(const std::string& id, const std::vector<std::string>& params) {
    std::string s = "    {\n      \"id\": \"" + id + "\",\n";
    s += "      \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"RebuildDesktops\",\n";
    s += "      \"parameters\": {\n";
    for (size_t i = 0; i < params.size(); ++i) s += "        " + params[i] + (i + 1 < params.size() ? ",\n" : "\n");
    s += "      }\n    }";
    return s;
}

inline std::string plan_of(const std::vector<std::string>& calls) {
    std::string s = "{\n  \"calls\": [\n";
    for (size_t i = 0; i < calls.size(); ++i) s += calls[i] + (i + 1 < calls.size() ? ",\n" : "\n");
    return s + "  ]\n}\n";
}

// ---- running the opguard binary (OPGUARD_BINARY) ----------------------------------------

// A word quoted for the shell.
inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

struct CliRun {
    int exit = -1;  // -1: killed (a hang past the limit) or not run
    std::string out, err;
};

// Runs `ENV opguard ARGS` from `cwd` (ARGS are shell words written by the test; ENV is
// "NAME=value ..." or empty), with standard input empty, killed after `limit_s` seconds so a
// hang fails the test instead of stalling the suite. Its output goes to a private temporary
// directory, so `cwd` holds nothing the run did not write itself.
// Runs the shell command line `command` in `cwd` with its standard output and error captured
// in a private temporary directory (what run_opguard and run_script share).
inline CliRun run_captured(const std::string& cwd, const std::string& command) {
    TempDir io;
    const std::string out = io.file("out"), err = io.file("err");
    const std::string cmd = "cd " + shell_quote(cwd) + " && " + command + " >" + shell_quote(out) + " 2>" + shell_quote(err);
    const int status = std::system(cmd.c_str());
    CliRun r;
    r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

inline CliRun run_opguard(const std::string& cwd, const std::string& args, const std::string& env = "", int limit_s = 300) {
    return run_captured(cwd, env + " timeout -s KILL " + std::to_string(limit_s) + " " + shell_quote(OPGUARD_BINARY) + " " + args +
                                 " </dev/null");
}

// Runs the sh `script` in `cwd` with $OPGUARD set to the binary, killed after `limit_s`
// seconds; its standard input is what the script gives it (pipes, here-documents).
inline CliRun run_script(const std::string& cwd, const std::string& script, int limit_s = 120) {
    return run_captured(cwd, "OPGUARD=" + shell_quote(OPGUARD_BINARY) + " timeout -s KILL " + std::to_string(limit_s) + " sh -c " +
                                 shell_quote(script));
}

}  // namespace opguard::test
