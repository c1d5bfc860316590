// Node: one value chosen by its kind (copies, moves, a move out of its own children) and the
// walker that clears origins.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <utility>

#include "core/node.hpp"

using opguard::Node;
using opguard::Origin;

TEST_CASE("a copy of each kind holds the same value and is independent", "[node]") {
    Node obj = Node::object({{"s", Node::string("a string longer than the small-string buffer", Origin{1, 10})},
                             {"n", Node::number(42)},
                             {"b", Node::boolean(true)},
                             {"l", Node::array({Node::string("x"), Node::null()})}},
                            Origin{1, 2});
    Node copy = obj;
    CHECK(copy.equals(obj));
    CHECK(copy.origin.offset == 2);
    CHECK(copy.find("s")->origin.offset == 10);
    copy.set("n", Node::number(7));
    copy.find("l")->items().push_back(Node::boolean(false));
    CHECK(obj.find("n")->as_number() == 42);
    CHECK(obj.find("l")->items().size() == 2);
    CHECK(copy.find("l")->items().size() == 3);
    CHECK(obj.to_json() == "{\"s\":\"a string longer than the small-string buffer\",\"n\":42,\"b\":true,\"l\":[\"x\",null]}");
}

TEST_CASE("a node moved from keeps its kind with an empty value", "[node]") {
    Node s = Node::string("a string longer than the small-string buffer");
    Node t = std::move(s);
    CHECK(t.as_string() == "a string longer than the small-string buffer");
    CHECK(s.is_string());
    CHECK(s.as_string().empty());

    Node l = Node::array({Node::number(1)});
    Node m = std::move(l);
    CHECK(m.items().size() == 1);
    CHECK(l.is_array());
    CHECK(l.items().empty());
}

TEST_CASE("a node can be assigned one of its own children", "[node]") {
    Node n = Node::object({{"inner", Node::object({{"k", Node::string("a string longer than the small-string buffer")}})}});
    n = std::move(*n.find("inner"));
    CHECK(n.to_json() == "{\"k\":\"a string longer than the small-string buffer\"}");
    Node l = Node::array({Node::array({Node::number(3)})});
    l = l.items()[0];  // by copy
    CHECK(l.to_json() == "[3]");
}

TEST_CASE("a scalar's value of another kind reads as empty: its children cannot be changed", "[node]") {
    Node n = Node::number(5);
    CHECK(n.as_string().empty());
    CHECK_FALSE(n.as_bool());
    CHECK(std::as_const(n).items().empty());
    CHECK(Node::string("x").as_number() == 0);
    CHECK_THROWS_AS(n.items(), std::logic_error);
    CHECK_THROWS_WITH(Node::null().members(), "a null node has no members");
}

TEST_CASE("a list has items only and an object members only: the other reads as empty and cannot be changed", "[node]") {
    Node list = Node::array({Node::number(1)});
    Node object = Node::object({{"a", Node::number(2)}});
    CHECK(std::as_const(list).members().empty());
    CHECK(std::as_const(object).items().empty());
    CHECK_THROWS_WITH(list.members(), "an array node has no members");
    CHECK_THROWS_WITH(object.items(), "an object node has no items");
    // Neither is changed by the attempt.
    CHECK(list.to_json() == "[1]");
    CHECK(object.to_json() == "{\"a\":2}");
}

TEST_CASE("a list or object moved from keeps its kind and is empty, and a copy owns its children", "[node]") {
    Node object = Node::object({{"DesktopId", Node::string("ecd-0123456789abcdefghij")}, {"Disks", Node::array({Node::number(80)})}});
    Node copy = object;
    copy.set("DesktopId", Node::string("ecd-other"));
    copy.find("Disks")->items().push_back(Node::number(40));
    CHECK(object.to_json() == "{\"DesktopId\":\"ecd-0123456789abcdefghij\",\"Disks\":[80]}");
    CHECK(copy.to_json() == "{\"DesktopId\":\"ecd-other\",\"Disks\":[80,40]}");
    Node moved = std::move(object);
    CHECK(object.is_object());  // NOLINT(bugprone-use-after-move): the documented state
    CHECK(object.members().empty());
    CHECK(moved.members().size() == 2);
    Node list = Node::array({Node::number(1)});
    Node list2 = std::move(list);
    CHECK(list.is_array());  // NOLINT(bugprone-use-after-move)
    CHECK(list.items().empty());
    CHECK(list2.to_json() == "[1]");
}

TEST_CASE("member names are interned: equal names are one string, compared and ordered by their text", "[node]") {
    const std::string long_name = "SystemDiskPerformanceLevel";  // longer than a string keeps in place
    const opguard::Key a{long_name}, b{std::string_view(long_name)}, c{"ConnectionStatus"};
    CHECK(&a.str() == &b.str());
    CHECK(a == b);
    CHECK_FALSE(a == c);
    CHECK(a == std::string_view("SystemDiskPerformanceLevel"));
    CHECK(c < a);  // "C" before "S"
    CHECK(opguard::Key().empty());
    CHECK(&opguard::Key().str() == &opguard::Key("").str());
    // An object's member found by a name made elsewhere; set() replaces it in place.
    Node n = Node::object({{long_name, Node::number(1)}});
    n.set(opguard::Key(std::string("System") + "DiskPerformanceLevel"), Node::number(2));
    REQUIRE(n.members().size() == 1);
    CHECK(n.find(long_name)->as_number() == 2);
}

TEST_CASE("strip_origins clears the origin of a value and of everything inside it", "[node]") {
    Node n = Node::object({{"a", Node::array({Node::string("x", Origin{0, 5})}, Origin{0, 4})}}, Origin{0, 1});
    opguard::strip_origins(n);
    CHECK_FALSE(n.origin.known());
    CHECK_FALSE(n.find("a")->origin.known());
    CHECK_FALSE(n.find("a")->items()[0].origin.known());
    CHECK(n.to_json() == "{\"a\":[\"x\"]}");
}
