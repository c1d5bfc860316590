#include "core/source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
    auto fail = [&](const char* id, const std::string& msg) { throw InputError(path, {}, id, msg); };
    auto too_large = [&](const std::string& size) {
        fail("input.too-large", "file is " + size + " bytes; the limit is " + std::to_string(max_bytes) +
                                    " bytes (raise it with --max-input-bytes)");
    };
    // O_NONBLOCK: opening a FIFO that has no writer would otherwise wait forever. It is
    // cleared before reading, so a pipe that has a writer (`<(command)`, /dev/stdin) is read
    // to its end, while one without a writer reads as empty at once.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        struct stat st{};
        if (err == EISDIR || (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
            fail("input.is-directory", "expected a file, found a directory");
        fail("input.unreadable", std::string("cannot read file: ") + std::strerror(err));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st{};
    if (::fstat(fd, &st) != 0) fail("input.unreadable", std::string("cannot read file: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail("input.is-directory", "expected a file, found a directory");
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    const bool regular = S_ISREG(st.st_mode);
    if (regular && static_cast<uint64_t>(st.st_size) > max_bytes) too_large(std::to_string(st.st_size));

    std::string data;
    // 64 spare bytes of capacity let the JSON reader parse in place (simdjson's padding).
    size_t want = regular ? static_cast<size_t>(st.st_size) : size_t(64) * 1024;
    data.reserve(want + 64);
    size_t have = 0;
    for (;;) {
        if (!regular && data.size() - have < 4096) {
            if (have > max_bytes) too_large("more than " + std::to_string(max_bytes));
            size_t grow = std::min(std::max(data.size(), size_t(64) * 1024), max_bytes + 1);
            data.reserve(have + grow + 64);
            data.resize(have + grow);
        } else if (regular) {
            data.resize(want);
            if (have == want) break;
        }
        ssize_t n = ::read(fd, data.data() + have, data.size() - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("input.unreadable", std::string("cannot read file: ") + std::strerror(errno));
        }
        if (n == 0) break;
        have += static_cast<size_t>(n);
    }
    if (regular && have != want) fail("input.unreadable", "file changed size while being read");
    if (have > max_bytes) too_large("more than " + std::to_string(max_bytes));
    data.resize(have);
    if (have == 0 && S_ISFIFO(st.st_mode))
        fail("input.unreadable", "found a pipe (FIFO) with nothing written to it: expected a file");
    return data;
}

}  // namespace opguard
