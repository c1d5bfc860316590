// read_json remembers, per projected list, the decision for the key at each member position
// (kept or skipped, its sub-plan, eager or not, already recorded in keys_seen) and which
// leading positions passed the duplicate-key check together: objects of one list nearly
// always repeat their keys. These cases change the keys between objects and check that the
// values kept, the keys seen and every duplicate-key error (place, pointer, "first at") are
// those of the object being read.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "core/diagnostic.hpp"
#include "core/node.hpp"
#include "core/source.hpp"
#include "input/json_reader.hpp"

using namespace opguard;

namespace {

struct Error {
    std::string id, at, pointer, message;
};

Error error_of(const std::string& text, const Projection& keep) {
    SourceRegistry sources;
    uint32_t id = sources.add("list.json", text);
    try {
        read_json(sources, id, &keep);
    } catch (const InputError& e) {
        return Error{e.id(), std::to_string(e.position().line) + ":" + std::to_string(e.position().column), e.pointer(),
                     e.message()};
    }
    FAIL("accepted: " << text);
    return {};
}

std::string read(const std::string& text, const Projection& keep) {
    SourceRegistry sources;
    uint32_t id = sources.add("list.json", text);
    return read_json(sources, id, &keep).to_json();
}

}  // namespace

TEST_CASE("projected lists: keys that move between objects keep their own decisions", "[json_reader][seen-keys]") {
    std::set<std::string, std::less<>> seen;
    Projection keep;
    Projection& element = keep.child("[]");
    element.keys_seen = &seen;
    element.child("id").all = true;
    element.child("name").all = true;
    element.child("tags").child("[]").child("k").all = true;
    const std::string text = R"([
{"id": 1, "name": "a", "x": 0, "tags": [{"k": "p", "v": 1}]},
{"id": 2, "name": "b", "x": 0, "tags": [{"k": "q", "v": 2}]},
{"x": 0, "id": 3, "tags": [{"v": 3, "k": "r"}], "name": "c"},
{"id": 4, "": 5, "name": "d", "y": 0},
{"name": "e", "id": 5}
])";
    CHECK(read(text, keep) ==
          R"([{"id":1,"name":"a","tags":[{"k":"p"}]},{"id":2,"name":"b","tags":[{"k":"q"}]},{"id":3,"tags":[{"k":"r"}],"name":"c"},{"id":4,"name":"d"},{"name":"e","id":5}])");
    CHECK(seen == std::set<std::string, std::less<>>{"", "id", "name", "tags", "x", "y"});
}

TEST_CASE("projected lists: a duplicate key after objects with the same leading keys", "[json_reader][seen-keys]") {
    Projection keep;
    keep.child("[]").child("id").all = true;
    keep.child("[]").child("name").all = true;
    keep.child("[]").child("x").all = true;
    SECTION("at a position where earlier objects had another key") {
        Error e = error_of("[{\"id\": 1, \"name\": \"a\", \"x\": 0},\n{\"id\": 1, \"name\": \"a\", \"x\": 0},\n{\"id\": 2, \"id\": 3}]", keep);
        CHECK(e.id == "json.duplicate-key");
        CHECK(e.at == "3:11");
        CHECK(e.pointer == "/2/id");
        CHECK(e.message == "found key \"id\" a second time in this object (first at line 3:2): expected each key at most once");
    }
    SECTION("where the remembered keys come from two earlier objects") {
        // After {id, name, x} and {id, x} the remembered keys are id, x, x: an object with
        // exactly those keys has a duplicate although every key matches its position.
        Error e = error_of("[{\"id\": 1, \"name\": \"a\", \"x\": 0},\n{\"id\": 1, \"x\": 0},\n{\"id\": 2, \"x\": 3, \"x\": 4}]", keep);
        CHECK(e.id == "json.duplicate-key");
        CHECK(e.at == "3:19");
        CHECK(e.pointer == "/2/x");
        CHECK(e.message == "found key \"x\" a second time in this object (first at line 3:11): expected each key at most once");
    }
    SECTION("past the keys of every earlier object") {
        Error e = error_of("[{\"id\": 1, \"name\": \"a\"},\n{\"id\": 1, \"name\": \"a\"},\n{\"id\": 2, \"name\": \"b\", \"x\": 0, \"name\": \"c\"}]", keep);
        CHECK(e.id == "json.duplicate-key");
        CHECK(e.at == "3:32");
        CHECK(e.pointer == "/2/name");
        CHECK(e.message == "found key \"name\" a second time in this object (first at line 3:11): expected each key at most once");
    }
}

TEST_CASE("projected lists: duplicates in large objects, past the remembered positions", "[json_reader][seen-keys]") {
    // 20 kept keys (the check switches to a hash index past 16) and 300 keys (past the 256
    // positions remembered).
    for (int width : {20, 300}) {
        Projection keep;
        for (int i = 0; i < width; ++i) keep.child("[]").child("k" + std::to_string(i)).all = true;
        auto object = [&](int line_no) {
            (void)line_no;
            std::string o = "{";
            for (int i = 0; i < width; ++i) o += std::string(i ? ", " : "") + "\"k" + std::to_string(i) + "\": " + std::to_string(i);
            return o;
        };
        std::string text = "[" + object(1) + "},\n" + object(2) + "},\n" + object(3) + ", \"k5\": 0, \"k" +
                           std::to_string(width - 1) + "\": 1}]";
        INFO("width " << width);
        Error e = error_of(text, keep);
        CHECK(e.id == "json.duplicate-key");
        CHECK(e.pointer == "/2/k5");
        // The first k5 of the third object: line 3, after "{" and the keys k0..k4.
        std::string third = object(3);
        CHECK(e.message == "found key \"k5\" a second time in this object (first at line 3:" +
                               std::to_string(third.find("\"k5\"") + 1) + "): expected each key at most once");
        CHECK(e.at == "3:" + std::to_string(third.size() + 3));
        // The same objects without the duplicate read whole.
        std::string ok = "[" + object(1) + "},\n" + object(2) + "},\n" + object(3) + ", \"k" + std::to_string(width) + "\": 1}]";
        SourceRegistry sources;
        uint32_t id = sources.add("ok.json", ok);
        Node root = read_json(sources, id, &keep);
        REQUIRE(root.items().size() == 3);
        CHECK(root.items()[2].members().size() == static_cast<size_t>(width));
        CHECK(root.items()[2].find("k" + std::to_string(width - 1))->as_number() == width - 1);
    }
}
