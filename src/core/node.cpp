#include "core/node.hpp"

#include <cmath>
#include <cstdio>

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

Node Node::boolean(bool b, Origin o) { Node n; n.kind_ = NodeKind::Bool; n.bool_ = b; n.origin = o; return n; }
Node Node::number(double d, Origin o) { Node n; n.kind_ = NodeKind::Number; n.number_ = d; n.origin = o; return n; }
Node Node::string(std::string s, Origin o) {
    Node n; n.kind_ = NodeKind::String; n.string_ = std::move(s); n.origin = o; return n;
}
Node Node::array(std::vector<Node> items, Origin o) {
    Node n; n.kind_ = NodeKind::Array; n.items_ = std::move(items); n.origin = o; return n;
}
Node Node::object(std::vector<Member> members, Origin o) {
    Node n; n.kind_ = NodeKind::Object; n.members_ = std::move(members); n.origin = o; return n;
}

const Node* Node::find(std::string_view key) const {
    if (kind_ != NodeKind::Object) return nullptr;
    for (const auto& m : members_)
        if (m.first == key) return &m.second;
    return nullptr;
}

Node* Node::find(std::string_view key) {
    return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}

void Node::set(std::string key, Node value) {
    if (kind_ != NodeKind::Object) { *this = object(); }
    if (Node* existing = find(key)) { *existing = std::move(value); return; }
    members_.emplace_back(std::move(key), std::move(value));
}

bool Node::equals(const Node& o) const {
    if (kind_ != o.kind_) return false;
    switch (kind_) {
        case NodeKind::Null: return true;
        case NodeKind::Bool: return bool_ == o.bool_;
        case NodeKind::Number: return number_ == o.number_;
        case NodeKind::String: return string_ == o.string_;
        case NodeKind::Array:
            if (items_.size() != o.items_.size()) return false;
            for (size_t i = 0; i < items_.size(); ++i)
                if (!items_[i].equals(o.items_[i])) return false;
            return true;
        case NodeKind::Object:
            if (members_.size() != o.members_.size()) return false;
            for (const auto& m : members_) {
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
        case NodeKind::Array: return !items_.empty();
        case NodeKind::Object: return !members_.empty();
    }
    return false;
}

std::string format_number(double d) {
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d));
        return buf;
    }
    if (!std::isfinite(d)) return "null";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

static void write_json(const Node& n, std::string& out) {
    switch (n.kind()) {
        case NodeKind::Null: out += "null"; break;
        case NodeKind::Bool: out += n.as_bool() ? "true" : "false"; break;
        case NodeKind::Number: out += format_number(n.as_number()); break;
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
