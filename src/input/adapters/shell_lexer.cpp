#include "input/adapters/shell_lexer.hpp"

#include <algorithm>
#include <cctype>

namespace opguard::adapters {

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool ends_word(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')' ||
           c == '<' || c == '>';
}

struct Heredoc {
    std::string delimiter;
    bool strip_tabs = false;
};

class Lexer {
public:
    Lexer(std::string_view text, std::vector<ShellCommand>& out) : s_(text), out_(out) {}

    // Lexes [b, e) of the text; commands go to out_ as they end (nested ones first).
    void run(size_t b, size_t e) {
        std::vector<ShellWord> cmd;
        std::vector<Heredoc> pending;
        auto finish = [&] {
            if (!cmd.empty()) emit(std::move(cmd));
            cmd.clear();
            if (depth_ == 0) cmd_start_ = std::string_view::npos;
        };
        // Where the command being read starts (top level), for an unterminated quote in it.
        auto starts = [&](size_t at) {
            if (depth_ == 0 && cmd.empty() && cmd_start_ == std::string_view::npos) cmd_start_ = at;
        };
        size_t p = b;
        while (p < e) {
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
            if (c == '&' && p + 1 < e && s_[p + 1] == '>') { starts(p); p = redirect(p, e, pending); continue; }
            if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')') {
                finish();
                ++p;
                if ((c == '&' || c == '|' || c == ';') && p < e && s_[p] == c) ++p;  // && || ;;
                else if (c == '|' && p < e && s_[p] == '&') ++p;                    // |&
                continue;
            }
            if (c == '<' || c == '>') { starts(p); p = redirect(p, e, pending); continue; }
            if (std::isdigit(static_cast<unsigned char>(c))) {
                size_t q = p;
                while (q < e && std::isdigit(static_cast<unsigned char>(s_[q]))) ++q;
                if (q < e && (s_[q] == '<' || s_[q] == '>')) { starts(p); p = redirect(q, e, pending); continue; }
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
    void nested(size_t b, size_t e) {
        if (depth_ >= 64 || b >= e) return;
        ++depth_;
        run(b, e);
        --depth_;
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
        if (n == '(') {
            size_t q = match_paren(p + 1, e);
            bool arithmetic = p + 2 < e && s_[p + 2] == '(';
            if (!arithmetic) nested(p + 2, q > p + 2 && q <= e && s_[q - 1] == ')' ? q - 1 : q);
            append_raw(w, p, q);
            return q;
        }
        if (n == '{') {
            size_t q = match_brace(p + 1, e);
            append_raw(w, p, q);
            return q;
        }
        if (is_name_start(n)) {
            size_t q = p + 1;
            while (q < e && is_name_char(s_[q])) ++q;
            append_raw(w, p, q);
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
        q = std::min(q, e);
        nested(p + 1, q);
        size_t end = std::min(q + 1, e);
        append_raw(w, p, end);
        return end;
    }

    // `open` is at '(' (or '{'); returns the offset after the matching ')' (or '}'), or e.
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
        return e;
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

    // `p` is at the operator (after any fd digits). Drops the redirection and its target;
    // a here-document's delimiter is remembered so its body is skipped after the line.
    size_t redirect(size_t p, size_t e, std::vector<Heredoc>& pending) {
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
            nested(p + 2, q > p + 2 && s_[q - 1] == ')' ? q - 1 : q);
            return q;
        } else
            p += 1;
        (void)herestring;
        while (p < e && (s_[p] == ' ' || s_[p] == '\t')) ++p;
        if (p >= e || ends_word(s_[p])) return p;
        ShellWord target;
        p = read_word(p, e, target);
        if (heredoc) pending.push_back({target.text, strip});
        return p;
    }

    size_t skip_heredocs(size_t p, size_t e, std::vector<Heredoc>& pending) {
        for (const auto& h : pending) {
            while (p < e) {
                size_t eol = p;
                while (eol < e && s_[eol] != '\n') ++eol;
                std::string_view line = s_.substr(p, eol - p);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                if (h.strip_tabs) while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
                p = std::min(eol + 1, e);
                if (line == h.delimiter) break;
            }
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
        if (i < raw.size() && raw[i] == '+') ++i;
        return i < raw.size() && raw[i] == '=';
    }

    void emit(std::vector<ShellWord> words) {
        static const char* kKeywords[] = {"if", "then", "elif", "else", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "esac"};
        static const char* kHeaders[] = {"for", "select", "case", "function"};
        size_t i = 0;
        while (i < words.size()) {
            const ShellWord& w = words[i];
            bool stripped = false;
            for (const char* k : kKeywords)
                if (plain(w, k)) { ++i; stripped = true; break; }
            if (stripped) continue;
            for (const char* k : kHeaders)
                if (plain(w, k)) return;  // a loop or case header, or a function definition: not a command
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
        if (open_quote_ != std::string_view::npos && !quote_reported_ && depth_ == 0) {
            c.unterminated = static_cast<uint32_t>(open_quote_);
            c.unterminated_quote = quote_char_;
            quote_reported_ = true;
        }
        out_.push_back(std::move(c));
    }

    std::string_view s_;
    std::vector<ShellCommand>& out_;
    int depth_ = 0;
    size_t open_quote_ = std::string_view::npos;  // an unterminated quote (see unterminated())
    char quote_char_ = 0;
    size_t cut_ = std::string_view::npos;          // where the word holding it stops
    size_t cmd_start_ = std::string_view::npos;    // where the top-level command being read starts
    bool quote_reported_ = false;
};

}  // namespace

std::vector<ShellCommand> split_shell_commands(std::string_view text) {
    std::vector<ShellCommand> out;
    Lexer(text, out).run(0, text.size());
    return out;
}

std::string unterminated_quote_message(const ShellCommand& cmd) {
    const std::string q(1, cmd.unterminated_quote ? cmd.unterminated_quote : '"');
    return "the " + q + " opened here is not closed before the end of the file (bash: \"unexpected EOF while looking for matching `" + q +
           "'\"), so nothing after it runs either; opguard reads the value only up to the end of this line";
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
    if (w.end <= w.begin || w.end > text.size()) return w.text;
    return std::string(text.substr(w.begin, w.end - w.begin));
}

}  // namespace opguard::adapters
