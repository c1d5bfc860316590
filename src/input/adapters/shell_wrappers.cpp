#include "input/adapters/shell_wrappers.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

namespace opguard::adapters {

namespace {

std::string base_name(const std::string& word) {
    size_t slash = word.rfind('/');
    return slash == std::string::npos ? word : word.substr(slash + 1);
}

bool names_cli(const ShellWord& w) {
    if (w.unresolved()) return false;
    const std::string b = base_name(w.text);
    return b == "aliyun" || b == "hcloud";
}

// The CLI a command word names in a form names_cli does not take: "aliyun.exe", a path or a
// default opguard cannot resolve ("$HOME/bin/aliyun", "${ALIYUN:-aliyun}", "$(command -v
// aliyun)"), a variable holding the name and options ("aliyun --profile prod", split as an
// unquoted expansion is), or an unresolved program followed by a product and an API
// (`$ALIYUN_BIN ecs DeleteInstance ...`). "" when it names none.
std::string cli_in_command_word(const ShellCommand& cmd, bool* guessed) {
    *guessed = false;
    const ShellWord& w = cmd.words[0];
    const std::string b = base_name(w.text);
    if (!w.unresolved()) {
        if (b == "aliyun.exe" || b == "hcloud.exe") return b.substr(0, b.size() - 4);
        const size_t space = w.text.find_first_of(" \t\n");
        if (space != std::string::npos) {
            const std::string first = base_name(w.text.substr(0, space));
            if (first == "aliyun" || first == "hcloud") return first;
        }
        return "";
    }
    for (const char* cli : {"aliyun", "hcloud"}) {
        const std::string_view name(cli);
        for (size_t p = w.text.find(name); p != std::string::npos; p = w.text.find(name, p + 1)) {
            const char before = p == 0 ? ' ' : w.text[p - 1];
            const size_t e = p + name.size();
            const std::string_view after = std::string_view(w.text).substr(e);
            const bool starts = std::string_view(" /-:=({\"'`").find(before) != std::string_view::npos;
            const bool ends = after.empty() || after.starts_with(".exe") || std::string_view(" })\"'`").find(after.front()) != std::string_view::npos;
            if (starts && ends) return cli;
        }
    }
    // Nothing names it: the words after it say which CLI (product, then an API in the classic form).
    if (cmd.words.size() >= 3 && !cmd.words[1].unresolved() && !cmd.words[2].unresolved()) {
        const std::string& product = cmd.words[1].text;
        const std::string& api = cmd.words[2].text;
        const bool product_like = !product.empty() && std::all_of(product.begin(), product.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }) && product.front() >= 'a' && product.front() <= 'z';
        const bool api_like = api.size() > 1 && api.front() >= 'A' && api.front() <= 'Z' &&
                              std::all_of(api.begin(), api.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }) &&
                              std::any_of(api.begin() + 1, api.end(), [](char c) { return c >= 'a' && c <= 'z'; });
        if (product_like && api_like) {
            *guessed = true;
            return "aliyun";
        }
    }
    return "";
}

// `cmd` with its command word read as `cli` (the words a variable holds split, as an unquoted
// expansion is), every word keeping its place in the script.
ShellCommand as_cli_command(const ShellCommand& cmd, const std::string& cli) {
    ShellCommand out = cmd;
    const ShellWord& w = cmd.words[0];
    std::vector<ShellWord> head;
    ShellWord name;
    name.text = cli;
    name.begin = w.begin;
    name.end = w.end;
    name.offsets.assign(cli.size(), w.begin);
    head.push_back(std::move(name));
    if (!w.unresolved()) {
        // The options after the name in a variable's value ("aliyun --profile prod").
        size_t i = w.text.find_first_of(" \t\n");
        while (i != std::string::npos && i < w.text.size()) {
            const size_t b = w.text.find_first_not_of(" \t\n", i);
            if (b == std::string::npos) break;
            const size_t e = std::min(w.text.find_first_of(" \t\n", b), w.text.size());
            ShellWord part;
            part.text = w.text.substr(b, e - b);
            part.begin = w.begin;
            part.end = w.end;
            for (size_t k = b; k < e; ++k) part.offsets.push_back(w.offset_of(k));
            head.push_back(std::move(part));
            i = e;
        }
    }
    out.words.erase(out.words.begin());
    out.words.insert(out.words.begin(), head.begin(), head.end());
    return out;
}

// A word that holds a script naming the CLI (`bash -c "aliyun ecs ..."`), or whose variable
// holds one that opguard does not split ($GLOB of 'aliyun ecs ... i-*').
bool mentions_cli(const ShellWord& w) {
    for (const std::string* text : {&w.text, &w.held})
        for (const char* cli : {"aliyun", "hcloud"}) {
            size_t p = 0;
            while ((p = text->find(cli, p)) != std::string::npos) {
                const size_t e = p + std::string_view(cli).size();
                // (Quotes too: in `bash -c "sh -c 'aliyun ...'"` the name follows a quote.)
                const bool starts = p == 0 || std::string_view(" \t\n;&|(/`'\"").find((*text)[p - 1]) != std::string_view::npos;
                const bool ends = e == text->size() || std::string_view(" \t\n;&|)'\"").find((*text)[e]) != std::string_view::npos;
                if (starts && ends) return true;
                p = e;
            }
        }
    return false;
}

// A word that holds a script sourcing or running another script (`bash -c "source lib.sh"`,
// `ssh host ./deploy.sh`): read as a script, so that the script it runs is read or reported.
bool mentions_script(const ShellWord& w) {
    return w.text.find(".sh") != std::string::npos || w.text.rfind("source ", 0) == 0 || w.text.rfind(". ", 0) == 0 ||
           w.text.find(" source ") != std::string::npos || w.text.find(";source ") != std::string::npos;
}

// Programs that may name the CLI in their words but never run it.
const std::set<std::string>& non_runners() {
    static const std::set<std::string> s = {
        "echo", "printf", "logger", "which", "type", "whereis", "hash", "man", "info", "alias", "unalias", "complete",
        "compgen", "test", "[", "[[", "chmod", "chown", "chgrp", "cp", "mv", "ln", "rm", "install", "ls", "stat", "file",
        "cat", "tee", "grep", "egrep", "fgrep", "sed", "awk", "head", "tail", "curl", "wget", "tar", "unzip", "gzip",
        "sha256sum", "sha1sum", "md5sum", "basename", "dirname", "realpath", "readlink", "mkdir", "touch", "apt",
        "apt-get", "yum", "dnf", "apk", "brew", "pip", "pip3", "npm", "snap", "export", "declare", "typeset", "local",
        "readonly", "unset", "read", "return", "exit", ":", "true", "false", "printenv", "set", "shift", "wait",
        "kill", "pkill", "pgrep", "ps", "jq", "yq", "tr", "cut", "sort", "uniq", "wc", "diff", "date", "sleep"};
    return s;
}

}  // namespace

// A command that names the CLI in one of its words or in what it reads on standard input,
// run by a program that may run it (not echo, which, chmod, ...): the caller, finding no call
// in it, says that a call it may make is not read instead of dropping the line.
const ShellWord* unread_cli_word(const ShellCommand& cmd) {
    if (cmd.words.empty()) return nullptr;
    const ShellWord& w0 = cmd.words[0];
    if (!w0.unresolved() && non_runners().count(base_name(w0.text))) return nullptr;
    for (const ShellWord& w : cmd.words)
        if (names_cli(w) || mentions_cli(w)) return &w;
    for (const ShellWord& w : cmd.input_texts)
        if (mentions_cli(w)) return &w;
    return nullptr;
}

namespace {

// Wrappers that run the command once, with the words as written.
const std::set<std::string>& transparent() {
    static const std::set<std::string> s = {"nice", "ionice", "stdbuf", "setsid", "taskset", "chrt", "flock", "unbuffer",
                                            "chronic", "caffeinate", "proxychains", "proxychains4", "torsocks", "doas",
                                            "ifne", "eatmydata"};
    return s;
}

// A shell, or a program that runs a user's shell with -c (su, runuser).
bool runs_shell(const std::string& prog) { return is_shell_program(prog) || prog == "su" || prog == "runuser"; }

// Marks text[pos, pos + len) of `w` as a value opguard cannot know, saying why.
void mark_unresolved(ShellWord& w, size_t pos, size_t len, const std::string& why) {
    if (len == 0 || pos + len > w.text.size()) return;
    const uint32_t b = w.offset_of(pos), e = w.offset_of(pos + len - 1) + 1;
    w.expansions.emplace_back(b, e);
    w.why.emplace_back(b, why);
    std::sort(w.why.begin(), w.why.end());
}

// Every occurrence of `placeholder` in the words (from the CLI's name on) is unresolved.
void mark_placeholders(ShellCommand& c, const std::string& placeholder, const std::string& why) {
    if (placeholder.empty()) return;
    for (ShellWord& w : c.words) {
        size_t p = 0;
        while ((p = w.text.find(placeholder, p)) != std::string::npos) {
            mark_unresolved(w, p, placeholder.size(), why);
            p += placeholder.size();
        }
    }
}

// GNU parallel's replacement strings: {} {.} {/} {//} {/.} {#} {%} {1} {2.} ...
void mark_parallel_placeholders(ShellCommand& c, const std::string& why) {
    for (ShellWord& w : c.words)
        for (size_t p = w.text.find('{'); p != std::string::npos; p = w.text.find('{', p + 1)) {
            size_t q = w.text.find('}', p);
            if (q == std::string::npos) break;
            const std::string inner = w.text.substr(p + 1, q - p - 1);
            if (inner.size() <= 4 && inner.find_first_not_of("0123456789./#%") == std::string::npos)
                mark_unresolved(w, p, q - p + 1, why);
        }
}

// A word standing for what the wrapper adds at the end of the command (xargs' input items).
ShellWord appended(uint32_t at, const std::string& text, const std::string& why) {
    ShellWord w;
    w.text = text;
    w.begin = w.end = at;
    w.expansions.emplace_back(at, at);
    w.why.emplace_back(at, why);
    return w;
}

// The unresolved parts of `w` (expansions and why) also parts of `out`, a word made of it.
void take_unresolved(ShellWord& out, const ShellWord& w) {
    out.expansions.insert(out.expansions.end(), w.expansions.begin(), w.expansions.end());
    out.why.insert(out.why.end(), w.why.begin(), w.why.end());
}

// What `echo WORDS` prints, as one word whose characters keep their places in the file (the
// spaces between the words at the end of the word before them). Leading -n/-e/-E options are
// echo's own; with -e, \n, \t and \\ are its escapes (bash's echo keeps them as written without).
ShellWord echoed(const ShellCommand& cmd) {
    ShellWord out;
    size_t i = 1;
    bool escapes = false;
    while (i < cmd.words.size() && cmd.words[i].text.size() >= 2 && cmd.words[i].text[0] == '-' &&
           cmd.words[i].text.find_first_not_of("neE", 1) == std::string::npos) {
        for (char o : cmd.words[i].text.substr(1)) escapes = o == 'e' ? true : o == 'E' ? false : escapes;
        ++i;
    }
    for (size_t k = i; k < cmd.words.size(); ++k) {
        const ShellWord& w = cmd.words[k];
        if (k > i) {
            out.text.push_back(' ');
            out.offsets.push_back(cmd.words[k - 1].end);
        } else {
            out.begin = w.begin;
        }
        for (size_t c = 0; c < w.text.size(); ++c) {
            const char e = escapes && w.text[c] == '\\' && c + 1 < w.text.size() ? w.text[c + 1] : 0;
            if (e == 'n' || e == 't' || e == '\\') {
                out.text.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : '\\');
                out.offsets.push_back(w.offset_of(c));
                ++c;
                continue;
            }
            out.text.push_back(w.text[c]);
            out.offsets.push_back(w.offset_of(c));
        }
        take_unresolved(out, w);
        out.end = w.end;
    }
    std::sort(out.why.begin(), out.why.end());
    return out;
}

// What `printf FORMAT ARGS...` prints: the format's escapes (\n, \t, \\) and conversions
// (%s, %d, ... each takes the next argument as written; %% is %), the format used again while
// arguments are left, as printf does. `printf -v NAME` prints nothing (it assigns).
ShellWord printed(const ShellCommand& cmd) {
    ShellWord out;
    size_t f = 1;
    if (f < cmd.words.size() && cmd.words[f].text == "--") ++f;
    if (f >= cmd.words.size() || cmd.words[f].text == "-v") return out;
    const ShellWord& fmt = cmd.words[f];
    out.begin = fmt.begin;
    out.end = cmd.words.back().end;
    size_t next = f + 1;
    auto put = [&](char c, uint32_t at) {
        out.text.push_back(c);
        out.offsets.push_back(at);
    };
    for (size_t round = 0; round == 0 || (next < cmd.words.size() && round < cmd.words.size()); ++round) {
        const size_t before = next;
        const std::string& t = fmt.text;
        for (size_t c = 0; c < t.size(); ++c) {
            const uint32_t at = fmt.offset_of(c);
            if (t[c] == '\\' && c + 1 < t.size()) {
                const char e = t[c + 1];
                if (e == 'n') put('\n', at);
                else if (e == 't') put('\t', at);
                else if (e == '\\' || e == '"' || e == '\'') put(e, at);
                else { put('\\', at); put(e, fmt.offset_of(c + 1)); }
                ++c;
            } else if (t[c] == '%' && c + 1 < t.size() && t[c + 1] == '%') {
                put('%', at);
                ++c;
            } else if (t[c] == '%') {
                size_t d = c + 1;
                while (d < t.size() && std::string_view("diouxXfFeEgGcsbqaA").find(t[d]) == std::string_view::npos) ++d;
                if (next < cmd.words.size()) {
                    const ShellWord& a = cmd.words[next++];
                    for (size_t k = 0; k < a.text.size(); ++k) put(a.text[k], a.offset_of(k));
                    take_unresolved(out, a);
                }
                c = std::min(d, t.size() - 1);
            } else {
                put(t[c], at);
            }
        }
        if (next == before) break;  // a format that takes no argument is printed once
    }
    take_unresolved(out, fmt);
    std::sort(out.why.begin(), out.why.end());
    return out;
}

class Collector {
public:
    Collector(std::string_view path, std::vector<CliInvocation>& out) : path_(path), out_(out) {}

    void command(const ShellCommand& cmd, int depth, const std::string& outer_wrapper, uint32_t outer_at) {
        const auto& words = cmd.words;
        if (words.empty()) return;
        // A script sourced or run inside a string (bash -c "source lib.sh"): the caller reads
        // it as it reads one the plan's own line runs.
        if (depth > 0 && script_run(cmd)) {
            CliInvocation inv{cmd, outer_wrapper, "", outer_at};
            inv.runs_script = true;
            out_.push_back(std::move(inv));
            return;
        }
        if (names_cli(words[0])) {
            out_.push_back({cmd, outer_wrapper, "", outer_at});
            return;
        }
        bool guessed = false;
        if (const std::string cli = cli_in_command_word(cmd, &guessed); !cli.empty()) {
            // Read as that CLI, and said so (plan.cli-wrapper): never dropped as an unknown program.
            CliInvocation inv{as_cli_command(cmd, cli), outer_wrapper.empty() ? words[0].text : outer_wrapper, "",
                              outer_wrapper.empty() ? words[0].begin : outer_at};
            inv.guessed = guessed;
            inv.message = "the program is " + words[0].text + (words[0].unresolved() ? ", a value opguard cannot resolve" : "") +
                          ": read as the " + cli + " CLI, as its words say; checked as written";
            out_.push_back(std::move(inv));
            return;
        }
        if (words[0].unresolved()) return;
        const std::string prog = base_name(words[0].text);
        // What a shell reads as its script on standard input: a here-document or here-string
        // given to a shell with no script operand (bash -s <<EOF, sh <<< "..."), to ssh with no
        // remote command (the remote login shell reads it), or printed by cat into a shell.
        if (!cmd.input_texts.empty() &&
            (shell_script_source(cmd).kind == ShellScriptSource::Stdin || (prog == "ssh" && !script_word(cmd, prog)) ||
             (prog == "cat" && cmd.piped_to_shell))) {
            for (const ShellWord& text : cmd.input_texts) {
                if (!mentions_cli(text)) continue;
                if (depth >= kMaxWrapperDepth) {
                    if (!too_deep_) too_deep_ = text.begin;
                    return;
                }
                nested(text, depth, outer_wrapper.empty() ? prog + " <<" : outer_wrapper, outer_wrapper.empty() ? words[0].begin : outer_at);
            }
            return;
        }
        // `echo aliyun ... | sh`: the shell runs what echo or printf prints, as a script.
        if (cmd.piped_to_shell && (prog == "echo" || prog == "printf") &&
            std::any_of(words.begin() + 1, words.end(), [](const ShellWord& w) { return mentions_cli(w); })) {
            if (depth >= kMaxWrapperDepth) {
                if (!too_deep_) too_deep_ = words[0].begin;
                return;
            }
            const ShellWord script = prog == "echo" ? echoed(cmd) : printed(cmd);
            if (!script.text.empty())
                nested(script, depth, outer_wrapper.empty() ? prog + " | sh" : outer_wrapper, outer_wrapper.empty() ? words[0].begin : outer_at);
            return;
        }
        if (non_runners().count(prog)) return;
        const bool shell = runs_shell(prog);
        if (shell || prog == "eval" || prog == "ssh") {
            if (const ShellWord* script = script_word(cmd, prog)) {
                // Deeper than opguard reads: said (too_deep), never dropped.
                if (depth >= kMaxWrapperDepth) {
                    if (!too_deep_) too_deep_ = script->begin;
                    return;
                }
                nested(*script, depth, outer_wrapper.empty() ? (prog == "eval" ? prog : prog + (prog == "ssh" ? "" : " -c")) : outer_wrapper,
                       outer_wrapper.empty() ? words[0].begin : outer_at);
                return;
            }
        }
        size_t k = 1;
        while (k < words.size() && !names_cli(words[k])) ++k;
        if (k == words.size()) return;
        CliInvocation inv;
        inv.command.words.assign(words.begin() + static_cast<long>(k), words.end());
        inv.command.unterminated = cmd.unterminated;
        inv.command.unterminated_quote = cmd.unterminated_quote;
        inv.command.iteration = cmd.iteration;
        inv.wrapper = prog;
        inv.wrapper_at = words[0].begin;
        const std::string cli = base_name(words[k].text);
        if (transparent().count(prog) || shell || prog == "ssh" || prog == "eval") inv.message.clear();
        else if (prog == "xargs") xargs(cmd, k, inv, cli);
        else if (prog == "parallel") {
            cut_at(inv.command, {":::", "::::", ":::+", "::::+"});
            mark_parallel_placeholders(inv.command, "parallel replaces it with each input item when the script runs");
            inv.message = "parallel runs this " + cli + " command once per input item (" + std::to_string(k) +
                          " words before it are parallel's own), with values opguard does not see: it is checked once, as written";
        } else if (prog == "find") {
            cut_at(inv.command, {";", "+"});
            mark_placeholders(inv.command, "{}", "find replaces {} with each file it finds when the script runs");
            inv.message = "find -exec runs this " + cli + " command once per file found, or not at all: it is checked once, as written";
        } else if (prog == "watch") {
            inv.message = "watch runs this " + cli + " command again and again until it is stopped: it is checked once";
        } else {
            inv.message = "`" + words[0].text + "` runs this " + cli + " command: opguard does not know what `" + words[0].text +
                          "` does with it (a function of the script or another program may run it several times, change its words, "
                          "or not run it at all); it is checked once, as written";
        }
        out_.push_back(std::move(inv));
    }

private:
    void xargs(const ShellCommand& cmd, size_t k, CliInvocation& inv, const std::string& cli) {
        // The replace string: -I STR, -iSTR / -i ({}), --replace[=STR].
        std::string replace;
        for (size_t i = 1; i < k; ++i) {
            const std::string& t = cmd.words[i].text;
            if (t == "-I" && i + 1 < k) replace = cmd.words[i + 1].text;
            else if (t.rfind("-I", 0) == 0 && t.size() > 2) replace = t.substr(2);
            else if (t == "-i" || t == "--replace") replace = "{}";
            else if (t.rfind("-i", 0) == 0 && t.size() > 2) replace = t.substr(2);
            else if (t.rfind("--replace=", 0) == 0) replace = t.substr(10);
        }
        const std::string why = "xargs puts in the items it reads from its input when the script runs";
        if (!replace.empty()) {
            mark_placeholders(inv.command, replace, why);
        } else {
            const uint32_t at = inv.command.words.back().end;
            inv.command.words.push_back(appended(at, "(input items)", "xargs appends the items it reads from its input here when the script runs"));
        }
        inv.message = "xargs runs this " + cli + " command once per item or batch of items it reads from its input, with values "
                      "opguard does not see: it is checked once, as written";
    }

    static void cut_at(ShellCommand& c, std::initializer_list<const char*> markers) {
        for (size_t i = 1; i < c.words.size(); ++i)
            for (const char* m : markers)
                if (c.words[i].text == m && !c.words[i].unresolved()) {
                    c.words.resize(i);
                    return;
                }
    }

    // The word holding the script: after -c (or -lc, -ec, ...) for shells, the one word of
    // eval, the command of ssh (its first word after the host that names the CLI).
    static const ShellWord* script_word(const ShellCommand& cmd, const std::string& prog) {
        const auto& w = cmd.words;
        if (prog == "eval") {
            // `eval aliyun ecs ...` unquoted runs its words as they are: read as a wrapper of the CLI.
            if (w.size() > 1 && names_cli(w[1])) return nullptr;
            for (size_t i = 1; i < w.size(); ++i)
                if (mentions_cli(w[i]) || mentions_script(w[i])) return &w[i];
            return nullptr;
        }
        if (prog == "ssh") {
            for (size_t i = 1; i < w.size(); ++i)
                if ((mentions_cli(w[i]) || mentions_script(w[i])) && !names_cli(w[i])) return &w[i];
            return nullptr;
        }
        for (size_t i = 1; i + 1 < w.size(); ++i) {
            const std::string& t = w[i].text;
            if (t.size() >= 2 && t[0] == '-' && t[1] != '-' && t.find('c') != std::string::npos) {
                // `bash -c -- 'script'`: -- ends the options before the string.
                const size_t at = w[i + 1].text == "--" && !w[i + 1].unresolved() && i + 2 < w.size() ? i + 2 : i + 1;
                return mentions_cli(w[at]) || mentions_script(w[at]) ? &w[at] : nullptr;
            }
        }
        return nullptr;
    }

    // The script in `holder` (its text after the shell removed quotes), read as a script; each
    // word moved back to where its bytes are in the file.
    void nested(const ShellWord& holder, int depth, const std::string& wrapper, uint32_t at) {
        strings_read_ = true;
        ShellScript inner = read_shell_script(holder.text, path_);
        if (holder.text.empty()) return;
        if (inner.too_deep) {  // substitutions nested too deep inside the string: said, never dropped
            if (!too_deep_) too_deep_ = holder.offset_of(*inner.too_deep);
            return;
        }
        if (inner.syntax_error && !syntax_error_) syntax_error_ = WrappedSyntaxError{holder.offset_of(*inner.syntax_error), inner.syntax_token};
        // Where the holder's text ends in the file (before its closing quote).
        const uint32_t text_end = holder.offset_of(holder.text.size() - 1) + 1;
        for (ShellCommand& c : inner.commands) {
            auto move_back = [&](ShellWord& w) {
                for (auto& o : w.offsets) o = holder.offset_of(o);
                w.begin = holder.offset_of(w.begin);
                w.end = w.end >= holder.text.size() ? text_end : holder.offset_of(w.end);
                for (auto& [b, e] : w.expansions) {
                    b = holder.offset_of(b);
                    e = e >= holder.text.size() ? text_end : holder.offset_of(e);
                }
                for (auto& [o, why] : w.why) o = holder.offset_of(o);
            };
            for (ShellWord& w : c.words) move_back(w);
            for (ShellWord& w : c.input_texts) move_back(w);
            if (c.unterminated) c.unterminated = holder.offset_of(*c.unterminated);
            // A value the outer shell left unresolved ("... $ID" in double quotes) is still
            // written as $ID in the script: the outer shell's reason is the one that holds.
            for (ShellWord& w : c.words)
                for (auto& [o, why] : w.why)
                    for (const auto& [ho, hwhy] : holder.why)
                        if (ho == o) why = hwhy;
            command(c, depth + 1, wrapper, at);
        }
    }

public:
    std::optional<uint32_t> too_deep_;  // where the first string nested deeper than opguard reads is
    bool strings_read_ = false;         // a string or input was read as a script (bash -c, eval, ssh, here-document)
    std::optional<WrappedSyntaxError> syntax_error_;  // the first redirection with no target in a string

private:
    std::string_view path_;
    std::vector<CliInvocation>& out_;
};

}  // namespace

// A line that runs or sources another script: `source FILE`, `. FILE`, a shell given a
// script file (`bash deploy.sh`, not -c or -s), or a script run by its path (`./deploy.sh`,
// `scripts/rotate.sh`). The word naming the script, or nullptr.
const ShellWord* script_run(const ShellCommand& c) {
    const auto& w = c.words;
    if (w.empty()) return nullptr;
    const std::string& first = w[0].text;
    if (!w[0].unresolved() && (first == "source" || first == ".")) return w.size() > 1 ? &w[1] : nullptr;
    if (const ShellScriptSource src = shell_script_source(c); src.kind != ShellScriptSource::NotShell) {
        // A shell that reads its script on standard input, from a file: `bash < cmds.txt`.
        if (src.kind == ShellScriptSource::Stdin && c.stdin_file && c.input_texts.empty()) return &*c.stdin_file;
        return src.file;
    }
    // `parallel < cmds.txt` (no command, no :::): each line of the file is a command it runs.
    if (!w[0].unresolved() && base_name(first) == "parallel" && c.stdin_file && c.input_texts.empty() &&
        std::all_of(w.begin() + 1, w.end(), [](const ShellWord& x) { return !x.text.empty() && x.text[0] == '-'; }))
        return &*c.stdin_file;
    // `cat cmds.txt | bash`: the shell runs the file cat prints (one file; several are read as one
    // script by the shell, which opguard does not join).
    if (!w[0].unresolved() && first == "cat" && c.piped_to_shell && w.size() == 2 && !w[1].text.empty() && w[1].text[0] != '-') return &w[1];
    const bool by_path = first.find('/') != std::string::npos;
    const bool script_name = first.size() > 3 && (first.ends_with(".sh") || first.ends_with(".bash"));
    return by_path && script_name ? &w[0] : nullptr;
}

std::vector<CliInvocation> cli_invocations(const ShellCommand& cmd, std::string_view path, std::optional<uint32_t>* too_deep,
                                           std::optional<WrappedSyntaxError>* syntax_error, bool* strings_read) {
    std::vector<CliInvocation> out;
    Collector c(path, out);
    c.command(cmd, 0, "", 0);
    if (strings_read) *strings_read = c.strings_read_;
    if (too_deep && c.too_deep_ && !*too_deep) *too_deep = c.too_deep_;
    if (syntax_error && c.syntax_error_ && !*syntax_error) *syntax_error = c.syntax_error_;
    return out;
}

}  // namespace opguard::adapters
