// genome::open and the readers behind it: FASTA (plain or bgzip, through htslib's faidx, its .fai and .gzi checked
// against the file at open) and UCSC .2bit (our own reader: header and index at open, the bytes of each query with
// pread).
#include "genome/genome.hpp"

#include <fcntl.h>
#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/hts_log.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
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
        throw input_error_at(path, 0, "no chromosome " + shown(chromosome) + " (the genome has " + known_names(names) + ")");
    if (start < 0) throw input_error_at(path, 0, where + ": negative start");
    if (end < start) throw input_error_at(path, 0, where + ": end before start");
    if (end > *length)
        throw input_error_at(path, 0, where + ": past the end of " + std::string(chromosome) + " (length " + std::to_string(*length) + ")");
}

// A file descriptor that is closed when its owner goes, also when the owner's constructor throws (a broken file).
struct owned_fd {
    int fd = -1;
    owned_fd() = default;
    explicit owned_fd(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd < 0) throw input_error_at(path, 0, std::string("cannot open: ") + std::strerror(errno));
    }
    owned_fd(const owned_fd&) = delete;
    owned_fd& operator=(const owned_fd&) = delete;
    ~owned_fd() {
        if (fd >= 0) ::close(fd);
    }
};

// Reads exactly n bytes at offset; false when the file ends first or cannot be read.
bool pread_all(int fd, std::uint64_t offset, void* out, std::size_t n) {
    auto* p = static_cast<char*>(out);
    for (std::size_t done = 0; done < n;) {
        const ssize_t got = ::pread(fd, p + done, n - done, static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        done += static_cast<std::size_t>(got);
    }
    return true;
}

// Bytes of a file quoted for a message: line ends and other control bytes escaped, at most 40 of them.
std::string escaped(std::string_view bytes) {
    std::string s = "\"";
    for (const char c : bytes.substr(0, 40)) {
        if (c == '\n') s += "\\n";
        else if (c == '\r') s += "\\r";
        else if (std::isprint(static_cast<unsigned char>(c))) s += c;
        else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
            s += hex;
        }
    }
    return s + (bytes.size() > 40 ? "...\"" : "\"");
}

std::uint64_t little_endian(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = v << 8 | p[i];
    return v;
}

// One line of a samtools .fai: where a sequence's bases lie in the (uncompressed) FASTA.
struct fai_entry {
    std::string name;
    std::uint64_t length = 0, offset = 0, bases = 0, width = 0;  // width: bytes per line, line end included
    std::size_t line = 0;                                         // in the .fai, for messages
};

// Reads a samtools .fai index line by line before htslib does: htslib trusts it, and divides by the bases per line
// (SIGFPE when 0). Returns the entries in file order (htslib 1.16 gives lengths only as int, which wraps for
// sequences of 2^31 bases or more); check_fai() then checks them against the FASTA's bytes.
std::vector<fai_entry> read_fai(const std::string& fai) {
    std::vector<fai_entry> entries;
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
        entries.push_back({std::string(f[0]), std::uint64_t(*length), std::uint64_t(*offset), std::uint64_t(*bases),
                           std::uint64_t(*width), in.line_number()});
    }
    return entries;
}

// The bytes of a FASTA file at uncompressed offsets, so that plain and bgzip files share check_fai().
class fasta_bytes {
public:
    virtual ~fasta_bytes() = default;
    // The uncompressed size.
    virtual std::uint64_t size() const = 0;
    // The bytes [offset, offset + n) that lie inside the file (fewer at its end); throws input_error on a read error.
    virtual std::string read(std::uint64_t offset, std::size_t n) = 0;
};

class plain_bytes final : public fasta_bytes {
public:
    explicit plain_bytes(const std::string& path)
        : path_(path), fd_(path), size_(std::filesystem::file_size(path)) {}
    std::uint64_t size() const override { return size_; }
    std::string read(std::uint64_t offset, std::size_t n) override {
        if (offset >= size_) return {};
        std::string s(static_cast<std::size_t>(std::min<std::uint64_t>(n, size_ - offset)), '\0');
        if (!pread_all(fd_.fd, offset, s.data(), s.size()))
            throw input_error_at(path_, 0, "cannot read " + std::to_string(s.size()) + " bytes at byte " + std::to_string(offset));
        return s;
    }

private:
    std::string path_;
    owned_fd fd_;
    std::uint64_t size_;
};

// A bgzip file's .gzi checked against the file itself; returns the uncompressed size. The .gzi lists the
// (compressed, uncompressed) offset of each block start but the first (0, 0), and htslib seeks by it unchecked: the
// .gzi of another compression would give other bytes. So every block is walked (one 22-byte pread each: the end of a
// block and the header of the next): each entry must be a block start at the uncompressed offset that the sizes
// (ISIZE) of the blocks before it add up to, and every block that holds data must be listed (htslib cannot seek into
// an unlisted one). Empty blocks may go unlisted: the EOF marker, and the one between concatenated bgzip files.
std::uint64_t check_gzi(const std::string& gz, const std::string& gzi) {
    auto stale = [&](const std::string& what) {
        return input_error_at(gzi, 0, what + "; this .gzi does not belong to " + gz + " (stale?): rebuild it with `samtools faidx " +
                                          gz + "` (or `bgzip -r " + gz + "`)");
    };
    std::error_code ec;
    const std::uint64_t gzi_size = std::filesystem::file_size(gzi, ec);
    if (ec) throw input_error_at(gzi, 0, "cannot read: " + ec.message());
    if (gzi_size < 8 || (gzi_size - 8) % 16 != 0)
        throw stale("a .gzi is an 8-byte count and 16 bytes an entry, but this one has " + std::to_string(gzi_size) + " bytes");
    std::string index(static_cast<std::size_t>(gzi_size), '\0');
    if (!std::ifstream(gzi, std::ios::binary).read(index.data(), std::streamsize(index.size())))
        throw input_error_at(gzi, 0, "cannot read");
    const auto* raw = reinterpret_cast<const unsigned char*>(index.data());
    const std::uint64_t n = little_endian(raw, 8);
    if (n != (gzi_size - 8) / 16)
        throw stale("the count says " + std::to_string(n) + " entries, but the file holds " + std::to_string((gzi_size - 8) / 16));
    auto compressed_at = [&](std::uint64_t i) { return little_endian(raw + 8 + 16 * i, 8); };  // of entry i (0-based)
    auto uncompressed_at = [&](std::uint64_t i) { return little_endian(raw + 16 + 16 * i, 8); };
    auto entry = [&](std::uint64_t i) {
        return "entry " + std::to_string(i + 1) + " (compressed offset " + std::to_string(compressed_at(i)) + ", uncompressed " +
               std::to_string(uncompressed_at(i)) + ")";
    };

    const owned_fd fd(gz);
    const std::uint64_t gz_size = std::filesystem::file_size(gz);
    // bgzip's block header (as htslib checks it): gzip magic, deflate, FEXTRA of 6 bytes holding "BC" with BSIZE, the
    // block's size - 1; a block is at least its 18-byte header and 8-byte footer (CRC32, ISIZE).
    auto block_size = [&](const unsigned char* h, std::uint64_t at) {
        const std::uint64_t size = little_endian(h + 16, 2) + 1;
        if (!(h[0] == 0x1f && h[1] == 0x8b && h[2] == 8 && (h[3] & 4) && little_endian(h + 10, 2) == 6 && h[12] == 'B' &&
              h[13] == 'C' && little_endian(h + 14, 2) == 2 && size >= 26))
            throw input_error_at(gz, 0, "byte " + std::to_string(at) + " is not the start of a BGZF block: is the file "
                                        "truncated or corrupt? Recompress it with bgzip");
        return size;
    };
    unsigned char w[22];  // the last 4 bytes of a block (its ISIZE), then the header of the next
    if (!pread_all(fd.fd, 0, w + 4, 18)) throw input_error_at(gz, 0, "truncated: no whole BGZF block");
    std::uint64_t at = 0, uncompressed = 0, next = 0;  // the block at `at` starts at `uncompressed`; next: entry to match
    for (;;) {
        const std::uint64_t end = at + block_size(w + 4, at);
        if (end > gz_size)
            throw input_error_at(gz, 0, "truncated: the BGZF block at byte " + std::to_string(at) + " ends past the end of the file");
        if (!pread_all(fd.fd, end - 4, w, std::size_t(std::min<std::uint64_t>(22, gz_size - (end - 4)))))
            throw input_error_at(gz, 0, "cannot read byte " + std::to_string(end - 4));
        const std::uint64_t isize = little_endian(w, 4);
        if (next < n && compressed_at(next) < at)
            throw stale(entry(next) + " is not the start of a block, or the entries do not increase (the next block starts at " +
                        std::to_string(at) + ")");
        if (next < n && compressed_at(next) == at) {
            if (uncompressed_at(next) != uncompressed)
                throw stale(entry(next) + " does not match the sizes of the blocks before it, which hold " +
                            std::to_string(uncompressed) + " bytes");
            ++next;
        } else if (at > 0 && isize > 0) {
            throw stale("it lists no block at compressed offset " + std::to_string(at) + " (uncompressed " +
                        std::to_string(uncompressed) + "), which holds " + std::to_string(isize) + " bytes; " +
                        (next < n ? "its " + entry(next) + " comes next" : "it has no entries past " + std::to_string(next)));
        }
        uncompressed += isize;
        if (end == gz_size) break;
        if (gz_size - end < 18) throw input_error_at(gz, 0, "truncated: " + std::to_string(gz_size - end) + " stray bytes at the end");
        at = end;
    }
    if (next < n) throw stale(entry(next) + " lies past the last block of the file (" + std::to_string(gz_size) + " bytes)");
    return uncompressed;
}

// bgzip FASTA through htslib's BGZF with the .gzi (checked first: htslib's seek asserts on a wrong one).
class bgzf_bytes final : public fasta_bytes {
public:
    explicit bgzf_bytes(const std::string& path) : path_(path), size_(check_gzi(path, path + ".gzi")) {
        fp_.reset(bgzf_open(path.c_str(), "r"));
        if (!fp_) throw input_error_at(path, 0, "cannot open as bgzip-compressed FASTA");
        if (bgzf_index_load(fp_.get(), path.c_str(), ".gzi") != 0)
            throw input_error_at(path + ".gzi", 0, "cannot load: rebuild it with `samtools faidx " + path + "`");
        bgzf_set_cache_size(fp_.get(), 8 << 20);  // the checks of neighbouring sequences read the same blocks
    }
    std::uint64_t size() const override { return size_; }
    std::string read(std::uint64_t offset, std::size_t n) override {
        if (offset >= size_) return {};
        std::string s(static_cast<std::size_t>(std::min<std::uint64_t>(n, size_ - offset)), '\0');
        if (bgzf_useek(fp_.get(), static_cast<off_t>(offset), SEEK_SET) != 0 ||
            bgzf_read(fp_.get(), s.data(), s.size()) != ssize_t(s.size()))
            throw input_error_at(path_, 0, "cannot decompress " + std::to_string(s.size()) + " bytes at uncompressed byte " +
                                               std::to_string(offset) + ": is the file corrupt?");
        return s;
    }

private:
    std::string path_;
    std::uint64_t size_;
    std::unique_ptr<BGZF, int (*)(BGZF*)> fp_{nullptr, bgzf_close};
};

// The line that ends with the '\n' at byte `end` (without it), read backwards in growing chunks; nothing when it is
// longer than 1 MiB (no real header is: the name check is then skipped rather than reading on).
std::optional<std::string> line_ending_at(fasta_bytes& bytes, std::uint64_t end) {
    std::string line;  // bytes [end - line.size(), end)
    for (std::uint64_t chunk = 4096; line.size() <= (1u << 20); chunk *= 2) {
        const std::uint64_t start = end - line.size();
        if (start == 0) return line;
        const std::uint64_t k = std::min(chunk, start);
        const std::string piece = bytes.read(start - k, std::size_t(k));
        const auto nl = piece.rfind('\n');
        if (nl != std::string::npos) return piece.substr(nl + 1) + line;
        line.insert(0, piece);
    }
    return std::nullopt;
}

// Checks every sequence of a .fai against its FASTA with a few small reads around its first and last base. htslib
// trusts the index, so one left from before the file was re-wrapped, shortened or converted to CRLF (or an offset
// edited) would give other bytes than the sequence without a word. Each sequence must start right after its own
// header line, its first line must hold `bases` bases and the line end `width` says, and its last base must end a
// line that the next header or the end of the file follows.
void check_fai(const std::string& fasta, const std::string& fai, const std::vector<fai_entry>& entries, fasta_bytes& bytes) {
    const std::uint64_t size = bytes.size();
    for (const auto& e : entries) {
        if (e.length == 0) continue;  // never read
        auto stale = [&](const std::string& what) {
            return input_error_at(fai, e.line, "sequence \"" + e.name + "\" (" + std::to_string(e.length) + " bases at byte " +
                                                   std::to_string(e.offset) + ") " + what + "; the index does not match " + fasta +
                                                   " (changed after indexing?): rebuild it with `samtools faidx " + fasta + "`");
        };
        // The byte of the last base: full lines, then the rest of the last one (128-bit: the fields may be huge).
        using u128 = unsigned __int128;
        const u128 last128 = u128(e.offset) + u128(e.length - 1) / e.bases * e.width + u128(e.length - 1) % e.bases;
        if (last128 >= size) throw stale("runs past the end of the FASTA file (" + std::to_string(size) + " bytes)");
        const auto last = static_cast<std::uint64_t>(last128);

        // Its header: the line just before the offset, '>' and the name, then whitespace or the line end.
        const std::string before = e.offset > 0 ? bytes.read(e.offset - 1, 1) : "";
        if (before != "\n")
            throw stale("does not start a line: the byte before it is " + (before.empty() ? "the start of the file" : escaped(before)));
        if (const auto header = line_ending_at(bytes, e.offset - 1)) {
            const std::size_t k = e.name.size();
            if (header->size() <= k || (*header)[0] != '>' || header->compare(1, k, e.name) != 0 ||
                !(header->size() == k + 1 || std::isspace(static_cast<unsigned char>((*header)[k + 1]))))
                throw stale("does not follow its header \">" + e.name + "\" but the line " + escaped(*header));
        }

        // Its first line: bases only (the first 64 KiB: a one-line chromosome can be 250 Mb), then, when the sequence
        // goes on, the line end that `width` says ("\n" or "\r\n").
        const std::string head = bytes.read(e.offset, std::size_t(std::min<std::uint64_t>({e.length, e.bases, 64 << 10})));
        if (const auto bad = head.find_first_of("\r\n>"); bad != std::string::npos)
            throw stale("has a line end or '>' at byte " + std::to_string(e.offset + bad) + ", base " + std::to_string(bad + 1) +
                        " of its first line, where the index says " + std::to_string(e.bases) +
                        " bases per line (re-wrapped or shortened?)");
        if (e.length > e.bases) {
            const std::uint64_t eol = e.width - e.bases;
            if (eol != 1 && eol != 2)
                throw stale("has " + std::to_string(e.bases) + " bases in " + std::to_string(e.width) +
                            " bytes per line: a line end is 1 or 2 bytes (\\n or \\r\\n)");
            const std::string end = bytes.read(e.offset + e.bases, std::size_t(eol));
            if (end != (eol == 1 ? "\n" : "\r\n"))
                throw stale("has " + escaped(end) + " at byte " + std::to_string(e.offset + e.bases) +
                            " where its first line should end with " + (eol == 1 ? "\\n" : "\\r\\n") + " after " +
                            std::to_string(e.bases) + " bases (re-wrapped, or other line ends?)");
        }

        // Every full line ends where the index says (a line of 59 bases among lines of 60 moves every base after it):
        // each line end of a file up to 256 MB, read in 1 MB pieces; of a larger one, 8,192 spread over the sequence.
        if (e.length > e.bases) {
            const std::uint64_t lines = (e.length - 1) / e.bases;  // full lines before the last one
            const char terminator_first = e.width - e.bases == 2 ? '\r' : '\n';
            auto bad_line = [&](std::uint64_t j) {
                return stale("has no line end after base " + std::to_string((j + 1) * e.bases) + " (line " + std::to_string(j + 1) +
                             " of the sequence, byte " + std::to_string(e.offset + j * e.width + e.bases) + ") where the index says " +
                             std::to_string(e.bases) + " bases per line: a line of another length (edited or re-wrapped?)");
            };
            if (size <= (std::uint64_t{256} << 20)) {
                const std::uint64_t per_piece = std::max<std::uint64_t>(1, (std::uint64_t{1} << 20) / e.width);
                for (std::uint64_t j0 = 0; j0 < lines; j0 += per_piece) {
                    const std::uint64_t n = std::min(per_piece, lines - j0);
                    const std::string piece = bytes.read(e.offset + j0 * e.width, std::size_t(n * e.width));
                    for (std::uint64_t j = 0; j < n; ++j)
                        if (piece.size() < (j + 1) * e.width || piece[std::size_t(j * e.width + e.bases)] != terminator_first ||
                            piece[std::size_t((j + 1) * e.width - 1)] != '\n')
                            throw bad_line(j0 + j);
                }
            } else {
                const std::uint64_t samples = std::min<std::uint64_t>(lines, 8192);
                for (std::uint64_t k = 0; k < samples; ++k) {
                    const std::uint64_t j = samples == 1 ? 0 : k * (lines - 1) / (samples - 1);
                    const std::string end = bytes.read(e.offset + j * e.width + e.bases, std::size_t(e.width - e.bases));
                    if (end.empty() || end[0] != terminator_first || end.back() != '\n') throw bad_line(j);
                }
            }
        }

        // Its last base: a base, then a line end or the end of the file, then the next header or the end of the file.
        // Blank lines may come before a header (samtools accepts them) or at the end; nothing else may.
        const std::string tail = bytes.read(last, 4);
        if (tail[0] == '\n' || tail[0] == '\r' || tail[0] == '>')
            throw stale("ends at byte " + std::to_string(last) + ", which is " + escaped(tail.substr(0, 1)) +
                        ", not a base (shortened?)");
        std::size_t p = 1;
        if (p < tail.size()) {
            if (tail[p] == '\n') p += 1;
            else if (tail.compare(p, 2, "\r\n") == 0) p += 2;
            else
                throw stale("ends at byte " + std::to_string(last) + ", but " + escaped(tail.substr(1)) +
                            " follows, not a line end (shortened or re-wrapped?)");
        }
        if (p < tail.size() && tail[p] != '>') {
            // Blank lines, then a header or the end of the file (64 KiB of them at most).
            const std::string rest = bytes.read(last + p, 64 << 10);
            const auto more = rest.find_first_not_of("\r\n");
            if (more == std::string::npos ? last + p + rest.size() < size : more == 0 || rest[more] != '>')
                throw stale("ends at byte " + std::to_string(last) + ", but then comes " + escaped(rest) +
                            ", not the next header or the end of the file (shortened?)");
        }
    }
}

// A FASTA newer than its index may have changed since `samtools faidx`: say so, but let check_fai() decide (a file
// copied or touched keeps a good index).
void warn_if_newer(const std::string& fasta, const std::string& fai) {
    std::error_code e1, e2;
    const auto fasta_time = std::filesystem::last_write_time(fasta, e1), fai_time = std::filesystem::last_write_time(fai, e2);
    if (!e1 && !e2 && fasta_time > fai_time)
        std::cerr << "warning: " << fasta << " is newer than its index " << fai
                  << "; if it changed, rebuild the index with `samtools faidx`\n";
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
        auto entries = read_fai(fai);
        if (entries.empty()) throw input_error_at(path, 0, "the index " + fai + " lists no sequences");
        warn_if_newer(path, fai);
        {
            const std::unique_ptr<fasta_bytes> bytes =
                compressed ? std::unique_ptr<fasta_bytes>(std::make_unique<bgzf_bytes>(path)) : std::make_unique<plain_bytes>(path);
            check_fai(path, fai, entries, *bytes);
        }
        for (auto& e : entries) {
            lengths_.emplace(e.name, static_cast<long long>(e.length));
            names_.push_back(std::move(e.name));
        }
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
        if (!pread_all(fd_.fd, offset, out, n))
            throw input_error_at(path(), 0, "truncated .2bit: cannot read " + what + " at byte " + std::to_string(offset));
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

    owned_fd fd_;  // a member, so that the descriptor is closed when the constructor throws (a broken file) as well
    std::uint64_t file_size_ = 0;
    bool swap_ = false;
    std::vector<std::string> names_;
    std::unordered_map<std::string, record> records_;
};

}  // namespace

std::unique_ptr<genome> genome::open(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw input_error_at(path, 0, "is a directory, not a genome file");
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
        throw input_error_at(path, 0, "is not a regular file (a pipe?): a genome must be a file on disk, with its index beside it");
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
