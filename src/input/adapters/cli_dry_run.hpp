#pragma once
// The records `aliyun ... --cli-dry-run-json` prints (aliyun-cli openapi/cli_dry_run.go):
//   {"style": "RPC", "endpoint": "ecd.cn-hangzhou.aliyuncs.com", "method": "POST",
//    "headers": {"x-sdk-client": "golang/1.0.0", "x-sdk-invoke-type": "common"}, "note": "...",
//    "query": {"DesktopId.1": "ecd-a", ...}, "body": "...", "bodyFormat": "form",
//    "action": "RebuildDesktops", "version": "2020-09-30"}
// The query holds only the API parameters written as flags: --RegionId / --region is the
// CLI's region, which the SDK adds as RegionId when it signs (after the record is printed;
// aliyun-cli openapi/force_rpc.go and rpc.go copy only unknown flags to the query). So the
// call's RegionId is the query's when given, else the endpoint's region
// ("ecd.cn-hangzhou.aliyuncs.com"); with neither it is unresolved (the profile's). SourceIp
// and SecureTransport are added by the CLI from ALIBABA_CLOUD_SOURCE_IP /
// ALIBABA_CLOUD_SECURE_TRANSPORT (openapi/call_context.go): the client's call context, kept
// in request.adapter.call_context, not API parameters. With an empty endpoint the operation
// is the only one in the rules with the record's action and version.
// (ROA records carry pathPattern / pathParams instead of action / version). A file may hold one
// record, a JSON array of them, or several printed one after another (`>>` into one file).
// The record is the call the user means to make; it is checked as such.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/node.hpp"
#include "input/adapters/plan_builder.hpp"

namespace opguard::adapters {

bool looks_like_dry_run_record(const Node& n, std::string* why);
// The product from an endpoint host: "ecd.cn-hangzhou.aliyuncs.com" => {"ecd", "cn-hangzhou"},
// "ecs-cn-hangzhou.aliyuncs.com" => {"ecs", "cn-hangzhou"}, "ecs.aliyuncs.com" => {"ecs", ""}.
std::pair<std::string, std::string> product_from_endpoint(const std::string& endpoint);
// Throws InputError "plan.dry-run-depth" (at the body, in `file`) for a form body nested
// deeper than kMaxBodyDepth.
inline constexpr size_t kMaxBodyDepth = 256;
void read_dry_run_record(const Node& record, const std::string& id, PlanBuilder& builder, const SourceFile* file = nullptr);

// Top-level JSON values written one after another: their [begin, end) offsets. Returns false
// (with the offset of the first stray character) when something else lies between them.
bool split_json_values(std::string_view text, std::vector<std::pair<size_t, size_t>>& out, size_t& stray);

}  // namespace opguard::adapters
