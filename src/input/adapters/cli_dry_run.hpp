#pragma once
// The records `aliyun ... --cli-dry-run-json` prints (aliyun-cli openapi/cli_dry_run.go):
//   {"style": "RPC", "endpoint": "ecd.cn-hangzhou.aliyuncs.com", "method": "POST", "headers": {...},
//    "query": {"RegionId": "cn-hangzhou", "DesktopId.1": "ecd-a", ...}, "body": "...", "bodyFormat": "form",
//    "action": "RebuildDesktops", "version": "2020-09-30"}
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
void read_dry_run_record(const Node& record, const std::string& id, PlanBuilder& builder);

// Top-level JSON values written one after another: their [begin, end) offsets. Returns false
// (with the offset of the first stray character) when something else lies between them.
bool split_json_values(std::string_view text, std::vector<std::pair<size_t, size_t>>& out, size_t& stray);

}  // namespace opguard::adapters
