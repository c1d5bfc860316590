#pragma once
// JsonWriter: writes indented JSON (two spaces, `"key": value`, empty containers as [] and
// {}) straight into a string, without building a Node tree first. Every JSON-based format
// (json, sarif, `rules list --format json`) writes through it, so their layout is one.
// Given a sink, it hands the text over in pieces of about kChunk bytes as it goes, so a
// large report never sits whole in memory.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.hpp"

namespace opguard {

class JsonWriter {
public:
    using Sink = std::function<void(std::string_view)>;
    static constexpr size_t kChunk = size_t(1) << 20;

    explicit JsonWriter(std::string& out, const Sink* sink = nullptr) : out_(out), sink_(sink) {}
    // Hands what is left to the sink (when there is one).
    void flush() {
        if (sink_ && !out_.empty()) { (*sink_)(out_); out_.clear(); }
    }

    JsonWriter& begin_object() { open('{'); return *this; }
    JsonWriter& end_object() { close('}'); return *this; }
    JsonWriter& begin_array() { open('['); return *this; }
    JsonWriter& end_array() { close(']'); return *this; }
    // The next value written is this member's.
    JsonWriter& key(std::string_view k);

    JsonWriter& string(std::string_view s) { before_value(); append_json_string(out_, s); return *this; }
    JsonWriter& string_or_null(std::string_view s) { return s.empty() ? null() : string(s); }
    JsonWriter& number(double d) { before_value(); append_number(out_, d); return *this; }
    JsonWriter& boolean(bool b) { before_value(); out_ += b ? "true" : "false"; return *this; }
    JsonWriter& null() { before_value(); out_ += "null"; return *this; }
    // A whole value, indented like the rest.
    JsonWriter& value(const Node& n);

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

    void before_value();
    void open(char c);
    void close(char c);
    void newline();

    std::string& out_;
    const Sink* sink_;
    std::vector<bool> empty_;  // per open container: nothing written in it yet
    bool after_key_ = false;
};

}  // namespace opguard
