// Every report parses with a strict parser of its format whatever the input bytes, and no
// input text can act on whatever shows it (SECURITY.md "Valid output" and "Messages"):
// invalid UTF-8 becomes U+FFFD with an input.invalid-utf8 finding at the first bad byte;
// JUnit XML never holds a character XML forbids; file names and values cannot start a
// GitHub workflow command, a terminal sequence or a Markdown mention; error messages on
// standard error are one displayable line; evaluation errors a call causes are located at
// that call in the plan; devices are refused as inputs before they are read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "core/text_safety.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

const std::string kInv = " -i " + shell_quote(source_path("samples/fleet"));

// A script whose desktop id holds invalid UTF-8, C0 and C1 controls, ESC, a CR followed by
// a workflow command, U+FFFF, a surrogate written in UTF-8, a mention, an issue reference
// and an HTML comment; its file name holds a newline and a workflow command.
const std::string kEvilName = "evil\n::error::forged.sh";
const std::string kScript =
    "aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 \"ecd-\xff\xfe@octo-org/team #123 <!-- c --> "
    "\x1b[31mred \xc2\x9b" "31m \xef\xbf\xbf \xed\xa0\x80 \x01 \r::warning::forged\" --ImageId m-win2022std --force\n";

bool lines_start_safely(const std::string& out, bool github) {
    size_t start = 0;
    while (start < out.size()) {
        size_t nl = out.find('\n', start);
        if (nl == std::string::npos) nl = out.size();
        const std::string line = out.substr(start, nl - start);
        size_t i = line.find_first_not_of(" \t");
        const bool command = i != std::string::npos && line.compare(i, 2, "::") == 0;
        if (github) {
            if (!(line.rfind("::error file=", 0) == 0 || line.rfind("::warning file=", 0) == 0 ||
                  line.rfind("::notice file=", 0) == 0 || line.rfind("opguard: ", 0) == 0))
                return false;
        } else if (command) {
            return false;
        }
        start = nl + 1;
    }
    return true;
}

// XML 1.0 Char production, on valid UTF-8.
bool xml_chars_ok(const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
        if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
            (static_cast<unsigned char>(s[i + 2]) == 0xBE || static_cast<unsigned char>(s[i + 2]) == 0xBF))
            return false;
        if (c == 0xED && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0xA0) return false;  // surrogates
    }
    return true;
}

}  // namespace

// Decodes a code point and checks its range (RFC 3629), a different method from the
// validator's table of allowed second bytes: where they disagree, one of them is wrong.
static size_t reference_first_invalid(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return i;
        uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b >> 6) != 2) return i;
            cp = (cp << 6) | (b & 0x3F);
        }
        const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

TEST_CASE("text_safety: first_invalid_utf8 agrees with decoding, in short texts and past a long valid prefix",
          "[report][security]") {
    // A prefix of 68 bytes with two- and three-byte characters puts the bytes under test past
    // the first 64-byte block of the vectorised check, and starts them at an odd offset.
    const std::string prefix = std::string(61, 'a') + "\xc3\xa9\xe2\x82\xac" + "bb";
    REQUIRE(first_invalid_utf8(prefix) == std::string_view::npos);
    size_t compared = 0, invalid = 0;
    auto compare = [&](const std::string& bytes) {
        for (const std::string& s : {bytes, prefix + bytes, prefix + bytes + "tail"}) {
            const size_t want = reference_first_invalid(s);
            const size_t got = first_invalid_utf8(s);
            if (got != want) FAIL_CHECK("bytes " << s.size() << " long: found " << got << ", decoding finds " << want);
            ++compared;
            if (want != std::string_view::npos) ++invalid;
        }
    };
    for (int a = 0; a < 256; ++a)
        for (int b = 0; b < 256; ++b) compare(std::string{static_cast<char>(a), static_cast<char>(b)});
    const int edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    for (int a = 0xE0; a <= 0xF7; ++a)
        for (int b = 0; b < 256; ++b)
            for (int c : edges)
                for (int d : edges)
                    compare(std::string{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)});
    CHECK(compared == 3 * (65536 + 24 * 256 * 100));
    CHECK(invalid > compared / 2);  // the grid is mostly invalid texts, with valid ones among them
    CHECK(first_invalid_utf8(prefix + "\xf0\x9f\x98\x80" + "\xff") == prefix.size() + 4);
}

TEST_CASE("text_safety: invalid UTF-8 becomes U+FFFD, also when split between pieces", "[report][security]") {
    CHECK(first_invalid_utf8("plain ascii and \xc3\xa9") == std::string_view::npos);
    CHECK(first_invalid_utf8("ab\xff") == 2);
    CHECK(first_invalid_utf8("a\xed\xa0\x80") == 1);      // a surrogate written in UTF-8
    CHECK(first_invalid_utf8("a\xc0\xaf") == 1);          // overlong
    CHECK(first_invalid_utf8("a\xf4\x90\x80\x80") == 1);  // past U+10FFFF
    CHECK(first_invalid_utf8("a\xe2\x82") == 1);          // cut short
    CHECK(valid_utf8("a\xff" "b") == "a\xef\xbf\xbd" "b");
    CHECK(valid_utf8("\xe2\x82" "x") == "\xef\xbf\xbd" "x");  // one U+FFFD for the maximal subpart
    CHECK(valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    std::string got;
    Utf8Filter f([&](std::string_view p) { got.append(p); });
    f.feed("x\xe2");
    f.feed("\x82");
    f.feed("\xac y \xe2");
    f.finish();
    CHECK(got == "x\xe2\x82\xac y \xef\xbf\xbd");
    CHECK(visible_controls("a\x1b[1m\xc2\x9b\n\t", true) == "a\\u001b[1m\\u009b\n\t");
    CHECK(visible_controls("a\nb\rc", false) == "a\\u000ab\\u000dc");
    // 0xC2 that does not start a C1 control (\u00a9, a lone lead byte at the end) is kept as it is.
    CHECK(visible_controls("\xc2\xa9 x\xc2", false) == "\xc2\xa9 x\xc2");
    CHECK(visible_controls("\x7f\xc2\x80", true) == "\\u007f\\u0080");
    CHECK(visible_controls("", false).empty());
    CHECK(no_workflow_commands("ok\n  ::error::x\n:single") == "ok\n  \\u003a:error::x\n:single");
    CHECK(displayable("::warning::x\ny") == "\\u003a:warning::x\\u000ay");
}

TEST_CASE("every format parses strictly for any input bytes and nothing forges a command, escape or mention", "[report][security]") {
    TempDir dir;
    dir.write(kEvilName, kScript);
    const std::string plan = shell_quote(kEvilName);
    std::map<std::string, std::string> out;
    for (const char* format : {"text", "json", "sarif", "junit", "github", "markdown"}) {
        CliRun r = run_opguard(dir.path().string(), "check " + plan + kInv + " --format " + format);
        INFO(format << ": " << r.err);
        CHECK(r.exit == 1);
        CHECK(r.err.empty());
        CHECK(first_invalid_utf8(r.out) == std::string_view::npos);  // every format is UTF-8
        out[format] = r.out;
    }
    SECTION("json and sarif: strict JSON; the finding input.invalid-utf8 at the first bad byte; U+FFFD in the value") {
        nlohmann::json j = nlohmann::json::parse(out["json"]);  // throws on invalid UTF-8
        bool found = false;
        for (const auto& f : j["findings"]) {
            if (f["rule"] != "input.invalid-utf8") continue;
            found = true;
            CHECK(f["severity"] == "warning");
            CHECK(f["location"]["file"] == kEvilName);
            CHECK(f["location"]["line"] == 1);
            CHECK(f["location"]["column"] == 70);  // the \xff after "ecd-"
        }
        CHECK(found);
        CHECK(out["json"].find("ecd-\xef\xbf\xbd\xef\xbf\xbd@octo-org") != std::string::npos);
        nlohmann::json s = nlohmann::json::parse(out["sarif"]);
        CHECK(s["runs"][0]["results"].size() == 2);
        CHECK(out["sarif"].find("input.invalid-utf8") != std::string::npos);
    }
    SECTION("junit: parses with Python's xml.etree, and holds no character XML forbids") {
        CHECK(xml_chars_ok(out["junit"]));
        dir.write("report.xml", out["junit"]);
        const std::string cmd = "cd " + shell_quote(dir.path().string()) +
                                " && /usr/bin/python3 -c \"import xml.etree.ElementTree as E; E.parse('report.xml')\"";
        CHECK(std::system(cmd.c_str()) == 0);
        CHECK(out["junit"].find("input.invalid-utf8") != std::string::npos);
    }
    SECTION("github: every line is a command opguard wrote or an opguard: line; file names and values escaped") {
        CHECK(lines_start_safely(out["github"], true));
        CHECK(out["github"].find("file=evil%0A%3A%3Aerror%3A%3Aforged.sh,line=1,col=70") != std::string::npos);
        CHECK(out["github"].find("opguard: evil%0A::error::forged.sh: ") != std::string::npos);
        CHECK(out["github"].find('\x1b') == std::string::npos);
        CHECK(out["github"].find('\r') == std::string::npos);
    }
    SECTION("text: no ESC, CR, C1 CSI or workflow command; the file name on one line") {
        const std::string& t = out["text"];
        CHECK(t.find('\x1b') == std::string::npos);
        CHECK(t.find('\r') == std::string::npos);
        CHECK(t.find("\xc2\x9b") == std::string::npos);
        CHECK(lines_start_safely(t, false));
        CHECK(t.rfind("opguard: evil\\n::error::forged.sh (1 call)", 0) == 0);
        CHECK(t.find("warning[input.invalid-utf8] evil\\u000a::error::forged.sh:1:70") != std::string::npos);
    }
    SECTION("markdown: no mention, no issue reference, no HTML outside code spans") {
        const std::string& m = out["markdown"];
        CHECK(m.find('\x1b') == std::string::npos);
        CHECK(lines_start_safely(m, false));
        CHECK(m.find("@\u2060octo-org/team") != std::string::npos);
        CHECK(m.find("\\#\u2060" "123") != std::string::npos);
        CHECK(m.find("\\<!-- c --\\>") != std::string::npos);
        // Outside inline code (an even number of backticks before it on its line), every
        // '@' is followed by the word joiner and '<' is escaped.
        size_t line_start = 0;
        for (size_t i = 0; i < m.size(); ++i) {
            if (m[i] == '\n') { line_start = i + 1; continue; }
            if (m[i] != '@' && m[i] != '<') continue;
            if (m.compare(line_start, 5, "<sub>") == 0) continue;  // opguard's own footer markup
            const auto ticks = std::count(m.begin() + static_cast<std::ptrdiff_t>(line_start), m.begin() + static_cast<std::ptrdiff_t>(i), '`');
            if (ticks % 2) continue;
            INFO("at " << i << ": " << m.substr(line_start, 120));
            if (m[i] == '@') CHECK(m.compare(i + 1, 3, "\u2060") == 0);
            else CHECK((i > 0 && m[i - 1] == '\\'));
        }
    }
}

TEST_CASE("error messages on standard error are one displayable line whatever the file name", "[report][security]") {
    TempDir dir;
    const std::string name = "bad\n::error::x\x1b[2J.json";
    dir.write(name, "{\"calls\": [\x1b]}");
    CliRun r = run_opguard(dir.path().string(), "check " + shell_quote(name) + kInv);
    CHECK(r.exit == 2);
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.rfind("bad\\u000a::error::x\\u001b[2J.json:1:12: error[", 0) == 0);
    // a file name that starts with "::"
    dir.write("::warning::y.json", "{");
    r = run_opguard(dir.path().string(), "check ::warning::y.json" + kInv);
    CHECK(r.exit == 2);
    CHECK(r.err.rfind("\\u003a:warning::y.json:", 0) == 0);
}

TEST_CASE("an evaluation error a call causes is located at the call in the plan, naming the rule", "[messages][security]") {
    TempDir dir;
    // A rule whose work grows with the cube of a list the plan gives: 3,000 desktop ids
    // exhaust any step budget linear in the input. The error is the call's, not the rule file's.
    dir.write("rules/cube.rules",
              "rule test.cube {\n  title = \"t\";\n  severity = info;\n  operations = [\"ecd.RebuildDesktops\"];\n"
              "  when = len(map(call.DesktopId, map(call.DesktopId, map(call.DesktopId, it)))) > 0;\n  message = \"m\";\n"
              "  source = \"s\";\n}\n");
    std::string ids;
    for (int i = 0; i < 3000; ++i) ids += (i ? ", \"ecd-" : "\"ecd-") + std::to_string(i) + "\"";
    dir.write("plan.json", plan_of({rebuild_call("c1", {"\"RegionId\": \"cn-hangzhou\"", "\"DesktopId\": [" + ids + "]",
                                                        "\"ImageId\": \"m-win2022std\""})}));
    CliRun r = run_opguard(dir.path().string(), "--rules rules check plan.json" + kInv);
    INFO(r.err);
    CHECK(r.exit == 2);
    // the call is at line 3, column 5 of plan.json ("    {"); the rule file place follows
    CHECK(r.err.rfind("plan.json:3:5: error[rules.evaluation]: checking call c1 with rule test.cube failed: ", 0) == 0);
    CHECK(r.err.find(" (at rules/cube.rules:5:") != std::string::npos);
}

TEST_CASE("inputs that are not regular files are refused before they are read", "[messages][security]") {
    TempDir dir;
    fs::copy_file(source_path("samples/rebuild-plan.json"), dir.file("plan.json"));
    SECTION("a device as plan, inventory, waivers or rules: input.not-a-file at once") {
        for (const std::string& args : std::vector<std::string>{"check /dev/zero" + kInv, "check plan.json -i /dev/zero", "check plan.json" + kInv + " --waivers /dev/urandom",
                                       "--rules /dev/zero check plan.json" + kInv}) {
            auto t0 = std::chrono::steady_clock::now();
            CliRun r = run_opguard(dir.path().string(), args, "", 60);
            INFO(args << ": " << r.err);
            CHECK(r.exit == 2);
            CHECK(r.err.find("error[input.not-a-file]: expected a regular file or a pipe, found a character device") != std::string::npos);
            CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 10);
        }
    }
    SECTION("a dangling link or a FIFO in an inventory directory is an input error, not a silent skip") {
        fs::create_directory(dir.file("inv"));
        for (const auto& e : fs::directory_iterator(source_path("samples/fleet"))) fs::copy_file(e.path(), dir.path() / "inv" / e.path().filename());
        REQUIRE(::symlink("gone.json", dir.file("inv/zz-dangling.json").c_str()) == 0);
        CliRun r = run_opguard(dir.path().string(), "check plan.json -i inv");
        CHECK(r.exit == 2);
        CHECK(r.err.rfind("inv/zz-dangling.json: error[input.not-a-file]: a dangling symbolic link in inventory directory inv", 0) == 0);
        fs::remove(dir.file("inv/zz-dangling.json"));
        REQUIRE(::mkfifo(dir.file("inv/aa-fifo.json").c_str(), 0644) == 0);
        r = run_opguard(dir.path().string(), "check plan.json -i inv", "", 30);
        CHECK(r.exit == 2);
        CHECK(r.err.rfind("inv/aa-fifo.json: error[input.not-a-file]: not a regular file", 0) == 0);
    }
    SECTION("the too-large message names the limit and no option that does not exist") {
        std::string big(17 * 1024 * 1024, ' ');
        dir.write("w.json", big);
        CliRun r = run_opguard(dir.path().string(), "check plan.json" + kInv + " --waivers w.json");
        CHECK(r.exit == 2);
        CHECK(r.err.rfind("w.json: error[input.too-large]: file is 17825792 bytes; the limit for this input is 16777216 bytes", 0) == 0);
        CHECK(r.err.find("--max-input-bytes") == std::string::npos);
    }
}
