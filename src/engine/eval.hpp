#pragma once
// evaluate: a rule-language expression + a Frame => a value. Values are Nodes, borrowed
// from the plan or inventory where possible (no copies) and owned when computed.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/node.hpp"
#include "dsl/rule_set.hpp"

namespace opguard {

class InventoryObject;

// What number() reads: a number, or a string that is one decimal number as a whole ("894",
// "-1.5e3"; not " 1", "0x10" or "inf"); none for anything else.
std::optional<double> number_value(const Node& n);

class Val {
public:
    Val() : ref_(&null_node()) {}
    explicit Val(const Node* r) : ref_(r ? r : &null_node()) {}
    explicit Val(Node n) : own_(std::make_shared<Node>(std::move(n))), ref_(own_.get()) {}
    // A value others may hold too (a look-up the host keeps for the expressions after it).
    explicit Val(std::shared_ptr<Node> shared) : own_(std::move(shared)), ref_(own_ ? own_.get() : &null_node()) {}
    // A part of `owner`: shares its ownership, so the part stays valid as long as needed.
    Val(const Val& owner, const Node* part) : own_(owner.own_), ref_(part ? part : &null_node()) {}
    const Node& operator*() const { return *ref_; }
    const Node* operator->() const { return ref_; }
    const Node* get() const { return ref_; }
    static const Node& null_node();

private:
    std::shared_ptr<Node> own_;
    const Node* ref_;
};

// What an expression can ask of the world beyond its own frame: inventory look-ups and
// the plan around the current call. The engine implements it; resource derivations at
// load time use a host that answers nothing.
class EvalHost {
public:
    virtual ~EvalHost() = default;
    virtual const InventoryObject* lookup(std::string_view kind, std::string_view id, const Node* region) = 0;
    virtual Node history(std::string_view kind, std::string_view id) = 0;
    virtual Val find_all(std::string_view kind, std::string_view field, const Node& value) = 0;
    // Whether any saved response of this kind was given (even an empty list).
    virtual bool loaded(std::string_view kind) = 0;
    // Whether the saved responses of this kind show pages left out (Inventory::incomplete).
    virtual bool incomplete(std::string_view /*kind*/) { return false; }
    // The current call's operation (nullptr when the call's operation is unknown).
    virtual const Operation* operation() = 0;
    virtual const Node* parameters() = 0;
    // A context value the host computes only when an expression asks for it (`calls`,
    // `prior_calls`); nullptr when it has none by that name. Frame variables come first.
    virtual const Node* context(std::string_view /*name*/) { return nullptr; }
    // absent_fields(): what the plan's rules read that the inventory does not have (see
    // dsl/builtins.cpp); hosts without a plan answer [].
    virtual Node absent_fields() { return Node::array(); }
    // mistyped_fields(): the fields of the inventory objects read so far whose JSON type is
    // not the declared one (see dsl/builtins.cpp); hosts without an inventory answer [].
    virtual Node mistyped_fields() { return Node::array(); }
    // incomplete_lists(): the kinds the plan's rules read whose saved lists miss pages (see
    // dsl/builtins.cpp); hosts without an inventory answer [].
    virtual Node incomplete_lists() { return Node::array(); }
    // first_prior_call(criteria): the first call before the current one (any call for a
    // plan-wide rule) whose record matches every {dotted path: value} of `criteria`, or null.
    virtual Node first_prior_call(const Node& /*criteria*/) { return Node::null(); }
    // Evaluation steps charged so far through this host (all frames): a measure of work that
    // does not depend on the machine.
    uint64_t steps = 0;
};

struct Frame {
    const Node* self = nullptr;                              // resource derivations: fields by bare name
    std::vector<std::pair<std::string, Val>> vars;          // call, target, loop variables, it ...
    // A named value, computed on first use. `evidence` keeps the inventory objects its
    // computation read, so a later use cites them too.
    // A let sees the variables bound before its group of lets was added (and, for a rule's
    // or an effect's lets, that group's loop variable): `vars_visible` of them. Variables
    // bound later (a rule's `for` variable, `it` inside filter()) are hidden while it is
    // computed, so an operation's let has one value whichever rule asks for it first.
    struct Let {
        const NamedValue* def;
        std::optional<Val> value;
        bool busy = false;
        std::vector<const InventoryObject*> evidence;
        size_t vars_visible = 0;
    };
    std::vector<Let> lets;
    std::vector<const InventoryObject*> evidence;           // inventory objects read while evaluating
    // Steps left; exhaustion is an error. Each evaluation of a rule, effect or operation
    // value starts with `limit` steps: kBaseBudget, and in a check the larger of kBaseBudget
    // and kStepsPerItem per plan call and inventory object (engine/simulate.cpp), so a rule
    // that visits every call of a large plan once still fits.
    static constexpr long kBaseBudget = 2'000'000;
    static constexpr long kStepsPerItem = 64;
    long limit = kBaseBudget;
    long budget = kBaseBudget;

    void bind(std::string name, Val v) { vars.emplace_back(std::move(name), std::move(v)); }
    void add_lets(const std::vector<NamedValue>& defs) {
        lets.reserve(lets.size() + defs.size());
        for (const auto& d : defs) lets.push_back(Let{&d, std::nullopt, false, {}, vars.size()});
    }
    // Forgets the values of lets[from...] (their group's loop variable has a new value, bound
    // as the last variable): they are computed again, seeing every variable bound now.
    void reset_lets_from(size_t from) {
        for (size_t i = from; i < lets.size(); ++i) lets[i] = Let{lets[i].def, std::nullopt, false, {}, vars.size()};
    }
};

// Thrown when an expression exceeds its budget or meets a value it cannot work with in a
// way the compiler could not see (e.g. a let that refers to itself).
class EvalError : public std::runtime_error {
public:
    EvalError(Origin o, const std::string& msg) : std::runtime_error(msg), origin(o) {}
    Origin origin;
};

Val evaluate(const ast::Expr& e, Frame& frame, EvalHost& host, const RuleSet& rules);
std::string render_template(const Template& t, Frame& frame, EvalHost& host, const RuleSet& rules);

// Case-sensitive comparison the rule language uses for == (numbers by value, a number and
// a numeric string are equal, strings exactly).
bool values_equal(const Node& a, const Node& b);

}  // namespace opguard
