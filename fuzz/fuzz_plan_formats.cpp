// libFuzzer target: a plan in any form users have, from anyone: a shell script of aliyun and
// hcloud lines, --cli-dry-run-json records, a --cli-jsonInput file, an OOS template (YAML or
// JSON), a Terraform plan or opguard's JSON plan. load_plan_any detects the form from the
// content, as `opguard check` does without --plan-format; then the whole check runs against
// the sample inventory and every format is rendered.
#include "fuzz_common.hpp"

using namespace opguard;
using namespace opguard::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const Builtins& b = builtins();
    static const std::vector<std::string> inventory = sample_inventory_files();
    return guarded([&] {
        SourceRegistry s;
        add_builtins(s);
        std::string path = write_input("plan", data, size);
        Plan plan = load_plan_any(s, path, b.rules);
        Inventory inv = load_inventory(s, inventory, b.rules);
        check_and_render(s, plan, inv, b.rules, /*explain=*/size % 2 == 0);
    });
}
