// Secrets never reach any output: the one redaction mechanism (core/redact.hpp) keyed on a
// normalised name, applied where every plan form is read, in the adapters' records, in
// every error message; user rule files may add secret names and cannot remove any.
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/redact.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;
namespace fs = std::filesystem;

namespace {

// ---- the names --------------------------------------------------------------------------------

TEST_CASE("secret names: case-, dash-, underscore-insensitive, wire forms, paths, compounds", "[secrets][names]") {
    const SecretNames& n = builtin_secret_names();
    for (const char* name :
         {"LoginToken", "--login-token", "login_token", "LOGIN-TOKEN", "SessionToken", "--access_key_secret", "AccessKeySecret",
          "access_key", "AccessKeyId", "--SecretKey", "secret_key", "X-Auth-Token", "x_auth_token", "Authorization", "authorization",
          "Password", "Password.1", "--password.N", "--password.3", "body.auth.password", "/body/auth/password", "auth[0].password",
          "NewPassword", "AdminPasswd", "Passphrase", "PrivateKey", "private_key", "ApiKey", "api-key", "Signature", "Cookie",
          "SecurityToken", "StsToken", "BearerToken", "--cli-secret-key", "--cli-access-key", "--cli-security-token", "Credentials",
          "DbCredential", "SessionKey"}) {
        INFO(name);
        CHECK(n.is_secret(name));
    }
    // Ordinary parameters, and the documented exceptions: ClientToken is an idempotence token
    // whose value the WUYING rules compare (ecd-client.reboot.client-token-reused); NextToken a
    // pagination cursor.
    for (const char* name : {"ClientToken", "client-token", "CLIENT_TOKEN", "NextToken", "PasswordInherit", "password_inherit",
                             "passwordInherit", "--PasswordInherit", "DesktopId", "DesktopId.1", "Tag.1.Key",
                             "Tag.1.Value", "SessionId", "SessionType", "RegionId", "KeyPairName", "ImageId", "project_id", "desktop_ids",
                             "", "1", "--endpoint"}) {
        INFO(name);
        CHECK_FALSE(n.is_secret(name));
    }
    // Names the rules add are matched exactly (normalised), on any segment.
    SecretNames more;
    more.add("MyOpaqueParam");
    CHECK(more.is_secret("--my-opaque-param"));
    CHECK(more.is_secret("MyOpaqueParam.2"));
    CHECK_FALSE(more.is_secret("MyOpaqueParamName"));
    CHECK(more.is_secret("LoginToken"));  // built-ins stay
    more.add("ClientToken");              // a rule file may make an exception secret, too
    CHECK(more.is_secret("ClientToken"));
}

TEST_CASE("blank_secret: a flag's true or false stays, every other value is blanked, the shape kept", "[secrets][names]") {
    Node flag = Node::string("true"), off = Node::string("false"), pw = Node::string("S3cret-true"), n = Node::number(1234);
    Node list = Node::array({Node::string("a"), Node::string("false")});
    for (Node* x : {&flag, &off, &pw, &n, &list}) blank_secret(*x);
    CHECK(flag.as_string() == "true");
    CHECK(off.as_string() == "false");
    CHECK(pw.as_string() == kRedacted);
    CHECK(n.as_number() == 0);
    CHECK(list.items()[0].as_string() == kRedacted);
    CHECK(list.items()[1].as_string() == "false");
}

TEST_CASE("secrets: a shell variable named as a secret is never used, and fullwidth names are names", "[secrets]") {
    // Both reached every report: a variable's value through a parameter of another name, and a
    // value under "ＬｏｇｉｎＴｏｋｅｎ" (fullwidth letters), which no name check matched.
    const SecretNames& n = builtin_secret_names();
    CHECK(n.is_secret("\xEF\xBC\xAC\xEF\xBD\x8F\xEF\xBD\x87\xEF\xBD\x89\xEF\xBD\x8E\xEF\xBC\xB4\xEF\xBD\x8F\xEF\xBD\x8B\xEF\xBD\x85\xEF\xBD\x8E"));
    CHECK_FALSE(n.is_secret("\xEF\xBC\xA4\xEF\xBD\x85\xEF\xBD\x93\xEF\xBD\x8B"));  // Ｄｅｓｋ
    // Other look-alikes: the Kelvin sign in "AccessKeySecret", a long s in "SecurityToken",
    // mathematical bold "Password", circled "LoginToken".
    CHECK(n.is_secret("Access\xE2\x84\xAA" "eySecret"));
    CHECK(n.is_secret("\xC5\xBF" "ecurityToken"));
    CHECK(n.is_secret("\xF0\x9D\x90\x8F\xF0\x9D\x90\x9A\xF0\x9D\x90\xAC\xF0\x9D\x90\xAC\xF0\x9D\x90\xB0\xF0\x9D\x90\xA8\xF0\x9D\x90\xAB\xF0\x9D\x90\x9D"));
    CHECK(n.is_secret("\xE2\x93\x81oginToken"));
    CHECK_FALSE(n.is_secret("\xE2\x84\xAA" "ind"));  // "Kind"
    TempDir dir;
    dir.write("s.sh", "export ALIBABA_CLOUD_ACCESS_KEY_SECRET=VerySecretValue123\nDB_PASSWORD=AnotherSecret99\n"
                      "aliyun ecd StopDesktops --force --RegionId cn-hangzhou --DesktopId.1 \"$ALIBABA_CLOUD_ACCESS_KEY_SECRET\" "
                      "--DesktopId.2 \"$DB_PASSWORD\"\n");
    dir.write("fw.json", "{\"calls\":[{\"id\":\"a\",\"product\":\"ecd\",\"version\":\"2020-09-30\",\"action\":\"RebuildDesktops\","
                         "\"parameters\":{\"RegionId\":\"cn-hangzhou\",\"DesktopId\":[\"ecd-hzlin03c9x4t6\"],\"ImageId\":\"m-win2022std\","
                         "\"\xEF\xBC\xAC\xEF\xBD\x8F\xEF\xBD\x87\xEF\xBD\x89\xEF\xBD\x8E\xEF\xBC\xB4\xEF\xBD\x8F\xEF\xBD\x8B\xEF\xBD\x85\xEF\xBD\x8E\":\"FullwidthSecret77\"}}]}");
    for (const char* plan : {"s.sh", "fw.json"})
        for (const char* format : {"text", "json", "sarif", "junit", "github", "markdown", "gitlab"}) {
            CAPTURE(plan, format);
            const CliRun r = run_opguard(dir.path().string(), std::string("check ") + plan + " --no-config --explain --format " + format +
                                                                  " -i " + shell_quote(source_path("samples/fleet")));
            CHECK(r.exit <= 1);
            CHECK(r.out.find("VerySecretValue123") == std::string::npos);
            CHECK(r.out.find("AnotherSecret99") == std::string::npos);
            CHECK(r.out.find("FullwidthSecret77") == std::string::npos);
            CHECK(r.err.find("Secret") == std::string::npos);
        }
    const CliRun t = run_opguard(dir.path().string(), "check s.sh --no-config -i " + shell_quote(source_path("samples/fleet")));
    CHECK(t.out.find("(ALIBABA_CLOUD_ACCESS_KEY_SECRET is named as a secret, so opguard does not use its value)") != std::string::npos);
}

TEST_CASE("secrets: PasswordInherit is read as the boolean it is, in the CLI and an OOS template", "[secrets][fail-closed]") {
    // It was redacted as a password: the CLI's "true" became "[redacted]" and plan.wrong-type
    // refused the call; the template's '{{ passwordInherit }}' was blanked before expansion.
    TempDir dir;
    dir.write("p.sh", "aliyun ecs ReplaceSystemDisk --RegionId cn-hangzhou --InstanceId i-bp1dedicated04 --ImageId m-bp1ubuntu2204 "
                      "--PasswordInherit true --Password S3cretPw\n");
    dir.write("t.yml", "FormatVersion: OOS-2019-06-01\nParameters:\n  passwordInherit:\n    Type: Boolean\n    Default: true\n"
                       "Tasks:\n  - Name: replace\n    Action: ACS::ExecuteApi\n    Properties:\n      Service: ECS\n"
                       "      API: ReplaceSystemDisk\n      Parameters:\n        RegionId: cn-hangzhou\n        InstanceId: i-bp1dedicated04\n"
                       "        ImageId: m-bp1ubuntu2204\n        PasswordInherit: '{{ passwordInherit }}'\n");
    for (const char* plan : {"p.sh", "t.yml"}) {
        CAPTURE(plan);
        const CliRun r = run_opguard(dir.path(), std::string("check ") + plan + " --no-config --format json --inventory " +
                                                     shell_quote(source_path("samples/fleet")));
        CHECK(r.exit == 0);
        CHECK(r.out.find("plan.wrong-type") == std::string::npos);
        CHECK(r.out.find("\"outcome\": \"accepted\"") != std::string::npos);
        CHECK(r.out.find("S3cretPw") == std::string::npos);
    }
}

TEST_CASE("redact_text: URL user-info and the value after a secret name", "[secrets][names]") {
    CHECK(redact_text("https://admin:pa55@ecd.cn-hangzhou.aliyuncs.com/x") == "https://[redacted]@ecd.cn-hangzhou.aliyuncs.com/x");
    CHECK(redact_text("--password=hunter2 --RegionId cn-hangzhou") == "--password=[redacted] --RegionId cn-hangzhou");
    CHECK(redact_text("--login-token LT-1 --x y") == "--login-token [redacted] --x y");
    CHECK(redact_text("{\"auth\": {\"password\": \"hunter2\", \"user\": \"u\"}}") ==
          "{\"auth\": {\"password\": \"[redacted]\", \"user\": \"u\"}}");
    CHECK(redact_text("Authorization: Bearer abc.def\nnext") == "Authorization: [redacted]\nnext");
    CHECK(redact_text("ClientToken=t-1 DesktopId=ecd-1") == "ClientToken=t-1 DesktopId=ecd-1");
    // opguard's own words after a name are not a value
    CHECK(redact_text("secret parameter --access_key_secret (not shown)") == "secret parameter --access_key_secret (not shown)");
    const std::string once = redact_text("X-Auth-Token: abc https://u:p@h");
    CHECK(once == "X-Auth-Token: [redacted]");
    CHECK(redact_text(once) == once);
}

TEST_CASE("redact_text: a secret hidden by shell quoting is found as the shell reads it", "[secrets][names]") {
    // The name split or wrapped by quotes, a value that goes on after a quote: the text is
    // shown without its quotes, redacted.
    CHECK(redact_text("$(get-id --Pass''word ZQX1)") == "$(get-id --Password [redacted]");
    CHECK(redact_text("$(get-id --'Password' ZQX2)") == "$(get-id --Password [redacted]");
    CHECK(redact_text("$(get-id \"--Password\" ZQX3)") == "$(get-id --Password [redacted]");
    CHECK(redact_text("$(get-id --Pass\\word ZQX4)") == "$(get-id --Password [redacted]");
    CHECK(redact_text("$(get-id --Password=$'ZQX5')") == "$(get-id --Password=[redacted])");
    CHECK(redact_text("$(get-id --Password=ZQ\"X6\")") == "$(get-id --Password=[redacted])");
    CHECK(redact_text("$(get-id --Password \"$X\"ZQX7)") == "$(get-id --Password [redacted]");
    // A plain one keeps its quotes, and a value redacted already stays as it is.
    CHECK(redact_text("$(get-id --Password \"ZQX8\")") == "$(get-id --Password \"[redacted]\")");
    CHECK(redact_text("--password=[redacted] x") == "--password=[redacted] x");
    CHECK(redact_text("it's a \"quoted\" word, no secret") == "it's a \"quoted\" word, no secret");
    CHECK(redact_text("{\"LoginToken\": \"t\", \"regionId\": \"cn-hangzhou\"}") == "{\"LoginToken\": \"[redacted]\", \"regionId\": \"cn-hangzhou\"}");
    for (const std::string t : {"$(get-id --Pass''word ZQX1)", "$(get-id --Password=$'ZQX5')", "$(get-id --Password \"ZQX8\")"})
        CHECK(redact_text(redact_text(t)) == redact_text(t));
}

TEST_CASE("secrets: a secret in an unresolved $(...) written with shell quoting is in no report format", "[secrets]") {
    TempDir dir;
    dir.write("plan.sh", "aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId \"$(get-id --Pass''word ZQX-q1)\"\n"
                         "aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId \"$(get-id --Password=ZQ\"X-q2\")\"\n");
    for (const std::string f : {"text", "json", "sarif", "junit", "github", "markdown", "gitlab"}) {
        CliRun r = run_opguard(dir.path().string(), "--no-config check plan.sh -i " + shell_quote(source_path("samples/fleet")) + " --format " + f);
        INFO(f);
        CHECK(r.exit == 1);
        CHECK(r.out.find("ZQX") == std::string::npos);
        CHECK(r.out.find("X-q2") == std::string::npos);
        CHECK(r.out.find("redacted") != std::string::npos);
    }
}

TEST_CASE("secrets: a usage error and an unreadable file's name quote no secret", "[secrets][errors]") {
    TempDir dir;
    const std::string fleet = shell_quote(source_path("samples/fleet"));
    dir.write("plan.json", "{\"calls\": []}\n");
    struct Case { std::string args, shown; };
    const std::vector<Case> cases = {
        {"--password=ZQX-u1", "not expected: --password=[redacted]"},
        // The parser names the value before its flag.
        {"--access-key-secret ZQX-u2", "not expected: [redacted] --access-key-secret"},
        {"--login-token=ZQX-u3", "not expected: --login-token=[redacted]"},
        {"--fail-on password=ZQX-u4", "--fail-on: password=[redacted] not in"},
        {"--format '--password ZQX-u5'", "--format: --password [redacted] not in"},
        {"--waivers password=ZQX-u6", "password=[redacted]: error[input.unreadable]"},
        {"-i https://admin:ZQX-u7@host/x", "https://[redacted]@host/x: error[input.unreadable]"},
    };
    for (const auto& c : cases) {
        CliRun r = run_opguard(dir.path().string(), "--no-config check plan.json -i " + fleet + " " + c.args);
        INFO(c.args << ": " << r.err);
        CHECK(r.exit == 2);
        CHECK(r.err.find("ZQX") == std::string::npos);
        CHECK(r.err.find(c.shown) != std::string::npos);
    }
}

TEST_CASE("secrets: rules explain and rules doc quote a test case's plan with its secrets redacted", "[secrets][rules]") {
    TempDir dir;
    // Two cases in which ecd.desktop.unknown fires (no inventory): a JSON plan and a script.
    dir.write("a-json/c/plan.json",
              "{\"calls\": [{\"id\": \"rb\", \"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"RebuildDesktops\",\n"
              "  \"parameters\": {\"LoginToken\": \"ZQX-j1\", \"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-1\"],\n"
              "  \"Url\": \"https://u:ZQX-j2@h/x?token=ZQX-j3\", \"AccessKeySecret\": \"ZQX-j4\"}}]}\n");
    dir.write("a-json/c/expect.json", "{\"ecd.desktop.unknown\": \"fires\"}\n");
    dir.write("b-sh/c/plan.sh",
              "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-2 --Password ZQX-s1 --LoginToken=ZQX-s2\n");
    dir.write("b-sh/c/expect.json", "{\"ecd.desktop.unknown\": \"fires\"}\n");
    for (const char* c : {"a-json", "b-sh"}) {
        CliRun e = run_opguard(dir.path().string(), "--no-config rules explain ecd.desktop.unknown --tests " + std::string(c));
        INFO(e.out << e.err);
        CHECK(e.exit == 0);
        CHECK(e.out.find("test case " + std::string(c) + "/c") != std::string::npos);  // the case's plan is quoted
        CHECK(e.out.find("[redacted]") != std::string::npos);
        CHECK(e.out.find("ZQX") == std::string::npos);
        CliRun d = run_opguard(dir.path().string(), "--no-config rules doc --tests " + std::string(c) + " --output doc.md");
        CHECK(d.exit == 0);
        const std::string doc = slurp(dir.file("doc.md"));
        CHECK(doc.find("Example that fires (test case `" + std::string(c) + "/c`)") != std::string::npos);
        CHECK(doc.find("[redacted]") != std::string::npos);  // the plan line it quotes
        CHECK(doc.find("ZQX") == std::string::npos);
    }
}

TEST_CASE("hide_found_excerpt keeps opguard's words and drops the excerpt", "[secrets][names]") {
    CHECK(hide_found_excerpt("found 'hunter2': expected ',' or '}'") ==
          "found text opguard does not show (it is in or beside a secret value): expected ',' or '}'");
    CHECK(hide_found_excerpt("found a string that is never closed: expected '\"'") == "found a string that is never closed: expected '\"'");
}

// ---- whole runs, every plan form, every format -------------------------------------------------

// Every secret value below has this marker; none may appear in any output.
const char* const kMark = "ZQX";

// A rule file that redefines secret_parameters (it only adds MyOpaqueParam) and prints every
// parameter and the adapter's record of every call: what a rule can see is what it can print.
const char* const kDumpRules = R"(set secret_parameters {
  title = "A team's own secret names";
  source = "test";
  documented = ["MyOpaqueParam"];
}

rule test.dump {
  title = "Prints what a rule sees";
  severity = info;
  operations = ["*"];
  when = true;
  message = "dump {request.id} params {request.parameters} adapter {default(request.adapter, 'none')}";
  source = "test";
}
)";

struct Form {
    std::string name;
    std::map<std::string, std::string> files;  // path => content
    std::string plan;                          // the plan file
    std::string plan_format;                   // --plan-format, "" for auto
    std::vector<std::string> ids;              // call ids the report must still name
    std::vector<std::string> kept;             // values that must survive (not secrets)
};

std::vector<Form> forms() {
    std::vector<Form> f;
    f.push_back({"opguard JSON",
                 {{"plan.json", R"({"calls": [
 {"id": "reboot", "product": "ecd", "version": "2020-10-02", "action": "RebootDesktops",
  "parameters": {"RegionId": "cn-hangzhou", "ClientId": "c-1", "SessionId": "s-1", "DesktopId": ["ecd-hzwin04d2p7w3"],
   "LoginToken": "ZQX-lt-1", "login-token": "ZQX-lt-2", "--access_key_secret": "ZQX-aks-3", "SecretKey": "ZQX-sk-4",
   "X-Auth-Token": "ZQX-xat-5", "Authorization": "acs ZQX-auth-6", "Password.1": "ZQX-pw-7", "Password.2": 12345678,
   "MyOpaqueParam": "ZQX-mine-8", "ClientToken": "keep-client-token-1",
   "Endpoint": "https://admin:ZQX-userinfo-9@ecd.cn-hangzhou.aliyuncs.com"}},
 {"id": "hw", "cloud": "huaweicloud", "service": "workspace", "method": "POST", "path": "/v2/{project_id}/desktops/check-images",
  "path_params": {"project_id": "0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e"},
  "body": {"desktop_ids": ["0730042a-b9c7-4279-bb24-d3fd299a2efe"], "auth": {"password": "ZQX-body-10", "user": "keep-user"}}}
]}
)"}},
                 "plan.json",
                 "",
                 {"reboot", "hw"},
                 {"keep-client-token-1", "keep-user"}});
    f.push_back({"aliyun classic and plugin lines",
                 {{"ops.sh",
                   "#!/bin/sh\n"
                   "aliyun ecd RebootDesktops --RegionId cn-hangzhou --ClientId c-1 --SessionId s-1 --DesktopId.1 ecd-hzwin04d2p7w3 "
                   "--LoginToken ZQX-lt-1 --SessionToken \"ZQX-st-2\" --ClientToken keep-client-token-1 --SecretKey ZQX-sk-3 "
                   "--access_key_secret=ZQX-aks-4 --Password.1 ZQX-pw-5 --MyOpaqueParam ZQX-mine-6 --force "
                   "--endpoint https://admin:ZQX-userinfo-7@ecd.cn-hangzhou.aliyuncs.com --access-key-id ZQX-akid-8\n"
                   "aliyun ecd reboot-desktops --region cn-hangzhou --client-id c-1 --session-id s-1 --desktop-id ecd-hzwin04d2p7w3 "
                   "--login-token ZQX-lt-9 --session-token ZQX-st-10 --client-token keep-client-token-2 "
                   "--password \"ZQX-pw-11$SUFFIX\"\n"}},
                 "ops.sh",
                 "",
                 {"line-2", "line-3"},
                 {"keep-client-token-1", "keep-client-token-2"}});
    // A secret written inside a value opguard cannot resolve: the placeholder is the text as
    // written, which reports show as the call's target, region or API name.
    f.push_back({"secrets inside unresolved values",
                 {{"subst.sh",
                   "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId \"$(aliyun ecs DescribeInstances --access-key-id ZQX-akid-1 "
                   "--access-key-secret ZQX-aks-2 | jq -r .x)\"\n"
                   "aliyun ecs StartInstance --RegionId cn-hangzhou --InstanceId \"$(curl -H 'Authorization: Bearer ZQX-bearer-3' http://x)\"\n"
                   "aliyun ecs StartInstance --RegionId \"$(get-region --access-key-secret ZQX-aks-4)\" --InstanceId keep-instance-1\n"
                   "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId \"https://user:ZQX-userinfo-5@host/x\"\n"
                   "aliyun \"$(prod --access-key-secret ZQX-aks-6)\" StartInstance --InstanceId i-1\n"
                   "aliyun ecs \"$(api --password ZQX-pw-7)\" --InstanceId i-2\n"
                   "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=\"$(p --token ZQX-token-8)\" "
                   "--desktop_ids.1=\"$(d --secret ZQX-secret-9)\"\n"}},
                 "subst.sh",
                 "",
                 {"line-1", "line-2", "line-3", "line-4", "line-5", "line-6", "line-7"},
                 {"keep-instance-1"}});
    f.push_back({"KooCLI lines and a --cli-jsonInput file",
                 {{"hw.sh",
                   "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=0b5a1e2f8c9d4e6f8a7b6c5d4e3f2a1b "
                   "--desktop_ids.1=0730042a-b9c7-4279-bb24-d3fd299a2efe --password.1=ZQX-pw-1 --X-Auth-Token=ZQX-xat-2 "
                   "--cli-secret-key=ZQX-sk-3 --cli-access-key=ZQX-ak-4 --cli-endpoint=https://u:ZQX-userinfo-5@workspace.example.com\n"
                   "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=in.json\n"},
                  {"in.json", R"({"header": {"X-Auth-Token": "ZQX-xat-6", "Authorization": "Bearer ZQX-auth-7"},
 "path": {"project_id": "0b5a1e2f8c9d4e6f8a7b6c5d4e3f2a1b"},
 "body": {"desktop_ids": ["0730042a-b9c7-4279-bb24-d3fd299a2efe"], "auth": {"password": "ZQX-body-8", "user": "keep-user"}}}
)"}},
                 "hw.sh",
                 "",
                 {"line-1", "line-2"},
                 {"keep-user"}});
    f.push_back({"a --cli-jsonInput file as the plan",
                 {{"CheckDesktopImages.json", R"({"header": {"X-Auth-Token": "ZQX-xat-1", "Cookie": "sid=ZQX-cookie-2"},
 "path": {"project_id": "0b5a1e2f8c9d4e6f8a7b6c5d4e3f2a1b"},
 "body": {"desktop_ids": ["0730042a-b9c7-4279-bb24-d3fd299a2efe"], "user_password": "ZQX-pw-3"}}
)"}},
                 "CheckDesktopImages.json",
                 "hcloud-json-input",
                 {"CheckDesktopImages"},
                 {}});
    f.push_back({"--cli-dry-run-json records",
                 {{"requests.json", R"({"style": "RPC", "endpoint": "https://ak:ZQX-userinfo-1@ecd.cn-hangzhou.aliyuncs.com", "method": "POST",
 "headers": {"Authorization": "acs ZQX-auth-2", "x-acs-security-token": "ZQX-sts-3"},
 "query": {"RegionId": "cn-hangzhou", "DesktopId.1": "ecd-hzwin04d2p7w3", "ClientId": "c-1", "SessionId": "s-1",
           "LoginToken": "ZQX-lt-4", "SessionToken": "ZQX-st-5", "ClientToken": "keep-client-token-1"},
 "action": "RebootDesktops", "version": "2020-10-02"}
{"style": "RPC", "endpoint": "ecd.cn-hangzhou.aliyuncs.com", "method": "POST",
 "query": {"RegionId": "cn-hangzhou", "DesktopId.1": "ecd-hzwin04d2p7w3", "ImageId": "m-win2022std", "password": "ZQX-pw-6"},
 "body": "{\"AccessKeySecret\": \"ZQX-aks-7\"}",
 "action": "RebuildDesktops", "version": "2020-09-30"}
)"}},
                 "requests.json",
                 "",
                 {"record-1", "record-2"},
                 {"keep-client-token-1"}});
    const std::string oos_yaml = R"(FormatVersion: OOS-2019-06-01
Parameters:
  regionId:
    Type: String
    Default: cn-hangzhou
  adminPassword:
    Type: String
    Default: ZQX-default-1
  loginToken:
    Type: String
    Default: ZQX-default-2
Tasks:
  - Name: reboot
    Action: ACS::ExecuteAPI
    Properties:
      Service: ECD
      API: RebootDesktops
      Parameters:
        RegionId: '{{ regionId }}'
        DesktopId: [ecd-hzwin04d2p7w3]
        ClientId: c-1
        SessionId: s-1
        LoginToken: '{{ loginToken }}'
        ClientToken: keep-client-token-1
        Note: '{{ adminPassword }}'
        SessionToken: ZQX-st-3
        Endpoint: https://u:ZQX-userinfo-4@ecd.cn-hangzhou.aliyuncs.com
)";
    f.push_back({"OOS template (YAML)", {{"template.yml", oos_yaml}}, "template.yml", "", {"reboot"}, {"keep-client-token-1"}});
    f.push_back({"OOS template (JSON)",
                 {{"template.json", R"({"FormatVersion": "OOS-2019-06-01",
 "Parameters": {"regionId": {"Type": "String", "Default": "cn-hangzhou"},
                "admin_password": {"Type": "String", "Default": "ZQX-default-1"}},
 "Tasks": [{"Name": "reboot", "Action": "ACS::ExecuteAPI",
   "Properties": {"Service": "ECD", "API": "RebootDesktops",
     "Parameters": {"RegionId": "{{ regionId }}", "DesktopId": ["ecd-hzwin04d2p7w3"], "ClientId": "c-1", "SessionId": "s-1",
                    "LoginToken": "ZQX-lt-2", "Note": "{{ admin_password }}", "ClientToken": "keep-client-token-1"}}}]}
)"}},
                 "template.json",
                 "",
                 {"reboot"},
                 {"keep-client-token-1"}});
    f.push_back({"Terraform plan",
                 {{"tfplan.json", R"({"format_version": "1.2", "terraform_version": "1.9.8",
 "variables": {"ak_secret": {"value": "ZQX-var-1"}, "db_pass_word": {"value": "ZQX-var-2"}, "plain": {"value": "keep-plain"}},
 "resource_changes": [{"address": "alicloud_ecd_desktop.design", "mode": "managed", "type": "alicloud_ecd_desktop",
   "name": "design", "provider_name": "registry.terraform.io/aliyun/alicloud",
   "change": {"actions": ["update"],
     "before": {"id": "ecd-hzwin04d2p7w3", "desktop_name": "hz-win-04", "status": "Running"},
     "after": {"id": "ecd-hzwin04d2p7w3", "desktop_name": "ZQX-sensitive-4", "status": "Running"},
     "before_sensitive": {}, "after_sensitive": {"desktop_name": true}, "after_unknown": {}}}],
 "configuration": {
   "provider_config": {"alicloud": {"name": "alicloud", "full_name": "registry.terraform.io/aliyun/alicloud",
     "expressions": {"region": {"constant_value": "cn-hangzhou"}, "access_key": {"constant_value": "ZQX-ak-5"},
                     "secret_key": {"constant_value": "ZQX-sk-6"}, "security_token": {"references": ["var.ak_secret"]}}}},
   "root_module": {"variables": {"ak_secret": {"sensitive": true}, "db_pass_word": {}, "plain": {}}}}}
)"}},
                 "tfplan.json",
                 "",
                 {"alicloud_ecd_desktop.design"},
                 {}});
    return f;
}

void check_clean(const std::string& what, const std::string& text) {
    INFO(what << ":\n" << text.substr(0, 4000));
    CHECK(text.find(kMark) == std::string::npos);
}

TEST_CASE("secrets: every plan form, every format, with and without --explain, a rule file that redefines secret_parameters",
          "[secrets][forms]") {
    const std::string inv = " -i " + shell_quote(source_path("samples/fleet")) + " -i " + shell_quote(source_path("samples/huawei"));
    const std::vector<std::pair<std::string, std::string>> outputs = {
        {"json", "o.json"}, {"sarif", "o.sarif"}, {"junit", "o.xml"}, {"github", "o.github"}, {"markdown", "o.md"},
        {"gitlab", "o.gitlab.json"}};
    for (const Form& form : forms()) {
        for (const std::string explain : {"", " --explain"}) {
            TempDir dir;
            for (const auto& [path, text] : form.files) dir.write(path, text);
            dir.write("dump.rules", kDumpRules);
            std::string args = "--rules dump.rules check " + form.plan + inv + explain;
            if (!form.plan_format.empty()) args += " --plan-format " + form.plan_format;
            args += " --format text";
            for (const auto& [f, path] : outputs) args += " --format " + f + " --output " + path;
            CliRun r = run_opguard(dir.path().string(), args);
            INFO(form.name << explain << ": exit " << r.exit << "\n" << r.err);
            CHECK((r.exit == 0 || r.exit == 1));
            check_clean(form.name + explain + " stdout", r.out);
            check_clean(form.name + explain + " stderr", r.err);
            std::string all = r.out;
            for (const auto& [f, path] : outputs) {
                const std::string text = slurp(dir.file(path));
                CHECK(!text.empty());
                check_clean(form.name + explain + " " + path, text);
                all += text;
            }
            // The calls are still reported, with [redacted] where the secrets were.
            const std::string json = slurp(dir.file("o.json"));
            CHECK(json.find("test.dump") != std::string::npos);
            CHECK(json.find("[redacted]") != std::string::npos);
            for (const auto& id : form.ids) {
                INFO("call " << id);
                CHECK(json.find(id) != std::string::npos);
            }
            for (const auto& keep : form.kept) {
                INFO("kept " << keep);
                CHECK(json.find(keep) != std::string::npos);
            }
        }
    }
}

TEST_CASE("secrets: the rule-added name MyOpaqueParam is redacted, the built-in ones still are", "[secrets][rules]") {
    TempDir dir;
    dir.write("dump.rules", kDumpRules);
    dir.write("plan.json", R"({"calls": [{"id": "c1", "product": "ecd", "version": "2020-10-02", "action": "RebootDesktops",
 "parameters": {"RegionId": "cn-hangzhou", "MyOpaqueParam": "ZQX-mine", "LoginToken": "ZQX-lt", "ClientToken": "keep-ct"}}]})");
    const std::string inv = " -i " + shell_quote(source_path("samples/fleet"));
    CliRun with = run_opguard(dir.path().string(), "--rules dump.rules check plan.json --format json" + inv);
    INFO(with.err);
    REQUIRE(with.exit <= 1);
    CHECK(with.out.find("ZQX") == std::string::npos);
    CHECK(with.out.find("\\\"MyOpaqueParam\\\":\\\"[redacted]\\\"") != std::string::npos);
    CHECK(with.out.find("\\\"LoginToken\\\":\\\"[redacted]\\\"") != std::string::npos);
    CHECK(with.out.find("\\\"ClientToken\\\":\\\"keep-ct\\\"") != std::string::npos);
    // Without the rule file MyOpaqueParam is an ordinary parameter: the rule file added it.
    dir.write("print.rules", std::string(kDumpRules).substr(std::string(kDumpRules).find("rule test.dump")));
    CliRun without = run_opguard(dir.path().string(), "--rules print.rules check plan.json --format json" + inv);
    INFO(without.err);
    REQUIRE(without.exit <= 1);
    CHECK(without.out.find("\\\"MyOpaqueParam\\\":\\\"ZQX-mine\\\"") != std::string::npos);
    CHECK(without.out.find("ZQX-lt") == std::string::npos);
}

TEST_CASE("secrets: error messages quote no secret, in any plan form", "[secrets][errors]") {
    struct Case {
        std::string what;
        std::map<std::string, std::string> files;
        std::string plan;
        std::string id;
        std::string where;  // file:line:col that the message must name
    };
    const std::vector<Case> cases = {
        {"--cli-jsonInput file: an unquoted password",
         {{"hw.sh", "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=in.json\n"},
          {"in.json", "{\"body\": {\"auth\": {\"password\": ZQX-pw-1}}}\n"}},
         "hw.sh", "json.syntax", "in.json:1:32"},
        {"--cli-jsonInput file: the password on the next line",
         {{"hw.sh", "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=in.json\n"},
          {"in.json", "{\"body\": {\"auth\": {\"password\":\n  ZQX-pw-2}}}\n"}},
         "hw.sh", "json.syntax", "in.json:2:3"},
        {"--cli-jsonInput file: a missing comma after the token",
         {{"hw.sh", "hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=in.json\n"},
          {"in.json", "{\"header\": {\"X-Auth-Token\": \"a\" ZQX-xat-3}}\n"}},
         "hw.sh", "json.syntax", "in.json:1:33"},
        {"a Terraform provider's secret_key, unquoted",
         {{"tfplan.json", "{\"format_version\": \"1.2\", \"configuration\": {\"provider_config\": {\"alicloud\": {\"expressions\":\n"
                          "  {\"secret_key\": {\"constant_value\": ZQX-sk-4}}}}}}\n"}},
         "tfplan.json", "json.syntax", "tfplan.json:2:37"},
        {"a dry-run record: a secret written as a malformed number",
         {{"requests.json", "{\"action\": \"RebootDesktops\", \"query\": {\"SessionToken\": 0ZQX5}}\n"}},
         "requests.json", "json.number", "requests.json:1:56"},
        {"an opguard plan: a secret after a name in another form",
         {{"plan.json", "{\"calls\": [{\"action\": \"A\", \"parameters\": {\"--access_key_secret\": ZQX-aks-6}}]}\n"}},
         "plan.json", "json.syntax", "plan.json:1:66"},
        {"an OOS template (JSON): a bad escape inside a password",
         {{"t.json", "{\"FormatVersion\": \"OOS-2019-06-01\", \"Parameters\": {\"pw\": {\"Type\": \"String\", \"Default\": \"x\"}},\n"
                     " \"Tasks\": [{\"Name\": \"t\", \"Action\": \"ACS::ExecuteAPI\", \"Properties\": {\"Parameters\": {\"Password\": \"ZQ\\X7\"}}}]}\n"}},
         "t.json", "json.syntax", "t.json:2:100"},
        {"an OOS template (YAML): a bad escape inside a password",
         {{"t.yml", "FormatVersion: OOS-2019-06-01\nParameters:\n  pw:\n    Type: String\n    Default: \"ZQX\\q\"\nTasks: []\n"}},
         "t.yml", "yaml.syntax", "t.yml:5:"},
    };
    for (const auto& c : cases) {
        TempDir dir;
        for (const auto& [path, text] : c.files) dir.write(path, text);
        for (const std::string explain : {"", " --explain"}) {
            CliRun r = run_opguard(dir.path().string(), "check " + c.plan + " -i " + shell_quote(source_path("samples/fleet")) + explain +
                                                            " --format json --output o.json");
            INFO(c.what << explain << ": " << r.err);
            CHECK(r.exit == 2);
            CHECK(r.err.find("error[" + c.id + "]") != std::string::npos);
            if (!c.where.empty()) CHECK(r.err.find(c.where) != std::string::npos);
            CHECK(r.err.find("ZQX") == std::string::npos);
            CHECK(r.err.find("ZQ\\X") == std::string::npos);
            CHECK(r.out.find("ZQX") == std::string::npos);
            CHECK_FALSE(fs::exists(dir.file("o.json")));
        }
    }
}

}  // namespace

TEST_CASE("secrets: a shell variable given as a secret flag's value, or named AK / SK, is never used elsewhere", "[secrets]") {
    // Its value reached every report (and the inventory script) through --InstanceId $SK.
    TempDir dir;
    dir.write("k.sh", "KEY=LeakSecretValue0006\n"
                      "aliyun --mode AK --access-key-id LTAI5tExample --access-key-secret \"$KEY\" ecs DescribeInstances --RegionId cn-hangzhou\n"
                      "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId $KEY\n"
                      "ALIYUN_SK=LeakSecretValue0005\nSK=LeakSecretValue0004\nhw-ak=x\n"
                      "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId $ALIYUN_SK\n"
                      "aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId ${SK}\n");
    for (const char* format : {"text", "json", "sarif", "junit", "github", "markdown", "gitlab"}) {
        CAPTURE(format);
        const CliRun r = run_opguard(dir.path().string(), std::string("check k.sh --no-config --format ") + format + " -i " +
                                                              shell_quote(source_path("samples/fleet")));
        CHECK(r.exit == 1);
        CHECK(r.out.find("LeakSecretValue") == std::string::npos);
        CHECK(r.err.find("LeakSecretValue") == std::string::npos);
    }
    const CliRun t = run_opguard(dir.path().string(), "check k.sh --no-config -i " + shell_quote(source_path("samples/fleet")));
    CHECK(t.out.find("--InstanceId is $KEY (KEY is given as a secret flag's value at k.sh:2:48, so opguard does not use its value)") !=
          std::string::npos);
    CHECK(t.out.find("(ALIYUN_SK is named as a secret, so opguard does not use its value)") != std::string::npos);
    CHECK(t.out.find("(SK is named as a secret, so opguard does not use its value)") != std::string::npos);
    const CliRun inv = run_opguard(dir.path().string(), "inventory k.sh");
    CHECK(inv.out.find("LeakSecretValue") == std::string::npos);
    const SecretNames& n = builtin_secret_names();
    CHECK(n.is_secret("SK"));
    CHECK(n.is_secret("hw_ak"));
    CHECK_FALSE(n.is_secret("Disk"));
    CHECK_FALSE(n.is_secret("ask"));
}
