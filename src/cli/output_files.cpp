// Where reports go (`check --output`), and how they get there without harming what is
// already at that path. The promises (README "Usage", SECURITY.md "Output files"):
//
//   - Only a regular file is ever replaced, and atomically: the report is written to a
//     temporary file in the same directory as the file it replaces, then renamed over it.
//   - A symbolic link is followed (any number of hops, dangling or not): the file it ends
//     at is written, atomically beside that file; the link itself stays a link.
//   - A FIFO or a character device (/dev/null, /dev/stdout, /dev/tty, /dev/full) is
//     opened for writing as it is (no O_CREAT, no O_TRUNC) and written directly, after every
//     file report is complete; it stays what it is. A write error (ENOSPC from /dev/full)
//     is reported.
//   - A directory, a block device or a socket is refused.
//   - Two reports that name the same file (a.json and ./a.json, a symbolic link to it, a hard
//     link to it, or standard output redirected to it) are refused before anything is
//     written (id output.conflict).
//   - Every failure names the real cause: errno is read right after the call that set it.
//
// Standard output: SIGPIPE is ignored (main.cpp), so a reader that closes the pipe early, or
// a closed standard output, is the error output.unwritable (exit 2), not a signal.
// "-", /dev/stdout, /dev/stderr and /dev/fd/N are written to the descriptor opguard
// inherited, as it is (appending when the shell opened it with >>), never reopened.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "core/diagnostic.hpp"

namespace opguard::cli {

namespace {

bool is_stdout(const std::string& path) { return path == "-" || path.empty(); }

std::string shown(const std::string& path) { return is_stdout(path) ? std::string("standard output") : path; }

[[noreturn]] void unwritable(const std::string& path, const std::string& why) {
    throw InputError(shown(path), {}, "output.unwritable", why);
}

// strerror of an errno value captured by the caller right after the failing call.
std::string why(int err) {
    if (err == EBADF) return std::string(std::strerror(err)) + " (it is closed)";
    if (err == EPIPE) return std::string(std::strerror(err)) + " (the reader closed it before the report was written)";
    return std::strerror(err);
}

std::string dir_of(const std::string& p) {
    const size_t slash = p.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : p.substr(0, slash);
}

std::string base_of(const std::string& p) {
    const size_t slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

// The absolute, link-free path of an existing directory.
std::string real_dir(const std::string& user_path, const std::string& dir) {
    char buf[PATH_MAX];
    if (!::realpath(dir.c_str(), buf)) {
        const int err = errno;
        unwritable(user_path, "cannot write the report here: its directory " + dir + ": " + why(err));
    }
    return buf;
}

// The standard streams that were closed when opguard started (bit fd): guard_standard_streams
// gives each /dev/null read-only, so "open for reading only" must not be said of them.
int g_closed_streams = 0;

// Where one report goes, decided before anything is written.
struct Target {
    enum Kind { Stream, File, Direct } kind = File;  // Stream: an open descriptor; File: staged and renamed; Direct: opened as it is
    int fd = -1;           // Stream: standard output (-, /dev/stdout), standard error, /dev/fd/N
    std::string user;      // the path as given on the command line
    std::string real;      // File: absolute path of the file created or replaced; Direct: the path to open
    bool exists = false;   // File: a regular file is there now
    mode_t mode = 0666;    // File: the permissions the report gets (those of the file it replaces)
    bool has_id = false;   // dev/ino known (an existing file, or standard output on a regular file)
    dev_t dev = 0;
    ino_t ino = 0;
    bool chr = false;      // a character device
    bool null_device = false;  // /dev/null (or the same device): rendered straight into it
};

bool same_device_as_null(const struct stat& st) {
    struct stat null_st;
    return S_ISCHR(st.st_mode) && ::stat("/dev/null", &null_st) == 0 && S_ISCHR(null_st.st_mode) && st.st_rdev == null_st.st_rdev;
}

Target resolve(const std::string& user) {
    Target t;
    t.user = user;
    // Standard output and the other descriptors opguard inherited are written where they
    // are (`-o /dev/stdout >> log` appends, as the shell asked), never reopened or replaced.
    int fd = is_stdout(user) ? STDOUT_FILENO : user == "/dev/stdout" ? STDOUT_FILENO : user == "/dev/stderr" ? STDERR_FILENO : -1;
    for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
        const std::string_view pre(prefix);
        if (fd < 0 && user.size() > pre.size() && user.compare(0, pre.size(), pre) == 0 &&
            user.find_first_not_of("0123456789", pre.size()) == std::string::npos && user.size() - pre.size() < 6)
            fd = std::stoi(user.substr(pre.size()));
    }
    if (fd >= 0) {
        t.kind = Target::Stream;
        t.fd = fd;
        struct stat st;
        if (::fstat(fd, &st) != 0) {
            const int err = errno;
            unwritable(user, "cannot write the report here: " + why(err));
        }
        // Open, but for reading only (standard input as /dev/fd/0): not "closed".
        const bool was_closed = fd <= 2 && (g_closed_streams & (1 << fd)) != 0;
        if (const int fl = ::fcntl(fd, F_GETFL); !was_closed && fl >= 0 && (fl & O_ACCMODE) == O_RDONLY)
            unwritable(user, "cannot write the report here: descriptor " + std::to_string(fd) + (fd == STDIN_FILENO ? " (standard input)" : "") +
                                 " is open for reading only");
        t.has_id = true;
        t.dev = st.st_dev;
        t.ino = st.st_ino;
        t.chr = S_ISCHR(st.st_mode);
        return t;
    }
    if (user.back() == '/') unwritable(user, "cannot write the report here: the path names a directory");
    struct stat st;
    if (::stat(user.c_str(), &st) == 0) {  // follows every symbolic link, /proc's (/dev/stdout) included
        t.has_id = true;
        t.dev = st.st_dev;
        t.ino = st.st_ino;
        if (S_ISREG(st.st_mode)) {
            char buf[PATH_MAX];
            if (!::realpath(user.c_str(), buf)) {
                const int err = errno;
                unwritable(user, "cannot write the report here: " + why(err));
            }
            t.exists = true;
            t.mode = st.st_mode & 0777;
            t.real = buf;
            return t;
        }
        if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
            t.kind = Target::Direct;
            t.real = user;
            t.chr = S_ISCHR(st.st_mode);
            t.null_device = same_device_as_null(st);
            return t;
        }
        const char* what = S_ISDIR(st.st_mode) ? "a directory" : S_ISBLK(st.st_mode) ? "a block device" : S_ISSOCK(st.st_mode) ? "a socket" : "not a regular file";
        unwritable(user, std::string("cannot write the report here: it is ") + what +
                             " (opguard writes reports to regular files, FIFOs and character devices only)");
    }
    const int err = errno;
    if (err != ENOENT) unwritable(user, "cannot write the report here: " + why(err));
    // Nothing there yet, or a dangling symbolic link: the links are followed by hand to the
    // name to create, in an existing directory.
    std::string p = user;
    for (int hops = 0;; ++hops) {
        if (hops > 40) unwritable(user, "cannot write the report here: too many levels of symbolic links");
        if (::lstat(p.c_str(), &st) != 0) {
            const int e = errno;
            if (e != ENOENT) unwritable(user, "cannot write the report here: " + why(e));
            t.real = real_dir(user, dir_of(p)) + "/" + base_of(p);
            return t;
        }
        if (!S_ISLNK(st.st_mode)) unwritable(user, "cannot write the report here: it changed while opguard looked at it");
        std::string link(PATH_MAX, '\0');
        const ssize_t n = ::readlink(p.c_str(), link.data(), link.size());
        if (n < 0) {
            const int e = errno;
            unwritable(user, "cannot follow the symbolic link " + p + ": " + why(e));
        }
        link.resize(static_cast<size_t>(n));
        if (link.empty()) unwritable(user, "cannot follow the symbolic link " + p + ": it is empty");
        p = link.front() == '/' ? link : dir_of(p) + "/" + link;
    }
}

// Two reports to one file would leave one of them (or a mix): refused before writing.
void refuse_conflicts(const std::vector<Target>& targets) {
    for (size_t i = 0; i < targets.size(); ++i)
        for (size_t k = 0; k < i; ++k) {
            const Target& a = targets[k];
            const Target& b = targets[i];
            bool same = false;
            if (a.has_id && b.has_id) same = a.dev == b.dev && a.ino == b.ino && !(a.chr && b.chr);
            else if (a.kind == Target::File && b.kind == Target::File && !a.exists && !b.exists) same = a.real == b.real;
            if (same)
                throw InputError("command line", {}, "output.conflict",
                                 "--output " + shown(b.user) + " and --output " + shown(a.user) +
                                     " are the same file: each report needs a file of its own (nothing was written)");
        }
}

void write_all(int fd, const std::string& user, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            const int err = errno;
            if (err == EINTR) continue;
            unwritable(user, "writing the report failed: " + why(err));
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

// Opens a FIFO or character device for writing as it is: no O_CREAT, no O_TRUNC.
int open_direct(const Target& t) {
    const int fd = ::open(t.real.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        unwritable(t.user, "cannot open it for writing: " + why(err));
    }
    return fd;
}

void close_checked(int fd, const std::string& user) {
    if (::close(fd) != 0) {
        const int err = errno;
        if (err != EINTR) unwritable(user, "writing the report failed: " + why(err));
    }
}

}  // namespace

void write_outputs(const std::vector<OutputJob>& jobs) {
    // 0. Every target is examined, and conflicts refused, before anything is written.
    std::vector<Target> targets;
    targets.reserve(jobs.size());
    for (const auto& job : jobs) targets.push_back(resolve(job.path));
    refuse_conflicts(targets);

    std::vector<std::string> staged(jobs.size());           // temporary file per File target
    auto discard = [&] {
        for (const auto& tmp : staged)
            if (!tmp.empty()) ::unlink(tmp.c_str());
    };
    try {
        // 1. File reports are streamed, as they are rendered, into temporary files beside
        //    the files they replace (/dev/null takes its report as it comes too).
        for (size_t i = 0; i < jobs.size(); ++i) {
            const Target& t = targets[i];
            if (t.kind == Target::Direct && t.null_device) {
                const int fd = open_direct(t);
                try {
                    jobs[i].produce([&](std::string_view piece) { write_all(fd, t.user, piece); });
                } catch (...) {
                    ::close(fd);
                    throw;
                }
                close_checked(fd, t.user);
                continue;
            }
            if (t.kind != Target::File) continue;  // step 2
            int fd = -1;
            for (int attempt = 0; fd < 0; ++attempt) {
                std::string tmp = t.real + ".opguard-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(i) +
                                  (attempt ? "-" + std::to_string(attempt) : "");
                fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
                if (fd < 0) {
                    const int err = errno;
                    if (err == EEXIST && attempt < 100) continue;
                    unwritable(t.user, "cannot write the report here: creating a temporary file in " + dir_of(t.real) +
                                           " failed: " + why(err));
                }
                staged[i] = std::move(tmp);
            }
            try {
                // The report keeps the permissions of the file it replaces.
                if (t.exists && ::fchmod(fd, t.mode) != 0) {
                    const int err = errno;
                    unwritable(t.user, "cannot give the report the file's permissions: " + why(err));
                }
                jobs[i].produce([&](std::string_view piece) { write_all(fd, t.user, piece); });
            } catch (...) {
                ::close(fd);
                throw;
            }
            close_checked(fd, t.user);
        }
        // 2. Standard output, FIFOs and devices (they cannot be staged), once every file
        //    report is complete: each report is written as it is rendered, not first kept
        //    whole in memory (at 100,000 desktops a JSON report on standard output took
        //    1.4 s and 500 MB more that way).
        for (size_t i = 0; i < jobs.size(); ++i) {
            const Target& t = targets[i];
            if (t.kind == Target::Stream) {
                jobs[i].produce([&](std::string_view piece) { write_all(t.fd, t.user, piece); });
            } else if (t.kind == Target::Direct && !t.null_device) {
                const int fd = open_direct(t);
                try {
                    jobs[i].produce([&](std::string_view piece) { write_all(fd, t.user, piece); });
                } catch (...) {
                    ::close(fd);
                    throw;
                }
                close_checked(fd, t.user);
            }
        }
    } catch (...) {
        discard();
        throw;
    }
    // 3. Every report is complete: move them into place.
    for (size_t i = 0; i < jobs.size(); ++i) {
        if (staged[i].empty()) continue;
        if (::rename(staged[i].c_str(), targets[i].real.c_str()) != 0) {
            const int err = errno;
            for (size_t k = i; k < jobs.size(); ++k)
                if (!staged[k].empty()) ::unlink(staged[k].c_str());
            unwritable(targets[i].user, "cannot move the report into place: " + why(err));
        }
    }
}

void write_outputs(const std::vector<std::pair<std::string, std::string>>& outputs) {
    std::vector<OutputJob> jobs;
    for (const auto& [path, data] : outputs)
        jobs.push_back({path, [&data = data](const Sink& sink) { sink(data); }});
    write_outputs(jobs);
}

void write_output(const std::string& path, const std::string& data) {
    // (man, completion, rules doc: standard output is "-"; an empty --output is a mistake.)
    if (path.empty()) throw InputError("command line", {}, "usage", "--output takes a path ('-' for standard output); found an empty one");
    write_outputs({{path, data}});
}

void guard_standard_streams() {
    // A closed standard stream would be taken by the next file opguard opens (a report's
    // temporary file would then receive what is meant for standard output). Each closed one
    // gets /dev/null opened read-only: writes to it fail with EBADF, reported as such.
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        g_closed_streams |= 1 << fd;
        const int got = ::open("/dev/null", O_RDONLY);
        if (got >= 0 && got != fd) {
            ::dup2(got, fd);
            ::close(got);
        }
    }
}

}  // namespace opguard::cli
