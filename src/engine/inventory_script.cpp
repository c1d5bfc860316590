#include "engine/inventory_script.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "core/text_safety.hpp"
#include "engine/eval.hpp"

namespace opguard {

std::string shell_word(const std::string& word) {
    static const std::string safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./:=,@%+";
    if (!word.empty() && word.find_first_not_of(safe) == std::string::npos) return word;
    std::string out = "'";
    for (char c : word) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

namespace {

// What the rules ask of the inventory for one call, evaluated with no inventory: every
// lookup is recorded and answers null, so each let is computed as if nothing were saved.
class LookupRecorder : public EvalHost {
public:
    struct Seen {
        std::string kind, id;
        std::optional<std::string> region;  // the lookup's own region argument, when it has one
    };
    LookupRecorder(const Call& call, const Inventory* inventory) : call_(call), inv_(inventory) {}
    std::vector<Seen> seen;

    // Recorded, then answered from the responses saved so far (as check answers it).
    const InventoryObject* lookup(std::string_view kind, std::string_view id, const Node* region) override {
        Seen s{std::string(kind), std::string(id), std::nullopt};
        if (region && region->is_string()) s.region = region->as_string();
        seen.push_back(std::move(s));
        const InventoryObject* o = inv_ ? inv_->find(kind, id) : nullptr;
        if (o && region && !region->is_null()) {
            const Node* r = o->value().find("region");
            if (!r || !values_equal(*r, *region)) return nullptr;
        }
        return o;
    }
    Node history(std::string_view, std::string_view) override { return Node::array(); }
    Val find_all(std::string_view kind, std::string_view field, const Node& value) override {
        Node out = Node::array();
        if (!inv_ || (!value.is_string() && !value.is_number())) return Val(std::move(out));
        for (const auto& o : inv_->objects(std::string(kind)))
            if (const Node* f = o.peek(field); f && f->to_text() == value.to_text()) out.items().push_back(o.value());
        return Val(std::move(out));
    }
    // Without saved responses every kind counts as given, so lets that look only when a
    // kind was saved look too.
    bool loaded(std::string_view kind) override { return inv_ ? inv_->loaded(kind) : true; }
    const Operation* operation() override { return call_.operation; }
    const Node* parameters() override { return &call_.parameters; }

private:
    const Call& call_;
    const Inventory* inv_;
};

// Kinds an expression names as the literal first argument of lookup or find_all.
void kinds_read(const ast::ExprPtr& e, std::set<std::string>& out) {
    if (!e) return;
    if (e->op == ast::Op::Call && (e->name == "lookup" || e->name == "find_all") && !e->args.empty() &&
        e->args[0]->op == ast::Op::Literal && e->args[0]->literal.is_string())
        out.insert(e->args[0]->literal.as_string());
    for (const auto& a : e->args) kinds_read(a, out);
}

// A value an adapter could not resolve ($VAR, {{ param }}) is kept as its text: such a
// value names no object and no region.
bool unresolved_text(const Call& call, const std::string& value) {
    const Node* adapter = call.record.find("adapter");
    const Node* list = adapter ? adapter->find("unresolved") : nullptr;
    if (!list || !list->is_array()) return false;
    for (const auto& u : list->items()) {
        if (const Node* t = u.find("text"); t && t->is_string() && t->as_string() == value) return true;
        // The placeholder kept for an unresolved whole parameter ("<known after apply>").
        const Node* param = u.find("param");
        const Node* v = param && param->is_string() ? call.parameters.find(param->as_string()) : nullptr;
        if (v && v->is_string() && v->as_string() == value) return true;
    }
    return false;
}

std::string where(const SourceRegistry& sources, const Call& call) {
    const SourceFile& f = sources.file(call.origin.file);
    const Position p = f.position(call.origin.offset);
    std::string out = "call " + displayable(call.id) + " at " + displayable(f.path());
    if (p.known()) out += ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
    return out;
}

// One object the plan needs: its id, where, and the first call that needs it.
struct Need {
    std::string id;
    std::string region;  // "" when unknown
    std::string call;    // where(...) of the first call
};

// A region usable in a file name and a command: letters, digits, '-', '_', '.'.
bool plain_region(const std::string& r) {
    return !r.empty() && r.size() <= 64 &&
           r.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == std::string::npos;
}

// An id that can stand in a command and a comment: printable, no control characters.
bool plain_id(const std::string& id) {
    if (id.empty() || id.size() > 256) return false;
    for (unsigned char c : id)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

std::string flag(const Listing& l, const std::string& name, const std::string& value) {
    return l.flag_form == "equals" ? shell_word(name + "=" + value) : name + " " + shell_word(value);
}

// The command words up to the redirection, for `ids` in `region` ("" = a placeholder).
std::string command_line(const Listing& l, const std::string& region, const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& w : l.command) out += (out.empty() ? "" : " ") + shell_word(w);
    if (!l.region_flag.empty()) out += " " + (region.empty() ? l.region_flag + (l.flag_form == "equals" ? "=" : " ") + "REGION" : flag(l, l.region_flag, region));
    if (l.id_form == "repeat") {
        for (size_t i = 0; i < ids.size(); ++i) out += " " + flag(l, l.id_flag + "." + std::to_string(i + 1), ids[i]);
    } else if (!ids.empty()) {
        std::string joined;
        for (const auto& id : ids) {
            if (l.id_form == "json") {
                std::string quoted = "\"";
                for (char c : id) {
                    if (c == '"' || c == '\\') quoted += '\\';
                    quoted += c;
                }
                joined += (joined.empty() ? "" : ",") + quoted + "\"";
            } else {
                joined += (joined.empty() ? "" : ",") + id;
            }
        }
        out += " " + flag(l, l.id_flag, l.id_form == "json" ? "[" + joined + "]" : joined);
    }
    for (const auto& w : l.options) out += " " + shell_word(w);
    for (const auto& w : l.pager) out += " " + shell_word(w);
    return out;
}

std::string file_base(const Listing& l, const std::string& region, size_t chunk) {
    std::string out;
    for (size_t i = 1; i < l.command.size(); ++i) {
        std::string w;
        for (char c : l.command[i]) w += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
        out += (out.empty() ? "" : "-") + w;
    }
    if (out.empty()) out = l.name;
    return out + "-" + region + "-" + std::to_string(chunk);
}

}  // namespace

std::string inventory_script(const SourceRegistry& sources, const Plan& plan, const RuleSet& rules,
                             const InventoryScriptOptions& options) {
    // The folder as the script's commands name it: one starting with '-' ("-rf") would be read
    // as options by mkdir and as a flag by `opguard check --inventory`, so it is written "./-rf".
    const std::string dir = !options.dir.empty() && options.dir.front() == '-' ? "./" + options.dir : options.dir;
    // listing => region => id => first need; kinds without a listing => id => first call.
    std::map<const Listing*, std::map<std::string, std::map<std::string, Need>>> wanted;
    std::map<std::string, std::map<std::string, std::string>> unlisted;
    std::vector<std::string> notes;            // calls nothing is saved for, and why (each once)
    std::set<std::string> noted;
    auto note = [&](std::string n) { if (noted.insert(n).second) notes.push_back(std::move(n)); };
    std::set<std::string> kinds_with_ids;
    std::set<std::string> kinds_named;         // by lookup/find_all in the plan's operations

    for (const Call& call : plan.calls) {
        const Operation* op = call.operation;
        if (!op) {
            note(where(sources, call) + ": no rule file describes this call; nothing is saved for it");
            continue;
        }
        // List elements an adapter could not see ($id in a loop) are not in the call's lists.
        if (const Node* a = call.record.find("adapter"))
            if (const Node* u = a->find("unresolved"); u && u->is_array())
                for (const auto& e : u->items())
                    if (const Node* el = e.find("element"); el && el->truthy()) {
                        const Node* t = e.find("text");
                        note(where(sources, call) + ": a list element opguard cannot know (" +
                             displayable(t && t->is_string() ? t->as_string() : std::string("?")) + ") is left out; save its object by hand");
                    }
        for (const auto& l : op->lets) kinds_read(l.expr, kinds_named);
        if (!op->target_kind.empty()) kinds_named.insert(op->target_kind);
        LookupRecorder host(call, options.inventory);
        auto frame_for = [&](const Node* target) {
            Frame f;
            f.bind("call", Val(&call.parameters));
            f.bind("request", Val(&call.record));
            if (target) f.bind("target", Val(target));
            f.add_lets(op->lets);
            return f;
        };
        auto add = [&](const std::string& kind, const std::string& id, const std::optional<std::string>& given_region, Frame& f) {
            if (unresolved_text(call, id) || !plain_id(id)) {
                note(where(sources, call) + ": a " + kind + " id opguard cannot know or write (" + displayable(id) + ") is left out");
                return;
            }
            kinds_with_ids.insert(kind);
            const Listing* l = rules.listing_of(kind);
            if (!l) {
                unlisted[kind].emplace(id, where(sources, call));
                return;
            }
            std::string region;
            if (given_region) {
                region = *given_region;
            } else if (l->region) {
                try {
                    Val r = evaluate(*l->region, f, host, rules);
                    if (r->is_string()) region = r->as_string();
                } catch (const EvalError&) {
                }
            }
            if (!l->region_flag.empty() && (unresolved_text(call, region) || !plain_region(region))) region.clear();
            if (l->region_flag.empty()) region = "all";
            wanted[l][region].emplace(id, Need{id, region, where(sources, call)});
        };

        // Targets, as check resolves them.
        Val targets;
        std::vector<const Node*> target_nodes;
        if (op->targets) {
            Frame f = frame_for(nullptr);
            try {
                targets = evaluate(*op->targets, f, host, rules);
            } catch (const EvalError&) {
            }
            if (targets->is_array()) for (const auto& t : targets->items()) target_nodes.push_back(&t);
            else if (!targets->is_null()) target_nodes.push_back(targets.get());
        }
        // Each target's lets (once with no target when there are none): every lookup they make.
        const size_t rounds = std::max<size_t>(1, target_nodes.size());
        for (size_t t = 0; t < rounds; ++t) {
            const Node* target = t < target_nodes.size() ? target_nodes[t] : nullptr;
            Frame f = frame_for(target);
            if (target && !op->target_kind.empty() && (target->is_string() || target->is_number()))
                add(op->target_kind, target->to_text(), std::nullopt, f);
            host.seen.clear();
            for (const auto& let : op->lets) {
                ast::Expr v;
                v.op = ast::Op::Var;
                v.name = let.name;
                try {
                    evaluate(v, f, host, rules);
                } catch (const EvalError&) {
                }
            }
            const auto seen = std::move(host.seen);
            host.seen.clear();
            for (const auto& s : seen)
                if (rules.resource(s.kind)) add(s.kind, s.id, s.region, f);
        }
    }

    std::string out;
    out += "#!/bin/sh\n";
    out += "# The responses opguard check reads for " + displayable(options.plan_path) + " (written by opguard inventory).\n";
    out += "# Run it where the CLIs are configured, then: opguard check " + displayable(shell_word(options.plan_path)) +
           " --inventory " + displayable(shell_word(dir)) + "\n";
    out += "set -eu\n";
    out += "mkdir -p " + shell_word(dir) + "\n";
    for (const auto& n : notes) out += "# " + n + "\n";

    for (const Listing& l : rules.listings) {
        auto it = wanted.find(&l);
        if (it == wanted.end()) continue;
        const ResourceKind* kind = rules.resource(l.resource);
        for (const auto& [region, needs] : it->second) {
            if (region.empty()) continue;  // unknown regions last
            std::vector<std::string> ids;
            for (const auto& [id, need] : needs) ids.push_back(id);
            const size_t per = l.max_ids > 0 ? static_cast<size_t>(l.max_ids) : ids.size();
            out += "\n# " + (kind && !kind->title.empty() ? kind->title : l.resource) + " (" + l.title + "), " + region + ": " +
                   std::to_string(ids.size()) + (ids.size() == 1 ? " id" : " ids");
            if (l.max_ids > 0) out += ", at most " + std::to_string(l.max_ids) + " a command";
            else out += ", all in one command (" + displayable(l.note.empty() ? std::string("no documented limit") : l.note) + ")";
            out += "\n";
            for (size_t from = 0, chunk = 1; from < ids.size(); from += per, ++chunk) {
                std::vector<std::string> part(ids.begin() + static_cast<long>(from),
                                              ids.begin() + static_cast<long>(std::min(ids.size(), from + per)));
                const std::string cmd = command_line(l, l.region_flag.empty() ? std::string() : region, part);
                const std::string base = dir + "/" + file_base(l, region, chunk);
                if (l.page_limit > 0) {
                    const std::string file = shell_word(base + "-") + "\"$offset\".json";
                    out += "offset=0\n";
                    out += "while :; do\n";
                    out += "  " + cmd + " " + flag(l, l.page_limit_flag, std::to_string(l.page_limit)) + " " +
                           (l.flag_form == "equals" ? shell_word(l.page_offset_flag + "=") : shell_word(l.page_offset_flag) + " ") + "\"$offset\"" +
                           " > " + file + "\n";
                    out += "  total=$(sed -n 's/.*\"" + l.page_total_field + "\"[^0-9]*\\([0-9][0-9]*\\).*/\\1/p' " + file +
                           " | head -n 1)\n";
                    out += "  offset=$((offset + " + std::to_string(l.page_limit) + "))\n";
                    out += "  [ \"$offset\" -lt \"${total:-0}\" ] || break\n";
                    out += "done\n";
                } else {
                    out += cmd + " > " + shell_word(base + ".json") + "\n";
                }
            }
        }
        if (auto u = it->second.find(""); u != it->second.end()) {
            std::vector<std::string> ids;
            for (const auto& [id, need] : u->second) ids.push_back(id);
            out += "\n# " + (kind && !kind->title.empty() ? kind->title : l.resource) + " (" + l.title +
                   "): the region of these is not known from the plan; first needed by " + u->second.begin()->second.call +
                   ".\n# Put the region in place of REGION and run:\n";
            const size_t per = l.max_ids > 0 ? static_cast<size_t>(l.max_ids) : ids.size();
            for (size_t from = 0, chunk = 1; from < ids.size(); from += per, ++chunk) {
                std::vector<std::string> part(ids.begin() + static_cast<long>(from),
                                              ids.begin() + static_cast<long>(std::min(ids.size(), from + per)));
                out += "# " + displayable(command_line(l, "", part) + " > " + shell_word(dir + "/" + file_base(l, "REGION", chunk) + ".json")) + "\n";
            }
        }
    }
    for (const auto& [kind, ids] : unlisted) {
        const ResourceKind* k = rules.resource(kind);
        std::string path;
        if (k) for (const auto& p : k->list_path) path += (path.empty() ? "" : ".") + p;
        out += "\n# " + (k && !k->title.empty() ? k->title : kind) + " (" + kind + "): the rules look up these ids, and no rule file says"
               " which command lists them; save a response with " + path + "[] in " + displayable(dir) + " by hand:\n";
        for (const auto& [id, call] : ids) out += "#   " + id + " (" + call + ")\n";
    }
    // Kinds the operations read only through values of other saved objects (an image id read
    // from a saved desktop, snapshots found by desktop): not nameable from the plan alone.
    std::vector<std::string> later;
    for (const auto& k : kinds_named)
        if (!kinds_with_ids.count(k) && rules.resource(k)) later.push_back(k);
    if (!later.empty()) {
        out += "\n# Read by the rules through other saved objects, so not named by the plan alone (save them too";
        out += " for the checks that read them; once the others are saved, opguard inventory " + displayable(shell_word(options.plan_path)) +
               " --inventory " + displayable(shell_word(dir)) + " names those it can):";
        for (const auto& k : later) {
            const Listing* l = rules.listing_of(k);
            out += "\n#   " + k;
            if (l) out += " (" + l->title + ")";
        }
        out += "\n";
    }
    return out;
}

}  // namespace opguard
