#pragma once
// PlanBuilder: the calls an adapter read from a script, record file, template or Terraform
// plan (CallDrafts) => opguard's Plan, through the same plan_from_node as a JSON plan, so
// every rule applies unchanged and every value keeps its Origin in the ORIGINAL file.
//
// What an adapter observed about a call travels to the rules in the call record, as
// `request.adapter` (rules/adapters.rules reports it; a JSON plan never has it):
//
//   format        "shell" | "cli-dry-run-json" | "hcloud-json-input" | "oos-template" | "terraform-plan"
//   client        "aliyun" | "aliyun-plugin" | "hcloud" | "oos" | "terraform"
//   dry_run       true when the line sends nothing (--dryrun, --cli-dry-run[-json], --estimate-cost,
//                 --help, KooCLI --dryrun / --skeleton); dry_run_flag: the flag, located
//   flags         caller flags as written (profile, endpoint, pager, ...; credential values dropped)
//   region        where the call is sent (endpoint region), when known
//   address       Terraform: the resource address the call comes from
//   unresolved    [{param, flag, text, element, more, skipped}]: a value opguard cannot know ($VAR, $(...),
//                 {{ templateParam }}, a Terraform value known after apply, the profile's region).
//                 A whole value is kept as a placeholder (its text, or [] for a list parameter);
//                 an unresolved list element is left out of the list (element = true), and so is
//                 an element whose index is unresolved (--DesktopId.$i x). `skipped`
//                 names the rules and effects that need the value: they are not evaluated.
//                 more = true (param "(arguments)"): a word of the command opguard cannot see into
//                 ($EXTRA_ARGS, "$@", $(cat flags), --$NAME), which may add flags or list
//                 elements; it skips the rules the adapter names (plan.missing-parameter, ...)
//                 and those that need a list parameter (more elements may come)
//   duplicates    [{param, flag}]: the client itself refuses the line (aliyun "--X duplicated")
//   repeated      [{param, flag, all?}]: the client accepts the repetition; which value it sends is undocumented
//                 (all: true when every value is kept and checked, DesktopId.1 and DesktopId.01)
//   json_string_lists [{param, flag}]: a list parameter written as one JSON string, sent literally
//   bare_lists [{param, flag, value}]: a list parameter given by its bare name with one plain
//                      value (--DesktopId ecd-x), sent as is; checked as a one-element list
//   usage_errors  [{flag, message, shell}]: the client refuses the line for another reason;
//                 shell = true: bash itself cannot parse the command (a quote left open); it
//                 never runs, and every other rule is skipped for it
//   missing_force [{product, action, plugin}]: a classic-form command of a product whose API
//                 metadata the aliyun CLI does not embed (ecd, appstream-center) without --force
//   conditional   [{message}]: the step runs only under a condition (OOS)
//   wrappers      [{wrapper, message}]: shell: xargs, parallel, find -exec, watch or a function of
//                 the script runs the CLI command, maybe several times or not at all (shell_wrappers.hpp)
//   oos_action    OOS: the action of a task opguard does not expand (ACS::ECS::StopInstance, a
//                 template name of ACS::Template); unexpanded [{action, message}]: why. The call's
//                 header is unexpanded_header's (oos_template.hpp): no operation models it
//   loops         [{task, message}]: OOS: a Loop over an empty list (the call is a placeholder)
//                 or over a list opguard cannot resolve (the first call checked for an unknown item)
//   placeholder   the call stands for a task that calls nothing (an empty loop): no effects, and
//                 of the call's rules only plan.loop-not-checked is evaluated
//   skip_rules, skip_effects   ids the simulator does not evaluate for this call (union of `skipped`;
//                 for a conditional step also every target-scope rule)
//   no_effects    the simulator predicts no effect or state change and leaves the call out of the
//                 summary (dry_run, or conditional)
//
// Each list entry's Origin is where the observation is located in the original file, so a
// rule iterating it reports file:line:col there.
#include <string>
#include <utility>
#include <vector>

#include "core/node.hpp"
#include "core/source.hpp"
#include "dsl/rule_set.hpp"
#include "input/plan.hpp"

namespace opguard::adapters {

// One parameter as the client wrote it.
struct RawParam {
    std::string name;         // API name; RPC wire form allowed ("DesktopId.2", "Tag.1.Key")
    Node value;               // with its Origin in the original file
    std::string flag;         // as written, for messages: "--DesktopId.2", "Parameters.RegionId"
    Origin flag_at;           // where the flag (or key) is written
    bool unresolved = false;  // the value is a variable, substitution or template reference
    std::string text;         // unresolved: the value as written ("$IMAGE_ID", "{{ regionId }}")
    bool element = false;     // unresolved: an element of the list `name` at an index not known (--DesktopId.$i)
};

// What a client does with the same parameter given twice.
enum class Repeats { ClientRejects, ClientAccepts };

// A call as an adapter read it.
struct CallDraft {
    std::string id;
    Origin origin;                                       // the command / record / task / resource
    std::vector<std::pair<std::string, Node>> header;    // product, version, action | cloud, service, method, path
    std::vector<RawParam> params;
    Repeats repeats = Repeats::ClientAccepts;
    bool wire_form = true;                               // "Name.N" keys are RPC repeat lists
    Node adapter = Node::object();                       // request.adapter, see above
    // Time in the plan. `wait`: after sending this call the client waits until the call's
    // asynchronous work has finished (aliyun --waiter, an OOS action that polls for the final
    // status); `wait_at` locates what says so. `wait_only`: a step that calls nothing and
    // waits for the asynchronous work of every earlier call (OOS ACS::WaitFor, a wait step
    // of opguard's plan); its header and params stay empty.
    bool wait = false;
    bool wait_only = false;
    Origin wait_at;

    void set_header(const std::string& key, Node value);
    const Node* header_value(const std::string& key) const;
    void note(const std::string& list, Node entry);      // appends to adapter[list]
    void dry_run(const std::string& flag, Origin at);
    void unresolved(const std::string& param, const std::string& flag, const std::string& text, Origin at, bool element = false);
    // A word opguard cannot see into that may add flags to the command (`more`, see above);
    // `skipped`: rules it makes unreliable (they are not evaluated for this call).
    void unseen_arguments(const std::string& word, const std::string& text, Origin at, const std::vector<std::string>& skipped);
    void usage_error(const std::string& flag, const std::string& message, Origin at, bool shell = false);
};

// `s` with its ASCII letters in lower case (product names, OOS actions, flags).
std::string lower(std::string s);

// The operation the rules describe for a call header (same matching as load_plan), or nullptr.
const Operation* find_operation(const RuleSet& rules, const std::vector<std::pair<std::string, Node>>& header);
// Whether an RPC API only reads, by its first CamelCase word (DescribeDesktops => Describe),
// which the rules' set read_only_verbs lists, unless the set read_verb_exceptions names it as
// "product.Action" (`product` compared in lower case: appstream-center.GetConnectionTicket
// starts an application).
bool read_only_api(const RuleSet& rules, const std::string& api, const std::string& product);
// Whether a REST call's HTTP method only reads: the rules' set read_only_methods lists it
// (compared in upper case, as the rules compare it).
bool read_only_method(const RuleSet& rules, const std::string& method);

class PlanBuilder {
public:
    // `file_id` is the original file (already in `sources`); `format` goes to request.adapter.format.
    PlanBuilder(const SourceRegistry& sources, uint32_t file_id, const RuleSet& rules, std::string format);
    const RuleSet& rules() const { return rules_; }
    const SourceRegistry& sources() const { return sources_; }
    void add(CallDraft draft);
    size_t size() const { return drafts_.size(); }
    const std::vector<CallDraft>& drafts() const { return drafts_; }  // as added, wait steps included
    // plan_from_node over the drafts, then each call's record gets its `adapter` member.
    Plan build();

private:
    Node assemble(CallDraft& d, const Operation* op) const;
    const SourceRegistry& sources_;
    uint32_t file_;
    const RuleSet& rules_;
    std::string format_;
    const SecretNames secrets_;  // secret_names(rules_): what every value as written is redacted by
    std::vector<CallDraft> drafts_;
};

// "DesktopId.2" => {"DesktopId", 2, ""}; "Tag.1.Key" => {"Tag", 1, "Key"}; others => {name, 0, ""}.
struct WireKey {
    std::string base;
    long index = 0;  // 0: not wire form
    std::string rest;
};
WireKey split_wire_key(const std::string& name);

}  // namespace opguard::adapters
