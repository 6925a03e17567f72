// Numbers read from JSON that another program, or a damaged file, wrote. nlohmann's conversions cast without a
// check: 1e49 into an integer or a float is undefined behaviour and -1 into an unsigned wraps. number_at() accepts
// only values the target type holds (integers for integer types) and otherwise throws json_number_error, an
// nlohmann::json::exception, so the callers that turn JSON errors into input errors naming the file handle it as is.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

namespace epiann {

class json_number_error : public nlohmann::json::exception {
public:
    explicit json_number_error(const std::string& what) : nlohmann::json::exception(0, what.c_str()) {}
};

// The message of a JSON error without the library's "[json.exception.type_error.302] " prefix.
inline std::string json_problem(const nlohmann::json::exception& e) {
    std::string text = e.what();
    if (text.starts_with("[json.exception.")) {
        if (const auto end = text.find("] "); end != std::string::npos) text.erase(0, end + 2);
    }
    if (const auto echo = text.find("; last read: "); echo != std::string::npos) text.erase(echo);  // the bytes, echoed
    return text;
}

template <class T>
    requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
T number_at(const nlohmann::json& object, const std::string& key) {
    const auto& v = object.at(key);
    const auto fail = [&](const char* expected) {
        throw json_number_error("\"" + key + "\": expected " + expected + ", found " + v.dump());
    };
    if constexpr (std::is_integral_v<T>) {
        if (v.is_number_unsigned()) {
            const auto u = v.get<std::uint64_t>();
            if (!std::in_range<T>(u)) fail("an integer in range");
            return T(u);
        }
        if (v.is_number_integer()) {
            const auto s = v.get<std::int64_t>();
            if (!std::in_range<T>(s)) fail("an integer in range");
            return T(s);
        }
        fail("an integer");
    } else {
        if (!v.is_number()) fail("a number");
        const double d = v.get<double>();
        if (!(std::fabs(d) <= double(std::numeric_limits<T>::max()))) fail("a finite number in range");
        return T(d);
    }
    return T{};  // not reached: fail() throws
}

}  // namespace epiann
