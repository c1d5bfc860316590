#include "core/redact.hpp"

#include <cctype>
#include <cstring>
#include "core/text_safety.hpp"

#include <algorithm>
#include <unordered_map>

namespace opguard {

namespace {

bool alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// A character of a written name: "--password.N", "X-Auth-Token", "Password.1".
bool name_char(unsigned char c) { return alnum(c) || c == '_' || c == '-' || c == '.'; }
bool segment_char(unsigned char c) { return alnum(c) || c == '_' || c == '-'; }

// Removes the user-info of every URL in s ("scheme://user:pass@host" => "scheme://[redacted]@host").
bool strip_userinfo(std::string& s) {
    bool changed = false;
    for (size_t at = s.find("://"); at != std::string::npos; at = s.find("://", at + 3)) {
        size_t b = at + 3, e = b;
        while (e < s.size()) {
            unsigned char c = static_cast<unsigned char>(s[e]);
            if (c == '/' || c == '?' || c == '#' || c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\') break;
            ++e;
        }
        size_t last_at = s.rfind('@', e == 0 ? 0 : e - 1);
        if (last_at == std::string::npos || last_at < b || last_at >= e) continue;
        if (s.compare(b, last_at - b, kRedacted) == 0) continue;
        s.replace(b, last_at - b, kRedacted);
        changed = true;
    }
    return changed;
}

void apply_mask(Node& value, const Node& mask) {
    if (mask.is_bool()) {
        if (mask.truthy()) blank_secret(value);
    } else if (mask.is_object() && value.is_object()) {
        for (const auto& [k, m] : mask.members())
            if (Node* v = value.find(k)) apply_mask(*v, m);
    } else if (mask.is_array() && value.is_array()) {
        for (size_t i = 0; i < mask.items().size() && i < value.items().size(); ++i) apply_mask(value.items()[i], mask.items()[i]);
    }
}

bool is_one_of(std::string_view k, std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), k) != list.end();
}

}  // namespace

// ---- names ---------------------------------------------------------------------------------

const std::vector<std::string_view>& builtin_secret_fragments() {
    static const std::vector<std::string_view> v = {
        "password", "passwd",    "passphrase",    "pwd",       "secret",     "token",  "credential",
        "accesskey", "authorization", "signature", "privatekey", "apikey", "cookie", "sessionkey",
    };
    return v;
}

const std::vector<std::string_view>& builtin_not_secret() {
    // ClientToken: an idempotence token the client makes up (WUYING client RebootDesktops);
    // rules compare its value (ecd-client.reboot.client-token, ...-reused). NextToken: the
    // pagination cursor of Describe* calls. PasswordInherit: ECS's boolean "use the image's
    // password" (ReplaceSystemDisk, RunInstances; Terraform password_inherit, OOS
    // passwordInherit), whose value the type checks read and which an OOS template writes as
    // '{{ passwordInherit }}' to be expanded.
    static const std::vector<std::string_view> v = {"clienttoken", "nexttoken", "passwordinherit"};
    return v;
}

const SecretNames& builtin_secret_names() {
    static const SecretNames names;
    return names;
}

std::string SecretNames::normalise(std::string_view word) {
    std::string out;
    out.reserve(word.size());
    for (char c : word) {
        unsigned char u = static_cast<unsigned char>(c);
        if (!alnum(u)) continue;
        out += (u >= 'A' && u <= 'Z') ? static_cast<char>(u - 'A' + 'a') : c;
    }
    return out;
}

void SecretNames::add(std::string_view name) {
    std::string n = normalise(name);
    if (!n.empty()) added_.insert(std::move(n));
}

bool SecretNames::segment_secret(const std::string& n) const {
    if (n.empty() || std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    if (added_.count(n)) return true;

    const auto& no = builtin_not_secret();
    if (std::find(no.begin(), no.end(), n) != no.end()) return false;
    for (std::string_view f : builtin_secret_fragments())
        if (n.find(f) != std::string::npos) return true;
    return false;
}

namespace {
// Look-alike forms of ASCII letters and digits ("ＬｏｇｉｎＴｏｋｅｎ", the Kelvin sign in
// "ſecretKey", mathematical bold) as the ASCII they stand for (ascii_look_alike); every
// other byte as it is. Sets *changed when one was folded.
std::string fold_look_alikes(std::string_view s, bool* changed) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const size_t at = i;
        const uint32_t cp = next_code_point(s, i);
        if (const char c = cp >= 0x80 ? ascii_look_alike(cp) : 0) {
            out += c;
            *changed = true;
        } else {
            out.append(s.substr(at, i - at));
        }
    }
    return out;
}
}  // namespace

bool SecretNames::is_secret(std::string_view name) const {
    if (name.empty()) return false;
    if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        bool changed = false;
        const std::string folded = fold_look_alikes(name, &changed);
        if (changed) return is_secret(folded);
    }
    if (!added_.empty() && added_.count(normalise(name))) return true;
    size_t i = 0;
    while (i < name.size()) {
        while (i < name.size() && !segment_char(static_cast<unsigned char>(name[i]))) ++i;
        size_t b = i;
        while (i < name.size() && segment_char(static_cast<unsigned char>(name[i]))) ++i;
        if (i > b && segment_secret(normalise(name.substr(b, i - b)))) return true;
        // The short names scripts give an access key pair (AK, SK, ALIYUN_SK, HW_AK): a whole
        // word between underscores or dashes.
        for (size_t w = b; w < i;) {
            const size_t e = std::min(name.find_first_of("_-", w), i);
            if (e - w == 2) {
                const char c0 = static_cast<char>(name[w] | 0x20), c1 = static_cast<char>(name[w + 1] | 0x20);
                if ((c0 == 'a' || c0 == 's') && c1 == 'k') return true;
            }
            w = e + 1;
        }
    }
    return false;
}

// ---- values --------------------------------------------------------------------------------

void blank_secret(Node& n) {
    Origin o = n.origin;
    // true / false is a flag's value, not a secret (PasswordInherit, DeletePassword): it stays,
    // as a JSON boolean does, so that the type checks read what the call sends.
    if (n.is_string() && (n.as_string() == "true" || n.as_string() == "false")) return;
    if (n.is_string()) n = Node::string(kRedacted, o);
    else if (n.is_number()) n = Node::number(0, o);
    else if (n.is_array()) for (auto& v : n.items()) blank_secret(v);
    else if (n.is_object()) for (auto& [k, v] : n.members()) blank_secret(v);
}

namespace {


void redact_walk(Node& n, SecretNameMemo& secret, bool free_text) {
    const SecretNames& names = secret.names();
    if (n.is_string()) {
        if (n.as_string().find("://") == std::string::npos && !free_text) return;
        std::string s = free_text ? redact_text(n.as_string(), names) : n.as_string();
        if (!free_text && !strip_userinfo(s)) return;
        if (s != n.as_string()) n = Node::string(std::move(s), n.origin);
        return;
    }
    if (n.is_array()) {
        for (auto& v : n.items()) redact_walk(v, secret, free_text);
        return;
    }
    if (!n.is_object()) return;
    // Most objects (every inventory object) have none of the member names the checks below
    // look for: one pass over the keys tells, instead of a search per name.
    static const Key special_names[] = {"after_sensitive", "before_sensitive", "sensitive_values", "sensitive",
                                        "variables", "name", "Name", "key", "Key", "param", "header", "Header"};
    const bool special = std::any_of(n.members().begin(), n.members().end(), [](const Node::Member& m) {
        return std::find(std::begin(special_names), std::end(special_names), m.first) != std::end(special_names);
    });
    if (!special) {
        for (auto& [k, v] : n.members()) {
            if (secret(k)) blank_secret(v);
            else redact_walk(v, secret, free_text);
        }
        return;
    }
    // Values the document marks sensitive (Terraform plans: before/after with their masks,
    // resource values with sensitive_values, outputs and variables with "sensitive": true).
    for (auto [value, mask] : {std::pair{"after", "after_sensitive"}, std::pair{"before", "before_sensitive"},
                               std::pair{"values", "sensitive_values"}})
        if (const Node* m = n.find(mask))
            if (Node* v = n.find(value)) apply_mask(*v, *m);
    if (const Node* s = n.find("sensitive"); s && s->is_bool() && s->truthy())
        if (Node* v = n.find("value")) blank_secret(*v);
    // A Terraform plan's variable values are secret when its configuration declares them sensitive.
    if (Node* vars = n.find("variables"); vars && vars->is_object()) {
        const Node* conf = n.find("configuration");
        const Node* root_module = conf ? conf->find("root_module") : nullptr;
        const Node* declared = root_module ? root_module->find("variables") : nullptr;
        if (declared && declared->is_object())
            for (auto& [k, v] : vars->members()) {
                const Node* d = declared->find(k);
                const Node* s = d ? d->find("sensitive") : nullptr;
                if (s && s->truthy()) blank_secret(v);
            }
    }
    // {"name": "X-Auth-Token", "value": "..."}: a name/value entry naming a secret.
    bool entry_secret = false;
    for (const char* k : {"name", "Name", "key", "Key", "param", "header", "Header"})
        if (const Node* v = n.find(k); v && v->is_string() && secret(v->as_string())) entry_secret = true;
    for (auto& [k, v] : n.members()) {
        if (secret(k) ||
            (entry_secret && is_one_of(k, {"value", "Value", "default", "Default", "text", "values", "Values"})))
            blank_secret(v);
        else
            redact_walk(v, secret, free_text);
    }
}

}  // namespace

bool SecretNameMemo::operator()(const std::string& name) {
    auto it = seen_.find(name);
    if (it == seen_.end()) it = seen_.emplace(name, names_.is_secret(name)).first;
    return it->second;
}

bool SecretNameMemo::operator()(Key name) {
    auto it = seen_keys_.find(&name.str());
    if (it == seen_keys_.end()) it = seen_keys_.emplace(&name.str(), (*this)(name.str())).first;
    return it->second;
}

void redact_tree(Node& n, const SecretNames& names, bool free_text) {
    SecretNameMemo memo(names);
    redact_walk(n, memo, free_text);
}

void redact_tree(Node& n, SecretNameMemo& memo, bool free_text) { redact_walk(n, memo, free_text); }

namespace {

// One pass of redact_text over the text as written.
// `colon`: also `name: value` (to the end of the line) and `"name": value`; without it only
// the forms a command line writes, `--name value` and `name=value`.
std::string redact_written(std::string_view text, const SecretNames& names, bool colon = true) {
    std::string t(text);
    strip_userinfo(t);
    const size_t n = t.size();
    auto at = [&](size_t i) -> unsigned char { return i < n ? static_cast<unsigned char>(t[i]) : 0; };
    auto blank = [](unsigned char c) { return c == ' ' || c == '\t'; };
    std::string out;
    out.reserve(n);
    size_t i = 0;
    while (i < n) {
        if (!name_char(at(i))) {
            out += t[i++];
            continue;
        }
        size_t j = i;
        while (j < n && name_char(at(j))) ++j;
        std::string_view word(t.data() + i, j - i);
        out.append(word);
        i = j;
        if (!names.is_secret(word)) continue;
        size_t k = j;
        bool quoted_name = at(k) == '"' || at(k) == '\'';
        if (quoted_name) ++k;
        size_t k2 = k;
        while (k2 < n && blank(at(k2))) ++k2;
        size_t vb = std::string::npos, ve = 0, resume = 0;
        unsigned char sep = at(k2);
        if ((sep == '=' || (sep == ':' && colon)) && t.compare(k2, 3, "://") != 0) {
            size_t k3 = k2 + 1;
            while (k3 < n && blank(at(k3))) ++k3;
            unsigned char q = at(k3);
            if (q == '"' || q == '\'') {
                vb = k3 + 1;
                ve = vb;
                while (ve < n && at(ve) != q && at(ve) != '\n') ve += at(ve) == '\\' && ve + 1 < n ? 2 : 1;
                ve = std::min(ve, n);
            } else {
                vb = k3;
                ve = vb;
                if (sep == ':') {
                    while (ve < n && at(ve) != '\n' && at(ve) != '\r') ++ve;
                } else {
                    while (ve < n && !(at(ve) <= ' ' || at(ve) == ',' || at(ve) == ';' || at(ve) == '&' || at(ve) == ')' ||
                                       at(ve) == '}' || at(ve) == ']' || at(ve) == '"' || at(ve) == '\''))
                        ++ve;
                }
            }
        } else if (word[0] == '-' && !quoted_name && k2 > k && k2 < n && at(k2) != '-' && at(k2) != '\n' && at(k2) != '(') {
            // --name value
            size_t k3 = k2;
            unsigned char q = at(k3);
            if (q == '"' || q == '\'') {
                vb = k3 + 1;
                ve = vb;
                while (ve < n && at(ve) != q) ve += at(ve) == '\\' && ve + 1 < n ? 2 : 1;
                ve = std::min(ve, n);
            } else {
                vb = k3;
                ve = vb;
                while (ve < n && at(ve) > ' ') ++ve;
            }
        }
        // A value redacted already ("[redacted]", whose ']' ends an unquoted value) stays.
        if (vb != std::string::npos && t.compare(vb, std::strlen(kRedacted), kRedacted) == 0) ve = vb + std::strlen(kRedacted);
        if (vb == std::string::npos || ve <= vb) continue;
        std::string_view value(t.data() + vb, ve - vb);
        if (value == kRedacted) continue;
        resume = ve;
        out.append(t, j, vb - j);
        out += kRedacted;
        i = resume;
    }
    return out;
}

// The text without the quotes and backslashes a shell removes: --Pass''word, --'Password',
// "--Password" and --Pass\word are --Password to the shell, and --Password=SEK"RET" has the
// value SEKRET.
std::string dequoted(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text)
        if (c != '\'' && c != '"' && c != '\\') out += c;
    return out;
}

}  // namespace

std::string redact_text(std::string_view text, const SecretNames& names) {
    std::string once = redact_written(text, names);
    // A secret the quoting hid from the pass above (a name split by quotes, a value that goes
    // on after a quote): what is left once the redacted values and the quotes are taken out
    // still holds a secret's value. Then the text is shown as the shell reads it (without
    // quotes), redacted. Otherwise it keeps its quotes.
    // (Compared by their letters and digits: a value that is only punctuation, the ')' that
    // closes a command substitution, is no secret.)
    auto without_redacted = [](std::string t) {
        for (size_t at = t.find(kRedacted); at != std::string::npos; at = t.find(kRedacted, at)) t.erase(at, std::strlen(kRedacted));
        return t;
    };
    auto alnum = [](const std::string& t) {
        std::string out;
        for (char c : t)
            if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) out += c;
        return out;
    };
    // (The check reads the command-line forms only: JSON's "name": "value" loses its quotes
    // here, and what follows a colon to the end of the line would read as a value.)
    const std::string rest = dequoted(without_redacted(once));
    if (alnum(without_redacted(redact_written(rest, names, false))) == alnum(rest)) return once;
    return redact_written(dequoted(text), names);
}

bool excerpt_near_secret(std::string_view pointer, std::string_view text, size_t offset, const SecretNames& names) {
    for (size_t b = 0; b < pointer.size();) {
        size_t e = pointer.find('/', b + 1);
        std::string_view token = pointer.substr(b + 1, e == std::string_view::npos ? std::string_view::npos : e - b - 1);
        if (names.is_secret(token)) return true;
        if (e == std::string_view::npos) break;
        b = e;
    }
    if (offset > text.size()) offset = text.size();
    size_t from = offset > 512 ? offset - 512 : 0;
    if (size_t nl = text.rfind('\n', offset == 0 ? 0 : offset - 1); nl != std::string_view::npos && nl + 1 > from && nl < offset)
        from = nl + 1;
    // The whole word at offset too: an error inside a name ("Pass\x01word") still names it.
    size_t to = offset;
    while (to < text.size() && to < offset + 64 && name_char(static_cast<unsigned char>(text[to]))) ++to;
    size_t i = from;
    while (i < to) {
        while (i < to && !name_char(static_cast<unsigned char>(text[i]))) ++i;
        size_t b = i;
        while (i < to && name_char(static_cast<unsigned char>(text[i]))) ++i;
        if (i > b && names.is_secret(text.substr(b, i - b))) return true;
    }
    return false;
}

std::string hide_found_excerpt(std::string_view message) {
    size_t cut = message.find(": expected");
    std::string_view head = message.substr(0, cut);
    bool quotes = head.find('\'') != std::string_view::npos || head.find("\\u") != std::string_view::npos ||
                  head.find("U+") != std::string_view::npos || head.find("0x") != std::string_view::npos ||
                  head.find('"') != std::string_view::npos;
    if (!quotes) return std::string(message);
    std::string out = "found text opguard does not show (it is in or beside a secret value)";
    if (cut != std::string_view::npos) out += message.substr(cut);
    return out;
}

}  // namespace opguard
