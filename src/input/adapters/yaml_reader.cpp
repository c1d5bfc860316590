#include "input/adapters/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <set>
#include <string_view>

#include "core/diagnostic.hpp"
#include "core/redact.hpp"

namespace opguard::adapters {

namespace {

class Converter {
public:
    Converter(const SourceFile& f, uint32_t id) : file_(f), id_(id) {
        const std::string_view t = f.text();
        starts_.push_back(0);
        for (size_t i = 0; i < t.size(); ++i)
            if (t[i] == '\n') starts_.push_back(static_cast<uint32_t>(i + 1));
        budget_ = kYamlExpansionFloor + kYamlExpansionFactor * t.size();
    }

    // yaml-cpp marks are 0-based line and column; the offset is computed from our own line
    // table so that it agrees with every other position opguard prints.
    Origin origin(const YAML::Mark& m) const {
        if (m.line < 0 || static_cast<size_t>(m.line) >= starts_.size()) return Origin{id_, 0};
        return Origin{id_, starts_[static_cast<size_t>(m.line)] + static_cast<uint32_t>(std::max(0, m.column))};
    }
    Position position(const YAML::Mark& m) const { return file_.position(origin(m).offset); }

    Node convert(const YAML::Node& n, int depth = 0) {
        if (depth > 256) throw InputError(file_.path(), position(n.Mark()), "yaml.depth", "YAML nested deeper than 256 levels");
        Origin o = origin(n.Mark());
        charge(n, 1);
        switch (n.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null: return Node::null(o);
            case YAML::NodeType::Scalar: charge(n, n.Scalar().size()); return scalar(n, o);
            case YAML::NodeType::Sequence: {
                Node out = Node::array({}, o);
                for (const auto& item : n) out.items().push_back(convert(item, depth + 1));
                return out;
            }
            case YAML::NodeType::Map: {
                Node out = Node::object({}, o);
                std::set<std::string> seen;
                std::vector<std::pair<YAML::Node, YAML::Node>> merges;  // `<<: *base` (key, value), in order
                for (const auto& kv : n) {
                    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first);
                    charge(kv.first, key.size() + 1);
                    // The merge key of YAML 1.1 (plain `<<`, not a quoted "<<"): its mapping's
                    // keys join this one unless given here.
                    if (kv.first.IsScalar() && key == "<<" && kv.first.Tag() != "!") {
                        merges.emplace_back(kv.first, kv.second);
                        continue;
                    }
                    if (!seen.insert(key).second)
                        throw InputError(file_.path(), position(kv.first.Mark()), "yaml.duplicate-key",
                                         "key '" + key + "' is given twice in one mapping");
                    Node v = convert(kv.second, depth + 1);
                    // `key:` with nothing after it: yaml-cpp has no mark for the missing value.
                    if (kv.second.IsNull() && kv.second.Mark().line < 0) v.origin = origin(kv.first.Mark());
                    out.members().emplace_back(key, std::move(v));
                }
                // `<<: *a` or `<<: [*a, *b]`: keys given in this mapping win, then the earlier
                // mapping of the list wins over a later one.
                for (const auto& [key, value] : merges) {
                    std::vector<YAML::Node> sources;
                    if (value.IsMap()) sources.push_back(value);
                    else if (value.IsSequence()) for (const auto& m : value) sources.push_back(m);
                    bool ok = !sources.empty() || value.IsSequence();
                    for (const auto& m : sources) ok = ok && m.IsMap();
                    if (!ok)
                        throw InputError(file_.path(), position(value.Mark().line >= 0 ? value.Mark() : key.Mark()), "yaml.merge",
                                         "the merge key << takes a mapping or a list of mappings (such as <<: *base or <<: [*a, *b])");
                    for (const auto& m : sources) {
                        Node merged = convert(m, depth + 1);
                        for (auto& [k, v] : merged.members())
                            if (seen.insert(k).second) out.members().emplace_back(k, std::move(v));
                    }
                }
                return out;
            }
        }
        return Node::null(o);
    }

private:
    // Every value and key produced, and every character of their text, counts against a
    // budget linear in the file's size, so aliases that refer to aliases cannot expand it
    // without bound ("billion laughs").
    void charge(const YAML::Node& n, size_t units) {
        used_ += units;
        if (used_ > budget_)
            throw InputError(file_.path(), position(n.Mark().line >= 0 ? n.Mark() : last_mark_), "yaml.expansion-limit",
                             "YAML aliases expand this file beyond " + std::to_string(budget_) +
                                 " values and characters (opguard's limit: " + std::to_string(kYamlExpansionFloor) + " + " +
                                 std::to_string(kYamlExpansionFactor) + " per byte of the file); write the values out instead");
        if (n.Mark().line >= 0) last_mark_ = n.Mark();
    }

    // YAML 1.2 core schema, without std::regex (which recurses once per character).
    static bool is_int(std::string_view s) {
        size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
        if (i == s.size()) return false;
        for (; i < s.size(); ++i)
            if (s[i] < '0' || s[i] > '9') return false;
        return true;
    }
    static bool is_float(std::string_view s) {
        size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
        size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') { ++i; ++digits; }
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') { ++i; ++digits; }
        }
        if (digits == 0) return false;
        if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
            ++i;
            if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
            size_t exp = 0;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') { ++i; ++exp; }
            if (exp == 0) return false;
        }
        return i == s.size();
    }

    static Node scalar(const YAML::Node& n, Origin o) {
        const std::string& s = n.Scalar();
        const std::string& tag = n.Tag();
        if (tag == "!" || tag == "tag:yaml.org,2002:str") return Node::string(s, o);
        if (tag != "?" && !tag.empty() && tag.rfind("tag:yaml.org,2002:", 0) != 0) return Node::string(s, o);
        if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Node::null(o);
        if (s == "true" || s == "True" || s == "TRUE") return Node::boolean(true, o);
        if (s == "false" || s == "False" || s == "FALSE") return Node::boolean(false, o);
        if (is_int(s) || is_float(s)) return Node::number(std::strtod(s.c_str(), nullptr), o);
        if (s == ".inf" || s == "+.inf" || s == ".Inf") return Node::number(HUGE_VAL, o);
        return Node::string(s, o);
    }

    const SourceFile& file_;
    uint32_t id_;
    std::vector<uint32_t> starts_;
    size_t budget_ = 0;
    size_t used_ = 0;
    YAML::Mark last_mark_ = YAML::Mark::null_mark();
};

}  // namespace

// yaml-cpp's parser recurses once per nesting level: refuse input nested deeper than any
// template needs before handing it over (flow [ { nesting, and "- - - x" or deep
// indentation on one line), as the JSON reader does.
static void check_depth(const SourceFile& f) {
    const std::string_view t = f.text();
    size_t flow = 0, line = 1, col_start = 0;
    bool in_single = false, in_double = false;
    // Indentation and "- " / "? " / ": " at a line's start each open a level.
    auto line_start = [&](size_t j) {
        size_t nest = 0;
        while (j < t.size() && (t[j] == ' ' || t[j] == '-' || t[j] == '?' || t[j] == ':')) nest += t[j++] != ' ' ? 8 : 1;
        if (nest > 2048) throw InputError(f.path(), Position{static_cast<uint32_t>(line), 1}, "yaml.depth", "YAML nested too deep");
    };
    line_start(0);
    for (size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        if (c == '\n') {
            ++line;
            col_start = i + 1;
            in_single = in_double = false;
            line_start(i + 1);
            continue;
        }
        if (in_single) { if (c == '\'') in_single = false; continue; }
        if (in_double) { if (c == '\\') ++i; else if (c == '"') in_double = false; continue; }
        // A quote opens a quoted scalar only where a token starts (a' inside a plain scalar
        // is text): counting a bracket too many is safe, one too few is not.
        const bool token_start = i == col_start || t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '[' || t[i - 1] == '{' || t[i - 1] == ',';
        if (c == '\'' && token_start) in_single = true;
        else if (c == '"' && token_start) in_double = true;
        else if (c == '#' && (i == 0 || t[i - 1] == ' ')) { while (i + 1 < t.size() && t[i + 1] != '\n') ++i; }
        else if (c == '[' || c == '{') {
            if (++flow > 256)
                throw InputError(f.path(), Position{static_cast<uint32_t>(line), static_cast<uint32_t>(i - col_start + 1)}, "yaml.depth",
                                 "YAML nested deeper than 256 levels");
        } else if ((c == ']' || c == '}') && flow > 0) --flow;
    }
}

Node read_yaml(const SourceRegistry& sources, uint32_t file_id) {
    const SourceFile& f = sources.file(file_id);
    check_depth(f);
    Converter c(f, file_id);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(f.text()));
    } catch (const YAML::DeepRecursion& e) {
        throw InputError(f.path(), e.mark.is_null() ? Position{} : c.position(e.mark), "yaml.depth",
                         "YAML nested deeper than yaml-cpp's limit of " + std::to_string(e.depth()) + " levels");
    } catch (const YAML::Exception& e) {
        // yaml-cpp may quote a character of the input ("unknown escape character: q"): not beside a secret.
        const bool near = !e.mark.is_null() && e.mark.pos >= 0 && excerpt_near_secret("", f.text(), static_cast<size_t>(e.mark.pos));
        throw InputError(f.path(), e.mark.is_null() ? Position{} : c.position(e.mark), "yaml.syntax",
                         near ? "YAML syntax error in or beside a secret value (its text is not shown)" : e.msg);
    }
    return c.convert(root);
}

}  // namespace opguard::adapters
