#include "input/adapters/plan_formats.hpp"
#include "core/text_safety.hpp"

#include <algorithm>
#include <cstring>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "core/diagnostic.hpp"
#include "input/adapters/aliyun_cli.hpp"
#include "input/adapters/cli_dry_run.hpp"
#include "input/adapters/hcloud_cli.hpp"
#include "input/adapters/oos_template.hpp"
#include "input/adapters/plan_builder.hpp"
#include "input/adapters/shell_lexer.hpp"
#include "input/adapters/shell_wrappers.hpp"
#include "input/adapters/terraform_plan.hpp"
#include "input/adapters/yaml_reader.hpp"
#include "input/json_reader.hpp"

namespace opguard {

using namespace adapters;

namespace {

constexpr size_t kMaxPlanBytes = 256 * 1024 * 1024;

// read_yaml for a plan document (an OOS template): its secrets hidden as read_plan_json does.
Node read_plan_yaml(const SourceRegistry& sources, uint32_t fid, const RuleSet& rules) {
    Node root = read_yaml(sources, fid);
    redact_tree(root, secret_names(rules));
    return root;
}

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

// The language of a program that is not a shell script, by its name's extension or its #!
// line; nullptr for a shell script or anything else.
const char* program_language(const std::string& path, std::string_view text) {
    static const std::pair<const char*, const char*> kExtensions[] = {
        {".py", "Python"}, {".pyw", "Python"}, {".go", "Go"},         {".java", "Java"},       {".js", "JavaScript"}, {".mjs", "JavaScript"},
        {".ts", "TypeScript"}, {".rb", "Ruby"}, {".php", "PHP"},      {".ps1", "PowerShell"},  {".pl", "Perl"},       {".cs", "C#"},
    };
    for (const auto& [ext, language] : kExtensions)
        if (path.size() > std::strlen(ext) && path.compare(path.size() - std::strlen(ext), std::string::npos, ext) == 0) return language;
    if (text.starts_with("#!")) {
        const std::string_view first = text.substr(0, text.find('\n'));
        static const std::pair<const char*, const char*> kInterpreters[] = {
            {"python", "Python"}, {"node", "JavaScript"}, {"ruby", "Ruby"}, {"perl", "Perl"}, {"php", "PHP"}, {"pwsh", "PowerShell"},
        };
        for (const auto& [name, language] : kInterpreters)
            if (first.find(name) != std::string_view::npos) return language;
    }
    return nullptr;
}

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

// A word as a message shows it: at most 60 bytes, cut at a character boundary.
std::string shorten_word(const std::string& w) { return shortened(w, 60, 57); }

// Why a line in which opguard finds no CLI call it reads may still make API calls, for the
// placeholder call that stands for it (`note`: the observation a locked rule reports, at
// offset `at`); none when nothing says it may. `strings_read`: the line's strings (bash -c,
// eval, ...) were read as scripts, so what they run is known.
struct UnreadLine {
    const char* note;
    uint32_t at;
    std::string message;
};
std::optional<UnreadLine> unread_line(const ShellCommand& line_cmd, const ShellScript& script, std::string_view text, bool strings_read) {
    if (line_cmd.words.empty()) return std::nullopt;
    const ShellWord& w0 = line_cmd.words[0];
    const std::string prog = w0.unresolved() ? std::string() : basename(w0.text);
    // What another program prints into a shell (grep ... | bash, sed ... | sh, jq ... | bash,
    // cat a b | bash) is a script opguard does not see.
    if (!strings_read && line_cmd.piped_to_shell && !w0.unresolved() && prog != "echo" && prog != "printf" &&
        !(prog == "cat" && !line_cmd.input_texts.empty()))
        return UnreadLine{"scripts", w0.begin,
                          "this line pipes what " + shorten_word(w0.text) +
                              " prints into a shell, which runs it as a script opguard does not read: the API calls it makes are not checked"};
    // A command read from input when the script runs (`while read -r cmd; do $cmd; done <
    // cmds.txt`, `eval "$line"`, `bash -c "$line"`): any call, with any parameters. Its
    // program word, or any word eval or a shell runs, holds a variable `read` sets.
    const bool runs_words = prog == "eval" || is_shell_program(prog);
    for (size_t k = 0; k < line_cmd.words.size() && (k == 0 || runs_words); ++k) {
        const ShellWord& w = line_cmd.words[k];
        if (std::any_of(w.unresolved_names.begin(), w.unresolved_names.end(), [&](const std::string& n) { return script.read_variables.count(n) > 0; }))
            return UnreadLine{"cli_not_read", w.begin,
                              "this line runs " + shorten_word(written(text, w)) +
                                  ", a command read from input when the script runs, which may call the CLI: the API calls it makes are not checked"};
    }
    // The line names the CLI and may run it (trap '...' EXIT, $SHELL -c '...', a wrapper of a
    // shell, ...), in a form opguard does not read (plan.cli-not-read, an error).
    if (!strings_read)
        if (const ShellWord* named = unread_cli_word(line_cmd))
            return UnreadLine{"cli_not_read", named->begin,
                              "this line names the CLI (" + shorten_word(named->text) + ") and runs " + shorten_word(w0.text) +
                                  ", which may call it in a way opguard does not read: the API calls it makes are not checked"};
    return std::nullopt;
}

// ---- the formats --------------------------------------------------------------------------

constexpr int kMaxScriptDepth = 4;  // scripts run or sourced inside one another that are read

Plan shell_plan(SourceRegistry& sources, uint32_t top, const RuleSet& rules, bool* found = nullptr) {
    PlanBuilder b(sources, top, rules, "shell");
    const std::string top_dir = std::filesystem::path(sources.file(top).path()).parent_path().string();
    std::vector<std::string> chain;  // the scripts being read, outermost first (a cycle is not followed)
    size_t placeholders = 0;  // lines that run a script opguard does not read (not calls)
    std::map<std::string, uint32_t> read_scripts;  // canonical path => its source index
    size_t bytes_read = sources.file(top).size();

    // The calls of script `fid` (the plan, or a script it runs), ids prefixed with `prefix`.
    std::function<void(uint32_t, const std::string&)> read = [&](uint32_t fid, const std::string& prefix) {
        const SourceFile& f = sources.file(fid);
        ScriptContext ctx{f.text(), fid, f.path(), &rules, &sources};
        std::map<std::pair<uint32_t, uint32_t>, int> per_line;  // (line, loop iteration) => commands so far
        bool carried = false;  // the unclosed quote or substitution is in a call (a finding there)
        const ShellScript script = read_shell_script(f.text(), f.path());
        if (script.too_deep)
            throw InputError(f.path(), f.position(*script.too_deep), "plan.shell-depth",
                             "command substitutions nested more than " + std::to_string(kMaxShellNesting) +
                                 " levels deep here: opguard reads at most " + std::to_string(kMaxShellNesting) + " levels");
        std::optional<uint32_t> wrapped_too_deep;
        std::optional<WrappedSyntaxError> syntax_error;
        if (script.syntax_error) syntax_error = WrappedSyntaxError{*script.syntax_error, script.syntax_token};
        const size_t before = b.size();
        // A script with CRLF line ends (saved on Windows): bash keeps the carriage return as
        // part of each line's last word. Said once, on the file's first call.
        const size_t crlf = f.text().find("\r\n");
        bool crlf_said = crlf == std::string_view::npos;
        auto add = [&](CallDraft d) {
            if (!crlf_said) {
                const Origin at{fid, static_cast<uint32_t>(crlf)};
                d.note("crlf", Node::object({{"message", Node::string(
                    "this script's lines end in CRLF (a file saved on Windows): bash keeps the carriage return as part of each "
                    "line's last word, so its commands fail or send values that end in \\r (a backslash before it does not "
                    "continue the line); opguard reads the lines as if they ended in LF. Convert the file (dos2unix) before running it", at)}}, at));
                crlf_said = true;
            }
            b.add(std::move(d));
        };
        auto line_id = [&](uint32_t at, uint32_t iteration) {
            uint32_t line = f.position(at).line;
            int n = ++per_line[{line, iteration}];
            // line-37, the second command on a line line-37.2, a loop's third word line-37[3];
            // in a script the plan runs, lib/env.sh:line-3.
            return prefix + "line-" + std::to_string(line) + (iteration ? "[" + std::to_string(iteration) + "]" : "") +
                   (n > 1 ? "." + std::to_string(n) : "");
        };
        // A call that stands for a line whose API calls are not read: no outcome, no effects, only
        // the observation under `note` (at `at`), which a locked rule reports.
        // (`id`: the call's id when the caller has taken one for it already.)
        auto placeholder = [&](const ShellCommand& line_cmd, uint32_t at_offset, const char* note, const std::string& message,
                               std::string id = {}) {
            const Origin at{fid, at_offset};
            CallDraft d;
            d.id = id.empty() ? line_id(line_cmd.called_at ? *line_cmd.called_at : line_cmd.words[0].begin, line_cmd.iteration) : std::move(id);
            d.origin = Origin{fid, line_cmd.words[0].begin};
            d.set_header("product", Node::string("shell", d.origin));
            d.set_header("action", Node::string(line_cmd.words[0].text, d.origin));
            d.adapter.set("placeholder", Node::boolean(true, at));
            d.note(note, Node::object({{"message", Node::string(message, at)}}, at));
            add(std::move(d));
            ++placeholders;
        };
        // Another script a line runs or sources (itself, or in a string bash -c runs): read where
        // it is, beside the plan; else a placeholder call says that its calls are not checked.
        auto run_script = [&](const ShellCommand& line_cmd, const ShellWord* path) {
            std::string why;
            const std::string shown = path->text;
            // The script's own folder written as $(dirname "$0") (or "${0%/*}", ...): the
            // plan's folder, where opguard looks for the scripts the plan names.
            std::string rest = path->text;
            bool own_folder = false;
            for (const char* dir : {"$(dirname \"$0\")/", "$(dirname $0)/", "`dirname \"$0\"`/", "`dirname $0`/", "${0%/*}/",
                                    "$(dirname \"${BASH_SOURCE[0]}\")/", "$(dirname \"$BASH_SOURCE\")/", "${BASH_SOURCE%/*}/",
                                    "$(cd \"$(dirname \"$0\")\" && pwd)/", "$(cd $(dirname $0) && pwd)/"})
                if (rest.starts_with(dir) && rest.find_first_of("$`", std::string_view(dir).size()) == std::string::npos) {
                    rest = rest.substr(std::string_view(dir).size());
                    own_folder = true;
                    break;
                }
            std::filesystem::path p(rest);
            std::error_code ec;
            if (path->unresolved() && !own_folder) why = "its path " + written(f.text(), *path) + " is not known before the script runs";
            else if (p.is_relative()) p = (std::filesystem::path(top_dir) / p).lexically_normal();
            if (why.empty()) {
                const auto st = std::filesystem::status(p, ec);
                if (ec && ec != std::errc::no_such_file_or_directory)
                    why = shown + " cannot be read (" + ec.message() + ")";
                else if (!std::filesystem::exists(st))
                    why = std::filesystem::path(rest).is_absolute() ? shown + " is not on this machine"
                                                                    : shown + " is not beside the plan (opguard looks for it relative to the plan's folder)";
                else if (!std::filesystem::is_regular_file(st))
                    why = shown + " is not a regular file (a folder, device or pipe)";
            }
            const std::string key = why.empty() ? std::filesystem::weakly_canonical(p, ec).string() : "";
            if (why.empty() && std::find(chain.begin(), chain.end(), key) != chain.end()) why = shown + " is already being read (it runs itself)";
            if (why.empty() && chain.size() > static_cast<size_t>(kMaxScriptDepth))
                why = shown + " is nested deeper than opguard reads (" + std::to_string(kMaxScriptDepth) + " scripts inside one another)";
            uint32_t sub = 0;
            if (why.empty()) {
                // Each script is registered once; every reading of it counts toward one budget
                // (a loop that sources a large script many times is not read without end).
                auto known = read_scripts.find(key);
                sub = known != read_scripts.end() ? known->second
                                                  : read_scripts.emplace(key, sources.add(p.string(), map_or_read_file(p.string(), kMaxPlanBytes))).first->second;
                if (sources.file(sub).size() > kMaxPlanBytes - std::min(kMaxPlanBytes, bytes_read))
                    why = shown + " would take the script text opguard reads for one plan past " + std::to_string(kMaxPlanBytes >> 20) +
                          " MiB (scripts run again and again are read each time)";
                else
                    bytes_read += sources.file(sub).size();
            }
            if (why.empty()) {
                chain.push_back(key);
                std::string rel = std::filesystem::path(p).lexically_relative(top_dir).generic_string();
                if (rel.empty() || rel.starts_with("..")) rel = p.generic_string();
                read(sub, rel + ":");
                chain.pop_back();
            } else {
                placeholder(line_cmd, path->begin, "scripts",
                            "this line runs " + shown + ", which opguard does not read: " + why + "; the API calls it makes are not checked");
            }
        };
        for (const ShellCommand& line_cmd : script.commands) {
            if (const ShellWord* path = script_run(line_cmd)) {
                run_script(line_cmd, path);
                continue;
            }
            // The CLI commands the line runs: itself, or through xargs, bash -c, a function, ...
            bool strings_read = false;
            const std::vector<CliInvocation> invocations = cli_invocations(line_cmd, f.path(), &wrapped_too_deep, &syntax_error, &strings_read);
            if (invocations.empty())
                if (std::optional<UnreadLine> unread = unread_line(line_cmd, script, f.text(), strings_read)) {
                    placeholder(line_cmd, unread->at, unread->note, unread->message);
                    continue;
                }
            for (const CliInvocation& inv : invocations) {
                const ShellCommand& cmd = inv.command;
                if (const ShellWord* path = inv.runs_script ? script_run(cmd) : nullptr) {
                    run_script(cmd, path);
                    continue;
                }
                const ShellWord& w = cmd.words[0];
                const std::string prog = basename(w.text);
                if (inv.guessed && std::none_of(rules.products.begin(), rules.products.end(), [&](const ClientProduct& p) {
                        return p.client == prog && cmd.words.size() > 1 && p.name == cmd.words[1].text;
                    }))
                    continue;  // an unknown program whose words only look like a product and an API
                std::string id = line_id(cmd.called_at ? *cmd.called_at : w.begin, cmd.iteration);
                const ShellWord* unknown_api = nullptr;
                std::optional<CallDraft> d = prog == "aliyun" ? read_aliyun_command(cmd, ctx, id, &unknown_api)
                                                              : read_hcloud_command(cmd, ctx, id, &unknown_api);
                if (!d && unknown_api) {
                    // `aliyun $ARGS`, `aliyun "$@"`: any API, with any parameters (plan.cli-not-read).
                    placeholder(cmd, unknown_api->begin, "cli_not_read",
                                "this line runs " + prog + " with " + shorten_word(written(f.text(), *unknown_api)) +
                                    ", a value opguard cannot resolve, where the product and the API belong: the API it calls is not checked",
                                id);
                    continue;
                }
                if (d && cmd.unterminated) carried = true;
                if (d && !inv.message.empty()) {
                    const Origin at{fid, inv.wrapper_at};
                    d->note("wrappers", Node::object({{"wrapper", Node::string(inv.wrapper, at)}, {"message", Node::string(inv.message, at)}}, at));
                }
                if (d && cmd.loop_condition) {
                    // `until aliyun ...; do ...; done`: a refused call is sent again until the
                    // cloud accepts it; `while aliyun ...` repeats an accepted one.
                    const ShellWord& kw = *cmd.loop_condition;
                    const Origin at{fid, kw.begin};
                    d->note("wrappers", Node::object({{"wrapper", Node::string(kw.text, at)},
                                                      {"message", Node::string("the " + kw.text + " loop at " + std::to_string(f.position(kw.begin).line) + ":" +
                                                                                   std::to_string(f.position(kw.begin).column) +
                                                                                   " runs this " + prog + " command as its condition, once per round: it may be sent "
                                                                                   "many times (a refused call again until the cloud accepts it, an accepted one again); it is checked once",
                                                                               at)}},
                                                     at));
                }
                if (d) add(std::move(*d));
            }
        }
        if (wrapped_too_deep)
            throw InputError(f.path(), f.position(*wrapped_too_deep), "plan.shell-depth",
                             "a script in a string (bash -c, su -c, ssh, eval) nested deeper than opguard reads here (at most " +
                                 std::to_string(kMaxWrapperDepth) + " strings inside one another, " + std::to_string(kMaxShellNesting) +
                                 " levels of substitutions): the commands it runs cannot be checked");
        const bool top_level = prefix.empty();
        // (A script of nothing but lines that run scripts opguard cannot read is a script if it
        // says so with a #! line or names the CLI; else, in auto mode, other formats are tried.)
        const bool names_cli = f.text().find("aliyun ") != std::string_view::npos || f.text().find("hcloud ") != std::string_view::npos;
        if (top_level && found) *found = b.size() > placeholders || (placeholders > 0 && (f.text().starts_with("#!") || names_cli));
        // bash stops at a quote it never sees closed: the API calls written after it never run,
        // and opguard cannot say which they would have been. No finding can hold that (no call
        // is there to carry it), so the script is refused, at the quote. (In an aliyun or hcloud
        // command the same quote is a plan.cli-usage finding on that call.)
        // In auto mode a file with no call is refused as a script only if it names a CLI (else
        // it may be another format with an apostrophe in it). A script the plan runs is a script.
        const bool as_script = !top_level || b.size() > before + placeholders || !found || names_cli;
        if (script.unterminated && !carried && as_script) {
            ShellCommand broken;
            broken.unterminated_quote = script.unterminated_quote;
            const std::string q(1, broken.unterminated_quote ? broken.unterminated_quote : '"');
            const std::string what = unterminated_opening(broken);
            const bool quote = what == "'" || what == "\"";
            throw InputError(f.path(), f.position(*script.unterminated), "plan.shell-syntax",
                             "the " + what + " opened here is not closed before the end of the file (bash: \"unexpected EOF while "
                             "looking for matching `" + q + "'\"): bash runs no command from here on, so opguard cannot tell "
                             "which API calls after it you meant; close the " + std::string(quote ? "quote" : "substitution"));
        }
        // The same for a redirection with nothing to redirect to (a documentation placeholder
        // written as is, --InstanceId <ID>): bash runs neither that command nor any after it.
        // (In a string that bash -c, eval or ssh runs, the shell running it stops there.)
        if (syntax_error && as_script) {
            const std::string& token = syntax_error->token;
            const bool top = script.syntax_error.has_value();
            throw InputError(f.path(), f.position(syntax_error->at), "plan.shell-syntax",
                             "this redirection has no file " + std::string(token == "newline" ? "before the end of the line" : "before `" + token + "'") +
                                 " (bash: \"syntax error near unexpected token `" + token + "'\"): " +
                                 (top ? "bash runs no command from this one on, so the API calls after it never run"
                                      : "the shell that runs this string runs none of its commands from this one on") +
                                 "; give the redirection a file, or quote the value if its < or > is text (a placeholder such as "
                                 "<InstanceId> copied from documentation)");
        }
    };
    {
        std::error_code ec;
        chain.push_back(std::filesystem::weakly_canonical(sources.file(top).path(), ec).string());
    }
    read(top, "");
    if (b.size() == 0 && !found)
        throw InputError(sources.file(top).path(), {}, "plan.no-calls", "no aliyun or hcloud command that calls an API in this script");
    return b.build();
}

// Moves the origins of a tree read from one segment of a file back into the file.
void shift_origins(Node& n, uint32_t file, uint32_t delta) {
    n.origin = Origin{file, n.origin.offset + delta};
    if (n.is_array())
        for (auto& i : n.items()) shift_origins(i, file, delta);  // as deep as the JSON reader allows (json.depth)
    if (n.is_object())
        for (auto& m : n.members()) shift_origins(m.second, file, delta);
}

// One record, a JSON array of records, or (when `segments` has several) records printed one
// after another: each segment is read on its own (a copy of its bytes only, so reading is
// linear in the file) and its positions are moved back to the file's.
Plan dry_run_plan(SourceRegistry& sources, uint32_t fid, const Node* root, const std::vector<std::pair<size_t, size_t>>& segments,
                  const RuleSet& rules) {
    PlanBuilder b(sources, fid, rules, "cli-dry-run-json");
    std::vector<Node> records;
    if (root) {
        if (root->is_array()) records = root->items();
        else records.push_back(*root);
    } else {
        for (const auto& [begin, end] : segments) {
            const SourceFile& f = sources.file(fid);
            const std::string path = f.path();
            uint32_t part = sources.add(path, std::string(f.text().substr(begin, end - begin)));
            Node n;
            try {
                n = read_plan_json(sources, part, rules);
            } catch (const InputError& e) {
                const SourceFile& whole = sources.file(fid);
                Position base = whole.position(static_cast<uint32_t>(begin)), at = e.position();
                if (at.known()) at = Position{base.line + at.line - 1, at.line == 1 ? base.column + at.column - 1 : at.column};
                throw InputError(whole.path(), at, e.id(), e.message(), e.pointer());
            }
            sources.file(part).release_text();
            shift_origins(n, fid, static_cast<uint32_t>(begin));
            if (n.is_array()) {
                for (auto& r : n.items()) records.push_back(std::move(r));
            } else records.push_back(std::move(n));
        }
    }
    const SourceFile& f = sources.file(fid);
    size_t i = 0;
    for (const Node& r : records) {
        std::string why;
        if (!looks_like_dry_run_record(r, &why))
            throw InputError(f.path(), f.position(r.origin.offset), "plan.format-mismatch",
                             "record " + std::to_string(i + 1) + " is not a --cli-dry-run-json record: " + why);
        read_dry_run_record(r, "record-" + std::to_string(++i), b, &f);
    }
    return b.build();
}

bool starts_like_json(std::string_view t);

// --parameters of this run (set by load_plan_any; read only by an OOS template).
struct TemplateParameters {
    const std::string* text = nullptr;
    bool used = false;
};
thread_local TemplateParameters* g_parameters = nullptr;

Plan oos_plan(SourceRegistry& sources, uint32_t fid, const Node& root, const RuleSet& rules) {
    PlanBuilder b(sources, fid, rules, "oos-template");
    OosInput in;
    in.input_bytes = sources.file(fid).text().size();
    Node given;
    if (g_parameters && g_parameters->text && !g_parameters->text->empty()) {
        g_parameters->used = true;
        const std::string& p = *g_parameters->text;
        uint32_t pid = starts_like_json(p) ? sources.add("--parameters", std::string(p)) : sources.add(p, map_or_read_file(p, kMaxPlanBytes));
        given = read_plan_json(sources, pid, rules);
        in.input_bytes += sources.file(pid).text().size();
        if (!given.is_object()) {
            const SourceFile& pf = sources.file(pid);
            throw InputError(pf.path(), pf.position(given.origin.offset), "oos.parameters",
                             std::string("the template's parameters are a JSON object {\"name\": value, ...}, as aliyun oos "
                                         "StartExecution --Parameters takes them; found ") + kind_name(given.kind()));
        }
        in.parameters = &given;
    }
    // ACS::Template: <TemplateName>.yml, .yaml or .json beside the plan, each read once.
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(sources.file(fid).path()).parent_path();
    std::map<std::string, Node> templates;
    in.find_template = [&](const std::string& name) -> const Node* {
        if (auto it = templates.find(name); it != templates.end()) return &it->second;
        for (const char* ext : {".yml", ".yaml", ".json"}) {
            fs::path p = dir / (name + ext);
            std::error_code ec;
            if (!fs::is_regular_file(p, ec)) continue;
            uint32_t tid = sources.add(p.string(), map_or_read_file(p.string(), kMaxPlanBytes));
            const SourceFile& tf = sources.file(tid);
            Node n = starts_like_json(tf.text()) ? read_plan_json(sources, tid, rules) : read_yaml(sources, tid);
            return &templates.emplace(name, std::move(n)).first->second;
        }
        return nullptr;
    };
    read_oos_template(root, b, in);
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
    b.add(read_hcloud_json_input(root, fid, f.path(), std::filesystem::path(f.path()).stem().string(), rules));
    return b.build();
}

// A plan that is not text opguard can read: UTF-16 (with or without a byte order mark),
// UTF-32, or binary data (a NUL byte). Checked before any reader, so the message says what
// the file is instead of why no reader fits.
void check_encoding(const SourceFile& f) {
    std::string_view t = f.text();
    auto refuse = [&](uint32_t at, const std::string& what) {
        throw InputError(f.path(), f.position(at), "plan.encoding", what);
    };
    if (auto wide = wide_text_encoding(t)) refuse(0, *wide + ": save the file as UTF-8");
    const size_t nul = t.find('\0');
    if (nul == std::string_view::npos) return;
    refuse(static_cast<uint32_t>(nul), "binary data (a NUL byte at offset " + std::to_string(nul) + "): a plan is a text file");
}

bool starts_like_json(std::string_view t) {
    size_t i = t.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    if (i >= t.size() || (t[i] != '{' && t[i] != '[')) return false;
    if (t[i] == '{') {
        // A JSON object's first key is a string (or it is empty); a script may start with a
        // brace group, `{ aliyun ...; } > log`, whose first word is a command.
        size_t k = i + 1;
        while (k < t.size() && std::isspace(static_cast<unsigned char>(t[k]))) ++k;
        if (k < t.size() && t[k] != '"' && t[k] != '}' && (std::isalpha(static_cast<unsigned char>(t[k])) || t[k] == '$' || t[k] == '_') &&
            k > i + 1)
            return false;
        return true;
    }
    // A script may start with a test, `[ -n "$X" ] || exit 1` or `[[ $A == b ]]`: what follows
    // the brackets is then a test operator, an expansion or a word, none of which JSON has.
    while (i < t.size() && (t[i] == '[' || std::isspace(static_cast<unsigned char>(t[i])))) ++i;
    if (i >= t.size()) return true;
    const char c = t[i];
    const char next = i + 1 < t.size() ? t[i + 1] : '\0';
    if (c == '$' || c == '!' || (c == '"' && next == '$')) return false;
    if (c == '-' && std::isalpha(static_cast<unsigned char>(next))) return false;
    if (std::isalpha(static_cast<unsigned char>(c)))
        return t.substr(i, 4) == "true" || t.substr(i, 5) == "false" || t.substr(i, 4) == "null";
    return true;
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

Plan load_plan_in_format(SourceRegistry& sources, const std::string& path, const RuleSet& rules, const std::string& format);

Plan load_plan_any(SourceRegistry& sources, const std::string& path, const RuleSet& rules, const std::string& format,
                   const std::string& template_parameters) {
    TemplateParameters params{&template_parameters, false};
    g_parameters = &params;
    struct Reset {
        ~Reset() { g_parameters = nullptr; }
    } reset;
    Plan plan = load_plan_in_format(sources, path, rules, format);
    if (!template_parameters.empty() && !params.used)
        throw InputError("command line", {}, "usage",
                         "--parameters gives the parameters of an OOS template's execution, and " + path + " is not an OOS template");
    return plan;
}

Plan load_plan_in_format(SourceRegistry& sources, const std::string& path, const RuleSet& rules, const std::string& format) {
    const auto& names = plan_format_names();
    if (std::find(names.begin(), names.end(), format) == names.end()) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw InputError("command line", {}, "usage", "unknown plan format '" + format + "'; expected one of: " + list);
    }
    uint32_t fid = path == "-" ? sources.add(kStdinName, read_stdin(kMaxPlanBytes)) : sources.add(path, map_or_read_file(path, kMaxPlanBytes));
    const SourceFile& f = sources.file(fid);
    check_encoding(f);

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
        Node root = starts_like_json(f.text()) ? read_plan_json(sources, fid, rules) : read_plan_yaml(sources, fid, rules);
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
    // A program in another language (a Python SDK script: its client.delete_instance(...) is
    // no line of a shell, while an os.system("aliyun ...") string would read as one) is not a
    // shell script: refused, never checked as one with its SDK calls dropped.
    if (const char* language = program_language(f.path(), f.text())) {
        tried.push_back({"shell", std::string("this is a ") + language +
                                      " program, not a shell script: opguard does not read the SDK calls a program makes (save them as "
                                      "--cli-dry-run-json records, or write the plan as JSON); --plan-format shell reads it as a script anyway"});
        unknown_format(f.path(), tried);
    }
    // A template that says it is one goes to the YAML reader; anything else is tried as a
    // script first (one linear pass), so a script never reaches the YAML parser.
    const bool says_template = f.text().rfind("FormatVersion:", 0) == 0 || f.text().find("\nFormatVersion:") != std::string::npos;
    bool found = false;
    if (!says_template) {
        Plan plan = shell_plan(sources, fid, rules, &found);
        if (found) return plan;
    }
    try {
        Node root = read_plan_yaml(sources, fid, rules);
        std::string why;
        if (looks_like_oos_template(root, &why)) return oos_plan(sources, fid, root, rules);
        tried.push_back({"oos-template (YAML)", why});
    } catch (const InputError& e) {
        // A template that says it is one: its YAML error (file:line:col) is the answer,
        // unless it is a script after all (a here-document holding a template).
        if (says_template) {
            Plan plan = shell_plan(sources, fid, rules, &found);
            if (found) return plan;
            throw;
        }
        tried.push_back({"oos-template (YAML)", where(e)});
    }
    if (says_template) {
        Plan plan = shell_plan(sources, fid, rules, &found);
        if (found) return plan;
    }
    tried.push_back({"shell", "no aliyun or hcloud command that calls an API"});
    unknown_format(f.path(), tried);
}

}  // namespace opguard
