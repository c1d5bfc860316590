// .opguard.yaml: what `check` takes on the command line, as a file. Every key is the long
// name of an option of `check` or a global option (`fail-on`, `inventory`, `rules`, ...), or
// `plan`; the values become command-line arguments that CLI11 parses with the user's, so an
// option added to `check` later is a key without more code here. The command line wins: a key
// whose option the command line gives is left out, whole (a list is replaced, not extended);
// `format` and `output` go together, as the pairs they make. `opguard config [CHECK ARGS]`
// prints the effective settings and where each came from.
#include "cli/config_file.hpp"
#include "core/redact.hpp"

// GCC 12 reports yaml-cpp's node iterators (instantiated here) as dangling pointers: a known
// false positive of -Wdangling-pointer on yaml-cpp 0.7's headers.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "core/diagnostic.hpp"
#include "core/source.hpp"
#include "core/suggest.hpp"
#include "engine/waivers.hpp"
#include "input/adapters/yaml_reader.hpp"

namespace opguard::cli {

namespace {

constexpr const char* kDefaultConfig = ".opguard.yaml";

// Options that are not settings of a check.
bool not_a_key(const std::string& name) {
    return name == "help" || name == "version" || name == "config" || name == "no-config";
}

Position at(const YAML::Mark& m) {
    return m.is_null() ? Position{} : Position{static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
}

// A key of the configuration: the option it sets and on which command.
struct KeyOption {
    const CLI::Option* option = nullptr;
    bool positional = false;
};

// Every key: the long names of check's options and of the global options, and check's positionals.
std::map<std::string, KeyOption> keys_of(const CLI::App& app, const CLI::App& check) {
    std::map<std::string, KeyOption> keys;
    for (const CLI::App* a : {&check, &app})
        for (const CLI::Option* o : a->get_options()) {
            if (!o->nonpositional()) {
                keys.emplace(o->get_name(), KeyOption{o, true});
                continue;
            }
            for (const auto& l : o->get_lnames())
                if (!not_a_key(l)) keys.emplace(l, KeyOption{o, false});
        }
    return keys;
}

bool is_flag(const CLI::Option* o) { return o->get_type_name().empty(); }
bool is_list(const CLI::Option* o) { return o->get_expected_max() > 1 || o->get_items_expected_max() > 1; }

// Builds an app whose commands run nothing and require nothing: for seeing what a command line sets.
struct Probe {
    AppState state;
    CLI::App app{"opguard"};
    CLI::App* check = nullptr;
    bool check_seen = false;
    explicit Probe(const AppBuilder& build) {
        build(app, state);
        check = app.get_subcommand("check");
        std::vector<CLI::App*> all{&app};
        for (size_t i = 0; i < all.size(); ++i) {
            for (CLI::App* sub : all[i]->get_subcommands([](CLI::App*) { return true; })) {
                sub->callback([] {});
                all.push_back(sub);
            }
            for (CLI::Option* o : all[i]->get_options([](CLI::Option*) { return true; })) o->required(false);
            all[i]->require_subcommand(0);
        }
        check->preparse_callback([this](size_t) { check_seen = true; });
    }
    // Parses; returns the error CLI11 gives, if any.
    std::string parse(std::vector<std::string> args) {
        std::reverse(args.begin(), args.end());
        try {
            app.parse(args);
        } catch (const CLI::ParseError& e) {
            return e.what();
        } catch (const std::exception& e) {
            return e.what();
        }
        return {};
    }
};

struct Setting {
    std::string key;
    std::vector<std::string> values;  // the flag's "true"/"false", the option's values
    Position key_pos;
    Position value_pos;
    std::vector<Position> item_pos;  // each value's line:col
};

// A scalar's text, charged against the file's expansion budget: an alias is the same node
// as its anchor, so a list of aliases of one long value ("billion laughs") would otherwise
// make the settings far larger than the file.
struct Budget {
    const std::string& path;
    size_t left;
    std::string take(const YAML::Node& n) {
        const size_t units = n.Scalar().size() + 1;
        if (units > left)
            throw InputError(path, at(n.Mark()), "yaml.expansion-limit",
                             "YAML aliases expand this configuration beyond what opguard reads of a file of its size (" +
                                 std::to_string(adapters::kYamlExpansionFloor) + " + " +
                                 std::to_string(adapters::kYamlExpansionFactor) +
                                 " characters per byte of the file); write the values out instead");
        left -= units;
        return n.Scalar();
    }
};

constexpr size_t kMaxConfigBytes = 1024 * 1024;

// Reads the file into settings, checking keys and the shape of their values.
std::vector<Setting> read_settings(const std::string& path, const std::map<std::string, KeyOption>& keys) {
    // Read as every other input is: a folder, a device, a FIFO nobody writes or a file over
    // the limit is one located error, never a hang or an unbounded read (--config /dev/zero).
    std::string text;
    try {
        text = read_file_bytes(path, kMaxConfigBytes);
    } catch (const InputError& e) {
        throw InputError(path, e.position(), "config.unreadable", e.message());
    }
    // A NUL byte is no YAML character: yaml-cpp's message about it names neither the NUL nor
    // its place (a column counted in bytes, as yaml-cpp counts them).
    if (const size_t nul = text.find('\0'); nul != std::string::npos) {
        const size_t line_start = text.rfind('\n', nul) == std::string::npos ? 0 : text.rfind('\n', nul) + 1;
        const auto line = static_cast<uint32_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n') + 1);
        throw InputError(path, Position{line, static_cast<uint32_t>(nul - line_start + 1)}, "config.invalid-value",
                         "the configuration holds a NUL character");
    }
    YAML::Node root;
    try {
        std::vector<YAML::Node> docs = YAML::LoadAll(text);
        // A second document (after ---) would be ignored: its keys never checked, never applied.
        if (docs.size() > 1)
            throw InputError(path, at(docs[1].Mark()), "config.syntax",
                             "a second YAML document: the configuration is one mapping (remove the '---' that starts another)");
        if (!docs.empty()) root = docs.front();
    } catch (const YAML::ParserException& e) {
        throw InputError(path, at(e.mark), "config.syntax", "not valid YAML: " + e.msg);
    }
    if (!root || root.IsNull()) return {};
    if (!root.IsMap())
        throw InputError(path, at(root.Mark()), "config.wrong-type", "the configuration is a mapping of option names to values");
    Budget budget{path, adapters::kYamlExpansionFloor + adapters::kYamlExpansionFactor * text.size()};
    auto scalar_text = [&budget](const YAML::Node& n) { return budget.take(n); };
    std::vector<Setting> out;
    std::set<std::string> seen;
    std::vector<std::string> names;
    for (const auto& [k, v] : keys) names.push_back(k);
    for (auto it = root.begin(); it != root.end(); ++it) {
        // Copies: a yaml-cpp map iterator hands out a temporary pair, so a reference to its
        // members would dangle (AddressSanitizer: stack-use-after-scope).
        const YAML::Node k = it->first;
        const YAML::Node v = it->second;
        if (!k.IsScalar()) throw InputError(path, at(k.Mark()), "config.wrong-type", "a key is an option name");
        const std::string key = k.Scalar();
        auto found = keys.find(key);
        if (found == keys.end()) {
            std::string near;
            size_t best = 3;
            for (const auto& n : names) {
                const size_t d = edit_distance(key, n);
                if (d < best) best = d, near = n;
            }
            std::string known;
            for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
            throw InputError(path, at(k.Mark()), "config.unknown-key",
                             "unknown key '" + key + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)") +
                                 "; the keys are the options of `opguard check`: " + known);
        }
        if (!seen.insert(key).second)
            throw InputError(path, at(k.Mark()), "config.duplicate-key", "key '" + key + "' given twice");
        const CLI::Option* o = found->second.option;
        Setting s{key, {}, at(k.Mark()), at(v.Mark()), {}};
        if (is_flag(o)) {
            bool b = false;
            if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b))
                throw InputError(path, s.value_pos, "config.wrong-type", "'" + key + "' is a flag: true or false");
            s.values.push_back(b ? "true" : "false");
        } else if (v.IsScalar()) {
            s.values.push_back(scalar_text(v));
            s.item_pos.push_back(s.value_pos);
        } else if (v.IsSequence() && is_list(o)) {
            for (const auto& item : v) {
                if (!item.IsScalar())
                    throw InputError(path, at(item.Mark()), "config.wrong-type", "'" + key + "' takes a list of strings");
                s.values.push_back(scalar_text(item));
                s.item_pos.push_back(at(item.Mark()));
            }
        } else if (v.IsMap() && is_list(o) && o->get_type_name().find('=') != std::string::npos) {
            // An option whose values are KEY=VALUE pairs (its type name says so: RULE=LEVEL)
            // also takes a mapping, in the order written (severity: {RULE: LEVEL}).
            for (auto item = v.begin(); item != v.end(); ++item) {
                const YAML::Node ik = item->first;
                const YAML::Node iv = item->second;
                if (!ik.IsScalar() || !iv.IsScalar())
                    throw InputError(path, at(ik.Mark()), "config.wrong-type", "'" + key + "' as a mapping takes KEY: VALUE strings");
                s.values.push_back(scalar_text(ik) + "=" + scalar_text(iv));
                s.item_pos.push_back(at(ik.Mark()));
            }
        } else {
            throw InputError(path, s.value_pos, "config.wrong-type",
                             "'" + key + "' takes " + (is_list(o) ? "a string or a list of strings" : "one value, a string"));
        }
        // A NUL inside a value ("err\0or") would cut it short where it becomes an argument.
        for (size_t i = 0; i < s.values.size(); ++i)
            if (s.values[i].find('\0') != std::string::npos)
                throw InputError(path, i < s.item_pos.size() ? s.item_pos[i] : s.value_pos, "config.invalid-value",
                                 "'" + key + "' holds a NUL character");
        out.push_back(std::move(s));
    }
    return out;
}

// The arguments a setting stands for.
std::vector<std::string> arguments(const Setting& s, const KeyOption& k) {
    std::vector<std::string> args;
    if (k.positional) return s.values;
    if (is_flag(k.option)) {
        if (s.values.front() == "true") args.push_back("--" + s.key);
        return args;
    }
    for (const auto& v : s.values) args.push_back("--" + s.key + "=" + v);
    return args;
}

// The option names that go together: format and output make pairs.
std::string group_of(const std::string& key) { return key == "format" || key == "output" ? "format+output" : key; }

}  // namespace

ConfigResult apply_config(const std::vector<std::string>& args_in, const AppBuilder& build) {
    ConfigResult r;
    {
        // `opguard config ...` reads --config and --no-config itself, from the words after it.
        Probe raw(build);
        raw.parse(args_in);
        if (CLI::App* config = raw.app.get_subcommand_ptr("config").get(); config && config->parsed()) {
            // `opguard --config FILE config PLAN ...`: the file given before the command word
            // is the one `config` reads (moved after it), as `check` would read it there.
            std::vector<std::string> before, moved;
            size_t i = 0;
            for (; i < args_in.size() && args_in[i] != "config"; ++i) {
                const std::string& a = args_in[i];
                if (a == "--config" && i + 1 < args_in.size()) {
                    moved.push_back(a);
                    moved.push_back(args_in[++i]);
                } else if (a.rfind("--config=", 0) == 0 || a == "--no-config") {
                    moved.push_back(a);
                } else {
                    before.push_back(a);
                }
            }
            r.args = before;
            if (i < args_in.size()) r.args.push_back(args_in[i++]);
            r.args.insert(r.args.end(), moved.begin(), moved.end());
            r.args.insert(r.args.end(), args_in.begin() + static_cast<std::ptrdiff_t>(i), args_in.end());
            return r;
        }
    }
    std::vector<std::string>& args = r.args;
    std::optional<std::string> file;
    bool no_config = false;
    for (size_t i = 0; i < args_in.size(); ++i) {
        const std::string& a = args_in[i];
        if (a == "--") {
            args.insert(args.end(), args_in.begin() + i, args_in.end());
            break;
        }
        if (a == "--no-config") no_config = true;
        else if (a == "--config" && i + 1 < args_in.size()) file = args_in[++i];
        else if (a.rfind("--config=", 0) == 0) file = a.substr(9);
        else if (a == "--config") throw InputError("command line", {}, "usage", "--config takes a file");
        else args.push_back(a);
    }
    if (no_config && file)
        throw InputError("command line", {}, "usage", "--config " + *file + " and --no-config contradict each other: give one");
    if (no_config) file.reset();
    else if (!file) {
        // Anything by that name (a folder, a FIFO, a link to nothing included) is the
        // configuration: one that cannot be read is config.unreadable, never skipped in silence.
        std::error_code ec;
        if (std::filesystem::symlink_status(kDefaultConfig, ec).type() != std::filesystem::file_type::not_found)
            file = kDefaultConfig;
    }
    if (!file) return r;
    r.file = *file;

    Probe cmdline(build);
    cmdline.parse(args);
    if (!cmdline.check_seen) return r;  // only `check` reads the configuration
    const auto keys = keys_of(cmdline.app, *cmdline.check);
    const auto settings = read_settings(*file, keys);

    std::set<std::string> given;  // option groups the command line sets
    for (const auto& [key, k] : keys)
        if (k.option->count() > 0) given.insert(group_of(key));
    std::vector<std::string> inserted, positionals;
    std::map<std::string, const Setting*> pairs;
    for (const auto& s : settings) {
        const KeyOption& k = keys.at(s.key);
        // Each value alone, so a bad one is reported at its place in the file.
        Probe one(build);
        std::vector<std::string> alone{"check"};
        for (auto& a : arguments(s, k)) alone.push_back(a);
        const std::string error = one.parse(alone);
        if (!error.empty())
            throw InputError(*file, s.value_pos, "config.invalid-value", "'" + s.key + "': " + error);
        // A date is checked here too, not only when `check` runs: a bad one is the file's error
        // whether or not the command line replaces it, as a bad fail-on is.
        if (s.key == "today" && !s.values.empty() && !valid_date(s.values.front()))
            throw InputError(*file, s.value_pos, "config.invalid-value",
                             "'today' takes a date written YYYY-MM-DD; found '" + s.values.front() + "'");
        if (given.count(group_of(s.key))) {
            r.origins[s.key] = "command line (replaces " + *file + ":" + std::to_string(s.key_pos.line) + ":" +
                               std::to_string(s.key_pos.column) + ")";
            continue;
        }
        if (k.positional && !s.values.empty() && s.values.front().size() > 1 && s.values.front()[0] == '-')
            throw InputError(*file, s.value_pos, "config.invalid-value", "'" + s.key + "' cannot start with '-'");
        if (group_of(s.key) != s.key) pairs[s.key] = &s;  // format, output: interleaved below
        else for (auto& a : arguments(s, k)) (k.positional ? positionals : inserted).push_back(a);
        r.origins[s.key] = *file + ":" + std::to_string(s.key_pos.line) + ":" + std::to_string(s.key_pos.column);
        r.value_positions[s.key] = s.item_pos;
    }
    // Each --output follows its --format, as on the command line: format[i] then output[i].
    if (!pairs.empty()) {
        static const std::vector<std::string> none;
        const auto& formats = pairs.count("format") ? pairs["format"]->values : none;
        const auto& outputs = pairs.count("output") ? pairs["output"]->values : none;
        if (outputs.size() > std::max<size_t>(formats.size(), 1) || (formats.empty() && !outputs.empty() && outputs.size() > 1))
            throw InputError(*file, pairs["output"]->value_pos, "config.invalid-value",
                             "'output' has more files than 'format' has formats: output[i] is the file of format[i]");
        for (size_t i = 0; i < std::max(formats.size(), outputs.size()); ++i) {
            if (i < formats.size()) inserted.push_back("--format=" + formats[i]);
            if (i < outputs.size()) inserted.push_back("--output=" + outputs[i]);
        }
    }
    // At the end of check's arguments (the command's last words; global options fall through
    // from check): options before the user's `--`, if any, the plan after it, so a list option
    // (`--inventory=DIR`) takes no positional as its value.
    auto dashdash = std::find(args.begin(), args.end(), std::string("--"));
    const bool had_dashdash = dashdash != args.end();
    args.insert(dashdash, inserted.begin(), inserted.end());
    if (!positionals.empty()) {
        if (!had_dashdash) args.push_back("--");
        args.insert(args.end(), positionals.begin(), positionals.end());
    }
    for (const auto& key : given)
        if (!r.origins.count(key) && key != "format+output") r.origins[key] = "command line";
    if (given.count("format+output")) {
        for (const char* key : {"format", "output"})
            if (!r.origins.count(key)) r.origins[key] = "command line";
    }
    return r;
}

int print_config(const std::vector<std::string>& check_args, const AppBuilder& build) {
    std::vector<std::string> args{"check"};
    args.insert(args.end(), check_args.begin(), check_args.end());
    ConfigResult cfg = apply_config(args, build);
    Probe effective(build);
    const std::string error = effective.parse(cfg.args);
    if (!error.empty()) throw InputError("command line", {}, "usage", error);
    const auto keys = keys_of(effective.app, *effective.check);
    std::cout << "# The effective settings of `opguard check`; configuration file: "
              << (cfg.file.empty() ? "none" : cfg.file) << "\n";
    for (const auto& [key, k] : keys) {
        CLI::Option* o = const_cast<CLI::Option*>(k.option);
        std::string value;
        std::string origin;
        if (o->count() > 0) {
            const auto& results = o->results();
            if (is_flag(o)) value = o->as<bool>() ? "true" : "false";  // --quiet=false counts too
            else if (is_list(o)) {
                value = "[";
                for (size_t i = 0; i < results.size(); ++i) value += (i ? ", " : "") + results[i];
                value += "]";
            } else value = results.back();
            auto it = cfg.origins.find(key);
            origin = it != cfg.origins.end() ? it->second : "command line";
        } else {
            o->capture_default_str();
            value = is_flag(o) ? "false" : o->get_default_str();
            if (is_list(o) && (value.empty() || value == "[]")) value = "[]";
            if (value.empty()) value = "\"\"";
            auto it = cfg.origins.find(key);  // a file's key the command line replaced with nothing
            origin = it != cfg.origins.end() ? it->second : "default";
        }
        // A value may hold a secret (--parameters '{"LoginToken": ...}'): never printed.
        std::cout << key << ": " << redact_text(value) << "  # " << origin << "\n";
    }
    return 0;
}

}  // namespace opguard::cli
