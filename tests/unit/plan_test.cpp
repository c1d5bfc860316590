// load_plan with the built-in rules: parameter normalisation (wire form), conflicts, the
// plan's strict structure, secret redaction and operation resolution.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

struct Loaded {
    SourceRegistry sources;
    RuleSet rules;
    Plan plan;
    std::string path;
    std::string text;
    std::string where(const Node& n) const { return lc(sources.file(n.origin.file).position(n.origin.offset)); }
};

std::unique_ptr<Loaded> load(const TempDir& dir, const std::string& text) {
    auto l = std::make_unique<Loaded>();
    l->text = text;
    l->path = dir.write("plan.json", text);
    l->rules = load_rules(l->sources, RuleSources{true, {}});
    l->plan = load_plan(l->sources, l->path, l->rules);
    return l;
}

std::optional<Err> load_error(const TempDir& dir, const std::string& text) {
    std::string path = dir.write("plan.json", text);
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}});
    return input_error([&] { load_plan(sources, path, rules); });
}

std::vector<std::string> strings(const Node& list) {
    std::vector<std::string> out;
    for (const auto& n : list.items()) out.push_back(n.to_text());
    return out;
}

const char* kHeader = "\"product\": \"ecd\", \"version\": \"2020-09-30\", \"action\": \"RebuildDesktops\"";

}  // namespace

TEST_CASE("a call's record, id and operation", "[plan]") {
    TempDir dir;
    auto l = load(dir, std::string("{\n  \"description\": \"d\",\n  \"calls\": [\n") +
                           "    {\"id\": \"first\", " + kHeader + ", \"parameters\": {\"RegionId\": \"cn-hangzhou\"}},\n" +
                           "    {" + kHeader + "}\n  ]\n}\n");
    REQUIRE(l->plan.calls.size() == 2);
    const Call& c0 = l->plan.calls[0];
    CHECK(c0.index == 0);
    CHECK(c0.id == "first");
    REQUIRE(c0.operation);
    CHECK(c0.operation->name == "ecd.RebuildDesktops");
    CHECK(lc(l->sources.file(l->plan.file).position(c0.origin.offset)) == "4:5");
    CHECK(l->plan.calls[1].id == "call-2");  // no "id": 1-based position
    CHECK(l->plan.calls[1].parameters.is_object());
    CHECK(l->plan.calls[1].parameters.members().empty());

    const Node& rec = c0.record;
    REQUIRE(rec.find("operation"));
    CHECK(rec.find("operation")->as_string() == "ecd.RebuildDesktops");
    CHECK(rec.find("product")->as_string() == "ecd");
    CHECK(rec.find("version")->as_string() == "2020-09-30");
    CHECK(rec.find("action")->as_string() == "RebuildDesktops");
    CHECK(rec.find("id")->as_string() == "first");
    CHECK(rec.find("index")->as_number() == 0);
    CHECK(rec.find("parameters")->find("RegionId")->as_string() == "cn-hangzhou");
    CHECK(l->where(*c0.parameters.find("RegionId")) == lc(position_of(l->text, "\"cn-hangzhou\"")));
}

TEST_CASE("wire form DesktopId.N becomes a list in index order", "[plan][wire]") {
    TempDir dir;
    const std::string text = std::string("{\"calls\": [{") + kHeader +
                             ",\n  \"parameters\": {\n"
                             "    \"RegionId\": \"cn-hangzhou\",\n"
                             "    \"DesktopId.10\": \"ten\",\n"
                             "    \"DesktopId.2\": \"two\",\n"
                             "    \"DesktopId.1\": \"one\",\n"
                             "    \"Tag.2.Key\": \"k2\",\n"
                             "    \"Tag.1.Key\": \"k1\",\n"
                             "    \"Tag.1.Value\": \"v1\",\n"
                             "    \"ImageId\": \"m-1\"\n"
                             "  }}]}\n";
    auto l = load(dir, text);
    const Node& p = l->plan.calls[0].parameters;
    const Node* ids = p.find("DesktopId");
    REQUIRE(ids);
    REQUIRE(ids->is_array());
    CHECK(strings(*ids) == std::vector<std::string>{"one", "two", "ten"});
    // Every element keeps its own place in the file; the list is where the first was written.
    CHECK(l->where(ids->items()[0]) == "6:20");
    CHECK(l->where(ids->items()[1]) == "5:20");
    CHECK(l->where(ids->items()[2]) == "4:21");
    CHECK(l->where(*ids) == "4:21");
    CHECK_FALSE(p.find("DesktopId.1"));
    CHECK_FALSE(p.find("DesktopId.10"));

    const Node* tags = p.find("Tag");
    REQUIRE(tags);
    REQUIRE(tags->items().size() == 2);
    CHECK(tags->items()[0].to_json() == R"({"Key":"k1","Value":"v1"})");
    CHECK(tags->items()[1].to_json() == R"({"Key":"k2"})");

    // Parameters keep the order they were written in (lists at their first element).
    std::vector<std::string> keys;
    for (const auto& [k, v] : p.members()) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"RegionId", "DesktopId", "Tag", "ImageId"});
}

TEST_CASE("a list and its wire form together are plan.param-conflict", "[plan][wire]") {
    TempDir dir;
    SECTION("list first") {
        auto e = load_error(dir, std::string("{\"calls\": [{") + kHeader +
                                     ",\n  \"parameters\": {\n    \"DesktopId\": [\"a\"],\n    \"DesktopId.1\": \"b\"\n  }}]}");
        REQUIRE(e);
        CHECK(e->id == "plan.param-conflict");
        CHECK(e->file == dir.file("plan.json"));
        CHECK(e->where() == "3:18");  // the list
        CHECK(e->pointer == "/calls/0/parameters/DesktopId");
        CHECK(e->message == "parameter DesktopId is given both as a list and in wire form (DesktopId.N)");
        CHECK(e->what == dir.file("plan.json") +
                             ":3:18: error[plan.param-conflict]: parameter DesktopId is given both as a list and in wire form "
                             "(DesktopId.N) (at JSON pointer /calls/0/parameters/DesktopId)");
    }
    SECTION("wire form first") {
        auto e = load_error(dir, std::string("{\"calls\": [{") + kHeader +
                                     ",\n  \"parameters\": {\n    \"DesktopId.1\": \"b\",\n    \"DesktopId\": \"a\"\n  }}]}");
        REQUIRE(e);
        CHECK(e->id == "plan.param-conflict");
        CHECK(e->where() == "4:18");
        CHECK(e->pointer == "/calls/0/parameters/DesktopId");
    }
    SECTION("the same index twice") {
        auto e = load_error(dir, std::string("{\"calls\": [{") + kHeader +
                                     ",\n  \"parameters\": {\n    \"DesktopId.1\": \"a\",\n    \"DesktopId.01\": \"b\"\n  }}]}");
        REQUIRE(e);
        CHECK(e->id == "plan.param-conflict");
        CHECK(e->where() == "4:21");
        CHECK(e->pointer == "/calls/0/parameters/DesktopId.01");
        CHECK(e->message == "parameter DesktopId.01 is given twice");
    }
    SECTION("the same name in query and parameters") {
        auto e = load_error(dir, std::string("{\"calls\": [{") + kHeader +
                                     ",\n  \"query\": {\"RegionId\": \"a\"},\n  \"parameters\": {\"RegionId\": \"b\"}}]}");
        REQUIRE(e);
        CHECK(e->id == "plan.param-conflict");
        CHECK(e->where() == "3:30");
        CHECK(e->pointer == "/calls/0/parameters/RegionId");
        CHECK(e->message == "parameter RegionId is given twice");
    }
}

TEST_CASE("an unknown key in a call is plan.unknown-key with file:line:col and pointer", "[plan][shape]") {
    TempDir dir;
    const std::string text = std::string("{\n  \"calls\": [\n    {") + kHeader +
                             "},\n    {" + kHeader + ",\n      \"Parameters\": {}\n    }\n  ]\n}\n";
    auto e = load_error(dir, text);
    REQUIRE(e);
    CHECK(e->id == "plan.unknown-key");
    CHECK(e->file == dir.file("plan.json"));
    CHECK(e->where() == "5:21");  // the value of the unknown key
    CHECK(e->pointer == "/calls/1/Parameters");
    CHECK(e->message ==
          "unknown key 'Parameters' in a call; expected one of: id, product, version, action, parameters, cloud, service, "
          "method, path, path_params, query, body, waivers, wait");
    CHECK(e->what == dir.file("plan.json") + ":5:21: error[plan.unknown-key]: " + e->message +
                         " (at JSON pointer /calls/1/Parameters)");
}

TEST_CASE("an unknown key at the top of the plan is plan.unknown-key", "[plan][shape]") {
    TempDir dir;
    auto e = load_error(dir, "{\"calls\": [],\n \"a/b\": 1}");
    REQUIRE(e);
    CHECK(e->id == "plan.unknown-key");
    CHECK(e->where() == "2:9");
    CHECK(e->pointer == "/a~1b");
    CHECK(e->message == "unknown key 'a/b' in the plan; expected calls, description or $schema");
    // $schema and description are allowed.
    CHECK_FALSE(load_error(dir, "{\"$schema\": \"x\", \"description\": \"y\", \"calls\": []}"));
}

TEST_CASE("the plan's own structure: object, calls list, call objects", "[plan][shape]") {
    TempDir dir;
    SECTION("plan not an object") {
        auto e = load_error(dir, "\n  [1, 2]\n");
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == "2:3");
        CHECK(e->pointer.empty());
        CHECK(e->message == "a plan is a JSON object {\"calls\": [...]}; found array");
    }
    SECTION("no calls") {
        auto e = load_error(dir, "{\"description\": \"x\"}");
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == "1:1");
        CHECK(e->message == "the plan has no \"calls\" list");
    }
    SECTION("calls not a list") {
        auto e = load_error(dir, "{\n  \"calls\": {\"id\": \"x\"}\n}");
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == "2:12");
        CHECK(e->pointer == "/calls");
        CHECK(e->message == "\"calls\" must be a list; found object");
    }
    SECTION("a call not an object") {
        auto e = load_error(dir, "{\"calls\": [\n  \"RebuildDesktops\"\n]}");
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == "2:3");
        CHECK(e->pointer == "/calls/0");
        CHECK(e->message == "a call is an object; found string");
    }
    SECTION("a call that names no API") {
        auto e = load_error(dir, "{\"calls\": [\n  {\"product\": \"ecd\", \"parameters\": {}}\n]}");
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == "2:3");
        CHECK(e->pointer == "/calls/0");
        CHECK(e->message ==
              "a call names its API: product, version and action (RPC), or cloud, service, method and path (REST)");
    }
    SECTION("id not a string") {
        auto e = load_error(dir, std::string("{\"calls\": [{") + kHeader + ", \"id\": 7}]}");
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->pointer == "/calls/0/id");
        CHECK(e->where() == lc(position_of(std::string("{\"calls\": [{") + kHeader + ", \"id\": 7}]}", "7")));
        CHECK(e->message == "\"id\" must be a string; found number");
    }
    SECTION("parameters not an object") {
        auto e = load_error(dir, std::string("{\"calls\": [{") + kHeader + ",\n \"parameters\": [\"a\"]}]}");
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == "2:16");
        CHECK(e->pointer == "/calls/0/parameters");
        CHECK(e->message == "\"parameters\" must be an object; found array");
    }
    SECTION("malformed JSON is a json.* error with its position") {
        auto e = load_error(dir, "{\"calls\": [\n  {\"id\": \"a\",}\n]}");
        REQUIRE(e);
        CHECK(e->id.rfind("json.", 0) == 0);
        CHECK(e->file == dir.file("plan.json"));
        CHECK(e->pos.line == 2);
    }
    SECTION("missing plan file") {
        SourceRegistry sources;
        RuleSet rules = load_rules(sources, RuleSources{true, {}});
        auto e = input_error([&] { load_plan(sources, dir.file("nope.json"), rules); });
        REQUIRE(e);
        CHECK(e->id == "input.unreadable");
        CHECK(e->file == dir.file("nope.json"));
        CHECK_FALSE(e->pos.known());
        CHECK(e->message == "cannot read file: No such file or directory");
    }
}

TEST_CASE("secret parameters are redacted as soon as the plan is read", "[plan][secrets]") {
    TempDir dir;
    const std::string text = std::string("{\"calls\": [\n  {") + kHeader +
                             ",\n   \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"LoginToken\": \"tok-123\", "
                             "\"password\": \"hunter2\", \"Extra\": {\"AccessKeySecret\": \"ak\", \"Keep\": \"k\"}, "
                             "\"SessionToken.1\": \"s1\", \"SessionToken.2\": \"s2\"}},\n"
                             "  {\"product\": \"ecs\", \"version\": \"2014-05-26\", \"action\": \"ModifyInstanceSpec\", "
                             "\"query\": {\"LoginToken\": \"tok-456\"}}\n]}\n";
    auto l = load(dir, text);
    const Call& c = l->plan.calls[0];
    const Node& p = c.parameters;
    CHECK(p.find("RegionId")->as_string() == "cn-hangzhou");
    CHECK(p.find("LoginToken")->as_string() == kRedacted);
    CHECK(std::string(kRedacted) == "[redacted]");
    CHECK(p.find("password")->as_string() == "[redacted]");  // names match case-insensitively
    CHECK(p.find("Extra")->find("AccessKeySecret")->as_string() == "[redacted]");
    CHECK(p.find("Extra")->find("Keep")->as_string() == "k");
    // A secret given as a list (wire form) keeps its shape, every element redacted, so a
    // type check still sees a list.
    CHECK(p.find("SessionToken")->to_json() == "[\"[redacted]\",\"[redacted]\"]");
    // The redacted value keeps the place of the secret, for findings about it.
    CHECK(l->where(*p.find("LoginToken")) == lc(position_of(text, "\"tok-123\"")));
    // The record (`request` in rules) carries the redacted parameters too.
    CHECK(c.record.find("parameters")->find("LoginToken")->as_string() == "[redacted]");
    CHECK(c.record.to_json().find("tok-123") == std::string::npos);
    CHECK(c.record.to_json().find("hunter2") == std::string::npos);
    CHECK(c.record.to_json().find("\"s1\"") == std::string::npos);
    CHECK(c.secret_names == std::vector<std::string>{"LoginToken", "password", "AccessKeySecret", "SessionToken"});

    // A call no rule file describes is redacted too.
    const Call& c1 = l->plan.calls[1];
    CHECK_FALSE(c1.operation);
    CHECK(c1.parameters.find("LoginToken")->as_string() == "[redacted]");
    CHECK(c1.record.find("operation")->is_null());
}

TEST_CASE("operation resolution: product is case-insensitive, version and action are exact", "[plan][resolve]") {
    TempDir dir;
    auto call = [](const std::string& product, const std::string& version, const std::string& action) {
        return "{\"product\": \"" + product + "\", \"version\": \"" + version + "\", \"action\": \"" + action + "\"}";
    };
    auto l = load(dir, "{\"calls\": [" + call("ecd", "2020-09-30", "RebuildDesktops") + ", " +
                           call("ECD", "2020-09-30", "RebuildDesktops") + ", " + call("Ecd", "2020-09-30", "RebuildDesktops") +
                           ", " + call("ecd", "2023-01-01", "RebuildDesktops") + ", " +
                           call("ecd", "2020-09-30", "rebuilddesktops") + ", " + call("ecs", "2020-09-30", "RebuildDesktops") +
                           ", {\"product\": \"ecd\", \"action\": \"RebuildDesktops\"}]}");
    REQUIRE(l->plan.calls.size() == 7);
    auto name = [&](size_t i) { return l->plan.calls[i].operation ? l->plan.calls[i].operation->name : std::string("-"); };
    CHECK(name(0) == "ecd.RebuildDesktops");
    CHECK(name(1) == "ecd.RebuildDesktops");
    CHECK(name(2) == "ecd.RebuildDesktops");
    CHECK(name(3) == "-");  // other version
    CHECK(name(4) == "-");  // actions are case-sensitive
    CHECK(name(5) == "-");  // other product
    // No version: the one modeled version of ecd RebuildDesktops (2020-09-30), filled in.
    CHECK(name(6) == "ecd.RebuildDesktops");
    CHECK(l->plan.calls[6].record.find("version")->as_string() == "2020-09-30");
    CHECK(l->plan.calls[6].record.find("modeled_versions") == nullptr);
}

TEST_CASE("operation resolution: a call without a version of an action modeled in several versions is unmodeled, and says so",
          "[plan][resolve]") {
    TempDir dir;
    // ecd RebootDesktops: the administrator API (2020-09-30) and the WUYING client API (2020-10-02).
    const std::string plan = "{\"calls\": [{\"product\": \"ecd\", \"action\": \"RebootDesktops\",\n"
                             "  \"parameters\": {\"RegionId\": \"cn-hangzhou\", \"DesktopId\": [\"ecd-a\"]}}]}";
    auto l = load(dir, plan);
    REQUIRE(l->plan.calls.size() == 1);
    CHECK(l->plan.calls[0].operation == nullptr);
    const Node* versions = l->plan.calls[0].record.find("modeled_versions");
    REQUIRE(versions);
    REQUIRE(versions->items().size() == 2);
    CHECK(versions->items()[0].as_string() == "2020-09-30");
    CHECK(versions->items()[1].as_string() == "2020-10-02");
    dir.write("reboot.json", plan);
    dir.write("inv/d.json", "{\"Desktops\": []}");
    auto r = run_opguard(dir.path().string(), "check reboot.json --inventory inv");
    CHECK(r.exit == 1);
    CHECK(r.out.find("call 1 call-1: ecd RebootDesktops  reboot.json:1:12\n") != std::string::npos);  // no gap for the missing version
    CHECK(r.out.find("error[plan.unmodeled-call] reboot.json:1:12\n      no rule file describes ecd RebootDesktops without a version (the "
                     "rules describe versions 2020-09-30, 2020-10-02: add \"version\" to the call)") != std::string::npos);
}

// Conflicts are always reported under "/calls/N/parameters/..." even when the parameter
// was written under "query", "body" or "path_params" (see the report).
TEST_CASE("a wire-form conflict in query names the query's JSON pointer", "[plan][wire]") {
    TempDir dir;
    auto e = load_error(dir, "{\"calls\": [{\"cloud\": \"c\", \"service\": \"s\", \"method\": \"GET\", \"path\": \"/x\",\n"
                             "  \"query\": {\"Id\": [\"a\"], \"Id.1\": \"b\"}}]}");
    REQUIRE(e);
    CHECK(e->id == "plan.param-conflict");
    CHECK(e->where() == "2:19");
    CHECK(e->pointer == "/calls/0/query/Id");
}

TEST_CASE("two calls or wait steps with one id are plan.duplicate-id, at the second", "[plan][ids]") {
    const std::string call = std::string("{") + kHeader;
    const std::string tail = "; reports and waivers name calls and wait steps by id, so each needs its own";
    struct Case {
        const char* what;
        std::string plan, where, pointer, message;
    };
    const std::vector<Case> cases = {
        {"an id written twice",
         "{\"calls\": [\n  " + call + ", \"id\": \"a\"},\n  " + call + ", \"id\": \"b\"},\n  " + call + ", \"id\": \"a\"}\n]}",
         "4:82", "/calls/2/id", "id 'a' is already the id of /calls/0 (line 2, column 82)" + tail},
        {"a written id that is another call's default (the entry without an id is named)",
         "{\"calls\": [\n  " + call + ", \"id\": \"call-2\"},\n  " + call + "}\n]}", "3:3", "/calls/1",
         "this entry has no id, and its default id 'call-2' is already the id of /calls/0 (line 2, column 82)" + tail},
        {"a default id taken first, then written",
         "{\"calls\": [\n  " + call + "},\n  " + call + ", \"id\": \"call-1\"}\n]}", "3:82", "/calls/1/id",
         "id 'call-1' is already the id of /calls/0 (line 2, column 3, by default: it has no id)" + tail},
        {"a wait step and a call", "{\"calls\": [\n  " + call + ", \"id\": \"x\"},\n  {\"id\": \"x\", \"wait\": true}\n]}",
         "3:10", "/calls/1/id", "id 'x' is already the id of /calls/0 (line 2, column 82)" + tail},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        TempDir dir;
        auto e = load_error(dir, c.plan);
        REQUIRE(e);
        CHECK(e->id == "plan.duplicate-id");
        CHECK(e->file == dir.file("plan.json"));
        CHECK(e->where() == c.where);
        CHECK(e->pointer == c.pointer);
        CHECK(e->message == c.message);
    }
    // Ids are compared exactly: "a" and "A" are two; a wait step's default id counts it.
    TempDir dir;
    auto l = load(dir, "{\"calls\": [\n  " + call + ", \"id\": \"a\"},\n  " + call + ", \"id\": \"A\"},\n  {\"wait\": true}\n]}");
    REQUIRE(l->plan.calls.size() == 2);
    CHECK(l->plan.calls[1].id == "A");
    REQUIRE(l->plan.waits.size() == 1);
    CHECK(l->plan.waits[0].id == "wait-3");
}

TEST_CASE("the plan's own structure: description and $schema are strings, ids and API names are not empty, one way of naming the API",
          "[plan][shape]") {
    // Each of these was accepted: a number for $schema, an object for description, an empty
    // id, an empty product and action ("no rule file describes  :"), a product beside a cloud.
    TempDir dir;
    struct Case { std::string plan, where, pointer, message; };
    const std::vector<Case> cases = {
        {"{\"$schema\": 5, \"calls\": []}", "1:13", "/$schema", "\"$schema\" must be a string; found number"},
        {"{\"description\": {\"a\": 1}, \"calls\": []}", "1:17", "/description", "\"description\" must be a string; found object"},
        {"{\"calls\": [{\"id\": \"\", \"product\": \"ecd\", \"action\": \"X\"}]}", "1:19", "/calls/0/id", "\"id\" is empty; leave it out for call-N"},
        {"{\"calls\": [{\"product\": \"\", \"action\": \"X\"}]}", "1:24", "/calls/0/product", "\"product\" is empty: a call names its API"},
        {"{\"calls\": [{\"id\": \"\", \"wait\": true}]}", "1:19", "/calls/0/id", "\"id\" must name the step; it is empty (leave it out for wait-N)"},
        {"{\"calls\": [{\"product\": \"ecd\", \"action\": \"X\", \"cloud\": \"huaweicloud\"}]}", "1:55", "/calls/0/cloud",
         "\"cloud\" (a REST call's) beside \"product\" (an RPC call's): a call names its API one way, product, version and action, or cloud, "
         "service, method and path"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.plan);
        auto e = load_error(dir, c.plan);
        REQUIRE(e);
        CHECK(e->id == "plan.shape");
        CHECK(e->where() == c.where);
        CHECK(e->pointer == c.pointer);
        CHECK(e->message == c.message);
    }
}
