#!/usr/bin/python3
"""Fixtures for helix's .npy and safetensors readers and writers, from independent writers (numpy; a plain
safetensors writer built on struct and json), plus a check of the files helix itself wrote.

Run with Debian's numpy (apt-get install -y python3-numpy):
  /usr/bin/python3 tests/data/make_io_fixtures.py
It rewrites the numpy- and Python-written fixtures (the output is deterministic) and verifies the helix-written
ones, tests/data/npy/helix_f64_3x2.npy and tests/data/safetensors/helix_small.safetensors. tests/io_npy_test and
tests/io_safetensors_test write those two again and require the same bytes, so a change in helix's writers
shows up there: the failing test names the new file (in the temp directory); copy it over the fixture, re-run this.
If the `safetensors` package is importable, the helix-written checkpoint is also read with it.

Writes:
  npy/f32_2x3x4.npy      float32 (2, 3, 4): arange(24) / 2 - 3 (format 1.0)
  npy/f64_2x3.npy        float64 (2, 3): F64 below
  npy/i64_5.npy, npy/i32_3.npy, npy/u8_4.npy              I64, I32, U8 below
  npy/f32_v2.npy, npy/f32_v3.npy   float32 (2, 2): [[1.5, -2], [0.25, 8]] in formats 2.0 and 3.0
  npy/fortran_f64_2x3.npy, npy/bigendian_f4_3.npy   inputs helix must reject
  safetensors/small.safetensors          the tiny model seq<dense<3>, relu, dense<2>> on shape<4>: MODEL below
  safetensors/small_forward.safetensors  x (2, 4), y = relu(x W0 + b0) W2 + b2 (float32), a scalar I64 "count"
                                         and an empty F32 (0,) "empty"
"""
import json
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

F64 = np.array([[0.1, -2.5, 1e-300], [3.0, 1e300, -7.25]])
I64 = np.array([-(2**40), -1, 0, 1, 2**62], dtype="<i8")
I32 = np.array([-7, 0, 2**31 - 1], dtype="<i4")
U8 = np.array([0, 1, 127, 255], dtype="|u1")

# helix's dense stores its weight as [in, out] (y = x W + b).
MODEL = {
    "0.weight": (np.arange(12).reshape(4, 3) - 5.5) / 8,
    "0.bias": np.array([0.5, -0.25, 1.0]),
    "2.weight": (np.arange(6).reshape(3, 2) - 2) / 4,
    "2.bias": np.array([0.125, -0.5]),
}
X = np.array([[1, -2, 0.5, 3], [-1, 0.25, 2, -0.5]])
# json.dumps escapes these as \u00e9, \", \\, \t, \n and the surrogate pair \ud83e\uddec.
METADATA = {"format": "pt", "note": 'caf\u00e9 "quoted" back\\slash\ttab\nnewline', "dna": "\U0001f9ec", "empty": ""}
# What tests/io_safetensors_test.cpp stores with the model in helix_small.safetensors.
HELIX_METADATA = {"writer": "helix", "note": 'caf\u00e9 "q" \\ \t \U0001f9ec'}


def path(*parts):
    return os.path.join(HERE, *parts)


def forward(x):
    h = np.maximum(x @ MODEL["0.weight"] + MODEL["0.bias"], 0)
    return h @ MODEL["2.weight"] + MODEL["2.bias"]


def write_safetensors(name, tensors, metadata, order=None):
    """A plain safetensors writer: data in the order given, header keys in `order` (default the same)."""
    header, blobs, offset = {}, [], 0
    for key, (dtype, array) in tensors.items():
        data = np.ascontiguousarray(array, dtype=dtype).tobytes()
        header[key] = {"dtype": {"<f4": "F32", "<f8": "F64", "<i8": "I64"}[dtype], "shape": list(np.shape(array)),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    keys = order or list(header)
    text = json.dumps({"__metadata__": metadata, **{k: header[k] for k in keys}}).encode()
    text += b" " * (-len(text) % 8)
    with open(path("safetensors", name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(file):
    """A strict reader: the header length, padding, offsets that tile the data, and the values."""
    with open(file, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0 and 8 + n <= len(raw), f"{file}: header length {n}"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data, out, end = raw[8 + n:], {}, 0
    for key, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e_ = e["data_offsets"]
        assert b == end, f"{file}: {key} starts at {b}, expected {end}"
        dtype = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}[e["dtype"]]
        out[key] = np.frombuffer(data[b:e_], dtype=dtype).reshape(e["shape"])
        end = e_
    assert end == len(data), f"{file}: {len(data) - end} bytes after the last tensor"
    return out, metadata


def verify_helix_files():
    ok = True
    npy = path("npy", "helix_f64_3x2.npy")
    if os.path.exists(npy):
        a = np.load(npy)
        expected = np.array([[0.5, -1.0], [2.25, 1e-300], [-3.0, 1e300]])
        assert a.dtype == np.dtype("<f8") and a.flags.c_contiguous and np.array_equal(a, expected), (a, expected)
        print(f"verified {npy}")
    else:
        ok = False
        print(f"missing {npy}: run tests/io_npy_test and copy the file its failure names")
    st = path("safetensors", "helix_small.safetensors")
    if os.path.exists(st):
        tensors, metadata = read_safetensors(st)
        assert metadata == HELIX_METADATA, metadata
        assert list(tensors) == list(MODEL), list(tensors)  # arena order: 0.weight, 0.bias, 2.weight, 2.bias
        for k, v in MODEL.items():
            assert tensors[k].dtype == np.float32 and np.array_equal(tensors[k], v.astype(np.float32)), k
        try:
            from safetensors.numpy import load_file, safe_open
        except ImportError:
            print("(safetensors package not installed: skipped the check with the reference reader)")
        else:
            ref = load_file(st)
            assert all(np.array_equal(ref[k], v.astype(np.float32)) for k, v in MODEL.items()) and len(ref) == 4
            with safe_open(st, framework="numpy") as f:
                assert f.metadata() == HELIX_METADATA, f.metadata()
            print("  and read it with the reference safetensors package")
        print(f"verified {st}")
    else:
        ok = False
        print(f"missing {st}: run tests/io_safetensors_test and copy the file its failure names")
    return ok


def main():
    np.save(path("npy", "f32_2x3x4.npy"), (np.arange(24, dtype=np.float32) / 2 - 3).reshape(2, 3, 4))
    np.save(path("npy", "f64_2x3.npy"), F64)
    np.save(path("npy", "i64_5.npy"), I64)
    np.save(path("npy", "i32_3.npy"), I32)
    np.save(path("npy", "u8_4.npy"), U8)
    small = np.array([[1.5, -2], [0.25, 8]], dtype=np.float32)
    for version in (2, 3):
        with open(path("npy", f"f32_v{version}.npy"), "wb") as f:
            np.lib.format.write_array(f, small, version=(version, 0))
    np.save(path("npy", "fortran_f64_2x3.npy"), np.asfortranarray(F64))
    np.save(path("npy", "bigendian_f4_3.npy"), np.array([1, 2, 3], dtype=">f4"))

    # Header keys in an order other than the data's: readers must not depend on either.
    write_safetensors("small.safetensors", {k: ("<f4", v) for k, v in MODEL.items()}, METADATA,
                      order=["2.bias", "0.weight", "2.weight", "0.bias"])
    write_safetensors("small_forward.safetensors",
                      {"x": ("<f4", X), "y": ("<f4", forward(X)), "count": ("<i8", np.array(7)),
                       "empty": ("<f4", np.zeros(0))}, {"source": "tests/data/make_io_fixtures.py"})
    # The Python-written files read back as written (a check of the check).
    tensors, metadata = read_safetensors(path("safetensors", "small.safetensors"))
    assert metadata == METADATA and all(np.array_equal(tensors[k], v) for k, v in MODEL.items())

    ok = verify_helix_files()
    size = sum(os.path.getsize(path(d, f)) for d in ("npy", "safetensors") for f in os.listdir(path(d)))
    print(f"fixtures written; tests/data/npy and tests/data/safetensors hold {size} bytes")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
