#include "input/adapters/plan_formats.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "core/diagnostic.hpp"
#include "input/adapters/aliyun_cli.hpp"
#include "input/adapters/cli_dry_run.hpp"
#include "input/adapters/hcloud_cli.hpp"
#include "input/adapters/oos_template.hpp"
#include "input/adapters/plan_builder.hpp"
#include "input/adapters/shell_lexer.hpp"
#include "input/adapters/terraform_plan.hpp"
#include "input/adapters/yaml_reader.hpp"
#include "input/json_reader.hpp"

namespace opguard {

using namespace adapters;

namespace {

constexpr size_t kMaxPlanBytes = 256 * 1024 * 1024;

// A plan named "-" is read from standard input and is "<stdin>" in every location.
constexpr const char* kStdinName = "<stdin>";
std::string read_stdin(size_t max_bytes) {
    try {
        return read_file_bytes("/dev/stdin", max_bytes);
    } catch (const InputError& e) {
        throw InputError(kStdinName, e.position(), e.id(), e.message(), e.pointer());
    }
}

// Why one format does not fit; collected for the "tried ..." message.
struct Attempt {
    std::string format;
    std::string why;
};

[[noreturn]] void unknown_format(const std::string& path, const std::vector<Attempt>& tried) {
    std::string msg = "cannot read this plan as any format opguard knows; tried ";
    for (size_t i = 0; i < tried.size(); ++i) msg += (i ? "; " : "") + tried[i].format + ": " + tried[i].why;
    msg += ". Name the format with --plan-format if it is one of these";
    throw InputError(path, {}, "plan.unknown-format", msg);
}

[[noreturn]] void mismatch(const SourceFile& f, const Node* at, const std::string& format, const std::string& why) {
    throw InputError(f.path(), at ? f.position(at->origin.offset) : Position{}, "plan.format-mismatch", "not a " + format + " file: " + why);
}

std::string where(const InputError& e) {
    std::string s;
    if (e.position().known()) s = "at " + std::to_string(e.position().line) + ":" + std::to_string(e.position().column) + ": ";
    return s + e.message();
}

std::string basename(const std::string& word) {
    size_t slash = word.rfind('/');
    return slash == std::string::npos ? word : word.substr(slash + 1);
}

// ---- the formats --------------------------------------------------------------------------

Plan shell_plan(SourceRegistry& sources, uint32_t fid, const RuleSet& rules, bool* found = nullptr) {
    const SourceFile& f = sources.file(fid);
    ScriptContext ctx{f.text(), fid, f.path(), &rules, &sources};
    PlanBuilder b(sources, fid, rules, "shell");
    std::map<uint32_t, int> per_line;
    const ShellCommand* broken = nullptr;  // a command with an unclosed quote that calls no API
    const std::vector<ShellCommand> commands = split_shell_commands(f.text());
    for (const ShellCommand& cmd : commands) {
        const ShellWord& w = cmd.words[0];
        std::string prog = basename(w.text);
        if (w.unresolved() || (prog != "aliyun" && prog != "hcloud")) {
            if (cmd.unterminated) broken = &cmd;
            continue;
        }
        uint32_t line = f.position(w.begin).line;
        int n = ++per_line[line];
        std::string id = "line-" + std::to_string(line) + (n > 1 ? "." + std::to_string(n) : "");
        std::optional<CallDraft> d = prog == "aliyun" ? read_aliyun_command(cmd, ctx, id) : read_hcloud_command(cmd, ctx, id);
        if (d) b.add(std::move(*d));
    }
    if (found) *found = b.size() > 0;
    // bash stops at a quote it never sees closed: the API calls written after it never run,
    // and opguard cannot say which they would have been. No finding can hold that (no call
    // is there to carry it), so the script is refused, at the quote. (In an aliyun or hcloud
    // command the same quote is a plan.cli-usage finding on that call.)
    if (broken && (b.size() > 0 || !found)) {
        const std::string q(1, broken->unterminated_quote ? broken->unterminated_quote : '"');
        throw InputError(f.path(), f.position(*broken->unterminated), "plan.shell-syntax",
                         "the " + q + " opened here is not closed before the end of the file (bash: \"unexpected EOF while "
                         "looking for matching `" + q + "'\"): bash runs no command from here on, so opguard cannot tell "
                         "which API calls after it you meant; close the quote");
    }
    if (b.size() == 0 && !found)
        throw InputError(f.path(), {}, "plan.no-calls", "no aliyun or hcloud command that calls an API in this script");
    return b.build();
}

// One record, a JSON array of records, or (when `segments` has several) records printed one
// after another: each segment is read from a copy of the file blanked outside it, so every
// position stays the one in the file.
Plan dry_run_plan(SourceRegistry& sources, uint32_t fid, const Node* root, const std::vector<std::pair<size_t, size_t>>& segments,
                  const RuleSet& rules) {
    const SourceFile& f = sources.file(fid);
    PlanBuilder b(sources, fid, rules, "cli-dry-run-json");
    std::vector<Node> records;
    if (root) {
        if (root->is_array()) records = root->items();
        else records.push_back(*root);
    } else {
        for (const auto& [begin, end] : segments) {
            std::string copy(f.text());
            for (size_t i = 0; i < copy.size(); ++i)
                if ((i < begin || i >= end) && copy[i] != '\n') copy[i] = ' ';
            uint32_t part = sources.add(f.path(), std::move(copy));
            Node n = read_plan_json(sources, part, rules);
            if (n.is_array()) records.insert(records.end(), n.items().begin(), n.items().end());
            else records.push_back(std::move(n));
        }
    }
    size_t i = 0;
    for (const Node& r : records) {
        std::string why;
        if (!looks_like_dry_run_record(r, &why))
            throw InputError(f.path(), f.position(r.origin.offset), "plan.format-mismatch",
                             "record " + std::to_string(i + 1) + " is not a --cli-dry-run-json record: " + why);
        read_dry_run_record(r, "record-" + std::to_string(++i), b);
    }
    return b.build();
}

Plan oos_plan(SourceRegistry& sources, uint32_t fid, const Node& root, const RuleSet& rules) {
    PlanBuilder b(sources, fid, rules, "oos-template");
    read_oos_template(root, b);
    return b.build();
}

Plan terraform(SourceRegistry& sources, uint32_t fid, const Node& root, const RuleSet& rules) {
    PlanBuilder b(sources, fid, rules, "terraform-plan");
    read_terraform_plan(root, b);
    return b.build();
}

Plan json_input(SourceRegistry& sources, uint32_t fid, const Node& root, const RuleSet& rules) {
    const SourceFile& f = sources.file(fid);
    PlanBuilder b(sources, fid, rules, "hcloud-json-input");
    b.add(read_hcloud_json_input(root, fid, f.path(), std::filesystem::path(f.path()).stem().string()));
    return b.build();
}

bool starts_like_json(std::string_view t) {
    size_t i = t.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    return i < t.size() && (t[i] == '{' || t[i] == '[');
}

// The JSON family, by shape.
Plan from_json_root(SourceRegistry& sources, uint32_t fid, const Node& root, const RuleSet& rules) {
    const SourceFile& f = sources.file(fid);
    std::vector<Attempt> tried;
    std::string why;
    if (root.is_object() && root.find("calls")) return plan_from_node(sources, fid, root, rules);
    tried.push_back({"opguard plan", root.is_object() ? "no \"calls\" list" : "not an object {\"calls\": [...]}"});
    if (looks_like_terraform_plan(root, &why)) return terraform(sources, fid, root, rules);
    tried.push_back({"terraform-plan", why});
    if (looks_like_oos_template(root, &why)) return oos_plan(sources, fid, root, rules);
    tried.push_back({"oos-template", why});
    bool records = root.is_array() ? !root.items().empty() && looks_like_dry_run_record(root.items()[0], &why)
                                   : looks_like_dry_run_record(root, &why);
    if (root.is_array() && root.items().empty()) why = "an empty list";
    if (records) return dry_run_plan(sources, fid, &root, {}, rules);
    tried.push_back({"cli-dry-run-json", why});
    if (looks_like_hcloud_json_input(root, &why)) return json_input(sources, fid, root, rules);
    tried.push_back({"hcloud-json-input", why});
    unknown_format(f.path(), tried);
}

}  // namespace

const std::vector<std::string>& plan_format_names() {
    static const std::vector<std::string> names = {"auto", "opguard", "shell", "cli-dry-run-json", "hcloud-json-input", "oos-template",
                                                   "terraform-plan"};
    return names;
}

Plan load_plan_any(SourceRegistry& sources, const std::string& path, const RuleSet& rules, const std::string& format) {
    const auto& names = plan_format_names();
    if (std::find(names.begin(), names.end(), format) == names.end()) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw InputError("command line", {}, "usage", "unknown plan format '" + format + "'; expected one of: " + list);
    }
    uint32_t fid = path == "-" ? sources.add(kStdinName, read_stdin(kMaxPlanBytes)) : sources.add(path, map_or_read_file(path, kMaxPlanBytes));
    const SourceFile& f = sources.file(fid);

    if (format == "opguard") return plan_from_node(sources, fid, read_plan_json(sources, fid, rules), rules);
    if (format == "shell") return shell_plan(sources, fid, rules);
    if (format == "terraform-plan" || format == "hcloud-json-input") {
        Node root = read_plan_json(sources, fid, rules);
        std::string why;
        if (format == "terraform-plan") {
            if (!looks_like_terraform_plan(root, &why)) mismatch(f, &root, format, why);
            return terraform(sources, fid, root, rules);
        }
        if (!looks_like_hcloud_json_input(root, &why)) mismatch(f, &root, format, why);
        return json_input(sources, fid, root, rules);
    }
    if (format == "oos-template") {
        Node root = starts_like_json(f.text()) ? read_plan_json(sources, fid, rules) : read_yaml(sources, fid);
        std::string why;
        if (!looks_like_oos_template(root, &why)) mismatch(f, &root, format, why);
        return oos_plan(sources, fid, root, rules);
    }
    if (format == "cli-dry-run-json") {
        std::vector<std::pair<size_t, size_t>> segments;
        size_t stray = 0;
        if (split_json_values(f.text(), segments, stray) && segments.size() > 1) return dry_run_plan(sources, fid, nullptr, segments, rules);
        Node root = read_plan_json(sources, fid, rules);
        return dry_run_plan(sources, fid, &root, {}, rules);
    }

    // auto: JSON family by shape; otherwise an OOS template in YAML, otherwise a script.
    std::vector<Attempt> tried;
    if (starts_like_json(f.text())) {
        std::vector<std::pair<size_t, size_t>> segments;
        size_t stray = 0;
        if (split_json_values(f.text(), segments, stray) && segments.size() > 1) return dry_run_plan(sources, fid, nullptr, segments, rules);
        // A file that starts like JSON is JSON: its syntax error (file:line:col) is the answer.
        Node root = read_plan_json(sources, fid, rules);
        return from_json_root(sources, fid, root, rules);
    }
    tried.push_back({"JSON formats (opguard plan, cli-dry-run-json, hcloud-json-input, oos-template, terraform-plan)",
                     "the file does not start with { or ["});
    try {
        Node root = read_yaml(sources, fid);
        std::string why;
        if (looks_like_oos_template(root, &why)) return oos_plan(sources, fid, root, rules);
        tried.push_back({"oos-template (YAML)", why});
    } catch (const InputError& e) {
        // A template that says it is one: its YAML error (file:line:col) is the answer.
        if (f.text().rfind("FormatVersion:", 0) == 0 || f.text().find("\nFormatVersion:") != std::string::npos) throw;
        tried.push_back({"oos-template (YAML)", where(e)});
    }
    bool found = false;
    Plan plan = shell_plan(sources, fid, rules, &found);
    if (found) return plan;
    tried.push_back({"shell", "no aliyun or hcloud command that calls an API"});
    unknown_format(f.path(), tried);
}

}  // namespace opguard
