#pragma once
// The "could not run" channel: an InputError names the file, the position (1-based
// line:col, or none), a stable id and a message. The CLI prints it once as
//   FILE:LINE:COL: error[ID]: MESSAGE (at JSON pointer P)
// and exits with code 2. The printed line is displayable() (core/text_safety.hpp): valid
// UTF-8, control characters (newlines included) shown as \u00XX, no workflow command.
#include <stdexcept>
#include <string>

#include "core/source.hpp"

namespace opguard {

class InputError : public std::runtime_error {
public:
    InputError(std::string file, Position pos, std::string id, std::string message, std::string pointer = {});
    const std::string& file() const { return file_; }
    Position position() const { return pos_; }
    const std::string& id() const { return id_; }
    const std::string& message() const { return message_; }
    const std::string& pointer() const { return pointer_; }

private:
    struct Redacted {};  // file and message already passed through redact_text
    InputError(Redacted, std::string file, Position pos, std::string id, std::string message, std::string pointer);

    std::string file_;
    Position pos_;
    std::string id_;
    std::string message_;
    std::string pointer_;
};

// Formats an InputError as the one-line message the CLI prints.
std::string format_input_error(const InputError& e);

// Escapes one JSON-pointer token (RFC 6901: ~ -> ~0, / -> ~1).
std::string pointer_token(std::string_view key);

}  // namespace opguard
