// stable_sort_moved_once (engine/report.hpp): the order of std::stable_sort, each element
// moved at most once, nothing moved when the input is in order.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/report.hpp"

namespace {

struct Counted {
    int key = 0;
    std::string tag;
    int* moves = nullptr;
    Counted(int k, std::string t, int* m) : key(k), tag(std::move(t)), moves(m) {}
    Counted(Counted&& o) noexcept : key(o.key), tag(std::move(o.tag)), moves(o.moves) { ++*moves; }
    Counted& operator=(Counted&& o) noexcept {
        key = o.key;
        tag = std::move(o.tag);
        moves = o.moves;
        ++*moves;
        return *this;
    }
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;
};

std::string tags(const std::vector<Counted>& v) {
    std::string out;
    for (const auto& c : v) out += c.tag;
    return out;
}

bool by_key(const Counted& a, const Counted& b) { return a.key < b.key; }

}  // namespace

TEST_CASE("findings sort stably with each one moved once, and not at all when in order", "[report]") {
    int moves = 0;
    std::vector<Counted> v;
    v.reserve(8);
    // Equal keys keep their order: b before d, a before e before g.
    for (auto [k, t] : std::vector<std::pair<int, const char*>>{{3, "a"}, {1, "b"}, {2, "c"}, {1, "d"}, {3, "e"}, {0, "f"}, {3, "g"}})
        v.emplace_back(k, t, &moves);
    moves = 0;
    opguard::stable_sort_moved_once(v, by_key);
    CHECK(tags(v) == "fbdcaeg");
    CHECK(moves == 7);  // once each into the sorted vector; the vector itself is moved, not its elements

    moves = 0;
    opguard::stable_sort_moved_once(v, by_key);
    CHECK(tags(v) == "fbdcaeg");
    CHECK(moves == 0);

    std::vector<Counted> empty;
    opguard::stable_sort_moved_once(empty, by_key);
    CHECK(empty.empty());
}

TEST_CASE("findings with an order of several keys come out as std::stable_sort puts them", "[report]") {
    int moves = 0;
    std::vector<Counted> mine, reference;
    unsigned seed = 12345;
    for (int i = 0; i < 500; ++i) {
        seed = seed * 1103515245u + 12345u;
        const int key = static_cast<int>((seed >> 16) % 17);
        mine.emplace_back(key, std::to_string(i) + ",", &moves);
        reference.emplace_back(key, std::to_string(i) + ",", &moves);
    }
    opguard::stable_sort_moved_once(mine, by_key);
    std::stable_sort(reference.begin(), reference.end(), by_key);
    CHECK(tags(mine) == tags(reference));
}
