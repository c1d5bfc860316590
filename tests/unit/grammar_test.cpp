// The rule language: parse_rule_file (syntax, origins, precedence, syntax errors, nesting
// limits) and compile_rules (semantic errors), on small rule texts held in memory.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace opguard;
using namespace opguard::test;

namespace {

// An expression as an S-expression, so a tree is one string to compare.
std::string show(const ast::ExprPtr& e) {
    if (!e) return "<null>";
    auto args = [&](size_t from = 0) {
        std::string s;
        for (size_t i = from; i < e->args.size(); ++i) s += " " + show(e->args[i]);
        return s;
    };
    auto bin = [&](const char* op) { return std::string("(") + op + args() + ")"; };
    switch (e->op) {
        case ast::Op::Literal:
            if (e->literal.is_string()) return "\"" + e->literal.as_string() + "\"";
            return e->literal.to_json();
        case ast::Op::Var: return e->name;
        case ast::Op::Member: return "(. " + show(e->args[0]) + " " + e->name + ")";
        case ast::Op::Index: return bin("[]");
        case ast::Op::Call: return "(" + e->name + "()" + args() + ")";
        case ast::Op::List: return "[" + (args().empty() ? std::string() : args().substr(1)) + "]";
        case ast::Op::Object: {
            std::string s = "{";
            for (size_t i = 0; i < e->keys.size(); ++i) s += (i ? " " : "") + e->keys[i] + ":" + show(e->args[i]);
            return s + "}";
        }
        // A run of the same prefix operator is one node that counts it.
        case ast::Op::Not: return e->repeat == 1 ? bin("not") : bin(("not*" + std::to_string(e->repeat)).c_str());
        case ast::Op::Neg: return e->repeat == 1 ? bin("neg") : bin(("neg*" + std::to_string(e->repeat)).c_str());
        case ast::Op::And: return bin("and");
        case ast::Op::Or: return bin("or");
        case ast::Op::Eq: return bin("==");
        case ast::Op::Ne: return bin("!=");
        case ast::Op::Lt: return bin("<");
        case ast::Op::Le: return bin("<=");
        case ast::Op::Gt: return bin(">");
        case ast::Op::Ge: return bin(">=");
        case ast::Op::In: return bin("in");
        case ast::Op::NotIn: return bin("not-in");
        case ast::Op::Add: return bin("+");
        case ast::Op::Sub: return bin("-");
        case ast::Op::Mul: return bin("*");
        case ast::Op::Div: return bin("/");
    }
    return "?";
}

struct Parsed {
    SourceRegistry sources;
    uint32_t file = 0;
    std::vector<ast::Item> items;
    std::string where(Origin o) const { return lc(sources.file(o.file).position(o.offset)); }
};

std::unique_ptr<Parsed> parse(const std::string& text, const RuleParseLimits& limits = {}) {
    auto p = std::make_unique<Parsed>();
    p->file = p->sources.add("test.rules", text);
    p->items = parse_rule_file(p->sources, p->file, limits);
    return p;
}

std::optional<Err> parse_error(const std::string& text, const RuleParseLimits& limits = {}) {
    SourceRegistry sources;
    uint32_t id = sources.add("bad.rules", text);
    return input_error([&] { parse_rule_file(sources, id, limits); });
}

// The value of `x = EXPR;` in a one-item file.
std::string expr_of(const std::string& e) {
    auto p = parse("rule r { x = " + e + "; }");
    REQUIRE(p->items.size() == 1);
    REQUIRE(p->items[0].properties.size() == 1);
    return show(p->items[0].properties[0].value);
}

}  // namespace

// ---- items, properties, origins ---------------------------------------------------------

TEST_CASE("items and properties keep their kind, name and origins", "[grammar]") {
    const std::string text =
        "# a comment line\n"
        "resource thing {\n"
        "  list = \"Things[]\";   # trailing comment\n"
        "  let region = before(OfficeSiteId, \"+\");\n"
        "}\n"
        "\n"
        "  rule a.b-c_d.9 {\n"
        "    for p in call.Items;\n"
        "    when = true;\n"
        "  }\n"
        "effect e1 { set desktop.ImageId = \"m-1\"; }\n"
        "set names { documented = [\"a\", \"b\"]; }\n"
        "operation op.X {}\n";
    auto p = parse(text);
    REQUIRE(p->items.size() == 5);

    const auto& res = p->items[0];
    CHECK(res.kind == "resource");
    CHECK(res.name == "thing");
    CHECK(p->where(res.origin) == "2:1");
    CHECK(p->where(res.name_origin) == "2:10");
    REQUIRE(res.properties.size() == 2);
    CHECK(res.properties[0].form == ast::PropertyForm::Plain);
    CHECK(res.properties[0].key == "list");
    CHECK(p->where(res.properties[0].key_origin) == "3:3");
    CHECK(show(res.properties[0].value) == "\"Things[]\"");
    CHECK(p->where(res.properties[0].value->origin) == "3:10");
    CHECK(res.properties[1].form == ast::PropertyForm::Let);
    CHECK(res.properties[1].key == "region");
    CHECK(p->where(res.properties[1].key_origin) == "4:7");
    CHECK(show(res.properties[1].value) == "(before() OfficeSiteId \"+\")");
    CHECK(p->where(res.properties[1].value->origin) == "4:16");
    CHECK(p->where(res.properties[1].value->args[1]->origin) == "4:37");

    const auto& rule = p->items[1];
    CHECK(rule.kind == "rule");
    CHECK(rule.name == "a.b-c_d.9");
    CHECK(p->where(rule.origin) == "7:3");
    CHECK(p->where(rule.name_origin) == "7:8");
    REQUIRE(rule.properties.size() == 2);
    CHECK(rule.properties[0].form == ast::PropertyForm::For);
    CHECK(rule.properties[0].key == "p");
    CHECK(p->where(rule.properties[0].key_origin) == "8:9");
    CHECK(show(rule.properties[0].value) == "(. call Items)");
    CHECK(p->where(rule.properties[0].value->origin) == "8:14");
    CHECK(rule.properties[1].key == "when");
    CHECK(p->where(rule.properties[1].key_origin) == "9:5");

    const auto& eff = p->items[2];
    CHECK(eff.kind == "effect");
    CHECK(p->where(eff.origin) == "11:1");
    REQUIRE(eff.properties.size() == 1);
    CHECK(eff.properties[0].form == ast::PropertyForm::Set);
    CHECK(eff.properties[0].key == "set");
    CHECK(p->where(eff.properties[0].key_origin) == "11:13");
    CHECK(show(eff.properties[0].target) == "(. desktop ImageId)");
    CHECK(p->where(eff.properties[0].target->origin) == "11:17");
    CHECK(show(eff.properties[0].value) == "\"m-1\"");
    CHECK(p->where(eff.properties[0].value->origin) == "11:35");

    CHECK(p->items[3].kind == "set");
    CHECK(show(p->items[3].properties[0].value) == "[\"a\" \"b\"]");
    CHECK(p->items[4].kind == "operation");
    CHECK(p->items[4].name == "op.X");
    CHECK(p->items[4].properties.empty());
}

TEST_CASE("an empty file and a file of comments have no items", "[grammar]") {
    CHECK(parse("")->items.empty());
    CHECK(parse("  \n# only a comment\n\t\n")->items.empty());
}

TEST_CASE("literals: numbers, strings with escapes, booleans, null, lists and objects", "[grammar]") {
    CHECK(expr_of("42") == "42");
    CHECK(expr_of("1.5") == "1.5");
    CHECK(expr_of("2e3") == "2000");
    CHECK(expr_of("\"a\\\"b\\\\c\\n\"") == "\"a\"b\\c\n\"");
    CHECK(expr_of("true") == "true");
    CHECK(expr_of("false") == "false");
    CHECK(expr_of("null") == "null");
    CHECK(expr_of("[]") == "[]");
    CHECK(expr_of("[1, \"two\", [3]]") == "[1 \"two\" [3]]");
    CHECK(expr_of("{}") == "{}");
    CHECK(expr_of("{Name: \"string!\", \"odd key\": 2}") == "{Name:\"string!\" odd key:2}");
    CHECK(expr_of("f()") == "(f())");
    CHECK(expr_of("lookup(\"desktop\", target, call.RegionId)") == "(lookup() \"desktop\" target (. call RegionId))");
}

TEST_CASE("inferred, infinity and nan are identifiers, not numbers", "[grammar]") {
    CHECK(expr_of("inferred") == "inferred");
    CHECK(expr_of("inf") == "inf");
    CHECK(expr_of("infinity") == "infinity");
    CHECK(expr_of("nan") == "nan");
    CHECK(expr_of("NaN") == "NaN");
    auto p = parse("rule r { basis = inferred; }");
    const auto& v = p->items[0].properties[0].value;
    CHECK(v->op == ast::Op::Var);
    CHECK(v->name == "inferred");
    CHECK(p->where(v->origin) == "1:18");
}

TEST_CASE("keywords are whole words: identifiers may start with one", "[grammar]") {
    CHECK(expr_of("order or android") == "(or order android)");
    CHECK(expr_of("notes and not nothing") == "(and notes (not nothing))");
    CHECK(expr_of("index in inbox") == "(in index inbox)");
    CHECK(expr_of("truest == nullable") == "(== truest nullable)");
    CHECK(expr_of("not in_list") == "(not in_list)");
    // letter/settings/format are plain properties, not let/set/for.
    auto p = parse("rule r { letter = 1; settings = 2; format = 3; }");
    REQUIRE(p->items[0].properties.size() == 3);
    for (const auto& prop : p->items[0].properties) CHECK(prop.form == ast::PropertyForm::Plain);
    CHECK(p->items[0].properties[0].key == "letter");
    CHECK(p->items[0].properties[1].key == "settings");
    CHECK(p->items[0].properties[2].key == "format");
}

// ---- precedence ------------------------------------------------------------------------

TEST_CASE("precedence: or < and < not < comparison < sum < term < unary < postfix", "[grammar]") {
    CHECK(expr_of("a or b and c") == "(or a (and b c))");
    CHECK(expr_of("a and b or c") == "(or (and a b) c)");
    CHECK(expr_of("a or b or c") == "(or (or a b) c)");
    CHECK(expr_of("not a and b") == "(and (not a) b)");
    CHECK(expr_of("not not a") == "(not*2 a)");
    CHECK(expr_of("not a == b") == "(not (== a b))");
    CHECK(expr_of("a == b and c != d") == "(and (== a b) (!= c d))");
    CHECK(expr_of("a + b == c * d") == "(== (+ a b) (* c d))");
    CHECK(expr_of("a + b * c - d / e") == "(- (+ a (* b c)) (/ d e))");
    CHECK(expr_of("a - b - c") == "(- (- a b) c)");
    CHECK(expr_of("a / b / c") == "(/ (/ a b) c)");
    CHECK(expr_of("(a + b) * c") == "(* (+ a b) c)");
    CHECK(expr_of("-a * b") == "(* (neg a) b)");
    CHECK(expr_of("- -a") == "(neg*2 a)");
    CHECK(expr_of("-a.b[0]") == "(neg ([] (. a b) 0))");
    CHECK(expr_of("a.b[0].c") == "(. ([] (. a b) 0) c)");
    CHECK(expr_of("a[\"k\"][i + 1]") == "([] ([] a \"k\") (+ i 1))");
    CHECK(expr_of("f(x).y[2]") == "([] (. (f() x) y) 2)");
    CHECK(expr_of("[1, 2][0]") == "([] [1 2] 0)");
    CHECK(expr_of("a < b") == "(< a b)");
    CHECK(expr_of("a <= b") == "(<= a b)");
    CHECK(expr_of("a > b") == "(> a b)");
    CHECK(expr_of("a >= b") == "(>= a b)");
}

TEST_CASE("in and not in are comparisons: prefix not still applies to the whole comparison", "[grammar]") {
    CHECK(expr_of("a in [1, 2]") == "(in a [1 2])");
    CHECK(expr_of("a not in b") == "(not-in a b)");
    CHECK(expr_of("a   not   in b") == "(not-in a b)");
    CHECK(expr_of("not a in b") == "(not (in a b))");
    CHECK(expr_of("a + 1 in b or c not in d") == "(or (in (+ a 1) b) (not-in c d))");
    CHECK(expr_of("x.region not in mainland_regions and not same_os") ==
          "(and (not-in (. x region) mainland_regions) (not same_os))");
}

TEST_CASE("operators keep the origin of their first operand, prefixes their own", "[grammar]") {
    auto p = parse("rule r {\n  x = alpha.beta + -gamma * (not delta);\n}");
    const auto& e = p->items[0].properties[0].value;
    CHECK(show(e) == "(+ (. alpha beta) (* (neg gamma) (not delta)))");
    CHECK(p->where(e->origin) == "2:7");                     // '+' starts at its left operand
    CHECK(p->where(e->args[0]->origin) == "2:7");            // alpha.beta
    CHECK(p->where(e->args[1]->origin) == "2:20");           // '-gamma * ...' starts at '-'
    CHECK(p->where(e->args[1]->args[0]->args[0]->origin) == "2:21");  // gamma
    CHECK(p->where(e->args[1]->args[1]->origin) == "2:30");  // 'not' inside the parentheses
}

// ---- syntax errors ---------------------------------------------------------------------

TEST_CASE("syntax errors name file, line:col, what was expected and what was found", "[grammar][errors]") {
    SECTION("missing semicolon") {
        auto e = parse_error("rule x {\n  title = \"a\"\n}\n");
        REQUIRE(e);
        CHECK(e->id == "rules.syntax");
        CHECK(e->file == "bad.rules");
        CHECK(e->where() == "3:1");
        CHECK(e->message == "expected ';', found '}'");
        CHECK(e->what == "bad.rules:3:1: error[rules.syntax]: expected ';', found '}'");
    }
    SECTION("not an item") {
        auto e = parse_error("\n\n   rulex { }\n");
        REQUIRE(e);
        CHECK(e->id == "rules.syntax");
        CHECK(e->where() == "3:4");
        CHECK(e->message == "expected an item (resource, operation, rule, effect, set, listing, client, product, cli_api, route, oos_action or terraform_resource), found 'rulex'");
    }
    SECTION("second item broken") {
        auto e = parse_error("rule a { x = 1; }\nrulle b { }\n");
        REQUIRE(e);
        CHECK(e->where() == "2:1");
        CHECK(e->message == "expected an item (resource, operation, rule, effect, set, listing, client, product, cli_api, route, oos_action or terraform_resource), found 'rulle'");
    }
    SECTION("unterminated string") {
        auto e = parse_error("rule x { title = \"abc");
        REQUIRE(e);
        CHECK(e->where() == "1:22");
        CHECK(e->message == "expected '\"', found the end of the file");
    }
    SECTION("comparisons do not chain") {
        auto e = parse_error("rule x { a = 1 == 2 == 3; }");
        REQUIRE(e);
        CHECK(e->where() == "1:21");
        CHECK(e->message == "expected ';', found '='");
    }
    SECTION("missing closing brace of the item: reported where it opens") {
        auto e = parse_error("rule x {\n  a = 1;\n");
        REQUIRE(e);
        CHECK(e->id == "rules.unclosed");
        CHECK(e->where() == "1:8");
        CHECK(e->message == "'{' is not closed: no '}' before the end of the file");
    }
    SECTION("trailing comma in a call") {
        auto e = parse_error("rule x { a = f(1,); }");
        REQUIRE(e);
        CHECK(e->where() == "1:17");
        CHECK(e->message == "expected ')', found ','");
    }
    SECTION("unclosed list") {
        auto e = parse_error("rule x { a = [1, 2; }");
        REQUIRE(e);
        CHECK(e->where() == "1:19");
        CHECK(e->message == "expected ']', found ';'");
    }
    SECTION("object without colon") {
        auto e = parse_error("rule x { a = {b 1}; }");
        REQUIRE(e);
        CHECK(e->where() == "1:17");
        CHECK(e->message == "expected ':', found '1'");
    }
    SECTION("member access without a name") {
        auto e = parse_error("rule x {\n  a = b.;\n}");
        REQUIRE(e);
        CHECK(e->where() == "2:9");
        CHECK(e->message == "expected identifier, found ';'");
    }
    SECTION("a reserved word is not a member name") {
        auto e = parse_error("rule x { a = b.in; }");
        REQUIRE(e);
        CHECK(e->where() == "1:16");
        CHECK(e->message == "expected identifier, found 'in'");
    }
    SECTION("index not closed") {
        auto e = parse_error("rule x { a = b[1; }");
        REQUIRE(e);
        CHECK(e->where() == "1:17");
        CHECK(e->message == "expected ']', found ';'");
    }
}

// Inside a lexeme (a string literal) the error position is moved past the newline, so the
// message names the next line and "found '\"'" (see the report).
TEST_CASE("syntax error: a string does not run across lines", "[grammar][errors]") {
    auto e = parse_error("rule x { title = \"abc\n\"; }");
    REQUIRE(e);
    CHECK(e->id == "rules.syntax");
    CHECK(e->where() == "1:22");
    CHECK(e->message != "expected '\"', found '\"'");
}

TEST_CASE("string literals: every escape, long runs, and where an unknown escape stops", "[grammar]") {
    CHECK(expr_of("\"\\/\\t\\r\"") == "\"/\t\r\"");
    const std::string run(5000, 'x');
    CHECK(expr_of("\"" + run + "\\n" + run + "\"") == "\"" + run + "\n" + run + "\"");
    CHECK(expr_of("\"caf\xc3\xa9\"") == "\"caf\xc3\xa9\"");  // bytes beyond ASCII are kept as they are
    auto e = parse_error("rule x { title = \"ab\\qc\"; }");
    REQUIRE(e);
    CHECK(e->id == "rules.syntax");
    CHECK(e->where() == "1:21");  // the backslash of the unknown escape
    CHECK(e->message == "expected '\"', found '\\'");
    auto end = parse_error("rule x { title = \"ab\\");  // a backslash as the file's last byte
    REQUIRE(end);
    CHECK(end->where() == "1:21");
}

// Expectation points whose subject carries a semantic action print X3's mangled type name
// instead of the rule's name (see the report). These cases assert the intended text.
TEST_CASE("syntax error: missing value names 'an expression'", "[grammar][errors]") {
    auto e = parse_error("rule x { title = ; }");
    REQUIRE(e);
    CHECK(e->id == "rules.syntax");
    CHECK(e->where() == "1:18");
    CHECK(e->message == "expected an expression, found ';'");
}

TEST_CASE("syntax error: missing operand after an operator names 'an expression'", "[grammar][errors]") {
    auto e = parse_error("rule x { a = 1 +; }");
    REQUIRE(e);
    CHECK(e->where() == "1:17");
    CHECK(e->message == "expected an expression, found ';'");
}

TEST_CASE("syntax error: an item without a name names 'a name'", "[grammar][errors]") {
    auto e = parse_error("rule { }");
    REQUIRE(e);
    CHECK(e->where() == "1:6");
    CHECK(e->message == "expected a name, found '{'");
}

TEST_CASE("syntax error: 'for' without a variable names 'identifier'", "[grammar][errors]") {
    auto e = parse_error("rule x { for = 1; }");
    REQUIRE(e);
    CHECK(e->where() == "1:14");
    CHECK(e->message == "expected an identifier, found '='");
}

// ---- nesting ---------------------------------------------------------------------------

namespace {
std::string nested(size_t depth) { return std::string(depth, '(') + "1" + std::string(depth, ')'); }
}

TEST_CASE("64 nested brackets parse: the 65th is rules.nesting at its own position", "[grammar][nesting]") {
    auto ok = parse("rule r { x = " + nested(64) + "; }");
    CHECK(show(ok->items[0].properties[0].value) == "1");

    auto e = parse_error("rule r {\n  x = " + nested(65) + ";\n}");
    REQUIRE(e);
    CHECK(e->id == "rules.nesting");
    CHECK(e->file == "bad.rules");
    CHECK(e->where() == "2:" + std::to_string(7 + 64));  // the 65th '(' (the first is at column 7)
    CHECK(e->message == "brackets nested deeper than 64 levels");
}

TEST_CASE("nesting counts every kind of bracket, but none inside strings or comments", "[grammar][nesting]") {
    std::string mixed;
    for (int i = 0; i < 22; ++i) mixed += "[{a: (";
    auto e = parse_error("rule r { x = " + mixed + "1; }");  // 66 brackets: the 65th is a '{'
    REQUIRE(e);
    CHECK(e->id == "rules.nesting");
    CHECK(e->where() == "1:" + std::to_string(14 + 64 / 3 * 6 + 1));

    std::string quiet = "rule r {\n  # " + std::string(100, '(') + "\n  x = \"" + std::string(100, '[') + "\";\n}";
    auto p = parse(quiet);
    CHECK(show(p->items[0].properties[0].value) == "\"" + std::string(100, '[') + "\"");

    // An escaped quote does not end the string: the brackets after it are still inside.
    auto q = parse("rule r { x = \"a\\\"" + std::string(100, '{') + "\"; }");
    CHECK(show(q->items[0].properties[0].value) == "\"a\"" + std::string(100, '{') + "\"");
}

TEST_CASE("the nesting limit is configurable", "[grammar][nesting]") {
    RuleParseLimits limits;
    limits.max_nesting = 2;
    CHECK_NOTHROW(parse("rule r { x = ((1)); }", limits));
    auto e = parse_error("rule r { x = (((1))); }", limits);
    REQUIRE(e);
    CHECK(e->id == "rules.nesting");
    CHECK(e->where() == "1:16");
    CHECK(e->message == "brackets nested deeper than 2 levels");
}

TEST_CASE("100000 open parentheses are a nesting error, not a crash", "[grammar][nesting]") {
    auto e = parse_error("rule r { when = " + std::string(100000, '(') + "1; }");
    REQUIRE(e);
    CHECK(e->id == "rules.nesting");
    CHECK(e->where() == "1:" + std::to_string(17 + 64));
    auto e2 = parse_error(std::string(100000, '('));
    REQUIRE(e2);
    CHECK(e2->id == "rules.nesting");
    CHECK(e2->where() == "1:66");  // outside an item: the limit + 1 allowance for an item's braces
}

TEST_CASE("rule files over the size limit are rejected before parsing", "[grammar]") {
    RuleParseLimits limits;
    limits.max_bytes = 10;
    auto e = parse_error("rule r { x = 1; }", limits);
    REQUIRE(e);
    CHECK(e->id == "rules.too-large");
    CHECK_FALSE(e->pos.known());
    CHECK(e->message == "rule file is 17 bytes; the limit is 10");
}

// Recursion in the parser (unary '-' and prefix 'not') and in the syntax tree (a long
// left-leaning chain of '+') exhaust the stack on inputs well inside the 4 MiB limit.
// Hidden ([.]): each kills the test process with SIGSEGV until fixed. Run explicitly:
//   opguard_tests "[deep-recursion]"
TEST_CASE("10000 prefix minus signs do not crash", "[grammar][deep-recursion]") {
    std::string minus;
    for (int i = 0; i < 10000; ++i) minus += "- ";
    auto e = parse_error("rule r { x = " + minus + "1; }");
    CHECK((!e || e->id == "rules.nesting"));
}

TEST_CASE("10000 prefix nots do not crash", "[grammar][deep-recursion]") {
    std::string nots;
    for (int i = 0; i < 10000; ++i) nots += "not ";
    auto e = parse_error("rule r { x = " + nots + "1; }");
    CHECK((!e || e->id == "rules.nesting"));
}

TEST_CASE("a 100000-term sum does not crash", "[grammar][deep-recursion]") {
    std::string sum;
    for (int i = 0; i < 100000; ++i) sum += "1 + ";
    auto e = parse_error("rule r { x = " + sum + "1; }");
    CHECK((!e || e->id == "rules.nesting"));
}

// ---- compile_rules -----------------------------------------------------------------------

namespace {

const char* kBase =
    "resource thing {\n"                              // 1
    "  list = \"Things[]\";\n"                        // 2
    "  id = \"Id\";\n"                                // 3
    "  fields = [\"Id\", \"Name\"];\n"                // 4
    "}\n"                                             // 5
    "operation svc.Do {\n"                            // 6
    "  product = \"svc\";\n"                          // 7
    "  version = \"1\";\n"                            // 8
    "  action = \"Do\";\n"                            // 9
    "  params = {Id: \"string!\", Tags: \"list\"};\n"  // 10
    "  targets = call.Id;\n"                          // 11
    "  target_kind = \"thing\";\n"                    // 12
    "  let t = lookup(\"thing\", call.Id);\n"         // 13
    "}\n";                                            // 14

struct Compiled {
    SourceRegistry sources;
    RuleSet rules;
};

std::vector<ParsedRuleFile> parse_files(SourceRegistry& sources, const std::vector<std::string>& texts) {
    std::vector<ParsedRuleFile> files;
    for (size_t i = 0; i < texts.size(); ++i) {
        uint32_t id = sources.add("f" + std::to_string(i) + ".rules", texts[i]);
        files.push_back({id, parse_rule_file(sources, id), false});
    }
    return files;
}

std::unique_ptr<Compiled> compile(const std::string& extra) {
    auto c = std::make_unique<Compiled>();
    c->rules = compile_rules(c->sources, parse_files(c->sources, {std::string(kBase) + extra}));
    return c;
}

std::optional<Err> compile_error(const std::string& extra) {
    SourceRegistry sources;
    auto files = parse_files(sources, {std::string(kBase) + extra});
    return input_error([&] { compile_rules(sources, files); });
}

std::string rule_text(const std::string& id, const std::string& props) {
    return "rule " + id + " {\n" + props + "}\n";
}

// A rule with every required property, one per line (the rule keyword is on line 15).
std::string good_rule(const std::string& id = "svc.r", const std::string& more = "") {
    return rule_text(id,
                     "  title = \"t\";\n"                       // 16
                     "  severity = error;\n"                    // 17
                     "  operations = [\"svc.Do\"];\n"           // 18
                     "  when = exists(t) and count(call.Tags) > 1;\n"  // 19
                     "  message = \"thing {t.Name} has {count(call.Tags)} tags\";\n"  // 20
                     "  source = \"s\";\n" +                     // 21
                         more);
}

}  // namespace

TEST_CASE("compile_rules builds resources, operations and rules from valid text", "[compile]") {
    auto c = compile(good_rule());
    REQUIRE(c->rules.resources.size() == 1);
    const ResourceKind& k = c->rules.resources[0];
    CHECK(k.name == "thing");
    CHECK(k.list_path == std::vector<std::string>{"Things"});
    CHECK(k.id_field == "Id");
    REQUIRE(c->rules.operations.size() == 1);
    const Operation& op = c->rules.operations[0];
    CHECK(op.name == "svc.Do");
    CHECK(op.match == std::vector<std::pair<std::string, std::string>>{{"product", "svc"}, {"version", "1"}, {"action", "Do"}});
    REQUIRE(op.params.size() == 2);
    CHECK(op.params[0].name == "Id");
    CHECK(op.params[0].type == "string");
    CHECK(op.params[0].required);
    CHECK(op.params[1].name == "Tags");
    CHECK_FALSE(op.params[1].required);
    REQUIRE(op.lets.size() == 1);
    CHECK(op.lets[0].name == "t");
    const Rule* r = c->rules.rule("svc.r");
    REQUIRE(r);
    CHECK(r->severity == Severity::Error);
    CHECK(r->operations == std::vector<std::string>{"svc.Do"});
    CHECK(r->scope == Scope::Call);
    CHECK(r->basis == Basis::Documented);
    CHECK(lc(c->sources.file(r->origin.file).position(r->origin.offset)) == "15:6");
    CHECK(show(r->when) == "(and (exists() t) (> (count() (. call Tags)) 1))");
}

TEST_CASE("message templates split into text and {expr} holes with exact origins", "[compile][template]") {
    auto c = compile(good_rule());
    const Rule* r = c->rules.rule("svc.r");
    REQUIRE(r);
    const Template& t = r->message;
    CHECK(t.source_text == "thing {t.Name} has {count(call.Tags)} tags");
    REQUIRE(t.parts.size() == 5);
    CHECK(t.parts[0].text == "thing ");
    CHECK_FALSE(t.parts[0].expr);
    REQUIRE(t.parts[1].expr);
    CHECK(show(t.parts[1].expr) == "(. t Name)");
    CHECK(lc(c->sources.file(0).position(t.parts[1].expr->origin.offset)) == "20:21");
    CHECK(t.parts[2].text == " has ");
    CHECK(show(t.parts[3].expr) == "(count() (. call Tags))");
    CHECK(lc(c->sources.file(0).position(t.parts[3].expr->origin.offset)) == "20:34");
    CHECK(lc(c->sources.file(0).position(t.parts[3].expr->args[0]->origin.offset)) == "20:40");
    CHECK(t.parts[4].text == " tags");
}

TEST_CASE("templates: {{ and }} are literal braces, single quotes are strings inside holes", "[compile][template]") {
    auto c = compile(rule_text("svc.r",
                               "  title = \"t\"; severity = warning; operations = [\"svc.Do\"]; when = true; source = \"s\";\n"
                               "  message = \"{{literal}} {default(t.Name, 'a}b')} \\\"q\\\"\";\n"));
    const Template& t = c->rules.rule("svc.r")->message;
    REQUIRE(t.parts.size() == 3);
    CHECK(t.parts[0].text == "{literal} ");
    CHECK(show(t.parts[1].expr) == "(default() (. t Name) \"a}b\")");
    CHECK(t.parts[2].text == " \"q\"");
}

TEST_CASE("templates: an unclosed '{' is a syntax error at the brace", "[compile][template]") {
    auto e = compile_error(rule_text("svc.r",
                                     "  title = \"t\"; severity = error; operations = [\"svc.Do\"]; when = true; source = \"s\";\n"
                                     "  message = \"m {\";\n"));
    REQUIRE(e);
    CHECK(e->id == "rules.syntax");
    CHECK(e->where() == "17:16");
    CHECK(e->message == "'{' in a message is not closed by '}' (write '{{' for a literal brace)");
}

// The hole scan runs past the closing quote of the message when a '}' follows later on
// the same line, so the error becomes an unrelated parse error (see the report).
TEST_CASE("templates: an unclosed '{' before more properties on the same line", "[compile][template]") {
    // The whole rule on line 15; the message's '{' is at column 96.
    auto e = compile_error("rule svc.r { title = \"t\"; severity = error; operations = [\"svc.Do\"]; when = true; "
                           "message = \"m {\"; source = \"s\"; }\n");
    REQUIRE(e);
    CHECK(e->id == "rules.syntax");
    CHECK(e->where() == "15:96");
    CHECK(e->message == "'{' in a message is not closed by '}' (write '{{' for a literal brace)");
}

TEST_CASE("templates: errors inside a hole point into the hole", "[compile][template]") {
    SECTION("unknown name") {
        auto e = compile_error(rule_text("svc.r",
                                         "  title = \"t\"; severity = error; operations = [\"svc.Do\"]; when = true; source = \"s\";\n"
                                         "  message = \"m {t.Name} {zz}\";\n"));
        REQUIRE(e);
        CHECK(e->id == "rules.unknown-name");
        CHECK(e->where() == "17:26");
        CHECK(e->message == "unknown name 'zz'");
    }
    SECTION("nesting inside a hole is checked with the hole's position") {
        auto e = compile_error(rule_text("svc.r",
                                         "  title = \"t\"; severity = error; operations = [\"svc.Do\"]; when = true; source = \"s\";\n"
                                         "  message = \"m {" + std::string(100000, '(') + "1}\";\n"));
        REQUIRE(e);
        CHECK(e->id == "rules.nesting");
        CHECK(e->pos.line == 17);  // the exact column: see the known-bug case below
        CHECK(e->message == "brackets nested deeper than 64 levels");
    }
}

// A hole is checked with the item allowance (+1) although it has no braces of its own, so
// it takes 65 levels where a property takes 64 (see the report).
TEST_CASE("templates: the nesting limit in a hole is 64 like everywhere else", "[compile][template]") {
    auto e = compile_error(rule_text("svc.r",
                                     "  title = \"t\"; severity = error; operations = [\"svc.Do\"]; when = true; source = \"s\";\n"
                                     "  message = \"m {" + nested(65) + "}\";\n"));
    REQUIRE(e);
    CHECK(e->id == "rules.nesting");
    CHECK(e->where() == "17:81");  // the 65th '(' (the first is at column 17)
}

// A parse error inside a hole is described as if a whole rule file were parsed.
TEST_CASE("templates: a stray token in a hole is not reported as 'expected an item'", "[compile][template]") {
    auto e = compile_error(rule_text("svc.r",
                                     "  title = \"t\"; severity = error; operations = [\"svc.Do\"]; when = true; source = \"s\";\n"
                                     "  message = \"m {t.Name t}\";\n"));
    REQUIRE(e);
    CHECK(e->id == "rules.syntax");
    CHECK(e->where() == "17:24");
    CHECK(e->message.find("expected an item") == std::string::npos);
}

TEST_CASE("compile error: unknown property lists the expected ones", "[compile][errors]") {
    auto e = compile_error(good_rule("svc.r", "  colour = \"red\";\n"));
    REQUIRE(e);
    CHECK(e->id == "rules.unknown-property");
    CHECK(e->file == "f0.rules");
    CHECK(e->where() == "22:3");
    CHECK(e->message ==
          "unknown property 'colour' in rule svc.r; expected one of: title, description, severity, operations, scope, "
          "when, at, refuses, http, code, response_message, message, source, basis, note, locked");

    auto e2 = compile_error("effect svc.e {\n  operations = [\"svc.Do\"];\n  source = \"s\";\n  severity = error;\n}\n");
    REQUIRE(e2);
    CHECK(e2->id == "rules.unknown-property");
    CHECK(e2->where() == "18:3");
    CHECK(e2->message ==
          "unknown property 'severity' in effect svc.e; expected one of: operations, when, noun, verb, id, size_gib, "
          "detail, status_of, status, data_loss, pending, basis, source, note");

    auto e3 = compile_error("set s1 {\n  for x in [1];\n}\n");
    REQUIRE(e3);
    CHECK(e3->id == "rules.unknown-property");
    CHECK(e3->where() == "16:7");
    CHECK(e3->message == "'for' is not allowed in set s1");
}

TEST_CASE("compile error: a property given twice", "[compile][errors]") {
    auto e = compile_error(good_rule("svc.r", "  title = \"again\";\n"));
    REQUIRE(e);
    CHECK(e->id == "rules.duplicate");
    CHECK(e->where() == "22:3");
    CHECK(e->message == "property 'title' given twice in rule svc.r");
}

TEST_CASE("compile error: duplicate rule id, across files too", "[compile][errors]") {
    auto e = compile_error(good_rule() + good_rule());
    REQUIRE(e);
    CHECK(e->id == "rules.duplicate");
    CHECK(e->where() == "23:6");  // the second rule's name
    CHECK(e->message == "rule id 'svc.r' is used twice (first at f0.rules:15:6); a rule file adds rules, it cannot redefine one");

    SourceRegistry sources;
    auto files = parse_files(sources, {std::string(kBase) + good_rule(), "\n" + good_rule()});
    auto e2 = input_error([&] { compile_rules(sources, files); });
    REQUIRE(e2);
    CHECK(e2->id == "rules.duplicate");
    CHECK(e2->file == "f1.rules");
    CHECK(e2->where() == "2:6");
}

TEST_CASE("compile error: duplicate set unless the later file may override", "[compile][errors]") {
    const std::string a = "set names { documented = [\"a\"]; }\n";
    const std::string b = "\nset names { inferred = [\"b\"]; }\n";
    {
        SourceRegistry sources;
        auto files = parse_files(sources, {a, b});
        auto e = input_error([&] { compile_rules(sources, files); });
        REQUIRE(e);
        CHECK(e->id == "rules.duplicate");
        CHECK(e->file == "f1.rules");
        CHECK(e->where() == "2:5");
        CHECK(e->message == "set 'names' is defined twice");
    }
    {
        SourceRegistry sources;
        auto files = parse_files(sources, {a, b});
        files[1].may_override = true;
        RuleSet rs = compile_rules(sources, files);
        REQUIRE(rs.sets.count("names"));
        const NamedSet& s = rs.sets.at("names");
        REQUIRE(s.values.items().size() == 1);
        CHECK(s.values.items()[0].as_string() == "b");
        CHECK(s.basis.at("b") == Basis::Inferred);
    }
}

TEST_CASE("compile error: unknown operation in a rule", "[compile][errors]") {
    auto e = compile_error(rule_text("svc.r",
                                     "  title = \"t\";\n  severity = error;\n  operations = [\"svc.Do\", \"svc.Nope\"];\n" "  when = true;\n  message = \"m\";\n  source = \"s\";\n"));
    REQUIRE(e);
    CHECK(e->id == "rules.unknown-operation");
    CHECK(e->where() == "18:27");
    CHECK(e->message == "unknown operation 'svc.Nope'");
}

TEST_CASE("compile error: unknown name in an expression", "[compile][errors]") {
    SECTION("in when") {
        auto e = compile_error(rule_text("svc.r",
                                         "  title = \"t\";\n  severity = error;\n  operations = [\"svc.Do\"];\n"
                                         "  when = exists(t) and exists(nothing.here);\n" "  message = \"m\";\n  source = \"s\";\n"));
        REQUIRE(e);
        CHECK(e->id == "rules.unknown-name");
        CHECK(e->where() == "19:31");
        CHECK(e->message == "unknown name 'nothing'");
    }
    SECTION("an operation's let is not visible to a rule for every operation") {
        auto e = compile_error(rule_text("svc.r",
                                         "  title = \"t\";\n  severity = error;\n  operations = [\"*\"];\n  when = exists(t);\n" "  message = \"m\";\n  source = \"s\";\n"));
        REQUIRE(e);
        CHECK(e->id == "rules.unknown-name");
        CHECK(e->where() == "19:17");
        CHECK(e->message == "unknown name 't'");
    }
    SECTION("`it` exists only inside a predicate") {
        auto ok = compile(good_rule("svc.r", "  at = filter(call.Tags, it != \"x\");\n"));
        CHECK(ok->rules.rule("svc.r")->at);
        auto e = compile_error(good_rule("svc.r", "  at = it;\n"));
        REQUIRE(e);
        CHECK(e->id == "rules.unknown-name");
        CHECK(e->where() == "22:8");
        CHECK(e->message == "unknown name 'it'");
    }
}

TEST_CASE("compile error: wrong number of arguments and unknown functions", "[compile][errors]") {
    auto e = compile_error(rule_text("svc.r",
                                     "  title = \"t\";\n  severity = error;\n  operations = [\"svc.Do\"];\n"
                                     "  when = true and count(call.Id, 2) > 0;\n" "  message = \"m\";\n  source = \"s\";\n"));
    REQUIRE(e);
    CHECK(e->id == "rules.arity");
    CHECK(e->where() == "19:19");
    CHECK(e->message.rfind("'count' takes 1 ", 0) == 0);
    CHECK(e->message.find("; found 2 (count(list): number of elements (0 for null; 1 for a single value))") != std::string::npos);

    auto e2 = compile_error(rule_text("svc.r",
                                      "  title = \"t\";\n  severity = error;\n  operations = [\"svc.Do\"];\n"
                                      "  when = exists(lookup(\"thing\"));\n" "  message = \"m\";\n  source = \"s\";\n"));
    REQUIRE(e2);
    CHECK(e2->id == "rules.arity");
    CHECK(e2->where() == "19:17");
    CHECK(e2->message ==
          "'lookup' takes 2 to 3 arguments; found 1 (lookup(kind, id [, region]): the inventory object of that kind "
          "and id (in that region), or null)");

    auto e3 = compile_error(rule_text("svc.r",
                                      "  title = \"t\";\n  severity = error;\n  operations = [\"svc.Do\"];\n"
                                      "  when = nope(1);\n" "  message = \"m\";\n  source = \"s\";\n"));
    REQUIRE(e3);
    CHECK(e3->id == "rules.unknown-function");
    CHECK(e3->where() == "19:10");
    CHECK(e3->message == "unknown function 'nope'");

    auto e4 = compile_error(rule_text("svc.r",
                                      "  title = \"t\";\n  severity = error;\n  operations = [\"svc.Do\"];\n"
                                      "  when = exists(lookup(\"gadget\", call.Id));\n" "  message = \"m\";\n  source = \"s\";\n"));
    REQUIRE(e4);
    CHECK(e4->id == "rules.unknown-kind");
    CHECK(e4->where() == "19:24");
    CHECK(e4->message == "unknown resource kind 'gadget'");
}

// "takes 1 arguments": the singular is not used (see the report).
TEST_CASE("compile error: arity message uses the singular for one argument", "[compile][errors]") {
    auto e = compile_error(rule_text("svc.r",
                                     "  title = \"t\";\n  severity = error;\n  operations = [\"svc.Do\"];\n"
                                     "  when = count(call.Id, 2);\n" "  message = \"m\";\n  source = \"s\";\n"));
    REQUIRE(e);
    CHECK(e->message.rfind("'count' takes 1 argument; found 2", 0) == 0);
}

TEST_CASE("compile error: missing required properties name the item", "[compile][errors]") {
    SECTION("rule without when") {
        auto e = compile_error(rule_text("svc.r",
                                         "  title = \"t\";\n  severity = error;\n  operations = [\"svc.Do\"];\n"
                                         "  message = \"m\";\n  source = \"s\";\n"));
        REQUIRE(e);
        CHECK(e->id == "rules.missing-property");
        CHECK(e->where() == "15:6");
        CHECK(e->message == "rule svc.r needs a 'when' property");
    }
    SECTION("rule without title") {
        auto e = compile_error("rule svc.untitled { severity = error; }\n");
        REQUIRE(e);
        CHECK(e->id == "rules.missing-property");
        CHECK(e->where() == "15:6");
        CHECK(e->message == "rule svc.untitled needs a 'title' property");
    }
    SECTION("resource without id") {
        auto e = compile_error("resource gadget {\n  list = \"Gadgets[]\";\n  fields = [\"X\"];\n}\n");
        REQUIRE(e);
        CHECK(e->id == "rules.missing-property");
        CHECK(e->where() == "15:10");
        CHECK(e->message == "resource gadget needs a 'id' property");
    }
    SECTION("operation without a way to match calls") {
        auto e = compile_error("operation svc.Other {\n  params = {};\n}\n");
        REQUIRE(e);
        CHECK(e->id == "rules.missing-property");
        CHECK(e->where() == "15:11");
        CHECK(e->message == "operation svc.Other needs product/version/action or cloud/service/method/path");
    }
    SECTION("effect with a status but no status_of") {
        auto e = compile_error("effect svc.e {\n  operations = [\"svc.Do\"];\n  status = [\"A\", \"B\"];\n  source = \"s\";\n}\n");
        REQUIRE(e);
        CHECK(e->id == "rules.missing-property");
        CHECK(e->where() == "15:8");
        CHECK(e->message == "an effect with 'status' needs 'status_of'");
    }
}

TEST_CASE("compile error: values of the wrong type", "[compile][errors]") {
    SECTION("severity word") {
        auto e = compile_error(good_rule("svc.r").replace(good_rule("svc.r").find("error;"), 5, "fatal"));
        REQUIRE(e);
        CHECK(e->id == "rules.type");
        CHECK(e->where() == "17:14");
        CHECK(e->message == "'severity' must be one of error, warning, info; found 'fatal'");
    }
    SECTION("refusing a target needs target scope") {
        auto e = compile_error(good_rule("svc.r", "  refuses = target;\n"));
        REQUIRE(e);
        CHECK(e->id == "rules.type");
        CHECK(e->where() == "22:13");
        CHECK(e->message == "'refuses = target' needs 'scope = target'");
    }
    SECTION("only error rules refuse") {
        std::string r = good_rule("svc.r", "  refuses = call;\n");
        r.replace(r.find("error;"), 5, "warning");
        auto e = compile_error(r);
        REQUIRE(e);
        CHECK(e->id == "rules.type");
        CHECK(e->where() == "22:13");
        CHECK(e->message == "only error rules refuse a call or target");
    }
    SECTION("unknown parameter type") {
        std::string text = std::string(kBase);
        text.replace(text.find("\"list\""), 6, "\"lst\"");
        SourceRegistry sources;
        auto files = parse_files(sources, {text});
        auto e = input_error([&] { compile_rules(sources, files); });
        REQUIRE(e);
        CHECK(e->id == "rules.type");
        CHECK(e->where() == "10:34");
        CHECK(e->message ==
              "unknown parameter type 'lst' (did you mean 'list'?); expected string, boolean, integer, number, list or object (with ! when required)");
    }
}

TEST_CASE("the built-in rule files parse and compile", "[compile]") {
    SourceRegistry sources;
    RuleSet rs = load_rules(sources, RuleSources{true, {}});
    // One compiled rule per `rule` item in rules/*.rules.
    size_t written = 0;
    for (const auto& entry : fs::directory_iterator(source_path("rules"))) {
        if (entry.path().extension() != ".rules") continue;
        std::string text = "\n" + slurp(entry.path().string());
        for (size_t at = 0; (at = text.find("\nrule ", at)) != std::string::npos; ++at) ++written;
    }
    CHECK(written >= 22);
    CHECK(rs.rules.size() == written);
    CHECK(rs.operation("ecd.RebuildDesktops"));
    CHECK(rs.resource("desktop"));
    CHECK(rs.resource("image"));
    CHECK(rs.resource("snapshot"));
    CHECK(rs.resource("ecd_region"));
    CHECK(rs.sets.count("mainland_regions"));
    CHECK(rs.sets.count("secret_parameters"));
    const Rule* r = rs.rule("ecd.rebuild.desktop-status");
    REQUIRE(r);
    CHECK(r->scope == Scope::Target);
    CHECK(r->refuses == Refusal::Target);
    CHECK(r->code == "IncorrectDesktopStatus");
    CHECK(r->basis == Basis::Inferred);
    CHECK(sources.file(r->origin.file).path() == "builtin/ecd_rebuild_desktops.rules");
}

TEST_CASE("parse error: a key written twice in one object literal", "[grammar][errors]") {
    // {a: 1, a: 2}.a read 1: the rule never fired, and nothing said why.
    auto e = parse_error("rule x.dup {\n  when = {a: 1, \"b\": 2, a: 3}.a == 3;\n}\n");
    REQUIRE(e);
    CHECK(e->id == "rules.duplicate");
    CHECK(e->where() == "2:28");  // the second value
    CHECK(e->message == "key 'a' given twice in one object (the value of the first would be the only one read)");
    CHECK_FALSE(parse_error("rule x.ok {\n  when = {a: 1, b: {a: 2}}.b.a == 2;\n}\n"));  // the same key in another object
}

TEST_CASE("parse: a rule file may start with a byte order mark, and an error quotes a non-ASCII character whole", "[grammar][errors]") {
    // The BOM was "expected an item, found '\xEF'", shown as U+FFFD; so was é.
    CHECK_FALSE(parse_error("\xEF\xBB\xBFrule x.bom {\n  when = true;\n}\n"));
    auto e = parse_error("rule x.e {\n  when = \xC3\xA9 == 1;\n}\n");
    REQUIRE(e);
    CHECK(e->id == "rules.syntax");
    CHECK(e->message.find("found '\xC3\xA9'") != std::string::npos);
}
