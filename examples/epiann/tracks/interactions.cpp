#include "tracks/interactions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <helix/io/atomic_file.hpp>

namespace epiann {
namespace {

void append_region(std::string& out, const region& r) {
    out += r.chromosome + '\t' + std::to_string(r.start) + '\t' + std::to_string(r.end);
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}


}  // namespace

void write_bedpe(const std::filesystem::path& path, std::span<const scored_interaction> items) {
    std::string out;
    for (const auto& i : items) {
        append_region(out, i.source);
        out += '\t';
        append_region(out, i.target);
        out += '\t' + i.name + '\t' + number(i.value) + '\n';
    }
    helix::write_file_atomically(path, out);
}

void write_interact(const std::filesystem::path& path, std::span<const scored_interaction> items,
                    const std::string& track_name, const std::string& description) {
    std::string out = "track type=interact name=\"" + track_name + "\" description=\"" + description +
                      "\" interactDirectional=true maxHeightPixels=200:100:50 visibility=full\n";
    for (const auto& i : items) {
        const bool same_chromosome = i.source.chromosome == i.target.chromosome;
        const long long start = same_chromosome ? std::min(i.source.start, i.target.start) : i.source.start;
        const long long end = same_chromosome ? std::max(i.source.end, i.target.end) : i.source.end;
        const int score = int(std::lround(std::clamp(i.value, 0.0, 1.0) * 1000));
        out += i.source.chromosome + '\t' + std::to_string(start) + '\t' + std::to_string(end) + '\t' + i.name + '\t' +
               std::to_string(score) + '\t' + number(i.value) + "\t.\t0,0,0\t";
        append_region(out, i.source);
        out += '\t' + i.source.name + "\t.\t";
        append_region(out, i.target);
        out += '\t' + i.target.name + "\t.\n";
    }
    helix::write_file_atomically(path, out);
}

}  // namespace epiann
