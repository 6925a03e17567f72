#!/usr/bin/python3
"""Genome fixtures for tests/genome_test.cpp: the same sequences as FASTA (+ .fai), bgzipped FASTA (+ .fai, .gzi)
and UCSC .2bit (a version-0 little-endian file and a version-1 big-endian one), plus broken files.

Run from the repository root:  /usr/bin/python3 tests/data/genome/make_genome_fixtures.py
Needs `bgzip` and `samtools` (Debian: apt-get install tabix samtools) for the compressed copy only.
The sequences: soft-masked stretches, N runs, IUPAC codes, lengths that are not multiples of 4 or of the line width.
"""
import os
import random
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
random.seed(2017)


def seq(n):
    return "".join(random.choice("ACGT") for _ in range(n))


chroms = {}
s = list(seq(1003))
s[10:20] = [c.lower() for c in s[10:20]]          # soft-masked
s[100:137] = "N" * 37                              # N run crossing 2bit byte boundaries
s[200] = "R"; s[201] = "y"; s[202] = "K"; s[203] = "-"  # IUPAC and gap codes: N
chroms["chr1"] = "".join(s)
chroms["chr2"] = seq(61)                           # exactly one line plus one base at width 60
t = list(seq(5000))
t[4990:] = "n" * 10                                # lower-case N at the very end
t[0:3] = "acg"
chroms["chrX_random"] = "".join(t)


def expected(c):  # what genome::sequence returns
    return "".join(ch if ch in "ACGT" else "N" for ch in c.upper())


def write_fasta(path, width=60):
    with open(path, "w") as f, open(path + ".fai", "w") as fai:
        offset = 0
        for name, sq in chroms.items():
            header = f">{name} test sequence\n"
            offset += len(header)
            fai.write(f"{name}\t{len(sq)}\t{offset}\t{width}\t{width + 1}\n")
            lines = [sq[i:i + width] for i in range(0, len(sq), width)]
            body = "".join(l + "\n" for l in lines)
            f.write(header + body)
            offset += len(body)


def write_2bit(path, version=0, big_endian=False):
    e = ">" if big_endian else "<"
    names = list(chroms)
    index_size = sum(1 + len(n) + (8 if version else 4) for n in names)
    offset = 16 + index_size
    records = []
    for name in names:
        sq = chroms[name]
        up = sq.upper()
        nblocks = []
        i = 0
        while i < len(up):
            if up[i] not in "ACGT":
                j = i
                while j < len(up) and up[j] not in "ACGT":
                    j += 1
                nblocks.append((i, j - i)); i = j
            else:
                i += 1
        masks = []
        i = 0
        while i < len(sq):
            if sq[i].islower():
                j = i
                while j < len(sq) and sq[j].islower():
                    j += 1
                masks.append((i, j - i)); i = j
            else:
                i += 1
        code = {"T": 0, "C": 1, "A": 2, "G": 3}
        packed = bytearray()
        for k in range(0, len(up), 4):
            byte = 0
            for m in range(4):
                b = up[k + m] if k + m < len(up) else "T"
                byte = (byte << 2) | code.get(b, 0)
            packed.append(byte)
        rec = struct.pack(e + "II", len(sq), len(nblocks))
        rec += b"".join(struct.pack(e + "I", a) for a, _ in nblocks) + b"".join(struct.pack(e + "I", b) for _, b in nblocks)
        rec += struct.pack(e + "I", len(masks))
        rec += b"".join(struct.pack(e + "I", a) for a, _ in masks) + b"".join(struct.pack(e + "I", b) for _, b in masks)
        rec += struct.pack(e + "I", 0) + bytes(packed)
        records.append((offset, rec))
        offset += len(rec)
    with open(path, "wb") as f:
        f.write(struct.pack(e + "IIII", 0x1A412743, version, len(names), 0))
        for name, (off, _) in zip(names, records):
            f.write(bytes([len(name)]) + name.encode() + struct.pack(e + ("Q" if version else "I"), off))
        for _, rec in records:
            f.write(rec)


write_fasta(os.path.join(HERE, "genome.fa"))
write_2bit(os.path.join(HERE, "genome.2bit"))
write_2bit(os.path.join(HERE, "genome_v1_big_endian.2bit"), version=1, big_endian=True)
with open(os.path.join(HERE, "genome.fa")) as f:
    text = f.read()
gz = os.path.join(HERE, "genome.fa.gz")
subprocess.run(f"bgzip -c {os.path.join(HERE, 'genome.fa')} > {gz}", shell=True, check=True)
subprocess.run(["samtools", "faidx", gz], check=True)
with open(os.path.join(HERE, "expected.txt"), "w") as f:  # the normalised sequences, one line per chromosome
    for name, sq in chroms.items():
        f.write(f"{name}\t{expected(sq)}\n")
# Broken files.
with open(os.path.join(HERE, "genome.2bit"), "rb") as f:
    data = f.read()
with open(os.path.join(HERE, "truncated.2bit"), "wb") as f:
    f.write(data[: len(data) - 700])
with open(os.path.join(HERE, "bad_magic.2bit"), "wb") as f:
    f.write(b"\x00\x01\x02\x03" + data[4:])
open(os.path.join(HERE, "empty.fa"), "w").close()
with open(os.path.join(HERE, "unindexed.fa"), "w") as f:
    f.write(">chr1\nACGT\n")
subprocess.run(f"gzip -c {os.path.join(HERE, 'unindexed.fa')} > {os.path.join(HERE, 'plain_gzip.fa.gz')}", shell=True, check=True)
print("wrote fixtures to", HERE)
