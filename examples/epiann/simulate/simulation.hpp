// epiann simulate: a generated benchmark whose ground truth is known (see docs/05-epiann.md, "Simulated benchmark").
//
// Background sequence: real hg19 tiles (data/hg19/targetfinder_tiles.fa.gz), drawn at random on random strands and
// stitched, so composition, CpG islands and repeats look real. Chromosomes chr1-chr22 and chrX, sized like hg19's
// relative to each other. Enhancers and promoters (200-2000 bp, multiples of 200 like TargetFinder's tiles) are laid
// along them, about four enhancers per promoter. Each element carries `motifs_per_element` distinct motifs of its
// side's pool, each planted `sites_per_motif` times (consensus strength by default), within `site_radius` bp of the
// element's centre so that even small models' windows contain every site. A pair (same chromosome, 10 kb-2 Mb
// apart) interacts when the enhancer carries one motif of a cooperating pair and the promoter its partner.
// Positives are drawn uniformly from the pairs the rule makes positive; negatives from the others, matched to the
// positives' distance distribution (as TargetFinder matched them). Then `label_noise` of the positives and as many
// negatives have their label flipped (the rule's label stays in pairs.csv's `rule_label` column).
// occupancy.narrowPeak plays the part of a DNase/ATAC track with a known truth: `bound_fraction` of the planted sites
// lie under a peak (80-150 bp around the site), the others are unbound, and `background_peaks` per bound site fall
// at random places.
// The README also states how a motif scan reads each planted motif's sites (motifs/attribution.hpp): a planted
// motif whose consensus a look-alike matrix matches more significantly (SP1's GGGGCGGGG is KLF7's too) is listed
// in simulation_summary::unidentifiable, and the CLI warns about it.
// Deterministic: same options and seed, byte-identical files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace epiann {

struct simulation_options {
    std::string out;
    std::uint64_t seed = 1;
    bool overwrite = false;  // replace a set already in `out`
    std::size_t enhancers = 20000, promoters = 5000;
    std::size_t positives = 10000, negatives_per_positive = 20;
    std::size_t min_motifs = 2, max_motifs = 3;  // distinct motifs per element
    std::size_t sites_per_motif = 2;
    std::string site_strength = "consensus";     // or "sampled": each site drawn from the PWM
    long long site_radius = 250;
    double label_noise = 0.01;
    double bound_fraction = 0.8;       // planted sites covered by an occupancy peak
    double background_peaks = 0.5;     // extra peaks at random places, per bound site
    std::string grammar_path;  // empty: the default grammar
    std::string tiles_path, motifs_path;
};

struct simulation_summary {
    std::size_t pairs = 0, positives = 0, flipped = 0, sites = 0, peaks = 0;
    long long genome_length = 0;
    // Per planted motif, how a motif scan reads its sites ("CTCF (MA0139.1): 16 of 16 sites read as itself"), and
    // the motifs whose sites read mostly as another matrix (explain cannot rank those first; see the README).
    std::vector<std::string> identifiability, unidentifiable;
};

simulation_summary simulate(const simulation_options& options);

// A warning naming the unidentifiable planted motifs, or "" when there are none.
std::string identifiability_warning(const simulation_summary& summary);

}  // namespace epiann
