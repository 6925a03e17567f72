#!/usr/bin/python3
"""Golden fixtures for helix's recurrent layers from PyTorch (torch.nn.LSTM / nn.GRU, batch_first=True, float64).

For each case below, builds the PyTorch module with random weights (N(0, 0.5^2), so that gates are neither all
saturated nor all linear), runs it on a random input x (BATCH, LENGTH, INPUT), takes f = sum(out * g) for a fixed
random g, and writes tests/golden/recurrent.safetensors with, per case:
  <case>.param.<helix name>   the weights, under helix's names (the same layout as PyTorch's)
  <case>.grad.<helix name>    df/d(weight)
  <case>.input, <case>.g, <case>.output, <case>.input_grad
The helix side is tests/recurrent_golden_test.cpp; the sizes must match it. The cases:
  lstm_sequence / lstm_last / gru_sequence / gru_last           one direction; `last` is output[:, -1] (= h_n[0])
  bilstm_sequence / bigru_sequence                               bidirectional=True output (B, L, 2H)
  bilstm_last / bigru_last                                       cat(h_n[0], h_n[1]): [forward at L-1, backward at 0]
Names: weight_ih_l0 -> weight_ih (one direction), forward.weight_ih (bidirectional); weight_ih_l0_reverse ->
backward.weight_ih; likewise weight_hh, bias_ih, bias_hh.

Run with Debian's torch:  /usr/bin/python3 tests/golden/make_recurrent_golden.py
"""
import argparse
import json

import numpy as np
import torch
from golden_io import write_safetensors

BATCH, LENGTH, INPUT, HIDDEN = 3, 6, 3, 4
CASES = [  # name, module, bidirectional, output kind
    ("lstm_sequence", "lstm", False, "sequence"),
    ("lstm_last", "lstm", False, "last"),
    ("gru_sequence", "gru", False, "sequence"),
    ("gru_last", "gru", False, "last"),
    ("bilstm_sequence", "lstm", True, "sequence"),
    ("bilstm_last", "lstm", True, "last"),
    ("bigru_sequence", "gru", True, "sequence"),
    ("bigru_last", "gru", True, "last"),
]


def helix_name(torch_name, bidirectional):
    base, _, rest = torch_name.partition("_l0")  # weight_ih_l0 or weight_ih_l0_reverse
    if not bidirectional:
        assert rest == ""
        return base
    return ("backward." if rest == "_reverse" else "forward.") + base


def run_case(name, kind, bidirectional, output, gen):
    cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    m = cls(INPUT, HIDDEN, batch_first=True, bidirectional=bidirectional).double()
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.5)
    x = torch.randn(BATCH, LENGTH, INPUT, generator=gen, dtype=torch.float64, requires_grad=True)
    seq, h_n = m(x)
    if kind == "lstm":
        h_n = h_n[0]
    if output == "sequence":
        out = seq
    else:  # h_n: (directions, B, H) -> (B, directions * H)
        out = torch.cat([h_n[d] for d in range(h_n.shape[0])], dim=1)
        if not bidirectional:
            assert torch.allclose(out, seq[:, -1])
    g = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    (out * g).sum().backward()
    t = {}
    for pname, p in m.named_parameters():
        t[f"{name}.param.{helix_name(pname, bidirectional)}"] = p.detach().numpy()
        t[f"{name}.grad.{helix_name(pname, bidirectional)}"] = p.grad.detach().numpy()
    t[f"{name}.input"] = x.detach().numpy()
    t[f"{name}.g"] = g.numpy()
    t[f"{name}.output"] = out.detach().numpy()
    t[f"{name}.input_grad"] = x.grad.detach().numpy()
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/golden/recurrent.safetensors")
    a = ap.parse_args()
    gen = torch.Generator().manual_seed(1997)
    tensors = {}
    for case in CASES:
        tensors.update(run_case(*case, gen))
    sizes = dict(batch=BATCH, length=LENGTH, input=INPUT, hidden=HIDDEN)
    write_safetensors(a.out, tensors, {"source": "tests/golden/make_recurrent_golden.py", "sizes": json.dumps(sizes),
                                       "torch": torch.__version__})
    print(f"wrote {a.out}: {len(tensors)} tensors, torch {torch.__version__}")


if __name__ == "__main__":
    main()
