// genome::open and the readers behind it: FASTA (plain or bgzip, through htslib's faidx) and UCSC .2bit (our own
// reader: header and index at open, the bytes of each query with pread).
#include "genome/genome.hpp"

#include <fcntl.h>
#include <htslib/faidx.h>
#include <htslib/hts_log.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "common/errors.hpp"
#include "common/line_reader.hpp"

namespace epiann {
namespace {

// A, C, G, T stay; lower case becomes upper case; anything else (IUPAC codes, '-', '.') becomes N.
constexpr std::array<char, 256> normalise_table = [] {
    std::array<char, 256> t{};
    for (auto& c : t) c = 'N';
    for (char c : {'A', 'C', 'G', 'T'}) {
        t[static_cast<unsigned char>(c)] = c;
        t[static_cast<unsigned char>(c - 'A' + 'a')] = c;
    }
    return t;
}();

std::string known_names(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < std::min<std::size_t>(names.size(), 5); ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > 5) s += ", ... (" + std::to_string(names.size()) + " in all)";
    return s;
}

// Checks an interval against a chromosome's length; the message names the genome, the interval and the length.
void check_interval(const std::string& path, std::string_view chromosome, long long start, long long end,
                    std::optional<long long> length, const std::vector<std::string>& names) {
    const std::string where = std::string(chromosome) + ":" + std::to_string(start) + "-" + std::to_string(end);
    if (!length)
        throw input_error_at(path, 0, "no chromosome \"" + std::string(chromosome) + "\" (the genome has " + known_names(names) + ")");
    if (start < 0) throw input_error_at(path, 0, where + ": negative start");
    if (end < start) throw input_error_at(path, 0, where + ": end before start");
    if (end > *length)
        throw input_error_at(path, 0, where + ": past the end of " + std::string(chromosome) + " (length " + std::to_string(*length) + ")");
}

// Reads a samtools .fai index line by line before htslib does: htslib trusts it, and divides by the bases per line
// (SIGFPE when 0). For plain FASTA every sequence must also lie inside the file. Returns (name, length) in file
// order: htslib 1.16 gives lengths only as int, which wraps for sequences of 2^31 bases or more.
std::vector<std::pair<std::string, long long>> read_fai(const std::string& fai, bool compressed, std::uint64_t fasta_size) {
    std::vector<std::pair<std::string, long long>> entries;
    line_reader in(fai);
    std::set<std::string, std::less<>> names;
    while (auto line = in.next()) {
        if (line->empty()) continue;
        const auto f = split_fields(*line, '\t');
        if (f.size() != 5 && f.size() != 6)
            throw in.error("expected 5 tab-separated columns (name, length, offset, bases per line, bytes per line), found " +
                           std::to_string(f.size()));
        if (f[0].empty()) throw in.error("empty sequence name");
        if (!names.emplace(f[0]).second) throw in.error("sequence \"" + std::string(f[0]) + "\" is listed twice");
        const auto length = parse_integer(f[1]), offset = parse_integer(f[2]), bases = parse_integer(f[3]),
                   width = parse_integer(f[4]);
        if (!length || !offset || !bases || !width) throw in.error("expected non-negative integers in columns 2-5");
        if (*length > 0 && (*bases == 0 || *width < *bases))
            throw in.error("expected at least 1 base per line and at least as many bytes per line as bases, found " +
                           std::to_string(*bases) + " and " + std::to_string(*width));
        entries.emplace_back(std::string(f[0]), *length);
        if (compressed || *length == 0) continue;
        // The byte of the last base: full lines, then the rest of the last one (128-bit: the fields may be huge).
        using u128 = unsigned __int128;
        const u128 last = u128(*offset) + u128(*length - 1) / u128(*bases) * u128(*width) + u128(*length - 1) % u128(*bases);
        if (last >= fasta_size)
            throw in.error("sequence \"" + std::string(f[0]) + "\" (" + std::to_string(*length) +
                           " bases) runs past the end of the FASTA file; is the index stale? Run `samtools faidx` again");
    }
    return entries;
}

class fasta_genome final : public genome {
public:
    explicit fasta_genome(const std::string& path, bool compressed) : genome(path) {
        const std::string fai = path + ".fai";
        if (!std::filesystem::exists(fai))
            throw input_error_at(path, 0, "no index " + fai + ": run `samtools faidx " + path + "` to make it");
        if (compressed && !std::filesystem::exists(path + ".gzi"))
            throw input_error_at(path, 0, "compressed FASTA needs bgzip compression and its .gzi index: recompress with "
                                          "`zcat " + path + " | bgzip > genome.fa.gz` and run `samtools faidx genome.fa.gz`");
        for (auto& [name, length] : read_fai(fai, compressed, std::filesystem::file_size(path))) {
            lengths_.emplace(name, length);
            names_.push_back(std::move(name));
        }
        if (names_.empty()) throw input_error_at(path, 0, "the index " + fai + " lists no sequences");
        // Owned here until the constructor succeeds: a throw below must not leak it (the destructor would not run).
        std::unique_ptr<faidx_t, void (*)(faidx_t*)> first(load(), fai_destroy);
        if (faidx_nseq(first.get()) != int(names_.size()))
            throw input_error_at(path, 0, "htslib reads " + std::to_string(faidx_nseq(first.get())) + " sequences from " + fai +
                                              ", expected " + std::to_string(names_.size()));
        pool_.push_back(first.get());
        first.release();  // the pool owns it now
    }
    ~fasta_genome() override {
        for (auto* f : pool_) fai_destroy(f);
    }

    const std::vector<std::string>& chromosomes() const noexcept override { return names_; }
    std::optional<long long> length(std::string_view chromosome) const override {
        const auto it = lengths_.find(std::string(chromosome));
        if (it == lengths_.end()) return std::nullopt;
        return it->second;
    }
    std::string sequence(std::string_view chromosome, long long start, long long end) const override {
        check_interval(path(), chromosome, start, end, length(chromosome), names_);
        if (start == end) return {};
        faidx_t* f = acquire();
        hts_pos_t got = 0;
        char* raw = faidx_fetch_seq64(f, std::string(chromosome).c_str(), start, end - 1, &got);
        release(f);
        if (raw == nullptr || got != end - start) {
            std::free(raw);
            throw input_error_at(path(), 0, "cannot read " + std::string(chromosome) + ":" + std::to_string(start) + "-" +
                                                std::to_string(end) + " (is the .fai index stale or the file truncated?)");
        }
        std::string s(raw, static_cast<std::size_t>(got));
        std::free(raw);
        for (auto& c : s) c = normalise_table[static_cast<unsigned char>(c)];
        return s;
    }

private:
    faidx_t* load() const {
        faidx_t* f = fai_load3(path().c_str(), nullptr, nullptr, 0);  // 0: never create index files
        if (f == nullptr) throw input_error_at(path(), 0, "cannot load the FASTA index (" + path() + ".fai); is it a FASTA file?");
        return f;
    }
    // faidx handles are not safe to share between threads: each fetch takes one from a pool.
    faidx_t* acquire() const {
        {
            std::lock_guard lock(mutex_);
            if (!pool_.empty()) {
                faidx_t* f = pool_.back();
                pool_.pop_back();
                return f;
            }
        }
        return load();
    }
    void release(faidx_t* f) const {
        std::lock_guard lock(mutex_);
        pool_.push_back(f);
    }

    std::vector<std::string> names_;
    std::unordered_map<std::string, long long> lengths_;
    mutable std::mutex mutex_;
    mutable std::vector<faidx_t*> pool_;
};

class twobit_genome final : public genome {
public:
    explicit twobit_genome(const std::string& path) : genome(path) {
        fd_.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_.fd < 0) throw input_error_at(path, 0, std::string("cannot open: ") + std::strerror(errno));
        file_size_ = static_cast<std::uint64_t>(std::filesystem::file_size(path));
        std::uint32_t header[4];
        read_at(0, header, sizeof header, "the header");
        swap_ = header[0] == 0x4327411A;
        if (!swap_ && header[0] != 0x1A412743) throw input_error_at(path, 0, "not a .2bit file (bad signature)");
        const std::uint32_t version = word(header[1]), count = word(header[2]);
        if (version > 1) throw input_error_at(path, 0, "unsupported .2bit version " + std::to_string(version));
        std::uint64_t at = 16;
        for (std::uint32_t i = 0; i < count; ++i) {
            unsigned char name_size = 0;
            read_at(at, &name_size, 1, "the index");
            std::string name(name_size, '\0');
            read_at(at + 1, name.data(), name_size, "the index");
            at += 1 + name_size;
            std::uint64_t offset = 0;
            if (version == 1) {
                read_at(at, &offset, 8, "the index");
                offset = swap_ ? __builtin_bswap64(offset) : offset;
                at += 8;
            } else {
                std::uint32_t o32 = 0;
                read_at(at, &o32, 4, "the index");
                offset = word(o32);
                at += 4;
            }
            if (offset >= file_size_) throw input_error_at(path, 0, "truncated .2bit: the index points past the end of the file for " + name);
            names_.push_back(name);
            record r;
            r.offset = offset;
            records_.emplace(name, std::move(r));
        }
        if (names_.empty()) throw input_error_at(path, 0, "the .2bit file holds no sequences");
        for (const auto& name : names_) load_record(name);
    }

    const std::vector<std::string>& chromosomes() const noexcept override { return names_; }
    std::optional<long long> length(std::string_view chromosome) const override {
        const auto it = records_.find(std::string(chromosome));
        if (it == records_.end()) return std::nullopt;
        return static_cast<long long>(it->second.size);
    }
    std::string sequence(std::string_view chromosome, long long start, long long end) const override {
        check_interval(path(), chromosome, start, end, length(chromosome), names_);
        const record& r = records_.at(std::string(chromosome));
        std::string s(static_cast<std::size_t>(end - start), 'N');
        if (start == end) return s;
        const auto first_byte = static_cast<std::uint64_t>(start) / 4, last_byte = static_cast<std::uint64_t>(end - 1) / 4;
        std::vector<unsigned char> packed(last_byte - first_byte + 1);
        read_at(r.dna_offset + first_byte, packed.data(), packed.size(), "sequence " + std::string(chromosome));
        static constexpr char bases[4] = {'T', 'C', 'A', 'G'};
        for (long long p = start; p < end; ++p) {
            const auto byte = packed[static_cast<std::size_t>(static_cast<std::uint64_t>(p) / 4 - first_byte)];
            s[static_cast<std::size_t>(p - start)] = bases[(byte >> (6 - 2 * (p % 4))) & 3];
        }
        // N blocks override the packed bases (which hold T there).
        for (const auto& [block_start, block_size] : r.n_blocks) {
            const long long b = std::max<long long>(start, block_start), e = std::min<long long>(end, block_start + block_size);
            for (long long p = b; p < e; ++p) s[static_cast<std::size_t>(p - start)] = 'N';
        }
        return s;
    }

private:
    struct record {
        std::uint64_t offset = 0;
        std::uint64_t size = 0, dna_offset = 0;
        std::vector<std::pair<long long, long long>> n_blocks;  // (start, size)
    };

    std::uint32_t word(std::uint32_t w) const { return swap_ ? __builtin_bswap32(w) : w; }

    void read_at(std::uint64_t offset, void* out, std::size_t n, const std::string& what) const {
        auto* p = static_cast<char*>(out);
        std::size_t done = 0;
        while (done < n) {
            const ssize_t got = ::pread(fd_.fd, p + done, n - done, static_cast<off_t>(offset + done));
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) throw input_error_at(path(), 0, "truncated .2bit: cannot read " + what + " at byte " + std::to_string(offset));
            done += static_cast<std::size_t>(got);
        }
    }

    void load_record(const std::string& name) {
        record& r = records_.at(name);
        std::uint32_t head[2];
        read_at(r.offset, head, 8, "the record of " + name);
        r.size = word(head[0]);
        const std::uint32_t n_count = word(head[1]);
        std::uint64_t at = r.offset + 8;
        if (at + 8ull * n_count > file_size_) throw input_error_at(path(), 0, "truncated .2bit: N blocks of " + name + " past the end");
        std::vector<std::uint32_t> blocks(2ull * n_count);
        if (n_count) read_at(at, blocks.data(), 8ull * n_count, "the N blocks of " + name);
        for (std::uint32_t i = 0; i < n_count; ++i) r.n_blocks.emplace_back(word(blocks[i]), word(blocks[n_count + i]));
        at += 8ull * n_count;
        std::uint32_t mask_count = 0;
        read_at(at, &mask_count, 4, "the mask blocks of " + name);
        at += 4 + 8ull * word(mask_count) + 4;  // mask starts and sizes (soft-masking is dropped), reserved word
        r.dna_offset = at;
        if (r.dna_offset + (r.size + 3) / 4 > file_size_)
            throw input_error_at(path(), 0, "truncated .2bit: the sequence of " + name + " (" + std::to_string(r.size) +
                                                " bases) runs past the end of the file");
    }

    // A member, so that the descriptor is closed when the constructor throws (a broken file) as well.
    struct owned_fd {
        int fd = -1;
        owned_fd() = default;
        owned_fd(const owned_fd&) = delete;
        owned_fd& operator=(const owned_fd&) = delete;
        ~owned_fd() {
            if (fd >= 0) ::close(fd);
        }
    } fd_;
    std::uint64_t file_size_ = 0;
    bool swap_ = false;
    std::vector<std::string> names_;
    std::unordered_map<std::string, record> records_;
};

}  // namespace

std::unique_ptr<genome> genome::open(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw input_error_at(path, 0, "no such genome file");
    if (std::filesystem::file_size(path, ec) == 0) throw input_error_at(path, 0, "the genome file is empty");
    unsigned char magic[16] = {};
    {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw input_error_at(path, 0, std::string("cannot open: ") + std::strerror(errno));
        const ssize_t got = ::read(fd, magic, sizeof magic);
        ::close(fd);
        if (got < 0) throw input_error_at(path, 0, "cannot read");
    }
    const std::uint32_t word = std::uint32_t(magic[0]) | std::uint32_t(magic[1]) << 8 | std::uint32_t(magic[2]) << 16 |
                               std::uint32_t(magic[3]) << 24;
    if (word == 0x1A412743 || word == 0x4327411A) return std::make_unique<twobit_genome>(path);
    hts_set_log_level(HTS_LOG_OFF);  // our messages say what went wrong; htslib's would repeat it on stderr
    if (magic[0] == 0x1f && magic[1] == 0x8b) {
        // bgzip writes an extra field "BC" in every block header; plain gzip cannot be read at random positions.
        const bool bgzf = (magic[3] & 4) != 0 && magic[12] == 'B' && magic[13] == 'C';
        if (!bgzf)
            throw input_error_at(path, 0, "gzip-compressed FASTA must be compressed with bgzip to be indexed: run "
                                          "`zcat " + path + " | bgzip > genome.fa.gz && samtools faidx genome.fa.gz`");
        return std::make_unique<fasta_genome>(path, true);
    }
    if (magic[0] != '>') throw input_error_at(path, 0, "not a genome: expected FASTA ('>' first), bgzipped FASTA or .2bit");
    return std::make_unique<fasta_genome>(path, false);
}

void one_hot(std::string_view sequence, float* out) {
    std::fill(out, out + sequence.size() * 4, 0.f);
    for (std::size_t i = 0; i < sequence.size(); ++i) {
        switch (sequence[i]) {
            case 'A': out[4 * i + 0] = 1; break;
            case 'C': out[4 * i + 1] = 1; break;
            case 'G': out[4 * i + 2] = 1; break;
            case 'T': out[4 * i + 3] = 1; break;
            default: break;  // N: all zeros
        }
    }
}

}  // namespace epiann
