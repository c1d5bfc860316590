#pragma once
// Secrets: the one test of "does this name hold a secret" and the one way a secret value is
// hidden. Every reader applies it where values are read (plan JSON, scripts, dry-run records,
// --cli-jsonInput files, OOS templates, Terraform plans, adapter records), and every
// InputError message passes through redact_text, so no finding, explanation, error message
// or adapter record can hold a secret (README "Robustness", SECURITY.md).
//
// A name is compared in a normalised form: ASCII letters and digits only, lower-cased, so
// "X-Auth-Token", "x_auth_token", "--login-token", "LoginToken" and "LOGIN_TOKEN" are one
// name. A written name is split into segments at everything else but '-' and '_' (dots of
// the RPC wire form "Password.1", "--password.N", JSON paths "body.auth.password" or
// "/body/auth/password", "auth[0].password"), and it is secret when one of its segments is:
//   - a name added by the rules (`set secret_parameters`, an operation's `secrets`), exactly;
//   - or it contains one of builtin_secret_fragments() ("password", "token", "secret", ...)
//     and is not one of builtin_not_secret() (ClientToken: an idempotence token whose value
//     rules compare; NextToken: a pagination cursor).
// Rule files can add names; nothing can remove a built-in one.
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/node.hpp"

namespace opguard {

// What every secret value is replaced by.
inline constexpr const char* kRedacted = "[redacted]";

class SecretNames {
public:
    SecretNames() = default;  // the built-in names only
    // Adds a name (any written form; normalised). Empty names are ignored.
    void add(std::string_view name);
    // Whether `name` (any written form, see above) names a secret.
    bool is_secret(std::string_view name) const;
    // ASCII letters and digits of `word`, lower-cased.
    static std::string normalise(std::string_view word);

private:
    bool segment_secret(const std::string& normalised) const;
    std::unordered_set<std::string> added_;
};

// Normalised fragments: a name segment containing one of them is secret.
const std::vector<std::string_view>& builtin_secret_fragments();
// Normalised names that contain a fragment but are not secrets (documented exceptions).
const std::vector<std::string_view>& builtin_not_secret();
// The built-in names, shared (for readers that do not know the rules: JSON error messages).
const SecretNames& builtin_secret_names();

// Replaces every string inside `n` by kRedacted and every number by 0, keeping the shape
// (a list stays a list, so type checks still see it) and every Origin.
void blank_secret(Node& n);

// Hides the secrets of a parsed document, in place:
//   - the value of every member whose key is a secret name (blank_secret);
//   - the "value"/"Value"/"default"/"Default"/"text" members of an object whose
//     "name"/"key"/"param"/"header" member names a secret ({"name": "X-Auth-Token", "value": ...});
//   - values the document itself marks sensitive: {"sensitive": true, "value": ...} and the
//     before/after values a Terraform plan masks with before_sensitive/after_sensitive;
//   - in every other string, the user-info of a URL (https://user:pass@host), and with
//     `free_text` also every secret written inside the text (redact_text).
void redact_tree(Node& n, const SecretNames& names, bool free_text = false);

// Which names are secret, remembered: for redacting many documents that share their names
// (the objects of an inventory), each name is tested once, not once per object.
class SecretNameMemo {
public:
    explicit SecretNameMemo(const SecretNames& names) : names_(names) {}
    bool operator()(const std::string& name);
    // A member name: remembered by its interned copy, so a name is hashed once per run.
    bool operator()(Key name);
    const SecretNames& names() const { return names_; }

private:
    const SecretNames& names_;
    std::unordered_map<std::string, bool> seen_;
    std::unordered_map<const std::string*, bool> seen_keys_;
};
// redact_tree with the names' answers kept in `memo` across calls.
void redact_tree(Node& n, SecretNameMemo& memo, bool free_text = false);

// Text that may hold secrets (an error message, a value as written in a script):
//   - the user-info of every URL: "https://user:pass@host" => "https://[redacted]@host";
//   - the value after a secret name: name=value, name: value (to the end of the line),
//     "name": "value", --name value.
// Text without either comes back unchanged; redact_text(redact_text(t)) == redact_text(t).
std::string redact_text(std::string_view text, const SecretNames& names = builtin_secret_names());

// For error messages that quote the input: whether the JSON pointer passes through a secret
// name, or the line of `text` before `offset` names one (then the excerpt may be a secret).
bool excerpt_near_secret(std::string_view pointer, std::string_view text, size_t offset,
                         const SecretNames& names = builtin_secret_names());
// "found X: expected Y" with every excerpt of the input in X ('...' quotations, \uXXXX
// escapes) replaced by kRedacted; Y (opguard's own words) is kept.
std::string hide_found_excerpt(std::string_view message);

}  // namespace opguard
