// The allocator of the opguard binary: mimalloc when the build links it (OPGUARD_MIMALLOC),
// with 2 MiB pages (set before the heap's first segment).
#include <cstdlib>
#include <string>
#include <string_view>

#if defined(OPGUARD_WITH_MIMALLOC)
#include <mimalloc.h>
#endif

#include "cli/commands.hpp"

namespace opguard::cli {

#if defined(OPGUARD_WITH_MIMALLOC)
namespace {

// 2 MiB heap pages for the whole process. A check allocates millions of small values for a
// large inventory, and about 1.5 MB even for the sample (the rules' syntax trees). On the
// benchmark machine each 4 KiB page fault cost about 10 us: one fault per 2 MiB instead
// halved a 100,000-desktop check and took the sample from 16.9 to 11.6 ms
// (bench/ANALYSIS.md). The price is a larger resident set on small runs (about 12 MB
// instead of 8 for the sample). MIMALLOC_LARGE_OS_PAGES in the environment decides
// instead, when set (0: never).
//
// mimalloc reserves its first segment before main (for the C++ runtime's own
// allocations), with the page size the option names at that moment; a function in
// .preinit_array runs before any library's initialisation, so the option is set in time.
// (mi_option_set only writes mimalloc's option table.)
// The C library's environment is not set up yet: `envp` is read instead of getenv.
void choose_heap_pages(int, char**, char** envp) {
    static constexpr std::string_view kOverride = "MIMALLOC_LARGE_OS_PAGES=";
    for (char** e = envp; e && *e; ++e)
        if (std::string_view(*e).substr(0, kOverride.size()) == kOverride) return;
    mi_option_set_enabled(mi_option_large_os_pages, true);
}

}  // namespace

__attribute__((section(".preinit_array"), used)) void (*const opguard_choose_heap_pages)(int, char**, char**) =
    &choose_heap_pages;
#endif

std::string allocator_description() {
#if defined(OPGUARD_WITH_MIMALLOC)
    const int v = mi_version();  // e.g. 209 for 2.0.9
    // Whether malloc itself is mimalloc's (the shared library replaces it when linked first).
    void* probe = std::malloc(64);
    const bool serves_malloc = probe && mi_is_in_heap_region(probe);
    std::free(probe);
    return "allocator: mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
           std::to_string(v % 10) + (mi_option_is_enabled(mi_option_large_os_pages) ? " (2 MiB pages)" : " (4 KiB pages)") +
           (serves_malloc ? "" : " (not serving malloc: the C library's malloc is in use)");
#else
    return "allocator: the C library's malloc";
#endif
}

}  // namespace opguard::cli
