// keep_buffers: while it lives, the network's buffers (param_kind::buffer, e.g. batch_norm's running statistics)
// are saved; when it goes they are written back. An optimiser step over the whole arena (one loop, as the
// optimisers are) thereby leaves them untouched, weight decay included. Costs a copy of the buffers only: none
// for a model without them.
#pragma once

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

namespace helix {

template <class Net>
class keep_buffers {
public:
    explicit keep_buffers(Net& net) : net_(net) {
        if constexpr (knows_buffers) {
            if (!net.has_buffers()) return;
            const auto params = net.parameters();
            for (const auto& b : net.buffer_info())
                saved_.insert(saved_.end(), params.begin() + b.offset, params.begin() + b.offset + b.size);
        }
    }
    ~keep_buffers() {
        if constexpr (knows_buffers) {
            if (saved_.empty()) return;
            auto params = net_.parameters();
            auto from = saved_.begin();
            for (const auto& b : net_.buffer_info()) {
                std::copy(from, from + b.size, params.begin() + b.offset);
                from += b.size;
            }
        }
    }
    keep_buffers(const keep_buffers&) = delete;
    keep_buffers& operator=(const keep_buffers&) = delete;

private:
    // Networks that list their buffers (helix::network); anything else steps its whole arena.
    static constexpr bool knows_buffers = requires(Net& n) { n.has_buffers(); n.buffer_info(); };
    Net& net_;
    std::vector<std::remove_cvref_t<decltype(std::declval<Net&>().parameters()[0])>> saved_;
};

}  // namespace helix
