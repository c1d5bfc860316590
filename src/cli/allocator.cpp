// The allocator of the opguard binary: mimalloc when the build links it (OPGUARD_MIMALLOC),
// with 2 MiB pages (set before the heap's first segment) until a check's input is large.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
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
bool pages_from_environment = false;
void choose_heap_pages(int, char**, char** envp) {
    static constexpr std::string_view kOverride = "MIMALLOC_LARGE_OS_PAGES=";
    for (char** e = envp; e && *e; ++e)
        if (std::string_view(*e).substr(0, kOverride.size()) == kOverride) {
            pages_from_environment = true;
            return;
        }
    mi_option_set_enabled(mi_option_large_os_pages, true);
}

}  // namespace

__attribute__((section(".preinit_array"), used)) void (*const opguard_choose_heap_pages)(int, char**, char**) =
    &choose_heap_pages;
#endif

}  // namespace opguard::cli

#if defined(OPGUARD_WITH_MIMALLOC)
// The global operator new and delete, on mimalloc. The shared library's own operator new
// aborts the process when memory runs out (its C code sees no new-handler): these throw
// std::bad_alloc, as the standard says, so that opguard says it ran out of memory and exits
// 3 (cli/main.cpp) instead of dying with SIGABRT and nothing said.
namespace {
[[nodiscard]] void* allocate(std::size_t n) {
    if (void* p = mi_malloc(n)) return p;
    throw std::bad_alloc();
}
[[nodiscard]] void* allocate(std::size_t n, std::align_val_t a) {
    if (void* p = mi_malloc_aligned(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate(n, a); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return mi_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return mi_malloc(n); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return mi_malloc_aligned(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return mi_malloc_aligned(n, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { mi_free(p); }
void operator delete[](void* p) noexcept { mi_free(p); }
void operator delete(void* p, std::size_t) noexcept { mi_free(p); }
void operator delete[](void* p, std::size_t) noexcept { mi_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { mi_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { mi_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { mi_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { mi_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { mi_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { mi_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { mi_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { mi_free(p); }
#endif

namespace opguard::cli {

// A large input is hundreds of MB of heap, most of it fresh memory, and a fresh 2 MiB page
// can cost far more to fault in than the 512 small pages it replaces: on the benchmark
// machine (a virtual machine) 489 such faults took 5.4 s of system time at 100,000 compact
// desktops (11 ms each), while the same check on 4 KiB pages spent about 1 s in the
// kernel and finished in 6.1 s instead of 9.9 s (alternated pairs, bench/RESULTS.md). Small
// heaps (the sample, 10,000 desktops) reuse the pages they are given and stay faster on
// 2 MiB pages. The option applies to the segments mimalloc asks the system for from then
// on.
std::string choose_heap_pages_for_input(std::uintmax_t input_bytes) {
#if defined(OPGUARD_WITH_MIMALLOC)
    const std::string input = "the input (plan and inventory) is " + std::to_string(input_bytes) + " bytes";
    if (pages_from_environment)
        return std::string(mi_option_is_enabled(mi_option_large_os_pages) ? "2 MiB" : "4 KiB") +
               " (MIMALLOC_LARGE_OS_PAGES in the environment); " + input;
    if (input_bytes > kLargeInputBytes) {
        mi_option_set_enabled(mi_option_large_os_pages, false);
        return "4 KiB from here on: " + input + ", over 64 MiB";
    }
    return "2 MiB: " + input + ", at most 64 MiB";
#else
    (void)input_bytes;  // the C library's malloc, with its own pages
    return "";
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
           std::to_string(v % 10) +
           (pages_from_environment ? (mi_option_is_enabled(mi_option_large_os_pages) ? " (2 MiB pages)" : " (4 KiB pages)")
                                   : " (2 MiB pages, 4 KiB for a check of more than 64 MiB of input)") +
           (serves_malloc ? "" : " (not serving malloc: the C library's malloc is in use)");
#else
    return "allocator: the C library's malloc";
#endif
}

}  // namespace opguard::cli
