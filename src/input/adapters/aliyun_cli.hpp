#pragma once
// read_aliyun_command: one `aliyun ...` command line of a shell script => a CallDraft.
//
// Both command engines of the Alibaba Cloud CLI (see /work/shared/domain/real-clients.md §1):
//   classic  aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-a --ImageId m-x --force
//            API names as written; --k v, --k=v, --k:v; repeat lists --Name.N (and --Tag.1.Key);
//            --RegionId is the CLI's region flag and --region wins over it; the same flag twice
//            makes the CLI refuse the line ("--X duplicated").
//   plugin   aliyun ecd rebuild-desktops --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou ...
//            (an all-lowercase sub-command): kebab-case action and parameters mapped to the API's
//            names, --biz-region-id is RegionId, a repeated flag of a list parameter builds the list.
// Caller flags (--profile, --endpoint, --force, --quiet, --pager, --waiter, --output, --cli-query, ...)
// are recorded in request.adapter.flags and change nothing, except that --waiter expr=... to=...
// sets CallDraft::wait (wait_at: the flag): the CLI repeats the call until the expression
// reaches the value; --dryrun, --cli-dry-run,
// --cli-dry-run-json, --estimate-cost and --help make the line send nothing (dry run).
#include <optional>
#include <string>
#include <string_view>

#include "dsl/rule_set.hpp"
#include "input/adapters/plan_builder.hpp"
#include "input/adapters/shell_lexer.hpp"

namespace opguard::adapters {

// What a command reader needs to know about the script it reads.
struct ScriptContext {
    std::string_view text;   // the script
    uint32_t file = 0;       // its source index
    std::string path;        // its path (files it names are relative to its folder)
    const RuleSet* rules = nullptr;
    SourceRegistry* sources = nullptr;
};

// nullopt when the command calls no API (aliyun configure / plugin / oss / help / version),
// or when the words that would name the product and the API are not all written and one is a
// value opguard cannot resolve (`aliyun $ARGS`, `aliyun "$@"`): then `*unknown_api` (when
// given) is that word, and the caller says the call is not read.
std::optional<CallDraft> read_aliyun_command(const ShellCommand& cmd, const ScriptContext& ctx, const std::string& id,
                                             const ShellWord** unknown_api = nullptr);

// "rebuild-desktops" => "RebuildDesktops".
std::string kebab_to_pascal(std::string_view s);

// The API version the aliyun CLI uses for a product when none is given (its product metadata),
// else the version of the only operation in `rules` with that product and action; "" if unknown.
std::string default_api_version(const RuleSet& rules, const std::string& product, const std::string& action);

// Parses `text` as a JSON array of scalars; offsets[i] is the script offset of text[i].
// Returns nullopt when it is not one.
std::optional<Node> parse_json_list(const std::string& text, const std::vector<uint32_t>& offsets, uint32_t file);

}  // namespace opguard::adapters
