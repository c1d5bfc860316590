#pragma once
// read_json: the bytes of one SourceFile => a Node tree whose every value carries its
// Origin. One reader serves plans (whole tree) and inventories (projected: only the
// paths a Projection names are materialised, the rest is skipped without building).
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/node.hpp"
#include "core/source.hpp"

namespace opguard {

// A tree of object keys to keep. "[]" stands for "every element of an array".
// An entry whose `all` is true keeps the whole subtree below it.
//
// An element projection (a "[]" entry) marked `lazy` is checked in full but built only in
// part: each element that is an object keeps just its `eager` keys (with their projected
// subtrees), and the element's byte span is reported (ElementSpan) so that the whole
// element can be read later with read_json_element.
struct Projection {
    bool all = false;
    bool lazy = false;
    bool rest = false;  // keys not among `children` are kept whole too (the projection only shapes the named ones)
    // When set: the key of every member of every object this projection applies to is
    // added (the fields a saved response has, even those not kept). Not owned.
    std::set<std::string, std::less<>>* keys_seen = nullptr;
    std::set<std::string, std::less<>> eager;
    std::map<std::string, Projection, std::less<>> children;
    Projection& child(const std::string& key) { return children[key]; }
};

// The bytes of one element of a lazy list: [start, end) holds the value (its first byte at
// start) and the whitespace after it.
struct ElementSpan {
    uint32_t start = 0;
    uint32_t end = 0;
};

struct JsonLimits {
    size_t max_depth = 256;        // deeper nesting is an input error, not a stack overflow
    size_t max_elements = 50'000'000;  // values materialised per file
};

// Parses file `file_id` of `sources` (its text must be present). With `keep` == nullptr
// everything is materialised. Throws InputError (id "json.syntax", "json.depth",
// "json.utf8", "json.duplicate-key", "json.number", ...) with file, 1-based line:col and
// JSON pointer. Duplicate keys inside one object are always an error.
// The spans of the elements of lazy lists are appended to *spans, in document order.
Node read_json(const SourceRegistry& sources, uint32_t file_id, const Projection* keep = nullptr,
               const JsonLimits& limits = {}, std::vector<ElementSpan>* spans = nullptr);

// "simdjson 3.0.1, On Demand kernel fallback (structural index: icelake, chosen at run
// time)": the JSON library, the kernel its On Demand navigation is compiled for (from the
// compiler's target flags) and the one simdjson picked for this CPU to index the text (the
// bulk of parsing), for `opguard --version`.
std::string json_reader_description();

// Reads whole files one after another, as read_json does, keeping between files what does
// not depend on the file: each projection compiled once (on first use; it must stay alive and
// unchanged while the reader is used) and one simdjson parser, grown to the largest file.
// An inventory of many files is read with one.
class FileReader {
public:
    FileReader();
    ~FileReader();
    FileReader(const FileReader&) = delete;
    FileReader& operator=(const FileReader&) = delete;
    Node read(const SourceRegistry& sources, uint32_t file_id, const Projection* keep = nullptr,
              const JsonLimits& limits = {}, std::vector<ElementSpan>* spans = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Reads one element of a lazy list again, whole (as `keep` projects it, `lazy` ignored), from
// the text of a file read before with read_json (the text must still be present). Keeps one
// simdjson parser between calls. The element was checked when the file was read, so errors
// here are not expected; they are thrown as by read_json. `keep` is compiled once, on first
// use: it must stay alive and unchanged while the reader is used.
class ElementReader {
public:
    ElementReader();
    ~ElementReader();
    ElementReader(const ElementReader&) = delete;
    ElementReader& operator=(const ElementReader&) = delete;
    // spare_members: room kept in the element's member list for members added after it is
    // read (the object's kind, derived fields and state), so that adding them moves nothing.
    Node read(const SourceRegistry& sources, uint32_t file_id, ElementSpan span, const Projection& keep,
              const JsonLimits& limits = {}, size_t spare_members = 0);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace opguard
