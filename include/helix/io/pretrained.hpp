// load_parameter_npy(net, "name.of.param", path): one parameter tensor of a network from a NumPy .npy file, e.g. a
// pre-trained embedding matrix (dna2vec's 6-mer vectors for embedding<4097, 100>: "0.weight", [4097, 100]).
// Requires: the file holds float32 (<f4) or float64 (<f8) values, C order, of exactly the parameter's dims (its
// param_info::dims; a [4097, 100] parameter takes no (409700,) or (1, 4097, 100)), every one finite, and finite
// once converted to the network's T (a float64 beyond float's range is refused, not made infinite).
// Guarantees: on any problem (no such parameter, missing file, not a .npy, wrong dtype or shape, NaN or infinity)
// it throws helix::io_error naming the file, the parameter, what was expected and what was found, and the
// network is unchanged; otherwise exactly that parameter's values are replaced.
// Works on anything with parameter_info() and a host parameters() span (helix::network); for a cuda::network, load
// into a host network and upload its parameters. Rows keep the file's order: remapping a vocabulary (EPIVAN's
// matrix to kmer_tokens' ids, see layers/embedding/kmer_tokens.hpp) is done on the array before it is saved.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "helix/core/error.hpp"
#include "helix/io/npy.hpp"
#include "helix/nn/parameters.hpp"

namespace helix {

template <class Net>
void load_parameter_npy(Net& net, std::string_view name, const std::filesystem::path& path) {
    using T = typename Net::value_type;
    const std::string where = path.string() + ": parameter \"" + std::string(name) + "\"";
    const param_info* target = nullptr;
    for (const auto& p : net.parameter_info())
        if (p.name == name) target = &p;
    if (!target) {
        std::string names;
        for (const auto& p : net.parameter_info())
            names += (names.empty() ? "" : ", ") + p.name + " " + detail::shape_tuple(p.dims);
        throw io_error(where + ": the network has no parameter of that name (it has: " +
                       (names.empty() ? std::string("none") : names) + ")");
    }
    const std::string expected = detail::shape_tuple(target->dims) + " float32 or float64";

    npy_array a;
    try {
        a = load_npy(path);
    } catch (const io_error& e) {
        throw io_error(std::string(e.what()) + " (loading parameter \"" + std::string(name) + "\", expected " +
                       expected + ")");
    }
    if (a.dtype != "<f4" && a.dtype != "<f8")
        throw io_error(where + ": expected " + expected + ", found dtype " + detail::npy_dtype_name(a.dtype) +
                       " (save it with a.astype(np.float32))");
    if (a.dims != target->dims)
        throw io_error(where + ": expected shape " + detail::shape_tuple(target->dims) + ", found " +
                       detail::shape_tuple(a.dims) + " of dtype " + detail::npy_dtype_name(a.dtype));

    std::vector<T> values(target->size);
    std::size_t bad = 0, first_bad = 0;
    double first_value = 0;
    const auto take = [&](const auto& source) {
        for (std::size_t i = 0; i < values.size(); ++i) {
            const double v = double(source[i]);
            values[i] = T(v);
            if (!std::isfinite(v) || !std::isfinite(double(values[i])))
                if (bad++ == 0) first_bad = i, first_value = v;
        }
    };
    if (a.dtype == "<f4") take(a.as<float>());
    else take(a.as<double>());
    if (bad > 0) {
        char value[32];
        std::snprintf(value, sizeof value, "%g", first_value);
        throw io_error(where + ": " + std::to_string(bad) + " of " + std::to_string(values.size()) +
                       " values are not finite (NaN, infinite, or beyond the range of the network's type); the first "
                       "at flat index " + std::to_string(first_bad) + " is " + value + "; nothing was loaded");
    }
    const std::span<T> params = net.parameters();
    std::copy(values.begin(), values.end(), params.begin() + std::ptrdiff_t(target->offset));
}

}  // namespace helix
