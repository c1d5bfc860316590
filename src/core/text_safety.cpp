#include "core/text_safety.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <simdjson.h>

namespace opguard {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at s[i]; 0 when none starts there. `*need` gets the
// length the lead byte asks for when the sequence is only cut short by the end of `s`
// (0 otherwise), so a streaming caller can wait for the rest.
size_t sequence_length(std::string_view s, size_t i, size_t* need = nullptr) {
    if (need) *need = 0;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c == 0xED) { len = 3; hi = 0x9F; }  // no surrogates
    else if (c >= 0xE1 && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return 0;
    for (size_t k = 1; k < len; ++k) {
        if (i + k >= s.size()) {
            if (need) *need = len;
            return 0;
        }
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
    }
    return len;
}

// Bytes of the maximal subpart of an invalid sequence at s[i] (at least 1): the lead byte
// and the continuation bytes that were still possible.
size_t invalid_length(std::string_view s, size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c == 0xED) { len = 3; hi = 0x9F; }
    else if (c >= 0xE1 && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return 1;
    size_t k = 1;
    for (; k < len && i + k < s.size(); ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
    }
    return k;
}

bool all_ascii8(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return (w & 0x8080808080808080ull) == 0;
}

}  // namespace

size_t first_invalid_utf8(std::string_view s) {
    // simdjson's validator (the same strict UTF-8: no overlong forms, surrogates or code
    // points above U+10FFFF) answers for valid text many times faster; the position of the
    // first invalid byte is found by the walk below only when there is one.
    if (simdjson::validate_utf8(s.data(), s.size())) return std::string_view::npos;
    size_t i = 0;
    while (i < s.size()) {
        if (i + 8 <= s.size() && all_ascii8(s.data() + i)) { i += 8; continue; }
        const size_t n = sequence_length(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::string_view::npos;
}

std::string valid_utf8(std::string_view s) {
    size_t bad = first_invalid_utf8(s);
    if (bad == std::string_view::npos) return std::string(s);
    std::string out(s.substr(0, bad));
    size_t i = bad;
    while (i < s.size()) {
        const size_t n = sequence_length(s, i);
        if (n) { out.append(s.data() + i, n); i += n; continue; }
        out += kReplacement;
        i += invalid_length(s, i);
    }
    return out;
}

void Utf8Filter::feed(std::string_view piece) {
    std::string joined;
    if (!carry_.empty()) {
        joined = carry_;
        joined.append(piece);
        carry_.clear();
        piece = joined;
    }
    // Hold back an incomplete sequence at the end (at most 3 bytes).
    size_t end = piece.size();
    for (size_t back = 1; back <= 3 && back <= piece.size(); ++back) {
        const size_t i = piece.size() - back;
        const auto c = static_cast<unsigned char>(piece[i]);
        if (c < 0x80) break;
        if (c >= 0xC0) {
            size_t need = 0;
            if (sequence_length(piece, i, &need) == 0 && need > back) end = i;
            break;
        }
    }
    carry_.assign(piece.substr(end));
    const std::string_view body = piece.substr(0, end);
    if (first_invalid_utf8(body) == std::string_view::npos) sink_(body);
    else sink_(valid_utf8(body));
}

void Utf8Filter::finish() {
    if (carry_.empty()) return;
    const std::string rest = valid_utf8(carry_);
    carry_.clear();
    sink_(rest);
}

std::string visible_controls(std::string_view s, bool keep_layout) {
    // Bytes that are neither a control character nor the lead byte of a C1 control pass
    // through in runs (most text is all of them).
    auto plain = [keep_layout](unsigned char c) {
        if (c < 0x20) return keep_layout && (c == '\n' || c == '\t');
        return c != 0x7f && c != 0xC2;
    };
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        size_t run = i;
        while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
        out.append(s.data() + i, run - i);
        if (run == s.size()) break;
        i = run;
        const auto c = static_cast<unsigned char>(s[i]);
        unsigned code = 0x100;  // none
        if (c < 0x20 || c == 0x7f) code = c;
        else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                 static_cast<unsigned char>(s[i + 1]) <= 0x9F)
            code = static_cast<unsigned char>(s[++i]);
        ++i;
        if (code == 0x100) { out += static_cast<char>(c); continue; }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", code);
        out += buf;
    }
    return out;
}

std::string no_workflow_commands(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t start = 0;
    while (start <= s.size()) {
        size_t nl = s.find('\n', start);
        const size_t end = nl == std::string_view::npos ? s.size() : nl;
        size_t i = start;
        while (i < end && (s[i] == ' ' || s[i] == '\t')) ++i;
        if (i + 1 < end && s[i] == ':' && s[i + 1] == ':') {
            out.append(s.substr(start, i - start));
            out += "\\u003a";
            out.append(s.substr(i + 1, end - i - 1));
        } else {
            out.append(s.substr(start, end - start));
        }
        if (nl == std::string_view::npos) break;
        out += '\n';
        start = nl + 1;
    }
    return out;
}

std::string displayable(std::string_view s) { return no_workflow_commands(visible_controls(valid_utf8(s), false)); }

std::string shortened(std::string_view s, size_t max, size_t keep) {
    if (s.size() <= max) return std::string(s);
    size_t cut = std::min(keep, s.size());
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return std::string(s.substr(0, cut)) + "...";
}

uint32_t next_code_point(std::string_view s, size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const size_t n = b0 >= 0xF0 && b0 < 0xF8 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1;
    if (n == 1 || i + n > s.size()) { ++i; return b0; }
    uint32_t cp = n == 4 ? b0 & 0x07u : n == 3 ? b0 & 0x0Fu : b0 & 0x1Fu;
    for (size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) { ++i; return b0; }
        cp = (cp << 6) | (b & 0x3Fu);
    }
    i += n;
    return cp;
}

bool invisible_code_point(uint32_t cp) {
    struct Range { uint32_t lo, hi; };
    static constexpr Range kInvisible[] = {
        {0x00, 0x20},       {0x7F, 0xA0},       {0xAD, 0xAD},       {0x34F, 0x34F},     {0x61C, 0x61C},     {0x115F, 0x1160},
        {0x1680, 0x1680},   {0x17B4, 0x17B5},   {0x180B, 0x180F},   {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x206F},
        {0x2800, 0x2800},   {0x3000, 0x3000},   {0x3164, 0x3164},   {0xE000, 0xF8FF},   {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},
        {0xFFA0, 0xFFA0},   {0xFFF0, 0xFFFB},   {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF}, {0xF0000, 0x10FFFF},
    };
    for (const Range& r : kInvisible)
        if (cp >= r.lo && cp <= r.hi) return true;
    return false;
}

char ascii_look_alike(uint32_t cp) {
    if (cp >= 0xFF01 && cp <= 0xFF5E) return static_cast<char>(cp - 0xFF01 + 0x21);  // fullwidth
    if (cp == 0x212A) return 'K';                                                    // Kelvin sign
    if (cp == 0x017F) return 's';                                                    // long s
    if (cp >= 0x1D400 && cp <= 0x1D6A3) {                                            // mathematical letters, 52 per style
        const uint32_t k = (cp - 0x1D400) % 52;
        return static_cast<char>(k < 26 ? 'A' + k : 'a' + (k - 26));
    }
    if (cp >= 0x1D7CE && cp <= 0x1D7FF) return static_cast<char>('0' + (cp - 0x1D7CE) % 10);  // mathematical digits
    if (cp >= 0x24B6 && cp <= 0x24CF) return static_cast<char>('A' + (cp - 0x24B6));            // circled capitals
    if (cp >= 0x24D0 && cp <= 0x24E9) return static_cast<char>('a' + (cp - 0x24D0));            // circled small letters
    return 0;
}

std::optional<std::string> wide_text_encoding(std::string_view t) {
    auto starts = [&](std::string_view bom) { return t.substr(0, bom.size()) == bom; };
    if (starts(std::string_view("\xFF\xFE\0\0", 4))) return "UTF-32 text (byte order mark FF FE 00 00, little-endian)";
    if (starts(std::string_view("\0\0\xFE\xFF", 4))) return "UTF-32 text (byte order mark 00 00 FE FF, big-endian)";
    if (starts("\xFF\xFE")) return "UTF-16 text (byte order mark FF FE, little-endian)";
    if (starts("\xFE\xFF")) return "UTF-16 text (byte order mark FE FF, big-endian)";
    if (t.find('\0') == std::string_view::npos) return std::nullopt;
    // Without a mark: an ASCII character with three NUL bytes beside it is UTF-32, with one UTF-16.
    auto ascii = [](char c) { return c != '\0' && static_cast<unsigned char>(c) < 0x80; };
    if (t.size() >= 4 && ascii(t[0]) && t[1] == '\0' && t[2] == '\0' && t[3] == '\0')
        return "UTF-32 text without a byte order mark (little-endian: three NUL bytes beside each ASCII character)";
    if (t.size() >= 4 && t[0] == '\0' && t[1] == '\0' && t[2] == '\0' && ascii(t[3]))
        return "UTF-32 text without a byte order mark (big-endian: three NUL bytes beside each ASCII character)";
    size_t even = 0, odd = 0, n = std::min<size_t>(t.size(), 4096);
    for (size_t i = 0; i < n; ++i)
        if (t[i] == '\0') ++(i % 2 ? odd : even);
    if (n >= 4 && (odd * 4 >= n || even * 4 >= n))
        return std::string("UTF-16 text without a byte order mark (") + (odd > even ? "little" : "big") +
               "-endian: a NUL byte beside each ASCII character)";
    return std::nullopt;
}

}  // namespace opguard
