#pragma once
// read_oos_template: an Alibaba Cloud OOS template (YAML or JSON, FormatVersion OOS-2019-06-01)
// => the API calls its tasks make, added to `builder`.
//
//   ACS::ExecuteApi / ACS::ExecuteAPI     {Service, API, Parameters}: one call (lists stay lists)
//   ACS::ECD::StopDesktop                 StopDesktops, run only when the desktop is neither Connected
//                                          nor already Stopped/Stopping (reported as conditional)
//   ACS::ECD::RebuildDesktop              that stop step, then RebuildDesktops {RegionId, DesktopId: [id]}
//   ACS::ECD::RebootDesktop               RebootDesktops {RegionId, DesktopId: [id]}
//   (aliyun/oos-templates CloudProductActions/ECD, 2022-12-30)
// A task with Loop.Items runs once per item, {{ ACS::TaskLoopItem }} being the item. A
// {{ parameter }} takes the template parameter's Default; one without a Default, an
// {{ ACS::... }} execution value, a task output or an Fn:: function is unresolved and
// reported like a shell variable. Other actions (ACS::Choice, ACS::WaitFor, ...) make no call
// opguard checks and are skipped.
#include <string>

#include "core/node.hpp"
#include "input/adapters/plan_builder.hpp"

namespace opguard::adapters {

bool looks_like_oos_template(const Node& root, std::string* why);
void read_oos_template(const Node& root, PlanBuilder& builder);

}  // namespace opguard::adapters
