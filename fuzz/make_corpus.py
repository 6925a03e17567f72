#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/): small valid inputs, most copied from the
test fixtures, plus a few hand-made edge cases. Deterministic; run from anywhere: /usr/bin/python3 fuzz/make_corpus.py"""
import json
import pathlib
import struct

root = pathlib.Path(__file__).resolve().parent.parent
data = root / "tests" / "data"
out = root / "fuzz" / "corpus"


def put(target, name, content):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(content if isinstance(content, bytes) else content.encode())


def safetensors(tensors, metadata):
    """tensors: list of (name, dtype, shape, bytes); the format's layout, header padded to 8 bytes."""
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


# FASTA + NUL + .fai
fa = (data / "genome" / "genome.fa").read_bytes()
put("fasta", "genome", fa + b"\0" + (data / "genome" / "genome.fa.fai").read_bytes())
put("fasta", "two_lines", b">a\nACGTNNacgt\nAC\n\0a\t12\t3\t10\t11\n")
put("fasta", "crlf", b">c desc\r\nACGT\r\nAA\r\n\0c\t6\t9\t4\t6\n")

for name in ("genome.2bit", "genome_v1_big_endian.2bit"):
    put("twobit", name, (data / "genome" / name).read_bytes())

for name in ("good.csv", "good.bedpe", "near_end.csv", "bad_label.csv"):
    put("pairs", name, (data / "pairs" / name).read_bytes())

put("chrom_sizes", "sizes.txt", (data / "pairs" / "sizes.txt").read_bytes())
put("chrom_sizes", "comments", "# sizes\nchr1\t248956422\nchrX\t156040895\n")

put("split", "paper", "# epiann split\tkind=paper\tfold=0\tseed=1\tpairs=pairs.csv\tchecksum=42\tcount=3\n"
                      "pair\tline\tset\n0\t2\ttrain\n1\t3\tvalidation\n2\t4\ttest\n")

pfm = (root / "data" / "motifs" / "JASPAR2022_vertebrates.pfm").read_text().split(">")
put("jaspar", "three_motifs", ">" + ">".join(pfm[1:4]))
put("jaspar", "spaces", "# comment\n>MA0001.1_MA0001.1.X\n1 2 3 4\n 0.5\t0.5  0 0\n")

put("narrowpeak", "good.narrowPeak", (data / "peaks" / "good.narrowPeak").read_bytes())
put("narrowpeak", "bed3", "chr1\t0\t10\nchr2\t5\t7\n")

for name in ("small.safetensors", "small_forward.safetensors"):
    put("safetensors", name, (data / "safetensors" / name).read_bytes())


def floats(n, scale=0.1):
    return struct.pack("<%df" % n, *[scale * (i % 7 - 3) for i in range(n)])


# A training state of the fuzz target's network (dense 4->3, relu, dense 3->2: 23 parameters), as save_training_state
# writes it.
state_meta = {"metadata": {"model": "fuzz"}, "epochs_done": 1, "stale_epochs": 0, "best_epoch": 1,
              "best_validation_auroc": 0.75, "rng_position": 1234, "optimizer_steps": 4,
              "history": [{"epoch": 1, "steps": 4, "examples": 256, "train_loss": 0.69, "validation_loss": 0.7,
                           "validation_auroc": 0.75, "validation_aupr": 0.5, "seconds": 1.5, "best": True}]}
put("safetensors", "state", safetensors(
    [("model.0.weight", "F32", [4, 3], floats(12)), ("model.0.bias", "F32", [3], floats(3)),
     ("model.2.weight", "F32", [3, 2], floats(6)), ("model.2.bias", "F32", [2], floats(2)),
     ("optimizer.m", "F32", [23], floats(23, 0.01)), ("optimizer.v", "F32", [23], floats(23, 0.001))],
    {"epiann": json.dumps(state_meta)}))

model_meta = {"model": {"name": "paper", "enhancer_window": 3000, "promoter_window": 2000, "filters": 256},
              "split": {"kind": "chromosome", "fold": 0, "seed": 1, "file": ""},
              "coordinates": {"mean": [1400.0, 1600.0, 900.0, 1100.0], "sd": [50.0, 50.0, 40.0, 40.0]},
              "seed": 1, "epoch": 3}
put("checkpoint_metadata", "model", json.dumps(model_meta))
put("checkpoint_metadata", "state", json.dumps(state_meta))
put("checkpoint_metadata", "run", json.dumps({
    "genome": "g.fa", "pairs": "p.csv", "model": "small", "out": "run", "split": {"kind": "chromosome", "fold": 0, "seed": 1},
    "split_file": "", "epochs": 5, "patience": 5, "steps_per_epoch": 8, "validation_limit": 300, "batch_positives": 32,
    "batch_negatives": 32, "learning_rate": 0.001, "dropout": 0.2, "init": "paper", "augment_negatives": False,
    "seed": 7, "threads": 2}, indent=2))
