#pragma once
// read_oos_template: an Alibaba Cloud OOS template (YAML or JSON, FormatVersion OOS-2019-06-01)
// and the parameters of its execution => the API calls its tasks make, added to `builder`.
// Nothing a task does is dropped without a word:
//
//   ACS::ExecuteApi / ACS::ExecuteAPI, ACS::CheckFor   {Service, API, Parameters}: one call (lists stay lists)
//   ACS::WaitFor                          a wait step (CallDraft::wait_only): the execution waits
//                                          until the polled status is reached
//   ACS::ECD::StopDesktop                 StopDesktops, run only when the desktop is neither Connected
//                                          nor already Stopped/Stopping (conditional), then waits for Stopped
//   ACS::ECD::StartDesktop                StartDesktops, run only when the desktop is neither Running nor
//                                          Starting (conditional), then waits for Running
//   ACS::ECD::RebootDesktop               RebootDesktops {RegionId, DesktopId: [id]}, then waits for Running
//   ACS::ECD::RebuildDesktop              the StopDesktop steps, then RebuildDesktops {RegionId, DesktopId: [id]}
//   (aliyun/oos-templates CloudProductActions/ECD, 2022-12-30; the waits are CallDraft::wait)
//   ACS::Template                         the template named TemplateName, when its file
//                                          (<name>.yml, .yaml or .json) is beside the plan, with
//                                          Properties.Parameters as its parameters; an official
//                                          action's name is that action
//   ACS::Choice, ACS::Sleep, ACS::Approve, ACS::Notify, ACS::SelectTargets, ACS::*Trigger
//                                          call nothing that changes a resource: no call
//                                          (every task is checked as if each Choice let it run)
//   any other action                      an unexpanded call (not modelled by the rules; see
//                                          unexpanded_header), with adapter.unexpanded saying why
//
// A task with Loop.Items runs once per item, {{ ACS::TaskLoopItem }} being the item. A loop
// over an empty list makes no call: a placeholder call (no effects, only the adapter rules
// apply) carries adapter.loops; a loop over a list opguard cannot resolve is checked once for
// an unknown item, and its first call carries adapter.loops. A {{ parameter }} takes the
// value given for the execution (--parameters), else its Default; one without either, an
// {{ ACS::... }} execution value, a task output or an Fn:: function is unresolved and
// reported like a shell variable.
//
// Bounds (input errors at file:line:col, exit 2): parameters are resolved once each (a
// Default that refers to itself is unresolved); values produced by references, loops and
// nested templates may not exceed kOosExpansionFloor + kOosExpansionFactor per byte of the
// template files and parameters ("oos.expansion-limit"); references and values nest at most
// kOosMaxResolveDepth levels ("oos.reference-depth"); ACS::Template nests at most
// kOosMaxTemplateDepth templates deep ("oos.template-depth") and never into a template it
// is already in ("oos.template-cycle"). A parameter given that the template does not
// declare is "oos.unknown-parameter"; a task without an Action string is "oos.shape".
#include <functional>
#include <string>

#include "core/node.hpp"
#include "input/adapters/plan_builder.hpp"

namespace opguard::adapters {

inline constexpr size_t kOosExpansionFloor = 1u << 20;
inline constexpr size_t kOosExpansionFactor = 16;
inline constexpr int kOosMaxResolveDepth = 512;
inline constexpr int kOosMaxTemplateDepth = 8;

struct OosInput {
    // The execution's parameters (--parameters): a JSON object read with origins, or nullptr.
    const Node* parameters = nullptr;
    // The template a nested ACS::Template names (by TemplateName), read from beside the plan,
    // or nullptr when there is no such file. May throw InputError (its syntax errors).
    std::function<const Node*(const std::string& name)> find_template;
    // Bytes of the template and parameter text read so far: the expansion budget is linear in it.
    size_t input_bytes = 0;
};

bool looks_like_oos_template(const Node& root, std::string* why);
void read_oos_template(const Node& root, PlanBuilder& builder, const OosInput& input = {});

// The header of a call for an OOS action opguard does not expand: product from the
// ACS::<PRODUCT>:: segment ("oos" when there is none), action from the last segment
// (ACS::ECS::StopInstance => ecs StopInstance). When that header would name an operation the
// rules model, the action is the OOS action itself, so the call stays unmodelled.
std::vector<std::pair<std::string, Node>> unexpanded_header(const RuleSet& rules, const std::string& action, Origin at);

}  // namespace opguard::adapters
