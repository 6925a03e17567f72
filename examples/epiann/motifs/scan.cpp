#include "motifs/scan.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace epiann {

struct motif_scanner::background_tables {
    // Per motif: forward and reverse-complement integer score tables, length x 4, and the integer threshold.
    std::vector<std::vector<std::array<int, 4>>> forward, reverse;
    std::vector<int> threshold;
    std::vector<std::vector<double>> tail;  // tail[m][s - threshold[m]]: P(score >= s), scores >= threshold only
};

namespace {

std::array<double, 4> background_of(int gc_percent) {
    const double gc = std::clamp(gc_percent, 1, 99) / 100.0;  // never a zero probability
    return {(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2};
}

int base_index(char c) {
    switch (c) {
        case 'A': return 0;
        case 'C': return 1;
        case 'G': return 2;
        case 'T': return 3;
        default: return -1;
    }
}

}  // namespace

double gc_fraction(std::string_view sequence) {
    std::size_t gc = 0, acgt = 0;
    for (char c : sequence) {
        const int b = base_index(c);
        acgt += b >= 0;
        gc += b == 1 || b == 2;
    }
    return acgt == 0 ? 0.5 : double(gc) / double(acgt);
}

motif_scanner::motif_scanner(std::vector<position_matrix> motifs, double p_value, double resolution)
    : motifs_(std::move(motifs)), p_value_(p_value), resolution_(resolution) {
    if (!(p_value > 0 && p_value < 1)) throw std::invalid_argument("motif scanner: the p-value must lie in (0, 1)");
    for (const auto& m : motifs_) {
        if (m.probabilities.empty()) throw std::invalid_argument("motif " + m.id + " has no positions");
        for (const auto& row : m.probabilities)
            for (double p : row)
                if (!(p > 0)) throw std::invalid_argument("motif " + m.id + " has a zero probability: add a pseudocount");
    }
}

motif_scanner::~motif_scanner() = default;

const motif_scanner::background_tables& motif_scanner::tables(int gc_percent) const {
    std::lock_guard lock(mutex_);
    auto& slot = cache_[std::size_t(gc_percent)];
    if (slot) return *slot;
    auto t = std::make_unique<background_tables>();
    const auto q = background_of(gc_percent);
    for (const auto& m : motifs_) {
        const std::size_t length = m.probabilities.size();
        std::vector<std::array<int, 4>> fwd(length), rev(length);
        for (std::size_t j = 0; j < length; ++j)
            for (int b = 0; b < 4; ++b)
                fwd[j][b] = int(std::lround(std::log2(m.probabilities[j][std::size_t(b)] / q[std::size_t(b)]) * resolution_));
        for (std::size_t j = 0; j < length; ++j)
            for (int b = 0; b < 4; ++b) rev[j][b] = fwd[length - 1 - j][3 - b];  // complement base, reversed order
        // Exact distribution of the integer score under the background: convolve position by position.
        int lo = 0, hi = 0;
        for (const auto& row : fwd) {
            lo += *std::min_element(row.begin(), row.end());
            hi += *std::max_element(row.begin(), row.end());
        }
        std::vector<double> dist(std::size_t(hi - lo + 1), 0.0), next(dist.size());
        int cur_lo = 0, cur_hi = 0;
        dist[std::size_t(0 - lo)] = 1;
        for (const auto& row : fwd) {
            std::fill(next.begin(), next.end(), 0.0);
            for (int s = cur_lo; s <= cur_hi; ++s) {
                const double p = dist[std::size_t(s - lo)];
                if (p == 0) continue;
                for (int b = 0; b < 4; ++b) next[std::size_t(s + row[std::size_t(b)] - lo)] += p * q[std::size_t(b)];
            }
            cur_lo += *std::min_element(row.begin(), row.end());
            cur_hi += *std::max_element(row.begin(), row.end());
            dist.swap(next);
        }
        // Tail probabilities from the top score down, until they pass p_value: only scores at or above the
        // threshold are kept (838 JASPAR motifs' full tails take ~200 MB per GC step).
        std::vector<double> tail;  // tail[k] = P(score >= hi - k)
        double acc = 0;
        int threshold = hi + 1;  // the smallest score whose tail probability is at most p_value (hi + 1: none)
        for (std::size_t k = dist.size(); k-- > 0;) {
            acc += dist[k];
            if (acc > p_value_) break;
            tail.push_back(acc);
            threshold = lo + int(k);
        }
        std::reverse(tail.begin(), tail.end());  // now tail[k] = P(score >= threshold + k)
        t->forward.push_back(std::move(fwd));
        t->reverse.push_back(std::move(rev));
        t->threshold.push_back(threshold);
        t->tail.push_back(std::move(tail));
    }
    slot = std::move(t);
    return *slot;
}

double motif_scanner::threshold(std::size_t motif, double gc) const {
    return tables(int(std::lround(gc * 100))).threshold.at(motif) / resolution_;
}

double motif_scanner::p_value_of(std::size_t motif, double gc, double score) const {
    const auto& t = tables(int(std::lround(gc * 100)));
    const int s = int(std::ceil(score * resolution_ - 1e-9)) - t.threshold.at(motif);
    const auto& tail = t.tail[motif];
    if (s < 0) return 1;  // below the threshold: not kept
    if (std::size_t(s) >= tail.size()) return 0;
    return tail[std::size_t(s)];
}

std::vector<motif_site> motif_scanner::scan(std::string_view sequence) const { return scan(sequence, gc_fraction(sequence)); }

std::vector<motif_site> motif_scanner::scan(std::string_view sequence, double gc) const {
    if (!(gc >= 0 && gc <= 1)) throw std::invalid_argument("motif scanner: the GC fraction must lie in [0, 1]");
    const auto& t = tables(int(std::lround(gc * 100)));
    // One indicator row per base so the inner loop is plain multiply-adds that the compiler vectorises.
    const std::size_t n = sequence.size();
    std::array<std::vector<float>, 4> is;
    for (auto& v : is) v.assign(n, 0.f);
    std::vector<float> blocked(n, 0.f);  // 1 where the base is N
    for (std::size_t i = 0; i < n; ++i) {
        const int b = base_index(sequence[i]);
        if (b >= 0)
            is[std::size_t(b)][i] = 1;
        else
            blocked[i] = 1;
    }
    std::vector<motif_site> sites;
    std::vector<float> acc, nblock;
    for (std::size_t m = 0; m < motifs_.size(); ++m) {
        const std::size_t length = t.forward[m].size();
        if (length > n) continue;
        const std::size_t count = n - length + 1;
        for (int strand = 0; strand < 2; ++strand) {
            const auto& table = strand == 0 ? t.forward[m] : t.reverse[m];
            acc.assign(count, 0.f);
            nblock.assign(count, 0.f);
            for (std::size_t j = 0; j < length; ++j) {
                const float a = float(table[j][0]), c = float(table[j][1]), g = float(table[j][2]), tt = float(table[j][3]);
                const float* A = is[0].data() + j;
                const float* C = is[1].data() + j;
                const float* G = is[2].data() + j;
                const float* T = is[3].data() + j;
                const float* B = blocked.data() + j;
                for (std::size_t i = 0; i < count; ++i) {
                    acc[i] += a * A[i] + c * C[i] + g * G[i] + tt * T[i];
                    nblock[i] += B[i];
                }
            }
            // Integer-valued sums below 2^24 are exact in float.
            const float threshold = float(t.threshold[m]);
            for (std::size_t i = 0; i < count; ++i)
                if (acc[i] >= threshold && nblock[i] == 0)
                    sites.push_back({m, i, strand == 0 ? '+' : '-', double(acc[i]) / resolution_});
        }
    }
    std::sort(sites.begin(), sites.end(), [](const motif_site& a, const motif_site& b) {
        return a.position != b.position ? a.position < b.position : a.motif != b.motif ? a.motif < b.motif : a.strand < b.strand;
    });
    return sites;
}

std::vector<motif_site> most_significant_sites(const motif_scanner& scanner, std::vector<motif_site> sites, double gc) {
    std::vector<std::pair<double, std::size_t>> by_p;
    for (std::size_t k = 0; k < sites.size(); ++k) by_p.emplace_back(scanner.p_value_of(sites[k].motif, gc, sites[k].score), k);
    std::sort(by_p.begin(), by_p.end());
    const auto end_of = [&](const motif_site& s) { return s.position + scanner.motifs()[s.motif].probabilities.size(); };
    std::vector<motif_site> kept;
    for (const auto& [p, k] : by_p) {
        const auto& site = sites[k];
        const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const motif_site& t) {
            return site.position < end_of(t) && t.position < end_of(site);
        });
        if (!overlaps) kept.push_back(site);
    }
    std::sort(kept.begin(), kept.end(), [](const motif_site& a, const motif_site& b) {
        return a.position != b.position ? a.position < b.position : a.motif < b.motif;
    });
    return kept;
}

}  // namespace epiann
