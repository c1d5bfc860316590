#include "report/json_writer.hpp"

#include <algorithm>
#include <cstring>

namespace opguard {

// Two spaces per level, written from one constant (a report nests a dozen levels at most;
// deeper levels repeat it).
constexpr std::string_view kIndent = "\n                                                                ";

void JsonWriter::newline() {
    size_t spaces = empty_.size() * 2;
    const size_t first = std::min(spaces, kIndent.size() - 1);
    out_.append(kIndent.data(), first + 1);
    if (spaces > first) out_.append(spaces - first, ' ');
}

void JsonWriter::before_value() {
    if (after_key_) { after_key_ = false; return; }
    if (empty_.empty()) return;  // the top-level value
    if (!empty_.back()) out_ += ',';
    empty_.back() = false;
    newline();
}

JsonWriter& JsonWriter::key(std::string_view k) {
    if (!empty_.back()) out_ += ',';
    empty_.back() = false;
    newline();
    // Keys are mostly the report's own names, with nothing to escape: written in one piece.
    if (std::none_of(k.begin(), k.end(), [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; })) {
        const size_t at = out_.size();
        out_.resize(at + k.size() + 4);
        char* p = out_.data() + at;
        *p++ = '"';
        std::memcpy(p, k.data(), k.size());
        p += k.size();
        *p++ = '"';
        *p++ = ':';
        *p = ' ';
    } else {
        append_json_string(out_, k);
        out_ += ": ";
    }
    after_key_ = true;
    return *this;
}

void JsonWriter::open(char c) {
    before_value();
    out_ += c;
    empty_.push_back(true);
}

void JsonWriter::close(char c) {
    const bool was_empty = empty_.back();
    empty_.pop_back();
    if (!was_empty) newline();
    out_ += c;
    if (sink_ && out_.size() >= kChunk) flush();
}

JsonWriter& JsonWriter::value(const Node& n) {
    switch (n.kind()) {
        case NodeKind::Null: return null();
        case NodeKind::Bool: return boolean(n.as_bool());
        case NodeKind::Number: return number(n.as_number());
        case NodeKind::String: return string(n.as_string());
        case NodeKind::Array:
            begin_array();
            for (const auto& i : n.items()) value(i);
            return end_array();
        case NodeKind::Object:
            begin_object();
            for (const auto& [k, v] : n.members()) { key(k); value(v); }
            return end_object();
    }
    return *this;
}

}  // namespace opguard
