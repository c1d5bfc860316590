#include "input/adapters/yaml_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>

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
        switch (n.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null: return Node::null(o);
            case YAML::NodeType::Scalar: return scalar(n, o);
            case YAML::NodeType::Sequence: {
                Node out = Node::array({}, o);
                for (const auto& item : n) out.items().push_back(convert(item, depth + 1));
                return out;
            }
            case YAML::NodeType::Map: {
                Node out = Node::object({}, o);
                std::set<std::string> seen;
                for (const auto& kv : n) {
                    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first);
                    if (!seen.insert(key).second)
                        throw InputError(file_.path(), position(kv.first.Mark()), "yaml.duplicate-key",
                                         "key '" + key + "' is given twice in one mapping");
                    Node v = convert(kv.second, depth + 1);
                    // `key:` with nothing after it: yaml-cpp has no mark for the missing value.
                    if (kv.second.IsNull() && kv.second.Mark().line < 0) v.origin = origin(kv.first.Mark());
                    out.members().emplace_back(key, std::move(v));
                }
                return out;
            }
        }
        return Node::null(o);
    }

private:
    static Node scalar(const YAML::Node& n, Origin o) {
        const std::string& s = n.Scalar();
        const std::string& tag = n.Tag();
        if (tag == "!" || tag == "tag:yaml.org,2002:str") return Node::string(s, o);
        if (tag != "?" && !tag.empty() && tag.rfind("tag:yaml.org,2002:", 0) != 0) return Node::string(s, o);
        static const std::regex kInt(R"([-+]?[0-9]+)");
        static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
        if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Node::null(o);
        if (s == "true" || s == "True" || s == "TRUE") return Node::boolean(true, o);
        if (s == "false" || s == "False" || s == "FALSE") return Node::boolean(false, o);
        if (std::regex_match(s, kInt) || std::regex_match(s, kFloat)) return Node::number(std::strtod(s.c_str(), nullptr), o);
        if (s == ".inf" || s == "+.inf" || s == ".Inf") return Node::number(HUGE_VAL, o);
        return Node::string(s, o);
    }

    const SourceFile& file_;
    uint32_t id_;
    std::vector<uint32_t> starts_;
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
        if (c == '\'') in_single = true;
        else if (c == '"') in_double = true;
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
    } catch (const YAML::Exception& e) {
        // yaml-cpp may quote a character of the input ("unknown escape character: q"): not beside a secret.
        const bool near = !e.mark.is_null() && e.mark.pos >= 0 && excerpt_near_secret("", f.text(), static_cast<size_t>(e.mark.pos));
        throw InputError(f.path(), e.mark.is_null() ? Position{} : c.position(e.mark), "yaml.syntax",
                         near ? "YAML syntax error in or beside a secret value (its text is not shown)" : e.msg);
    }
    return c.convert(root);
}

}  // namespace opguard::adapters
