// Tests for read_json (src/input/json_reader.cpp): values, origins, projection, and every
// error id with its line:col and JSON pointer.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "core/diagnostic.hpp"
#include "core/node.hpp"
#include "core/source.hpp"
#include "input/json_reader.hpp"

using opguard::InputError;
using opguard::JsonLimits;
using opguard::Node;
using opguard::NodeKind;
using opguard::Position;
using opguard::Projection;
using opguard::SourceRegistry;

namespace {

// One parsed file, kept with its registry so origins can be turned into line:col.
struct Parsed {
    SourceRegistry sources;
    uint32_t id = 0;
    Node root;

    // "line:col" of a node's origin.
    std::string at(const Node& n) const {
        REQUIRE(n.origin.known());
        REQUIRE(n.origin.file == id);
        Position p = sources.file(id).position(n.origin.offset);
        return std::to_string(p.line) + ":" + std::to_string(p.column);
    }
};

std::unique_ptr<Parsed> parse(const std::string& text, const Projection* keep = nullptr, const JsonLimits& limits = {}) {
    auto p = std::make_unique<Parsed>();
    p->sources.add("other.json", "{}");  // so that file ids other than 0 are exercised
    p->id = p->sources.add("test.json", text);
    p->root = opguard::read_json(p->sources, p->id, keep, limits);
    return p;
}

struct Failure {
    std::string id;
    std::string at;  // "line:col"
    std::string pointer;
    std::string message;
    std::string file;
};

Failure fail(const std::string& text, const Projection* keep = nullptr, const JsonLimits& limits = {}) {
    SourceRegistry sources;
    uint32_t id = sources.add("bad.json", text);
    try {
        opguard::read_json(sources, id, keep, limits);
    } catch (const InputError& e) {
        Position p = e.position();
        return Failure{e.id(), std::to_string(p.line) + ":" + std::to_string(p.column), e.pointer(), e.message(),
                       e.file()};
    }
    FAIL("read_json accepted: " << text.substr(0, 200));
    return {};
}

const Node& get(const Node& n, const std::string& key) {
    const Node* c = n.find(key);
    INFO("missing key " << key);
    REQUIRE(c != nullptr);
    return *c;
}

std::vector<std::string> keys(const Node& n) {
    std::vector<std::string> out;
    for (const auto& m : n.members()) out.push_back(m.first);
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Values and origins

TEST_CASE("json_reader: objects, arrays and scalars keep values and origins", "[json_reader]") {
    const std::string text =
        "{\n"
        "  \"name\": \"web-1\",\n"
        "  \"cpu\": 4,\n"
        "  \"ratio\": -12.5e-1,\n"
        "  \"list\": [1, true, null, \"s\", false],\n"
        "  \"obj\": {\"k\": {}, \"e\": []}\n"
        "}\n";
    auto p = parse(text);
    const Node& r = p->root;
    REQUIRE(r.is_object());
    CHECK(p->at(r) == "1:1");
    CHECK(keys(r) == std::vector<std::string>{"name", "cpu", "ratio", "list", "obj"});

    CHECK(get(r, "name").as_string() == "web-1");
    CHECK(p->at(get(r, "name")) == "2:11");
    CHECK(get(r, "cpu").as_number() == 4);
    CHECK(p->at(get(r, "cpu")) == "3:10");
    CHECK(get(r, "ratio").as_number() == -1.25);
    CHECK(p->at(get(r, "ratio")) == "4:12");

    const Node& list = get(r, "list");
    REQUIRE(list.is_array());
    CHECK(p->at(list) == "5:11");
    REQUIRE(list.items().size() == 5);
    CHECK(list.items()[0].as_number() == 1);
    CHECK(p->at(list.items()[0]) == "5:12");
    CHECK(list.items()[1].is_bool());
    CHECK(list.items()[1].as_bool() == true);
    CHECK(p->at(list.items()[1]) == "5:15");
    CHECK(list.items()[2].is_null());
    CHECK(p->at(list.items()[2]) == "5:21");
    CHECK(list.items()[3].as_string() == "s");
    CHECK(p->at(list.items()[3]) == "5:27");
    CHECK(list.items()[4].as_bool() == false);
    CHECK(p->at(list.items()[4]) == "5:32");

    const Node& obj = get(r, "obj");
    CHECK(p->at(obj) == "6:10");
    CHECK(get(obj, "k").is_object());
    CHECK(get(obj, "k").members().empty());
    CHECK(p->at(get(obj, "k")) == "6:16");
    CHECK(get(obj, "e").is_array());
    CHECK(get(obj, "e").items().empty());
    CHECK(p->at(get(obj, "e")) == "6:25");
}

TEST_CASE("json_reader: a root scalar is a value with its origin", "[json_reader]") {
    {
        auto p = parse("  \n  42 \n");
        CHECK(p->root.as_number() == 42);
        CHECK(p->at(p->root) == "2:3");
    }
    {
        auto p = parse("\"a\\tb\"");
        CHECK(p->root.as_string() == "a\tb");
        CHECK(p->at(p->root) == "1:1");
    }
    CHECK(parse("true")->root.as_bool() == true);
    CHECK(parse("false ")->root.as_bool() == false);
    CHECK(parse("null")->root.is_null());
    CHECK(parse("[]")->root.is_array());
    CHECK(parse(" {} ")->root.is_object());
}

TEST_CASE("json_reader: strings are unescaped to UTF-8, keys too", "[json_reader]") {
    const std::string text = R"({"a\"b": "q\"\\\/\b\f\n\r\t", "u": "\u00e9\u4e2d\ud83d\ude00", "raw": "é中😀",)"
                             "\n"
                             R"( "k\u0065y": 1})";
    auto p = parse(text);
    const Node& r = p->root;
    CHECK(keys(r) == std::vector<std::string>{"a\"b", "u", "raw", "key"});
    CHECK(get(r, "a\"b").as_string() == "q\"\\/\b\f\n\r\t");
    CHECK(get(r, "u").as_string() == "\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80");
    CHECK(get(r, "raw").as_string() == get(r, "u").as_string());
    CHECK(p->at(get(r, "raw")) == "1:" + std::to_string(text.find("\"é") + 1));
    CHECK(p->at(get(r, "key")) == "2:14");
}

TEST_CASE("json_reader: long strings, with and without escapes", "[json_reader]") {
    std::string plain(300, 'x');
    std::string escaped = std::string(200, 'y') + "\\n" + std::string(100, 'z');
    auto p = parse("[\"" + plain + "\", \"" + escaped + "\"]");
    CHECK(p->root.items()[0].as_string() == plain);
    CHECK(p->root.items()[1].as_string() == std::string(200, 'y') + "\n" + std::string(100, 'z'));
    CHECK(p->at(p->root.items()[1]) == "1:" + std::to_string(plain.size() + 6));
}

TEST_CASE("json_reader: an escaped NUL (u0000) inside a string is kept", "[json_reader]") {
    auto p = parse(R"({"k\u0000": "a\u0000b"})");
    const Node& r = p->root;
    REQUIRE(r.members().size() == 1);
    CHECK(r.members()[0].first == std::string("k\0", 2));
    CHECK(r.members()[0].second.as_string() == std::string("a\0b", 3));
    CHECK(r.members()[0].second.as_string().size() == 3);
}

TEST_CASE("json_reader: numbers", "[json_reader]") {
    auto p = parse("[0, -0, 1.5, -2e3, 9007199254740992, 18446744073709551615, 18446744073709551616, "
                   "123456789012345678901234567890, 1e-400, 1.7976931348623157e308, 4.9e-324]");
    const auto& v = p->root.items();
    REQUIRE(v.size() == 11);
    CHECK(v[0].as_number() == 0);
    CHECK(v[1].as_number() == 0);
    CHECK(std::signbit(v[1].as_number()));
    CHECK(v[2].as_number() == 1.5);
    CHECK(v[3].as_number() == -2000);
    CHECK(v[4].as_number() == 9007199254740992.0);
    CHECK(v[5].as_number() == 18446744073709551615.0);
    CHECK(v[6].as_number() == 18446744073709551616.0);  // beyond uint64: accepted as a double
    CHECK(v[7].as_number() == 123456789012345678901234567890.0);
    CHECK(v[8].as_number() == 0);  // underflow rounds to zero
    CHECK(v[9].as_number() == 1.7976931348623157e308);
    CHECK(v[10].as_number() > 0);
    CHECK(p->at(v[6]) == "1:60");
}

TEST_CASE("json_reader: 100000 levels of nesting are refused cleanly", "[json_reader]") {
    SECTION("unclosed") {
        Failure f = fail(std::string(100000, '['));
        CHECK(f.id == "json.depth");
        CHECK(f.at == "1:257");
        std::string ptr;
        for (int i = 0; i < 256; ++i) ptr += "/0";
        CHECK(f.pointer == ptr);
        CHECK(f.message == "found an array nested 257 levels deep: expected at most 256 levels of nesting");
    }
    SECTION("balanced") {
        Failure f = fail(std::string(100000, '[') + std::string(100000, ']'));
        CHECK(f.id == "json.depth");
        CHECK(f.at == "1:257");
    }
    SECTION("objects, on several lines") {
        std::string s;
        for (int i = 0; i < 100000; ++i) s += "{\"a\":\n";
        Failure f = fail(s);
        CHECK(f.id == "json.depth");
        CHECK(f.at == "257:1");
        CHECK(f.message == "found an object nested 257 levels deep: expected at most 256 levels of nesting");
        CHECK(f.pointer.size() == 256 * 2);
    }
    SECTION("found by the diagnostic scan when simdjson fails first (invalid UTF-8 later)") {
        Failure f = fail(std::string(100000, '[') + "\xFF");
        CHECK(f.id == "json.depth");
        CHECK(f.at == "1:257");
    }
    SECTION("exactly the limit is fine") {
        auto p = parse(std::string(256, '[') + std::string(256, ']'));
        const Node* n = &p->root;
        int depth = 1;
        while (!n->items().empty()) { n = &n->items()[0]; ++depth; }
        CHECK(depth == 256);
    }
    SECTION("a larger limit is capped at 512 levels (the walk recurses once per level)") {
        JsonLimits limits;
        limits.max_depth = 1000000;
        auto p = parse(std::string(512, '[') + std::string(512, ']'), nullptr, limits);
        CHECK(p->root.is_array());
        Failure f = fail(std::string(100000, '[') + std::string(100000, ']'), nullptr, limits);
        CHECK(f.id == "json.depth");
        CHECK(f.at == "1:513");
        CHECK(f.message == "found an array nested 513 levels deep: expected at most 512 levels of nesting");
        // the same from the diagnostic scan (simdjson fails first on the invalid UTF-8)
        Failure g = fail(std::string(100000, '[') + "\xFF", nullptr, limits);
        CHECK(g.id == "json.depth");
        CHECK(g.at == "1:513");
    }
    SECTION("a smaller limit") {
        JsonLimits limits;
        limits.max_depth = 2;
        CHECK(parse("[[1]]", nullptr, limits)->root.items()[0].items()[0].as_number() == 1);
        Failure f = fail("{\"a\": [\n  {\"b\": 1}]}", nullptr, limits);
        CHECK(f.id == "json.depth");
        CHECK(f.at == "2:3");
        CHECK(f.pointer == "/a/0");
        CHECK(f.message == "found an object nested 3 levels deep: expected at most 2 levels of nesting");
    }
}

// ---------------------------------------------------------------------------------------
// Projection

TEST_CASE("json_reader: projection keeps the named keys and skips the rest", "[json_reader]") {
    const std::string text = R"({
  "RequestId": "r-1",
  "TotalCount": 2,
  "Desktops": [
    {"DesktopId": "d-1", "Name": "a", "Tags": [{"Key": "env", "Value": "prod"}], "Cpu": 2,
     "Disks": [{"Size": 80, "Type": "ssd"}, {"Size": 40, "Type": "hdd"}], "Extra": {"x": [1, 2]}},
    {"DesktopId": "d-2", "Cpu": 4, "Disks": [], "Tags": "not-a-list"}
  ],
  "Images": [{"ImageId": "m-1"}]
})";
    Projection keep;
    auto& desk = keep.child("Desktops").child("[]");
    desk.child("DesktopId").all = true;
    desk.child("Tags").all = true;
    desk.child("Disks").child("[]").child("Size").all = true;
    keep.child("TotalCount").all = true;

    auto p = parse(text, &keep);
    const Node& r = p->root;
    CHECK(keys(r) == std::vector<std::string>{"TotalCount", "Desktops"});
    CHECK(get(r, "TotalCount").as_number() == 2);
    CHECK(p->at(get(r, "TotalCount")) == "3:17");

    const Node& list = get(r, "Desktops");
    REQUIRE(list.items().size() == 2);
    CHECK(p->at(list) == "4:15");
    const Node& d1 = list.items()[0];
    CHECK(p->at(d1) == "5:5");
    CHECK(keys(d1) == std::vector<std::string>{"DesktopId", "Tags", "Disks"});
    CHECK(get(d1, "DesktopId").as_string() == "d-1");
    CHECK(p->at(get(d1, "DesktopId")) == "5:19");
    // all=true keeps the whole subtree
    CHECK(get(d1, "Tags").to_json() == R"([{"Key":"env","Value":"prod"}])");
    CHECK(p->at(get(d1, "Tags").items()[0].members()[1].second) == "5:72");
    // nested "[]": only Size of each disk
    CHECK(get(d1, "Disks").to_json() == R"([{"Size":80},{"Size":40}])");
    CHECK(p->at(get(d1, "Disks").items()[1]) == "6:45");
    CHECK(p->at(get(get(d1, "Disks").items()[1], "Size")) == "6:54");

    const Node& d2 = list.items()[1];
    CHECK(d2.to_json() == R"({"DesktopId":"d-2","Disks":[],"Tags":"not-a-list"})");
}

TEST_CASE("json_reader: projection edge cases", "[json_reader]") {
    SECTION("nothing matches: the root is still returned, empty") {
        Projection keep;
        keep.child("Nope").all = true;
        auto p = parse(R"( {"a": 1, "b": [1, 2]})", &keep);
        CHECK(p->root.is_object());
        CHECK(p->root.members().empty());
        CHECK(p->at(p->root) == "1:2");
    }
    SECTION("an empty projection keeps an empty root object") {
        Projection keep;
        CHECK(parse(R"({"a": 1})", &keep)->root.to_json() == "{}");
    }
    SECTION("root array with [] projects each element") {
        Projection keep;
        keep.child("[]").child("a").all = true;
        auto p = parse(R"([{"a": 1, "b": 2}, {"b": 3}, 7])", &keep);
        CHECK(p->root.to_json() == R"([{"a":1},{},7])");
        CHECK(p->at(p->root.items()[2]) == "1:30");
    }
    SECTION("root array without [] is returned empty, but still checked to its end") {
        Projection keep;
        keep.child("a").all = true;
        auto p = parse(R"([{"a": 1}, 2])", &keep);
        CHECK(p->root.is_array());
        CHECK(p->root.items().empty());
        Failure f = fail(R"([{"a": 1}, 2] 3)", &keep);
        CHECK(f.id == "json.syntax");
        CHECK(f.at == "1:15");
    }
    SECTION("a projected key that is not a container is kept as is") {
        Projection keep;
        keep.child("a").child("b").all = true;
        keep.child("n").child("[]").all = true;
        CHECK(parse(R"({"a": "text", "n": 5})", &keep)->root.to_json() == R"({"a":"text","n":5})");
    }
    SECTION("an array reached without [] is kept empty") {
        Projection keep;
        keep.child("a").child("x");
        CHECK(parse(R"({"a": [1, 2, 3]})", &keep)->root.to_json() == R"({"a":[]})");
    }
    SECTION("all=true at the root keeps everything") {
        Projection keep;
        keep.all = true;
        CHECK(parse(R"({"a": [1, {"b": null}]})", &keep)->root.to_json() == R"({"a":[1,{"b":null}]})");
    }
    SECTION("keys with escapes match the projection by their unescaped text") {
        Projection keep;
        keep.child("DesktopId").all = true;
        keep.child("a/b").all = true;
        auto p = parse(R"({"Desktop\u0049d": "d-1", "a\/b": 2, "other": 3})", &keep);
        CHECK(p->root.to_json() == R"({"DesktopId":"d-1","a/b":2})");
    }
    SECTION("many projected keys (hash lookup)") {
        Projection keep;
        std::string text = "{";
        for (int i = 0; i < 40; ++i) {
            if (i % 2 == 0) keep.child("k" + std::to_string(i)).all = true;
            text += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
        }
        text += "}";
        auto p = parse(text, &keep);
        REQUIRE(p->root.members().size() == 20);
        CHECK(get(p->root, "k38").as_number() == 38);
        CHECK(p->root.find("k39") == nullptr);
    }
    SECTION("skipped values are not materialised, but checked: only their duplicate keys are not compared") {
        Projection keep;
        keep.child("keep").all = true;
        auto p = parse(R"({"skip": {"x": 1, "x": [2, {"y": "\u00e9"}]}, "keep": 1})", &keep);
        CHECK(p->root.to_json() == R"({"keep":1})");
        // Too deep where nothing reads it: the same error as where a rule reads.
        std::string deep = std::string(100000, '[') + std::string(100000, ']');
        Failure f = fail(R"({"deep": )" + deep + R"(, "keep": 1})", &keep);
        CHECK(f.id == "json.depth");
        CHECK(f.at == "1:265");  // the 256th '[' of "deep", the 257th level of the file
        CHECK(f.pointer == "/deep");
    }
}

// ---------------------------------------------------------------------------------------
// Errors: id, line:col, pointer, message

TEST_CASE("json_reader: empty and whitespace-only files", "[json_reader]") {
    Failure f = fail("");
    CHECK(f.id == "json.syntax");
    CHECK(f.at == "1:1");
    CHECK(f.pointer == "");
    CHECK(f.message == "empty file: expected a JSON value");
    CHECK(f.file == "bad.json");

    Failure w = fail("  \n\t\n  ");
    CHECK(w.id == "json.syntax");
    CHECK(w.at == "3:3");
    CHECK(w.pointer == "");
    CHECK(w.message == "the file contains only whitespace: expected a JSON value");
}

TEST_CASE("json_reader: trailing content after the root value", "[json_reader]") {
    Failure f = fail("{\"a\": 1}\n  garbage");
    CHECK(f.id == "json.syntax");
    CHECK(f.at == "2:3");
    CHECK(f.pointer == "");
    CHECK(f.message == "found 'garbage': expected the end of the file after the JSON value");

    Failure g = fail("{\"a\": 1} }");
    CHECK(g.id == "json.syntax");
    CHECK(g.at == "1:10");
    CHECK(g.message == "found '}': expected the end of the file after the JSON value");

    CHECK(fail("[1] [2]").at == "1:5");
    CHECK(fail("1 2").at == "1:3");
    CHECK(fail("\"a\" \"b\"").at == "1:5");
    CHECK(fail("true false").id == "json.syntax");

    // with a projection too
    Projection keep;
    keep.child("a").all = true;
    Failure h = fail("{\"a\": 1, \"b\": 2}\n,", &keep);
    CHECK(h.id == "json.syntax");
    CHECK(h.at == "2:1");
}

TEST_CASE("json_reader: syntax errors", "[json_reader]") {
    struct Case {
        const char* text;
        const char* at;
        const char* pointer;
        const char* message;
    };
    const Case cases[] = {
        {"[1 2]", "1:4", "/0", "found '2': expected ',' or ']' in an array"},
        {"{\"a\" 1}", "1:6", "/a", "found '1': expected ':' after the object key"},
        {"{\"a\": 1,}", "1:9", "", "found '}': expected a string key in an object"},
        {"{\"a\": 1 \"b\": 2}", "1:9", "/a", "found '\"': expected ',' or '}' in an object"},
        {"[1,]", "1:4", "/1", "found ']': expected a JSON value"},
        {"[,1]", "1:2", "/0", "found ',': expected a JSON value"},
        {"{1: 2}", "1:2", "", "found '1': expected a string key or '}' in an object"},
        {"{\"a\": }", "1:7", "/a", "found '}': expected a JSON value"},
        {"[1, 2", "1:6", "/1", "found the end of the file: expected ',' or ']' in an array"},
        {"{\"a\": [1, {\"b\": 2}", "1:19", "/a/1", "found the end of the file: expected ',' or ']' in an array"},
        {"[tru]", "1:2", "/0", "found 'tru': expected a JSON value (object, array, string, number, true, false or null)"},
        {"{\"x\": nulll}", "1:7", "/x",
         "found 'nulll': expected a JSON value (object, array, string, number, true, false or null)"},
        {"[\"a\" : 1]", "1:6", "/0", "found ':': expected ',' or ']' in an array"},
        {"{\"a\": 1}}", "1:9", "", "found '}': expected the end of the file after the JSON value"},
        {"[1]]", "1:4", "", "found ']': expected the end of the file after the JSON value"},
        {"[1}", "1:3", "/0", "found '}': expected ',' or ']' in an array"},
        {"['a']", "1:2", "/0",
         "found ''a'': expected a JSON value (object, array, string, number, true, false or null)"},
        {"[\"a\\qb\"]", "1:4", "/0",
         "found invalid escape '\\q' in a string: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"},
        {"[\"\\\t\"]", "1:3", "/0",
         "found a backslash followed by control character U+0009 in a string: expected one of \\\" \\\\ \\/ \\b \\f "
         "\\n \\r \\t \\uXXXX"},
        {"[\"\\u12g4\"]", "1:3", "/0", "found a malformed \\u escape in a string: expected \\u followed by 4 hex digits"},
        {"[\"\\ud800x\"]", "1:3", "/0",
         "found an unpaired high surrogate \\ud800 in a string: expected it followed by a \\uDC00-\\uDFFF low surrogate"},
        {"[\"\\udc00\"]", "1:3", "/0",
         "found an unpaired low surrogate \\udc00 in a string: expected it preceded by a \\uD800-\\uDBFF high surrogate"},
        {"{\"a\": \"line\nbreak\"}", "1:12", "/a",
         "found unescaped control character U+000A in a string: expected control characters to be escaped (e.g. \\u000A)"},
        {"[\"abc", "1:2", "/0", "found a string that is never closed: expected a closing '\"' before the end of the file"},
        {"{\"a\": [1,\n  \"open]}", "2:3", "/a/1",
         "found a string that is never closed: expected a closing '\"' before the end of the file"},
        {"[1, é]", "1:5", "/1", "found 'é' (U+00E9): expected a JSON value"},
        {"[1, \xC2\xA0 2]", "1:5", "/1", "found '\xC2\xA0' (U+00A0): expected a JSON value"},
    };
    for (const auto& c : cases) {
        INFO("input: " << c.text);
        Failure f = fail(c.text);
        CHECK(f.id == "json.syntax");
        CHECK(f.at == c.at);
        CHECK(f.pointer == c.pointer);
        CHECK(f.message == c.message);
    }
}

TEST_CASE("json_reader: a leading UTF-8 byte order mark is ignored: UTF-16 is refused", "[json_reader]") {
    auto p = parse("\xEF\xBB\xBF{\"a\": [1]}");
    CHECK(p->root.to_json() == R"({"a":[1]})");
    CHECK(p->at(p->root) == "1:4");  // offsets still count the BOM's bytes
    CHECK(p->at(get(p->root, "a")) == "1:10");
    CHECK(parse("\xEF\xBB\xBF 7")->root.as_number() == 7);
    Failure e = fail("\xEF\xBB\xBF");
    CHECK(e.message == "empty file: expected a JSON value");
    CHECK(e.at == "1:1");
    Failure t = fail("\xEF\xBB\xBF{\"a\": tru}");
    CHECK(t.at == "1:10");
    CHECK(t.pointer == "/a");
    Failure u = fail(std::string("\xFF\xFE{\0}\0", 6));
    CHECK(u.id == "json.utf8");
    CHECK(u.at == "1:1");
    CHECK(u.message == "found UTF-16 text (byte order mark FF FE, little-endian): expected UTF-8 encoded JSON (convert the file to UTF-8)");
    // UTF-32 (it was called UTF-16, or a NUL byte), and wide text without a mark.
    const std::pair<std::string, std::string> wide[] = {
        {std::string("\xFF\xFE\0\0{\0\0\0}\0\0\0", 12), "UTF-32 text (byte order mark FF FE 00 00, little-endian)"},
        {std::string("\0\0\xFE\xFF\0\0\0{\0\0\0}", 12), "UTF-32 text (byte order mark 00 00 FE FF, big-endian)"},
        {std::string("{\0\0\0}\0\0\0", 8), "UTF-32 text without a byte order mark (little-endian: three NUL bytes beside each ASCII character)"},
        {std::string("{\0\"\0a\0\"\0:\x001\0}\0", 14), "UTF-16 text without a byte order mark (little-endian: a NUL byte beside each ASCII character)"},
    };
    for (const auto& [text, what] : wide) {
        Failure w = fail(text);
        CHECK(w.id == "json.utf8");
        CHECK(w.at == "1:1");
        CHECK(w.message == "found " + what + ": expected UTF-8 encoded JSON (convert the file to UTF-8)");
    }
    Failure m = fail("[\"a\", \xEF\xBB\xBF" "1]");  // a BOM elsewhere is an error
    CHECK(m.id == "json.syntax");
    CHECK(m.at == "1:7");
    CHECK(m.message == "found '\xEF\xBB\xBF' (U+FEFF): expected a JSON value");
}

TEST_CASE("json_reader: raw NUL bytes are syntax errors with a position", "[json_reader]") {
    {
        Failure f = fail(std::string("{\"a\": \"x\0y\"}", 12));
        CHECK(f.id == "json.syntax");
        CHECK(f.at == "1:9");
        CHECK(f.pointer == "/a");
        CHECK(f.message == "found a raw NUL byte in a string: expected control characters to be escaped (e.g. \\u0000)");
    }
    {
        Failure f = fail(std::string("[1,\n\0]", 6));
        CHECK(f.id == "json.syntax");
        CHECK(f.at == "2:1");
        CHECK(f.pointer == "/1");
        CHECK(f.message == "found a NUL byte: expected a JSON value");
    }
    {
        Failure f = fail(std::string("{}\0", 3));
        CHECK(f.at == "1:3");
        CHECK(f.message == "found a NUL byte: expected the end of the file after the JSON value");
    }
    {
        // even inside a value that the projection skips
        Projection keep;
        keep.child("keep").all = true;
        Failure f = fail(std::string("{\"skip\": [1, \0], \"keep\": 1}", 27), &keep);
        CHECK(f.id == "json.syntax");
        CHECK(f.at == "1:14");
        CHECK(f.pointer == "/skip/1");
    }
}

TEST_CASE("json_reader: invalid UTF-8", "[json_reader]") {
    {
        Failure f = fail("{\"name\": \"caf\xE9\"}");
        CHECK(f.id == "json.utf8");
        CHECK(f.at == "1:14");
        CHECK(f.pointer == "/name");
        CHECK(f.message == "found invalid UTF-8 byte 0xE9: expected UTF-8 encoded text");
    }
    {
        Failure f = fail("{\"a\": 1,\n \"k\xFF\": 2}");
        CHECK(f.id == "json.utf8");
        CHECK(f.at == "2:4");
        CHECK(f.pointer == "");
    }
    {
        Failure f = fail("[1, \xC3]");  // truncated sequence outside a string
        CHECK(f.id == "json.utf8");
        CHECK(f.at == "1:5");
        CHECK(f.pointer == "/1");
        CHECK(f.message == "found invalid UTF-8 byte 0xC3: expected UTF-8 encoded text");
    }
    CHECK(fail("[\"\xC0\xAF\"]").id == "json.utf8");          // overlong '/'
    CHECK(fail("[\"\xED\xA0\x80\"]").id == "json.utf8");      // encoded surrogate
    CHECK(fail("[\"\xF4\x90\x80\x80\"]").id == "json.utf8");  // above U+10FFFF
    CHECK(fail("[\"\xE2\x82\"]").at == "1:3");               // truncated 3-byte sequence
    {
        // inside a value the projection skips: still found
        Projection keep;
        keep.child("keep").all = true;
        Failure f = fail("{\"skip\": [\"ok\", \"\x80\"], \"keep\": 1}", &keep);
        CHECK(f.id == "json.utf8");
        CHECK(f.at == "1:18");
        CHECK(f.pointer == "/skip/1");
    }
}

TEST_CASE("json_reader: numbers that do not fit or do not parse", "[json_reader]") {
    {
        Failure f = fail("{\"a\": [1,\n 1e400]}");
        CHECK(f.id == "json.number");
        CHECK(f.at == "2:2");
        CHECK(f.pointer == "/a/1");
        CHECK(f.message == "found number '1e400', which is too large for a double: expected a magnitude below 1.8e308");
    }
    CHECK(fail("-1e400").id == "json.number");
    CHECK(fail("-1e400").at == "1:1");
    CHECK(fail("[1.8e308]").id == "json.number");
    std::string huge = "[" + std::string(400, '9') + "]";
    CHECK(fail(huge).id == "json.number");
    CHECK(fail(huge).message.find("'9999999999") != std::string::npos);
    for (const char* bad : {"[01]", "[1.]", "[-]", "[.5]", "[+1]", "[1e]", "[1e+]", "[0x10]", "[1.2.3]", "[-01]"}) {
        INFO(bad);
        Failure f = fail(bad);
        CHECK(f.id == "json.number");
        CHECK(f.at == "1:2");
        CHECK(f.pointer == "/0");
        CHECK(f.message.rfind("found malformed number '", 0) == 0);
    }
}

TEST_CASE("json_reader: duplicate keys", "[json_reader]") {
    {
        Failure f = fail("{\n  \"a\": 1,\n  \"b\": {\"c\": 1,\n         \"c\": 2}\n}");
        CHECK(f.id == "json.duplicate-key");
        CHECK(f.at == "4:10");
        CHECK(f.pointer == "/b/c");
        CHECK(f.message == "found key \"c\" a second time in this object (first at line 3:9): expected each key at most once");
    }
    {
        // at the root; keys spelled differently but equal once unescaped
        Failure f = fail(R"({"id": 1, "i\u0064": 2})");
        CHECK(f.id == "json.duplicate-key");
        CHECK(f.at == "1:11");
        CHECK(f.pointer == "/id");
    }
    {
        // a large object (hash-indexed check)
        std::string text = "{";
        for (int i = 0; i < 100; ++i) text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ",\n";
        text += "\"k42\": 0}";
        Failure f = fail(text);
        CHECK(f.id == "json.duplicate-key");
        CHECK(f.at == "101:1");
        CHECK(f.message.find("(first at line 43:1)") != std::string::npos);
    }
    {
        // a duplicated projected key is an error; a duplicated skipped key is not looked at
        Projection keep;
        keep.child("[]").child("id").all = true;
        Failure f = fail(R"([{"id": 1}, {"id": 2, "x": 0, "id": 3}])", &keep);
        CHECK(f.id == "json.duplicate-key");
        CHECK(f.at == "1:31");
        CHECK(f.pointer == "/1/id");
        CHECK(parse(R"([{"id": 1, "x": 0, "x": 1}])", &keep)->root.to_json() == R"([{"id":1}])");
    }
    // the same key in different objects is fine
    CHECK(parse(R"([{"a": 1}, {"a": 2}, {"b": {"a": 3}, "a": 4}])")->root.items().size() == 3);
}

TEST_CASE("json_reader: too many values", "[json_reader]") {
    JsonLimits limits;
    limits.max_elements = 5;
    CHECK(parse("[1, 2, [3]]", nullptr, limits)->root.items().size() == 3);  // 5 values
    Failure f = fail("{\"a\": [1, 2],\n \"b\": {\"c\": 3}}", nullptr, limits);
    CHECK(f.id == "json.too-many-values");
    CHECK(f.at == "2:13");
    CHECK(f.pointer == "/b/c");
    CHECK(f.message == "found more than 5 values in this file: expected at most 5");
    // only materialised values count (skipped ones are checked, not counted)
    Projection keep;
    keep.child("a").all = true;
    CHECK(parse("{\"a\": 1, \"b\": [1, 2, 3, 4, 5, 6, 7]}", &keep, limits)->root.to_json() == "{\"a\":1}");
    CHECK(fail("{\"a\": 1, \"b\": [1, 2, 3, 4, 5, 6, 07]}", &keep, limits).id == "json.number");  // a leading zero
}

TEST_CASE("json_reader: error pointers escape ~ and /", "[json_reader]") {
    Failure f = fail(R"({"a/b": {"c~d": [0, tru]}})");
    CHECK(f.pointer == "/a~1b/c~0d/1");
    CHECK(f.at == "1:21");
}

// ---------------------------------------------------------------------------------------
// Cross-check with nlohmann/json on many small mutated documents: read_json (no projection)
// accepts exactly what nlohmann accepts (duplicate keys and out-of-range numbers aside,
// which nlohmann handles differently), accepted values are equal, and every error has a
// position inside the file.

namespace {

struct NullSax : nlohmann::json::json_sax_t {
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        out_of_range = e.id == 406;
        return false;
    }
    bool out_of_range = false;
};

// Every number as a double, as read_json keeps them (nlohmann keeps big integers exact).
nlohmann::json as_doubles(const nlohmann::json& j) {
    if (j.is_number()) return nlohmann::json(j.get<double>());
    if (j.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : j) out.push_back(as_doubles(e));
        return out;
    }
    if (j.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : j.items()) out[k] = as_doubles(v);
        return out;
    }
    return j;
}

// What read_json with `p` should return, computed from a full parse.
nlohmann::json project(const nlohmann::json& j, const Projection* p) {
    if (!p || p->all) return j;
    if (j.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : j.items()) {
            auto it = p->children.find(k);
            if (it != p->children.end()) out[k] = project(v, &it->second);
        }
        return out;
    }
    if (j.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        auto it = p->children.find("[]");
        if (it != p->children.end())
            for (const auto& e : j) out.push_back(project(e, &it->second));
        return out;
    }
    return j;
}

}  // namespace

TEST_CASE("json_reader: agrees with nlohmann/json on mutated documents", "[json_reader]") {
    const std::string seeds[] = {
        R"({"a": [1, -2.5e3, true, false, null], "b": {"c": "x\"y\u00e9", "d": []}, "e": 0})",
        R"([{"id": "d-1", "n": 12345678901234567890}, {"id": "d-2", "tags": [{"k": "v"}]}, "é中", 1e5])",
        "  {\"k\":\n\t[ \"\\n\\t\\\\\", {} , [ [ ] ] ] }  ",
    };
    const char alphabet[] = "{}[]\",:\\ \n0123456789.eE+-tfnrulasx\x00\x80\xC3\xFF";
    Projection keep;
    keep.child("a").child("[]").all = true;
    keep.child("b").child("c").all = true;
    keep.child("[]").child("id").all = true;
    keep.child("[]").child("tags").child("[]").child("k").all = true;
    keep.child("k").child("[]").child("[]").all = true;
    std::mt19937 rng(12345);
    int accepted = 0, rejected = 0;
    for (const auto& seed : seeds) {
        for (int round = 0; round < 1500; ++round) {
            std::string s = seed;
            int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits; ++e) {
                size_t pos = rng() % (s.size() + 1);
                char c = alphabet[rng() % (sizeof alphabet - 1)];
                switch (rng() % 3) {
                    case 0: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), c); break;
                    case 1: if (pos < s.size()) s.erase(pos, 1); break;
                    default: if (pos < s.size()) s[pos] = c; break;
                }
            }
            INFO("input: " << nlohmann::json(std::string(s)).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));
            NullSax sax;
            bool nl_ok = nlohmann::json::sax_parse(s, &sax);
            SourceRegistry sources;
            uint32_t id = sources.add("m.json", s);
            bool ok = true;
            std::string err_id;
            Node n;
            try {
                n = opguard::read_json(sources, id);
            } catch (const InputError& e) {
                ok = false;
                err_id = e.id();
                CHECK(e.position().known());
                CHECK(e.position().line >= 1);
                CHECK(!e.message().empty());
            }
            if (err_id == "json.duplicate-key" || sax.out_of_range) continue;
            CHECK(ok == nl_ok);

            // With a projection: the same verdict (skipped values are checked too; only their
            // duplicate keys are not compared), and what is kept is the projection of the
            // full value.
            bool pok = true;
            Node pn;
            try {
                pn = opguard::read_json(sources, id, &keep);
            } catch (const InputError& e) {
                pok = false;
                CHECK(e.position().known());
                if (nl_ok) CHECK(e.id() == "json.duplicate-key");
            }
            if (pok && nl_ok)
                CHECK(as_doubles(nlohmann::json::parse(pn.to_json())) == as_doubles(project(nlohmann::json::parse(s), &keep)));
            if (ok) CHECK(pok);
            if (!nl_ok) CHECK_FALSE(pok);  // malformed anywhere: refused, projection or not
            if (ok && nl_ok) {
                ++accepted;
                CHECK(as_doubles(nlohmann::json::parse(n.to_json())) == as_doubles(nlohmann::json::parse(s)));
            } else {
                ++rejected;
            }
        }
    }
    CHECK(accepted > 50);
    CHECK(rejected > 1000);
}

// The JSON writer skips plain bytes eight at a time: every byte value, at every position
// of a word, must still be escaped exactly as RFC 8259 asks (checked by parsing the result
// back with nlohmann/json, and against the escapes written out for the cases that matter).
TEST_CASE("append_json_string: every byte at every offset round-trips", "[json_reader][writer]") {
    for (int b = 0; b < 256; ++b) {
        for (size_t at = 0; at < 19; ++at) {
            std::string s(19, 'a');
            s[at] = static_cast<char>(b);
            if (b >= 0x80) s[at] = 'z';  // (a lone byte >= 0x80 is not UTF-8; covered below)
            std::string out;
            opguard::append_json_string(out, s);
            INFO("byte " << b << " at " << at);
            REQUIRE(nlohmann::json::parse(out).get<std::string>() == s);
            if (b < 0x20 || b == '"' || b == '\\') CHECK(out.size() > s.size() + 2);
            else CHECK(out.size() == s.size() + 2);
        }
    }
    std::string out;
    opguard::append_json_string(out, "ab\"cd\\ef\x01gh\ni\x1f" "caf\xc3\xa9 long enough to use words");
    CHECK(out == "\"ab\\\"cd\\\\ef\\u0001gh\\ni\\u001fcaf\xc3\xa9 long enough to use words\"");
}
