#!/usr/bin/env python3
"""Names the TF-MoDISco patterns of a `modisco motifs` result by their best JASPAR match.

Usage: scripts/modisco_match.py RESULT.h5 MOTIFS.pfm [PLANTED_IDS]
  RESULT.h5    what `modisco motifs -s modisco_<side>_sequences.npz -a modisco_<method>_<side>.npz -o RESULT.h5` wrote
  MOTIFS.pfm   JASPAR matrices in epiann's format (data/motifs/JASPAR2022_vertebrates.pfm)
  PLANTED_IDS  optional comma-separated motif IDs (a simulated grammar's): the best of them and its rank are shown

Per pattern: its seqlet count, its core (the positions holding at least 30 % of the peak contribution), and the JASPAR
matrix whose probabilities correlate best with the core's (Pearson over the overlap, both strands, the shorter of the
two overlapping by all but one position). Needs h5py and numpy (pip install modisco-lite brings both).
"""
import sys

import h5py
import numpy as np


def read_jaspar(path):
    motifs, name, rows = {}, None, []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(">"):
            if name:
                motifs[name] = np.array(rows, float)
            name, rows = line[1:].strip(), []
        else:
            rows.append([float(v) for v in line.split()])
    if name:
        motifs[name] = np.array(rows, float)
    return {k: m / m.sum(axis=1, keepdims=True) for k, m in motifs.items()}  # positions x 4


def similarity(a, b):
    best = -1.0
    for bb in (b, b[::-1, ::-1]):  # the matrix and its reverse complement (A C G T reversed)
        for off in range(-len(bb) + 1, len(a)):
            i0, j0 = max(0, off), max(0, -off)
            n = min(len(a) - i0, len(bb) - j0)
            if n < max(5, min(len(a), len(bb)) - 1):
                continue
            best = max(best, np.corrcoef(a[i0:i0 + n].ravel(), bb[j0:j0 + n].ravel())[0, 1])
    return best


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    motifs = read_jaspar(sys.argv[2])
    planted = set(sys.argv[3].split(",")) if len(sys.argv) == 4 else set()
    with h5py.File(sys.argv[1], "r") as f:
        for group in ("pos_patterns", "neg_patterns"):
            if group not in f:
                continue
            for name in sorted(f[group], key=lambda s: int(s.split("_")[1])):
                pattern = f[group][name]
                sequence, contribution = np.array(pattern["sequence"]), np.abs(np.array(pattern["contrib_scores"])).sum(axis=1)
                kept = np.where(contribution > 0.3 * contribution.max())[0]
                core = sequence[kept.min():kept.max() + 1]
                ranked = sorted(((similarity(core, m), k) for k, m in motifs.items()), reverse=True)
                seqlets = int(np.array(pattern["seqlets"]["n_seqlets"]).ravel()[0])
                line = f"{group}/{name}: {seqlets} seqlets, core {len(core)} bp; best {ranked[0][1]} (r {ranked[0][0]:.2f})"
                hits = [(i + 1, r, k) for i, (r, k) in enumerate(ranked) if k.split("_")[0] in planted]
                if hits:
                    line += f"; best planted {hits[0][2]} (r {hits[0][1]:.2f}, rank {hits[0][0]})"
                print(line)


if __name__ == "__main__":
    main()
