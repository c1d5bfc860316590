#include "report/json_writer.hpp"

namespace opguard {

void JsonWriter::newline() {
    out_ += '\n';
    out_.append(empty_.size() * 2, ' ');
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
    append_json_string(out_, k);
    out_ += ": ";
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
