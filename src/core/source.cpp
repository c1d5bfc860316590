#include "core/source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "core/diagnostic.hpp"

namespace opguard {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {}

void SourceFile::build_lines() const {
    if (lines_built_) return;
    line_starts_.clear();
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i)
        if (text_[i] == '\n') line_starts_.push_back(static_cast<uint32_t>(i + 1));
    lines_built_ = true;
}

void SourceFile::release_text() {
    std::string().swap(text_);
    released_ = true;
}

Position SourceFile::position(uint32_t offset) const {
    if (released_ && !lines_built_) return {};
    build_lines();
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based
    uint32_t start = line_starts_[line - 1];
    return Position{static_cast<uint32_t>(line), offset - start + 1};
}

uint32_t SourceRegistry::add(std::string path, std::string text) {
    files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
    return static_cast<uint32_t>(files_.size() - 1);
}

std::string read_file_bytes(const std::string& path, size_t max_bytes) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0)
        throw InputError(path, {}, "input.unreadable", std::string("cannot read file: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode))
        throw InputError(path, {}, "input.is-directory", "expected a file, found a directory");
    if (static_cast<uint64_t>(st.st_size) > max_bytes)
        throw InputError(path, {}, "input.too-large",
                         "file is " + std::to_string(st.st_size) + " bytes; the limit is " +
                             std::to_string(max_bytes) + " bytes (raise it with --max-input-bytes)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, {}, "input.unreadable", std::string("cannot open file: ") + std::strerror(errno));
    std::string data;
    // 64 spare bytes of capacity let the JSON reader parse in place (simdjson's padding).
    data.reserve(static_cast<size_t>(st.st_size) + 64);
    data.resize(static_cast<size_t>(st.st_size));
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    if (static_cast<size_t>(in.gcount()) != data.size())
        throw InputError(path, {}, "input.unreadable", "file changed size while being read");
    return data;
}

}  // namespace opguard
