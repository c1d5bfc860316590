// libFuzzer target: a plan from anyone. load_plan with the built-in rules, then the whole
// check against the sample inventory (waivers, simulation, --explain for inputs of even
// length, every format).
#include "fuzz_common.hpp"

using namespace opguard;
using namespace opguard::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const Builtins& b = builtins();
    static const std::vector<std::string> inventory = sample_inventory_files();
    return guarded([&] {
        SourceRegistry s;
        add_builtins(s);
        std::string path = write_input("plan.json", data, size);
        Plan plan = load_plan(s, path, b.rules);
        Inventory inv = load_inventory(s, inventory, b.rules);
        check_and_render(s, plan, inv, b.rules, /*explain=*/size % 2 == 0);
    });
}
