// Where each rule is documented: docs/rules.md (written by `opguard rules doc`), one
// heading per rule id. SARIF's helpUri and the rule reference's table of contents link to
// the same anchors, made here once.
#include <cctype>
#include <string>

#include "report/render.hpp"

#ifndef OPGUARD_HOMEPAGE
#define OPGUARD_HOMEPAGE "https://github.com/opguard/opguard"
#endif

namespace opguard {

const std::string& project_homepage() {
    static const std::string home = OPGUARD_HOMEPAGE;
    return home;
}

// GitHub's (and GitLab's) heading anchors: lower case; letters, digits, '-' and '_' kept,
// spaces become '-', everything else (the dots of a rule id) is dropped.
std::string rule_anchor(const std::string& rule_id) {
    std::string a;
    for (unsigned char c : rule_id) {
        if (std::isalnum(c) || c == '-' || c == '_') a += static_cast<char>(std::tolower(c));
        else if (c == ' ') a += '-';
    }
    return a;
}

std::string rule_doc_uri(const std::string& rule_id) {
    return project_homepage() + "/blob/main/docs/rules.md#" + rule_anchor(rule_id);
}

}  // namespace opguard
