// param_info and param_list: the named parameter tensors of a model, in arena order.
// Represents: where each parameter tensor lives in the network's parameter arena, its shape, and what an
// initialiser needs (weight or bias, fan-in, fan-out). Names follow the layer path ("0.weight",
// "trunk.1.bias"), so checkpoints written by helix read naturally in numpy or PyTorch.
// Buffers (param_kind::buffer, PyTorch's word) are state that is not trained, such as batch_norm's running
// statistics: they live in the parameter arena, so a checkpoint still holds them, but the optimisers skip them,
// no gradient reaches them and the gradient checks leave them alone; init() sets them to `initial`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace helix {

enum class param_kind { weight, bias, buffer };

// How init() fills a tensor: with the initialiser it is given (the default), or as the layer prescribes, whatever the
// initialiser (layer_norm's scale starts at 1, an embedding at N(0, 1), as in PyTorch; buffers at their value).
enum class param_init { initializer, constant, normal };

struct param_info {
    std::string name;
    std::vector<std::size_t> dims;
    std::size_t offset = 0;  // in elements, from the start of the arena
    std::size_t size = 0;
    param_kind kind = param_kind::weight;
    std::size_t fan_in = 0;
    std::size_t fan_out = 0;
    param_init init_rule = param_init::initializer;
    double initial = 0;  // param_init::constant: the value; param_init::normal: the standard deviation (mean 0)
};

// Collects param_info while a bound model describes itself; `base` and `prefix` track the current layer.
class param_list {
public:
    void add(const std::string& name, std::vector<std::size_t> dims, param_kind kind, std::size_t fan_in,
             std::size_t fan_out, std::size_t local_offset) {
        std::size_t n = 1;
        for (auto d : dims) n *= d;
        items_.push_back({prefix_ + name, std::move(dims), base_ + local_offset, n, kind, fan_in, fan_out});
    }

    // A buffer (state, not trained) of `dims`, set to `initial` by init().
    void add_buffer(const std::string& name, std::vector<std::size_t> dims, double initial, std::size_t local_offset) {
        add(name, std::move(dims), param_kind::buffer, 0, 0, local_offset);
        initialise_last(param_init::constant, initial);
    }

    // The tensor added last is initialised by `rule` (with `value`) whatever initialiser init() is given.
    void initialise_last(param_init rule, double value) {
        items_.back().init_rule = rule;
        items_.back().initial = value;
    }

    // Describes a child layer whose parameters start `offset` elements into the current layer's, under
    // the name `part` ("" keeps the current prefix: used by twin, whose halves share one set).
    template <class F>
    void child(const std::string& part, std::size_t offset, F&& describe) {
        const auto saved_base = base_;
        const auto saved_prefix = prefix_;
        base_ += offset;
        if (!part.empty()) prefix_ += part + ".";
        describe(*this);
        base_ = saved_base;
        prefix_ = saved_prefix;
    }

    const std::vector<param_info>& items() const noexcept { return items_; }

private:
    std::vector<param_info> items_;
    std::size_t base_ = 0;
    std::string prefix_;
};

}  // namespace helix
