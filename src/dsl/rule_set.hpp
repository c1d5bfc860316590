#pragma once
// RuleSet: the compiled rule files. Everything opguard knows about an operation — how
// calls are recognised, their parameters and targets, what the cloud refuses and what an
// accepted call does — is here as data; the engine walks it without knowing any API.
#include <map>
#include <memory>
#include <string>
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
    std::string target_kind;         // resource kind the targets name (for history and summaries)
    std::string target_noun;         // how summaries name a target when it is no resource ("region")
    std::vector<NamedValue> lets;    // per-target named values (may use `target`)
    std::string response;            // per_target | single | body
    std::string results_field;       // per_target: e.g. RebuildResults
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

// Plan: once per plan. With `operations`, before the calls run (when some call is of one of
// them); without, after the simulation, seeing `calls` and the predicted `effects` (a policy).
// Effect: after the simulation, once per predicted effect (`effect` bound), of the listed
// operations' calls (every effect when `operations` is left out).
enum class Scope : uint8_t { Plan, Call, Target, Effect };
enum class Refusal : uint8_t { None, Call, Target };

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
    bool applies_to(const std::string& operation) const;
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

    const ResourceKind* resource(std::string_view name) const;
    const Operation* operation(std::string_view name) const;
    const Rule* rule(std::string_view id) const;
    const Listing* listing_of(std::string_view resource) const;  // nullptr: no listing names that kind
};

}  // namespace opguard
