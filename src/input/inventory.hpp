#pragma once
// load_inventory: saved API responses (files or directories) => Inventory, the objects of
// every resource kind the rules declare, indexed by id. Each file's kind comes from its
// shape; pages of one API merge; the same id with different contents is an input error.
#include <string>
#include <unordered_map>
#include <deque>
#include <vector>

#include "core/node.hpp"
#include "core/source.hpp"
#include "dsl/rule_set.hpp"

namespace opguard {

// Member added to every inventory object's value naming its kind ("@kind" cannot be
// written as a field in the rule language's dot syntax, so it never collides).
inline constexpr const char* kKindField = "@kind";

struct InventoryObject {
    const ResourceKind* kind = nullptr;
    std::string id;
    Node value;            // the kept fields plus derived ones; engine effects may change it
    uint32_t file = 0;     // source index of the file it came from
    std::string pointer;   // JSON pointer inside that file
};

struct InventoryOptions {
    size_t max_file_bytes = size_t(2) * 1024 * 1024 * 1024;
    std::string kind_override;  // --inventory-kind KIND: kind for every bare-array file not named below
    // --inventory-kind KIND=FILE: the kind of that one bare-array file (FILE as given on the
    // command line, or as found in a given directory; compared after lexical normalisation).
    std::vector<std::pair<std::string, std::string>> kind_of_file;  // (FILE, KIND)
};

// Hashing that lets std::string_view look up std::string keys without a copy.
struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

class Inventory {
public:
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
    std::vector<std::string> files;  // paths read, in order

private:
    StringMap<std::deque<InventoryObject>> by_kind_;
    StringMap<StringMap<InventoryObject*>> index_;
    std::vector<std::string> loaded_;
};

Inventory load_inventory(SourceRegistry& sources, const std::vector<std::string>& paths, const RuleSet& rules,
                         const InventoryOptions& options = {});

}  // namespace opguard
