#pragma once
// read_json: the bytes of one SourceFile => a Node tree whose every value carries its
// Origin. One reader serves plans (whole tree) and inventories (projected: only the
// paths a Projection names are materialised, the rest is skipped without building).
#include <map>
#include <memory>
#include <string>

#include "core/node.hpp"
#include "core/source.hpp"

namespace opguard {

// A tree of object keys to keep. "[]" stands for "every element of an array".
// An entry whose `all` is true keeps the whole subtree below it.
struct Projection {
    bool all = false;
    std::map<std::string, Projection, std::less<>> children;
    Projection& child(const std::string& key) { return children[key]; }
};

struct JsonLimits {
    size_t max_depth = 256;        // deeper nesting is an input error, not a stack overflow
    size_t max_elements = 50'000'000;  // values materialised per file
};

// Parses file `file_id` of `sources` (its text must be present). With `keep` == nullptr
// everything is materialised. Throws InputError (id "json.syntax", "json.depth",
// "json.utf8", "json.duplicate-key", "json.number", ...) with file, 1-based line:col and
// JSON pointer. Duplicate keys inside one object are always an error.
Node read_json(const SourceRegistry& sources, uint32_t file_id, const Projection* keep = nullptr,
               const JsonLimits& limits = {});

}  // namespace opguard
