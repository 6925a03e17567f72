#include "common/output_paths.hpp"

#include <unistd.h>

#include <cstdio>
#include <system_error>

#include <helix/core/error.hpp>
#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"

namespace epiann {
namespace {

namespace fs = std::filesystem;

// Whether two paths name the same file: the same inode when both exist (links, bind mounts), else the same
// absolute path once `.`, `..` and symbolic links of the existing part are resolved.
bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec) && !ec;
    const auto canonical = [](const fs::path& p) {
        std::error_code e;
        const fs::path absolute = fs::absolute(p, e).lexically_normal();
        const fs::path resolved = fs::weakly_canonical(absolute, e);
        return e ? absolute : resolved;  // a name the system refuses (too long) is compared as written
    };
    return canonical(a) == canonical(b);
}

}  // namespace

void refuse_overwriting_inputs(const std::vector<named_path>& inputs, const std::vector<named_path>& outputs) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const auto& out = outputs[i];
        for (const auto& in : inputs) {
            if (in.path.empty()) continue;
            std::error_code ec;
            if (fs::exists(out.path, ec) && fs::exists(in.path, ec) && same_file(out.path, in.path))
                throw input_error(out.path.string() + " (" + out.option + ") is the input " + in.path.string() + " (" + in.option +
                                  "): refusing to overwrite an input; write the output elsewhere");
        }
        for (std::size_t j = 0; j < i; ++j)
            if (same_file(out.path, outputs[j].path))
                throw input_error(out.path.string() + ": " + outputs[j].option + " and " + out.option +
                                  " would be the same file; choose an output name that keeps them apart");
    }
}

std::vector<named_path> genome_inputs(const std::string& genome, const std::string& option) {
    if (genome.empty()) return {};
    return {{option, genome}, {option + " index", genome + ".fai"}, {option + " index", genome + ".gzi"}};
}

void check_output_directory(const fs::path& path, const std::string& option) {
    std::error_code ec;
    fs::path existing = fs::absolute(path, ec);
    while (!existing.empty() && !fs::exists(existing, ec) && existing.has_parent_path() && existing.parent_path() != existing)
        existing = existing.parent_path();
    if (!fs::is_directory(existing, ec)) {
        if (existing == fs::absolute(path, ec)) throw input_error(path.string() + " (" + option + ") exists and is not a directory");
        throw input_error(path.string() + " (" + option + "): cannot create the directory: " + existing.string() + " is not a directory");
    }
    if (::access(existing.c_str(), W_OK | X_OK) != 0)
        throw helix::io_error(path.string() + " (" + option + "): cannot write in " + existing.string() + ": permission denied");
}

fs::path output_directory(const fs::path& path, const std::string& option) {
    check_output_directory(path, option);
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) throw helix::io_error(path.string() + " (" + option + "): cannot create the directory: " + ec.message());
    return path;
}

void remove_stale_temporaries_of(const std::vector<named_path>& outputs) {
    std::size_t removed = 0;
    for (const auto& out : outputs) removed += helix::remove_stale_temporaries(out.path);
    if (removed > 0)
        std::fprintf(stderr, "removed %zu temporary file%s that a killed process left in %s\n", removed,
                     removed == 1 ? "" : "s", outputs.front().path.parent_path().empty() ? "." : outputs.front().path.parent_path().c_str());
}

new_output_directory::new_output_directory(fs::path path, std::string option) : path_(std::move(path)) {
    std::error_code ec;
    std::vector<fs::path> made;  // outermost last
    for (fs::path p = fs::absolute(path_, ec); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
        first_made_ = p;
        made.push_back(p);
        if (p == p.parent_path()) break;
    }
    for (auto it = made.rbegin(); it != made.rend(); ++it) on_signal_.push_back(std::make_unique<helix::registered_directory>(*it));
    output_directory(path_, option);
}

new_output_directory::~new_output_directory() {
    on_signal_.clear();
    if (kept_ || first_made_.empty()) return;
    std::error_code ec;  // best effort: fs::remove leaves a directory that is not empty
    const fs::path stop = first_made_.parent_path();
    for (fs::path p = fs::absolute(path_, ec); !p.empty() && p != stop && fs::remove(p, ec); p = p.parent_path()) {
    }
}

}  // namespace epiann
