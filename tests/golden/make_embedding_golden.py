#!/usr/bin/python3
"""Golden fixtures for helix's embedding family, from PyTorch in float64 and plain Python references.

Writes tests/golden/embedding.safetensors (read by tests/embedding_golden_test.cpp) with, for each case, the
parameters in helix's names and layouts, the inputs, the output weights g of the objective sum(out * g), the outputs
and the gradients:
  emb.*       nn.Embedding(11, 5) on ids (3, 7) with repeated ids and unused rows: weight, ids, g, output, grad.weight
  kmer.*      one-hot windows (2, 20, 4) with N rows and rows that are not one-hot (0.5, two ones, a 2), and the ids of
              their k-mers for K = 1, 3, 6 from a reference that spells the k-mers as strings and looks them up in
              itertools.product("ACGT", repeat=K) (independent of helix's arithmetic), N k-mers -> 4^K
  sin.*       the PyTorch tutorial's PositionalEncoding (batch_first, float64) on (2, 9, 6) and a (500, 8) table;
              an odd width (2, 4, 5) from the same formula (the tutorial cannot build one)
  learned.*   x + nn.Embedding(6, 4)(arange(6)): weight, input, g, output, grad.input, grad.weight
  comp.*      kmer ids (K = 3) -> nn.Embedding(65, 8) -> + sinusoidal -> flatten -> nn.Linear(80, 1), the helix model
              seq<kmer_tokens<3>, embedding<65, 8>, sinusoidal_positions, flatten, dense<1>> on <12, 4>: params
              "1.weight", "4.weight" (Linear's weight transposed: helix's dense is [in, out]), "4.bias"

Run with Debian's torch: /usr/bin/python3 tests/golden/make_embedding_golden.py
"""
import itertools
import json
import math

import numpy as np
import torch
from golden_io import write_safetensors

torch.manual_seed(19)
F64 = torch.float64


def np_(t):
    return t.detach().numpy().copy()


# --- reference k-mer ids: spell each row as a letter, each k-mer as a string, look it up in the product order.
def row_letter(row):
    values = [float(v) for v in row]
    if sorted(values) == [0.0, 0.0, 0.0, 1.0]:
        return "ACGT"[values.index(1.0)]
    return "N"  # all zero, or anything that is not exactly one-hot


def kmer_ids(onehot, k):
    index = {"".join(p): i for i, p in enumerate(itertools.product("ACGT", repeat=k))}
    out = []
    for sample in onehot:
        s = "".join(row_letter(r) for r in sample)
        out.append([index.get(s[p:p + k], 4 ** k) for p in range(len(s) - k + 1)])
    return np.array(out, dtype=np.float64)


def dna(batch, length, generator):
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (batch, length), generator=generator), 4).to(F64)
    return x


# --- the PyTorch tutorial's PositionalEncoding (pytorch.org/tutorials/beginner/transformer_tutorial), in float64,
# batch_first (the tutorial's x is (seq, batch, d); helix's is (batch, seq, d)).
class PositionalEncoding(torch.nn.Module):
    def __init__(self, d_model, max_len=5000):
        super().__init__()
        position = torch.arange(max_len, dtype=F64).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2, dtype=F64) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model, dtype=F64)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):  # (batch, seq, d)
        return x + self.pe[: x.size(1)].transpose(0, 1)


def sinusoid_formula(length, channels):
    pe = np.zeros((length, channels))
    for pos in range(length):
        for c in range(channels):
            a = pos / 10000 ** ((c - c % 2) / channels)
            pe[pos, c] = math.sin(a) if c % 2 == 0 else math.cos(a)
    return pe


def main():
    g = torch.Generator().manual_seed(5)
    t = {}

    # nn.Embedding with repeated ids; rows 3, 7 and 9 unused.
    emb = torch.nn.Embedding(11, 5).to(F64)
    ids = torch.tensor([[0, 4, 4, 10, 2, 4, 1], [5, 5, 5, 5, 6, 8, 0], [10, 10, 2, 1, 0, 6, 8]])
    assert not set([3, 7, 9]) & set(ids.flatten().tolist())
    out = emb(ids)
    go = torch.randn(out.shape, generator=g, dtype=F64)
    (out * go).sum().backward()
    t.update({"emb.weight": np_(emb.weight), "emb.ids": ids.numpy().astype(np.float64), "emb.g": np_(go),
              "emb.output": np_(out), "emb.grad.weight": np_(emb.weight.grad)})

    # k-mer ids with N rows and rows that are not one-hot.
    x = dna(2, 20, g)
    x[0, 3] = 0                                   # an N
    x[0, 15] = torch.tensor([0.5, 0.5, 0, 0])     # not one-hot
    x[1, 0] = torch.tensor([1.0, 0, 1.0, 0])      # two ones
    x[1, 10] = torch.tensor([0, 2.0, 0, 0])       # a 2
    x[1, 19] = 0                                  # an N at the end
    t["kmer.input"] = np_(x)
    for k in (1, 3, 6):
        t[f"kmer.ids{k}"] = kmer_ids(np_(x), k)

    # Sinusoidal positions: the tutorial's module, and the formula at an odd width.
    pe_module = PositionalEncoding(6)
    xs = torch.randn(2, 9, 6, generator=g, dtype=F64, requires_grad=True)
    ys = pe_module(xs)
    gs = torch.randn(ys.shape, generator=g, dtype=F64)
    (ys * gs).sum().backward()
    t.update({"sin.input": np_(xs), "sin.g": np_(gs), "sin.output": np_(ys), "sin.grad.input": np_(xs.grad)})
    t["sin.table500x8"] = np_(PositionalEncoding(8, max_len=500).pe[:, 0, :])
    xo = np.random.default_rng(3).standard_normal((2, 4, 5))
    t["sin.odd.input"] = xo
    t["sin.odd.output"] = xo + sinusoid_formula(4, 5)[None]
    assert np.allclose(sinusoid_formula(9, 6), PositionalEncoding(6).pe[:9, 0].numpy(), rtol=0, atol=1e-15)

    # Learned positions: nn.Embedding(6, 4) looked up at arange(6), added.
    table = torch.nn.Embedding(6, 4).to(F64)
    xl = torch.randn(2, 6, 4, generator=g, dtype=F64, requires_grad=True)
    yl = xl + table(torch.arange(6))
    gl = torch.randn(yl.shape, generator=g, dtype=F64)
    (yl * gl).sum().backward()
    t.update({"learned.weight": np_(table.weight), "learned.input": np_(xl), "learned.g": np_(gl),
              "learned.output": np_(yl), "learned.grad.input": np_(xl.grad),
              "learned.grad.weight": np_(table.weight.grad)})

    # The composite: kmer ids -> embedding -> + sinusoidal -> flatten -> linear.
    xc = dna(3, 12, g)
    xc[0, 5] = 0
    xc[2, 0] = 0
    xc[2, 11] = 0
    idc = torch.from_numpy(kmer_ids(np_(xc), 3)).long()  # (3, 10)
    e = torch.nn.Embedding(65, 8).to(F64)
    lin = torch.nn.Linear(10 * 8, 1).to(F64)
    yc = lin(PositionalEncoding(8)(e(idc)).flatten(1))
    gc = torch.randn(yc.shape, generator=g, dtype=F64)
    (yc * gc).sum().backward()
    t.update({"comp.input": np_(xc), "comp.ids": idc.numpy().astype(np.float64), "comp.g": np_(gc),
              "comp.output": np_(yc), "comp.param.1.weight": np_(e.weight), "comp.param.4.weight": np_(lin.weight.T),
              "comp.param.4.bias": np_(lin.bias), "comp.grad.1.weight": np_(e.weight.grad),
              "comp.grad.4.weight": np_(lin.weight.grad.T), "comp.grad.4.bias": np_(lin.bias.grad)})

    write_safetensors("tests/golden/embedding.safetensors", t, {"source": "tests/golden/make_embedding_golden.py"})


if __name__ == "__main__":
    main()
