#include "input/adapters/cli_args.hpp"

namespace opguard::adapters {

bool WordPart::unresolved() const {
    if (!word) return false;
    uint32_t from = word->offset_of(pos);
    for (const auto& [b, e] : word->expansions)
        if (e > from) return true;
    return false;
}

std::string WordPart::written(std::string_view script) const {
    if (!word) return {};
    if (pos == 0) return adapters::written(script, *word);
    // From just after the splitter (--Name=...), so an opening quote is shown.
    uint32_t b = word->offset_of(pos - 1) + 1;
    std::string why = why_unresolved(*word, b);
    if (!why.empty()) why = " (" + why + ")";
    if (b >= word->end || word->end > script.size()) return text() + why;
    return std::string(script.substr(b, word->end - b)) + why;
}

uint32_t WordPart::offset() const {
    if (!word) return 0;
    // Where the value is written: the word's first byte (an opening quote included), or the
    // byte after the splitter of --Name=value.
    return pos == 0 ? word->begin : word->offset_of(pos - 1) + 1;
}

const ShellWord* first_unresolved(const std::vector<const ShellWord*>& words) {
    for (const ShellWord* w : words)
        if (w->unresolved()) return w;
    return nullptr;
}

Node located(const std::string& s, uint32_t file, uint32_t offset) { return Node::string(s, Origin{file, offset}); }

namespace {

bool looks_like_flag(const ShellWord& w) {
    const std::string& t = w.text;
    if (t.size() < 2 || t[0] != '-') return false;
    if (t.rfind("---", 0) == 0) return false;  // "---x" is a value (cli/parser.go)
    return true;
}

}  // namespace

CliArgs parse_cli_args(const std::vector<ShellWord>& words, size_t first, const std::string& splitters,
                       const std::function<FlagMode(const std::string&, bool)>& mode) {
    CliArgs out;
    size_t i = first;
    while (i < words.size()) {
        const ShellWord& w = words[i];
        if (!looks_like_flag(w)) {
            out.positionals.push_back(&w);
            ++i;
            continue;
        }
        CliFlag f;
        f.at = w.begin;
        size_t split = w.text.find_first_of(splitters);
        std::string prefix = split == std::string::npos ? w.text : w.text.substr(0, split);
        bool shorthand = false;
        if (prefix.rfind("--", 0) == 0) {
            f.name = prefix.substr(2);
            if (f.name.empty()) {
                out.problems.push_back({prefix, "not support '--' in command line", w.begin});
                ++i;
                continue;
            }
        } else if (prefix.size() == 2) {
            f.name = prefix.substr(1);
            shorthand = true;
        } else {
            out.problems.push_back({prefix, "not support flag form " + prefix, w.begin});
            ++i;
            continue;
        }
        f.spelled = prefix;
        // A flag name built from an expansion (--$NAME) cannot be known.
        uint32_t name_end = split == std::string::npos ? w.end : w.offset_of(split);
        for (const auto& [b, e] : w.expansions)
            if (b < name_end) f.name_unresolved = true;
        FlagMode m = mode(f.name, shorthand);
        ++i;
        bool inline_value = split != std::string::npos && split + 1 < w.text.size();
        if (inline_value) f.values.push_back(WordPart{&w, split + 1});
        if (m == FlagMode::None) {
            if (inline_value) out.problems.push_back({prefix, "flag " + prefix + " can't be assigned", w.begin});
        } else if (m == FlagMode::Repeatable) {
            while (i < words.size() && !looks_like_flag(words[i])) f.values.push_back(WordPart{&words[i++], 0});
        } else if (!inline_value) {
            if (i < words.size() && !looks_like_flag(words[i])) {
                f.values.push_back(WordPart{&words[i++], 0});
            } else {
                f.missing_value = true;
                out.problems.push_back({prefix, prefix + " must be assigned with value", w.begin});
            }
        }
        out.flags.push_back(std::move(f));
    }
    return out;
}

}  // namespace opguard::adapters
