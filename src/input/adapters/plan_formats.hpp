#pragma once
// load_plan_any: a plan in any form users actually have => Plan. Every form becomes the same
// internal plan (through plan_from_node), so the rules apply unchanged, and every finding
// points at file:line:col of the ORIGINAL script, record file, template or Terraform plan.
//
//   opguard             opguard's JSON plan (what load_plan reads)
//   shell               a shell script of `aliyun` and `hcloud` command lines
//   cli-dry-run-json    records printed by `aliyun ... --cli-dry-run-json` (one, an array, or several in a row)
//   hcloud-json-input   a KooCLI --cli-jsonInput file named after its operation
//   oos-template        an OOS template, YAML or JSON
//   terraform-plan      `terraform show -json` of a saved plan
//
// With format "auto" the kind is detected from the content; a file that is none of them is
// an input error ("plan.unknown-format") that says which formats were tried and why each
// failed. A named format that does not fit is "plan.format-mismatch". What an adapter saw
// about a call (dry-run lines, unresolved $VARs, repeated flags, ...) is in the call's
// record as `request.adapter` (see plan_builder.hpp) and reported by rules/adapters.rules.
#include <string>
#include <vector>

#include "core/source.hpp"
#include "dsl/rule_set.hpp"
#include "input/plan.hpp"

namespace opguard {

// "auto" first, then the names above (the values --plan-format accepts).
const std::vector<std::string>& plan_format_names();

// `template_parameters` (check --parameters): the parameters of an OOS template's execution,
// as `aliyun oos StartExecution --Parameters` takes them: a JSON object, inline (text that
// starts with { or [, located as "--parameters") or in a file; given values win over Default.
// Given for a plan that is not an OOS template, it is a "usage" error. Nested ACS::Template
// tasks read their templates from the plan's folder (<TemplateName>.yml, .yaml or .json).
// Throws InputError (the format's own errors, "plan.unknown-format", "plan.format-mismatch",
// "plan.no-calls", "oos.parameters", "usage" for an unknown format name).
Plan load_plan_any(SourceRegistry& sources, const std::string& path, const RuleSet& rules, const std::string& format = "auto",
                   const std::string& template_parameters = {});

}  // namespace opguard
