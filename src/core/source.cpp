#include "core/source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diagnostic.hpp"

namespace opguard {

FileText::FileText(std::string s) : owned_(std::move(s)) {}

FileText FileText::borrowed(std::string_view static_text) {
    FileText t;
    t.map_ = static_text.data();
    t.borrowed_ = true;
    t.map_len_ = t.size_ = static_text.size();
    return t;
}

FileText& FileText::operator=(FileText&& other) noexcept {
    if (this == &other) return *this;
    reset();
    owned_ = std::move(other.owned_);
    map_ = std::exchange(other.map_, nullptr);
    borrowed_ = std::exchange(other.borrowed_, false);
    fd_ = std::exchange(other.fd_, -1);
    map_len_ = std::exchange(other.map_len_, 0);
    size_ = std::exchange(other.size_, 0);
    return *this;
}

void FileText::drop_resident_pages() const {
    if (map_ && !borrowed_) ::madvise(const_cast<char*>(map_), map_len_, MADV_DONTNEED);
}

bool FileText::copy_out(size_t offset, size_t len, char* out) const {
    if (offset > size() || len > size() - offset) return false;
    if (!map_) {
        std::memcpy(out, owned_.data() + offset, len);
        return true;
    }
    if (fd_ < 0) {
        std::memcpy(out, map_ + offset, len);
        return true;
    }
    while (len > 0) {
        ssize_t n = ::pread(fd_, out, len, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        offset += static_cast<size_t>(n);
        len -= static_cast<size_t>(n);
    }
    return true;
}

void FileText::reset() {
    if (map_ && !borrowed_) ::munmap(const_cast<char*>(map_), map_len_);
    borrowed_ = false;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    map_ = nullptr;
    map_len_ = size_ = 0;
    std::string().swap(owned_);
}

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {}
SourceFile::SourceFile(std::string path, FileText text) : path_(std::move(path)), text_(std::move(text)) {}

void SourceFile::build_lines() const {
    if (lines_built_) return;
    line_starts_.clear();
    line_starts_.push_back(0);
    const std::string_view t = text();
    for (const char* p = t.data(), *end = t.data() + t.size();
         (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr; ++p)
        line_starts_.push_back(static_cast<uint32_t>(p - t.data() + 1));
    lines_built_ = true;
}

void SourceFile::release_text() {
    text_.reset();
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

std::optional<uint32_t> SourceFile::line_offset(uint32_t line) const {
    if (released_ || line == 0) return std::nullopt;
    build_lines();
    if (line > line_starts_.size()) return std::nullopt;
    return line_starts_[line - 1];
}

uint32_t SourceRegistry::add(std::string path, std::string text) {
    files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
    return static_cast<uint32_t>(files_.size() - 1);
}

uint32_t SourceRegistry::add(std::string path, FileText text) {
    files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
    return static_cast<uint32_t>(files_.size() - 1);
}

uint32_t SourceRegistry::add_static(std::string_view path, std::string_view static_text) {
    return add(std::string(path), FileText::borrowed(static_text));
}

std::string read_file_bytes(const std::string& path, size_t max_bytes) {
    auto fail = [&](const char* id, const std::string& msg) { throw InputError(path, {}, id, msg); };
    auto too_large = [&](const std::string& size) {
        fail("input.too-large", "file is " + size + " bytes; the limit for this input is " + std::to_string(max_bytes) +
                                    " bytes (a fixed limit: README \"Robustness\" lists them)");
    };
    // Only regular files and pipes are read. A device (/dev/zero, /dev/urandom, a tty) or a
    // socket is refused before it is opened: reading one could last forever, or until the
    // size limit, which is gigabytes for an inventory.
    {
        struct stat st{};
        if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISDIR(st.st_mode))
            fail("input.not-a-file", std::string("expected a regular file or a pipe, found ") +
                                         (S_ISCHR(st.st_mode) ? "a character device" : S_ISBLK(st.st_mode) ? "a block device"
                                                                   : S_ISSOCK(st.st_mode) ? "a socket" : "something else") +
                                         ": opguard does not read it");
    }
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
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        fail("input.unreadable", std::string("cannot read file: ") + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) fail("input.is-directory", "expected a file, found a directory");
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))  // replaced between stat() and open()
        fail("input.not-a-file", "expected a regular file or a pipe: opguard does not read devices or sockets");
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
            const int err = errno;
            if (err == EINTR) continue;
            fail("input.unreadable", std::string("cannot read file: ") + std::strerror(err));
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

FileText map_or_read_file(const std::string& path, size_t max_bytes) {
    constexpr size_t kMapAtLeast = size_t(1) << 20;
    struct stat st{};
    // Only a regular file that stat() sees as large is mapped; everything else (pipes,
    // small files, errors, which read_file_bytes reports) is read.
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) < kMapAtLeast ||
        static_cast<uint64_t>(st.st_size) > max_bytes)
        return FileText(read_file_bytes(path, max_bytes));
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return FileText(read_file_bytes(path, max_bytes));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat now{};
    if (::fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_size != st.st_size)
        return FileText(read_file_bytes(path, max_bytes));
    const size_t size = static_cast<size_t>(now.st_size);
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    // Reserve the file's pages plus one zero page, then map the file over the start: the
    // bytes after the end of the file (the rest of its last page, then the whole zero page)
    // read as zeros, which gives the padding without copying.
    const size_t len = (size + page - 1) / page * page + page;
    void* area = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) return FileText(read_file_bytes(path, max_bytes));
    void* file = ::mmap(area, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0);
    if (file == MAP_FAILED) {
        ::munmap(area, len);
        return FileText(read_file_bytes(path, max_bytes));
    }
    FileText t;
    t.map_ = static_cast<const char*>(area);
    t.map_len_ = len;
    t.size_ = size;
    t.fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);  // kept for copy_out (the Closer closes `fd`); without it, copies come from the mapping
    return t;
}

}  // namespace opguard
