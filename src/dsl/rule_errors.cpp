#include "dsl/rule_errors.hpp"

#include "core/suggest.hpp"
#include "core/text_safety.hpp"

#include <algorithm>
#include <tuple>


namespace opguard {

namespace {

std::string listing(const std::vector<InputError>& errors, size_t total) {
    std::string out;
    const size_t shown = std::min(errors.size(), RuleErrors::kPrinted);
    for (size_t i = 0; i < shown; ++i) {
        if (i) out += '\n';
        out += errors[i].InputError::what();
    }
    if (total > shown)
        out += "\nopguard: " + std::to_string(total - shown) + " more error" + (total - shown == 1 ? "" : "s") +
               " in rule files not shown (the first " + std::to_string(shown) + " are)";
    return out;
}

}  // namespace

RuleErrorList::RuleErrorList(std::vector<InputError> errors, size_t total)
    : InputError(errors.front()), errors_(std::move(errors)), total_(total), text_(listing(errors_, total_)) {}

namespace {
// A message quotes the rule file (a name, a literal): a hostile file's 3 MB identifier is
// shown by its start, not as a 3 MB line.
std::string bounded(std::string_view message) { return shortened(message, RuleErrors::kMaxMessage, RuleErrors::kMaxMessage / 2); }
}  // namespace

void RuleErrors::add(Origin o, std::string id, std::string message) {
    ++total_;
    if (kept_.size() >= kKept) return;
    const SourceFile& f = sources_.file(o.file);
    kept_.push_back({o.file, f.position(o.offset), std::move(id), bounded(message)});
}

void RuleErrors::add(uint32_t file, const InputError& e) {
    ++total_;
    if (kept_.size() >= kKept) return;
    kept_.push_back({file, e.position(), e.id(), bounded(e.message())});
}

void RuleErrors::throw_if_any() const {
    if (kept_.empty()) return;
    std::vector<RuleError> sorted = kept_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const RuleError& a, const RuleError& b) {
        return std::tie(a.file, a.pos.line, a.pos.column) < std::tie(b.file, b.pos.line, b.pos.column);
    });
    // The same error reached twice (an expression shared by several checks) is printed once.
    size_t total = total_;
    std::vector<InputError> errors;
    for (size_t i = 0; i < sorted.size(); ++i) {
        const RuleError& e = sorted[i];
        if (i && std::tie(e.file, e.pos.line, e.pos.column, e.id, e.message) ==
                     std::tie(sorted[i - 1].file, sorted[i - 1].pos.line, sorted[i - 1].pos.column, sorted[i - 1].id,
                              sorted[i - 1].message)) {
            --total;
            continue;
        }
        errors.emplace_back(sources_.file(e.file).path(), e.pos, e.id, e.message);
    }
    throw RuleErrorList(std::move(errors), total);
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
    if (name.size() < 3) return {};
    auto low = [](std::string x) {
        for (auto& c : x)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return x;
    };
    const std::string a = low(name);
    const size_t limit = std::max<size_t>(1, a.size() / 3);
    std::string best;
    size_t best_distance = limit + 1;
    for (const auto& c : candidates) {
        const std::string b = low(c);
        if (c == name || (b.size() > a.size() ? b.size() - a.size() : a.size() - b.size()) >= best_distance) continue;
        if (const size_t d = edit_distance(a, b); d < best_distance) {  // ties go to the first candidate
            best_distance = d;
            best = c;
        }
    }
    return best.empty() ? std::string() : " (did you mean '" + best + "'?)";
}

}  // namespace opguard
