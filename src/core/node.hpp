#pragma once
// Node: opguard's own JSON-like value. Plans, inventory objects, rule literals and
// expression results are all Nodes. Every Node read from a file keeps its Origin
// (file index + byte offset of the value's first byte), so a finding can say where.
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/source.hpp"

namespace opguard {

enum class NodeKind : uint8_t { Null, Bool, Number, String, Array, Object };

const char* kind_name(NodeKind k);

// The name of an object's member. Names are interned: each distinct name is kept once for
// the whole run, and a Key is a pointer to it, so a member costs 8 bytes for its name
// whatever its length, and copying an object (an effect's copy of a desktop) copies no name.
// The set of names grows with the distinct names read (bounded by the input, never freed).
class Key {
public:
    Key() noexcept;
    Key(std::string_view s);
    Key(const std::string& s) : Key(std::string_view(s)) {}
    Key(const char* s) : Key(std::string_view(s)) {}

    const std::string& str() const noexcept { return *s_; }
    operator const std::string&() const noexcept { return *s_; }
    operator std::string_view() const noexcept { return *s_; }
    bool empty() const noexcept { return s_->empty(); }
    size_t size() const noexcept { return s_->size(); }
    const char* c_str() const noexcept { return s_->c_str(); }

    friend bool operator==(const Key& a, const Key& b) noexcept { return a.s_ == b.s_; }
    friend bool operator==(const Key& a, std::string_view b) noexcept { return *a.s_ == b; }
    friend bool operator==(const Key& a, const std::string& b) noexcept { return *a.s_ == b; }
    friend bool operator==(const Key& a, const char* b) noexcept { return *a.s_ == b; }
    friend auto operator<=>(const Key& a, const Key& b) noexcept { return a.s_->compare(*b.s_) <=> 0; }
    friend std::string operator+(const std::string& a, const Key& b) { return a + *b.s_; }
    friend std::string operator+(const Key& a, const std::string& b) { return *a.s_ + b; }
    friend std::string operator+(const char* a, const Key& b) { return a + *b.s_; }
    friend std::string operator+(const Key& a, const char* b) { return *a.s_ + b; }

private:
    const std::string* s_;
};

class Node {
public:
    using Member = std::pair<Key, Node>;

    Node() noexcept : number_(0) {}
    static Node null(Origin o = {}) { Node n; n.origin = o; return n; }
    static Node boolean(bool b, Origin o = {});
    static Node number(double d, Origin o = {});
    static Node string(std::string s, Origin o = {});
    static Node array(std::vector<Node> items = {}, Origin o = {});
    static Node object(std::vector<Member> members = {}, Origin o = {});
    // An object from members written in place, moved into it: object({{"a", x}, ...}) copies
    // every key and value out of its initializer list, which costs as much again as making
    // them (the simulation makes such objects per effect).
    template <size_t N>
    static Node object_moved(Member (&&members)[N], Origin o = {}) {
        std::vector<Member> v;
        v.reserve(N);
        for (Member& m : members) v.push_back(std::move(m));
        return object(std::move(v), o);
    }

    NodeKind kind() const { return kind_; }
    bool is_null() const { return kind_ == NodeKind::Null; }
    bool is_bool() const { return kind_ == NodeKind::Bool; }
    bool is_number() const { return kind_ == NodeKind::Number; }
    bool is_string() const { return kind_ == NodeKind::String; }
    bool is_array() const { return kind_ == NodeKind::Array; }
    bool is_object() const { return kind_ == NodeKind::Object; }

    // The value of a node of that kind; false, 0 or "" for a node of another kind.
    bool as_bool() const { return kind_ == NodeKind::Bool && bool_; }
    double as_number() const { return kind_ == NodeKind::Number ? number_ : 0; }
    const std::string& as_string() const { return kind_ == NodeKind::String ? string_ : empty_string(); }
    // A list's items, an object's members (empty for other kinds). The non-const forms are
    // for a list's items and an object's members only (std::logic_error otherwise).
    const std::vector<Node>& items() const {
        static const std::vector<Node> none;
        return kind_ == NodeKind::Array ? items_ : none;
    }
    std::vector<Node>& items();
    const std::vector<Member>& members() const {
        static const std::vector<Member> none;
        return kind_ == NodeKind::Object ? members_ : none;
    }
    std::vector<Member>& members();

    // Object member lookup (first match); nullptr when absent or not an object.
    const Node* find(std::string_view key) const;
    Node* find(std::string_view key);
    // The same by an interned name: compared by pointer, no text compared.
    const Node* find_key(Key key) const {
        if (kind_ != NodeKind::Object) return nullptr;
        for (const auto& m : members_)
            if (m.first == key) return &m.second;
        return nullptr;
    }
    Node* find_key(Key key) { return const_cast<Node*>(static_cast<const Node*>(this)->find_key(key)); }
    // Sets or replaces an object member.
    void set(Key key, Node value);

    // Structural equality, ignoring origins. Numbers compare by value.
    bool equals(const Node& other) const;
    // "truthy" as the rule language sees it: false, null, 0, "" and empty lists are false.
    bool truthy() const;
    // Text for messages: strings bare, everything else as compact JSON.
    std::string to_text() const;
    // Compact JSON.
    std::string to_json() const;

    Origin origin;

    Node(const Node& other);
    Node& operator=(const Node& other);
    // A node moved from keeps its kind, with an empty value.
    // (Scalars are moved and destroyed here, inline; strings, lists and objects by take() and
    // release().)
    Node(Node&& other) noexcept : origin(other.origin), kind_(other.kind_), number_(0) {
        if (kind_ == NodeKind::Number) number_ = other.number_;
        else if (kind_ == NodeKind::Bool) bool_ = other.bool_;
        else if (kind_ != NodeKind::Null) take(other);
    }
    Node& operator=(Node&& other) noexcept;
    ~Node() {
        if (kind_ >= NodeKind::String) release();
    }

private:
    [[noreturn]] void not_a(const char* what) const;
    // Moves other's value (of kind_, already equal to other's) into this node's storage,
    // which holds nothing yet; other keeps its kind with an empty value.
    void take(Node& other) noexcept;
    // Frees the value (kind_ unchanged: the storage holds nothing afterwards).
    void release() noexcept;
    static const std::string& empty_string();

    NodeKind kind_ = NodeKind::Null;
    // One value at a time, chosen by kind_: a scalar, a string and a list's or an object's
    // vector share their bytes, so a node is 48 bytes whatever it holds and a list or an
    // object needs one allocation (its vector's), none while empty.
    union {
        bool bool_;
        double number_;
        std::string string_;
        std::vector<Node> items_;      // Array
        std::vector<Member> members_;  // Object
    };
};

// Clears the origin of `n` and of everything inside it (a value shown apart from its file).
void strip_origins(Node& n);

// Writes a JSON string literal (with quotes), escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view s);
// The characters of that literal without its quotes, written at `p`, which has room for
// kJsonCharsPerByte * s.size() + kJsonCharsSlack bytes; returns the end of what was
// written (the bytes after it, up to kJsonCharsSlack of them, may have been overwritten).
inline constexpr size_t kJsonCharsPerByte = 6;  // a control character: \u00XX
inline constexpr size_t kJsonCharsSlack = 8;
char* write_json_chars(char* p, std::string_view s);
// Formats a number the way JSON and messages show it: integers without a fraction.
std::string format_number(double d);
// Appends format_number(d) to `out`.
void append_number(std::string& out, double d);
// The same written at `p`, which has room for kNumberChars bytes; returns the end.
inline constexpr size_t kNumberChars = 32;
char* write_number(char* p, double d);

}  // namespace opguard
