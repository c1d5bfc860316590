#include "core/node.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <unordered_set>

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

namespace {

// Every member name read or made in this run, each once. The set's nodes never move, so a
// Key may point at its string. opguard evaluates on one thread.
// Not noexcept, so that each name's hash code is kept in its node (see StringHash in
// input/inventory.hpp).
struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
std::unordered_set<std::string, KeyHash, std::equal_to<>>& key_names() {
    static auto* names = new std::unordered_set<std::string, KeyHash, std::equal_to<>>();  // outlives every Key
    return *names;
}
const std::string* intern(std::string_view s) {
    auto& names = key_names();
    auto it = names.find(s);
    if (it == names.end()) it = names.emplace(s).first;
    return &*it;
}

}  // namespace

Key::Key() noexcept {
    static const std::string* const empty = intern("");
    s_ = empty;
}

Key::Key(std::string_view s) : s_(intern(s)) {}

static_assert(sizeof(Node::Member) <= 56, "a member is its name's pointer and its value");
static_assert(sizeof(Node) <= 48, "a Node is its origin, its kind and one value");

Node::Node(const Node& other) : origin(other.origin), kind_(other.kind_), number_(0) {
    switch (kind_) {
        case NodeKind::Null: break;
        case NodeKind::Bool: bool_ = other.bool_; break;
        case NodeKind::Number: number_ = other.number_; break;
        case NodeKind::String: new (&string_) std::string(other.string_); break;
        case NodeKind::Array: new (&items_) std::vector<Node>(other.items_); break;
        case NodeKind::Object: new (&members_) std::vector<Member>(other.members_); break;
    }
}

Node& Node::operator=(const Node& other) {
    if (this != &other) {
        Node copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Node& Node::operator=(Node&& other) noexcept {
    if (this != &other) {
        Node moved(std::move(other));  // `other` may live inside this node's children
        release();
        origin = moved.origin;
        kind_ = moved.kind_;
        take(moved);
    }
    return *this;
}

void Node::take(Node& other) noexcept {
    switch (kind_) {
        case NodeKind::Null: number_ = 0; break;
        case NodeKind::Bool: bool_ = other.bool_; break;
        case NodeKind::Number: number_ = other.number_; break;
        case NodeKind::String: new (&string_) std::string(std::move(other.string_)); break;
        case NodeKind::Array: new (&items_) std::vector<Node>(std::move(other.items_)); break;  // other's: empty
        case NodeKind::Object: new (&members_) std::vector<Member>(std::move(other.members_)); break;
    }
}

void Node::release() noexcept {
    if (kind_ == NodeKind::String) string_.~basic_string();
    else if (kind_ == NodeKind::Array) items_.~vector();
    else if (kind_ == NodeKind::Object) members_.~vector();
}

const std::string& Node::empty_string() {
    static const std::string empty;
    return empty;
}

void Node::not_a(const char* what) const {
    const std::string kind = kind_name(kind_);
    throw std::logic_error((kind[0] == 'a' || kind[0] == 'o' ? "an " : "a ") + kind + " node has no " + what);
}

std::vector<Node>& Node::items() {
    if (kind_ != NodeKind::Array) not_a("items");
    return items_;
}

std::vector<Node::Member>& Node::members() {
    if (kind_ != NodeKind::Object) not_a("members");
    return members_;
}

// (A new Node is Null with number_ as its value: a factory switches the kind and then
// starts the value of that kind.)
Node Node::boolean(bool b, Origin o) { Node n; n.kind_ = NodeKind::Bool; n.bool_ = b; n.origin = o; return n; }
Node Node::number(double d, Origin o) { Node n; n.kind_ = NodeKind::Number; n.number_ = d; n.origin = o; return n; }
Node Node::string(std::string s, Origin o) {
    Node n; n.kind_ = NodeKind::String; new (&n.string_) std::string(std::move(s)); n.origin = o; return n;
}
Node Node::array(std::vector<Node> items, Origin o) {
    Node n; n.kind_ = NodeKind::Array; n.origin = o;
    new (&n.items_) std::vector<Node>(std::move(items));
    return n;
}
Node Node::object(std::vector<Member> members, Origin o) {
    Node n; n.kind_ = NodeKind::Object; n.origin = o;
    new (&n.members_) std::vector<Member>(std::move(members));
    return n;
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

void Node::set(Key key, Node value) {
    if (kind_ != NodeKind::Object) { *this = object(); }
    if (Node* existing = find_key(key)) {  // interned: the same name is the same pointer
        *existing = std::move(value);
        return;
    }
    auto& m = members_;
    // A full vector grows by an eighth (at least one member), not by doubling: most objects
    // are read with their members counted exactly, and an effect that adds one field (a
    // snapshot's `deleted`) would otherwise double every touched object (56 bytes a
    // member); room for four more cost 36 MB at 100,000 compact desktops. Still geometric,
    // so an object built up by set() costs amortised O(1) per member.
    if (m.size() == m.capacity()) m.reserve(m.size() + std::max<size_t>(1, m.size() / 8));
    m.emplace_back(std::move(key), std::move(value));
}

void strip_origins(Node& n) {
    n.origin = {};
    if (n.is_array()) for (auto& i : n.items()) strip_origins(i);
    if (n.is_object()) for (auto& m : n.members()) strip_origins(m.second);
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

char* write_number(char* p, double d) {
    // to_chars with a precision formats as printf does ("%lld", "%.17g"), without the
    // format string's parsing or the locale.
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15)
        return std::to_chars(p, p + kNumberChars, static_cast<long long>(d)).ptr;
    if (!std::isfinite(d)) {
        std::memcpy(p, "null", 4);
        return p + 4;
    }
    return std::to_chars(p, p + kNumberChars, d, std::chars_format::general, 17).ptr;
}

void append_number(std::string& out, double d) {
    char buf[kNumberChars];
    out.append(buf, write_number(buf, d));
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

char* write_json_chars(char* p, std::string_view s) {
    // Runs of characters that need no escape are copied 8 bytes at a time; the rest escaped.
    size_t i = 0;
    const size_t n = s.size();
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (!needs_escape(w)) {
                std::memcpy(p, &w, 8);
                p += 8;
                i += 8;
                continue;
            }
        } else {
            // The last 1 to 7 bytes, tested in one word padded with spaces (which need no
            // escape) and stored whole: the padding lands in the kJsonCharsSlack bytes.
            uint64_t w = 0x2020202020202020ull;
            std::memcpy(&w, s.data() + i, n - i);
            if (!needs_escape(w)) {
                std::memcpy(p, &w, 8);
                p += n - i;
                break;
            }
        }
        const unsigned char c = static_cast<unsigned char>(s[i++]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            *p++ = static_cast<char>(c);
            continue;
        }
        *p++ = '\\';
        switch (c) {
            case '"': *p++ = '"'; break;
            case '\\': *p++ = '\\'; break;
            case '\n': *p++ = 'n'; break;
            case '\r': *p++ = 'r'; break;
            case '\t': *p++ = 't'; break;
            case '\b': *p++ = 'b'; break;
            case '\f': *p++ = 'f'; break;
            default: {
                static constexpr char kHex[] = "0123456789abcdef";
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = kHex[c >> 4];
                *p++ = kHex[c & 0xf];
            }
        }
    }
    return p;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    // In pieces, each escaped into a buffer on the stack (6 bytes at most per byte).
    constexpr size_t kPiece = 512;
    char buf[kPiece * kJsonCharsPerByte + kJsonCharsSlack];
    for (size_t at = 0; at < s.size(); at += kPiece) {
        const std::string_view piece = s.substr(at, kPiece);
        out.append(buf, write_json_chars(buf, piece));
    }
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
