#include "core/node.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace opguard {

const char* kind_name(NodeKind k) {
    switch (k) {
        case NodeKind::Null: return "null";
        case NodeKind::Bool: return "boolean";
        case NodeKind::Number: return "number";
        case NodeKind::String: return "string";
        case NodeKind::Array: return "array";
        case NodeKind::Object: return "object";
    }
    return "?";
}

Node::Node(const Node& other)
    : origin(other.origin), kind_(other.kind_), bool_(other.bool_), number_(other.number_), string_(other.string_),
      kids_(other.kids_ ? std::make_unique<Children>(*other.kids_) : nullptr) {}

Node& Node::operator=(const Node& other) {
    if (this != &other) {
        Node copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Node::Children& Node::kids() {
    if (!kids_) kids_ = std::make_unique<Children>();
    return *kids_;
}

const std::vector<Node>& Node::items() const {
    static const std::vector<Node> none;
    return kids_ ? kids_->items : none;
}

const std::vector<Node::Member>& Node::members() const {
    static const std::vector<Member> none;
    return kids_ ? kids_->members : none;
}

Node Node::boolean(bool b, Origin o) { Node n; n.kind_ = NodeKind::Bool; n.bool_ = b; n.origin = o; return n; }
Node Node::number(double d, Origin o) { Node n; n.kind_ = NodeKind::Number; n.number_ = d; n.origin = o; return n; }
Node Node::string(std::string s, Origin o) {
    Node n; n.kind_ = NodeKind::String; n.string_ = std::move(s); n.origin = o; return n;
}
Node Node::array(std::vector<Node> items, Origin o) {
    Node n; n.kind_ = NodeKind::Array; n.origin = o;
    if (!items.empty()) n.kids().items = std::move(items);
    return n;
}
Node Node::object(std::vector<Member> members, Origin o) {
    Node n; n.kind_ = NodeKind::Object; n.origin = o;
    if (!members.empty()) n.kids().members = std::move(members);
    return n;
}

const Node* Node::find(std::string_view key) const {
    if (kind_ != NodeKind::Object || !kids_) return nullptr;
    for (const auto& m : kids_->members)
        if (m.first == key) return &m.second;
    return nullptr;
}

Node* Node::find(std::string_view key) {
    return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}

void Node::set(std::string key, Node value) {
    if (kind_ != NodeKind::Object) { *this = object(); }
    if (Node* existing = find(key)) { *existing = std::move(value); return; }
    kids().members.emplace_back(std::move(key), std::move(value));
}

bool Node::equals(const Node& o) const {
    if (kind_ != o.kind_) return false;
    switch (kind_) {
        case NodeKind::Null: return true;
        case NodeKind::Bool: return bool_ == o.bool_;
        case NodeKind::Number: return number_ == o.number_;
        case NodeKind::String: return string_ == o.string_;
        case NodeKind::Array:
            if (items().size() != o.items().size()) return false;
            for (size_t i = 0; i < items().size(); ++i)
                if (!items()[i].equals(o.items()[i])) return false;
            return true;
        case NodeKind::Object:
            if (members().size() != o.members().size()) return false;
            for (const auto& m : members()) {
                const Node* other = o.find(m.first);
                if (!other || !m.second.equals(*other)) return false;
            }
            return true;
    }
    return false;
}

bool Node::truthy() const {
    switch (kind_) {
        case NodeKind::Null: return false;
        case NodeKind::Bool: return bool_;
        case NodeKind::Number: return number_ != 0;
        case NodeKind::String: return !string_.empty();
        case NodeKind::Array: return !items().empty();
        case NodeKind::Object: return !members().empty();
    }
    return false;
}

void append_number(std::string& out, double d) {
    char buf[40];
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15)
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d));
    else if (!std::isfinite(d))
        std::snprintf(buf, sizeof buf, "null");
    else
        std::snprintf(buf, sizeof buf, "%.17g", d);
    out += buf;
}

std::string format_number(double d) {
    std::string s;
    append_number(s, d);
    return s;
}

namespace {

// Whether any of the 8 bytes in `w` needs escaping in a JSON string: a control character
// (< 0x20), '"' or '\\'. Word-at-a-time tests (each sets a byte's high bit where it holds).
inline bool needs_escape(uint64_t w) {
    constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto zero_byte = [&](uint64_t v) { return (v - ones) & ~v & highs; };
    const uint64_t control = (w - ones * 0x20) & ~w & highs;  // bytes below 0x20
    return (control | zero_byte(w ^ (ones * '"')) | zero_byte(w ^ (ones * '\\'))) != 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    // Copy runs of characters that need no escape in one go (skipping 8 plain bytes at a
    // time); escape the rest.
    size_t run = 0, i = 0;
    while (i < s.size()) {
        if (i + 8 <= s.size()) {
            uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (!needs_escape(w)) { i += 8; continue; }
        }
        unsigned char c = static_cast<unsigned char>(s[i]);
        ++i;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - 1 - run);
        run = i;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default: {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            }
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

static void write_json(const Node& n, std::string& out) {
    switch (n.kind()) {
        case NodeKind::Null: out += "null"; break;
        case NodeKind::Bool: out += n.as_bool() ? "true" : "false"; break;
        case NodeKind::Number: append_number(out, n.as_number()); break;
        case NodeKind::String: append_json_string(out, n.as_string()); break;
        case NodeKind::Array: {
            out += '[';
            bool first = true;
            for (const auto& i : n.items()) { if (!first) out += ','; first = false; write_json(i, out); }
            out += ']';
            break;
        }
        case NodeKind::Object: {
            out += '{';
            bool first = true;
            for (const auto& m : n.members()) {
                if (!first) out += ',';
                first = false;
                append_json_string(out, m.first);
                out += ':';
                write_json(m.second, out);
            }
            out += '}';
            break;
        }
    }
}

std::string Node::to_json() const { std::string s; write_json(*this, s); return s; }
std::string Node::to_text() const { return kind_ == NodeKind::String ? string_ : to_json(); }

}  // namespace opguard
