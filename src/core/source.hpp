#pragma once
// Source files and positions. Every value opguard reads (rule text, plan JSON,
// inventory JSON, scripts) keeps a byte offset into the SourceFile it came from;
// line:col is computed only when a message needs it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opguard {

// A 1-based line and a 1-based column counted in bytes. {0,0} means "no position".
struct Position {
    uint32_t line = 0;
    uint32_t column = 0;
    bool known() const { return line != 0; }
};

// The bytes of one input file: read into a string, or, for a large regular file, mapped
// read-only from the page cache (no copy, no zero-filled buffer: reading a 250 MB
// inventory this way costs a tenth of read() into fresh memory). Either way at least
// kPadding readable bytes follow the text, which the JSON reader needs (simdjson reads up
// to 64 bytes past the end).
class FileText {
public:
    static constexpr size_t kPadding = 64;
    FileText() = default;
    explicit FileText(std::string s);
    // Text that outlives every FileText (a literal of the binary: the built-in rules), read in
    // place: no copy. No padding follows it.
    static FileText borrowed(std::string_view static_text);
    FileText(FileText&& other) noexcept { *this = std::move(other); }
    FileText& operator=(FileText&& other) noexcept;
    FileText(const FileText&) = delete;
    FileText& operator=(const FileText&) = delete;
    ~FileText() { reset(); }

    std::string_view view() const { return map_ ? std::string_view(map_, size_) : std::string_view(owned_); }
    // Readable bytes after the end of view() (at least kPadding for a mapping; a string's
    // spare capacity otherwise).
    size_t padding() const { return map_ ? map_len_ - size_ : owned_.capacity() - owned_.size(); }
    bool mapped() const { return map_ != nullptr; }
    size_t size() const { return map_ ? size_ : owned_.size(); }
    // Copies bytes [offset, offset + len) to `out`: from the file with pread for a mapping
    // (its pages stay out of this process's resident memory), from the string otherwise.
    // False when the bytes cannot be read.
    bool copy_out(size_t offset, size_t len, char* out) const;
    // A mapping's pages leave this process's resident memory (they stay in the page cache
    // and are mapped again when read); nothing for a string.
    void drop_resident_pages() const;
    void reset();

private:
    friend FileText map_or_read_file(const std::string& path, size_t max_bytes);
    std::string owned_;
    const char* map_ = nullptr;  // the mapping: the file, then zero bytes up to map_len_
    bool borrowed_ = false;      // map_ is borrowed static text, not a mapping
    int fd_ = -1;                // the mapped file, kept open for copy_out
    size_t map_len_ = 0;
    size_t size_ = 0;
};

// One input file held in memory. Owns its text; the line table is built lazily.
class SourceFile {
public:
    SourceFile(std::string path, std::string text);
    SourceFile(std::string path, FileText text);
    const std::string& path() const { return path_; }
    std::string_view text() const { return text_.view(); }
    size_t padding() const { return text_.padding(); }
    size_t size() const { return text_.size(); }
    bool copy_out(size_t offset, size_t len, char* out) const { return text_.copy_out(offset, len, out); }
    // Releases the text (large inventories are dropped once parsed). Positions stay known
    // only if a position was asked for before; otherwise position() answers {0,0}.
    void release_text();
    // See FileText::drop_resident_pages: the text stays readable.
    void drop_resident_pages() const { text_.drop_resident_pages(); }
    Position position(uint32_t offset) const;
    // Byte offset where 1-based `line` starts; nullopt past the last line or without text.
    std::optional<uint32_t> line_offset(uint32_t line) const;

private:
    void build_lines() const;
    std::string path_;
    FileText text_;
    mutable std::vector<uint32_t> line_starts_;  // offsets where each line starts
    mutable bool lines_built_ = false;
    bool released_ = false;
};

// Owns all sources of one run; a Node or diagnostic names its file by index.
class SourceRegistry {
public:
    uint32_t add(std::string path, std::string text);
    uint32_t add(std::string path, FileText text);
    // Text that outlives the registry (a literal of the binary), registered without a copy.
    uint32_t add_static(std::string_view path, std::string_view static_text);
    const SourceFile& file(uint32_t id) const { return *files_.at(id); }
    SourceFile& file(uint32_t id) { return *files_.at(id); }
    size_t size() const { return files_.size(); }

private:
    std::vector<std::unique_ptr<SourceFile>> files_;
};

// A place in an input: file index plus byte offset, and optionally a JSON pointer.
struct Origin {
    static constexpr uint32_t kNoFile = 0xffffffffu;
    uint32_t file = kNoFile;
    uint32_t offset = 0;
    bool known() const { return file != kNoFile; }
};

// Reads a whole file; throws InputError (see diagnostic.hpp) naming the path on failure.
std::string read_file_bytes(const std::string& path, size_t max_bytes);
// As read_file_bytes, but a regular file of 1 MiB or more is mapped instead of copied.
// The mapping is private and read-only; a file truncated by another process while opguard
// reads it can end the process with SIGBUS (as for any program that maps its input).
FileText map_or_read_file(const std::string& path, size_t max_bytes);

}  // namespace opguard
