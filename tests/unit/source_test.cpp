// Input files in memory: large regular files are mapped (with zero padding after the end
// for the JSON reader), small files and pipes are read; bytes can be copied out again after
// a mapping's pages were handed back.
#include <catch2/catch.hpp>

#include <cstring>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

TEST_CASE("a large file is mapped, padded with zeros, and its bytes can be copied out", "[source]") {
    TempDir dir;
    std::string text;
    for (int i = 0; text.size() < (size_t(3) << 20) + 5; ++i) text += "{\"n\": " + std::to_string(i) + "},\n";
    const std::string path = dir.write("big.json", text);
    FileText t = map_or_read_file(path, size_t(1) << 30);
    REQUIRE(t.mapped());
    REQUIRE(t.view().size() == text.size());
    CHECK(t.view() == text);
    CHECK(t.padding() >= FileText::kPadding);
    for (size_t i = 0; i < FileText::kPadding; ++i) CHECK(t.view().data()[text.size() + i] == 0);
    char out[16] = {};
    REQUIRE(t.copy_out(text.size() - 16, 16, out));
    CHECK(std::string(out, 16) == text.substr(text.size() - 16));
    CHECK_FALSE(t.copy_out(text.size() - 4, 16, out));  // past the end
    // Handing the pages back keeps the text readable (the page cache still holds it).
    t.drop_resident_pages();
    CHECK(t.view().substr(1000, 40) == std::string_view(text).substr(1000, 40));
    REQUIRE(t.copy_out(123457, 10, out));
    CHECK(std::string(out, 10) == text.substr(123457, 10));
}

TEST_CASE("a small file is read into a string, with the same copy_out", "[source]") {
    TempDir dir;
    const std::string path = dir.write("small.json", "{\"a\": 1}");
    FileText t = map_or_read_file(path, 1024);
    CHECK_FALSE(t.mapped());
    CHECK(t.view() == "{\"a\": 1}");
    char out[3] = {};
    REQUIRE(t.copy_out(1, 3, out));
    CHECK(std::string(out, 3) == "\"a\"");
    // The size limit and a missing file are the reader's errors, as for read_file_bytes.
    auto e = input_error([&] { map_or_read_file(dir.file("none.json"), 1024); });
    REQUIRE(e);
    CHECK(e->id == "input.unreadable");
    auto big = input_error([&] { map_or_read_file(path, 4); });
    REQUIRE(big);
    CHECK(big->id == "input.too-large");
}
