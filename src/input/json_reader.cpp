// read_json: simdjson On Demand => opguard::Node, with projection and precise errors.
//
// The fast path walks the document with simdjson's On Demand API and materialises only
// what the Projection names; everything else is skipped by simdjson without building.
// Errors found while materialising (depth, duplicate keys, too many values) are thrown
// directly with the position and JSON pointer the walk knows. Whenever simdjson itself
// reports an error (syntax, UTF-8, numbers, ...) it often gives no useful position, so the
// text is re-scanned by the Diagnoser, a small non-recursive JSON checker that finds the
// first error in document order with its byte offset, JSON pointer and a clear message.
// That scan only runs on the error path, so its speed does not matter.
//
// Content no rule reads (not projected) is not built, but it is walked to check it (Reader::
// check): a malformed scalar, a missing comma, a mismatched bracket kind, a bad escape or
// too-deep nesting anywhere in a file is its input error, as in a value a rule reads; only
// duplicate keys are not compared there (nothing reads them). An element read again later
// (ElementReader) was checked with its file and is not walked again.
#include "input/json_reader.hpp"

#include <algorithm>

#include "core/redact.hpp"
#include "core/text_safety.hpp"

#include <simdjson.h>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core/diagnostic.hpp"

namespace opguard {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Objects with more members than this use a hash index for the duplicate-key check.
constexpr size_t kLinearDupLimit = 16;

// The walk recurses once per nesting level, so JsonLimits::max_depth is capped here to
// keep the stack bounded (a few hundred bytes per level in optimised builds, ~8 KiB with
// AddressSanitizer) whatever a caller asks for.
constexpr size_t kDepthCeiling = 512;

// ---------------------------------------------------------------------------------------
// Small text helpers shared by the walk and the diagnostic scan.

bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_len(std::string_view s, size_t i) {
    auto b = [&](size_t k) -> unsigned { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0x100u; };
    unsigned c = b(i);
    if (c < 0x80) return 1;
    auto cont = [&](size_t k) { unsigned x = b(k); return x >= 0x80 && x <= 0xBF; };
    if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned c1 = b(i + 1);
        unsigned lo = (c == 0xE0) ? 0xA0 : 0x80, hi = (c == 0xED) ? 0x9F : 0xBF;
        if (c1 < lo || c1 > hi) return 0;
        return cont(i + 2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned c1 = b(i + 1);
        unsigned lo = (c == 0xF0) ? 0x90 : 0x80, hi = (c == 0xF4) ? 0x8F : 0xBF;
        if (c1 < lo || c1 > hi) return 0;
        return (cont(i + 2) && cont(i + 3)) ? 4 : 0;
    }
    return 0;
}

std::string hex_byte(unsigned char c) {
    static const char* digits = "0123456789ABCDEF";
    std::string s = "0x";
    s += digits[c >> 4];
    s += digits[c & 15];
    return s;
}

std::string u_plus(unsigned c) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", c);
    return buf;
}

// Describes what is at text[i] for "found X" in messages (assumes valid UTF-8 there).
std::string describe_at(std::string_view text, size_t i) {
    if (i >= text.size()) return "the end of the file";
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0) return "a NUL byte";
    if (c < 0x20 || c == 0x7F) return "control character " + u_plus(c);
    if (c < 0x80) return std::string("'") + static_cast<char>(c) + "'";
    size_t n = utf8_len(text, i);
    if (n == 0) return "invalid UTF-8 byte " + hex_byte(c);
    uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    return "'" + std::string(text.substr(i, n)) + "' (" + u_plus(cp) + ")";
}

// Length of a UTF-8 byte order mark at the start of `text` (0 or 3). A leading BOM is
// ignored, as RFC 8259 allows; offsets still count from the first byte of the file.
size_t bom_length(std::string_view text) {
    return text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
}

// A short quotation of a token for messages (at most 40 bytes, UTF-8 kept whole).
std::string quote_token(std::string_view tok) {
    std::string s;
    size_t n = tok.size() > 40 ? 40 : tok.size();
    while (n < tok.size() && n > 0 && (static_cast<unsigned char>(tok[n]) & 0xC0) == 0x80) --n;
    s = "'" + std::string(tok.substr(0, n)) + (n < tok.size() ? "...'" : "'");
    return s;
}

// Decimal exponent estimate of a grammatically valid JSON number: >= 0 means the
// magnitude is at least 1, so an out-of-range result is an overflow (not an underflow).
bool number_overflows(std::string_view tok) {
    double d = 0;
    auto res = std::from_chars(tok.data(), tok.data() + tok.size(), d, std::chars_format::general);
    if (res.ec == std::errc()) return false;  // from_chars never yields inf for finite input
    if (res.ec != std::errc::result_out_of_range) return true;
    // Out of range: decide overflow vs. underflow from the position of the first
    // significant digit and the exponent.
    size_t i = 0;
    if (i < tok.size() && tok[i] == '-') ++i;
    long long lead = 0;  // decimal exponent of the first significant digit, before 'e'
    bool seen_sig = false, in_frac = false;
    long long int_digits = 0, frac_zeros = 0;
    for (; i < tok.size() && tok[i] != 'e' && tok[i] != 'E'; ++i) {
        char c = tok[i];
        if (c == '.') { in_frac = true; continue; }
        if (!seen_sig) {
            if (c == '0') { if (in_frac) ++frac_zeros; continue; }
            seen_sig = true;
        }
        if (!in_frac) ++int_digits;
    }
    if (!seen_sig) return false;  // zero
    lead = int_digits > 0 ? int_digits - 1 : -(frac_zeros + 1);
    long long exp = 0;
    if (i < tok.size()) {
        ++i;
        bool neg = false;
        if (i < tok.size() && (tok[i] == '+' || tok[i] == '-')) neg = tok[i++] == '-';
        for (; i < tok.size(); ++i) {
            if (exp < 1'000'000'000) exp = exp * 10 + (tok[i] - '0');
        }
        if (neg) exp = -exp;
    }
    return lead + exp >= 0;
}

// Checks the JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool number_grammar_ok(std::string_view t) {
    size_t i = 0, n = t.size();
    auto digit = [&](size_t k) { return k < n && t[k] >= '0' && t[k] <= '9'; };
    if (i < n && t[i] == '-') ++i;
    if (!digit(i)) return false;
    if (t[i] == '0') ++i;
    else while (digit(i)) ++i;
    if (i < n && t[i] == '.') {
        ++i;
        if (!digit(i)) return false;
        while (digit(i)) ++i;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
        if (!digit(i)) return false;
        while (digit(i)) ++i;
    }
    return i == n;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// ---------------------------------------------------------------------------------------
// diagnose: a non-recursive JSON checker that reports the first error in document order.

struct Diagnosis {
    bool found = false;
    size_t offset = 0;
    std::string id;
    std::string message;
    std::string pointer;
};

class Diagnoser {
public:
    Diagnoser(std::string_view text, size_t max_depth) : t_(text), max_depth_(max_depth), p_(bom_length(text)) {}

    Diagnosis run() {
        try {
            scan();
        } catch (const Diagnosis& d) {
            return d;
        }
        return {};
    }

private:
    struct Frame {
        bool array = false;
        bool fresh = true;  // no element or member read yet
        size_t index = 0;
        std::string key;
        bool has_key = false;
    };

    [[noreturn]] void fail(size_t off, const char* id, std::string msg) {
        Diagnosis d;
        d.found = true;
        d.offset = off;
        d.id = id;
        d.message = std::move(msg);
        d.pointer = pointer();
        throw d;
    }

    std::string pointer() const {
        std::string p;
        for (const auto& f : stack_) {
            if (f.array) p += "/" + std::to_string(f.index);
            else if (f.has_key) p += "/" + pointer_token(f.key);
        }
        return p;
    }

    unsigned char at(size_t i) const { return i < t_.size() ? static_cast<unsigned char>(t_[i]) : 0; }
    bool eof(size_t i) const { return i >= t_.size(); }
    void skip_ws() { while (!eof(p_) && is_ws(at(p_))) ++p_; }

    // Fails with json.utf8 if the byte at i starts an invalid UTF-8 sequence.
    void require_utf8(size_t i) {
        if (!eof(i) && at(i) >= 0x80 && utf8_len(t_, i) == 0)
            fail(i, "json.utf8", "found invalid UTF-8 byte " + hex_byte(at(i)) + ": expected UTF-8 encoded text");
    }

    // "found X: expected Y" at i; X is the whole word when a word starts there.
    [[noreturn]] void unexpected(size_t i, const std::string& expected) {
        require_utf8(i);
        size_t e = i;
        while (!eof(e) && word_char(at(e))) ++e;
        std::string found = e - i > 1 ? quote_token(t_.substr(i, e - i)) : describe_at(t_, i);
        fail(i, "json.syntax", "found " + found + ": expected " + expected);
    }

    static bool word_char(unsigned char c) {
        return c > 0x20 && c < 0x7F && c != ',' && c != ':' && c != '[' && c != ']' && c != '{' && c != '}' &&
               c != '"';
    }

    // The scan is a loop over an explicit stack: no recursion, whatever the nesting.
    void scan() {
        if (auto wide = wide_text_encoding(t_))
            fail(0, "json.utf8", "found " + *wide + ": expected UTF-8 encoded JSON (convert the file to UTF-8)");
        size_t start = p_;
        skip_ws();
        if (eof(p_)) {
            if (t_.size() == start) fail(0, "json.syntax", "empty file: expected a JSON value");
            fail(t_.size(), "json.syntax", "the file contains only whitespace: expected a JSON value");
        }
        value();
        for (;;) {
            skip_ws();
            if (stack_.empty()) {
                if (!eof(p_)) unexpected(p_, "the end of the file after the JSON value");
                return;
            }
            Frame& f = stack_.back();
            bool fresh = f.fresh;
            f.fresh = false;
            unsigned char c = eof(p_) ? 0 : at(p_);
            bool end = !eof(p_);
            if (f.array) {
                if (end && c == ']') {
                    ++p_;
                    stack_.pop_back();
                } else if (fresh) {
                    value();
                } else if (end && c == ',') {
                    ++p_;
                    ++f.index;
                    skip_ws();
                    value();
                } else {
                    unexpected(p_, "',' or ']' in an array");
                }
            } else {
                if (end && c == '}') {
                    ++p_;
                    stack_.pop_back();
                } else if (fresh) {
                    if (!end || c != '"') unexpected(p_, "a string key or '}' in an object");
                    member();
                } else if (end && c == ',') {
                    ++p_;
                    member();
                } else {
                    unexpected(p_, "',' or '}' in an object");
                }
            }
        }
    }

    // Object member: key, ':', value (a container value is only opened, see value()).
    void member() {
        stack_.back().has_key = false;
        skip_ws();
        if (eof(p_) || at(p_) != '"') unexpected(p_, "a string key in an object");
        std::string key;
        string(&key);
        stack_.back().key = std::move(key);
        stack_.back().has_key = true;
        skip_ws();
        if (eof(p_) || at(p_) != ':') unexpected(p_, "':' after the object key");
        ++p_;
        skip_ws();
        value();
    }

    void open(bool array) {
        if (stack_.size() + 1 > max_depth_)
            fail(p_, "json.depth",
                 "found an " + std::string(array ? "array" : "object") + " nested " +
                     std::to_string(stack_.size() + 1) + " levels deep: expected at most " +
                     std::to_string(max_depth_) + " levels of nesting");
        Frame f;
        f.array = array;
        stack_.push_back(std::move(f));
        ++p_;
    }

    // A value at p_ (whitespace already skipped). A container is pushed and left open for
    // the main loop; a scalar is read whole.
    void value() {
        if (eof(p_)) unexpected(p_, "a JSON value");
        unsigned char c = at(p_);
        if (c == '{') return open(false);
        if (c == '[') return open(true);
        if (c == '"') return string(nullptr);
        if (!word_char(c)) unexpected(p_, "a JSON value");
        size_t s = p_;
        while (!eof(p_) && word_char(at(p_))) ++p_;
        std::string_view w = t_.substr(s, p_ - s);
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
            if (!number_grammar_ok(w))
                fail(s, "json.number", "found malformed number " + quote_token(w) +
                                           ": expected a JSON number such as 12, -0.5 or 1e10");
            if (number_overflows(w))
                fail(s, "json.number",
                     "found number " + quote_token(w) + ", which is too large for a double: expected a magnitude below 1.8e308");
            return;
        }
        if (w == "true" || w == "false" || w == "null") return;
        fail(s, "json.syntax", "found " + quote_token(w) + ": expected a JSON value (object, array, string, number, true, false or null)");
    }

    static int hex(unsigned char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // Reads 4 hex digits after "\u" at i (i points at 'u'); -1 when malformed.
    long u4(size_t i) const {
        long v = 0;
        for (size_t k = 1; k <= 4; ++k) {
            if (eof(i + k)) return -1;
            int h = hex(at(i + k));
            if (h < 0) return -1;
            v = v * 16 + h;
        }
        return v;
    }

    // A string starting at p_ (the opening quote); decodes into *out when given.
    void string(std::string* out) {
        size_t open_at = p_;
        ++p_;
        for (;;) {
            if (eof(p_))
                fail(open_at, "json.syntax",
                     "found a string that is never closed: expected a closing '\"' before the end of the file");
            unsigned char c = at(p_);
            if (c == '"') { ++p_; return; }
            if (c == '\\') {
                size_t esc = p_;
                unsigned char e = at(p_ + 1);
                if (eof(p_ + 1))
                    fail(open_at, "json.syntax",
                         "found a string that is never closed: expected a closing '\"' before the end of the file");
                const char* simple = nullptr;
                switch (e) {
                    case '"': simple = "\""; break;
                    case '\\': simple = "\\"; break;
                    case '/': simple = "/"; break;
                    case 'b': simple = "\b"; break;
                    case 'f': simple = "\f"; break;
                    case 'n': simple = "\n"; break;
                    case 'r': simple = "\r"; break;
                    case 't': simple = "\t"; break;
                    default: break;
                }
                if (simple) {
                    if (out) *out += simple;
                    p_ += 2;
                    continue;
                }
                if (e != 'u') {
                    require_utf8(p_ + 1);
                    std::string found = (e > 0x20 && e < 0x7F)
                                            ? "invalid escape '\\" + std::string(1, static_cast<char>(e)) + "'"
                                            : "a backslash followed by " + describe_at(t_, p_ + 1);
                    fail(esc, "json.syntax",
                         "found " + found +
                             " in a string: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
                }
                long cp = u4(p_ + 1);
                if (cp < 0)
                    fail(esc, "json.syntax", "found a malformed \\u escape in a string: expected \\u followed by 4 hex digits");
                p_ += 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    long lo = (at(p_) == '\\' && at(p_ + 1) == 'u') ? u4(p_ + 1) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        fail(esc, "json.syntax",
                             "found an unpaired high surrogate \\u" + std::string(t_.substr(esc + 2, 4)) +
                                 " in a string: expected it followed by a \\uDC00-\\uDFFF low surrogate");
                    p_ += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail(esc, "json.syntax",
                         "found an unpaired low surrogate \\u" + std::string(t_.substr(esc + 2, 4)) +
                             " in a string: expected it preceded by a \\uD800-\\uDBFF high surrogate");
                }
                if (out) append_utf8(*out, static_cast<uint32_t>(cp));
                continue;
            }
            if (c < 0x20) {
                fail(p_, "json.syntax",
                     std::string("found ") + (c == 0 ? "a raw NUL byte" : "unescaped control character " + u_plus(c)) +
                         " in a string: expected control characters to be escaped (e.g. \\u" +
                         (c == 0 ? std::string("0000") : u_plus(c).substr(2)) + ")");
            }
            if (c >= 0x80) {
                size_t n = utf8_len(t_, p_);
                if (n == 0) require_utf8(p_);
                if (out) out->append(t_.substr(p_, n));
                p_ += n;
                continue;
            }
            if (out) *out += static_cast<char>(c);
            ++p_;
        }
    }

    std::string_view t_;
    size_t max_depth_;
    size_t p_;
    std::vector<Frame> stack_;
};

// ---------------------------------------------------------------------------------------
// The On Demand walk.

// The Projection compiled for fast lookups. A null child pointer means "keep everything".
struct Plan {
    struct Node_ {
        bool elements = false;                // has a "[]" child
        const Node_* element_plan = nullptr;  // its plan (nullptr: keep whole elements)
        bool eager_only = false;              // an element of a lazy list: build only `eager` keys
        bool keep_rest = false;               // keys not in `keys` are kept whole
        std::set<std::string, std::less<>>* keys_seen = nullptr;  // Projection::keys_seen
        std::vector<std::string_view> eager;
        std::vector<std::pair<std::string_view, const Node_*>> keys;
        std::unordered_map<std::string_view, const Node_*> index;  // used when keys is large
        // What was decided for the key at each member position of the objects read so far:
        // the objects of one list nearly always have the same keys in the same order, so the
        // next object's key at that position is compared once with the remembered one
        // instead of being looked up in `keys`, `eager` and `keys_seen` again.
        struct Seen {
            Key key;  // interned: the members built at this position share it
            bool known = false;  // a decision is stored (an empty key is a key too)
            bool projected = false;
            bool eager = false;
            const Node_* child = nullptr;
        };
        mutable std::vector<Seen> seen_at;  // at most kSeenPositions entries
        // The keys at positions below `verified` passed the duplicate check together in one
        // object (each key against those before it): an object with these same keys there
        // needs no check up to that position. A changed entry of seen_at lowers it.
        mutable size_t verified = 0;

        bool is_eager(std::string_view key) const {
            for (const auto& k : eager)
                if (k == key) return true;
            return false;
        }

        // True when `key` is projected; *child is its plan (nullptr: keep the whole value).
        bool find(std::string_view key, const Node_** child) const {
            if (!index.empty()) {
                auto it = index.find(key);
                if (it == index.end()) return false;
                *child = it->second;
                return true;
            }
            for (const auto& [k, c] : keys) {
                if (k.size() == key.size() && std::memcmp(k.data(), key.data(), key.size()) == 0) {
                    *child = c;
                    return true;
                }
            }
            return false;
        }
    };
    std::vector<std::unique_ptr<Node_>> nodes;
    const Node_* root = nullptr;  // set by users that keep a compiled plan

    // Compiles `p` (not `all`); the Projection must outlive the plan (keys are views).
    // `whole_root`: the root is read whole even if it is marked lazy (read_json_element).
    const Node_* compile(const Projection& p, bool whole_root = false) {
        nodes.push_back(std::make_unique<Node_>());
        Node_* n = nodes.back().get();
        if (p.lazy && !whole_root) {
            n->eager_only = true;
            n->eager.assign(p.eager.begin(), p.eager.end());
        }
        n->keep_rest = p.rest;
        if (!whole_root) n->keys_seen = p.keys_seen;
        for (const auto& [key, child] : p.children) {
            const Node_* c = child.all ? nullptr : compile(child);
            if (key == "[]") {
                n->elements = true;
                n->element_plan = c;
            } else {
                n->keys.emplace_back(key, c);
            }
        }
        if (n->keys.size() > 8)
            for (const auto& [k, c] : n->keys) n->index.emplace(k, c);
        return n;
    }
};
using PlanNode = Plan::Node_;
constexpr size_t kSeenPositions = 256;  // member positions whose key decisions PlanNode::seen_at keeps

struct PathSeg {
    std::string_view key;  // points into the input or simdjson's string buffer
    size_t index = 0;
    bool array = false;
};

// Per-depth scratch for the duplicate-key check, reused across objects.
struct KeyScratch {
    std::vector<std::string_view> keys;  // views into the input or simdjson's string buffer
    std::vector<uint32_t> offsets;       // byte offset of each key's opening quote
    std::unordered_map<std::string_view, uint32_t> index;  // key -> position in keys
    bool hashed = false;
    void clear() {
        keys.clear();
        offsets.clear();
        if (hashed) { index.clear(); hashed = false; }
    }
};

class Reader {
public:
    // `text` starts at byte `bias` of the file (0 unless one element is read on its own).
    Reader(const SourceFile& file, uint32_t file_id, std::string_view text, const char* base,
           const JsonLimits& limits, uint32_t bias = 0)
        : file_(file),
          file_id_(file_id),
          text_(text),
          base_(base),
          bias_(bias),
          limits_(limits),
          max_depth_(limits.max_depth < kDepthCeiling ? limits.max_depth : kDepthCeiling) {}

    size_t max_depth() const { return max_depth_; }
    Node read_root(od::document& doc, const PlanNode* plan, size_t start);
    void collect_spans(std::vector<ElementSpan>* spans) { spans_ = spans; }
    void reserve_root_members(size_t spare) { root_spare_ = spare; }
    // Bytes already checked (an element read again): skipped values are left to simdjson.
    void skipped_checked() { check_skipped_ = false; }

    [[noreturn, gnu::cold, gnu::noinline]] void fail_simdjson(error_code e, size_t hint_offset);
    [[noreturn, gnu::cold, gnu::noinline]] void fail_at(size_t offset, const char* id, const std::string& message);

private:
    uint32_t off(const char* p) const { return static_cast<uint32_t>(p - base_) + bias_; }
    Origin origin(uint32_t o) const { return Origin{file_id_, o}; }

    void count_value(uint32_t o) {
        if (++count_ > limits_.max_elements) too_many_values(o);
    }
    void check_depth(size_t depth, uint32_t o, bool array) {
        if (depth > max_depth_) too_deep(depth, o, array);
    }
    [[noreturn, gnu::cold, gnu::noinline]] void too_many_values(uint32_t o) {
        fail_at(o, "json.too-many-values",
                "found more than " + std::to_string(limits_.max_elements) +
                    " values in this file: expected at most " + std::to_string(limits_.max_elements));
    }
    [[noreturn, gnu::cold, gnu::noinline]] void too_deep(size_t depth, uint32_t o, bool array) {
        fail_at(o, "json.depth",
                "found an " + std::string(array ? "array" : "object") + " nested " + std::to_string(depth) +
                    " levels deep: expected at most " + std::to_string(max_depth_) + " levels of nesting");
    }

    // The walk recurses once per nesting level (value -> object/array -> value), at most
    // max_depth_ deep; the functions are kept out of line so each level's frame stays small.
    Node value(od::value& v, const PlanNode* p, size_t depth);
    [[gnu::noinline]] Node object(od::value& v, const PlanNode* p, size_t depth, uint32_t o);
    [[gnu::noinline]] Node array(od::value& v, const PlanNode* p, size_t depth, uint32_t o);
    [[gnu::noinline]] Node scalar(od::value& v, od::json_type type, uint32_t o);
    Node string(od::value& v, uint32_t o);
    // A value nothing reads: walked only to check it (see the file's header), `depth` as
    // for value().
    [[gnu::noinline]] void check(od::value& v, size_t depth);
    void check_elements(od::value& v, size_t depth, uint32_t o);
    std::string_view key(od::field& f, uint32_t ko);
    KeyScratch& scratch(size_t depth) {
        while (scratch_.size() <= depth) scratch_.push_back(std::make_unique<KeyScratch>());
        return *scratch_[depth];
    }
    void check_duplicate(KeyScratch& ks, std::string_view key, uint32_t key_off);

    std::string pointer() const {
        std::string p;
        for (const auto& s : path_) {
            if (s.array) p += "/" + std::to_string(s.index);
            else p += "/" + pointer_token(s.key);
        }
        return p;
    }

    const SourceFile& file_;
    uint32_t file_id_;
    std::string_view text_;
    const char* base_;
    uint32_t bias_;
    const JsonLimits& limits_;
    size_t max_depth_;  // limits_.max_depth, capped at kDepthCeiling
    size_t count_ = 0;
    std::vector<PathSeg> path_;
    std::vector<std::unique_ptr<KeyScratch>> scratch_;
    // Children of the containers being built, innermost last; a finished container moves
    // its top segment into an exactly sized vector (no regrowth per container).
    std::vector<Node::Member> member_stack_;
    std::vector<Node> item_stack_;
    // False while walking a value that is checked but not built (a key outside a lazy
    // element's eager keys): the walk then returns null Nodes and allocates nothing.
    bool build_ = true;
    od::document* doc_ = nullptr;                 // for the position after a lazy element
    std::vector<ElementSpan>* spans_ = nullptr;   // where lazy elements' spans go
    size_t root_spare_ = 0;                       // reserve_root_members
    bool check_skipped_ = true;                   // skipped_checked
};

InputError make_error(const SourceFile& file, size_t offset, const std::string& id, const std::string& message,
                      const std::string& pointer) {
    Position pos = file.position(static_cast<uint32_t>(offset));
    // What the message quotes of the input may be a secret, or part of one, when the error
    // is inside or beside a secret value: then it quotes nothing (core/redact.hpp).
    if (excerpt_near_secret(pointer, file.text(), offset)) return InputError(file.path(), pos, id, hide_found_excerpt(message), pointer);
    return InputError(file.path(), pos, id, message, pointer);
}

void Reader::fail_at(size_t offset, const char* id, const std::string& message) {
    throw make_error(file_, offset, id, message, pointer());
}

// simdjson reported an error: find the first error in the text with the diagnostic scan;
// should the scan find none (simdjson stricter than the scan), report simdjson's own
// message at the best position known.
void Reader::fail_simdjson(error_code e, size_t hint_offset) {
    if (e == simdjson::MEMALLOC) throw std::bad_alloc();
    Diagnosis d = Diagnoser(text_, max_depth_).run();
    if (d.found) throw make_error(file_, d.offset + bias_, d.id, d.message, d.pointer);
    std::string msg = std::string("found malformed JSON (") + simdjson::error_message(e) + "): expected valid JSON";
    const char* id = (e == simdjson::NUMBER_ERROR || e == simdjson::NUMBER_OUT_OF_RANGE) ? "json.number"
                     : e == simdjson::UTF8_ERROR                                           ? "json.utf8"
                                                                                           : "json.syntax";
    if (hint_offset > bias_ + text_.size()) hint_offset = bias_ + text_.size();
    throw make_error(file_, hint_offset, id, msg, pointer());
}

void Reader::check_duplicate(KeyScratch& ks, std::string_view key, uint32_t key_off) {
    size_t found = SIZE_MAX;
    if (ks.hashed) {
        auto [it, inserted] = ks.index.emplace(key, static_cast<uint32_t>(ks.keys.size()));
        if (!inserted) found = it->second;
    } else {
        for (size_t i = 0; i < ks.keys.size(); ++i)
            if (ks.keys[i] == key) { found = i; break; }
        if (found == SIZE_MAX && ks.keys.size() >= kLinearDupLimit) {
            ks.index.reserve(ks.keys.size() * 2);
            for (size_t i = 0; i < ks.keys.size(); ++i) ks.index.emplace(ks.keys[i], static_cast<uint32_t>(i));
            ks.index.emplace(key, static_cast<uint32_t>(ks.keys.size()));
            ks.hashed = true;
        }
    }
    if (found != SIZE_MAX) {
        Position first = file_.position(ks.offsets[found]);
        std::string k;
        append_json_string(k, key);
        fail_at(key_off, "json.duplicate-key",
                "found key " + k + " a second time in this object (first at line " + std::to_string(first.line) +
                    ":" + std::to_string(first.column) + "): expected each key at most once");
    }
    ks.keys.push_back(key);
    ks.offsets.push_back(key_off);
}

// The key of a field. A key without escapes is used in place (a view into the input);
// only keys with a backslash are unescaped by simdjson.
std::string_view Reader::key(od::field& f, uint32_t ko) {
    const char* k = f.key().raw();
    const char* q = k;
    if constexpr (std::endian::native == std::endian::little) {
        // SWAR: find the first '"' or '\\' 8 bytes at a time. The key is a closed string
        // (simdjson's stage 1 checked that) and the buffer has SIMDJSON_PADDING bytes after
        // the text, so the 8-byte reads stay in bounds. The lowest flagged byte is always a
        // true match (false positives can only appear above it).
        constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        for (;;) {
            uint64_t w;
            std::memcpy(&w, q, 8);
            uint64_t xq = w ^ (ones * '"'), xb = w ^ (ones * '\\');
            uint64_t hit = ((xq - ones) & ~xq & highs) | ((xb - ones) & ~xb & highs);
            if (hit) {
                q += __builtin_ctzll(hit) / 8;
                break;
            }
            q += 8;
        }
    } else {
        while (*q != '"' && *q != '\\') ++q;
    }
    if (*q == '"') return std::string_view(k, static_cast<size_t>(q - k));
    std::string_view key;
    if (auto e = f.unescaped_key().get(key)) fail_simdjson(e, ko);
    return key;
}

// A string value. Without escapes it is copied straight from the input.
Node Reader::string(od::value& v, uint32_t o) {
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && is_ws(static_cast<unsigned char>(tok.back()))) tok.remove_suffix(1);
    if (tok.size() >= 2 && tok.back() == '"') {
        std::string_view body = tok.substr(1, tok.size() - 2);
        if (std::memchr(body.data(), '\\', body.size()) == nullptr) {
            od::raw_json_string raw;  // consumes the value and checks that it is a string
            if (auto e = v.get_raw_json_string().get(raw)) fail_simdjson(e, o);
            return build_ ? Node::string(std::string(body), origin(o)) : Node();
        }
    }
    std::string_view s;
    if (auto e = v.get_string().get(s)) fail_simdjson(e, o);  // checks the escapes
    return build_ ? Node::string(std::string(s), origin(o)) : Node();
}

Node Reader::value(od::value& v, const PlanNode* p, size_t depth) {
    uint32_t o = off(v.raw_json_token().data());
    od::json_type type;
    if (auto e = v.type().get(type)) fail_simdjson(e, o);
    if (type == od::json_type::object) return object(v, p, depth + 1, o);
    if (type == od::json_type::array) return array(v, p, depth + 1, o);
    return scalar(v, type, o);
}

Node Reader::scalar(od::value& v, od::json_type type, uint32_t o) {
    switch (type) {
        case od::json_type::object:
        case od::json_type::array: break;
        case od::json_type::string: count_value(o); return string(v, o);
        case od::json_type::number: {
            count_value(o);
            double d;
            if (auto e = v.get_double().get(d)) fail_simdjson(e, o);
            return Node::number(d, origin(o));
        }
        case od::json_type::boolean: {
            count_value(o);
            bool b;
            if (auto e = v.get_bool().get(b)) fail_simdjson(e, o);
            return Node::boolean(b, origin(o));
        }
        case od::json_type::null: {
            count_value(o);
            bool is_null = false;
            if (auto e = v.is_null().get(is_null)) fail_simdjson(e, o);
            if (!is_null) fail_simdjson(simdjson::INCORRECT_TYPE, o);
            return Node::null(origin(o));
        }
    }
    fail_simdjson(simdjson::TAPE_ERROR, o);
}

Node Reader::object(od::value& v, const PlanNode* p, size_t depth, uint32_t o) {
    check_depth(depth, o, false);
    count_value(o);
    od::object obj;
    if (auto e = v.get_object().get(obj)) fail_simdjson(e, o);
    size_t base = member_stack_.size();
    KeyScratch& ks = scratch(depth);
    ks.clear();
    path_.push_back(PathSeg{});
    // An element of a lazy list builds its eager keys and only checks the others.
    const bool eager_only = build_ && p && p->eager_only;
    size_t position = 0;
    for (auto fr : obj) {
        od::field f;
        if (auto e = std::move(fr).get(f)) fail_simdjson(e, o);
        uint32_t ko = off(f.key().raw()) - 1;
        std::string_view k = key(f, ko);
        path_.back().key = k;
        const PlanNode* cp = nullptr;
        bool projected = true, eager = true, known_unique = false;
        PlanNode::Seen* seen = nullptr;
        if (p) {
            // The same key at this position as in an earlier object: the same decisions.
            // Positions past kSeenPositions are decided each time (a hostile object with
            // millions of keys does not grow the memo).
            if (position < kSeenPositions) {
                if (position >= p->seen_at.size()) p->seen_at.resize(position + 1);
                seen = &p->seen_at[position];
            }
            if (seen && seen->known && seen->key == k) {
                projected = seen->projected;
                eager = seen->eager;
                cp = seen->child;
                known_unique = position < p->verified;
            } else {
                if (p->keys_seen && p->keys_seen->find(k) == p->keys_seen->end()) p->keys_seen->emplace(k);
                projected = p->find(k, &cp) || p->keep_rest;
                eager = p->is_eager(k);
                if (seen) {
                    seen->key = Key(k);
                    seen->known = true;
                    seen->projected = projected;
                    seen->eager = eager;
                    seen->child = cp;
                    if (p->verified > position) p->verified = position;
                }
            }
        }
        // Past this position without a duplicate: the keys of seen_at up to here are this
        // object's (each position either matched or was rewritten above).
        auto passed = [&] {
            if (seen && p->verified == position) p->verified = position + 1;
            ++position;
        };
        if (!projected) {
            passed();
            if (check_skipped_) check(f.value(), depth);
            continue;  // (else simdjson skips the value when the iteration moves on)
        }
        if (known_unique) {
            // This object's keys so far are those of an object that passed the check.
            if (ks.hashed) ks.index.emplace(k, static_cast<uint32_t>(ks.keys.size()));
            ks.keys.push_back(k);
            ks.offsets.push_back(ko);
        } else {
            check_duplicate(ks, k, ko);
        }
        passed();
        if (!build_ || (eager_only && !eager)) {
            const bool was = build_;
            build_ = false;
            value(f.value(), cp, depth);
            build_ = was;
            continue;
        }
        Node child = value(f.value(), cp, depth);
        // seen->key is k by now (matched, or stored above).
        member_stack_.emplace_back(seen ? seen->key : Key(k), std::move(child));
    }
    path_.pop_back();
    ks.clear();
    if (!build_) return Node();
    // The root object of an element read again gets room for the members its builder adds
    // (root_spare_), so that adding them does not move every member to a larger vector.
    std::vector<Node::Member> members;
    members.reserve(member_stack_.size() - base + (depth == 1 ? root_spare_ : 0));
    members.insert(members.end(), std::make_move_iterator(member_stack_.begin() + static_cast<ptrdiff_t>(base)),
                   std::make_move_iterator(member_stack_.end()));
    member_stack_.erase(member_stack_.begin() + static_cast<ptrdiff_t>(base), member_stack_.end());
    return Node::object(std::move(members), origin(o));
}

void Reader::check(od::value& v, size_t depth) {
    const uint32_t o = off(v.raw_json_token().data());
    od::json_type type;
    if (auto e = v.type().get(type)) fail_simdjson(e, o);
    if (type == od::json_type::object) {
        check_depth(depth + 1, o, false);  // (it bounds this recursion too; the value budget counts built values only)
        od::object obj;
        if (auto e = v.get_object().get(obj)) fail_simdjson(e, o);
        for (auto fr : obj) {
            od::field f;
            if (auto e = std::move(fr).get(f)) fail_simdjson(e, o);
            key(f, off(f.key().raw()) - 1);  // its escapes
            check(f.value(), depth + 1);
        }
        return;
    }
    if (type == od::json_type::array) {
        check_depth(depth + 1, o, true);
        check_elements(v, depth + 1, o);
        return;
    }
    switch (type) {
        case od::json_type::string: {
            const bool was = build_;
            build_ = false;
            string(v, o);  // its escapes
            build_ = was;
            return;
        }
        case od::json_type::number: {
            double d;
            if (auto e = v.get_double().get(d)) fail_simdjson(e, o);
            return;
        }
        case od::json_type::boolean: {
            bool b;
            if (auto e = v.get_bool().get(b)) fail_simdjson(e, o);
            return;
        }
        case od::json_type::null: {
            bool is_null = false;
            if (auto e = v.is_null().get(is_null)) fail_simdjson(e, o);
            if (!is_null) fail_simdjson(simdjson::INCORRECT_TYPE, o);
            return;
        }
        default: fail_simdjson(simdjson::TAPE_ERROR, o);
    }
}

void Reader::check_elements(od::value& v, size_t depth, uint32_t o) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) fail_simdjson(e, o);
    for (auto er : arr) {
        od::value ev;
        if (auto e = std::move(er).get(ev)) fail_simdjson(e, o);
        check(ev, depth);
    }
}

Node Reader::array(od::value& v, const PlanNode* p, size_t depth, uint32_t o) {
    check_depth(depth, o, true);
    count_value(o);
    const PlanNode* ep = nullptr;
    if (p) {
        if (!p->elements) {
            // Elements are not wanted: checked, not built.
            if (check_skipped_) check_elements(v, depth, o);
            return build_ ? Node::array({}, origin(o)) : Node();
        }
        ep = p->element_plan;
    }
    od::array arr;
    if (auto e = v.get_array().get(arr)) fail_simdjson(e, o);
    size_t base = item_stack_.size();
    path_.push_back(PathSeg{{}, 0, true});
    const bool lazy = build_ && ep && ep->eager_only;
    for (auto er : arr) {
        od::value ev;
        if (auto e = std::move(er).get(ev)) fail_simdjson(e, o);
        Node child = value(ev, ep, depth);
        if (lazy && spans_) {
            // The element is consumed: the document now stands at the ',' or ']' after it.
            const char* after = nullptr;
            if (auto e = doc_->current_location().get(after)) fail_simdjson(e, o);
            spans_->push_back(ElementSpan{child.origin.offset, off(after)});
        }
        if (build_) item_stack_.push_back(std::move(child));
        ++path_.back().index;
    }
    path_.pop_back();
    if (!build_) return Node();
    std::vector<Node> items(std::make_move_iterator(item_stack_.begin() + static_cast<ptrdiff_t>(base)),
                            std::make_move_iterator(item_stack_.end()));
    item_stack_.erase(item_stack_.begin() + static_cast<ptrdiff_t>(base), item_stack_.end());
    return Node::array(std::move(items), origin(o));
}

Node Reader::read_root(od::document& doc, const PlanNode* p, size_t start) {
    doc_ = &doc;
    while (start < text_.size() && is_ws(static_cast<unsigned char>(text_[start]))) ++start;
    uint32_t o = static_cast<uint32_t>(start) + bias_;

    od::json_type type;
    if (auto e = doc.type().get(type)) fail_simdjson(e, o);
    Node result;
    switch (type) {
        case od::json_type::object:
        case od::json_type::array: {
            od::value v;
            if (auto e = doc.get_value().get(v)) fail_simdjson(e, o);
            if (type == od::json_type::array && p && !p->elements) {
                // Root array without a "[]" projection: still consume it so that what follows
                // it can be checked.
                check_depth(1, o, true);
                count_value(o);
                od::array arr;
                if (auto e = v.get_array().get(arr)) fail_simdjson(e, o);
                for (auto er : arr)
                    if (auto e = er.error()) fail_simdjson(e, o);
                result = Node::array({}, origin(o));
            } else {
                result = value(v, p, 0);
            }
            break;
        }
        case od::json_type::string: {
            count_value(o);
            std::string_view s;
            if (auto e = doc.get_string().get(s)) fail_simdjson(e, o);
            result = Node::string(std::string(s), origin(o));
            break;
        }
        case od::json_type::number: {
            count_value(o);
            double d;
            if (auto e = doc.get_double().get(d)) fail_simdjson(e, o);
            result = Node::number(d, origin(o));
            break;
        }
        case od::json_type::boolean: {
            count_value(o);
            bool b;
            if (auto e = doc.get_bool().get(b)) fail_simdjson(e, o);
            result = Node::boolean(b, origin(o));
            break;
        }
        case od::json_type::null: {
            count_value(o);
            bool is_null = false;
            if (auto e = doc.is_null().get(is_null)) fail_simdjson(e, o);
            if (!is_null) {
                // simdjson 3.0 answers false for a whole document "null" followed by whitespace
                // ("null\n"): the text decides, and only whitespace may follow.
                if (text_.compare(start, 4, "null") != 0) fail_simdjson(simdjson::INCORRECT_TYPE, o);
                size_t k = start + 4;
                while (k < text_.size() && is_ws(static_cast<unsigned char>(text_[k]))) ++k;
                if (k != text_.size()) fail_simdjson(simdjson::TRAILING_CONTENT, static_cast<uint32_t>(k) + bias_);
                return Node::null(origin(o));
            }
            result = Node::null(origin(o));
            break;
        }
    }
    // Anything after the root value is an error.
    auto loc = doc.current_location();
    if (!loc.error()) fail_simdjson(simdjson::TRAILING_CONTENT, off(loc.value_unsafe()));
    return result;
}

// A padded copy of the input for simdjson. Large copies are mapped directly and, on Linux,
// asked to use transparent huge pages: faulting in a 250 MB buffer page by page costs
// about as much as the parse itself.
class PaddedCopy {
public:
    PaddedCopy() = default;
    PaddedCopy(const PaddedCopy&) = delete;
    PaddedCopy& operator=(const PaddedCopy&) = delete;
    ~PaddedCopy() { release(); }

    void assign(std::string_view text) {
        release();
        size_t need = text.size() + simdjson::SIMDJSON_PADDING;
#if defined(__linux__)
        if (need >= kMapThreshold) {
            size_t len = (need + kHuge - 1) / kHuge * kHuge;
            void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p != MAP_FAILED) {
#if defined(MADV_HUGEPAGE)
                ::madvise(p, len, MADV_HUGEPAGE);  // a hint; failure is harmless
#endif
                data_ = static_cast<char*>(p);
                cap_ = len;
                mapped_ = true;
            }
        }
#endif
        if (!data_) {
            data_ = new char[need];
            cap_ = need;
        }
        std::memcpy(data_, text.data(), text.size());
        std::memset(data_ + text.size(), 0, simdjson::SIMDJSON_PADDING);
    }
    const char* data() const { return data_; }
    size_t capacity() const { return cap_; }

private:
    static constexpr size_t kHuge = size_t(2) << 20;
    static constexpr size_t kMapThreshold = size_t(8) << 20;
    void release() {
        if (!data_) return;
#if defined(__linux__)
        if (mapped_) ::munmap(data_, cap_);
        else
#endif
            delete[] data_;
        data_ = nullptr;
        cap_ = 0;
        mapped_ = false;
    }
    char* data_ = nullptr;
    size_t cap_ = 0;
    bool mapped_ = false;
};

}  // namespace

constexpr size_t kKeptParserBytes = size_t{1} << 20;

// What FileReader and ElementReader keep between reads: one simdjson parser, grown as needed,
// and each projection compiled once.
struct ReadState {
    od::parser parser;
    std::map<const Projection*, std::unique_ptr<Plan>> plans;

    // `keep` compiled (whole_root: see Plan::compile); nullptr when it keeps everything.
    const PlanNode* plan_for(const Projection& keep, bool whole_root) {
        if (keep.all) return nullptr;
        auto& plan = plans[&keep];
        if (!plan) {
            plan = std::make_unique<Plan>();
            plan->root = plan->compile(keep, whole_root);
        }
        return plan->root;
    }
    // The parser, with room for `len` bytes of text and the reader's depth. max_depth only
    // matters to simdjson's development checks; the walk enforces the limit itself and never
    // descends further than max_depth (the offending bracket is not entered).
    od::parser& parser_for(Reader& reader, size_t len, size_t at) {
        const size_t need = len < 64 ? 64 : len;
        if (parser.capacity() < need || parser.max_depth() < reader.max_depth() + 2) {
            if (auto e = parser.allocate(std::max(need, parser.capacity()), std::max(parser.max_depth(), reader.max_depth() + 2))) {
                if (e == simdjson::MEMALLOC) throw std::bad_alloc();
                reader.fail_simdjson(e, at);
            }
        }
        return parser;
    }
};

struct FileReader::Impl : ReadState {};

FileReader::FileReader() : impl_(std::make_unique<Impl>()) {}
FileReader::~FileReader() = default;

Node FileReader::read(const SourceRegistry& sources, uint32_t file_id, const Projection* keep, const JsonLimits& limits,
                      std::vector<ElementSpan>* spans) {
    const SourceFile& file = sources.file(file_id);
    const std::string_view text = file.text();
    if (text.size() >= 0xFFFFFFF0u)
        throw InputError(file.path(), {}, "json.too-large",
                         "found a file of " + std::to_string(text.size()) + " bytes: expected less than 4 GiB");

    const PlanNode* root_plan = keep ? impl_->plan_for(*keep, /*whole_root=*/false) : nullptr;

    // simdjson reads up to SIMDJSON_PADDING bytes past the end: use the file's own padding
    // (a mapping's zero page, a string's spare capacity) when it has enough, otherwise copy
    // into a padded buffer.
    PaddedCopy padded;
    const char* buf = text.data();
    size_t cap = text.size() + file.padding();
    if (cap < text.size() + simdjson::SIMDJSON_PADDING) {
        padded.assign(text);
        buf = padded.data();
        cap = padded.capacity();
    }
    std::string_view view(buf, text.size());

    Reader reader(file, file_id, view, buf, limits);
    reader.collect_spans(spans);
    od::parser& parser = impl_->parser_for(reader, text.size(), 0);
    // A raw NUL byte is an error wherever it is, even inside a value the projection skips
    // (simdjson would skip it there); memchr over the text costs a few percent at most.
    if (std::memchr(buf, 0, text.size()) != nullptr) reader.fail_simdjson(simdjson::TAPE_ERROR, 0);
    size_t bom = bom_length(view);
    od::document doc;
    if (auto e = parser.iterate(buf + bom, text.size() - bom, cap - bom).get(doc)) reader.fail_simdjson(e, 0);
    Node root = reader.read_root(doc, root_plan, bom);
    // The parser's buffers grow with the file (several bytes per byte read): those of a large
    // file are not kept while the next files' values are built.
    if (parser.capacity() > kKeptParserBytes) parser = od::parser{};
    return root;
}

Node read_json(const SourceRegistry& sources, uint32_t file_id, const Projection* keep, const JsonLimits& limits,
               std::vector<ElementSpan>* spans) {
    return FileReader().read(sources, file_id, keep, limits, spans);
}

struct ElementReader::Impl : ReadState {
    std::vector<char> buffer;  // one element plus padding
};

ElementReader::ElementReader() : impl_(std::make_unique<Impl>()) {}
ElementReader::~ElementReader() = default;

Node ElementReader::read(const SourceRegistry& sources, uint32_t file_id, ElementSpan span, const Projection& keep,
                         const JsonLimits& limits, size_t spare_members) {
    const SourceFile& file = sources.file(file_id);
    const size_t len = span.end - span.start;
    if (span.start > span.end || span.end > file.size())
        throw InputError(file.path(), {}, "input.internal", "an inventory object's bytes are no longer available");
    const PlanNode* root_plan = impl_->plan_for(keep, /*whole_root=*/true);
    // The element's bytes are copied out (pread for a mapped file) rather than read in the
    // mapping: the mapping's pages were handed back after loading, and reading objects
    // scattered over the file through it would map most of the file again.
    std::vector<char>& buf = impl_->buffer;
    if (buf.size() < len + simdjson::SIMDJSON_PADDING) buf.resize(len + simdjson::SIMDJSON_PADDING);
    if (!file.copy_out(span.start, len, buf.data()))
        throw InputError(file.path(), {}, "input.unreadable", "cannot read an inventory object's bytes again");
    std::memset(buf.data() + len, 0, simdjson::SIMDJSON_PADDING);
    Reader reader(file, file_id, std::string_view(buf.data(), len), buf.data(), limits, span.start);
    reader.reserve_root_members(spare_members);
    reader.skipped_checked();
    od::parser& parser = impl_->parser_for(reader, len, span.start);
    od::document doc;
    if (auto e = parser.iterate(buf.data(), len, buf.size()).get(doc)) reader.fail_simdjson(e, span.start);
    return reader.read_root(doc, root_plan, 0);
}

// The kernel this file's On Demand code is compiled for (simdjson picks it from the
// compiler's target flags; the library's own builtin_implementation() names the library's).
#define OPGUARD_JSON_STR2(x) #x
#define OPGUARD_JSON_STR(x) OPGUARD_JSON_STR2(x)
std::string json_reader_description() {
    return "simdjson " + std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." +
           std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." + std::to_string(simdjson::SIMDJSON_VERSION_REVISION) +
           ", On Demand kernel " OPGUARD_JSON_STR(SIMDJSON_BUILTIN_IMPLEMENTATION) " (structural index: " +
           std::string(simdjson::get_active_implementation()->name()) + ", chosen at run time)";
}

}  // namespace opguard
