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

Then the Keras forms, which torch has no module for: cells written out here in float64 and unrolled over the
sequence (autograd gives the gradients), in the same layout, after the cases above (so their tensors stay as they were):
  hard_sigmoid gates  clip(0.2 a + 0.5, 0, 1) for GRU r, z and LSTM i, f, o (Keras <= 2.2's recurrent_activation)
  GRU reset "before"  Keras' reset_after=False: n = tanh(x W_in^T + b_n + (r * h) W_hn^T), h' = z h + (1 - z) n, one
                      bias of 3H, named "bias" (rows r, z, n like weight_ih and weight_hh)
  gru_hard_sequence / gru_before_sequence / gru_before_hard_last / bigru_before_hard_sequence (EPIVAN's Keras GRU) /
  bigru_before_last / lstm_hard_sequence / lstm_hard_last / bilstm_hard_sequence (SPEID's Keras 1 LSTM)
The written-out cells are first checked against nn.GRU / nn.LSTM in their torch form (sigmoid, reset after).

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


# The Keras forms: name, module, bidirectional, output kind, gate activation, GRU reset gate.
KERAS_CASES = [
    ("gru_hard_sequence", "gru", False, "sequence", "hard_sigmoid", "after"),
    ("gru_before_sequence", "gru", False, "sequence", "sigmoid", "before"),
    ("gru_before_hard_last", "gru", False, "last", "hard_sigmoid", "before"),
    ("bigru_before_hard_sequence", "gru", True, "sequence", "hard_sigmoid", "before"),
    ("bigru_before_last", "gru", True, "last", "sigmoid", "before"),
    ("lstm_hard_sequence", "lstm", False, "sequence", "hard_sigmoid", "after"),
    ("lstm_hard_last", "lstm", False, "last", "hard_sigmoid", "after"),
    ("bilstm_hard_sequence", "lstm", True, "sequence", "hard_sigmoid", "after"),
]


def gate(a, activation):
    if activation == "sigmoid":
        return torch.sigmoid(a)
    return torch.clamp(0.2 * a + 0.5, 0.0, 1.0)  # Keras 2.x's hard_sigmoid


def gru_direction(x, p, activation, reset, reverse):
    """Every h_t of one direction (B, L, H) and the last state read; p: weight_ih, weight_hh and the biases."""
    batch, length, _ = x.shape
    w_ih, w_hh = p["weight_ih"], p["weight_hh"]
    hidden = w_hh.shape[1]
    h = torch.zeros(batch, hidden, dtype=torch.float64)
    out = [None] * length
    for t in (reversed(range(length)) if reverse else range(length)):
        if reset == "after":  # torch's nn.GRU
            xa = x[:, t] @ w_ih.T + p["bias_ih"]
            ha = h @ w_hh.T + p["bias_hh"]
            r = gate(xa[:, :hidden] + ha[:, :hidden], activation)
            z = gate(xa[:, hidden:2 * hidden] + ha[:, hidden:2 * hidden], activation)
            n = torch.tanh(xa[:, 2 * hidden:] + r * ha[:, 2 * hidden:])
            h = (1 - z) * n + z * h
        else:  # Keras' GRUCell with reset_after=False, its gates reordered to r, z, n
            xa = x[:, t] @ w_ih.T + p["bias"]
            r = gate(xa[:, :hidden] + h @ w_hh[:hidden].T, activation)
            z = gate(xa[:, hidden:2 * hidden] + h @ w_hh[hidden:2 * hidden].T, activation)
            n = torch.tanh(xa[:, 2 * hidden:] + (r * h) @ w_hh[2 * hidden:].T)
            h = z * h + (1 - z) * n
        out[t] = h
    return torch.stack(out, dim=1), h


def lstm_direction(x, p, activation, reverse):
    batch, length, _ = x.shape
    hidden = p["weight_hh"].shape[1]
    h = torch.zeros(batch, hidden, dtype=torch.float64)
    c = torch.zeros(batch, hidden, dtype=torch.float64)
    out = [None] * length
    for t in (reversed(range(length)) if reverse else range(length)):
        a = x[:, t] @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
        i, f, g, o = a.chunk(4, dim=1)
        c = gate(f, activation) * c + gate(i, activation) * torch.tanh(g)
        h = gate(o, activation) * torch.tanh(c)
        out[t] = h
    return torch.stack(out, dim=1), h


def parameter_shapes(kind, reset):
    gates = (4 if kind == "lstm" else 3) * HIDDEN
    shapes = [("weight_ih", (gates, INPUT)), ("weight_hh", (gates, HIDDEN))]
    if reset == "before":
        return shapes + [("bias", (gates,))]
    return shapes + [("bias_ih", (gates,)), ("bias_hh", (gates,))]


def run_layer(x, kind, bidirectional, output, activation, reset, params):
    """The layer's output: params maps helix names (forward./backward. when bidirectional) to tensors."""
    def direction(prefix, reverse):
        p = {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
        if kind == "lstm":
            return lstm_direction(x, p, activation, reverse)
        return gru_direction(x, p, activation, reset, reverse)

    if not bidirectional:
        seq, last = direction("", False)
        return seq if output == "sequence" else last
    fs, fl = direction("forward.", False)
    bs, bl = direction("backward.", True)
    return torch.cat([fs, bs], dim=2) if output == "sequence" else torch.cat([fl, bl], dim=1)


def run_keras_case(name, kind, bidirectional, output, activation, reset, gen):
    prefixes = ["forward.", "backward."] if bidirectional else [""]
    params = {}
    for prefix in prefixes:
        for pname, shape in parameter_shapes(kind, reset):
            params[prefix + pname] = (torch.randn(shape, generator=gen, dtype=torch.float64) * 0.5).requires_grad_()
    x = torch.randn(BATCH, LENGTH, INPUT, generator=gen, dtype=torch.float64, requires_grad=True)
    out = run_layer(x, kind, bidirectional, output, activation, reset, params)
    g = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    (out * g).sum().backward()
    t = {}
    for pname, p in params.items():
        t[f"{name}.param.{pname}"] = p.detach().numpy()
        t[f"{name}.grad.{pname}"] = p.grad.detach().numpy()
    t[f"{name}.input"] = x.detach().numpy()
    t[f"{name}.g"] = g.numpy()
    t[f"{name}.output"] = out.detach().numpy()
    t[f"{name}.input_grad"] = x.grad.detach().numpy()
    return t


def check_written_out_cells():
    """The cells above in torch's form (sigmoid, reset after) against nn.GRU and nn.LSTM, on their own generator."""
    gen = torch.Generator().manual_seed(7)
    for kind, cls in (("gru", torch.nn.GRU), ("lstm", torch.nn.LSTM)):
        for bidirectional in (False, True):
            m = cls(INPUT, HIDDEN, batch_first=True, bidirectional=bidirectional).double()
            with torch.no_grad():
                for p in m.parameters():
                    p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
            x = torch.randn(BATCH, LENGTH, INPUT, generator=gen, dtype=torch.float64)
            params = {helix_name(n, bidirectional): p.detach() for n, p in m.named_parameters()}
            want = m(x)[0]
            got = run_layer(x, kind, bidirectional, "sequence", "sigmoid", "after", params)
            assert torch.allclose(got, want, rtol=1e-12, atol=1e-14), (kind, bidirectional)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/golden/recurrent.safetensors")
    a = ap.parse_args()
    gen = torch.Generator().manual_seed(1997)
    tensors = {}
    for case in CASES:
        tensors.update(run_case(*case, gen))
    check_written_out_cells()
    for case in KERAS_CASES:
        tensors.update(run_keras_case(*case, gen))
    sizes = dict(batch=BATCH, length=LENGTH, input=INPUT, hidden=HIDDEN)
    write_safetensors(a.out, tensors, {"source": "tests/golden/make_recurrent_golden.py", "sizes": json.dumps(sizes),
                                       "torch": torch.__version__})
    print(f"wrote {a.out}: {len(tensors)} tensors, torch {torch.__version__}")


if __name__ == "__main__":
    main()
