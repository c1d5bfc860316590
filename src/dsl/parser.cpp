// The rule language's grammar in Boost.Spirit X3 (EBNF in dsl/ast.hpp). Semantic actions
// build the ast directly; `>` (expectation) points make a failure a located error.
#include "dsl/parser.hpp"
#include "core/text_safety.hpp"

#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <optional>

#include "core/diagnostic.hpp"

namespace x3 = boost::spirit::x3;

namespace opguard {
namespace {

using It = const char*;
struct base_tag;   // the first byte of the parsed text
struct file_tag;   // the file index
struct shift_tag;  // offset of the parsed text inside its file
struct mark_tag;   // where the construct being built starts (set by `mark`)

// The C locale's white space: what std::isspace accepts there, without the locale lookup.
constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// X3 captures the start of a match before skipping; advance past blanks and comments so
// an origin names the first character of the construct itself.
It skip_blanks(It p, It end) {
    while (p < end) {
        if (is_blank(*p)) { ++p; continue; }
        if (*p == '#') {
            const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
            p = nl ? static_cast<It>(nl) : end;
            continue;
        }
        break;
    }
    return p;
}

// The skipper: blanks and '#' comments, in one loop (skip_blanks).
struct blank_skipper : x3::parser<blank_skipper> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;
    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const&, RContext const&, Attribute&) const {
        It p = skip_blanks(first, last);
        if (p == first) return false;
        first = p;
        return true;
    }
};

// In a semantic action X3 (Boost 1.74) offers where the match ends, not where it starts.
// `mark` (an eps that has skipped blanks) records the start just before each construct
// whose origin matters; origin_of reads it back. Every use is `mark >> token[action]`
// with no recursion between the two, so one slot suffices.
const auto mark = x3::eps[([](auto& ctx) { x3::get<mark_tag>(ctx).get() = x3::_where(ctx).begin(); })];

template <typename Ctx>
Origin origin_of(Ctx& ctx) {
    It base = x3::get<base_tag>(ctx);
    It p = x3::get<mark_tag>(ctx).get();
    return Origin{x3::get<file_tag>(ctx), static_cast<uint32_t>(p - base) + x3::get<shift_tag>(ctx)};
}

ast::ExprPtr make(ast::Op op, Origin o) {
    auto e = std::make_shared<ast::Expr>();
    e->op = op;
    e->origin = o;
    return e;
}

// Thrown from a semantic action when an expression grows too tall; run_parser turns it
// into a located InputError.
// A key written twice in one object literal ({a: 1, a: 2}): the first would win unseen.
struct DuplicateKey {
    Origin origin;
    std::string key;
};

struct TooDeep {
    Origin origin;
};

// Sets `e`'s depth from its operands and enforces kMaxExpressionDepth.
const ast::ExprPtr& settle(const ast::ExprPtr& e) {
    uint32_t d = 0;
    for (const auto& a : e->args) d = std::max(d, a->depth);
    e->depth = d + 1;
    if (e->depth > kMaxExpressionDepth) throw TooDeep{e->origin};
    return e;
}

ast::ExprPtr binary(ast::Op op, ast::ExprPtr lhs, ast::ExprPtr rhs) {
    auto e = make(op, lhs->origin);
    Origin at = rhs->origin;
    e->args = {std::move(lhs), std::move(rhs)};
    try {
        settle(e);
    } catch (TooDeep&) {
        throw TooDeep{at};
    }
    return e;
}

// ---- lexical pieces ---------------------------------------------------------------

const auto word_char = x3::char_("a-zA-Z0-9_");
const auto word_start = x3::char_("a-zA-Z_");
auto kw(const char* w) { return x3::lexeme[x3::lit(w) >> !word_char]; }

const auto reserved = x3::lexeme[(x3::lit("and") | "or" | "not" | "in" | "true" | "false" | "null") >> !word_char];

x3::rule<class ident_r, std::string> const ident = "identifier";
const auto ident_def = x3::lexeme[x3::raw[!reserved >> word_start >> *word_char]];

x3::rule<class name_r, std::string> const item_name = "a name";
const auto item_name_def = x3::lexeme[x3::raw[word_start >> *x3::char_("-a-zA-Z0-9_.")]];

// The characters of a string literal up to (not including) its closing quote: runs without
// escapes are appended whole. Stops at '"', at a line end, at the end of the text, and at a
// backslash that starts no known escape (the expected '"' then names the place).
struct string_chars_parser : x3::parser<string_chars_parser> {
    using attribute_type = std::string;
    static bool const has_attribute = true;
    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const&, RContext const&, Attribute& attr) const {
        It p = first;
        while (p < last) {
            It run = p;
            while (p < last && *p != '"' && *p != '\\' && *p != '\n') ++p;
            attr.append(run, p);
            if (p == last || *p != '\\' || p + 1 == last) break;
            char c;
            switch (p[1]) {
                case '"': c = '"'; break;
                case '\\': c = '\\'; break;
                case '/': c = '/'; break;
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'r': c = '\r'; break;
                default: first = p; return true;
            }
            attr.push_back(c);
            p += 2;
        }
        first = p;
        return true;
    }
} const string_chars;

x3::rule<class string_r, std::string> const string_lit = "a string";
const auto string_lit_def = x3::lexeme['"' > string_chars > '"'];

// Plain decimal numbers only (digits, an optional fraction, an optional exponent: no "inf"
// or "nan", so the word "inferred" does not start with a number), read whole as text and
// converted by strtod: a number beyond the range of a double (1e400) reads as infinity,
// which the compiler reports at its place (rules.number-range), instead of a syntax error
// or an infinity taken silently.
x3::rule<class number_text_r, std::string> const number_text = "a number";
// (Digits as a range: x3::digit asserts on a byte above 127, and rule files may hold any.)
const auto decimal_digit = x3::char_('0', '9');
const auto number_text_def = x3::raw[x3::lexeme[(+decimal_digit >> -('.' >> *decimal_digit) | '.' >> +decimal_digit) >>
                                                 -(x3::char_("eE") >> -x3::char_("+-") >> +decimal_digit)]];
BOOST_SPIRIT_DEFINE(number_text)

// ---- expressions ---------------------------------------------------------------------

x3::rule<class expr_r, ast::ExprPtr> const expr = "an expression";
x3::rule<class and_r, ast::ExprPtr> const and_expr = "an expression";
x3::rule<class not_r, ast::ExprPtr> const not_expr = "an expression";
x3::rule<class cmp_r, ast::ExprPtr> const cmp_expr = "an expression";
x3::rule<class sum_r, ast::ExprPtr> const sum_expr = "an expression";
x3::rule<class term_r, ast::ExprPtr> const term_expr = "an expression";
x3::rule<class unary_r, ast::ExprPtr> const unary_expr = "an expression";
x3::rule<class postfix_r, ast::ExprPtr> const postfix_expr = "an expression";
x3::rule<class primary_r, ast::ExprPtr> const primary = "a value";
x3::rule<class list_r, ast::ExprPtr> const list_lit = "a list";
x3::rule<class object_r, ast::ExprPtr> const object_lit = "an object";
x3::rule<class call_r, ast::ExprPtr> const call_expr = "a function call";

// The sub-rule's attribute is not read after its action: move, not copy, the pointers.
const auto assign = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };
auto fold(ast::Op op) {
    return [op](auto& ctx) { x3::_val(ctx) = binary(op, std::move(x3::_val(ctx)), std::move(x3::_attr(ctx))); };
}

const auto expr_def = and_expr[assign] >> *(kw("or") > and_expr[fold(ast::Op::Or)]);
const auto and_expr_def = not_expr[assign] >> *(kw("and") > not_expr[fold(ast::Op::And)]);

// A run of "not"s (or of "-"s below) is read as a loop and becomes one node that counts
// them, so a long run cannot exhaust the stack.
const auto not_word = x3::lexeme[x3::lit("not") >> !word_char >> !(+x3::char_(" \t\n\r\f\v") >> x3::lit("in") >> !word_char)];
const auto not_expr_def =
    *(mark >> x3::omit[not_word])[([](auto& ctx) {
        if (!x3::_val(ctx)) x3::_val(ctx) = make(ast::Op::Not, origin_of(ctx)), x3::_val(ctx)->repeat = 0;
        ++x3::_val(ctx)->repeat;
    })] >>
    cmp_expr[([](auto& ctx) {
        if (x3::_val(ctx)) {
            x3::_val(ctx)->args.push_back(x3::_attr(ctx));
            settle(x3::_val(ctx));
        } else {
            x3::_val(ctx) = x3::_attr(ctx);
        }
    })];

struct cmp_table : x3::symbols<ast::Op> {
    cmp_table() { add("==", ast::Op::Eq)("!=", ast::Op::Ne)("<=", ast::Op::Le)(">=", ast::Op::Ge)("<", ast::Op::Lt)(">", ast::Op::Gt); }
} const cmp_ops;

x3::rule<class cmp_op_r, ast::Op> const cmp_op = "a comparison";
const auto cmp_op_def = cmp_ops | (kw("not") >> kw("in")) >> x3::attr(ast::Op::NotIn) | kw("in") >> x3::attr(ast::Op::In);

const auto cmp_expr_def = sum_expr[assign] >>
    -((cmp_op > sum_expr)[([](auto& ctx) {
        auto& a = x3::_attr(ctx);
        x3::_val(ctx) = binary(boost::fusion::at_c<0>(a), x3::_val(ctx), boost::fusion::at_c<1>(a));
    })]);

const auto sum_expr_def = term_expr[assign] >>
    *((x3::lit('+') > term_expr[fold(ast::Op::Add)]) | (x3::lit('-') > term_expr[fold(ast::Op::Sub)]));
const auto term_expr_def = unary_expr[assign] >>
    *((x3::lit('*') > unary_expr[fold(ast::Op::Mul)]) | (x3::lit('/') > unary_expr[fold(ast::Op::Div)]));

const auto unary_expr_def =
    *(mark >> x3::lit('-'))[([](auto& ctx) {
        if (!x3::_val(ctx)) x3::_val(ctx) = make(ast::Op::Neg, origin_of(ctx)), x3::_val(ctx)->repeat = 0;
        ++x3::_val(ctx)->repeat;
    })] >>
    postfix_expr[([](auto& ctx) {
        if (x3::_val(ctx)) {
            x3::_val(ctx)->args.push_back(x3::_attr(ctx));
            settle(x3::_val(ctx));
        } else {
            x3::_val(ctx) = x3::_attr(ctx);
        }
    })];

const auto postfix_expr_def = primary[assign] >>
    *((x3::lit('.') > ident)[([](auto& ctx) {
          auto e = make(ast::Op::Member, x3::_val(ctx)->origin);
          e->name = x3::_attr(ctx);
          e->args.push_back(x3::_val(ctx));
          x3::_val(ctx) = settle(e);
      })] |
      (x3::lit('[') > expr > ']')[([](auto& ctx) { x3::_val(ctx) = binary(ast::Op::Index, x3::_val(ctx), x3::_attr(ctx)); })]);

const auto push_arg = [](auto& ctx) {
    x3::_val(ctx)->args.push_back(x3::_attr(ctx));
    settle(x3::_val(ctx));
};

const auto call_expr_def =
    mark >> (ident >> '(')[([](auto& ctx) {
        auto e = make(ast::Op::Call, origin_of(ctx));
        e->name = x3::_attr(ctx);
        x3::_val(ctx) = e;
    })] >> -(expr[push_arg] % ',') > ')';

const auto list_lit_def = mark >> x3::lit('[')[([](auto& ctx) { x3::_val(ctx) = make(ast::Op::List, origin_of(ctx)); })] >>
                          -(expr[push_arg] % ',') > ']';

x3::rule<class object_key_r, std::string> const object_key = "a key";
const auto object_key_def = ident | string_lit;
const auto object_lit_def =
    mark >> x3::lit('{')[([](auto& ctx) { x3::_val(ctx) = make(ast::Op::Object, origin_of(ctx)); })] >>
    -((object_key > ':' > expr)[([](auto& ctx) {
          auto& a = x3::_attr(ctx);
          const std::string& key = boost::fusion::at_c<0>(a);
          const auto& keys = x3::_val(ctx)->keys;
          if (std::find(keys.begin(), keys.end(), key) != keys.end()) throw DuplicateKey{boost::fusion::at_c<1>(a)->origin, key};
          x3::_val(ctx)->keys.push_back(key);
          x3::_val(ctx)->args.push_back(boost::fusion::at_c<1>(a));
          settle(x3::_val(ctx));
      })] % ',') > '}';

auto literal_action(Node (*build)(const std::string&)) {
    return [build](auto& ctx) {
        auto e = make(ast::Op::Literal, origin_of(ctx));
        e->literal = build(x3::_attr(ctx));
        e->literal.origin = e->origin;
        x3::_val(ctx) = e;
    };
}

const auto primary_def =
    mark >> number_text[([](auto& ctx) {
        auto e = make(ast::Op::Literal, origin_of(ctx));
        e->literal = Node::number(std::strtod(x3::_attr(ctx).c_str(), nullptr), e->origin);
        x3::_val(ctx) = e;
    })] |
    mark >> string_lit[literal_action([](const std::string& s) { return Node::string(s); })] |
    mark >> kw("true")[([](auto& ctx) { auto e = make(ast::Op::Literal, origin_of(ctx)); e->literal = Node::boolean(true, e->origin); x3::_val(ctx) = e; })] |
    mark >> kw("false")[([](auto& ctx) { auto e = make(ast::Op::Literal, origin_of(ctx)); e->literal = Node::boolean(false, e->origin); x3::_val(ctx) = e; })] |
    mark >> kw("null")[([](auto& ctx) { auto e = make(ast::Op::Literal, origin_of(ctx)); e->literal = Node::null(e->origin); x3::_val(ctx) = e; })] |
    call_expr[assign] |
    mark >> ident[([](auto& ctx) {
        auto e = make(ast::Op::Var, origin_of(ctx));
        e->name = x3::_attr(ctx);
        x3::_val(ctx) = e;
    })] |
    list_lit[assign] | object_lit[assign] | (x3::lit('(') > expr > ')')[assign];

BOOST_SPIRIT_DEFINE(expr, and_expr, not_expr, cmp_expr, sum_expr, term_expr, unary_expr, postfix_expr, primary,
                    list_lit, object_lit, call_expr, ident, item_name, string_lit, cmp_op, object_key)

// ---- items and properties ------------------------------------------------------------

x3::rule<class property_r, ast::Property> const property = "a property (name = value;)";
x3::rule<class item_r, ast::Item> const item = "an item: resource, operation, rule, effect, set, listing, client, product, cli_api, route, oos_action or terraform_resource";

const auto key_action = [](auto& ctx) {
    x3::_val(ctx).key = x3::_attr(ctx);
    x3::_val(ctx).key_origin = origin_of(ctx);
};
const auto value_action = [](auto& ctx) { x3::_val(ctx).value = x3::_attr(ctx); };

const auto for_property = kw("for")[([](auto& ctx) { x3::_val(ctx).form = ast::PropertyForm::For; })] >
                          mark >> ident[key_action] > kw("in") > expr[value_action] > ';';
const auto let_property = kw("let")[([](auto& ctx) { x3::_val(ctx).form = ast::PropertyForm::Let; })] >
                          mark >> ident[key_action] > '=' > expr[value_action] > ';';
const auto set_property = mark >> kw("set")[([](auto& ctx) {
                              x3::_val(ctx).form = ast::PropertyForm::Set;
                              x3::_val(ctx).key = "set";
                              x3::_val(ctx).key_origin = origin_of(ctx);
                          })] >
                          postfix_expr[([](auto& ctx) { x3::_val(ctx).target = x3::_attr(ctx); })] > '=' >
                          expr[value_action] > ';';
const auto plain_property = mark >> ident[key_action] > '=' > expr[value_action] > ';';

const auto property_def = for_property | let_property | set_property | plain_property;

x3::rule<class item_kind_r, std::string> const item_kind = "an item: resource, operation, rule, effect, set, listing, client, product, cli_api, route, oos_action or terraform_resource";
const auto item_kind_def = x3::lexeme[(x3::string("resource") | x3::string("operation") | x3::string("rule") |
                                   x3::string("effect") | x3::string("set") | x3::string("listing") | x3::string("client") |
                                   x3::string("product") | x3::string("cli_api") | x3::string("route") | x3::string("oos_action") |
                                   x3::string("terraform_resource")) >> !word_char];

const auto item_def = mark >> item_kind[([](auto& ctx) {
                          x3::_val(ctx).kind = x3::_attr(ctx);
                          x3::_val(ctx).origin = origin_of(ctx);
                      })] > mark >
                      item_name[([](auto& ctx) {
                          x3::_val(ctx).name = x3::_attr(ctx);
                          x3::_val(ctx).name_origin = origin_of(ctx);
                      })] >
                      '{' > *property[([](auto& ctx) { x3::_val(ctx).properties.push_back(x3::_attr(ctx)); })] > '}';

BOOST_SPIRIT_DEFINE(property, item, item_kind)

const blank_skipper skipper;

// What stands at `p`, for "found ..." in messages; `end_name` names the end of the text.
std::string describe_found(It p, It end, const char* end_name = "the end of the file") {
    p = skip_blanks(p, end);
    if (p >= end) return end_name;
    It q = p;
    if (std::isalnum(static_cast<unsigned char>(*q)) || *q == '_') {
        while (q < end && (std::isalnum(static_cast<unsigned char>(*q)) || *q == '_' || *q == '.' || *q == '-')) ++q;
    } else {
        // One character: a multi-byte UTF-8 one whole (é, not its first byte shown as U+FFFD).
        size_t i = 0;
        next_code_point(std::string_view(p, static_cast<size_t>(end - p)), i);
        q = p + i;
    }
    std::string tok(p, std::min<size_t>(static_cast<size_t>(q - p), 40));
    return "'" + tok + "'";
}

// Rejects nesting deeper than the limit before X3 recurses into it. One pass over the
// text; a byte table sends the common case (nothing to count) straight to the next byte.
void check_nesting(const SourceFile& f, uint32_t base_offset, std::string_view text, size_t limit, size_t allowance) {
    enum : uint8_t { Plain, Comment, Quote, Open, Close };
    static constexpr auto table = [] {
        std::array<uint8_t, 256> t{};
        t['#'] = Comment, t['"'] = Quote;
        t['('] = t['['] = t['{'] = Open;
        t[')'] = t[']'] = t['}'] = Close;
        return t;
    }();
    const char* p = text.data();
    const char* const end = p + text.size();
    size_t depth = 0;
    while (p < end) {
        switch (table[static_cast<unsigned char>(*p)]) {
            case Plain: ++p; break;
            case Comment: {
                const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
                p = nl ? static_cast<const char*>(nl) + 1 : end;
                break;
            }
            case Quote:  // to the closing quote or the line's end (an unclosed string is the parser's to report)
                for (++p; p < end; ++p) {
                    if (*p == '\\') {  // the escaped byte is skipped too
                        if (++p == end) break;
                        continue;
                    }
                    if (*p == '"' || *p == '\n') { ++p; break; }
                }
                break;
            case Open:
                if (++depth > limit + allowance)
                    throw InputError(f.path(), f.position(base_offset + static_cast<uint32_t>(p - text.data())),
                                     "rules.nesting", "brackets nested deeper than " + std::to_string(limit) + " levels");
                ++p;
                break;
            case Close:
                if (depth > 0) --depth;
                ++p;
                break;
        }
    }
}

// X3 names a failed parser by its rule name, or, for a parser with a semantic action, by
// its C++ type; the type still contains the rule's tag, which names it for people.
std::string readable(const std::string& which) {
    if (which.find("boost") == std::string::npos) return which;
    static const std::pair<const char*, const char*> names[] = {
        {"item_kind_r", "an item: resource, operation, rule, effect, set, listing, client, product, cli_api, route, oos_action or terraform_resource"},
        {"property_r", "a property (name = value;)"},
        {"object_key_r", "a key"},
        {"name_r", "a name"},
        {"ident_r", "an identifier"},
        {"string_r", "a string"},
        {"cmp_op_r", "a comparison"},
        {"_r", "an expression"},
    };
    for (const auto& [tag, name] : names)
        if (which.find(tag) != std::string::npos) return name;
    return "valid syntax";
}

// Why the grammar stopped: where, the error id and the message. `at_end`: it wanted more
// where the text it was given ends; `in_string`: a string literal was not closed.
struct SyntaxFailure {
    It at;
    std::string id;
    std::string message;
    bool at_end = false;
    bool in_string = false;
};

// Parses [first, last) with `p` into `attr`; `first` moves past what was read. `base` is the
// first byte of the parsed text, at offset `shift` of file `file_id`; `text_end` ends that
// text (what "found ..." describes may lie past `last`). `whole`: [first, last) must be read
// entirely. Returns why it failed, or nothing.
template <typename Parser, typename Attr>
std::optional<SyntaxFailure> run_parser(It base, uint32_t file_id, uint32_t shift, It& first, It last, It text_end,
                                        const Parser& p, Attr& attr, const char* expected, bool whole,
                                        const char* end_name = "the end of the file") {
    It mark_slot = first;
    auto grammar = x3::with<base_tag>(base)[x3::with<file_tag>(file_id)[x3::with<shift_tag>(shift)[
        x3::with<mark_tag>(std::ref(mark_slot))[p]]]];
    try {
        bool ok = x3::phrase_parse(first, last, grammar, skipper, attr);
        if (!ok || (whole && skip_blanks(first, last) != last)) {
            It at = skip_blanks(first, last);
            return SyntaxFailure{at, "rules.syntax", std::string("expected ") + expected + ", found " + describe_found(at, text_end, end_name),
                                 at == last, false};
        }
    } catch (const x3::expectation_failure<It>& e) {
        std::string which = readable(e.which());
        // Inside a string (a missing closing quote) the place is where the string stops,
        // not the next token.
        const bool in_string = which == "'\"'";
        It at = in_string ? e.where() : skip_blanks(e.where(), last);
        std::string found = in_string && at < text_end && *at == '\n' ? std::string("the end of the line") : describe_found(at, text_end, end_name);
        return SyntaxFailure{at, "rules.syntax", "expected " + which + ", found " + found, skip_blanks(at, last) == last, in_string};
    } catch (const DuplicateKey& d) {
        return SyntaxFailure{base + (d.origin.offset - shift), "rules.duplicate", "key '" + d.key + "' given twice in one object (the value of the first would be the only one read)",
                             false, false};
    } catch (const TooDeep& d) {
        return SyntaxFailure{base + (d.origin.offset - shift), "rules.nesting",
                             "expression nested deeper than " + std::to_string(kMaxExpressionDepth) +
                                 " levels (operator chains and member paths count)",
                             false, false};
    }
    return std::nullopt;
}

// ---- recovery -------------------------------------------------------------------------

constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
constexpr bool is_word(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// When an item header starts at `p` ("rule NAME {", the brace maybe on a later line), its
// name; else "". `want_brace`: the '{' must follow (what tells the `set` item from the
// `set x.y = ...;` property).
std::string item_header(It p, It end, bool want_brace) {
    static constexpr std::string_view kinds[] = {"resource", "operation", "rule",    "effect", "set",
                                                 "listing",  "client",    "product", "cli_api", "route", "oos_action", "terraform_resource"};
    for (std::string_view k : kinds) {
        if (static_cast<size_t>(end - p) <= k.size() || std::string_view(p, k.size()) != k || !is_space(p[k.size()])) continue;
        It q = p + k.size();
        while (q < end && is_space(*q)) ++q;
        It name = q;
        if (q == end || !(is_word(*q) && !(*q >= '0' && *q <= '9'))) return {};
        while (q < end && (is_word(*q) || *q == '-' || *q == '.')) ++q;
        std::string n(name, q);
        if (!want_brace) return n;
        q = skip_blanks(q, end);
        return q < end && *q == '{' ? n : std::string();
    }
    return {};
}

// Where the next item starts: the first line after the one `p` is on whose first word (after
// blanks) begins an item header; `end` when there is none. Strings and comments end at
// the line's end, so a line start is always outside them.
It next_item_start(It p, It end) {
    for (;;) {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (!nl) return end;
        p = static_cast<It>(nl) + 1;
        It q = p;
        while (q < end && is_space(*q)) ++q;
        if (q < end && (*q == 'r' || *q == 'o' || *q == 'e' || *q == 's' || *q == 'l' || *q == 'c' || *q == 'p' || *q == 't') &&
            !item_header(q, end, true).empty())
            return q;
    }
}

// The brackets of [p, last), outside strings and comments: those still open at `last`,
// and where the first '{' closes (nullptr: not before `last`). A '}' closes the innermost
// '{' (brackets left open inside it are dropped); ')' and ']' close only their own kind.
struct Brackets {
    std::vector<It> open;
    It item_close = nullptr;
};
Brackets scan_brackets(It p, It last) {
    Brackets b;
    while (p < last) {
        const char c = *p;
        if (c == '#') {
            const void* nl = std::memchr(p, '\n', static_cast<size_t>(last - p));
            p = nl ? static_cast<It>(nl) : last;
            continue;
        }
        if (c == '"') {
            for (++p; p < last && *p != '"' && *p != '\n'; ++p)
                if (*p == '\\' && p + 1 < last && p[1] != '\n') ++p;
            if (p < last && *p == '"') ++p;
            continue;
        }
        if (c == '{' || c == '(' || c == '[') {
            b.open.push_back(p);
        } else if (c == '}') {
            auto it = std::find_if(b.open.rbegin(), b.open.rend(), [](It o) { return *o == '{'; });
            if (it != b.open.rend()) {
                b.open.erase(std::prev(it.base()), b.open.end());
                if (b.open.empty()) {
                    b.item_close = p;
                    return b;
                }
            }
        } else if ((c == ')' || c == ']') && !b.open.empty() && *b.open.back() == (c == ')' ? '(' : '[')) {
            b.open.pop_back();
        }
        ++p;
    }
    return b;
}

}  // namespace

ParsedItems parse_rule_items(const SourceRegistry& sources, uint32_t file_id, RuleErrors& errors, const RuleParseLimits& limits) {
    ParsedItems out;
    const SourceFile& f = sources.file(file_id);
    try {
        if (f.text().size() > limits.max_bytes)
            throw InputError(f.path(), {}, "rules.too-large",
                             "rule file is " + std::to_string(f.text().size()) + " bytes; the limit is " +
                                 std::to_string(limits.max_bytes));
    } catch (const InputError& e) {
        errors.add(file_id, e);
        out.complete = false;
        return out;
    }
    const It base = f.text().data();
    const It end = base + f.text().size();
    auto origin = [&](It at) { return Origin{file_id, static_cast<uint32_t>(at - base)}; };
    // A byte order mark at the start (an editor's UTF-8 file) is no item: skipped, as plans'.
    const It start = f.text().starts_with("\xEF\xBB\xBF") ? base + 3 : base;
    for (It p = skip_blanks(start, end); p < end; p = skip_blanks(p, end)) {
        // The grammar sees this item's text only: a missing '}' shows where the next item starts.
        const It region_end = next_item_start(p, end);
        try {
            // Before X3 recurses into the item (an unclosed item counts only once).
            check_nesting(f, static_cast<uint32_t>(p - base), std::string_view(p, static_cast<size_t>(region_end - p)),
                          limits.max_nesting, 1);  // +1: the item's own braces
        } catch (const InputError& e) {
            errors.add(file_id, e);
            if (std::string name = item_header(p, end, false); !name.empty()) out.broken.push_back(std::move(name));
            p = region_end;
            continue;
        }
        ast::Item parsed;
        It first = p;
        auto failure = run_parser(base, file_id, 0, first, region_end, end, item, parsed,
                                  "an item (resource, operation, rule, effect, set, listing, client, product, cli_api, route, oos_action or terraform_resource)", false);
        if (!failure) {
            out.items.push_back(std::move(parsed));
            p = first;
            continue;
        }
        if (std::string name = item_header(p, end, false); !name.empty()) out.broken.push_back(std::move(name));
        const Brackets b = scan_brackets(p, region_end);
        const std::string until = region_end == end ? std::string("the end of the file")
                                                    : "the next item (line " + std::to_string(f.position(origin(region_end).offset).line) + ")";
        auto unclosed = [&](It o) {
            const char close = *o == '{' ? '}' : *o == '(' ? ')' : ']';
            errors.add(origin(o), "rules.unclosed", std::string("'") + *o + "' is not closed: no '" + close + "' before " + until);
        };
        if (failure->at_end && !failure->in_string && !b.open.empty()) {
            // The text ran out with brackets open: the error is where each one opens.
            for (It o : b.open) unclosed(o);
        } else {
            errors.add(origin(failure->at), failure->id, failure->message);
            // The item is not closed before the next one either: said once, at its brace
            // (brackets inside it may be open only because of the error above).
            if (!failure->at_end && !failure->in_string && !b.item_close && !b.open.empty() && *b.open.front() == '{') unclosed(b.open.front());
        }
        p = b.item_close ? b.item_close + 1 : region_end;
    }
    return out;
}

std::vector<ast::Item> parse_rule_file(const SourceRegistry& sources, uint32_t file_id, const RuleParseLimits& limits) {
    RuleErrors errors(sources);
    ParsedItems parsed = parse_rule_items(sources, file_id, errors, limits);
    errors.throw_if_any();
    return std::move(parsed.items);
}

ast::ExprPtr parse_expression(const SourceRegistry& sources, uint32_t file_id, uint32_t offset, std::string_view text) {
    const SourceFile& f = sources.file(file_id);
    check_nesting(f, offset, text, RuleParseLimits{}.max_nesting, 0);
    ast::ExprPtr e;
    It first = text.data();
    const It last = first + text.size();
    if (auto failure = run_parser(text.data(), file_id, offset, first, last, last, expr, e, "the end of the expression", true,
                                  "the end of the expression"))
        throw InputError(f.path(), f.position(offset + static_cast<uint32_t>(failure->at - text.data())), failure->id,
                         failure->message);
    return e;
}

}  // namespace opguard
