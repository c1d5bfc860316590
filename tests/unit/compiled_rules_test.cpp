// The built-in rules compiled at build time (dsl/rule_set_io.hpp): the form in the binary is
// what parsing and compiling rules/ gives now, it reads back to the same rule set with the
// same origins, a stale or damaged form is refused, and --rules still compiles with the
// built-in texts.
#include "dsl/builtin_rules.hpp"
#include "dsl/compiler.hpp"
#include "dsl/parser.hpp"
#include "dsl/rule_set_io.hpp"
#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// The built-in rules parsed and compiled from their texts, as before the compiled form.
RuleSet parse_builtin(SourceRegistry& sources, uint32_t& first) {
    std::vector<ParsedRuleFile> files;
    first = static_cast<uint32_t>(sources.size());
    for (const auto& f : builtin_rule_files()) {
        uint32_t id = sources.add_static(f.name, f.text);
        files.push_back({id, parse_rule_file(sources, id), false});
    }
    return compile_rules(sources, files);
}

// SourceRegistry ids first, first + 1, ... for `count` files.
std::vector<uint32_t> ids_from(uint32_t first, size_t count) {
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < count; ++i) ids.push_back(first + i);
    return ids;
}

const Rule& rule(const RuleSet& rs, const std::string& id) {
    const Rule* r = rs.rule(id);
    REQUIRE(r != nullptr);
    return *r;
}

}  // namespace

TEST_CASE("the binary's compiled built-in rules are rules/ compiled now", "[compiled_rules]") {
    REQUIRE(&compiled_builtin_rules != nullptr);
    SourceRegistry sources;
    uint32_t first = 0;
    RuleSet parsed = parse_builtin(sources, first);
    const auto count = static_cast<uint32_t>(builtin_rule_files().size());
    CHECK(serialize_rule_set(parsed, builtin_rules_hash(), first, count) == compiled_builtin_rules());
}

TEST_CASE("load_rules with only the built-in rules reads the compiled form: same rules, same origins", "[compiled_rules]") {
    SourceRegistry a, b;
    uint32_t first = 0;
    RuleSet parsed = parse_builtin(a, first);
    RuleSet loaded = load_rules(b, RuleSources{true, {}});
    const auto count = static_cast<uint32_t>(builtin_rule_files().size());
    REQUIRE(b.size() == count);  // the texts are registered, in the same order
    CHECK(serialize_rule_set(loaded, builtin_rules_hash(), 0, count) == serialize_rule_set(parsed, builtin_rules_hash(), first, count));
    REQUIRE(loaded.rules.size() == parsed.rules.size());
    REQUIRE(loaded.effects.size() == parsed.effects.size());
    // Listings (what `opguard inventory` prints) come back too.
    REQUIRE(loaded.listings.size() == parsed.listings.size());
    REQUIRE_FALSE(loaded.listings.empty());
    const Listing* desktops = loaded.listing_of("desktop");
    REQUIRE(desktops != nullptr);
    CHECK(desktops->command == std::vector<std::string>{"aliyun", "ecd", "DescribeDesktops"});
    CHECK(desktops->max_ids == parsed.listing_of("desktop")->max_ids);
    CHECK(desktops->pager == parsed.listing_of("desktop")->pager);
    CHECK(desktops->region != nullptr);

    // A rule's place and its message template, read back.
    const Rule& r = rule(loaded, "ecd.rebuild.desktop-status");
    CHECK(r.severity == Severity::Error);
    CHECK(r.refuses == Refusal::Target);
    CHECK(r.code == "IncorrectDesktopStatus");
    REQUIRE(r.origin.known());
    CHECK(b.file(r.origin.file).path() == "builtin/ecd_rebuild_desktops.rules");
    const std::string text = slurp(source_path("rules/ecd_rebuild_desktops.rules"));
    Position want = position_of(text, "ecd.rebuild.desktop-status {");  // a rule's origin is its name
    Position got = b.file(r.origin.file).position(r.origin.offset);
    CHECK(got.line == want.line);
    CHECK(got.column == want.column);
    CHECK(r.message.source_text == rule(parsed, "ecd.rebuild.desktop-status").message.source_text);
    REQUIRE(r.when);
    CHECK(r.when->origin.file == r.origin.file);
    CHECK(r.when->origin.offset == rule(parsed, "ecd.rebuild.desktop-status").when->origin.offset);
    // A set and its bases.
    auto mainland = loaded.sets.find("mainland_regions");
    REQUIRE(mainland != loaded.sets.end());
    CHECK(mainland->second.basis.at("cn-hangzhou") == Basis::Documented);
    CHECK(mainland->second.basis.at("cn-fuzhou") == Basis::Inferred);
}

TEST_CASE("a compiled form from other texts, damaged or cut short is not used", "[compiled_rules]") {
    const std::string_view blob = compiled_builtin_rules();
    const auto count = builtin_rule_files().size();
    const std::vector<uint32_t> ids = ids_from(0, count);
    RuleSet out;
    REQUIRE(deserialize_rule_set(blob, builtin_rules_hash(), ids, out));
    CHECK(serialize_rule_set(out, builtin_rules_hash(), 0, static_cast<uint32_t>(count)) == blob);  // reads back exactly

    RuleSet untouched;
    CHECK_FALSE(deserialize_rule_set(blob, builtin_rules_hash() + 1, ids, untouched));  // other texts
    std::vector<uint32_t> fewer(ids.begin(), ids.end() - 1);
    CHECK_FALSE(deserialize_rule_set(blob, builtin_rules_hash(), fewer, untouched));  // other files
    CHECK_FALSE(deserialize_rule_set(blob.substr(0, blob.size() - 1), builtin_rules_hash(), ids, untouched));
    CHECK_FALSE(deserialize_rule_set(blob.substr(0, blob.size() / 2), builtin_rules_hash(), ids, untouched));
    std::string extra(blob);
    extra.push_back('\0');
    CHECK_FALSE(deserialize_rule_set(extra, builtin_rules_hash(), ids, untouched));
    std::string magic(blob);
    magic[0] = 'X';
    CHECK_FALSE(deserialize_rule_set(magic, builtin_rules_hash(), ids, untouched));
    CHECK(untouched.rules.empty());

    // The hash changes with any byte of the texts.
    CHECK(builtin_rules_hash() == builtin_rules_hash());
}

TEST_CASE("a --rules folder is compiled together with the built-in texts", "[compiled_rules]") {
    TempDir dir;
    dir.write("extra/mine.rules", R"(rule mine.rebuild.named {
  title = "A rebuild names its image";
  severity = warning;
  operations = ["ecd.RebuildDesktops"];
  when = missing(call.ImageId);
  message = "no image";
  source = "team policy";
  basis = inferred;
}
)");
    SourceRegistry sources;
    RuleSet rs = load_rules(sources, RuleSources{true, {dir.file("extra")}});
    SourceRegistry plain;
    RuleSet builtin = load_rules(plain, RuleSources{true, {}});
    CHECK(rs.rules.size() == builtin.rules.size() + 1);
    const Rule& mine = rule(rs, "mine.rebuild.named");
    CHECK(sources.file(mine.origin.file).path() == dir.file("extra/mine.rules"));
    CHECK(sources.file(mine.origin.file).position(mine.origin.offset).line == 1);
    CHECK(rule(rs, "ecd.rebuild.desktop-status").code == "IncorrectDesktopStatus");
    // An unknown operation in the user's file is still caught by compiling everything.
    dir.write("bad/bad.rules", R"(rule bad.one {
  title = "x";
  severity = warning;
  operations = ["ecd.NoSuchCall"];
  when = true;
  message = "x";
  source = "x";
  basis = inferred;
}
)");
    SourceRegistry s2;
    CHECK_THROWS_AS(load_rules(s2, RuleSources{true, {dir.file("bad")}}), InputError);
}

namespace {

const Effect& effect(const RuleSet& rs, const std::string& id) {
    for (const auto& e : rs.effects)
        if (e.id == id) return e;
    FAIL("no effect " << id);
    throw std::logic_error("unreachable");
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

constexpr const char* kRebuildPlan = R"({"calls": [{"id": "c1", "product": "ecd", "version": "2020-09-30",
  "action": "RebuildDesktops", "parameters": {"RegionId": "cn-hangzhou", "DesktopId": ["ecd-1"], "ImageId": "m-1"}}]})";

}  // namespace

TEST_CASE("a check decodes the expressions of only the rules and effects its plan reaches", "[compiled_rules]") {
    TempDir dir;
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}, /*defer_bodies=*/true});
    // Left encoded: every rule and effect, with no expression until decoded.
    for (const auto& r : rules.rules) {
        INFO(r.id);
        CHECK_FALSE(r.encoded.empty());
        CHECK(r.when == nullptr);
        CHECK(r.message.empty());
    }
    for (const auto& e : rules.effects) CHECK_FALSE(e.encoded.empty());
    // Still the same compiled form, byte for byte, encoded or decoded.
    const auto count = static_cast<uint32_t>(builtin_rule_files().size());
    CHECK(serialize_rule_set(rules, builtin_rules_hash(), 0, count) == compiled_builtin_rules());

    Plan plan = load_plan(sources, dir.write("plan.json", kRebuildPlan), rules);
    REQUIRE(plan.calls.size() == 1);
    decode_rule_bodies(rules, plan);

    size_t decoded = 0, left = 0;
    for (const auto& r : rules.rules) {
        INFO(r.id);
        const bool reached = r.operations.empty() || has(r.operations, "*") || has(r.operations, "ecd.RebuildDesktops");
        CHECK(r.encoded.empty() == reached);
        if (reached) CHECK_FALSE(r.message.empty());  // every rule has a message
        (reached ? decoded : left) += 1;
    }
    CHECK(decoded > 0);
    CHECK(left > 0);
    // Named ones: the operation's own rule, a rule of every call, a policy without operations,
    // another operation's rule.
    CHECK(rule(rules, "ecd.rebuild.desktop-status").encoded.empty());
    REQUIRE(rule(rules, "ecd.rebuild.desktop-status").when != nullptr);
    CHECK(rule(rules, "plan.dry-run-line").encoded.empty());
    CHECK(rule(rules, "sequence.deleted-earlier").operations.empty());
    CHECK(rule(rules, "sequence.deleted-earlier").encoded.empty());
    CHECK_FALSE(rule(rules, "ecs.redeploy.status").encoded.empty());
    CHECK(rule(rules, "ecs.redeploy.status").when == nullptr);
    for (const auto& e : rules.effects) {
        INFO(e.id);
        CHECK(e.encoded.empty() == has(e.operations, "ecd.RebuildDesktops"));
    }

    // Decoded, the rules are those parsed from the texts: the whole set written again is the same.
    SourceRegistry other;
    uint32_t first = 0;
    RuleSet parsed = parse_builtin(other, first);
    const Rule& from_text = rule(parsed, "ecd.rebuild.desktop-status");
    const Rule& from_form = rule(rules, "ecd.rebuild.desktop-status");
    CHECK(from_form.message.source_text == from_text.message.source_text);
    CHECK(from_form.lets.size() == from_text.lets.size());
    CHECK(from_form.when->origin.offset == from_text.when->origin.offset);
    CHECK(from_form.when->origin.file == from_form.origin.file);  // the registered built-in file
    CHECK(serialize_rule_set(rules, builtin_rules_hash(), 0, count) == compiled_builtin_rules());
}

TEST_CASE("the simulation refuses a rule whose compiled expressions were not decoded", "[compiled_rules]") {
    TempDir dir;
    SourceRegistry sources;
    RuleSet rules = load_rules(sources, RuleSources{true, {}, /*defer_bodies=*/true});
    Plan plan = load_plan(sources, dir.write("plan.json", kRebuildPlan), rules);
    Inventory inv = load_inventory(sources, {source_path("samples/fleet")}, rules);
    // Without decode_rule_bodies every rule would read as one without conditions.
    CHECK_THROWS_WITH(simulate(sources, plan, inv, rules), Catch::Contains("with its compiled expressions not decoded"));
    decode_rule_bodies(rules, plan);
    Report report = simulate(sources, plan, inv, rules);
    CHECK(report.calls.size() == 1);
    CHECK_FALSE(report.findings.empty());
}

TEST_CASE("an expression left encoded that does not decode is opguard's own defect, not a silent rule", "[compiled_rules]") {
    const std::string_view blob = compiled_builtin_rules();
    const auto count = builtin_rule_files().size();
    const std::vector<uint32_t> ids = ids_from(0, count);
    RuleSet deferred;
    REQUIRE(deserialize_rule_set(blob, builtin_rules_hash(), ids, deferred, /*defer_bodies=*/true));
    const Rule& first = deferred.rules.front();
    REQUIRE_FALSE(first.encoded.empty());
    // One byte short: the last value runs past the end. One byte more: it ends too early.
    Rule short_one = first;
    short_one.encoded.bytes.remove_suffix(1);
    CHECK_THROWS_AS(decode_body(short_one), std::logic_error);
    CHECK_FALSE(short_one.encoded.empty());  // still encoded: never run as a rule without conditions
    const std::string longer = std::string(first.encoded.bytes) + '\0';
    Rule long_one = first;
    long_one.encoded.bytes = longer;
    CHECK_THROWS_WITH(decode_body(long_one), Catch::Contains(first.id));
    Effect effect_short = deferred.effects.front();
    effect_short.encoded.bytes.remove_suffix(1);
    CHECK_THROWS_AS(decode_body(effect_short), std::logic_error);
    // Whole, it decodes; a second call changes nothing.
    Rule whole = first;
    decode_body(whole);
    CHECK(whole.encoded.empty());
    CHECK_FALSE(whole.message.empty());
    decode_body(whole);
    CHECK_FALSE(whole.message.empty());
    // File ids that do not run on (n, n+1, ...) are decoded at once, not deferred.
    std::vector<uint32_t> scattered;
    for (uint32_t i = 0; i < count; ++i) scattered.push_back(2 * i);
    RuleSet at_once;
    REQUIRE(deserialize_rule_set(blob, builtin_rules_hash(), scattered, at_once, /*defer_bodies=*/true));
    CHECK(at_once.rules.front().encoded.empty());
    REQUIRE(at_once.rules.front().when != nullptr);
    CHECK(at_once.rules.front().when->origin.file % 2 == 0);
}
