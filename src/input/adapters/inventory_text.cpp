#include "input/adapters/inventory_text.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/diagnostic.hpp"

namespace opguard::adapters {

namespace {

std::vector<std::string_view> first_lines(std::string_view t, size_t n) {
    std::vector<std::string_view> out;
    size_t b = 0;
    while (b < t.size() && out.size() < n) {
        size_t e = t.find('\n', b);
        if (e == std::string_view::npos) e = t.size();
        std::string_view line = t.substr(b, e - b);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") != std::string_view::npos) out.push_back(line);
        b = e + 1;
    }
    return out;
}

// "-----+-------", "+----+----+", "--------- | -------": a table rule line.
bool rule_line(std::string_view l) {
    size_t dashes = static_cast<size_t>(std::count(l.begin(), l.end(), '-'));
    return dashes >= 3 && std::all_of(l.begin(), l.end(), [](char c) { return c == '-' || c == '+' || c == '|' || c == ' ' || c == '=' || c == '\t'; });
}

}  // namespace

void reject_cli_text_output(const std::string& path, std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || text[first] == '{' || text[first] == '[') return;
    std::string_view head = text.substr(0, 8192);
    auto fail = [&](const std::string& what, const std::string& fix) {
        throw InputError(path, {}, "inventory.text-output", "this is " + what + ", not JSON; opguard reads the JSON the CLI prints by default: " + fix);
    };
    if (head.find("Skip invoke in dry-run mode") != std::string_view::npos || head.find("eliminated in dry-run mode") != std::string_view::npos)
        fail("the text a CLI prints with --dryrun (a request, not a response)", "save the output of the command run without --dryrun");
    auto lines = first_lines(head, 20);
    size_t piped = static_cast<size_t>(std::count_if(lines.begin(), lines.end(), [](std::string_view l) { return l.find('|') != std::string_view::npos; }));
    bool ruled = std::any_of(lines.begin(), lines.end(), rule_line);
    if (ruled || piped >= 2)
        fail("a text table (aliyun --output cols=..., or hcloud --cli-output=table)",
             "run the command again without --output (aliyun; --cli-query is fine) or with --cli-output=json (hcloud)");
    size_t tabbed = static_cast<size_t>(std::count_if(lines.begin(), lines.end(), [](std::string_view l) { return l.find('\t') != std::string_view::npos; }));
    if (tabbed >= 1 && tabbed == lines.size())
        fail("tab-separated text (hcloud --cli-output=tsv)", "run the command again with --cli-output=json");
}

}  // namespace opguard::adapters
