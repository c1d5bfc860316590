#pragma once
// read_yaml: the text of one SourceFile => a Node tree (yaml-cpp, Debian libyaml-cpp-dev)
// whose every value and key position carries its Origin in that file. Scalars follow the
// YAML 1.2 core schema: plain null/~/true/false/numbers are typed, quoted scalars are
// strings. A key given twice in one mapping is an input error, as in JSON. The merge key
// `<<` (a mapping or a list of mappings, usually aliases) adds the keys the mapping does not
// give itself (earlier mappings of the list win).
//
// Bounds, for files from anyone: nesting deeper than 256 levels is "yaml.depth"; aliases
// are expanded into copies, and the values and characters produced (keys included) may not
// exceed kYamlExpansionFloor + kYamlExpansionFactor per byte of the file
// ("yaml.expansion-limit", at the value where the limit is reached), so an alias bomb costs
// memory linear in its size.
// Throws InputError "yaml.syntax" / "yaml.duplicate-key" / "yaml.merge" / "yaml.depth" /
// "yaml.expansion-limit" with line:col.
#include "core/node.hpp"
#include "core/source.hpp"

namespace opguard::adapters {

inline constexpr size_t kYamlExpansionFloor = 1u << 20;
inline constexpr size_t kYamlExpansionFactor = 8;

Node read_yaml(const SourceRegistry& sources, uint32_t file_id);

}  // namespace opguard::adapters
