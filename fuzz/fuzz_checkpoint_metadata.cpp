// The JSON metadata of epiann checkpoints and runs: the input is stored as the "epiann" metadata of an otherwise valid
// safetensors file and read as a model checkpoint describes itself (pipeline/runs.cpp: read_checkpoint_info) and as
// a training state does on resume (train/trainer.hpp: parse_resume_point); the same bytes are read as a run's
// run.json (read_run_request).
#include <helix/io/safetensors.hpp>

#include "common/errors.hpp"
#include "fuzz_support.hpp"
#include "pipeline/runs.hpp"
#include "train/checkpoint.hpp"
#include "train/trainer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    for (std::size_t i = 0; i < text.size(); i += helix::detail::utf8_length(text, i))
        if (helix::detail::utf8_length(text, i) == 0) return 0;  // JSON text is UTF-8 (raw bytes: fuzz_safetensors)
    // The file write_safetensors would make, without its fsync (which would cost most of the time here).
    std::string header = "{\"__metadata__\":{\"" + std::string(epiann::checkpoint_metadata_key) + "\":" +
                         helix::detail::json_quote(text) + "}}";
    header.append((8 - header.size() % 8) % 8, ' ');
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i) file[std::size_t(i)] = char(std::uint64_t(header.size()) >> (8 * i));
    file += header;
    const std::string path =
        fuzz::write_input("model.safetensors", reinterpret_cast<const std::uint8_t*>(file.data()), file.size());
    try {
        const auto info = epiann::read_checkpoint_info(path);
        (void)info;
    } catch (const epiann::input_error&) {
    }
    try {
        (void)epiann::parse_resume_point(epiann::read_checkpoint_metadata(path), path);
    } catch (const epiann::input_error&) {
    }
    const std::string run = fuzz::scratch_path("run");
    std::filesystem::create_directories(run);
    fuzz::write_file(run + "/run.json", data, size);
    try {
        (void)epiann::read_run_request(run);
    } catch (const epiann::input_error&) {
    }
    return 0;
}
