#include "input/inventory.hpp"

#include <algorithm>
#include <optional>
#include <cctype>
#include <cmath>
#include <tuple>

#include "core/text_safety.hpp"
#include <map>
#include <set>
#include <filesystem>

#include "core/diagnostic.hpp"
#include "engine/eval.hpp"
#include "input/adapters/inventory_text.hpp"
#include "input/json_reader.hpp"
#include "input/plan.hpp"  // secret_names

namespace opguard {

namespace fs = std::filesystem;

namespace {

// Derivations run with no plan around them.
class NoHost : public EvalHost {
public:
    const InventoryObject* lookup(std::string_view, std::string_view, const Node*) override { return nullptr; }
    Node history(std::string_view, std::string_view) override { return Node::array(); }
    Val find_all(std::string_view, std::string_view, const Node&) override { return Val(Node::array()); }
    bool loaded(std::string_view) override { return false; }
    const Operation* operation() override { return nullptr; }
    const Node* parameters() override { return nullptr; }
};

// The JSON pointer of a kind's list in a saved response ("/Desktops").
std::string list_pointer(const ResourceKind& k) {
    std::string out;
    for (const auto& p : k.list_path) {
        out += '/';
        out += pointer_token(p);
    }
    return out;
}

}  // namespace

// Builds inventory objects: from their bytes when first read (lazy lists), and for every
// object the finishing touches (kKindField and the derived fields).
class ObjectBuilder {
public:
    ObjectBuilder(const SourceRegistry& sources, const RuleSet& rules)
        : sources_(sources), rules_(rules), secrets_(secret_names(rules)) {}

    struct KindPlan {
        Projection element;  // one element, read whole; element.eager: the fields kept before it is built
    };
    std::map<const ResourceKind*, KindPlan> plans;

    void build(const InventoryObject& o) {
        const KindPlan& plan = plans.at(o.kind);
        set_built(o, reader_.read(sources_, o.file, o.span_, plan.element, {}, spare_members(*o.kind)), &plan.element.eager);
    }

    // An object of a lazy list: `eager` holds only its eagerly kept fields.
    void set_lazy(InventoryObject& o, Node eager, ElementSpan span) {
        redact_tree(eager, secret_memo_);
        // The fields kept from the start (the id, the fields find_all matches on) are checked
        // now: an object whose InstanceId is a list is never matched, so never built.
        check_types(*o.kind, eager);
        o.value_ = std::move(eager);
        o.built_ = false;
        o.span_ = span;
        o.builder_ = this;
    }
    // An object read whole (an element of a bare array).
    // `checked`: the fields whose types were checked when the object was first kept (set_lazy).
    void set_built(const InventoryObject& o, Node value, const std::set<std::string, std::less<>>* checked = nullptr) const {  // value_, built_: mutable
        finish(*o.kind, value, checked);
        o.value_ = std::move(value);
        o.built_ = true;
    }

    // The members added to an object after it is read: its kind (kKindField) and derived
    // fields here, and the fields only the plan's effects write (the kind's state: a
    // snapshot's `deleted`).
    static size_t spare_members(const ResourceKind& kind) { return 1 + kind.derived.size() + kind.state.size(); }

    bool eager(const ResourceKind* kind, std::string_view field) const {
        auto it = plans.find(kind);
        return it != plans.end() && it->second.element.eager.count(field) != 0;
    }

    // The kind travels with the value, so an effect can find the object again from a copy
    // (see kKindField); then the derived fields, computed first and written after: `self`
    // must not change while it is read.
    void finish(const ResourceKind& kind, Node& value, const std::set<std::string, std::less<>>* checked = nullptr) const {
        // A saved response may hold secrets (a Password, a token): hidden as the plan's are,
        // before any rule, policy, explanation or derived field can read them.
        redact_tree(value, secret_memo_);
        // An element of a bare array is read with its members counted exactly: room for what
        // is added at once (a lazy element is read with the room already, see build).
        if (value.is_object()) value.members().reserve(value.members().size() + spare_members(kind));
        check_types(kind, value, checked);
        value.set(kKindField, Node::string(kind.name));
        if (kind.derived.empty()) return;
        NoHost host;
        Frame frame;
        frame.self = &value;
        frame.add_lets(kind.derived);
        std::vector<Node> values;
        for (const auto& d : kind.derived) {
            ast::Expr v;
            v.op = ast::Op::Var;
            v.name = d.name;
            values.push_back(*evaluate(v, frame, host, rules_));
        }
        for (size_t i = 0; i < values.size(); ++i) value.set(kind.derived[i].name, std::move(values[i]));
    }

    std::vector<MistypedField> mistyped() const {
        std::vector<MistypedField> out = mistyped_;
        std::sort(out.begin(), out.end(), [](const MistypedField& a, const MistypedField& b) {
            return std::tie(a.at.file, a.at.offset, a.field) < std::tie(b.at.file, b.at.offset, b.field);
        });
        // An object saved on two pages is reported once, at its first copy.
        std::set<std::tuple<const ResourceKind*, std::string, std::string>> seen;
        std::erase_if(out, [&](const MistypedField& m) { return !seen.emplace(m.kind, m.id, m.field).second; });
        return out;
    }

private:
    // A typed field of a kind (ResourceKind::types), with its name interned so that finding it
    // in an object compares pointers, not text.
    enum class JsonType : uint8_t { String, Boolean, List, Object, Number, Integer };
    struct TypedField {
        Key key;
        const std::string* type;  // as declared: "string", "boolean", ...
        JsonType t;
    };
    // The typed fields of `kind` that `skip` does not name, in declaration order; worked out
    // once per kind and skip set (the eager fields of its plan, or none).
    const std::vector<TypedField>& typed_fields(const ResourceKind& kind, const std::set<std::string, std::less<>>* skip) const {
        auto [it, added] = typed_.try_emplace({&kind, skip});
        if (!added) return it->second;
        for (const auto& [field, type] : kind.types) {
            if (skip && skip->count(field)) continue;
            // (The compiler accepts these six names only.)
            const JsonType t = type == "string" ? JsonType::String : type == "boolean" ? JsonType::Boolean
                             : type == "list" ? JsonType::List : type == "object" ? JsonType::Object
                             : type == "number" ? JsonType::Number : JsonType::Integer;
            it->second.push_back(TypedField{Key(field), &type, t});
        }
        return it->second;
    }
    // The declared JSON type of each typed field (ResourceKind::types) against the value
    // saved; null or absent is not a type (the rules read it as missing). `checked`: fields
    // checked already (when the object was first kept), left out.
    void check_types(const ResourceKind& kind, const Node& value, const std::set<std::string, std::less<>>* checked = nullptr) const {
        if (kind.types.empty()) return;
        for (const TypedField& f : typed_fields(kind, checked)) {
            const Node* v = value.find_key(f.key);
            if (!v || v->is_null()) continue;
            bool ok = false;
            switch (f.t) {
                case JsonType::String: ok = v->is_string(); break;
                case JsonType::Boolean: ok = v->is_bool(); break;
                case JsonType::List: ok = v->is_array(); break;
                case JsonType::Object: ok = v->is_object(); break;
                case JsonType::Number: case JsonType::Integer: {
                    // A numeric string counts: the rules read these fields with number().
                    std::optional<double> n = v->is_number() ? std::optional<double>(v->as_number()) : number_value(*v);
                    ok = n.has_value() && (f.t == JsonType::Number || std::floor(*n) == *n);
                    break;
                }
            }
            if (ok) continue;
            const Node* id = value.find(kind.id_field);
            std::string shown = v->to_json();
            mistyped_.push_back(MistypedField{&kind, id ? id->to_text() : std::string(), f.key.str(), *f.type, kind_name(v->kind()),
                                              shortened(shown, 60, 57), v->origin});
        }
    }

    const SourceRegistry& sources_;
    const RuleSet& rules_;
    mutable std::vector<MistypedField> mistyped_;  // finish() is const
    mutable std::map<std::pair<const ResourceKind*, const void*>, std::vector<TypedField>> typed_;  // typed_fields()
    SecretNames secrets_;
    mutable SecretNameMemo secret_memo_{secrets_};  // finish() is const; each field name is tested once
    ElementReader reader_;
};

void InventoryObject::build() const {
    if (!builder_) {
        built_ = true;
        return;
    }
    builder_->build(*this);
}

const Node* InventoryObject::peek(std::string_view field) const {
    if (built_ || (builder_ && builder_->eager(kind, field))) return value_.find(field);
    return value().find(field);
}

std::pair<size_t, size_t> Inventory::built_count() const {
    size_t built = 0, total = 0;
    for (const auto& [kind, list] : by_kind_)
        for (const auto& o : list) {
            ++total;
            if (o.built()) ++built;
        }
    return {built, total};
}

std::vector<MistypedField> Inventory::mistyped() const { return builder_ ? builder_->mistyped() : std::vector<MistypedField>{}; }

Inventory::Inventory() = default;
Inventory::~Inventory() = default;
Inventory::Inventory(Inventory&&) noexcept = default;
Inventory& Inventory::operator=(Inventory&&) noexcept = default;

const std::set<std::string, std::less<>>& Inventory::field_names(std::string_view kind) const {
    static const std::set<std::string, std::less<>> none;
    auto it = field_names_.find(kind);
    return it == field_names_.end() ? none : it->second;
}

const std::deque<InventoryObject>& Inventory::objects(const std::string& kind) const {
    static const std::deque<InventoryObject> none;
    auto it = by_kind_.find(kind);
    return it == by_kind_.end() ? none : it->second;
}

void IdIndex::put(InventoryObject* o) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    const size_t h = std::hash<std::string_view>{}(o->id);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        Slot& s = slots_[i];
        if (!s.object) {
            s = Slot{h, o};
            ++used_;
            return;
        }
        if (s.hash == h && s.object->id == o->id) {
            s.object = o;  // the same id again: the later object
            return;
        }
    }
}

InventoryObject* IdIndex::find(std::string_view id) const {
    if (slots_.empty()) return nullptr;
    const size_t h = std::hash<std::string_view>{}(id);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const Slot& s = slots_[i];
        if (!s.object) return nullptr;
        if (s.hash == h && s.object->id == id) return s.object;
    }
}

void IdIndex::grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
        if (!s.object) continue;
        size_t i = s.hash & mask;
        while (slots_[i].object) i = (i + 1) & mask;
        slots_[i] = s;
    }
}

InventoryObject* Inventory::find(std::string_view kind, std::string_view id) {
    auto k = index_.find(kind);
    if (k == index_.end()) return nullptr;
    return k->second.find(id);
}

const InventoryObject* Inventory::find(std::string_view kind, std::string_view id) const {
    return const_cast<Inventory*>(this)->find(kind, id);
}

std::string InventoryObject::pointer() const {
    std::string out = bare_ ? std::string() : list_pointer(*kind);
    out += '/';
    out += std::to_string(element_);
    return out;
}

InventoryObject& Inventory::add(InventoryObject obj) {
    auto& list = by_kind_[obj.kind->name];
    list.push_back(std::move(obj));
    InventoryObject& stored = list.back();
    index_[stored.kind->name].put(&stored);
    return stored;
}

// Files named on the command line, or the *.json files of a directory (recursively),
// sorted by path so that the result never depends on the command line's or the directory
// listing's order.
std::vector<std::string> inventory_files(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<std::string> found;
            for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                // *.json, *.JSON, *.Json: the extension in any case (a file saved on a system
                // that does not tell case apart is still read).
                std::string ext = it->path().extension().string();
                for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (ext != ".json") continue;
                // Every *.json entry is read, or the run stops: a dangling symbolic link, a
                // FIFO or a device there is an input error, not a silent skip (README
                // "Robustness"). A directory named *.json is walked like any other.
                std::error_code se;
                const fs::file_status st = it->status(se);
                if (st.type() == fs::file_type::regular) { found.push_back(it->path().string()); continue; }
                if (st.type() == fs::file_type::directory) continue;
                std::error_code le;
                const bool link = it->is_symlink(le);
                if (link && se && se != std::errc::no_such_file_or_directory)  // a loop of links (ELOOP), a target not allowed
                    throw InputError(it->path().string(), {}, "input.unreadable",
                                     "a symbolic link in inventory directory " + p + " that cannot be followed: " + se.message());
                const bool dangling = link && st.type() == fs::file_type::not_found;
                throw InputError(it->path().string(), {}, "input.not-a-file",
                                 dangling ? std::string("a dangling symbolic link in inventory directory ") + p +
                                                ": its target does not exist (remove the link or restore the file)"
                                          : std::string("not a regular file (a FIFO, device or socket) in inventory directory ") +
                                                p + ": opguard reads inventory files only");
            }
            if (ec) throw InputError(p, {}, "input.unreadable", "cannot list directory: " + ec.message());
            std::sort(found.begin(), found.end());
            if (found.empty()) throw InputError(p, {}, "inventory.empty-directory", "directory holds no .json files");
            out.insert(out.end(), found.begin(), found.end());
        } else {
            out.push_back(p);
        }
    }
    // One order whatever the order of --inventory options: pages merge and conflicts are
    // reported the same way, and reports list the files identically. A file named twice
    // (itself and through its directory, or as inv and ./inv) is read once.
    auto key = [](const std::string& f) { return fs::path(f).lexically_normal().string(); };
    std::sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
        const std::string ka = key(a), kb = key(b);
        return ka != kb ? ka < kb : a < b;
    });
    out.erase(std::unique(out.begin(), out.end(), [&](const std::string& a, const std::string& b) { return key(a) == key(b); }), out.end());
    return out;
}

namespace {

// The fields an object of kind `k` keeps: its declared fields, its status, and every field
// some loaded rule, effect or operation reads (ResourceKind::read_fields); all of them when
// some expression reads its objects whole.
void keep_fields(Projection& p, const ResourceKind& k) {
    for (const auto& f : k.fields) p.child(f).all = true;
    for (const auto& f : k.read_fields) p.child(f).all = true;
    if (k.read_whole) p.rest = true;
}

// The list of kind `k` in a saved response: its elements are lazy (built when first read),
// with the id, the field that tells kinds apart and the fields find_all matches on kept
// from the start. Returns the element's projection.
Projection& add_path(Projection& root, const ResourceKind& k) {
    Projection* p = &root;
    for (const auto& key : k.list_path) p = &p->child(key);
    p = &p->child("[]");
    keep_fields(*p, k);
    p->lazy = true;
    p->eager.insert(k.id_field);
    if (!k.detect_field.empty()) p->eager.insert(k.detect_field);
    for (const auto& f : k.indexed_fields)
        if (std::find(k.fields.begin(), k.fields.end(), f) != k.fields.end() ||
            std::find(k.read_fields.begin(), k.read_fields.end(), f) != k.read_fields.end())
            p->eager.insert(f);
    return *p;
}

Node* walk(Node& root, const std::vector<std::string>& path) {
    Node* n = &root;
    for (const auto& key : path) {
        n = n->find(key);
        if (!n) return nullptr;
    }
    return n && n->is_array() ? n : nullptr;
}

// Whether FILE of --inventory-kind KIND=FILE names `path` (both as written, normalised).
bool same_file_name(const std::string& file, const std::string& path) {
    return fs::path(file).lexically_normal() == fs::path(path).lexically_normal();
}

std::string describe_kinds(const RuleSet& rules) {
    std::string s;
    for (const auto& k : rules.resources) {
        std::string path;
        for (const auto& p : k.list_path) path += (path.empty() ? "" : ".") + p;
        s += (s.empty() ? "" : ", ") + path + "[] (" + k.name + ")";
    }
    return s;
}

}  // namespace

Inventory load_inventory(SourceRegistry& sources, const std::vector<std::string>& paths, const RuleSet& rules,
                         const InventoryOptions& options) {
    Inventory inv;
    inv.builder_ = std::make_unique<ObjectBuilder>(sources, rules);
    ObjectBuilder& builder = *inv.builder_;
    Projection projection;
    std::vector<const Projection*> elements;
    for (const auto& k : rules.resources) elements.push_back(&add_path(projection, k));
    // Kinds that share a list path share its projection (the union of their fields), as a
    // list belongs to the first kind that matches.
    for (size_t i = 0; i < rules.resources.size(); ++i)
        builder.plans[&rules.resources[i]] = ObjectBuilder::KindPlan{*elements[i]};
    // A bare array (--cli-query output) holds elements of one kind: keep the union of fields.
    // Its elements are built at once (the kind is known only after reading them).
    Projection& bare = projection.child("[]");
    for (const auto& k : rules.resources) keep_fields(bare, k);
    // Field names seen per element projection, per file (then credited to the kinds found).
    std::map<Projection*, std::set<std::string, std::less<>>> seen;
    for (const Projection* e : elements) const_cast<Projection*>(e)->keys_seen = &seen[const_cast<Projection*>(e)];
    bare.keys_seen = &seen[&bare];
    std::vector<Projection*> element_of_kind;
    for (const Projection* e : elements) element_of_kind.push_back(const_cast<Projection*>(e));

    const std::vector<std::string> files = inventory_files(paths);
    // Every kind named must exist, whether or not a bare array comes to need it: a typo
    // (--inventory-kind dekstop) is an error, never silently unused.
    auto known_kind = [&](const std::string& k) {
        if (!rules.resource(k))
            throw InputError("command line", {}, "inventory.unknown-kind",
                             "unknown --inventory-kind '" + k + "'; the kinds the rules declare: " + describe_kinds(rules));
    };
    if (!options.kind_override.empty()) known_kind(options.kind_override);
    for (const auto& named : options.kind_of_file) known_kind(named.second);
    for (const auto& named : options.kind_of_file) {
        const std::string& file_name = named.first;
        if (std::none_of(files.begin(), files.end(), [&](const std::string& f) { return same_file_name(file_name, f); }))
            throw InputError(file_name, {}, "inventory.kind-file",
                             "--inventory-kind " + named.second + "=" + file_name +
                                 " names a file that is not among the inventory files (give it, or its folder, with --inventory)");
    }
    // A response's page markers (NextToken; TotalCount, Count of ListImage, total_count of
    // Huawei lists), read beside the lists.
    static const char* const kPageMarkers[] = {"NextToken", "TotalCount", "Count", "total_count"};
    for (const char* m : kPageMarkers) projection.child(m).all = true;
    struct Page {
        std::string token;      // "" when the page says none
        Origin token_at;
        std::optional<double> total;
        Origin total_at;
        size_t saved = 0;       // objects of the kind in this response
    };
    std::map<const ResourceKind*, std::vector<Page>> pages;
    FileReader reader;  // the projection compiled once for every file
    for (const std::string& path : files) {
        uint32_t fid = sources.add(path, map_or_read_file(path, options.max_file_bytes));
        inv.files.push_back(path);
        adapters::reject_cli_text_output(path, sources.file(fid).text());  // a table, not JSON: say so
        std::vector<ElementSpan> spans;  // of the lazy lists' elements, in document order
        for (auto& [proj, names] : seen) names.clear();
        Node root;
        try {
            root = reader.read(sources, fid, &projection, {}, &spans);
        } catch (const InputError& e) {
            // Responses saved one after another in one file (`>>` of several CLI runs, JSON Lines).
            if (e.id() == "json.syntax" && e.message().find("expected the end of the file after the JSON value") != std::string::npos &&
                (e.message().starts_with("found '{'") || e.message().starts_with("found '['")))
                throw InputError(e.file(), e.position(), "inventory.several-values",
                                 "a second JSON value starts here: an inventory file holds one saved response; save each response "
                                 "or page to its own file (aliyun ... > page1.json), or have the CLI merge the pages (--pager)",
                                 e.pointer());
            throw;
        }
        bool lazy_here = false;
        const SourceFile& file = sources.file(fid);
        auto where = [&](const Node& n) { return file.position(n.origin.offset); };

        struct Match { const ResourceKind* kind; Node* list; };
        std::vector<Match> matches;
        if (root.is_array()) {
            const ResourceKind* kind = nullptr;
            std::string named = options.kind_override;
            for (const auto& [file_name, k] : options.kind_of_file)
                if (same_file_name(file_name, path)) named = k;
            if (!named.empty()) {
                kind = rules.resource(named);
                if (!kind) throw InputError(path, {}, "inventory.unknown-kind", "unknown --inventory-kind '" + named + "'");
            } else {
                // The first declared kind whose hint the name holds, unless its id field is not
                // in the first element and a later match's is: check_desktop_images.json holding
                // desktop_id is hw_image_check, not desktop (whose hint it also holds).
                std::string name = fs::path(path).filename().string();
                const Node* first = root.items().empty() ? nullptr : &root.items()[0];
                auto has_id = [&](const ResourceKind& k) { return !first || !first->is_object() || first->find(k.id_field); };
                for (const auto& k : rules.resources)
                    if (!k.file_hint.empty() && name.find(k.file_hint) != std::string::npos && (!kind || (!has_id(*kind) && has_id(k))))
                        kind = &k;
            }
            if (!kind)
                throw InputError(path, where(root), "inventory.bare-array",
                                 "a bare JSON array (--cli-query output) does not say what it lists; name the kind with "
                                 "--inventory-kind KIND=FILE (or KIND for every such file) or put it in the file name (e.g. desktops.json)");
            matches.push_back({kind, &root});
        } else if (root.is_object()) {
            // --inventory-kind KIND=FILE names the kind of a bare array; an object says its own.
            for (const auto& [file_name, k] : options.kind_of_file)
                if (same_file_name(file_name, path))
                    throw InputError(path, where(root), "inventory.kind-file",
                                     "--inventory-kind " + k + "=" + file_name +
                                         " names a file that is a JSON object, not a bare array: its lists say what it holds (drop the option)");
            for (const auto& k : rules.resources) {
                Node* list = walk(root, k.list_path);
                if (!list) continue;
                if (!k.detect_field.empty() && !list->items().empty() && !list->items()[0].find(k.detect_field)) continue;
                // One list belongs to one kind (the first declared that matches).
                if (std::any_of(matches.begin(), matches.end(), [&](const Match& m) { return m.list == list; })) continue;
                matches.push_back({&k, list});
            }
        }
        if (matches.empty())
            throw InputError(path, root.is_null() ? Position{} : where(root), "inventory.unknown-shape",
                             std::string("not a saved API response opguard knows; expected a JSON ") +
                                 (root.is_object() ? "object" : "value") + " with one of: " + describe_kinds(rules));

        for (const auto& m : matches) {
            inv.mark_loaded(m.kind->name);
            if (root.is_object() && m.list != &root) {
                Page page;
                page.saved = m.list->items().size();
                if (const Node* t = root.find("NextToken"); t && t->is_string() && !t->as_string().empty()) {
                    page.token = t->as_string();
                    page.token_at = t->origin;
                }
                for (const char* key : {"TotalCount", "Count", "total_count"})
                    if (const Node* n = root.find(key); n && n->is_number() && !page.total) {
                        page.total = n->as_number();
                        page.total_at = n->origin;
                    }
                pages[m.kind].push_back(std::move(page));
            }
            {
                Projection* from = m.list == &root ? &bare : element_of_kind[static_cast<size_t>(m.kind - rules.resources.data())];
                auto& names = inv.field_names_[m.kind->name];
                names.insert(seen[from].begin(), seen[from].end());
            }
            size_t index = 0;
            for (Node& el : m.list->items()) {
                InventoryObject obj;  // its pointer() also places the errors below
                obj.kind = m.kind;
                obj.element_ = static_cast<uint32_t>(index++);
                obj.bare_ = m.list == &root;
                if (!el.is_object())
                    throw InputError(path, where(el), "inventory.shape",
                                     "expected an object in " + m.kind->name + " list, found " + kind_name(el.kind()),
                                     obj.pointer());
                const Node* id = el.find(m.kind->id_field);
                if (!id || !id->is_string() || id->as_string().empty()) {
                    // A list of whole responses ([{"Desktops": [...]}, ...]) rather than of objects.
                    if (obj.bare_)
                        for (const auto& k : rules.resources)
                            if (!k.list_path.empty() && seen[&bare].count(k.list_path.front()))
                                throw InputError(path, where(el), "inventory.several-values",
                                                 "this list holds whole saved responses (this one has " + k.list_path.front() +
                                                     "), not " + m.kind->name + " objects: save each response to its own file",
                                                 obj.pointer());
                    throw InputError(path, where(el), "inventory.missing-id",
                                     m.kind->name + " without a string " + m.kind->id_field, obj.pointer());
                }
                obj.id = id->as_string();
                obj.file = fid;
                // The element is moved, not copied: the parsed document is not used again.
                auto span = std::lower_bound(spans.begin(), spans.end(), el.origin.offset,
                                             [](const ElementSpan& s, uint32_t at) { return s.start < at; });
                if (span != spans.end() && span->start == el.origin.offset) {
                    builder.set_lazy(obj, std::move(el), *span);  // built when first read
                    lazy_here = true;
                } else {
                    builder.set_built(obj, std::move(el));
                }
                if (InventoryObject* prev = inv.find(m.kind->name, obj.id)) {
                    // Both are built to compare them (only for ids seen twice).
                    if (prev->value().equals(obj.value())) continue;  // the same object on two pages
                    const SourceFile& pf = sources.file(prev->file);
                    Position pp = pf.position(prev->value().origin.offset);
                    if (!pp.known()) {
                        // That file's text is already released: read it again for the position.
                        SourceFile again(pf.path(), read_file_bytes(pf.path(), options.max_file_bytes));
                        pp = again.position(prev->value().origin.offset);
                    }
                    throw InputError(path, where(el), "inventory.conflicting-duplicate",
                                     m.kind->name + " " + obj.id + " appears twice with different contents; the other copy is at " +
                                         pf.path() + (pp.known() ? ":" + std::to_string(pp.line) + ":" + std::to_string(pp.column) : "") +
                                         " (" + prev->pointer() + ")",
                                     obj.pointer());
                }
                inv.add(std::move(obj));
            }
        }
        // Objects still to be built read this file's text later: a mapped file's pages are
        // handed back (they are mapped again from the page cache as objects need them);
        // otherwise the text is released. (Handing pages back again while objects are
        // built was measured: it kept peak memory 30 % lower but made the run 60 % slower.)
        if (lazy_here) sources.file(fid).drop_resident_pages();
        else sources.file(fid).release_text();
    }
    // Pages left out: no saved page is the last one (each ends with a NextToken), or the pages
    // that give one total hold fewer objects than it (responses of other regions or filters
    // give other totals; pages merged by the CLI's --pager keep theirs).
    for (const auto& k : rules.resources) {
        auto it = pages.find(&k);
        if (it == pages.end() || it->second.empty()) continue;
        const std::vector<Page>& ps = it->second;
        if (std::all_of(ps.begin(), ps.end(), [](const Page& p) { return !p.token.empty(); })) {
            inv.incomplete_.push_back({&k, "every saved page ends with a NextToken (\"" + shortened(ps.back().token, 40, 37) + "\"): the page it asks for is not saved",
                                       ps.back().token_at});
            continue;
        }
        std::map<double, std::pair<size_t, Origin>> by_total;
        for (const Page& p : ps)
            if (p.total) {
                auto& [saved, at] = by_total[*p.total];
                saved += p.saved;
                if (!at.known()) at = p.total_at;
            }
        for (const auto& [total, saved_at] : by_total)
            if (static_cast<double>(saved_at.first) < total) {
                inv.incomplete_.push_back({&k, "the saved responses count " + format_number(total) + " and hold " + std::to_string(saved_at.first),
                                           saved_at.second});
                break;
            }
    }
    return inv;
}

}  // namespace opguard
