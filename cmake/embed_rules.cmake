# Writes a C++ file holding every rules/*.rules file as a string literal, so the
# built-in rule set travels inside the binary. Invoked by CMake in script mode.
file(GLOB files ${RULES_DIR}/*.rules)
list(SORT files)
set(body "// Generated from rules/ by cmake/embed_rules.cmake. Do not edit.\n#include \"dsl/builtin_rules.hpp\"\nnamespace opguard {\nconst std::vector<EmbeddedRuleFile>& builtin_rule_files() {\n  static const std::vector<EmbeddedRuleFile> files = {\n")
# Every file's name, size and bytes, in order: hashed below, so that a binary can tell whether
# a compiled form of the rules was made from these texts without reading them at run time.
set(hashed "")
foreach(f ${files})
  get_filename_component(name ${f} NAME)
  file(READ ${f} content HEX)
  file(SIZE ${f} size)
  string(APPEND hashed "builtin/${name}:${size}:${content};")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${content}")
  # Split the literal so no single string literal grows beyond compiler limits.
  string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]){256})" "\\1\"\n\"" escaped "${escaped}")
  string(APPEND body "    {\"builtin/${name}\", std::string_view(\"${escaped}\", ${size})},\n")
endforeach()
string(SHA256 digest "${hashed}")
string(SUBSTRING "${digest}" 0 16 digest64)
string(APPEND body "  };\n  return files;\n}\nuint64_t builtin_rules_hash() { return 0x${digest64}ull; }\n}  // namespace opguard\n")
file(WRITE ${OUT} "${body}")
