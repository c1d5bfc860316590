#pragma once
// reject_cli_text_output: an inventory file that is CLI *text* output instead of JSON => a
// clear input error ("inventory.text-output") saying what it is and how to save JSON instead:
// an aliyun `--output cols=...` table, a KooCLI `--cli-output=table` or `tsv` table, or the
// text `--dryrun` prints. Anything that may be JSON is left to the JSON reader.
#include <string>
#include <string_view>

namespace opguard::adapters {

void reject_cli_text_output(const std::string& path, std::string_view text);

}  // namespace opguard::adapters
