#pragma once
// JsonWriter: writes indented JSON (two spaces, `"key": value`, empty containers as [] and
// {}) straight into a string, without building a Node tree first. Every JSON-based format
// (json, sarif, `rules list --format json`) writes through it, so their layout is one.
// Given a sink, it hands the text over in pieces of about kChunk bytes as it goes, so a
// large report never sits whole in memory.
//
// The text is written into a buffer of the writer's own with plain pointer writes (one room
// check per key or value), and moved to `out` when the buffer fills, at flush(), and when the
// writer is destroyed: read `out` after one of those.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.hpp"

namespace opguard {

class JsonWriter {
public:
    using Sink = std::function<void(std::string_view)>;
    static constexpr size_t kChunk = size_t(1) << 20;

    // buffer_bytes: the size of the writer's own buffer (at least kMinBuffer; tests use a
    // small one to reach the paths for text larger than it).
    static constexpr size_t kDefaultBuffer = size_t(64) << 10;
    static constexpr size_t kMinBuffer = 128;
    explicit JsonWriter(std::string& out, const Sink* sink = nullptr, size_t buffer_bytes = kDefaultBuffer);
    ~JsonWriter();
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;
    // Moves what is written to `out` and hands `out` to the sink (when there is one).
    void flush();

    JsonWriter& begin_object() { open('{'); return *this; }
    JsonWriter& end_object() { close('}'); return *this; }
    JsonWriter& begin_array() { open('['); return *this; }
    JsonWriter& end_array() { close(']'); return *this; }
    // The next value written is this member's.
    JsonWriter& key(std::string_view k);

    JsonWriter& string(std::string_view s);
    JsonWriter& string_or_null(std::string_view s) { return s.empty() ? null() : string(s); }
    JsonWriter& number(double d);
    JsonWriter& boolean(bool b) { return literal(b ? std::string_view("true") : std::string_view("false")); }
    JsonWriter& null() { return literal("null"); }
    // A whole value, indented like the rest.
    JsonWriter& value(const Node& n);
    // Text after the top-level value (a final newline).
    JsonWriter& raw(std::string_view text);

    // key(k) followed by the value.
    template <typename T>
    JsonWriter& field(std::string_view k, const T& v) { key(k); return write(v); }
    JsonWriter& field_or_null(std::string_view k, std::string_view s) { key(k); return string_or_null(s); }

private:
    JsonWriter& write(std::string_view s) { return string(s); }
    JsonWriter& write(const std::string& s) { return string(s); }
    JsonWriter& write(const char* s) { return string(s); }
    JsonWriter& write(bool b) { return boolean(b); }
    JsonWriter& write(double d) { return number(d); }
    JsonWriter& write(int i) { return number(i); }
    JsonWriter& write(unsigned i) { return number(i); }
    JsonWriter& write(size_t i) { return number(static_cast<double>(i)); }
    JsonWriter& write(const Node& n) { return value(n); }

    JsonWriter& literal(std::string_view text);
    // Room for `n` more bytes at p_ (moving the buffer's text to `out` first when needed);
    // false when `n` exceeds the whole buffer (the caller then writes to `out` itself).
    bool room(size_t n) {
        if (static_cast<size_t>(end_ - p_) >= n) return true;
        return spill(n);
    }
    bool spill(size_t n);
    size_t capacity() const { return static_cast<size_t>(end_ - buf_.get()); }
    // What comes before a value: after a key nothing, else the separator (',' unless first
    // in its container) and the line break. Returns where the value goes when `extra` bytes
    // fit in the buffer, else nullptr (the buffer is then empty: write to `out` directly).
    char* before(size_t extra);
    // Marks the innermost container as not empty and writes the separator and line break.
    void next_item();
    // ',' when asked, a line break and the indent of the current depth.
    void line_break(bool comma);
    void open(char c);
    void close(char c);

    std::string& out_;
    const Sink* sink_;
    std::unique_ptr<char[]> buf_;
    char* p_ = nullptr;    // where the next byte goes
    char* end_ = nullptr;  // the buffer's end
    std::vector<char> empty_;  // per open container: 1 while nothing is written in it yet
    bool after_key_ = false;
};

}  // namespace opguard
