#include "input/adapters/shell_lexer.hpp"
#include "core/redact.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <optional>

namespace opguard::adapters {

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool ends_word(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')' ||
           c == '<' || c == '>';
}

// What the script has done to a variable so far.
struct Variable {
    enum Kind { Value, Unset, Unresolved } kind = Value;
    std::string value;
    std::string why;  // Unresolved: why (names file:line:col)
    // An array (X=(a b c)): its elements; `value` is the first, as bash's $X is.
    bool array = false;
    std::vector<std::string> items;
    // Unresolved, but its value as written is known (assigned inside an if or a function):
    // what it may run, for the checks that a line names the CLI (ShellWord::held).
    std::string held;
    static Variable of(std::string v) {
        Variable x;
        x.value = std::move(v);
        return x;
    }
    static Variable unset() {
        Variable x;
        x.kind = Unset;
        return x;
    }
};

struct Heredoc {
    std::string delimiter;
    bool strip_tabs = false;
    uint32_t id = 0;  // its body in Lexer::inputs_
};

class Lexer {
public:
    Lexer(std::string_view text, std::string_view path, std::vector<ShellCommand>& out) : s_(text), path_(path), out_(out) {
        find_secret_variables();
    }
    std::optional<uint32_t> too_deep() const { return too_deep_; }
    const std::map<uint32_t, std::map<std::string, uint32_t>>& loop_changes() const { return loop_changes_; }
    void use_loop_changes(const std::map<uint32_t, std::map<std::string, uint32_t>>* loops) { loops_ = loops; }
    std::optional<uint32_t> open_quote() const {
        return open_quote_ == std::string_view::npos ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(open_quote_));
    }
    char quote_char() const { return quote_char_; }
    // A redirection with nothing after it (`> ` at the end of a line, `> |`): where, the token
    // bash names, and where the complete command holding it starts (bash runs none of it).
    std::optional<uint32_t> syntax_error() const { return syntax_error_; }
    const std::string& syntax_token() const { return syntax_token_; }
    uint32_t syntax_from() const { return syntax_from_; }
    const std::vector<ShellWord>& inputs() const { return inputs_; }
    // [begin, end) of each process substitution whose output a shell runs as its script.
    const std::vector<std::pair<uint32_t, uint32_t>>& fed_to_shell() const { return fed_to_shell_; }

    // Lexes [b, e) of the text; commands go to out_ as they end (nested ones first).
    void run(size_t b, size_t e) {
        std::vector<ShellWord> cmd;
        std::vector<Heredoc> pending;
        auto finish = [&] {
            if (!cmd.empty()) {
                emit(std::move(cmd));
                prev_term_ = term_;
            }
            cmd_inputs_.clear();
            cmd_stdin_file_.reset();
            term_ = ';';
            cmd.clear();
            if (depth_ == 0) cmd_start_ = std::string_view::npos;
        };
        // Where the command being read starts (top level), for an unterminated quote in it.
        auto starts = [&](size_t at) {
            if (depth_ == 0 && cmd.empty() && cmd_start_ == std::string_view::npos) cmd_start_ = at;
        };
        size_t p = b;
        while (p < e && !too_deep_ && !syntax_error_) {
            char c = s_[p];
            if (c == ' ' || c == '\t' || c == '\r') { ++p; continue; }
            if (c == '\\' && p + 1 < e && s_[p + 1] == '\n') { p += 2; continue; }
            if (c == '\\' && p + 2 < e && s_[p + 1] == '\r' && s_[p + 2] == '\n') { p += 3; continue; }  // CRLF scripts
            if (c == '\n') {
                finish();
                ++p;
                if (!pending.empty()) p = skip_heredocs(p, e, pending);
                continue;
            }
            if (c == '#') {  // only reached at a word boundary: a comment
                while (p < e && s_[p] != '\n') ++p;
                continue;
            }
            if (c == '&' && p + 1 < e && s_[p + 1] == '>') { starts(p); p = redirect(p, e, pending, cmd); continue; }
            if (c == '(' && depth_ == 0 && (cmd.size() == 1 || (cmd.size() == 2 && plain(cmd[0], "function"))) && name_word(cmd.back())) {
                // `name() {` / `function name() {`: a function's definition, not a command.
                size_t q = p + 1;
                while (q < e && (s_[q] == ' ' || s_[q] == '\t')) ++q;
                if (q < e && s_[q] == ')') {
                    pending_function_ = cmd.back().text;
                    cmd.clear();
                    p = q + 1;
                    continue;
                }
            }
            if (c == '(' && !cmd.empty() && cmd.back().end == p && assignment(cmd.back()) && s_[p - 1] == '=') {
                p = array_literal(p, e, cmd.back());  // X=(a b c): an array's elements, not a subshell
                continue;
            }
            if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')') {
                const bool doubled = (c == '&' || c == '|' || c == ';') && p + 1 < e && s_[p + 1] == c;
                term_ = c == '&' ? (doubled ? 'a' : '&') : c == '|' ? (doubled ? 'o' : '|') : ';';
                finish();
                ++p;
                if (doubled) ++p;                                              // && || ;;
                else if (c == '|' && p < e && s_[p] == '&') ++p;               // |&
                if (depth_ == 0 && c == '(') frames_.emplace_back('(', static_cast<uint32_t>(p - 1));  // a subshell (or a function's "()")
                if (depth_ == 0 && c == ')' && !frames_.empty() && frames_.back().first == '(') frames_.pop_back();
                continue;
            }
            if (c == '<' || c == '>') { starts(p); p = redirect(p, e, pending, cmd); continue; }
            if (std::isdigit(static_cast<unsigned char>(c))) {
                size_t q = p;
                while (q < e && std::isdigit(static_cast<unsigned char>(s_[q]))) ++q;
                if (q < e && (s_[q] == '<' || s_[q] == '>')) { starts(p); p = redirect(q, e, pending, cmd); continue; }
            }
            starts(p);
            ShellWord w;
            p = read_word(p, e, w);
            cmd.push_back(std::move(w));
        }
        finish();
    }

private:
    // The commands of a substitution, bounded in depth: a hostile $( $( $( ... ))) must not
    // exhaust the stack; deeper ones stay opaque (their word is unresolved all the same).
    // Deeper than kMaxShellNesting: the script is refused (too_deep_, at `open`).
    void nested(size_t b, size_t e, size_t open) {
        if (b >= e || too_deep_) return;
        if (depth_ >= kMaxShellNesting) { too_deep_ = static_cast<uint32_t>(open); return; }
        const char prev = prev_term_, term = term_;
        std::vector<uint32_t> inputs = std::move(cmd_inputs_);
        std::optional<ShellWord> stdin_file = std::move(cmd_stdin_file_);
        cmd_inputs_.clear();
        cmd_stdin_file_.reset();
        prev_term_ = term_ = ';';
        ++depth_;
        run(b, e);
        --depth_;
        prev_term_ = prev;
        term_ = term;
        cmd_inputs_ = std::move(inputs);
        cmd_stdin_file_ = std::move(stdin_file);
    }

    void append(ShellWord& w, char c, size_t at) {
        w.text.push_back(c);
        w.offsets.push_back(static_cast<uint32_t>(at));
    }
    void append_raw(ShellWord& w, size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) append(w, s_[i], i);
        w.expansions.emplace_back(static_cast<uint32_t>(b), static_cast<uint32_t>(e));
    }

    size_t read_word(size_t p, size_t e, ShellWord& w) {
        w.begin = static_cast<uint32_t>(p);
        while (p < e) {
            char c = s_[p];
            if (ends_word(c)) break;
            if (c == '\\') {
                if (p + 1 >= e) { append(w, '\\', p); ++p; continue; }
                if (s_[p + 1] == '\n') { p += 2; continue; }
                if (s_[p + 1] == '\r' && p + 2 < e && s_[p + 2] == '\n') { p += 3; continue; }
                append(w, s_[p + 1], p + 1);
                p += 2;
                continue;
            }
            if (c == '\'') {
                size_t q = p + 1;
                while (q < e && s_[q] != '\'') { append(w, s_[q], q); ++q; }
                if (q >= e) unterminated(w, p, '\'');
                p = std::min(q + 1, e);
                continue;
            }
            if (c == '"') { p = double_quoted(p + 1, e, w); continue; }
            if (c == '$') { p = dollar(p, e, w, false); continue; }
            if (c == '`') { p = backtick(p, e, w); continue; }
            append(w, c, p);
            ++p;
        }
        w.end = static_cast<uint32_t>(cut_ > w.begin && cut_ < p ? cut_ : p);
        return p;
    }

    // `p` is just after the opening quote.
    size_t double_quoted(size_t p, size_t e, ShellWord& w) {
        const size_t open = p - 1;
        while (p < e && s_[p] != '"') {
            char c = s_[p];
            if (c == '\\' && p + 1 < e) {
                char n = s_[p + 1];
                if (n == '\n') { p += 2; continue; }
                if (n == '$' || n == '`' || n == '"' || n == '\\') { append(w, n, p + 1); p += 2; continue; }
                append(w, '\\', p);
                ++p;
                continue;
            }
            if (c == '$') { p = dollar(p, e, w, true); continue; }
            if (c == '`') { p = backtick(p, e, w); continue; }
            append(w, c, p);
            ++p;
        }
        if (p >= e) unterminated(w, open, '"');
        return p < e ? p + 1 : e;
    }

    // A quote opened at `open` is not closed before the end of the script: bash stops there
    // ("unexpected EOF while looking for matching `\"'") and runs neither this command nor
    // anything after it. The word keeps what is written up to the end of the quote's line,
    // and the commands of substitutions in this command (bash runs none of it) are dropped.
    // Only at the top level: a quote inside a substitution ends with the substitution here.
    void unterminated(ShellWord& w, size_t open, char quote) {
        if (depth_ > 0 || open_quote_ != std::string_view::npos) return;
        open_quote_ = open;
        quote_char_ = quote;
        size_t cut = s_.find('\n', open);
        if (cut == std::string_view::npos) cut = s_.size();
        else if (cut > open + 1 && s_[cut - 1] == '\r') --cut;
        cut_ = cut;
        size_t k = 0;
        while (k < w.offsets.size() && w.offsets[k] < cut) ++k;
        w.text.resize(k);
        w.offsets.resize(k);
        std::erase_if(w.expansions, [&](const auto& x) { return x.first >= cut; });
        for (auto& x : w.expansions) x.second = std::min<uint32_t>(x.second, static_cast<uint32_t>(cut));
        const size_t from = std::min(cmd_start_, open);
        std::erase_if(out_, [&](const ShellCommand& c) { return c.words.empty() || c.words[0].begin >= from; });
    }

    size_t dollar(size_t p, size_t e, ShellWord& w, bool in_double_quotes) {
        if (p + 1 >= e) { append(w, '$', p); return p + 1; }
        char n = s_[p + 1];
        if (n == '\'' && !in_double_quotes) {  // $'...' (ANSI-C quoting)
            size_t q = p + 2;
            while (q < e && s_[q] != '\'') {
                if (s_[q] == '\\' && q + 1 < e) {
                    char x = s_[q + 1];
                    char v = x == 'n' ? '\n' : x == 't' ? '\t' : x == 'r' ? '\r' : x;
                    append(w, v, q);
                    q += 2;
                    continue;
                }
                append(w, s_[q], q);
                ++q;
            }
            if (q >= e) unterminated(w, p + 1, '\'');
            return std::min(q + 1, e);
        }
        if (n == '"' && !in_double_quotes) return double_quoted(p + 2, e, w);  // $"..."
        if (n == '(' || n == '{') {
            size_t q = n == '(' ? match_paren(p + 1, e) : match_brace(p + 1, e);
            if (q == kOpen) {  // never closed: like an open quote (bash reads to the end of the file)
                q = e;
                append_raw(w, p, q);
                unterminated(w, p, n == '(' ? ')' : '}');
                return q;
            }
            bool arithmetic = n == '(' && p + 2 < e && s_[p + 2] == '(';
            if (n == '(' && !arithmetic) nested(p + 2, q - 1, p);
            append_raw(w, p, q);
            if (n == '{') w.vars.push_back(brace_ref(p, q, in_double_quotes));
            return q;
        }
        if (is_name_start(n)) {
            size_t q = p + 1;
            while (q < e && is_name_char(s_[q])) ++q;
            append_raw(w, p, q);
            ShellVarRef r;
            r.begin = static_cast<uint32_t>(p);
            r.end = static_cast<uint32_t>(q);
            r.name = std::string(s_.substr(p + 1, q - p - 1));
            r.quoted = in_double_quotes;
            w.vars.push_back(std::move(r));
            return q;
        }
        if (std::isdigit(static_cast<unsigned char>(n)) || n == '@' || n == '*' || n == '#' || n == '?' || n == '$' || n == '!' ||
            n == '-') {
            append_raw(w, p, p + 2);
            return p + 2;
        }
        append(w, '$', p);
        return p + 1;
    }

    size_t backtick(size_t p, size_t e, ShellWord& w) {
        size_t q = p + 1;
        while (q < e && s_[q] != '`') q += s_[q] == '\\' ? 2 : 1;
        if (q >= e) {  // never closed
            append_raw(w, p, e);
            unterminated(w, p, '`');
            return e;
        }
        nested(p + 1, q, p);
        append_raw(w, p, q + 1);
        return q + 1;
    }

    static constexpr size_t kOpen = std::string_view::npos;
    // `open` is at '(' (or '{'); returns the offset after the matching ')' (or '}'), or kOpen.
    size_t match_paren(size_t open, size_t e) const { return match_pair(open, e, '(', ')'); }
    size_t match_brace(size_t open, size_t e) const { return match_pair(open, e, '{', '}'); }
    size_t match_pair(size_t open, size_t e, char opening, char closing) const {
        int depth = 0;
        for (size_t q = open; q < e; ++q) {
            char c = s_[q];
            if (c == '\\') { ++q; continue; }
            if (c == '\'') { q = skip_to(q + 1, e, '\''); continue; }
            if (c == '"') { q = skip_double(q + 1, e); continue; }
            if (c == opening) ++depth;
            if (c == closing && --depth == 0) return q + 1;
        }
        return kOpen;
    }
    // Offset of the closing quote (or e - 1).
    size_t skip_to(size_t q, size_t e, char quote) const {
        while (q < e && s_[q] != quote) ++q;
        return std::min(q, e - 1);
    }
    size_t skip_double(size_t q, size_t e) const {
        while (q < e && s_[q] != '"') q += s_[q] == '\\' ? 2 : 1;
        return std::min(q, e - 1);
    }

    // The command read so far (`words`) runs what a process substitution after it prints as a
    // script: `source <(...)`, `. <(...)`, `bash <(...)`, `bash < <(...)` (a shell with
    // options only, no -c and no script of its own).
    static bool runs_as_script(const std::vector<ShellWord>& words) {
        size_t i = 0;
        // X=v prefix assignments, and the programs that run the command after their options.
        auto skippable = [](const std::string& t) { return t == "sudo" || t == "env" || t == "nohup" || t == "command" || t == "exec" || t == "nice"; };
        while (i < words.size() && !words[i].unresolved() &&
               ((words[i].text.find('=') != std::string::npos && words[i].text.front() != '-') || skippable(words[i].text))) {
            const bool wrapper = skippable(words[i].text);
            ++i;
            while (wrapper && i < words.size() && !words[i].unresolved() && words[i].text.size() > 1 && words[i].text[0] == '-') ++i;
        }
        if (i >= words.size() || words[i].unresolved()) return false;
        const std::string& t = words[i].text;
        const std::string prog = t.substr(t.rfind('/') == std::string::npos ? 0 : t.rfind('/') + 1);
        if (prog == "source" || prog == ".") return i + 1 == words.size();
        if (!is_shell_program(prog)) return false;
        return std::all_of(words.begin() + static_cast<long>(i) + 1, words.end(),
                           [](const ShellWord& w) { return !w.unresolved() && w.text.size() > 1 && w.text[0] == '-' && w.text != "-c"; });
    }

    // `p` is at the operator (after any fd digits). Drops the redirection and its target;
    // a here-document's delimiter is remembered so its body is skipped after the line.
    size_t redirect(size_t p, size_t e, std::vector<Heredoc>& pending, const std::vector<ShellWord>& words) {
        const size_t op = p;
        bool heredoc = false, strip = false, herestring = false;
        if (s_.compare(p, 3, "<<<") == 0) { herestring = true; p += 3; }
        else if (s_.compare(p, 3, "<<-") == 0) { heredoc = strip = true; p += 3; }
        else if (s_.compare(p, 2, "<<") == 0) { heredoc = true; p += 2; }
        else if (s_.compare(p, 3, "&>>") == 0) p += 3;
        else if (s_.compare(p, 2, ">>") == 0 || s_.compare(p, 2, ">&") == 0 || s_.compare(p, 2, "<&") == 0 ||
                 s_.compare(p, 2, ">|") == 0 || s_.compare(p, 2, "<>") == 0 || s_.compare(p, 2, "&>") == 0)
            p += 2;
        else if ((s_[p] == '<' || s_[p] == '>') && p + 1 < e && s_[p + 1] == '(') {  // process substitution
            size_t q = match_paren(p + 1, e);
            if (q == kOpen) return e;  // bash: "unexpected EOF"; nothing after it is a command
            if (s_[p] == '<' && runs_as_script(words)) fed_to_shell_.emplace_back(static_cast<uint32_t>(p + 2), static_cast<uint32_t>(q));
            nested(p + 2, q - 1, p);
            return q;
        } else
            p += 1;
        while (p < e && (s_[p] == ' ' || s_[p] == '\t')) ++p;
        // A process substitution is a target: cat < <(cmd).
        if (p + 1 < e && (s_[p] == '<' || s_[p] == '>') && s_[p + 1] == '(') return p;
        // Nothing to redirect to: bash refuses the whole command before running any of it.
        // (A carriage return is a character of the file name in bash: not an error.)
        if (p >= e || s_[p] == '\n' || s_[p] == '#' || (ends_word(s_[p]) && s_[p] != '\r')) {
            no_target(op, p, e);
            return e;
        }
        if (ends_word(s_[p])) return p;
        ShellWord target;
        p = read_word(p, e, target);
        // What the command reads on its standard input: a here-document's body (filled in
        // once the line is read, skip_heredocs) or a here-string's word.
        const uint32_t id = static_cast<uint32_t>(inputs_.size());
        if (heredoc) {
            pending.push_back({target.text, strip, id});
            inputs_.emplace_back();
            cmd_inputs_.push_back(id);
        } else if (herestring) {
            inputs_.push_back(std::move(target));
            cmd_inputs_.push_back(id);
        } else if (s_[op] == '<' && p - target.begin > 0 && (op + 1 >= e || s_[op + 1] == ' ' || s_[op + 1] == '\t' || s_[op + 1] != '<')) {
            // `< FILE`: the file the command reads on standard input (bash < cmds.txt).
            if (op + 1 < e && (s_[op + 1] == '&' || s_[op + 1] == '>')) return p;  // <& and <> are not a plain input file
            cmd_stdin_file_ = std::move(target);
        }
        return p;
    }

    // bash: "syntax error near unexpected token `newline'" (or the operator that follows).
    void no_target(size_t op, size_t p, size_t e) {
        if (syntax_error_) return;
        syntax_error_ = static_cast<uint32_t>(op);
        if (p >= e) syntax_token_ = depth_ > 0 ? ")" : "newline";
        else if (s_[p] == '\n' || s_[p] == '#') syntax_token_ = "newline";
        else {
            const char c = s_[p];
            const bool doubled = p + 1 < e && s_[p + 1] == c && c != '(' && c != ')';
            syntax_token_ = std::string(doubled ? 2 : 1, c);
        }
        // The complete command bash was reading: from the start of its line, or of the
        // compound command (if, for, while, case, { }, ( )) still open around it.
        size_t at = op;
        if (!frames_.empty()) at = std::min<size_t>(at, frames_.front().second);
        if (cmd_start_ != std::string_view::npos) at = std::min(at, cmd_start_);
        while (at > 0 && !(s_[at - 1] == '\n' && !(at >= 2 && s_[at - 2] == '\\'))) --at;
        syntax_from_ = static_cast<uint32_t>(at);
    }

    size_t skip_heredocs(size_t p, size_t e, std::vector<Heredoc>& pending) {
        for (const auto& h : pending) {
            const size_t body = p;
            size_t body_end = e;
            while (p < e) {
                size_t eol = p;
                while (eol < e && s_[eol] != '\n') ++eol;
                std::string_view line = s_.substr(p, eol - p);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                if (h.strip_tabs) while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
                const size_t line_start = p;
                p = std::min(eol + 1, e);
                if (line == h.delimiter) { body_end = line_start; break; }
            }
            // The body as written (a shell reading it as a script expands it itself).
            ShellWord& w = inputs_[h.id];
            w.begin = static_cast<uint32_t>(body);
            w.end = static_cast<uint32_t>(body_end);
            w.text.assign(s_.substr(body, body_end - body));
            w.offsets.resize(w.text.size());
            for (size_t i = 0; i < w.offsets.size(); ++i) w.offsets[i] = static_cast<uint32_t>(body + i);
        }
        pending.clear();
        return p;
    }

    // A word written plainly (no quotes, escapes or expansions) equal to `t`.
    bool plain(const ShellWord& w, std::string_view t) const {
        return w.text == t && s_.substr(w.begin, w.end - w.begin) == t;
    }
    bool assignment(const ShellWord& w) const {
        std::string_view raw = s_.substr(w.begin, w.end - w.begin);
        if (raw.empty() || !is_name_start(raw[0])) return false;
        size_t i = 1;
        while (i < raw.size() && is_name_char(raw[i])) ++i;
        if (i < raw.size() && raw[i] == '[') {  // an array element: X[2]=v
            const size_t close = raw.find(']', i);
            if (close == std::string_view::npos) return false;
            i = close + 1;
        }
        if (i < raw.size() && raw[i] == '+') ++i;
        return i < raw.size() && raw[i] == '=';
    }

    // ---- variables ------------------------------------------------------------------------

    std::string at_text(size_t offset) const {
        if (lines_.empty()) {
            lines_.push_back(0);
            for (size_t i = 0; i < s_.size(); ++i)
                if (s_[i] == '\n') lines_.push_back(static_cast<uint32_t>(i + 1));
        }
        auto it = std::upper_bound(lines_.begin(), lines_.end(), static_cast<uint32_t>(offset));
        size_t line = static_cast<size_t>(it - lines_.begin());
        size_t col = offset - lines_[line - 1] + 1;
        return (path_.empty() ? std::string("line ") : std::string(path_) + ":") + std::to_string(line) + ":" + std::to_string(col);
    }

    // ${...} at [p, q): ${X}, ${X:-word}, ${X-word} with a literal word; other forms get no name.
    ShellVarRef brace_ref(size_t p, size_t q, bool quoted) const {
        ShellVarRef r;
        r.begin = static_cast<uint32_t>(p);
        r.end = static_cast<uint32_t>(q);
        r.quoted = quoted;
        std::string_view in = s_.substr(p + 2, q - p - 3);
        size_t i = 0;
        if (in.empty() || !is_name_start(in[0])) return r;
        while (i < in.size() && is_name_char(in[i])) ++i;
        std::string_view rest = in.substr(i);
        // An element or all elements of an array: ${X[@]}, ${X[*]}, ${X[0]}.
        if (rest.size() >= 3 && rest.front() == '[' && rest.back() == ']') {
            const std::string_view idx = rest.substr(1, rest.size() - 2);
            const bool digits = !idx.empty() && idx.size() < 6 && std::all_of(idx.begin(), idx.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (idx != "@" && idx != "*" && !digits) return r;
            r.index = std::string(idx);
            r.name = std::string(in.substr(0, i));
            return r;
        }
        if (!rest.empty()) {
            if (rest.rfind(":-", 0) == 0) r.op = ":-";
            else if (rest[0] == '-') r.op = "-";
            else return r;
            std::string_view word = rest.substr(r.op.size());
            if (word.find_first_of("$`'\"\\{}") != std::string_view::npos) return r;
            r.fallback = std::string(word);
        }
        r.name = std::string(in.substr(0, i));
        return r;
    }

    // Where the command being emitted runs, when not at the top level of the script.
    std::string context() const {
        if (depth_ > 0) return "a command substitution";
        if (!frames_.empty()) {
            switch (frames_.back().first) {
                case 'i': return "an if";
                case 'l': return "a loop";
                case 'c': return "a case";
                case '{': return "a { } group or function body";
                default: return "a ( ) subshell or function";
            }
        }
        if (prev_term_ == 'a' || prev_term_ == 'o') return "a && / || list";
        if (prev_term_ == '|' || term_ == '|') return "a pipeline";
        if (term_ == '&') return "a background command";
        return "";
    }

    // The value of one reference, or why there is none.
    // `held`: the value when it is certain but bash would split or glob it.
    std::optional<std::string> value_of(const ShellVarRef& r, bool split, std::string& why, std::string* held = nullptr) const {
        const std::string written(s_.substr(r.begin, r.end - r.begin));
        if (r.name.empty()) { why = written + " is an expansion opguard does not evaluate"; return std::nullopt; }
        if (loops_ && depth_ == 0)
            for (const auto& [kind, start] : frames_) {
                if (kind != 'l') continue;
                auto l = loops_->find(start);
                if (l == loops_->end()) continue;
                if (auto c = l->second.find(r.name); c != l->second.end()) {
                    why = r.name + " changes inside the loop at " + at_text(c->second) + ", so its value here is not known";
                    return std::nullopt;
                }
            }
        auto it = vars_.find(r.name);
        std::optional<std::string> v;
        if (it == vars_.end()) {
            if (!sourced_.empty()) why = r.name + " may be set by " + sourced_;
            else if (!r.op.empty())
                why = r.name + " is not assigned in this script: " + written + " is '" + r.fallback + "' unless the environment sets " + r.name;
            return std::nullopt;  // from the environment: the value as written says it all
        }
        const Variable& var = it->second;
        if (var.kind == Variable::Unresolved) {
            why = var.why;
            if (held) *held = var.held;
            return std::nullopt;
        }
        if (!r.index.empty() && var.kind == Variable::Value) {
            // ${X[2]}: that element ("" past the end); ${X[*]} and ${X[@]} as one text, the
            // elements joined by blanks (a whole word "${X[@]}" is split into the elements
            // before this: split_expansion).
            const std::vector<std::string> items = var.array ? var.items : std::vector<std::string>{var.value};
            if (r.index == "@" && r.quoted && items.size() > 1) {
                // "--x=${X[@]}": bash makes several words of it, the text around going to the
                // first and last; only a whole word "${X[@]}" is split (split_expansion).
                why = written + " is several words, joined to the text around it";
                return std::nullopt;
            }
            if (r.index == "@" || r.index == "*") {
                std::string joined;
                for (size_t k = 0; k < items.size(); ++k) joined += (k ? " " : "") + items[k];
                v = joined;
            } else {
                const size_t k = std::stoul(r.index);
                v = k < items.size() ? items[k] : std::string();
            }
        } else if (var.kind == Variable::Unset) v = r.op.empty() ? std::string() : r.fallback;
        else v = r.op == ":-" && var.value.empty() ? r.fallback : var.value;
        if (split && !r.quoted) {
            if (v->empty()) { why = written + " is empty and not quoted: bash drops it"; return std::nullopt; }
            if (v->find_first_of(" \t\n*?[") != std::string::npos) {
                why = written + " is not quoted and its value has spaces or * ? [: bash splits or globs it";
                if (held) *held = *v;
                return std::nullopt;
            }
        }
        return v;
    }

    // Replaces each resolvable reference of `w` by its value (every byte located at the
    // reference); the others get their `why`. `split`: the word undergoes word splitting
    // (not an assignment's value).
    void resolve(ShellWord& w, bool split) {
        for (auto r = w.vars.rbegin(); r != w.vars.rend(); ++r) {
            auto x = std::find(w.expansions.begin(), w.expansions.end(), std::make_pair(r->begin, r->end));
            if (x == w.expansions.end()) continue;  // cut off by an open quote
            std::string why, held;
            std::optional<std::string> v = value_of(*r, split, why, &held);
            if (v && !spend(v->size())) {
                v.reset();
                held.clear();
                why = over_budget(*r);
            }
            if (!v) {
                w.why.emplace_back(r->begin, why);
                if (!r->name.empty()) w.unresolved_names.push_back(r->name);
                if (!held.empty()) w.held += (w.held.empty() ? "" : " ") + held;
                continue;
            }
            auto k = std::find(w.offsets.begin(), w.offsets.end(), r->begin);
            const size_t len = r->end - r->begin;
            const size_t at = static_cast<size_t>(k - w.offsets.begin());
            if (k == w.offsets.end() || at + len > w.offsets.size()) continue;
            w.text.replace(at, len, *v);
            w.offsets.erase(w.offsets.begin() + static_cast<long>(at), w.offsets.begin() + static_cast<long>(at + len));
            w.offsets.insert(w.offsets.begin() + static_cast<long>(at), v->size(), r->begin);
            w.expansions.erase(x);
        }
        w.vars.clear();
        std::sort(w.why.begin(), w.why.end());
    }

    // X=( ... ) from the '(' at `p`: the elements (words, as a command's are read), kept for
    // the assignment of `w` (assign); returns where the literal ends.
    size_t array_literal(size_t p, size_t e, const ShellWord& w) {
        std::vector<ShellWord> items;
        size_t q = p + 1;
        while (q < e) {
            const char c = s_[q];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { ++q; continue; }
            if (c == '\\' && q + 1 < e && s_[q + 1] == '\n') { q += 2; continue; }
            if (c == '#') {
                while (q < e && s_[q] != '\n') ++q;
                continue;
            }
            if (c == ')') { ++q; break; }
            ShellWord item;
            const size_t next = read_word(q, e, item);
            if (next == q) { ++q; continue; }  // a character that ends words (;, |, <): not an element
            q = next;
            items.push_back(std::move(item));
        }
        array_literals_[w.begin] = std::move(items);
        return q;
    }

    // The variables the script gives as the value of a flag named as a secret (`--access-key-
    // secret $SK`, `--cli-secret-key="${SK}"`, `--Password=$PW`), with the first such flag and
    // where it is: read from the text before any command, so that an assignment above the
    // line that reveals it is not used either.
    void find_secret_variables() {
        auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
        for (size_t p = s_.find("--"); p != std::string_view::npos; p = s_.find("--", p + 2)) {
            size_t q = p + 2;
            while (q < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[q])) || s_[q] == '-' || s_[q] == '_' || s_[q] == '.')) ++q;
            const std::string flag(s_.substr(p + 2, q - p - 2));
            if (flag.empty() || !builtin_secret_names().is_secret(flag)) continue;
            size_t v = q;
            while (v < s_.size() && (s_[v] == ' ' || s_[v] == '\t' || s_[v] == '=' || s_[v] == ':' || s_[v] == '"' || s_[v] == '\'')) ++v;
            if (v >= s_.size() || s_[v] != '$') continue;
            ++v;
            if (v < s_.size() && s_[v] == '{') ++v;
            size_t e = v;
            while (e < s_.size() && name_char(s_[e])) ++e;
            if (e > v) secret_vars_.emplace(std::string(s_.substr(v, e - v)), at_text(static_cast<uint32_t>(p)));
        }
    }

    // Takes `n` bytes from the budget of values put in place of references (kMaxExpandedBytes);
    // false, taking nothing, when they are not left.
    bool spend(size_t n) {
        if (n > kMaxExpandedBytes - expanded_bytes_) return false;
        expanded_bytes_ += n;
        return true;
    }
    // (In both the message of a reference past the budget and that of a variable assigned from one.)
    static constexpr std::string_view kOverBudget = "variable values opguard puts in place in one script";
    std::string over_budget(const ShellVarRef& r) const {
        return std::string(s_.substr(r.begin, r.end - r.begin)) + " would take the " + std::string(kOverBudget) + " past " +
               std::to_string(kMaxExpandedBytes >> 20) + " MiB, so its value is not used";
    }

    // A word that is one unquoted $X or ${X} (or ${X:-d}, ${X-d}) whose value is certain and
    // has blanks: the words bash splits it into (default IFS; none has * ? [, which bash would
    // glob), every byte located at the reference. `CMD="aliyun ecs RebootInstance"; $CMD
    // --InstanceId i-1` runs the CLI with its words. None for any other word.
    std::optional<std::vector<ShellWord>> split_expansion(const ShellWord& w) {
        if (w.vars.size() != 1 || w.expansions.size() != 1 || vars_.count("IFS")) return std::nullopt;
        const ShellVarRef& r = w.vars.front();
        if (w.expansions.front() != std::make_pair(r.begin, r.end)) return std::nullopt;
        // The word is "${X[@]}" (or the quotes around it: the reference is the whole word but them).
        const std::string_view whole = s_.substr(w.begin, w.end - w.begin);
        const bool alone = r.begin == w.begin && r.end == w.end;
        const bool quoted_alone = r.quoted && whole.size() == r.end - r.begin + 2 && whole.front() == '"' && whole.back() == '"' &&
                                  r.begin == w.begin + 1;
        if ((r.index == "@" && (alone || quoted_alone)) || (r.index == "*" && alone)) {
            // "${X[@]}": each element a word, as written; unquoted ${X[@]} and ${X[*]}: the
            // elements split again (refused here when one would be: blanks, * ? [).
            auto it = vars_.find(r.name);
            if (it == vars_.end() || it->second.kind != Variable::Value) return std::nullopt;
            const std::vector<std::string> items = it->second.array ? it->second.items : std::vector<std::string>{it->second.value};
            size_t bytes = 0;
            for (const std::string& item : items) {
                if (!r.quoted && (item.empty() || item.find_first_of(" \t\n*?[") != std::string::npos)) return std::nullopt;
                bytes += item.size();
            }
            if (items.empty() || !spend(bytes)) return std::nullopt;
            std::vector<ShellWord> parts;
            for (const std::string& item : items) {
                ShellWord part;
                part.text = item;
                part.offsets.assign(item.size(), r.begin);
                part.begin = w.begin;
                part.end = w.end;
                parts.push_back(std::move(part));
            }
            return parts;
        }
        if (r.quoted || !alone) return std::nullopt;
        std::string why;
        const std::optional<std::string> v = value_of(r, false, why);
        if (!v || v->find_first_of(" \t\n") == std::string::npos || v->find_first_of("*?[") != std::string::npos) return std::nullopt;
        if (!spend(v->size())) return std::nullopt;  // resolve() then says why
        std::vector<ShellWord> parts;
        for (size_t p = v->find_first_not_of(" \t\n"); p != std::string::npos; p = v->find_first_not_of(" \t\n", p)) {
            const size_t q = std::min(v->find_first_of(" \t\n", p), v->size());
            ShellWord part;
            part.text = v->substr(p, q - p);
            part.offsets.assign(part.text.size(), r.begin);
            part.begin = w.begin;
            part.end = w.end;
            parts.push_back(std::move(part));
            p = q;
        }
        if (parts.empty()) return std::nullopt;
        return parts;
    }

    // Pass 1: `name` changes at `at` inside each enclosing loop (a use earlier in the loop
    // body sees that value on the next iteration).
    void changed(const std::string& name, uint32_t at) {
        if (depth_ > 0) return;
        for (const auto& [kind, start] : frames_)
            if (kind == 'l') loop_changes_[start].emplace(name, at);
    }

    void set_unresolved(const std::string& name, std::string why) {
        Variable& v = vars_[name];
        v.kind = Variable::Unresolved;
        v.why = std::move(why);
        v.value.clear();
    }

    // The assignment word `w` (already resolved) runs; `where` is context() or "" (top level).
    void assign(const ShellWord& w, const std::string& where, const char* how) {
        std::string_view raw = s_.substr(w.begin, w.end - w.begin);
        size_t i = 0;
        while (i < raw.size() && is_name_char(raw[i])) ++i;
        const std::string name(raw.substr(0, i));
        const bool append = i < raw.size() && raw[i] == '+';
        changed(name, w.begin);
        const std::string at = at_text(w.begin);
        // A variable named as a secret (ALIBABA_CLOUD_ACCESS_KEY_SECRET, DB_PASSWORD): its value
        // is never used, so it cannot reach a report through a parameter of another name.
        if (builtin_secret_names().is_secret(name)) {
            set_unresolved(name, name + " is named as a secret, so opguard does not use its value");
            return;
        }
        // A variable the script passes as a secret flag's value (--access-key-secret $SK):
        // its value is a secret wherever else it is used.
        if (auto s = secret_vars_.find(name); s != secret_vars_.end()) {
            set_unresolved(name, name + " is given as a secret flag's value at " + s->second + ", so opguard does not use its value");
            return;
        }
        if (i < raw.size() && raw[i] == '[') {  // X[2]=v: one element changed
            std::string before;
            if (auto it = vars_.find(name); it != vars_.end())
                for (const std::string& item : it->second.array ? it->second.items : std::vector<std::string>{it->second.value})
                    before += (before.empty() ? "" : " ") + item;
            if (auto it = vars_.find(name); it != vars_.end() && it->second.kind == Variable::Unresolved) before = it->second.held;
            set_unresolved(name, name + " has an element assigned at " + at + ", which opguard does not follow");
            vars_[name].held = before + " " + w.text.substr(w.text.find('=') + 1);
            return;
        }
        const auto literal = array_literals_.find(w.begin);
        // The value as written, kept with the reason it is not used (Variable::held).
        // (Only a value written literally: one computed when the script runs, `$(aliyun ...)`,
        // holds the CLI's output, not a command.)
        auto held_text = [&]() -> std::string {
            if (literal == array_literals_.end()) {
                const uint32_t from = w.offset_of(w.text.find('=') + 1);
                for (const auto& [b, e] : w.expansions)
                    if (e > from) return "";
                return w.text.substr(w.text.find('=') + 1);
            }
            std::string t;
            for (const ShellWord& item : literal->second) {
                if (item.unresolved()) return "";
                t += (t.empty() ? "" : " ") + item.text;
            }
            return t;
        };
        if (how) { set_unresolved(name, name + " is assigned by " + how + " at " + at); vars_[name].held = held_text(); return; }
        if (!where.empty()) {
            set_unresolved(name, name + " is assigned inside " + where + " at " + at + ", so its value here is not known");
            vars_[name].held = held_text();
            return;
        }
        if (literal != array_literals_.end()) {
            // X=(a b c) / X+=(d): the elements, each resolved as a command's word is.
            std::vector<std::string> items;
            for (ShellWord item : literal->second) {
                resolve(item, true);
                if (item.unresolved() || item.text.find_first_of("*?[") != std::string::npos) {
                    set_unresolved(name, name + " is assigned an array at " + at + " with an element opguard cannot resolve");
                    vars_[name].held = held_text();
                    return;
                }
                items.push_back(std::move(item.text));
            }
            auto it = vars_.find(name);
            if (append) {
                if (it == vars_.end() || it->second.kind != Variable::Value) {
                    set_unresolved(name, name + " is appended to at " + at + " and its earlier value is not known");
                    return;
                }
                std::vector<std::string> before = it->second.array ? it->second.items : std::vector<std::string>{it->second.value};
                items.insert(items.begin(), before.begin(), before.end());
            }
            Variable& v = vars_[name];
            v = Variable{};
            v.array = true;
            v.value = items.empty() ? std::string() : items.front();
            v.items = std::move(items);
            return;
        }
        const size_t eq = w.text.find('=');
        const uint32_t value_from = w.offset_of(eq + 1);
        bool computed = false;
        for (const auto& [b, e] : w.expansions) computed = computed || e > value_from;
        if (computed) {
            // A reference left out for the budget of values (spend): that is the reason, not the script.
            for (const auto& [b, why] : w.why)
                if (b >= value_from && why.find(kOverBudget) != std::string::npos) {
                    set_unresolved(name, name + " is assigned at " + at + " a value past the " + std::to_string(kMaxExpandedBytes >> 20) +
                                             " MiB of variable values opguard puts in place in one script, so its value is not used");
                    return;
                }
            set_unresolved(name, name + " is assigned a value computed when the script runs at " + at);
            return;
        }
        std::string value = w.text.substr(eq + 1);
        auto it = vars_.find(name);
        if (append) {
            if (it == vars_.end() || it->second.kind == Variable::Unresolved) {
                set_unresolved(name, name + " is appended to at " + at + " and its earlier value is not known");
                return;
            }
            value = it->second.value + value;
        }
        Variable& v = vars_[name];
        v = Variable{};
        v.value = std::move(value);
    }

    // A word naming a variable (read X, unset X, for X in).
    static bool name_word(const ShellWord& w) {
        return !w.text.empty() && is_name_start(w.text[0]) &&
               std::all_of(w.text.begin(), w.text.end(), [](char c) { return is_name_char(c); });
    }

    void pop_to(char kind) {
        if (depth_ > 0) return;
        auto it = std::find_if(frames_.rbegin(), frames_.rend(), [&](const auto& f) { return f.first == kind; });
        if (it != frames_.rend()) frames_.erase(std::next(it).base(), frames_.end());
    }
    void push(char kind, uint32_t at) {
        if (depth_ == 0) frames_.emplace_back(kind, at);
    }

    void emit(std::vector<ShellWord> words) {
        // Compound-command keywords first: they open and close the branches and loops that
        // make an assignment conditional.
        size_t i = 0;
        condition_of_.reset();
        while (i < words.size()) {
            const ShellWord& w = words[i];
            if (plain(w, "if")) push('i', w.begin);
            else if (plain(w, "while") || plain(w, "until")) {
                push('l', w.begin);
                condition_of_ = w;  // the command after it (and a `!`) is the loop's condition
            }
            else if (plain(w, "{")) {
                push('{', w.begin);
                if (!pending_function_.empty() && depth_ == 0) function_frames_[w.begin] = pending_function_;
                pending_function_.clear();
            } else if (plain(w, "fi")) pop_to('i');
            else if (plain(w, "done")) pop_to('l');
            else if (plain(w, "esac")) pop_to('c');
            else if (plain(w, "}")) pop_to('{');
            else if (plain(w, "for") || plain(w, "select")) {
                std::optional<std::vector<std::string>> items;
                if (plain(w, "for") && !unroll_ && depth_ == 0) items = literal_items(words, i);  // before the loop's frame opens
                push('l', w.begin);
                if (i + 1 < words.size() && name_word(words[i + 1])) {
                    const std::string why = words[i + 1].text + " is the variable of the loop at " + at_text(words[i + 1].begin);
                    set_unresolved(words[i + 1].text, why);
                    if (items) unroll_ = Unroll{w.begin, words[i + 1].text, why, std::move(*items), {}, {}, 0, 0, false, sourced_, {}};
                }
                return;  // a loop header: not a command
            } else if (plain(w, "case")) { push('c', w.begin); return; }
            else if (plain(w, "function")) {
                auto brace = std::find_if(words.begin() + static_cast<long>(i), words.end(), [&](const ShellWord& x) { return plain(x, "{"); });
                const std::string name = i + 1 < words.size() && name_word(words[i + 1]) ? words[i + 1].text : std::string();
                if (brace == words.end()) {  // a function definition, its body on the lines after
                    pending_function_ = name;
                    return;
                }
                push('{', brace->begin);
                if (!name.empty() && depth_ == 0) function_frames_[brace->begin] = name;
                // `function cleanup { aliyun ...; }` on one line: the words after the brace are the
                // body's first command.
                i = static_cast<size_t>(brace - words.begin()) + 1;
                if (i >= words.size()) return;
                continue;
            } else if (!(plain(w, "then") || plain(w, "elif") || plain(w, "else") || plain(w, "do") || plain(w, "!") || plain(w, "time")))
                break;
            ++i;
        }
        if (unroll_ && !frame_open(unroll_->start)) flush_unroll();
        if (i >= words.size()) return;
        if (!unroll_) {
            emit_command(std::move(words), i, out_);
            return;
        }
        // In the body of a loop over literal words: the command as it reads with the loop's
        // variable unresolved (used if the loop is not unrolled after all), then once per word.
        Unroll& u = *unroll_;
        emit_command(words, i, u.fallback);
        if (u.overflow) return;
        // The bytes the copies hold: the command's words once per word of the list, plus each
        // list word once (a bound on what the variable adds to its copy).
        size_t bytes = 0;
        for (size_t k = i; k < words.size(); ++k) bytes += words[k].text.size() + 1;
        bytes *= u.items.size();
        for (const auto& item : u.items) bytes += item.size();
        if (u.commands + u.items.size() > kMaxUnrolledCommands || u.bytes + bytes > kMaxUnrolledBytes || sourced_ != u.sourced) {
            u.overflow = true;  // too many commands, or a `source`/`eval` in the body may change the variable
            if (sourced_ != u.sourced) u.sourced_in_body = sourced_;
            u.per_item.clear();
            return;
        }
        u.per_item.resize(u.items.size());
        for (size_t k = 0; k < u.items.size(); ++k) {
            vars_[u.name] = Variable::of(u.items[k]);
            emit_command(words, i, u.per_item[k]);
        }
        u.commands += u.items.size();
        u.bytes += bytes;
        set_unresolved(u.name, u.why);
    }

    // The body of a loop over literal words ends: its commands, once per word in order (or,
    // when the loop was too large to unroll, once with the variable unresolved).
    void flush_unroll() {
        Unroll u = std::move(*unroll_);
        unroll_.reset();
        if (u.overflow || u.per_item.empty()) {
            const std::string more =
                !u.sourced_in_body.empty()
                    ? u.why + " (a loop whose body runs " + u.sourced_in_body + ", which may change any variable: it is read once)"
                    : u.why + " (a loop over " + std::to_string(u.items.size()) + " words whose body has " +
                          std::to_string(u.fallback.size()) + " commands: more than the " + std::to_string(kMaxUnrolledCommands) +
                          " commands or " + std::to_string(kMaxUnrolledBytes >> 20) + " MiB of words opguard unrolls)";
            for (ShellCommand& c : u.fallback) {
                if (u.overflow)
                    for (ShellWord& w : c.words)
                        for (auto& [at, why] : w.why)
                            if (why == u.why) why = more;
                out_.push_back(std::move(c));
            }
            return;
        }
        for (size_t k = 0; k < u.per_item.size(); ++k)
            for (ShellCommand& c : u.per_item[k]) {
                c.iteration = static_cast<uint32_t>(k + 1);
                out_.push_back(std::move(c));
            }
    }

    // The words of `for NAME in WORDS` when bash's list is certain: each word literal or
    // resolved; an unquoted resolved variable splits on blanks (default IFS only); no glob
    // or brace expansion. None when the list is not certain or empty (the body is then read
    // once, the variable unresolved).
    std::optional<std::vector<std::string>> literal_items(const std::vector<ShellWord>& words, size_t i) {
        if (i + 2 >= words.size() || !name_word(words[i + 1]) || !plain(words[i + 2], "in")) return std::nullopt;
        if (vars_.count("IFS")) return std::nullopt;
        std::vector<std::string> items;
        for (size_t k = i + 3; k < words.size(); ++k) {
            ShellWord w = words[k];
            const bool splits = std::any_of(w.vars.begin(), w.vars.end(), [](const ShellVarRef& r) { return !r.quoted; });
            resolve(w, false);
            if (w.unresolved() || w.text.find_first_of("*?[{}") != std::string::npos) return std::nullopt;
            if (!splits) {
                items.push_back(w.text);
            } else {
                const std::string_view written = s_.substr(w.begin, w.end - w.begin);
                if (written.find_first_of("'\\\"") != std::string_view::npos) return std::nullopt;  // quoted parts do not split
                size_t p = 0;
                while (p < w.text.size()) {
                    p = w.text.find_first_not_of(" \t\n", p);
                    if (p == std::string::npos) break;
                    size_t q = w.text.find_first_of(" \t\n", p);
                    if (q == std::string::npos) q = w.text.size();
                    items.push_back(w.text.substr(p, q - p));
                    p = q;
                }
            }
        }
        if (items.empty()) return std::nullopt;  // runs nothing: read once, so its calls are still seen
        return items;
    }

    bool frame_open(uint32_t start) const {
        return std::any_of(frames_.begin(), frames_.end(), [&](const auto& f) { return f.first == 'l' && f.second == start; });
    }

    // One simple command (words[i..]: keywords stripped) into `into`.
    void emit_command(std::vector<ShellWord> words, size_t i, std::vector<ShellCommand>& into) {
        const std::string where = context();

        // Assignments and the builtins that change variables. A command of assignments only
        // (or export/readonly/declare/typeset/local) assigns in the shell, left to right; a
        // prefix assignment (X=v cmd) only sets the command's environment, and bash expands
        // the command's words before it.
        size_t j = i;
        while (j < words.size() && assignment(words[j])) ++j;
        const bool declaration = j == i && (plain(words[j], "export") || plain(words[j], "readonly") || plain(words[j], "declare") ||
                                            plain(words[j], "typeset") || plain(words[j], "local"));
        if (j == words.size() || declaration) {
            const char* how = declaration && plain(words[j], "local") ? "`local` (a function's own variable)" : nullptr;
            for (size_t k = declaration ? j + 1 : i; k < words.size(); ++k) {
                ShellWord& w = words[k];
                if (declaration && !w.text.empty() && w.text[0] == '-') {
                    if (w.text.find_first_not_of("-xrg") != std::string::npos) how = "`declare` with an attribute that changes the value";
                    continue;
                }
                resolve(w, !assignment(w));
                if (assignment(w)) assign(w, where, how);
            }
            return;
        }
        for (size_t k = i; k < words.size(); ++k) {
            if (k >= j) {
                if (std::optional<std::vector<ShellWord>> parts = split_expansion(words[k])) {
                    // (Several words now where one was: `k` steps past them.)
                    words.erase(words.begin() + static_cast<long>(k));
                    words.insert(words.begin() + static_cast<long>(k), parts->begin(), parts->end());
                    k += parts->size() - 1;
                    continue;
                }
            }
            resolve(words[k], !assignment(words[k]) || k >= j);
        }
        if (j >= words.size()) return;  // (an expansion split into nothing cannot happen: a value with words has some)
        const ShellWord& first = words[j];
        // (`IFS= read -r X`: a prefix assignment sets only read's environment.)
        if ((j == i || !plain(first, "unset")) && (plain(first, "read") || plain(first, "unset") || plain(first, "mapfile") || plain(first, "readarray"))) {
            const bool unset = plain(first, "unset");
            for (size_t k = j + 1; k < words.size(); ++k) {
                const ShellWord& w = words[k];
                if (!w.text.empty() && w.text[0] == '-') {
                    if (unset && w.text == "-f") break;  // functions
                    continue;
                }
                if (unset && !name_word(w) && w.text.find('[') != std::string::npos) {
                    // unset 'A[0]': one element gone; the others move up for "${A[@]}".
                    const std::string name = w.text.substr(0, w.text.find('['));
                    changed(name, w.begin);
                    set_unresolved(name, name + " has an element unset at " + at_text(w.begin) + ", which opguard does not follow");
                    continue;
                }
                if (!name_word(w)) continue;
                changed(w.text, w.begin);
                if (unset && where.empty()) vars_[w.text] = Variable::unset();
                else if (unset) set_unresolved(w.text, w.text + " is unset inside " + where + " at " + at_text(w.begin) + ", so its value here is not known");
                else {
                    set_unresolved(w.text, w.text + " is read from input at " + at_text(w.begin));
                    read_variables_.insert(w.text);
                }
            }
        } else if (j == i && plain(first, "let")) {
            // let E[0]=7, let n=n+1: arithmetic opguard does not evaluate.
            for (size_t k = j + 1; k < words.size(); ++k) {
                const std::string& t = words[k].text;
                size_t n = 0;
                while (n < t.size() && is_name_char(t[n])) ++n;
                if (n > 0 && n < t.size() && (t[n] == '[' || t[n] == '=' || t[n] == '+' || t[n] == '-')) {
                    changed(t.substr(0, n), words[k].begin);
                    set_unresolved(t.substr(0, n), t.substr(0, n) + " is assigned by `let` at " + at_text(words[k].begin));
                }
            }
        } else if (j == i && (plain(first, "source") || plain(first, ".") || plain(first, "eval"))) {
            sourced_ = "the `" + first.text + "` at " + at_text(first.begin);
            for (auto& [name, v] : vars_) set_unresolved(name, name + " may be set by " + sourced_);
        }

        static const char* kKeywords[] = {"if", "then", "elif", "else", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "esac"};
        while (i < words.size()) {
            const ShellWord& w = words[i];
            bool stripped = false;
            for (const char* k : kKeywords)
                if (plain(w, k)) { ++i; stripped = true; break; }
            if (stripped) continue;
            if (assignment(w)) { ++i; continue; }
            if (plain(w, "sudo") || plain(w, "env") || plain(w, "nohup") || plain(w, "command") || plain(w, "exec") ||
                plain(w, "builtin")) {
                bool takes_arg = plain(w, "sudo");
                ++i;
                while (i < words.size() && !words[i].text.empty() && words[i].text[0] == '-') {
                    std::string f = words[i].text;
                    ++i;
                    if (takes_arg && (f == "-u" || f == "-g" || f == "-C" || f == "-p" || f == "-h" || f == "-r" || f == "-t")) ++i;
                }
                continue;
            }
            if (plain(w, "timeout")) {
                ++i;
                while (i < words.size() && !words[i].text.empty() && words[i].text[0] == '-') {
                    std::string f = words[i].text;
                    ++i;
                    if (f == "-s" || f == "-k") ++i;
                }
                if (i < words.size()) ++i;  // the duration
                continue;
            }
            break;
        }
        if (i >= words.size()) return;
        ShellCommand c;
        c.words.assign(std::make_move_iterator(words.begin() + static_cast<long>(i)), std::make_move_iterator(words.end()));
        // The function whose body holds the command (the innermost), if any.
        for (auto f = frames_.rbegin(); f != frames_.rend(); ++f)
            if (auto named = function_frames_.find(f->second); f->first == '{' && named != function_frames_.end()) {
                c.function = named->second;
                c.function_at = f->second;
                break;
            }
        if (open_quote_ != std::string_view::npos && !quote_reported_ && depth_ == 0) {
            c.unterminated = static_cast<uint32_t>(open_quote_);
            c.unterminated_quote = quote_char_;
            quote_reported_ = true;
        }
        c.piped = term_ == '|';
        c.input_ids = cmd_inputs_;
        c.stdin_file = cmd_stdin_file_;
        c.loop_condition = condition_of_;
        into.push_back(std::move(c));
    }

public:
    // The end of the script: a loop left open (bash: "syntax error: unexpected end of file")
    // is read once, its variable unresolved.
    void finish_script() {
        if (unroll_) {
            unroll_->overflow = false;
            unroll_->per_item.clear();
            flush_unroll();
        }
    }

private:
    struct Unroll {
        uint32_t start = 0;                              // the `for` keyword (its frame)
        std::string name, why;                           // the variable; why it is unresolved outside
        std::vector<std::string> items;
        std::vector<std::vector<ShellCommand>> per_item;
        std::vector<ShellCommand> fallback;              // the body read once, the variable unresolved
        size_t commands = 0;                             // commands unrolled so far
        size_t bytes = 0;                                // and the bytes of their words (a bound, not exact)
        bool overflow = false;
        std::string sourced;                             // sourced_ when the loop began
        std::string sourced_in_body;                     // the `source`/`eval` in the body that stopped the unrolling
    };
    std::optional<Unroll> unroll_;

    std::string_view s_;
    size_t expanded_bytes_ = 0;  // spend()
    std::map<std::string, std::string> secret_vars_;  // find_secret_variables()
public:
    std::set<std::string> read_variables_;  // the variables `read` / `mapfile` set
private:
    std::map<uint32_t, std::vector<ShellWord>> array_literals_;  // array_literal(), by the assignment word's begin
    std::string_view path_;
    std::vector<ShellCommand>& out_;
    int depth_ = 0;
    std::optional<uint32_t> too_deep_;
    mutable std::vector<uint32_t> lines_;          // line starts, for at_text
    std::string pending_function_;                     // `name()` or `function name` read; its `{` comes next
    std::optional<ShellWord> condition_of_;            // the while/until of the command being emitted, if it is the condition
    std::map<uint32_t, std::string> function_frames_;  // the `{` of each function body at the top level => the function
    std::vector<std::pair<char, uint32_t>> frames_;  // open compound commands at the top level: i(f) l(oop) c(ase) { (, and where
    char prev_term_ = ';', term_ = ';';            // what ended the previous command / ends this one: ; & | a(&&) o(||)
    std::map<std::string, Variable> vars_;
    // Names each loop (keyed by its keyword's offset) changes, and where first: collected by
    // pass 1 (loop_changes_), consulted by pass 2 (loops_).
    std::map<uint32_t, std::map<std::string, uint32_t>> loop_changes_;
    const std::map<uint32_t, std::map<std::string, uint32_t>>* loops_ = nullptr;
    std::string sourced_;                          // "the `source` at f:1:1": every variable may be set there
    size_t open_quote_ = std::string_view::npos;  // an unterminated quote (see unterminated())
    char quote_char_ = 0;
    size_t cut_ = std::string_view::npos;          // where the word holding it stops
    size_t cmd_start_ = std::string_view::npos;    // where the top-level command being read starts
    bool quote_reported_ = false;
    std::optional<uint32_t> syntax_error_;
    std::string syntax_token_;
    std::vector<std::pair<uint32_t, uint32_t>> fed_to_shell_;  // fed_to_shell()
    std::vector<ShellWord> inputs_;        // here-document bodies and here-string words, by id
    std::vector<uint32_t> cmd_inputs_;     // those of the command being read
    std::optional<ShellWord> cmd_stdin_file_;  // its `< FILE`
    uint32_t syntax_from_ = 0;
};

}  // namespace

bool is_shell_program(std::string_view name) {
    static constexpr std::string_view kShells[] = {"bash", "sh", "dash", "zsh", "ksh", "mksh", "ash"};
    return std::find(std::begin(kShells), std::end(kShells), name) != std::end(kShells);
}

ShellScriptSource shell_script_source(const ShellCommand& c) {
    if (c.words.empty() || c.words[0].unresolved()) return {};
    const std::string& w0 = c.words[0].text;
    const size_t slash = w0.rfind('/');
    const std::string prog = slash == std::string::npos ? w0 : w0.substr(slash + 1);
    if (!is_shell_program(prog)) return {};
    using K = ShellScriptSource::Kind;
    for (size_t i = 1; i < c.words.size(); ++i) {
        const ShellWord& w = c.words[i];
        const std::string& t = w.text;
        // `--` and `-` end the options: the next word is the script file, if there is one.
        if (!w.unresolved() && (t == "--" || t == "-")) return i + 1 < c.words.size() ? ShellScriptSource{K::File, &c.words[i + 1]} : ShellScriptSource{K::Stdin};
        if (w.unresolved() || t.size() < 2 || (t[0] != '-' && t[0] != '+')) return {K::File, &w};  // the first operand
        if (t[1] == '-') continue;                                        // --login, --norc, ...
        if (t.find('c') != std::string::npos) return {K::String};         // -c STRING
        if (t.find('s') != std::string::npos) return {K::Stdin};          // -s: the rest are parameters
        if (t == "-o" || t == "+o" || t == "-O" || t == "+O") ++i;       // -o pipefail
    }
    return {K::Stdin};
}

namespace {

// A word that is one of the function's positional parameters, as written.
struct Positional {
    enum Kind { None, All, Star, One } kind = None;
    bool quoted = false;
    size_t n = 0;  // One: $1 .. $9
};
Positional positional(std::string_view w) {
    Positional p;
    if (w.size() >= 2 && w.front() == '"' && w.back() == '"') {
        p.quoted = true;
        w = w.substr(1, w.size() - 2);
    }
    if (w == "$@" || w == "${@}") p.kind = Positional::All;
    else if (w == "$*" || w == "${*}") p.kind = Positional::Star;
    else if ((w.size() == 2 && w[0] == '$' && w[1] >= '1' && w[1] <= '9') ||
             (w.size() == 4 && w.substr(0, 2) == "${" && w[2] >= '1' && w[2] <= '9' && w[3] == '}')) {
        p.kind = Positional::One;
        p.n = static_cast<size_t>(w[w.size() == 2 ? 1 : 2] - '0');
    }
    return p;
}

// A function of the script runs its body where it is called, with the call's words as its
// positional parameters: `ali() { aliyun --profile p "$@"; }; ali ecd RebuildDesktops ...`
// is that rebuild, and `rebuild; rebuild` two rebuilds. The body is read at each direct call
// (the copies located in the body, their arguments at the call), and not where it is
// defined. A function never called directly (a trap handler, one run through xargs or a
// dispatcher) keeps its body where it is written, read once; so does one whose body changes
// its positional parameters (shift, set --). Functions calling functions: up to 4 levels,
// within kMaxUnrolledCommands commands in all.
void expand_functions(std::string_view text, std::vector<ShellCommand>& cmds) {
    // Each definition of each function, by where its body opens (a function defined again
    // replaces the earlier one from there on), with its commands as written.
    std::map<std::string, std::map<uint32_t, std::vector<ShellCommand>>> bodies;
    std::set<std::string> changes_parameters;
    for (const ShellCommand& c : cmds) {
        if (c.function.empty()) continue;
        bodies[c.function][c.function_at].push_back(c);
        if (!c.words.empty() && (c.words[0].text == "shift" || (c.words[0].text == "set" && c.words.size() > 1 &&
                                                                 c.words[1].text.rfind("--", 0) == 0)))
            changes_parameters.insert(c.function);
    }
    auto runs = [](const ShellCommand& c, const auto& names) {
        return !c.words.empty() && !c.words[0].unresolved() && names.count(c.words[0].text) && c.function != c.words[0].text;
    };
    std::set<std::string> called;
    for (const ShellCommand& c : cmds)
        if (runs(c, bodies) && !changes_parameters.count(c.words[0].text)) called.insert(c.words[0].text);
    if (called.empty()) return;
    // The definition a call runs: the last one written before it (else the first).
    auto body_for = [&](const std::string& name, uint32_t at) -> const std::vector<ShellCommand>& {
        const auto& defs = bodies[name];
        auto it = defs.lower_bound(at);
        return it == defs.begin() ? defs.begin()->second : std::prev(it)->second;
    };
    // A word of the call that bash may make into any number of words ("$@", $ARGS): the
    // parameters from it on are not known.
    auto several = [&](const ShellWord& a) {
        if (!a.unresolved()) return false;
        const std::string_view written = text.substr(a.begin, a.end - a.begin);
        return written.find('@') != std::string_view::npos || written.find('*') != std::string_view::npos || written.front() != '"';
    };
    // An argument as an unquoted $1 gives it: split on blanks, as bash splits it.
    auto split = [](const ShellWord& a, std::vector<ShellWord>& into) {
        if (a.unresolved() || a.text.find_first_of(" \t\n") == std::string::npos) { into.push_back(a); return; }
        for (size_t b = a.text.find_first_not_of(" \t\n"); b != std::string::npos; b = a.text.find_first_not_of(" \t\n", b)) {
            const size_t e = std::min(a.text.find_first_of(" \t\n", b), a.text.size());
            ShellWord part;
            part.text = a.text.substr(b, e - b);
            for (size_t k = b; k < e; ++k) part.offsets.push_back(a.offset_of(k));
            part.begin = a.begin;
            part.end = a.end;
            into.push_back(std::move(part));
            b = e;
        }
    };
    const std::vector<ShellCommand> as_written = cmds;
    for (int round = 0; round < 4; ++round) {
        bool expanded = false;
        std::vector<ShellCommand> out;
        for (const ShellCommand& c : cmds) {
            if (round == 0 && called.count(c.function)) continue;  // runs where the function is called
            if (!runs(c, called)) {
                out.push_back(c);
                continue;
            }
            expanded = true;
            const std::string& name = c.words[0].text;
            const std::vector<ShellWord> args(c.words.begin() + 1, c.words.end());
            size_t known = args.size();  // parameters $1..$known are these words; past an unknown count, none
            for (size_t k = 0; k < args.size(); ++k)
                if (several(args[k])) { known = k; break; }
            const uint32_t at = c.called_at ? *c.called_at : c.words[0].begin;
            for (const ShellCommand& body : body_for(name, at)) {
                ShellCommand copy = body;
                // `aliyun() { command aliyun --profile p "$@"; }`: inside, the name is the program itself.
                copy.function = !body.words.empty() && body.words[0].text == name ? name : c.function;
                copy.called_at = at;
                if (!copy.iteration) copy.iteration = c.iteration;
                std::vector<ShellWord> words;
                for (const ShellWord& w : body.words) {
                    const Positional p = positional(text.substr(w.begin, w.end - w.begin));
                    if (p.kind == Positional::None) words.push_back(w);
                    else if (p.kind == Positional::All || (p.kind == Positional::Star && !p.quoted)) {
                        for (const ShellWord& a : args) {
                            if (p.quoted) words.push_back(a);
                            else split(a, words);
                        }
                    } else if (p.kind == Positional::Star) {
                        ShellWord joined;
                        joined.begin = w.begin;
                        joined.end = w.end;
                        for (size_t k = 0; k < args.size(); ++k) {
                            if (k) { joined.text += ' '; joined.offsets.push_back(args[k].begin); }
                            joined.text += args[k].text;
                            joined.offsets.insert(joined.offsets.end(), args[k].offsets.begin(), args[k].offsets.end());
                            joined.expansions.insert(joined.expansions.end(), args[k].expansions.begin(), args[k].expansions.end());
                            joined.why.insert(joined.why.end(), args[k].why.begin(), args[k].why.end());
                        }
                        words.push_back(std::move(joined));
                    } else if (p.n > known && known < args.size()) {
                        words.push_back(w);  // after "$@" of the caller: not known, as written
                    } else if (p.n <= args.size()) {
                        if (p.quoted) words.push_back(args[p.n - 1]);
                        else split(args[p.n - 1], words);
                    } else if (p.quoted) {  // "$3" with two arguments: an empty word
                        ShellWord empty;
                        empty.begin = w.begin;
                        empty.end = w.end;
                        words.push_back(std::move(empty));
                    }
                }
                if (words.empty()) continue;
                copy.words = std::move(words);
                out.push_back(std::move(copy));
                if (out.size() > kMaxUnrolledCommands) {  // too many: the script as written
                    cmds = as_written;
                    return;
                }
            }
        }
        cmds = std::move(out);
        if (!expanded) return;
    }
    // Deeper than 4 functions inside one another (or calling each other): the script as
    // written, each body read where it is, rather than calls left without their bodies.
    if (std::any_of(cmds.begin(), cmds.end(), [&](const ShellCommand& c) { return runs(c, called); })) cmds = as_written;
}

}  // namespace

ShellScript read_shell_script(std::string_view text, std::string_view path) {
    ShellScript out;
    // Two passes: the first finds what each loop changes, so that a use inside a loop of a
    // variable the loop assigns later (i=$((i+1)) after --DesktopId.$i) is not resolved to
    // the value before the loop.
    std::vector<ShellCommand> first;
    Lexer pass1(text, path, first);
    pass1.run(0, text.size());
    pass1.finish_script();
    if (pass1.too_deep()) {
        out.too_deep = pass1.too_deep();
        return out;
    }
    Lexer lexer(text, path, out.commands);
    lexer.use_loop_changes(&pass1.loop_changes());
    lexer.run(0, text.size());
    lexer.finish_script();
    out.too_deep = lexer.too_deep();
    out.unterminated = lexer.open_quote();
    out.unterminated_quote = lexer.quote_char();
    expand_functions(text, out.commands);
    out.read_variables = lexer.read_variables_;
    for (ShellCommand& c : out.commands) {
        for (uint32_t id : c.input_ids)
            if (id < lexer.inputs().size()) c.input_texts.push_back(lexer.inputs()[id]);
        c.input_ids.clear();
    }
    // ssh HOST with no remote command: the remote login shell reads its commands on standard input.
    auto ssh_reads_stdin = [](const ShellCommand& c) {
        if (c.words.empty() || c.words[0].unresolved()) return false;
        const std::string& w0 = c.words[0].text;
        if (w0 != "ssh" && !w0.ends_with("/ssh")) return false;
        size_t operands = 0;
        for (size_t i = 1; i < c.words.size(); ++i) {
            const std::string& t = c.words[i].text;
            if (t.size() >= 2 && t[0] == '-') {
                // -p 22, -i key, -o Opt=v ...: the option's value is the next word unless joined.
                if (t.size() == 2 && std::string_view("bcDEeFIiJLlmOopQRSWw").find(t[1]) != std::string_view::npos) ++i;
                continue;
            }
            ++operands;
        }
        return operands == 1;
    };
    for (size_t i = 0; i + 1 < out.commands.size(); ++i)
        out.commands[i].piped_to_shell = out.commands[i].piped && (shell_script_source(out.commands[i + 1]).kind == ShellScriptSource::Stdin ||
                                                                   ssh_reads_stdin(out.commands[i + 1]));
    // What a command in `source <(...)` or `bash < <(...)` prints, the shell runs: as `| bash`.
    for (ShellCommand& c : out.commands)
        if (!c.words.empty())
            for (const auto& [b, e] : lexer.fed_to_shell())
                if (c.words[0].begin >= b && c.words[0].begin < e) c.piped_to_shell = true;
    if (lexer.syntax_error()) {
        out.syntax_error = lexer.syntax_error();
        out.syntax_token = lexer.syntax_token();
        // bash stops there: neither that complete command nor any after it runs.
        const uint32_t from = lexer.syntax_from();
        std::erase_if(out.commands, [&](const ShellCommand& c) { return c.words.empty() || c.words[0].begin >= from; });
    }
    return out;
}

std::vector<ShellCommand> split_shell_commands(std::string_view text) { return read_shell_script(text).commands; }

std::string unterminated_opening(const ShellCommand& cmd) {
    switch (cmd.unterminated_quote) {
        case ')': return "$(";
        case '}': return "${";
        case '`': return "`";
        case '\'': return "'";
        default: return "\"";
    }
}

std::string unterminated_quote_message(const ShellCommand& cmd) {
    const std::string q(1, cmd.unterminated_quote ? cmd.unterminated_quote : '"');
    return "the " + unterminated_opening(cmd) + " opened here is not closed before the end of the file (bash: \"unexpected EOF while looking for matching `" + q +
           "'\"), so nothing after it runs either; opguard reads the value only up to the end of this line";
}

std::string why_unresolved(const ShellWord& w, uint32_t from) {
    std::string out;
    for (const auto& [at, why] : w.why)
        if (at >= from) out += (out.empty() ? "" : "; ") + why;
    return out;
}

const ShellWord* word_starting_at(const std::vector<ShellWord>& words, uint32_t at) {
    auto it = std::lower_bound(words.begin(), words.end(), at, [](const ShellWord& w, uint32_t o) { return w.begin < o; });
    return it != words.end() && it->begin == at ? &*it : nullptr;
}

std::string text_before_expansion(const ShellWord& w) {
    uint32_t first = w.end;
    for (const auto& [b, e] : w.expansions) first = std::min(first, b);
    size_t k = 0;
    while (k < w.text.size() && w.offset_of(k) < first) ++k;
    return w.text.substr(0, k);
}

std::string written(std::string_view text, const ShellWord& w) {
    std::string why = why_unresolved(w);
    if (!why.empty()) why = " (" + why + ")";
    if (w.end <= w.begin || w.end > text.size()) return w.text + why;
    return std::string(text.substr(w.begin, w.end - w.begin)) + why;
}

}  // namespace opguard::adapters
