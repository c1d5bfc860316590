// libFuzzer target: a plan read as ONE named format (OPGUARD_FUZZ_FORMAT, as --plan-format
// names it), so every input reaches that reader's deepest paths instead of stopping at format
// detection: the YAML reader with anchors, aliases and merge keys and the OOS template
// expansion (loops, parameter references, nested templates read from the plan's folder), the
// shell lexer's nesting and variables, concatenated --cli-dry-run-json records, Terraform
// plans. Odd-sized inputs also pass execution parameters (--parameters) to a template. Then
// the whole check runs against the sample inventory and every format is rendered.
#include "fuzz_common.hpp"

using namespace opguard;
using namespace opguard::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const Builtins& b = builtins();
    static const std::vector<std::string> inventory = sample_inventory_files();
    static const std::string format = OPGUARD_FUZZ_FORMAT;
    return guarded([&] {
        SourceRegistry s;
        add_builtins(s);
        std::string path = write_input("plan", data, size);
        std::string parameters;
        if (format == "oos-template" && size % 2 == 1) parameters = R"({"desktopIds": ["ecd-hzlin03c9x4t6", "ecd-hzwin04d2p7w3"], "regionId": "cn-hangzhou"})";
        Plan plan = load_plan_any(s, path, b.rules, format, parameters);
        Inventory inv = load_inventory(s, inventory, b.rules);
        check_and_render(s, plan, inv, b.rules, /*explain=*/size % 4 == 0);
    });
}
