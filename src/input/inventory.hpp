#pragma once
// load_inventory: saved API responses (files or directories) => Inventory, the objects of
// every resource kind the rules declare, indexed by id. Each file's kind comes from its
// shape; pages of one API merge; the same id with different contents is an input error.
//
// Every file is read and checked in full when it is loaded, but an object of a list in a
// saved response is built only when the engine first reads it (InventoryObject::value):
// until then the inventory holds its id, the fields find_all matches on, and where its bytes
// are. A plan that touches a few thousand of 100,000 desktops builds a few thousand. The
// files' text therefore stays available (mapped) while the Inventory is used, and the
// SourceRegistry given to load_inventory must outlive it.
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/node.hpp"
#include "core/source.hpp"
#include "dsl/rule_set.hpp"
#include "input/json_reader.hpp"

namespace opguard {

// Member added to every inventory object's value naming its kind ("@kind" cannot be
// written as a field in the rule language's dot syntax, so it never collides).
inline constexpr const char* kKindField = "@kind";

class ObjectBuilder;
class Inventory;
struct InventoryOptions;

class InventoryObject {
public:
    const ResourceKind* kind = nullptr;
    std::string id;
    uint32_t file = 0;     // source index of the file it came from
    // JSON pointer inside that file ("/Desktops/12"), made when asked for (a finding's
    // evidence): most objects are never cited.
    std::string pointer() const;

    // The kept fields plus the derived ones (and kKindField); engine effects may change it.
    // Built from the file on first use.
    Node& value() {
        if (!built_) build();
        return value_;
    }
    const Node& value() const {
        if (!built_) build();
        return value_;
    }
    // A kept field, without building the object when the loader kept that field already
    // (the id and the fields find_all matches on); nullptr when absent.
    const Node* peek(std::string_view field) const;
    bool built() const { return built_; }

private:
    friend class ObjectBuilder;
    friend Inventory load_inventory(SourceRegistry&, const std::vector<std::string>&, const RuleSet&,
                                    const InventoryOptions&);
    void build() const;
    mutable Node value_;       // until built: only the eagerly kept fields
    mutable bool built_ = true;
    ElementSpan span_;         // the element's bytes in `file`, for building it
    ObjectBuilder* builder_ = nullptr;
    uint32_t element_ = 0;     // its index in its list
    bool bare_ = false;        // the list is the file's root (a bare array), not kind->list_path
};

struct InventoryOptions {
    size_t max_file_bytes = size_t(2) * 1024 * 1024 * 1024;
    std::string kind_override;  // --inventory-kind KIND: kind for every bare-array file not named below
    // --inventory-kind KIND=FILE: the kind of that one bare-array file (FILE as given on the
    // command line, or as found in a given directory; compared after lexical normalisation).
    std::vector<std::pair<std::string, std::string>> kind_of_file;  // (FILE, KIND)
};

// Hashing that lets std::string_view look up std::string keys without a copy.
// Not noexcept on purpose: libstdc++ keeps each key's hash code in its node only for a hash
// that may throw (or that it knows is slow, as std::hash of a string is). A noexcept hasher of
// our own counts as fast, and then every look-up hashes again the key of each node it walks
// past (hundreds of thousands of ids at 100,000 desktops).
struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// The objects of one kind by id: open addressing over (hash, object) pairs, so a look-up
// reads one slot and the id of the object it names, where a node-based map reads a bucket,
// a node and the id (at 100,000 desktops each of those is a cache miss). An id added again
// names the object added last. The ids are the objects' own (InventoryObject::id).
class IdIndex {
public:
    void put(InventoryObject* o);
    InventoryObject* find(std::string_view id) const;

private:
    struct Slot {
        size_t hash = 0;
        InventoryObject* object = nullptr;  // nullptr: free
    };
    void grow();
    std::vector<Slot> slots_;  // a power of two of them, at most half used
    size_t used_ = 0;
};

// A field of a built inventory object whose JSON type is not the one its resource declares
// (ResourceKind::types): GpuCategory "true" where DescribeImages returns a boolean.
struct MistypedField {
    const ResourceKind* kind = nullptr;
    std::string id, field, expected, found, value;  // value: as saved (JSON), shortened
    Origin at;                                      // the value in its file
};

// A kind whose saved responses show that pages were left out: every saved page ends with a
// NextToken, or fewer objects were saved than a TotalCount (Count, total_count) says there are.
struct IncompleteList {
    const ResourceKind* kind = nullptr;
    std::string why;  // "every saved page ends with NextToken \"abc\"", "TotalCount 57, 1 saved"
    Origin at;        // the NextToken or count that says so
};

class Inventory {
public:
    Inventory();
    ~Inventory();
    Inventory(Inventory&&) noexcept;
    Inventory& operator=(Inventory&&) noexcept;
    // Objects of one kind in load order (deque: stable addresses).
    const std::deque<InventoryObject>& objects(const std::string& kind) const;
    InventoryObject* find(std::string_view kind, std::string_view id);
    const InventoryObject* find(std::string_view kind, std::string_view id) const;
    InventoryObject& add(InventoryObject obj);
    void mark_loaded(const std::string& kind) { loaded_.push_back(kind); }
    bool loaded(std::string_view kind) const {
        for (const auto& k : loaded_) if (k == kind) return true;
        return false;
    }
    // Every top-level field name that some saved object of this kind has, kept or not
    // (empty when none was loaded).
    const std::set<std::string, std::less<>>& field_names(std::string_view kind) const;
    std::vector<std::string> files;  // paths read, in order
    // How many objects have been built so far, and how many there are (--timings).
    std::pair<size_t, size_t> built_count() const;
    // The mistyped fields of the objects built so far (the objects the check has read), in
    // file and offset order.
    std::vector<MistypedField> mistyped() const;
    // The kinds whose saved lists are incomplete, in rule-file order of kinds.
    const std::vector<IncompleteList>& incomplete() const { return incomplete_; }

private:
    friend Inventory load_inventory(SourceRegistry&, const std::vector<std::string>&, const RuleSet&,
                                    const InventoryOptions&);
    StringMap<std::deque<InventoryObject>> by_kind_;
    // kind => id => object; an id key views the object's own `id` (the deques never move an
    // object, and an id is not changed after it is added).
    StringMap<IdIndex> index_;
    std::vector<std::string> loaded_;
    StringMap<std::set<std::string, std::less<>>> field_names_;
    std::unique_ptr<ObjectBuilder> builder_;  // builds objects on first use (heap: objects point to it)
    std::vector<IncompleteList> incomplete_;
};

Inventory load_inventory(SourceRegistry& sources, const std::vector<std::string>& paths, const RuleSet& rules,
                         const InventoryOptions& options = {});

// The files load_inventory reads for `paths`: files named, or the *.json files of a
// directory (recursively), sorted by path, each once. Throws InputError as load_inventory
// does for a directory it cannot read or that holds something other than files.
std::vector<std::string> inventory_files(const std::vector<std::string>& paths);

}  // namespace opguard
