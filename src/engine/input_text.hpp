#pragma once
// Findings about the input text itself, not about the calls in it.
#include "core/source.hpp"
#include "engine/report.hpp"

namespace opguard {

// The pseudo-rule of the finding below (warning).
const Rule& invalid_utf8_rule();

// sources => one input.invalid-utf8 finding per input file (plan, script, template,
// inventory, waiver or rule file whose text is still held) that is not valid UTF-8, located
// at its first invalid byte. Reports show each invalid sequence as U+FFFD (render.cpp), so
// the finding says that what they quote differs from the file.
void report_invalid_utf8(const SourceRegistry& sources, Report& report);

}  // namespace opguard
