#pragma once
// read_terraform_plan: `terraform show -json plan.out` => the API calls the providers will make
// for the desktops it changes, added to `builder`. Each call's id is the resource address and
// every value is located at the resource change's "address" in the plan file.
//
//   huaweicloud_workspace_desktop, ["update"] with image_id or image_type changed
//       => a rebuild: POST /v2/{project_id}/desktops/rebuild {desktop_ids: [id], image_type, image_id}
//          (terraform-provider-huaweicloud resource_huaweicloud_workspace_desktop.go updateDesktopImage)
//   alicloud_ecd_desktop (never a rebuild: the resource has no image), in the provider's order:
//       desktop_name => ModifyDesktopName; policy_group_id => ModifyDesktopsPolicyGroup;
//       status => StartDesktops / StopDesktops; desktop_type, root/user_disk_size_gib => ModifyDesktopSpec;
//       payment_type => ModifyDesktopChargeType; a bundle_id-only change calls nothing
//       (terraform-provider-alicloud resource_alicloud_ecd_desktop.go Update)
//   ["delete"] / ["create"] / replacement of either => DeleteDesktop(s) / CreateDesktop(s), in the
//       order of `actions`
// A value known only after apply, and the region or project a provider sends but the plan does
// not show, are unresolved.
#include <string>

#include "core/node.hpp"
#include "input/adapters/plan_builder.hpp"

namespace opguard::adapters {

bool looks_like_terraform_plan(const Node& root, std::string* why);
void read_terraform_plan(const Node& root, PlanBuilder& builder);

}  // namespace opguard::adapters
