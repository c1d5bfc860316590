#include "core/diagnostic.hpp"

#include "core/redact.hpp"
#include "core/text_safety.hpp"

namespace opguard {

static std::string compose(const std::string& file, Position pos, const std::string& id, const std::string& message,
                           const std::string& pointer) {
    std::string s = file;
    if (pos.known()) s.append(":").append(std::to_string(pos.line)).append(":").append(std::to_string(pos.column));
    s += ": error[" + id + "]: " + message;
    if (!pointer.empty()) s += " (at JSON pointer " + pointer + ")";
    // File names and quoted input are untrusted: the message is one line of valid UTF-8 with
    // control characters visible, and cannot be read as a CI workflow command.
    return displayable(s);
}

// Every error message passes through redact_text: whatever a reader quoted, a secret written
// as name=value, "name": "value", --name value or in a URL's user-info is not printed.
InputError::InputError(std::string file, Position pos, std::string id, std::string message, std::string pointer)
    : InputError(Redacted{}, redact_text(file), pos, std::move(id), redact_text(message), std::move(pointer)) {}

InputError::InputError(Redacted, std::string file, Position pos, std::string id, std::string message, std::string pointer)
    : std::runtime_error(compose(file, pos, id, message, pointer)),
      file_(std::move(file)),
      pos_(pos),
      id_(std::move(id)),
      message_(std::move(message)),
      pointer_(std::move(pointer)) {}

std::string format_input_error(const InputError& e) { return e.what(); }

std::string pointer_token(std::string_view key) {
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

}  // namespace opguard
