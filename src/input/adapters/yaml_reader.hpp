#pragma once
// read_yaml: the text of one SourceFile => a Node tree (yaml-cpp, Debian libyaml-cpp-dev)
// whose every value and key position carries its Origin in that file. Scalars follow the
// YAML 1.2 core schema: plain null/~/true/false/numbers are typed, quoted scalars are
// strings. A key given twice in one mapping is an input error, as in JSON.
// Throws InputError "yaml.syntax" / "yaml.duplicate-key" with line:col.
#include "core/node.hpp"
#include "core/source.hpp"

namespace opguard::adapters {

Node read_yaml(const SourceRegistry& sources, uint32_t file_id);

}  // namespace opguard::adapters
