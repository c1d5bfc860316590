// How clients spell calls, as rule-file data (issue 16): `oos_action` items (the calls an
// OOS action's own template makes) and `terraform_resource` items (the calls a Terraform
// provider makes for a change). Asserts the call records the adapters produce (product,
// action, parameters, where each value is written, waits and conditions), that a --rules
// folder can add an action or a resource type without touching src/, the compiled form,
// and the rule-file errors of both item kinds.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "dsl/builtin_rules.hpp"
#include "dsl/rule_set_io.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A value as JSON-like text: strings quoted, lists in brackets.
std::string shown(const Node& v) {
    if (v.is_string()) return "\"" + v.as_string() + "\"";
    if (v.is_array()) {
        std::string s;
        for (const auto& i : v.items()) s += (s.empty() ? "" : ",") + shown(i);
        return "[" + s + "]";
    }
    return v.to_text();
}

struct Loaded {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    std::string path, text;
    // "product action" of each call, in order.
    std::vector<std::string> calls() const {
        std::vector<std::string> out;
        for (const auto& c : plan.calls) {
            const Node* p = c.record.find("product");
            const Node* s = c.record.find("service");
            const Node* a = c.record.find("action");
            const Node* m = c.record.find("method");
            out.push_back(c.id + " " + (p ? p->as_string() : s ? s->as_string() : "?") + " " +
                          (a ? a->as_string() : m ? m->as_string() + " " + c.record.find("path")->as_string() : "?") +
                          (c.wait ? " wait" : ""));
        }
        return out;
    }
    // name=value of each parameter of call i (values as JSON text).
    std::vector<std::string> params(size_t i) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : plan.calls.at(i).parameters.members()) out.push_back(k + "=" + shown(v));
        return out;
    }
    std::string value_at(size_t i, const std::string& name) const {
        const Node* v = plan.calls.at(i).parameters.find(name);
        REQUIRE(v != nullptr);
        Origin o = v->is_array() && !v->items().empty() ? v->items()[0].origin : v->origin;
        return lc(sources.file(o.file).position(o.offset));
    }
    bool conditional(size_t i) const {
        const Node* a = plan.calls.at(i).record.find("adapter");
        return a && a->find("conditional");
    }
};

std::unique_ptr<Loaded> load(const TempDir& dir, const std::string& name, const std::string& text,
                             const std::vector<std::string>& rule_dirs = {}) {
    auto l = std::make_unique<Loaded>();
    l->text = text;
    l->path = dir.write(name, text);
    l->rules = load_rules(l->sources, RuleSources{true, rule_dirs});
    l->plan = load_plan_any(l->sources, l->path, l->rules, "auto", {});
    return l;
}

// A Terraform plan with these resource changes (each a JSON object on its own line).
std::string tf_plan(const std::vector<std::string>& changes) {
    std::string s =
        "{\"format_version\": \"1.2\",\n"
        " \"configuration\": {\"provider_config\": {\"alicloud\": {\"name\": \"alicloud\", \"full_name\": \"registry.terraform.io/aliyun/alicloud\",\n"
        "   \"expressions\": {\"region\": {\"constant_value\": \"cn-hangzhou\"}}}}},\n"
        " \"resource_changes\": [\n";
    for (size_t i = 0; i < changes.size(); ++i) s += "  " + changes[i] + (i + 1 < changes.size() ? ",\n" : "\n");
    return s + "]}\n";
}
std::string change(const std::string& address, const std::string& actions, const std::string& before, const std::string& after) {
    std::string type = address.substr(0, address.find('.'));
    return "{\"address\": \"" + address + "\", \"mode\": \"managed\", \"type\": \"" + type +
           "\", \"provider_name\": \"registry.terraform.io/aliyun/alicloud\", \"change\": {\"actions\": " + actions +
           ", \"before\": " + before + ", \"after\": " + after + "}}";
}
// The same with after_unknown (the attributes known only after apply).
std::string change(const std::string& address, const std::string& actions, const std::string& before, const std::string& after,
                   const std::string& after_unknown) {
    std::string c = change(address, actions, before, after);
    c.insert(c.size() - 2, ", \"after_unknown\": " + after_unknown);
    return c;
}

// "file:line:col id message" of each error of loading the built-in rules and `rule_dirs`.
std::vector<std::string> rule_errors(const std::vector<std::string>& rule_dirs) {
    SourceRegistry sources;
    try {
        load_rules(sources, RuleSources{true, rule_dirs});
    } catch (const RuleErrorList& e) {
        std::vector<std::string> out;
        for (const auto& x : e.errors()) out.push_back(fs::path(x.file()).filename().string() + ":" + lc(x.position()) + " " + x.id() + " " + x.message());
        return out;
    }
    return {};
}

}  // namespace

TEST_CASE("ECS OOS actions become the calls their templates make, with parameters, defaults, conditions and waits", "[client-forms][oos]") {
    TempDir dir;
    const std::string t =
        "FormatVersion: OOS-2019-06-01\n"
        "Tasks:\n"
        "  - Name: stop\n"
        "    Action: ACS::ECS::StopInstance\n"
        "    Properties: {regionId: cn-hangzhou, instanceId: i-web1, forceStop: true}\n"
        "  - Name: replace\n"
        "    Action: ACS::ECS::ReplaceSystemDisk\n"
        "    Properties: {regionId: cn-hangzhou, instanceId: i-web1, imageId: m-new, keyPairName: ops-key}\n"
        "  - Name: reset\n"
        "    Action: acs::ecs::resetdisk\n"
        "    Properties: {regionId: cn-hangzhou, instanceId: i-web1, diskId: d-data1, snapshotId: s-1}\n"
        "  - Name: delete\n"
        "    Action: ACS::Template\n"
        "    Properties:\n"
        "      TemplateName: ACS::ECS::DeleteInstance\n"
        "      Parameters: {regionId: cn-hangzhou, instanceId: i-old}\n";
    auto l = load(dir, "ops.yml", t);
    CHECK(l->calls() == std::vector<std::string>{
                            "stop/stopInstance ecs StopInstance wait",
                            "replace/stopInstance ecs StopInstance wait",
                            "replace/replaceSystemDisk ecs ReplaceSystemDisk wait",
                            "replace/startInstance ecs StartInstance wait",
                            "reset/stopInstance ecs StopInstance wait",
                            "reset/resetDisk ecs ResetDisk wait",
                            "reset/startInstance ecs StartInstance wait",
                            "delete/deleteInstance ecs DeleteInstance"});
    // Given values where they are written; defaults of the action's template where not given.
    CHECK(l->params(0) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "InstanceId=\"i-web1\"", "StoppedMode=\"\"",
                                                   "Hibernate=false", "ForceStop=true"});
    CHECK(l->value_at(0, "InstanceId") == lc(position_of(t, "i-web1")));
    CHECK(l->value_at(0, "ForceStop") == lc(position_of(t, "true", "forceStop")));
    CHECK(l->value_at(0, "Hibernate") == "3:5");  // a default: at the task
    CHECK(l->conditional(0));
    // ReplaceSystemDisk: Password is '' by default and left out (Fn::If); KeyPairName is sent.
    CHECK(l->params(2) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "ImageId=\"m-new\"", "InstanceId=\"i-web1\"",
                                                   "KeyPairName=\"ops-key\"", "PasswordInherit=false"});
    CHECK(l->value_at(2, "ImageId") == lc(position_of(t, "m-new")));
    CHECK(l->conditional(1));
    CHECK_FALSE(l->conditional(2));
    CHECK(l->params(5) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "DiskId=\"d-data1\"", "SnapshotId=\"s-1\""});
    CHECK(l->value_at(5, "DiskId") == lc(position_of(t, "d-data1")));
    // Through ACS::Template: the values are those of Properties.Parameters.
    CHECK(l->params(7) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "InstanceId=\"i-old\""});
    CHECK(l->value_at(7, "InstanceId") == lc(position_of(t, "i-old")));
    CHECK(l->conditional(7));  // the ACS::CheckFor Stopped before it
}

TEST_CASE("an OOS action's parameter without a Default and not given is unresolved, named after the action's template", "[client-forms][oos]") {
    TempDir dir;
    auto l = load(dir, "t.yml",
                  "FormatVersion: OOS-2019-06-01\n"
                  "Tasks:\n"
                  "  - Name: reboot\n"
                  "    Action: ACS::ECS::RebootInstance\n"
                  "    Properties: {instanceId: i-1}\n");
    REQUIRE(l->plan.calls.size() == 1);
    const Node* unresolved = l->plan.calls[0].record.find("adapter")->find("unresolved");
    REQUIRE(unresolved);
    REQUIRE(unresolved->items().size() == 1);
    CHECK(unresolved->items()[0].find("flag")->as_string() == "Properties.regionId");
    CHECK(unresolved->items()[0].find("text")->as_string() ==
          "regionId not given: its default is {{ ACS::RegionId }}, the region the execution runs in");
    // The placeholder stands in for the value; every check that needs it is skipped.
    CHECK(l->params(0) == std::vector<std::string>{
                              "RegionId=\"regionId not given: its default is {{ ACS::RegionId }}, the region the execution runs in\"",
                              "InstanceId=\"i-1\"", "ForceStop=false"});
}

TEST_CASE("Terraform: deleting instances and disks becomes the provider's calls, a replace is delete then create", "[client-forms][terraform]") {
    TempDir dir;
    const std::string plan = tf_plan({
        change("alicloud_instance.web", "[\"delete\"]", "{\"id\": \"i-web1\", \"instance_charge_type\": \"PostPaid\"}", "null"),
        change("alicloud_instance.db", "[\"delete\"]",
               "{\"id\": \"i-db1\", \"instance_charge_type\": \"PrePaid\", \"force_delete\": true, \"include_data_disks\": true}", "null"),
        change("alicloud_ecs_disk.data", "[\"delete\", \"create\"]", "{\"id\": \"d-data1\", \"payment_type\": \"PayAsYouGo\", \"size\": 200}",
               "{\"zone_id\": \"cn-hangzhou-h\", \"category\": \"cloud_essd\", \"size\": 100, \"disk_name\": \"\"}"),
        change("alicloud_ecs_disk.kept", "[\"delete\"]",
               "{\"id\": \"d-sub1\", \"payment_type\": \"Subscription\", \"delete_with_instance\": true}", "null"),
        change("alicloud_ecd_desktop.d1", "[\"delete\"]", "{\"id\": \"ecd-1\"}", "null"),
    });
    auto l = load(dir, "tfplan.json", plan);
    CHECK(l->calls() == std::vector<std::string>{
                            "alicloud_instance.web ecs DeleteInstance wait",
                            "alicloud_instance.db:ModifyInstanceChargeType ecs ModifyInstanceChargeType wait",
                            "alicloud_instance.db:DeleteInstance ecs DeleteInstance wait",
                            "alicloud_ecs_disk.data:DeleteDisk ecs DeleteDisk",
                            "alicloud_ecs_disk.data:CreateDisk ecs CreateDisk",
                            // alicloud_ecs_disk.kept: a PrePaid disk deleted with its instance is only dropped from the state
                            "alicloud_ecd_desktop.d1 ecd DeleteDesktops wait"});
    CHECK(l->params(0) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "InstanceId=\"i-web1\"", "Force=true"});
    CHECK(l->value_at(0, "InstanceId") == l->value_at(0, "Force"));  // both at the address
    CHECK(l->value_at(0, "InstanceId") == lc(position_of(plan, "\"alicloud_instance.web\"")));  // the address
    CHECK(l->params(1) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "InstanceIds=[\"i-db1\"]", "InstanceChargeType=\"PostPaid\"", "IncludeDataDisks=true", "AutoPay=true"});
    CHECK(l->params(3) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "DiskId=\"d-data1\""});
    // An empty disk_name is left out (if_set); RegionId is the provider's.
    CHECK(l->params(4) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "ZoneId=\"cn-hangzhou-h\"", "DiskCategory=\"cloud_essd\"", "Size=100"});
    CHECK(l->params(5) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "DesktopId=[\"ecd-1\"]"});
    for (size_t i = 0; i < l->plan.calls.size(); ++i)
        CHECK(l->plan.calls[i].record.find("adapter")->find("region")->as_string() == "cn-hangzhou");
}

TEST_CASE("Terraform: a new image_id of alicloud_instance stops it, replaces its system disk and starts it", "[client-forms][terraform]") {
    // resourceAliCloudInstanceUpdate (terraform-provider-alicloud 81c43b6): a changed image_id or
    // status reads the instance, stops it when it is Running (or status goes to Stopped),
    // ReplaceSystemDisk with SystemDiskSize (the SDK's SystemDisk.Size), StartInstance when
    // status is Running. before.status is what the provider's refresh read.
    TempDir dir;
    const std::string plan = tf_plan({
        change("alicloud_instance.web", "[\"update\"]", "{\"id\": \"i-web1\", \"image_id\": \"m-old\", \"status\": \"Running\", \"system_disk_size\": 40}",
               "{\"id\": \"i-web1\", \"image_id\": \"m-new\", \"status\": \"Running\", \"system_disk_size\": 40}"),
        change("alicloud_instance.batch", "[\"update\"]", "{\"id\": \"i-b1\", \"image_id\": \"m-old\", \"status\": \"Stopped\"}",
               "{\"id\": \"i-b1\", \"image_id\": \"m-new\", \"status\": \"Stopped\"}"),
        change("alicloud_instance.nostatus", "[\"update\"]", "{\"id\": \"i-n1\", \"image_id\": \"m-old\"}",
               "{\"id\": \"i-n1\", \"image_id\": \"m-new\"}"),
        change("alicloud_instance.stop", "[\"update\"]", "{\"id\": \"i-t1\", \"status\": \"Running\", \"stopped_mode\": \"KeepCharging\"}",
               "{\"id\": \"i-t1\", \"status\": \"Stopped\", \"stopped_mode\": \"StopCharging\"}"),
        change("alicloud_instance.start", "[\"update\"]", "{\"id\": \"i-u1\", \"status\": \"Stopped\", \"force_delete\": false}",
               "{\"id\": \"i-u1\", \"status\": \"Running\", \"force_delete\": true}"),
        change("alicloud_instance.flag", "[\"update\"]", "{\"id\": \"i-f1\", \"force_delete\": false}", "{\"id\": \"i-f1\", \"force_delete\": true}"),
    });
    auto l = load(dir, "tfplan.json", plan);
    CHECK(l->calls() == std::vector<std::string>{
                            "alicloud_instance.web:StopInstance ecs StopInstance wait",
                            "alicloud_instance.web:ReplaceSystemDisk ecs ReplaceSystemDisk wait",
                            "alicloud_instance.web:StartInstance ecs StartInstance wait",
                            // Stopped and staying so: no stop, no start
                            "alicloud_instance.batch ecs ReplaceSystemDisk wait",
                            // no status in the state: the stop is conditional
                            "alicloud_instance.nostatus:StopInstance ecs StopInstance wait",
                            "alicloud_instance.nostatus:ReplaceSystemDisk ecs ReplaceSystemDisk wait",
                            "alicloud_instance.stop ecs StopInstance wait",
                            "alicloud_instance.start ecs StartInstance wait"
                            // alicloud_instance.flag: force_delete is only recorded (no_call)
                        });
    CHECK(l->params(0) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "InstanceId=\"i-web1\"", "ForceStop=false"});
    CHECK(l->params(1) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "InstanceId=\"i-web1\"", "ImageId=\"m-new\"", "SystemDisk.Size=40"});
    CHECK_FALSE(l->conditional(0));
    CHECK(l->conditional(4));
    CHECK_FALSE(l->conditional(5));
    CHECK(l->params(6) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "InstanceId=\"i-t1\"", "ForceStop=false", "StoppedMode=\"StopCharging\""});
}

TEST_CASE("Terraform: an update of an attribute no update call maps is a call no rule describes, never nothing", "[client-forms][terraform][fail-closed]") {
    TempDir dir;
    const std::string plan = tf_plan({
        // instance_type and user_data: the provider stops the instance, ModifyInstanceSpec, starts it
        change("alicloud_instance.type", "[\"update\"]",
               "{\"id\": \"i-ty1\", \"instance_type\": \"ecs.g5.large\", \"user_data\": \"a\", \"status\": \"Running\"}",
               "{\"id\": \"i-ty1\", \"instance_type\": \"ecs.g5.xlarge\", \"user_data\": \"b\", \"status\": \"Running\"}"),
        // a mapped and an unmapped attribute: the mapped call, then the unmapped one
        change("alicloud_instance.both", "[\"update\"]", "{\"id\": \"i-bo1\", \"image_id\": \"m-old\", \"status\": \"Stopped\", \"password\": \"x\"}",
               "{\"id\": \"i-bo1\", \"image_id\": \"m-new\", \"status\": \"Stopped\", \"password\": \"y\"}"),
        // the same secret on both sides is no change (both are blanked when the plan is read)
        change("alicloud_instance.samepw", "[\"update\"]", "{\"id\": \"i-sp1\", \"image_id\": \"m-old\", \"status\": \"Stopped\", \"password\": \"x\"}",
               "{\"id\": \"i-sp1\", \"image_id\": \"m-new\", \"status\": \"Stopped\", \"password\": \"x\"}"),
        // an attribute known only after apply counts as changed
        change("alicloud_ecd_desktop.tags", "[\"update\"]", "{\"id\": \"ecd-1\", \"tags\": null}", "{\"id\": \"ecd-1\"}",
               "{\"tags\": true}"),
        // bundle_id alone: no call (no_call), not an unmodeled one
        change("alicloud_ecd_desktop.bundle", "[\"update\"]", "{\"id\": \"ecd-2\", \"bundle_id\": \"b-1\"}", "{\"id\": \"ecd-2\", \"bundle_id\": \"b-2\"}"),
    });
    auto l = load(dir, "tfplan.json", plan);
    CHECK(l->calls() == std::vector<std::string>{
                            "alicloud_instance.type alicloud update alicloud_instance (instance_type, user_data)",
                            "alicloud_instance.both:ReplaceSystemDisk ecs ReplaceSystemDisk wait",
                            "alicloud_instance.both:update alicloud_instance (password) alicloud update alicloud_instance (password)",
                            "alicloud_instance.samepw ecs ReplaceSystemDisk wait",
                            "alicloud_ecd_desktop.tags alicloud update alicloud_ecd_desktop (tags)"});
    // The secret's value is not in the call: only the attribute's name.
    CHECK(l->plan.calls[2].record.to_json().find("\"y\"") == std::string::npos);

    // End to end: the check fails at the resource's address.
    dir.write("plan.json", plan);
    const CliRun r = run_opguard(dir.path(), "check plan.json --no-config --inventory " + shell_quote(source_path("samples/fleet")));
    CHECK(r.exit == 1);
    CHECK(has(r.out, "error[plan.unmodeled-call] plan.json:"));
    CHECK(has(r.out, "no rule file describes alicloud update alicloud_instance (instance_type, user_data): opguard cannot tell what this call changes or destroys"));
}

TEST_CASE("Terraform: a mapped attribute whose calls all stay out by their conditions is a call no rule describes", "[client-forms][terraform][fail-closed]") {
    // These came out as 0 calls, "no change": status to Stopped from a status the items did not
    // name, and a desktop status known only after apply.
    TempDir dir;
    const std::string plan = tf_plan({
        change("alicloud_instance.a", "[\"update\"]", "{\"id\": \"i-a\", \"status\": null}", "{\"id\": \"i-a\", \"status\": \"Stopped\"}"),
        change("alicloud_instance.b", "[\"update\"]", "{\"id\": \"i-b\", \"status\": \"Starting\"}", "{\"id\": \"i-b\", \"status\": \"Stopped\"}"),
        change("alicloud_instance.c", "[\"update\"]", "{\"id\": \"i-c\", \"image_id\": \"m-1\", \"status\": \"Pending\"}",
               "{\"id\": \"i-c\", \"image_id\": \"m-2\", \"status\": \"Pending\"}"),
        change("alicloud_ecd_desktop.d", "[\"update\"]", "{\"id\": \"ecd-1\", \"status\": \"Running\"}", "{\"id\": \"ecd-1\"}", "{\"status\": true}"),
        change("alicloud_ecd_desktop.e", "[\"update\"]", "{\"id\": \"ecd-2\", \"status\": \"Running\"}", "{\"id\": \"ecd-2\", \"status\": \"Hibernated\"}"),
    });
    auto l = load(dir, "tfplan.json", plan);
    CHECK(l->calls() == std::vector<std::string>{
                            "alicloud_instance.a ecs StopInstance wait",
                            "alicloud_instance.b ecs StopInstance wait",
                            "alicloud_instance.c:StopInstance ecs StopInstance wait",  // conditional: Pending is neither Running nor Stopped
                            "alicloud_instance.c:ReplaceSystemDisk ecs ReplaceSystemDisk wait",
                            "alicloud_ecd_desktop.d alicloud update alicloud_ecd_desktop (status: known only after apply)",
                            "alicloud_ecd_desktop.e alicloud update alicloud_ecd_desktop (status: no mapped call for this change)"});
    CHECK_FALSE(l->conditional(0));
    CHECK(l->conditional(2));
}

TEST_CASE("Terraform: a resource change opguard cannot read is an input error, never a change skipped", "[client-forms][terraform][fail-closed][hostile]") {
    TempDir dir;
    const std::string head = "{\"format_version\": \"1.2\", \"resource_changes\": [";
    const std::string ok = "{\"address\": \"alicloud_ecd_desktop.d\", \"mode\": \"managed\", \"type\": \"alicloud_ecd_desktop\", ";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {ok + "\"change\": {\"actions\": \"delete\", \"before\": {\"id\": \"ecd-1\"}}}", "'actions' is a non-empty list"},
        {ok + "\"change\": {\"actions\": [\"Delete\"], \"before\": {\"id\": \"ecd-1\"}}}", "unknown action \"Delete\""},
        {ok + "\"change\": {\"actions\": [\"destroy\"], \"before\": {\"id\": \"ecd-1\"}}}", "unknown action \"destroy\""},
        {ok + "\"change\": {\"actions\": [], \"before\": {\"id\": \"ecd-1\"}}}", "'actions' is a non-empty list"},
        {ok + "\"change\": null}", "needs 'change', an object"},
        {ok + "\"changes\": {\"actions\": [\"delete\"]}}", "needs 'change', an object"},
        {"{\"address\": \"alicloud_ecd_desktop.d\", \"mode\": \"Managed\", \"type\": \"alicloud_ecd_desktop\", \"change\": {\"actions\": [\"delete\"]}}", "mode is \"managed\" or \"data\"; found \"Managed\""},
        {"{\"address\": \"alicloud_ecd_desktop.d\", \"type\": \"alicloud_ecd_desktop\", \"change\": {\"actions\": [\"delete\"]}}", "needs 'mode', a non-empty string"},
        {"{\"address\": \"x\", \"mode\": \"managed\", \"type\": 7, \"change\": {\"actions\": [\"delete\"]}}", "needs 'type', a non-empty string; found 7"},
        {"7", "a resource change is an object"},
    };
    for (const auto& [entry, expected] : cases) {
        CAPTURE(entry);
        dir.write("plan.json", head + entry + "]}");
        const CliRun r = run_opguard(dir.path(), "check plan.json --no-config --inventory " + shell_quote(source_path("samples/fleet")));
        CHECK(r.exit == 2);
        CHECK(has(r.err, "plan.json:1:"));
        CHECK(has(r.err, "error[plan.terraform-shape]"));
        CHECK(has(r.err, expected));
    }
    // data sources and forget (removed from the state, not destroyed) make no call
    dir.write("plan.json", head + "{\"address\": \"data.x.y\", \"mode\": \"data\", \"type\": \"alicloud_instances\", \"change\": {\"actions\": [\"read\"]}}, " +
                               ok + "\"change\": {\"actions\": [\"forget\"], \"before\": {\"id\": \"ecd-1\"}}}]}");
    const CliRun quiet = run_opguard(dir.path(), "check plan.json --no-config --inventory " + shell_quote(source_path("samples/fleet")));
    CHECK(quiet.exit == 0);
    CHECK(has(quiet.out, "(0 calls)"));
}

TEST_CASE("a --rules folder adds an OOS action and a Terraform resource type without touching src/", "[client-forms][rules-dir]") {
    TempDir dir;
    dir.write("rules/more.rules",
              "oos_action ecs_attach_disk {\n"
              "  action = \"ACS::ECS::AttachDisk\";\n"
              "  parameters = {regionId: \"{{ ACS::RegionId }}\", instanceId: null, diskId: null, deleteWithInstance: false};\n"
              "  calls = [{task: \"attachDisk\", product: \"ecs\", api: \"AttachDisk\",\n"
              "            params: {RegionId: regionId, InstanceId: instanceId, DiskId: diskId, DeleteWithInstance: deleteWithInstance}, wait: true}];\n"
              "  source = \"a test\";\n"
              "}\n"
              "terraform_resource alicloud_ecs_snapshot {\n"
              "  product = \"ecs\";\n"
              "  region = [provider.region];\n"
              "  delete = [{api: \"DeleteSnapshot\", params: {SnapshotId: before.id, Force: true}}];\n"
              "  source = \"a test\";\n"
              "}\n");
    dir.write("ops.yml",
              "FormatVersion: OOS-2019-06-01\n"
              "Tasks:\n"
              "  - Name: attach\n"
              "    Action: ACS::ECS::AttachDisk\n"
              "    Properties: {regionId: cn-hangzhou, instanceId: i-1, diskId: d-1}\n");
    dir.write("tfplan.json", tf_plan({change("alicloud_ecs_snapshot.s", "[\"delete\"]", "{\"id\": \"s-1\"}", "null")}));
    // Without the folder, neither is expanded.
    {
        auto l = load(dir, "ops.yml", slurp(dir.file("ops.yml")));
        CHECK(l->calls() == std::vector<std::string>{"attach ecs AttachDisk"});
        CHECK(l->plan.calls[0].parameters.members().empty());
        auto t = load(dir, "tfplan.json", slurp(dir.file("tfplan.json")));
        CHECK(t->calls() == std::vector<std::string>{"alicloud_ecs_snapshot.s alicloud delete alicloud_ecs_snapshot"});
    }
    auto l = load(dir, "ops.yml", slurp(dir.file("ops.yml")), {dir.file("rules")});
    CHECK(l->calls() == std::vector<std::string>{"attach/attachDisk ecs AttachDisk wait"});
    CHECK(l->params(0) == std::vector<std::string>{"RegionId=\"cn-hangzhou\"", "InstanceId=\"i-1\"", "DiskId=\"d-1\"", "DeleteWithInstance=false"});
    auto t = load(dir, "tfplan.json", slurp(dir.file("tfplan.json")), {dir.file("rules")});
    CHECK(t->calls() == std::vector<std::string>{"alicloud_ecs_snapshot.s ecs DeleteSnapshot"});
    CHECK(t->params(0) == std::vector<std::string>{"SnapshotId=\"s-1\"", "Force=true"});
    // Through the binary: a user's file may also declare a built-in action again (it replaces it).
    dir.write("rules/override.rules",
              "oos_action my_stop {\n"
              "  action = \"ACS::ECS::StopInstance\";\n"
              "  parameters = {instanceId: null};\n"
              "  calls = [{task: \"only\", product: \"ecs\", api: \"StopInstance\", params: {InstanceId: instanceId, ForceStop: true}}];\n"
              "  source = \"a test\";\n"
              "}\n");
    dir.write("stop.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: s\n    Action: ACS::ECS::StopInstance\n    Properties: {instanceId: i-9}\n");
    CliRun r = run_opguard(dir.path().string(), "check stop.yml --rules rules -i " + shell_quote(source_path("samples/fleet")) + " --format json");
    REQUIRE(r.exit >= 0);
    const auto report = nlohmann::json::parse(r.out);
    REQUIRE(report["calls"].size() == 1);
    CHECK(report["calls"][0]["id"] == "s/only");
}

TEST_CASE("the compiled built-in rules carry the OOS actions and Terraform resources", "[client-forms][compiled_rules]") {
    SourceRegistry a, b;
    std::vector<ParsedRuleFile> files;
    for (const auto& f : builtin_rule_files()) {
        uint32_t id = a.add_static(f.name, f.text);
        files.push_back({id, parse_rule_file(a, id), false});
    }
    RuleSet parsed = compile_rules(a, files);
    RuleSet loaded = load_rules(b, RuleSources{true, {}});  // the compiled form
    REQUIRE(loaded.oos_actions.size() == parsed.oos_actions.size());
    REQUIRE(loaded.terraform_resources.size() == parsed.terraform_resources.size());
    const OosAction* rsd = loaded.oos_action("acs::ecs::replacesystemdisk");
    REQUIRE(rsd);
    REQUIRE(rsd->calls.size() == 3);
    CHECK(rsd->calls[1].api == "ReplaceSystemDisk");
    CHECK(rsd->calls[1].params[3].name == "KeyPairName");
    CHECK(rsd->calls[1].params[3].if_set);
    CHECK(rsd->calls[0].conditional == parsed.oos_action("ACS::ECS::ReplaceSystemDisk")->calls[0].conditional);
    const TerraformResource* disk = loaded.terraform_resource("alicloud_ecs_disk");
    REQUIRE(disk);
    REQUIRE(disk->on_delete.size() == 1);
    REQUIRE(disk->on_delete[0].skip_if.size() == 2);
    CHECK(disk->on_delete[0].skip_if[1].attr == "before.delete_with_instance");
    CHECK(disk->on_delete[0].skip_if[1].value.as_bool());
    const TerraformResource* ecd = loaded.terraform_resource("alicloud_ecd_desktop");
    REQUIRE(ecd);
    CHECK(ecd->on_update.back().params[1].translate.find("PayAsYouGo")->as_string() == "PostPaid");
    CHECK(ecd->missing == parsed.terraform_resource("alicloud_ecd_desktop")->missing);
    CHECK(loaded.terraform_resource("huaweicloud_workspace_desktop")->header == "huaweicloud");
}

TEST_CASE("errors in oos_action and terraform_resource items: file:line:col, stable id, did-you-mean", "[client-forms][rule-errors]") {
    TempDir dir;
    const std::string text =
        "oos_action a1 {\n"
        "  action = \"ACS::ECS::AttachDisk\";\n"
        "  parameters = {instanceId: null, diskId: null};\n"
        "  calls = [{task: \"t\", product: \"ecs\", api: \"AttachDisk\", params: {InstanceId: instanceld}}];\n"
        "  source = \"s\";\n"
        "}\n"
        "oos_action a2 {\n"
        "  action = \"ACS::ECS::DetachDisk\";\n"
        "  parameters = {diskId: null};\n"
        "  calls = [{task: \"t\", product: \"ecs\", api: \"DetachDisk\", waits: true}];\n"
        "  source = \"s\";\n"
        "}\n"
        "oos_action a3 {\n"
        "  action = \"ACS::ECS::StopInstance\";\n"
        "  parameters = {instanceId: null};\n"
        "  calls = [{task: \"t\", product: \"ecs\", api: \"StopInstance\", params: {InstanceId: if_sett(instanceId)}}];\n"
        "  source = \"s\";\n"
        "  sorce = \"s\";\n"
        "}\n"
        "terraform_resource alicloud_foo {\n"
        "  header = aliyn;\n"
        "  product = \"ecs\";\n"
        "  delete = [{api: \"DeleteFoo\", params: {FooId: befor.id}}];\n"
        "  update = [{api: \"ModifyFoo\", params: {FooId: before.id}}];\n"
        "  source = \"s\";\n"
        "}\n"
        "terraform_resource alicloud_bar {\n"
        "  product = \"ecs\";\n"
        "  delete = [{api: \"DeleteBar\", only_if: before.x > 1}];\n"
        "  source = \"s\";\n"
        "}\n";
    dir.write("rules/bad.rules", text);
    auto at = [&](const std::string& needle, const std::string& after = {}) { return "bad.rules:" + lc(position_of(text, needle, after)); };
    std::vector<std::string> got = rule_errors({dir.file("rules")});
    CHECK(got == std::vector<std::string>{
                     at("instanceld") + " rules.unknown-name 'instanceld' is not a parameter of this action (did you mean 'instanceId'?) (declare it in 'parameters')",
                     at("waits") + " rules.unknown-property unknown key 'waits' in a call of calls (did you mean 'wait'?); expected one of: task, product, api, params, conditional, wait",
                     at("if_sett") + " rules.unknown-function unknown function 'if_sett' in a parameter's source (did you mean 'if_set'?); expected if_set(source) or translate(source, {From: \"To\"})",
                     at("sorce") + " rules.unknown-property unknown property 'sorce' in oos_action a3 (did you mean 'source'?); expected one of: action, parameters, calls, source, note",
                     at("aliyn") + " rules.type 'header' must be one of aliyun, huaweicloud; found 'aliyn' (did you mean 'aliyun'?)",
                     at("before.x > 1") + " rules.type a condition compares before.ATTRIBUTE or after.ATTRIBUTE with a constant (== or !=), joined by 'and'"});
    // The terraform_resource item stops at its first error (header); once that is mended,
    // the next ones are reported.
    std::string mended = text;
    mended.replace(mended.find("aliyn"), 5, "aliyun");
    dir.write("rules/bad.rules", mended);
    got = rule_errors({dir.file("rules")});
    REQUIRE(got.size() == 6);
    CHECK(got[4] == "bad.rules:" + lc(position_of(mended, "befor.id")) +
                        " rules.type a parameter's source is before.ATTRIBUTE, after.ATTRIBUTE, provider.SETTING, a constant, [source], if_set(source) or translate(source, {...}) (did you mean 'before'?)");
    // A built-in action declared twice in the built-in rules would be a duplicate; a --rules
    // file may declare it again (it replaces the built-in one): no error.
    dir.write("rules/bad.rules",
              "oos_action again {\n  action = \"ACS::ECS::StartInstance\";\n  parameters = {};\n  calls = [];\n  source = \"s\";\n}\n");
    CHECK(rule_errors({dir.file("rules")}).empty());
}

TEST_CASE("a misspelt item kind names the new kinds too", "[client-forms][rule-errors]") {
    TempDir dir;
    dir.write("rules/k.rules", "oos_actoin x {\n}\n");
    std::vector<std::string> got = rule_errors({dir.file("rules")});
    REQUIRE(got.size() == 1);
    CHECK(got[0] == "k.rules:1:1 rules.syntax expected an item (resource, operation, rule, effect, set, listing, client, product, cli_api, route, oos_action or terraform_resource), found 'oos_actoin'");
}

TEST_CASE("among the built-in rules an OOS action or a resource type is declared once", "[client-forms][rule-errors]") {
    // Two built-in files (may_override false) declaring the same action and type.
    SourceRegistry sources;
    const std::string one =
        "oos_action a { action = \"ACS::ECS::AttachDisk\"; parameters = {}; calls = []; source = \"s\"; }\n"
        "terraform_resource alicloud_foo { product = \"ecs\"; source = \"s\"; }\n";
    const std::string two =
        "oos_action b { action = \"acs::ecs::attachdisk\"; parameters = {}; calls = []; source = \"s\"; }\n"
        "terraform_resource alicloud_foo { product = \"ecs\"; source = \"s\"; }\n";
    uint32_t f1 = sources.add("builtin/one.rules", one);
    uint32_t f2 = sources.add("builtin/two.rules", two);
    std::vector<ParsedRuleFile> files = {{f1, parse_rule_file(sources, f1), false}, {f2, parse_rule_file(sources, f2), false}};
    RuleErrors errors(sources);
    compile_rules(sources, files, errors);
    std::vector<std::string> got;
    try {
        errors.throw_if_any();
    } catch (const RuleErrorList& e) {
        for (const auto& x : e.errors()) got.push_back(x.file() + ":" + lc(x.position()) + " " + x.id() + " " + x.message());
    }
    CHECK(got == std::vector<std::string>{
                     "builtin/two.rules:" + lc(position_of(two, "\"acs::ecs")) +
                         " rules.duplicate OOS action acs::ecs::attachdisk is declared already, at builtin/one.rules:1:12",
                     "builtin/two.rules:" + lc(position_of(two, "alicloud_foo")) +
                         " rules.duplicate terraform_resource alicloud_foo is declared already, at builtin/one.rules:2:20"});
}

TEST_CASE("a conditional step's effects are not predicted, and the summary says so instead of 'no change'", "[client-forms][oos][fail-closed]") {
    // ACS::ECS::DeleteInstance deletes the instance once its status check passes; the summary
    // said "Plan: no change." with exit 0.
    TempDir dir;
    dir.write("del.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: del\n    Action: ACS::ECS::DeleteInstance\n    Properties:\n"
                         "      regionId: cn-hangzhou\n      instanceId: i-bp1dedicated04\n");
    const CliRun r = run_opguard(dir.path().string(), "check del.yml --no-config -i " + shell_quote(source_path("samples/fleet")));
    CHECK(r.out.find("info[plan.conditional-call]") != std::string::npos);
    CHECK(r.out.find("Plan: 1 call runs only under a condition checked when it runs: its effects are not predicted.\n") != std::string::npos);
    CHECK(r.out.find("no change") == std::string::npos);
    const CliRun j = run_opguard(dir.path().string(), "check del.yml --no-config --format json -i " + shell_quote(source_path("samples/fleet")));
    const auto report = nlohmann::json::parse(j.out);
    CHECK(report["summary"]["text"] == "Plan: 1 call runs only under a condition checked when it runs: its effects are not predicted.");
}

TEST_CASE("an OOS ACS::WaitFor whose API changes something is a call, not a bare wait", "[client-forms][oos][fail-closed]") {
    // It printed "wait del: nothing pending" and "no change" for a WaitFor that calls DeleteInstance.
    TempDir dir;
    dir.write("w.yml", "FormatVersion: OOS-2019-06-01\nTasks:\n"
                       "  - Name: del\n    Action: ACS::WaitFor\n    Properties:\n      Service: ECS\n      API: DeleteInstance\n"
                       "      Parameters: {RegionId: cn-hangzhou, InstanceId: i-bp1dedicated04, Force: true}\n"
                       "      PropertySelector: RequestId\n      NotDesiredValues: []\n"
                       "  - Name: poll\n    Action: ACS::WaitFor\n    Properties:\n      Service: ECS\n      API: DescribeInstances\n"
                       "      Parameters: {RegionId: cn-hangzhou}\n      PropertySelector: Instances.Instance[].Status\n      DesiredValues: [Stopped]\n");
    const CliRun r = run_opguard(dir.path().string(), "check w.yml --no-config -i " + shell_quote(source_path("samples/fleet")));
    CHECK(r.out.find("call 1 del: ecs.DeleteInstance  w.yml:3:5\n") != std::string::npos);
    CHECK(r.out.find("Plan: 1 instance released.") != std::string::npos);
    // A WaitFor that only reads stays a wait.
    CHECK(r.out.find("wait poll:") != std::string::npos);
    CHECK(r.out.find("(1 call)") != std::string::npos);
}
