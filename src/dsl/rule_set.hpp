#pragma once
// RuleSet: the compiled rule files. Everything opguard knows about an operation — how
// calls are recognised, their parameters and targets, what the cloud refuses and what an
// accepted call does — is here as data; the engine walks it without knowing any API.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.hpp"
#include "core/source.hpp"
#include "dsl/ast.hpp"

namespace opguard {

enum class Severity : uint8_t { Info = 0, Warning = 1, Error = 2 };
const char* severity_name(Severity s);

// How well a rule or effect is established: the documentation states it, opguard infers
// it from documented facts, or the documentation does not settle it.
enum class Basis : uint8_t { Documented, Inferred, Undocumented };
const char* basis_name(Basis b);

// A message with "{expr}" holes.
struct Template {
    struct Part {
        std::string text;    // literal text, or empty when expr is set
        ast::ExprPtr expr;
    };
    std::vector<Part> parts;
    std::string source_text;  // as written, for `rules explain`
    bool empty() const { return parts.empty(); }
};

// A field of an inventory kind that a rule, effect or operation reads, where it reads it
// (found by the compiler: `lookup("desktop", id).Tags`, a let or loop variable bound to one).
struct FieldRead {
    std::string kind;
    std::string field;
    Origin origin;
};

struct NamedValue {
    std::string name;
    ast::ExprPtr expr;
};

// Where a kind of resource sits in saved API responses, and what opguard keeps of it.
struct ResourceKind {
    std::string name;
    Origin origin;
    std::string title;
    std::vector<std::string> list_path;   // object keys down to the array, e.g. {"Instances","Instance"}
    std::string detect_field;             // an element field that tells this kind apart (optional)
    std::string id_field;
    std::string status_field;             // written by status paths of effects (optional)
    std::string file_hint;                // file-name fragment for bare-array files (optional)
    std::vector<std::string> fields;      // fields kept from each element
    std::vector<NamedValue> derived;      // computed when an object is first read (see Inventory)
    std::vector<std::string> state;       // fields only the plan's effects write (not in saved responses)
    // The JSON type the API returns for a kept field (types = {GpuCategory: "boolean"}):
    // string, boolean, integer, number (a numeric string counts), list or object. A saved
    // value of another type is reported (mistyped_fields(), inventory.field-type).
    std::vector<std::pair<std::string, std::string>> types;
    std::vector<std::string> indexed_fields;  // fields some find_all(kind, field, ...) matches on (set by the compiler)
    // Set by the compiler from every loaded rule, effect and operation: the fields they read
    // (besides `fields`), and whether some expression reads whole objects of this kind (then
    // the loader keeps every field). The loader keeps fields + read_fields.
    std::vector<std::string> read_fields;
    bool read_whole = false;
    bool has_field(std::string_view f) const;  // in fields, derived or status
    std::string source;
};

struct ParamSpec {
    std::string name;
    std::string type;  // string | boolean | integer | number | list | object
    bool required = false;
    bool secret = false;
    // An enumeration: the only values the API takes (a list parameter: for each element);
    // empty: any value of the type. Written {type: "string", values: ["A", "B"]}.
    std::vector<std::string> values;
};

// A constraint between parameters of one operation: at most one of `names` may be given
// (`exclusive = [[...]];`), or at least one must be (`at_least_one = [[...]];`).
struct ParamGroup {
    enum class Kind : uint8_t { Exclusive, AtLeastOne };
    Kind kind = Kind::Exclusive;
    std::vector<std::string> names;
    Origin origin;  // the list in the rule file
};

// What a call looks like and how it is answered.
struct Operation {
    std::string name;
    Origin origin;
    std::string title;
    std::vector<std::pair<std::string, std::string>> match;  // call header field => value
    std::vector<ParamSpec> params;
    std::vector<ParamGroup> param_groups;
    ast::ExprPtr targets;            // list of target ids (each keeps its plan origin)
    // Optional: true for a call whose targets the plan and the inventory cannot tell (a group
    // named but not saved): the call acts on targets opguard cannot resolve, and its effects
    // are not predicted (never "no change").
    ast::ExprPtr targets_unknown;
    std::string target_kind;         // resource kind the targets name (for history and summaries)
    std::string target_noun;         // how summaries name a target when it is no resource ("region")
    std::vector<NamedValue> lets;    // per-target named values (may use `target`)
    std::string response;            // per_target | single | body
    std::string results_field;       // per_target: e.g. RebuildResults, or a dotted path (InstanceResponses.InstanceResponse)
    std::string result_id_field;     // per_target: e.g. DesktopId
    std::string success_code;        // per_target: code of an accepted target
    ast::ExprPtr response_body;      // body: predicted response
    int success_http = 200;          // 0: the HTTP status of an accepted call is undocumented
    std::string verb;                // "rebuilt": how an accepted target is summarised
    bool read_only = false;
    // The cloud answers before the work is done: each effect's status path is
    // [before, transitional..., final]; after the call its object is in the first
    // transitional status, and in the final one only once the plan waits for the call
    // (a call's "wait", a wait step). Without it, a status path's last entry applies at once.
    bool asynchronous = false;
    std::string source;
    std::vector<FieldRead> field_reads;  // by targets, lets and response_body (set by the compiler)
    const ParamSpec* param(std::string_view n) const;
};

// How to save the objects of one resource kind with a command-line client (`opguard
// inventory` writes these commands): which command lists them by id, how the ids, the
// region and the pages are spelled. Declared in rule files as `listing NAME { ... }`.
struct Listing {
    std::string name;
    Origin origin;
    std::string title;
    std::string resource;                 // the kind its response holds
    std::vector<std::string> command;     // the words that start the command: {"aliyun", "ecd", "DescribeDesktops"}
    std::vector<std::string> options;     // words after the ids and region ({"--force"})
    std::string region_flag;              // "--RegionId"; empty: the command takes no region
    ast::ExprPtr region;                  // a call's region, evaluated in its frame (call, request, target)
    std::string id_flag;                  // "--DesktopId"
    std::string id_form = "repeat";       // repeat: --X.1 a --X.2 b | json: --X '["a","b"]' | comma: --X a,b
    int max_ids = 0;                      // ids per command (0: not documented, all in one)
    std::string flag_form = "space";      // space: --Name value | equals: --Name=value
    std::vector<std::string> pager;       // words that make the client merge every page ({"--pager", "path=Desktops[]"})
    // Without a pager: the script loops over pages, `limit` objects at a time, until `offset`
    // reaches the response's `total_field`.
    std::string page_limit_flag, page_offset_flag, page_total_field;
    int page_limit = 0;
    std::string source;
    std::string note;
};

// How a command-line client's lines are read, beyond the operations they call (declared in
// rule files as `client NAME { ... }`; the adapters in src/input/adapters read it).
struct Client {
    std::string name;                         // the command: "aliyun", "hcloud"
    Origin origin;
    std::string title;
    std::vector<std::string> local_commands;  // first arguments that call no cloud API ("configure", "help", ...)
    std::string cloud;                        // the call header's cloud of its REST calls ("huaweicloud"); empty: none
    std::string source;
};

// A product as a client knows it: `product aliyun.ecd { ... }` (client "aliyun", name "ecd").
struct ClientProduct {
    std::string client;
    std::string name;                         // as the command line writes it: "ecd", "appstream-center"
    Origin origin;
    std::string version;                      // the API version the client calls when the line gives none ("": not known)
    bool api_metadata = true;                 // false: the client embeds no metadata of the product's APIs
    std::string source;
};

// The metadata of one API that a client embeds and checks a line against: `cli_api
// aliyun.ecs.RedeployInstance { ... }`. Without --force the aliyun CLI's classic form accepts
// only these parameter flags (the exact name, or <Name>.<anything> of a repeat list).
struct ClientApi {
    std::string client, product, api;         // "aliyun", "ecs", "RedeployInstance"
    Origin origin;
    std::vector<std::string> params;          // parameter names, in the metadata's order
    std::vector<std::string> repeat_lists;    // parameters written <Name>.N
    std::string source;
};

// The name under which a client calls a REST operation: `route hcloud.workspace.DeleteDesktop
// { ... }` (KooCLI: hcloud <service> <name>). A modeled operation is named by `operation`
// (its method and path come from its match); another one gives method and path itself, so
// that a call of it is named the way the SDKs name it.
struct ClientRoute {
    std::string client, service, name;        // "hcloud", "workspace", "DeleteDesktop"
    Origin origin;
    std::string operation;                    // the operation item it names ("": none, not modeled)
    std::string cloud;                        // from the operation's match, else the client's cloud
    std::string method, path;                 // from the operation's match, or given
    std::string source;
};

// ---- How clients spell calls: OOS actions and Terraform resources (input adapters) ------

// Where one parameter of a call comes from. Written in a rule file as `Name: source` inside a
// call's `params`: an OOS action's parameter (`instanceId`), a Terraform attribute
// (`before.id`, `after.image_id`), a provider setting (`provider.region`), a constant
// ("PostPaid", true), `[source]` (a one-element list), `if_set(source)` (left out when the
// value is null or "") and `translate(source, {From: "To"})` (a value found among the keys
// is replaced).
struct ParamSource {
    std::string name;       // the API's parameter: "DesktopId", "DesktopId.1", "RegionId"
    std::string from;       // "instanceId" / "before.id" / "provider.region"; empty: `constant`
    Node constant;
    bool as_list = false;
    bool if_set = false;
    Node translate;         // object (empty: none)
};

// An attribute condition of a Terraform call: `before.payment_type == "Subscription"`.
struct AttrCondition {
    std::string attr;       // "before.x" / "after.x"
    Node value;
    bool equal = true;      // false: !=
};

// One API call that an OOS action or a Terraform change makes, in the order it makes them.
struct ClientCall {
    std::string step;       // OOS: the task of the action's own template that makes it (the call id's suffix)
    std::string product;    // OOS: the API's product ("ecs"); Terraform: the resource's
    std::string api;        // the API's action: "StopInstance"
    std::vector<ParamSource> params;
    std::vector<std::string> changed;         // Terraform update: made when one of these attributes changes
    std::vector<AttrCondition> only_if;       // made only when all hold
    std::vector<AttrCondition> skip_if;       // not made when all hold
    std::string conditional;  // the call depends on state opguard does not predict (request.adapter.conditional)
    bool wait = false;        // the client waits until the call's work is done
    Origin origin;
};

// An OOS action that runs its own template (ACS::ECS::StopInstance): its parameters and the
// calls it makes. Declared as `oos_action NAME { action = "ACS::..."; ... }`.
struct OosAction {
    std::string name;
    Origin origin;
    std::string action;                                    // as OOS spells it: "ACS::ECS::StopInstance"
    std::vector<std::pair<std::string, Node>> parameters;  // name => Default (null: none)
    std::vector<ClientCall> calls;
    std::string source;
    std::string note;
};

// The calls a Terraform provider makes for a change of one resource type. Declared as
// `terraform_resource TYPE { ... }`.
struct TerraformResource {
    std::string name;                  // the resource type: "alicloud_instance"
    Origin origin;
    std::string header = "aliyun";     // aliyun: product, version, action | huaweicloud: the service's operation
    std::string product;
    std::vector<std::string> region;   // where each call's region comes from, the first found
    std::vector<ParamSource> params;   // parameters every call starts with
    std::vector<std::pair<std::string, std::string>> missing;  // parameter => why, when its provider setting is not in the plan
    std::vector<ClientCall> on_delete, on_create, on_update;
    // Attributes whose change alone makes no API call at apply (the provider's update never
    // reads them). Any other changed attribute that no `update` call lists is not dropped: it
    // becomes one call no rule file describes (plan.unmodeled-call).
    std::vector<std::string> no_call;
    std::string source;
    std::string note;
};

// The expressions of a rule or effect of the compiled built-in rules, left encoded until a
// check needs them (RuleSources::defer_bodies, decode_rule_bodies in opguard.hpp): the bytes in
// the compiled form (static storage) and the SourceRegistry ids of the built-in files their
// origins lie in (first_file .. first_file + file_count - 1). Empty: the expressions are decoded
// (or were parsed). While a rule holds one, its expression members are empty; the simulation
// refuses to run it (std::logic_error) rather than read them as absent.
struct EncodedBody {
    std::string_view bytes;
    uint32_t first_file = 0;
    uint32_t file_count = 0;
    bool empty() const { return bytes.empty(); }
};

// Plan: once per plan. With `operations`, before the calls run (when some call is of one of
// them); without, after the simulation, seeing `calls` and the predicted `effects` (a policy).
// Effect: after the simulation, once per predicted effect (`effect` bound), of the listed
// operations' calls (every effect when `operations` is left out).
enum class Scope : uint8_t { Plan, Call, Target, Effect };
// Maybe: the documentation does not settle whether the cloud refuses the call (a value it
// documents no answer to). The call's outcome is "undocumented": no HTTP status, no predicted
// response, and its effects predicted as if it runs (the worse case for data).
enum class Refusal : uint8_t { None, Call, Target, Maybe };

struct Rule {
    std::string id;
    Origin origin;
    std::string title;
    std::string description;
    Severity severity = Severity::Error;
    std::vector<std::string> operations;  // operation names, or "*"; empty: a plan- or effect-scope policy over every call
    // `operations = {target_kind: "desktop", product: "ecd"};` as written (normalised): the
    // rule applies to every operation with these attributes; `operations` holds the names it
    // matched, in rule-file order. Empty: the rule lists its operations by name.
    std::string selector;
    Scope scope = Scope::Call;
    // Evaluated after the simulation (scope effect, or scope plan without operations).
    bool after_plan() const { return scope == Scope::Effect || (scope == Scope::Plan && operations.empty()); }
    std::string for_var;                  // optional iteration
    ast::ExprPtr for_list;
    std::vector<NamedValue> lets;
    ast::ExprPtr when;
    ast::ExprPtr at;                      // plan value the finding points at (optional)
    Refusal refuses = Refusal::None;
    int http = 0;                         // HTTP status of a call refusal (0: undocumented)
    std::string code;                     // cloud error code ("" when undocumented)
    Template response_message;            // the cloud's message, when documented
    Template message;
    std::string source;
    Basis basis = Basis::Documented;
    std::string note;
    // `locked = true;`: the rule exists so that opguard fails closed (a call it cannot model,
    // a value or loop it cannot check). A run option (check --skip-rule, --severity) may not
    // skip it or lower its severity; only a waiver, which names the finding, accepts one.
    bool locked = false;
    std::vector<FieldRead> field_reads;  // inventory fields it reads (set by the compiler)
    EncodedBody encoded;                 // for_list, lets, when, at and the templates, not decoded yet
    bool applies_to(const std::string& operation) const;
    // Every expression the rule evaluates (for_list, when, at, its lets, the parts of its
    // messages), those it has; in no particular order.
    std::vector<ast::ExprPtr> expressions() const;
};

struct Effect {
    std::string id;
    Origin origin;
    std::vector<std::string> operations;
    std::string for_var;
    ast::ExprPtr for_list;
    std::vector<NamedValue> lets;
    ast::ExprPtr when;
    std::string noun;            // disk, snapshot, desktop, image copy ...
    std::string verb;            // erased, replaced, retained, deleted, created ...
    ast::ExprPtr resource_id;
    ast::ExprPtr size_gib;
    Template detail;
    ast::ExprPtr status_of;      // an inventory object whose status follows `status`
    ast::ExprPtr status;         // list: the status path
    std::vector<std::pair<ast::ExprPtr, ast::ExprPtr>> sets;  // field <- value, for later calls
    bool data_loss = false;
    bool pending = false;        // asynchronous: done only when the cloud's task finishes
    Basis basis = Basis::Documented;
    std::string source;
    std::string note;
    std::vector<FieldRead> field_reads;  // inventory fields it reads (set by the compiler)
    EncodedBody encoded;                 // for_list, lets, when ... sets, not decoded yet
    bool applies_to(const std::string& operation) const;
};

// The set naming parameters whose values are secrets (rules/common.rules). A rule file that
// defines it again extends it (compiler.cpp): redaction cannot be switched off by rules.
inline constexpr const char* kSecretParametersSet = "secret_parameters";
// The set of effect verbs that remove their object (rules/common.rules): history(kind, id)
// marks an object an effect so named acted on as `deleted`.
inline constexpr const char* kDeletingVerbsSet = "deleting_verbs";

// What a --rules file that defines a set again does to it (`redefine = ...;` on the set
// as first defined): replace it (the default), narrow it (its values must all be values of
// the set already: for sets whose values make opguard trust a call more, such as
// read_only_verbs) or extend it (its values are added, none removed: secret_parameters).
enum class Redefine : uint8_t { Replace, Narrow, Extend };

struct NamedSet {
    std::string name;
    Origin origin;
    Node values;                          // array of strings
    std::map<std::string, Basis> basis;   // per value
    std::string source;
    Redefine redefine = Redefine::Replace;
};

struct RuleSet {
    std::vector<ResourceKind> resources;
    std::vector<Operation> operations;
    std::vector<Rule> rules;
    std::vector<Effect> effects;
    std::map<std::string, NamedSet, std::less<>> sets;
    std::vector<Listing> listings;
    // Client spellings (what src/input/adapters reads): clients, their products, the API
    // metadata they embed, the names of REST operations.
    std::vector<Client> clients;
    std::vector<ClientProduct> products;
    std::vector<ClientApi> client_apis;
    std::vector<ClientRoute> routes;
    std::vector<OosAction> oos_actions;
    std::vector<TerraformResource> terraform_resources;

    const ResourceKind* resource(std::string_view name) const;
    const Operation* operation(std::string_view name) const;
    const Rule* rule(std::string_view id) const;
    const Listing* listing_of(std::string_view resource) const;  // nullptr: no listing names that kind
    // nullptr when none is declared. A product and a service compare case-insensitively
    // (ASCII), as the clients read them; an API's and a route's name exactly.
    const Client* client(std::string_view name) const;
    const ClientProduct* product(std::string_view client, std::string_view product) const;
    const ClientApi* client_api(std::string_view client, std::string_view product, std::string_view api) const;
    const ClientRoute* route(std::string_view client, std::string_view service, std::string_view name) const;
    const OosAction* oos_action(std::string_view action) const;  // by its OOS spelling, case-insensitive
    const TerraformResource* terraform_resource(std::string_view type) const;
};

}  // namespace opguard
