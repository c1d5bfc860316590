#pragma once
// Huawei Cloud KooCLI (`hcloud`) => CallDrafts (REST calls: cloud, service, method, path).
//
//   hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=<pid> --desktop_ids.1=<id1> --desktop_ids.2=<id2>
//
// Parameters are --name=value (also --name value); body arrays are 1-based (--a.1=x, --a.1.b=y).
// --cli-* flags (and the old --region/--profile/--mode) are the CLI's own; --cli-region is where
// the call goes; --project_id defaults to the profile's project (then reported unresolved);
// --dryrun, --skeleton and --help send nothing. --cli-jsonInput=FILE reads a JSON file
// {"path":{..},"query":{..},"body":{..}} relative to the script.
// Operation => method and path comes from the rule files' routes (`route hcloud.SERVICE.NAME`:
// a modeled operation's match, or the method and path given); an operation without one is
// still a call (service + action), which no rule describes.
#include <optional>
#include <string>

#include "input/adapters/aliyun_cli.hpp"

namespace opguard::adapters {

// A Huawei Cloud API the adapters know by name (a route of the rule files): service,
// operation (SDK name: `name`), method, path.
using HuaweiOperation = ClientRoute;
// The route of KooCLI's `hcloud <service> <operation>` in `rules`; nullptr: none.
const HuaweiOperation* huawei_operation(const RuleSet& rules, const std::string& service, const std::string& operation);
// cloud, service, method and path of `op`, all located at `at`.
void set_huawei_header(CallDraft& d, const HuaweiOperation& op, Origin at);

// nullopt when the command calls no API (hcloud configure / version / help / meta ...), or
// when the service and operation are not both written and one of the words is a value opguard
// cannot resolve (`hcloud $ARGS`): then `*unknown_api` (when given) is that word.
std::optional<CallDraft> read_hcloud_command(const ShellCommand& cmd, const ScriptContext& ctx, const std::string& id,
                                             const ShellWord** unknown_api = nullptr);

// A --cli-jsonInput file given as the plan itself. Its operation is named by the file name
// (e.g. CheckDesktopImages.json, workspace-check-desktop-images.json): the longest name of a
// route of `rules` that it contains, ASCII letters and digits compared without case; throws
// InputError "plan.hcloud-json-input" when it contains none.
CallDraft read_hcloud_json_input(const Node& root, uint32_t file, const std::string& path, const std::string& id,
                                 const RuleSet& rules);

// True when `root` has the shape of a --cli-jsonInput file (only header/path/query/formData/cookie/body objects).
bool looks_like_hcloud_json_input(const Node& root, std::string* why);

}  // namespace opguard::adapters
