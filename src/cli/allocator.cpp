// The allocator of the opguard binary: mimalloc when the build links it (OPGUARD_MIMALLOC),
// asked for 2 MiB pages when a check's inputs are large.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#if defined(OPGUARD_WITH_MIMALLOC)
#include <mimalloc.h>
#endif

#include "cli/commands.hpp"

namespace opguard::cli {

namespace {

// Bytes of the regular files at `files` (anything else counts nothing), counted until
// `enough` is reached.
uint64_t input_bytes(const std::vector<std::string>& files, uint64_t enough) {
    uint64_t total = 0;
    for (const auto& f : files) {
        if (total >= enough) break;
        std::error_code ec;
        if (std::filesystem::is_regular_file(f, ec)) total += std::filesystem::file_size(f, ec);
    }
    return total;
}

}  // namespace

void size_heap_pages_for(const std::vector<std::string>& files) {
#if defined(OPGUARD_WITH_MIMALLOC)
    // A large inventory becomes millions of small values: one page fault per 2 MiB instead of
    // per 4 KiB halved the time of a 100,000-desktop check on the benchmark machine
    // (bench/ANALYSIS.md). On a small run the zeroing of whole 2 MiB pages costs more than it
    // saves, so the pages stay 4 KiB below kLargeInputs. MIMALLOC_LARGE_OS_PAGES in the
    // environment decides instead, when set (0: never).
    constexpr uint64_t kLargeInputs = uint64_t(32) << 20;
    if (std::getenv("MIMALLOC_LARGE_OS_PAGES")) return;
    if (input_bytes(files, kLargeInputs) >= kLargeInputs) mi_option_set_enabled(mi_option_large_os_pages, true);
#else
    (void)files;
#endif
}

std::string allocator_description() {
#if defined(OPGUARD_WITH_MIMALLOC)
    const int v = mi_version();  // e.g. 209 for 2.0.9
    // Whether malloc itself is mimalloc's (the shared library replaces it when linked first).
    void* probe = std::malloc(64);
    const bool serves_malloc = probe && mi_is_in_heap_region(probe);
    std::free(probe);
    return "allocator: mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
           std::to_string(v % 10) + " (2 MiB pages for inputs of 32 MiB or more)" +
           (serves_malloc ? "" : " (not serving malloc: the C library's malloc is in use)");
#else
    return "allocator: the C library's malloc";
#endif
}

}  // namespace opguard::cli
