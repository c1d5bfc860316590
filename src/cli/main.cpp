#include <cstdlib>
#include <iostream>
#include <string>

#if defined(OPGUARD_WITH_MIMALLOC)
#include <mimalloc.h>
#endif

#include "cli/commands.hpp"
#include "core/diagnostic.hpp"

namespace {

// The allocator this binary runs on, for --version (a build without mimalloc says so).
std::string allocator_line() {
#if defined(OPGUARD_WITH_MIMALLOC)
    const int v = mi_version();  // e.g. 209 for 2.0.9
    // Whether malloc itself is mimalloc's (the shared library replaces it when linked first).
    void* probe = std::malloc(64);
    const bool serves_malloc = probe && mi_is_in_heap_region(probe);
    std::free(probe);
    return "allocator: mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
           std::to_string(v % 10) + (mi_option_is_enabled(mi_option_large_os_pages) ? ", 2 MiB pages" : "") +
           (serves_malloc ? "" : " (not serving malloc: the C library's malloc is in use)");
#else
    return "allocator: the C library's malloc";
#endif
}

}  // namespace

int main(int argc, char** argv) {
#if defined(OPGUARD_WITH_MIMALLOC)
    // Transparent huge pages for the heap (mimalloc asks with madvise): a large inventory
    // becomes millions of small values, and one fault per 2 MiB instead of per 4 KiB
    // halved the time of a 100,000-desktop check on the benchmark machine
    // (bench/ANALYSIS.md). MIMALLOC_LARGE_OS_PAGES=0 in the environment keeps 4 KiB pages.
    if (!std::getenv("MIMALLOC_LARGE_OS_PAGES")) mi_option_set_enabled(mi_option_large_os_pages, true);
#endif
    using namespace opguard::cli;
    CLI::App app{"opguard: checks cloud desktop and instance operation plans before they run"};
    app.set_version_flag("--version", std::string(OPGUARD_VERSION) + "\n" + allocator_line());
    app.require_subcommand(1);
    CommonOptions common;
    app.add_option("--rules", common.rule_dirs, "A directory (or file) of .rules files to add; repeatable");
    app.add_flag("--no-builtin-rules", common.no_builtin_rules, "Do not load the rules built into opguard");
    CheckOptions check;
    int result = kExitOk;
    setup_check(app, common, check, result);
    setup_rules(app, common, result);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kExitOk : kExitInput;
    } catch (const opguard::InputError& e) {
        std::cerr << opguard::format_input_error(e) << "\n";
        return kExitInput;
    } catch (const std::exception& e) {
        std::cerr << "opguard: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
    return result;
}
