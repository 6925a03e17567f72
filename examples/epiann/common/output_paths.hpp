// Where a command may write. Every command names its inputs and outputs before it writes anything:
//   refuse_overwriting_inputs  no output may be an input (the same file, also through a link or another spelling),
//                              and no two outputs may be the same file;
//   check_output_directory     before the work: the directory exists and is writable, or can be made;
//   output_directory           when writing: creates the directory (exit 2 with a plain message when it cannot);
//   remove_stale_temporaries_of  the temporaries that killed processes left beside the outputs about to be written.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <helix/io/atomic_file.hpp>

namespace epiann {

struct named_path {
    std::string option;  // how the user gave it: "--pairs", or "the BEDPE written beside --out"
    std::filesystem::path path;
};

// Throws input_error naming both options when an output would replace an input or another output.
void refuse_overwriting_inputs(const std::vector<named_path>& inputs, const std::vector<named_path>& outputs);

// A genome and the index files read with it (.fai, .gzi), as inputs.
std::vector<named_path> genome_inputs(const std::string& genome, const std::string& option = "--genome");

// Throws (input_error, or helix::io_error for permissions) unless `path` is a writable directory or could be made
// as one. Creates nothing, so a command can check its outputs before hours of work and still leave nothing on failure.
void check_output_directory(const std::filesystem::path& path, const std::string& option = "--out");

// Creates `path` (and its parents) unless it is a directory already; input_error when it exists as something else,
// helix::io_error when it cannot be made.
std::filesystem::path output_directory(const std::filesystem::path& path, const std::string& option = "--out");

// An output directory for one command: made (with output_directory) when the command is about to write, and removed
// again, if it is still empty, when the command fails before keep(): a failed command leaves no empty directory.
class new_output_directory {
public:
    explicit new_output_directory(std::filesystem::path path, std::string option = "--out");
    new_output_directory(const new_output_directory&) = delete;
    new_output_directory& operator=(const new_output_directory&) = delete;
    ~new_output_directory();
    const std::filesystem::path& path() const noexcept { return path_; }
    void keep() noexcept { kept_ = true; }
    void unkeep() noexcept { kept_ = false; }

private:
    std::filesystem::path path_;
    std::filesystem::path first_made_;  // the outermost directory made here, if any
    std::vector<std::unique_ptr<helix::registered_directory>> on_signal_;  // removed by a signal while empty
    bool kept_ = false;
};

// Removes `<output>.tmp-<pid>` files of dead processes for each output (helix::remove_stale_temporaries), saying so
// on stderr. Nothing else is touched.
void remove_stale_temporaries_of(const std::vector<named_path>& outputs);

}  // namespace epiann
