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
    CHECK_THROWS_WITH(Node::null().members(), "a null node has no items or members");
}

TEST_CASE("strip_origins clears the origin of a value and of everything inside it", "[node]") {
    Node n = Node::object({{"a", Node::array({Node::string("x", Origin{0, 5})}, Origin{0, 4})}}, Origin{0, 1});
    opguard::strip_origins(n);
    CHECK_FALSE(n.origin.known());
    CHECK_FALSE(n.find("a")->origin.known());
    CHECK_FALSE(n.find("a")->items()[0].origin.known());
    CHECK(n.to_json() == "{\"a\":[\"x\"]}");
}
