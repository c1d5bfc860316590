#pragma once
// Source files and positions. Every value opguard reads (rule text, plan JSON,
// inventory JSON, scripts) keeps a byte offset into the SourceFile it came from;
// line:col is computed only when a message needs it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace opguard {

// A 1-based line and a 1-based column counted in bytes. {0,0} means "no position".
struct Position {
    uint32_t line = 0;
    uint32_t column = 0;
    bool known() const { return line != 0; }
};

// One input file held in memory. Owns its text; the line table is built lazily.
class SourceFile {
public:
    SourceFile(std::string path, std::string text);
    const std::string& path() const { return path_; }
    const std::string& text() const { return text_; }
    // Releases the text (large inventories are dropped once parsed). Positions stay known
    // only if a position was asked for before; otherwise position() answers {0,0}.
    void release_text();
    Position position(uint32_t offset) const;

private:
    void build_lines() const;
    std::string path_;
    std::string text_;
    mutable std::vector<uint32_t> line_starts_;  // offsets where each line starts
    mutable bool lines_built_ = false;
    bool released_ = false;
};

// Owns all sources of one run; a Node or diagnostic names its file by index.
class SourceRegistry {
public:
    uint32_t add(std::string path, std::string text);
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

}  // namespace opguard
