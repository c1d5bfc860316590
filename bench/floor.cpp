// floor: the "parse floor" for opguard's benchmark. Reads every file named on the command
// line and parses it with simdjson's DOM parser (one parser, reused), touching only the root.
// What opguard spends beyond this is its own work: projection, building its tree, rules,
// simulation and output.
//
//   floor FILE...      prints "files=N bytes=B root_fields=F" and exits 0; exits 2 on any
//                      read or parse error (with the file and simdjson's message on stderr).
#include <simdjson.h>

#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    simdjson::dom::parser parser;
    std::uint64_t bytes = 0;
    std::uint64_t root_fields = 0;  // summed so the parse cannot be optimised away
    for (int i = 1; i < argc; ++i) {
        simdjson::padded_string text;
        if (auto err = simdjson::padded_string::load(argv[i]).get(text)) {
            std::fprintf(stderr, "floor: %s: cannot read: %s\n", argv[i], simdjson::error_message(err));
            return 2;
        }
        bytes += text.size();
        simdjson::dom::element root;
        if (auto err = parser.parse(text).get(root)) {
            std::fprintf(stderr, "floor: %s: %s\n", argv[i], simdjson::error_message(err));
            return 2;
        }
        // Touch the root: count the members of a top-level object (or array elements).
        simdjson::dom::object object;
        simdjson::dom::array array;
        if (root.get(object) == simdjson::SUCCESS) {
            root_fields += object.size();
        } else if (root.get(array) == simdjson::SUCCESS) {
            root_fields += array.size();
        }
    }
    std::printf("files=%d bytes=%llu root_fields=%llu\n", argc - 1,
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(root_fields));
    return 0;
}
