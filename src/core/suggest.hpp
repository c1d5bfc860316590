#pragma once
// edit_distance: how many single-character insertions, deletions and substitutions turn one
// string into the other (Levenshtein). The did-you-mean of rule files (dsl/rule_errors),
// run overrides (engine/overrides) and the configuration file (cli/config_file) rests on it;
// each decides how near is near enough for its names.
#include <cstddef>
#include <string_view>

namespace opguard {

size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace opguard
