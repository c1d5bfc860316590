#include "report/json_writer.hpp"

#include <algorithm>
#include <cstring>

namespace opguard {

namespace {

// Two spaces per level, written from one constant (a report nests a dozen levels at most;
// deeper levels repeat it).
constexpr std::string_view kIndent = "\n                                                                ";
}  // namespace

// A string that needs more room than the buffer has (or an indent deeper than it) is written
// to `out` directly, after what the buffer holds. A number, a literal or a bracket always fits
// (kMinBuffer).
JsonWriter::JsonWriter(std::string& out, const Sink* sink, size_t buffer_bytes)
    : out_(out), sink_(sink) {
    const size_t n = std::max(buffer_bytes, kMinBuffer);
    buf_.reset(new char[n]);
    p_ = buf_.get();
    end_ = buf_.get() + n;
}

JsonWriter::~JsonWriter() {
    // What was written reaches `out` (a writer used for one value, then dropped).
    out_.append(buf_.get(), p_);
}

bool JsonWriter::spill(size_t n) {
    out_.append(buf_.get(), p_);
    p_ = buf_.get();
    return n <= capacity();
}

void JsonWriter::flush() {
    spill(0);
    if (sink_ && !out_.empty()) { (*sink_)(out_); out_.clear(); }
}

void JsonWriter::line_break(bool comma) {
    const size_t indent = 2 * empty_.size();
    if (1 + indent <= kIndent.size() && room(1 + kIndent.size())) {
        // The whole constant is copied (a fixed size: a few moves), the pointer advanced by
        // the line break and this depth's indent.
        char* p = p_;
        if (comma) *p++ = ',';
        std::memcpy(p, kIndent.data(), kIndent.size());
        p_ = p + 1 + indent;
        return;
    }
    if (room(size_t(comma) + 1 + indent)) {
        char* p = p_;
        if (comma) *p++ = ',';
        *p++ = '\n';
        std::memset(p, ' ', indent);
        p_ = p + indent;
        return;
    }
    if (comma) out_ += ',';  // deeper than the buffer holds (room() emptied it)
    out_ += '\n';
    out_.append(indent, ' ');
}

void JsonWriter::next_item() {
    const bool comma = !empty_.back();
    empty_.back() = 0;
    line_break(comma);
}

char* JsonWriter::before(size_t extra) {
    if (after_key_) after_key_ = false;
    else if (!empty_.empty()) next_item();  // (else: the top-level value)
    return room(extra) ? p_ : nullptr;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    next_item();
    if (room(kJsonCharsPerByte * k.size() + kJsonCharsSlack + 4)) {
        char* p = p_;
        *p++ = '"';
        p = write_json_chars(p, k);
        *p++ = '"';
        *p++ = ':';
        *p++ = ' ';
        p_ = p;
    } else {
        append_json_string(out_, k);
        out_ += ": ";
    }
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) {
    if (char* p = before(2 + kJsonCharsPerByte * s.size() + kJsonCharsSlack)) {
        *p++ = '"';
        p = write_json_chars(p, s);
        *p++ = '"';
        p_ = p;
    } else {
        append_json_string(out_, s);
    }
    return *this;
}

JsonWriter& JsonWriter::number(double d) {
    char* p = before(kNumberChars);  // always fits
    p_ = write_number(p, d);
    return *this;
}

JsonWriter& JsonWriter::literal(std::string_view text) {
    char* p = before(text.size());  // "true", "false", "null": always fits
    std::memcpy(p, text.data(), text.size());
    p_ = p + text.size();
    return *this;
}

JsonWriter& JsonWriter::raw(std::string_view text) {
    if (room(text.size())) {
        std::memcpy(p_, text.data(), text.size());
        p_ += text.size();
    } else {
        out_.append(text);
    }
    return *this;
}

void JsonWriter::open(char c) {
    char* p = before(1);  // always fits
    *p = c;
    p_ = p + 1;
    empty_.push_back(1);
}

void JsonWriter::close(char c) {
    const bool was_empty = empty_.back();
    empty_.pop_back();
    if (!was_empty) line_break(false);
    room(1);
    *p_++ = c;
    if (sink_ && out_.size() + static_cast<size_t>(p_ - buf_.get()) >= kChunk) flush();
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
