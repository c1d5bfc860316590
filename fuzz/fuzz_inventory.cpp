// libFuzzer target: one saved API response of one resource kind from anyone. Built once per
// kind (OPGUARD_FUZZ_KIND, see fuzz/CMakeLists.txt). The input is loaded with load_inventory
// next to the sample files of every *other* kind (so look-ups across kinds work), with
// --inventory-kind KIND for bare arrays; then OPGUARD_FUZZ_PLAN is checked against it and
// rendered in every format.
#include "fuzz_common.hpp"

using namespace opguard;
using namespace opguard::fuzz;

namespace {

// Sample files that hold no object of OPGUARD_FUZZ_KIND.
std::vector<std::string> context_files() {
    const Builtins& b = builtins();
    if (!b.rules.resource(OPGUARD_FUZZ_KIND)) {
        std::fprintf(stderr, "fuzz_inventory: no resource kind '%s' in the built-in rules\n", OPGUARD_FUZZ_KIND);
        std::abort();
    }
    std::vector<std::string> out;
    for (const auto& f : sample_inventory_files()) {
        SourceRegistry s;
        add_builtins(s);
        Inventory inv = load_inventory(s, {f}, b.rules);
        if (!inv.loaded(OPGUARD_FUZZ_KIND)) out.push_back(f);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const Builtins& b = builtins();
    static const std::vector<std::string> context = context_files();
    static const std::string plan_path = source_dir() + "/" OPGUARD_FUZZ_PLAN;
    return guarded([&] {
        SourceRegistry s;
        add_builtins(s);
        Plan plan = load_plan(s, plan_path, b.rules);
        std::vector<std::string> paths{write_input(OPGUARD_FUZZ_KIND ".json", data, size)};
        paths.insert(paths.end(), context.begin(), context.end());
        InventoryOptions io;
        io.kind_override = OPGUARD_FUZZ_KIND;
        Inventory inv = load_inventory(s, paths, b.rules, io);
        // Every loaded object can be built: what building reads was checked at load time,
        // so an input error here would be an error the load missed.
        for (const auto& k : b.rules.resources)
            for (const auto& o : inv.objects(k.name)) {
                try {
                    (void)o.value();
                } catch (const InputError& e) {
                    std::fprintf(stderr, "fuzz_inventory: %s %s could not be built after loading: %s\n", k.name.c_str(),
                                 o.id.c_str(), e.what());
                    std::abort();
                }
            }
        check_and_render(s, plan, inv, b.rules);
    });
}
