// param_info and param_list: the named parameter tensors of a model, in arena order.
// Represents: where each parameter tensor lives in the network's parameter arena, its shape, and what an
// initialiser needs (weight or bias, fan-in, fan-out). Names follow the layer path ("0.weight",
// "trunk.1.bias"), so checkpoints written by helix read naturally in numpy or PyTorch.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace helix {

enum class param_kind { weight, bias };

struct param_info {
    std::string name;
    std::vector<std::size_t> dims;
    std::size_t offset = 0;  // in elements, from the start of the arena
    std::size_t size = 0;
    param_kind kind = param_kind::weight;
    std::size_t fan_in = 0;
    std::size_t fan_out = 0;
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
