// JsonWriter (the layout every JSON-based report is written in) and the low-level pieces it
// writes with: write_json_chars (string escapes) and write_number. nlohmann::json, which
// opguard uses elsewhere for its own formats, is the independent oracle of the layout and the
// escapes: `dump(2)` writes the same two-space layout, `"key": value`, [] and {}.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/node.hpp"
#include "report/json_writer.hpp"

using opguard::JsonWriter;
using opguard::Node;

namespace {

// Strings of every length up to 40 around the 8-byte words the escaper tests at once, with
// a character that needs an escape at each position, and UTF-8 text.
std::vector<std::string> awkward_strings() {
    std::vector<std::string> out = {"", "\"", "\\", "\n\r\t\b\f", std::string("\x01\x1f\x7f", 3), "é ü 中文 😀",
                                    std::string(1, '\0')};
    const std::string specials = std::string("\"\\\n\x01\x1f", 5);
    for (size_t len = 1; len <= 40; ++len) {
        out.push_back(std::string(len, 'a'));
        for (size_t at = 0; at < len; ++at)
            for (char c : specials) {
                std::string s(len, 'b');
                s[at] = c;
                out.push_back(s);
            }
    }
    return out;
}

// The same value as a Node and as nlohmann::json (integers only: the two write fractions
// differently, which write_number's own test covers).
struct Both {
    Node node;
    nlohmann::json json;
};

Both tree(const std::vector<std::string>& strings) {
    Both b{Node::object(), nlohmann::json::object()};
    std::vector<Node> list;
    nlohmann::json jlist = nlohmann::json::array();
    for (size_t i = 0; i < strings.size(); ++i) {
        list.push_back(Node::object({{"s", Node::string(strings[i])}, {"i", Node::number(double(i))}}));
        jlist.push_back({{"s", strings[i]}, {"i", i}});
    }
    b.node.set("items", Node::array(std::move(list)));
    b.json["items"] = jlist;
    b.node.set("empty_list", Node::array());
    b.json["empty_list"] = nlohmann::json::array();
    b.node.set("empty_object", Node::object());
    b.json["empty_object"] = nlohmann::json::object();
    b.node.set("flags", Node::array({Node::boolean(true), Node::boolean(false), Node::null(), Node::number(-7)}));
    b.json["flags"] = {true, false, nullptr, -7};
    b.node.set("key \"quoted\"\n", Node::object({{"nested", Node::array({Node::array({Node::object()})})}}));
    b.json["key \"quoted\"\n"] = {{"nested", nlohmann::json::array({nlohmann::json::array({nlohmann::json::object()})})}};
    return b;
}

// nlohmann::json keeps an object's keys sorted; the Node keeps them in order written. Give
// the Node the same order before comparing.
void sort_members(Node& n) {
    if (n.is_array()) for (auto& i : n.items()) sort_members(i);
    if (n.is_object()) {
        auto& m = n.members();
        std::sort(m.begin(), m.end(), [](const Node::Member& a, const Node::Member& b) { return a.first.str() < b.first.str(); });
        for (auto& x : m) sort_members(x.second);
    }
}

std::string written(const Node& n, size_t buffer = JsonWriter::kDefaultBuffer) {
    std::string out;
    JsonWriter(out, nullptr, buffer).value(n);
    return out;
}

}  // namespace

TEST_CASE("JsonWriter writes the layout and the escapes nlohmann::json writes", "[report][json-writer]") {
    Both b = tree(awkward_strings());
    sort_members(b.node);
    const std::string ours = written(b.node);
    CHECK(ours == b.json.dump(2));
    CHECK(ours.size() > JsonWriter::kDefaultBuffer);  // more than the writer's buffer: moved to `out` on the way
    // With the smallest buffer, most keys and strings are written past it.
    CHECK(written(b.node, JsonWriter::kMinBuffer) == ours);
    // Each string reads back as written.
    const nlohmann::json back = nlohmann::json::parse(ours);
    const auto strings = awkward_strings();
    REQUIRE(back["items"].size() == strings.size());
    for (size_t i = 0; i < strings.size(); ++i) CHECK(back["items"][i]["s"].get<std::string>() == strings[i]);
}

TEST_CASE("JsonWriter: a string or key larger than its buffer is written whole, in place", "[report][json-writer]") {
    std::string big;
    for (int i = 0; i < 40000; ++i) big += "line \"" + std::to_string(i) + "\"\n\x02";  // about 500 KB, escapes throughout
    Node n = Node::object({{"a", Node::string("before")}, {big, Node::string(big)}, {"z", Node::array({Node::string(big), Node::number(1)})}});
    nlohmann::json j;
    j["a"] = "before";
    j[big] = big;
    j["z"] = {big, 1};
    sort_members(n);
    CHECK(written(n) == j.dump(2));
    CHECK(written(n, JsonWriter::kMinBuffer) == j.dump(2));
}

TEST_CASE("JsonWriter: an indent deeper than its buffer", "[report][json-writer]") {
    // 300 nested lists in a writer with the smallest buffer: from depth 64 on, a line's indent
    // does not fit in it (the default buffer is reached at depth 32,768).
    constexpr int kDepth = 300;
    std::string out;
    {
        JsonWriter w(out, nullptr, JsonWriter::kMinBuffer);
        for (int i = 0; i < kDepth; ++i) w.begin_array();
        w.string("deep");
        for (int i = 0; i < kDepth; ++i) w.end_array();
        w.raw("\n");
    }
    std::string expected;
    for (int i = 0; i < kDepth; ++i) {
        expected += '[';
        expected += '\n';
        expected.append(size_t(2) * (i + 1), ' ');
    }
    expected += "\"deep\"";
    for (int i = kDepth - 1; i >= 0; --i) {
        expected += '\n';
        expected.append(size_t(2) * i, ' ');
        expected += ']';
    }
    expected += '\n';
    CHECK(out.size() == expected.size());
    CHECK(out == expected);
}

TEST_CASE("JsonWriter with a sink hands over pieces that join to the same text", "[report][json-writer]") {
    Both b = tree(awkward_strings());
    Node list = Node::array();
    for (int i = 0; i < 12; ++i) list.items().push_back(b.node);  // a few MB
    const std::string whole = written(list) + "\n";

    std::vector<size_t> sizes;
    std::string joined;
    const JsonWriter::Sink sink = [&](std::string_view piece) {
        sizes.push_back(piece.size());
        joined.append(piece);
    };
    std::string buffer;
    {
        JsonWriter w(buffer, &sink);
        w.value(list).raw("\n");
        w.flush();
    }
    CHECK(buffer.empty());
    CHECK(joined == whole);
    REQUIRE(sizes.size() > 2);
    // Every piece but the last is handed over once it reaches kChunk (plus at most one
    // container's closing text): the report is never held whole.
    for (size_t i = 0; i + 1 < sizes.size(); ++i) {
        CHECK(sizes[i] >= JsonWriter::kChunk);
        CHECK(sizes[i] < JsonWriter::kChunk + JsonWriter::kDefaultBuffer + 4096);
    }
}

TEST_CASE("write_number formats as %lld for integers below 1e15 and %.17g otherwise", "[report][json-writer]") {
    auto oracle = [](double d) {
        char buf[64];
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15)
            std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d));
        else if (!std::isfinite(d))
            std::snprintf(buf, sizeof buf, "null");
        else
            std::snprintf(buf, sizeof buf, "%.17g", d);
        return std::string(buf);
    };
    std::vector<double> values = {0.0, -0.0, 1, -1, 0.1, 0.5, 1.5, 2.0 / 3, 1e15 - 1, 1e15, -1e15, 1e15 + 2, 1e16, 1e21,
                                  1e22, 123456789.125, 1e-7, 5e-324, DBL_MIN, DBL_MAX, -DBL_MAX, INFINITY, -INFINITY, NAN,
                                  9007199254740993.0, 4.35, 100, 1024.0 * 1024 * 1024 * 1024};
    std::mt19937_64 rng(20261207);
    for (int i = 0; i < 200000; ++i) {
        const uint64_t bits = rng();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        values.push_back(d);
        values.push_back(double(int64_t(rng() % 2000000000000000ull) - 1000000000000000ll));  // integers around 1e15
        values.push_back(double(rng() % 100000) / 100);                                       // sizes in GiB
    }
    size_t mismatches = 0;
    std::string first_mismatch;
    for (double d : values) {
        const std::string ours = opguard::format_number(d);
        if (ours != oracle(d) && mismatches++ == 0) first_mismatch = oracle(d) + " written as " + ours;
    }
    CHECK(first_mismatch == "");
    CHECK(mismatches == 0);
    std::string out;
    JsonWriter(out).value(Node::array({Node::number(3), Node::number(0.25), Node::number(NAN)}));
    CHECK(out == "[\n  3,\n  0.25,\n  null\n]");
}
