#!/usr/bin/python3
"""Golden fixtures for helix's merge family (identity, residual, concat, add / subtract / multiply /
abs_difference, dot, first_half / second_half, concat_of, reverse) from PyTorch.

Each case builds the torch expression helix's layer stands for, in float64 at small sizes, runs forward and the
backward of sum(out * g) for a fixed random g, and writes, under the case's name:
  <case>.input            (or <case>.input.first, <case>.input.second for a pair), batch first, channel-last
  <case>.g, <case>.output
  <case>.grad_input       (or .grad_input.first, .grad_input.second)
  <case>.param.<helix name>, <case>.grad.<helix name>   in helix's layout (dense: weight [in, out] = Linear.weight.T)
into tests/golden/merge.safetensors. Run with Debian's torch:
  /usr/bin/python3 tests/golden/make_merge_golden.py
The cases and sizes must match tests/merge_golden_test.cpp.
"""
import argparse
import json

import numpy as np
import torch
from golden_io import write_safetensors

BATCH = 2


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def linear(n_in, n_out):
    lin = torch.nn.Linear(n_in, n_out).double()
    with torch.no_grad():
        lin.weight.copy_(randn(n_out, n_in) * 0.5)
        lin.bias.copy_(randn(n_out) * 0.5)
    return lin


def dense_params(prefix, lin):
    """helix dense's parameters: weight [in, out] (Linear.weight transposed), bias [out]."""
    return {prefix + "weight": (lambda: lin.weight.T, lambda: lin.weight.grad.T),
            prefix + "bias": (lambda: lin.bias, lambda: lin.bias.grad)}


def run_case(out, name, inputs, fn, params=None):
    """inputs: one tensor or a tuple (first, second); fn(inputs) -> output; params: helix name -> (value, grad)."""
    pair = isinstance(inputs, tuple)
    leaves = [x.clone().requires_grad_(True) for x in (inputs if pair else (inputs,))]
    y = fn(tuple(leaves) if pair else leaves[0])
    g = randn(*y.shape)
    (y * g).sum().backward()
    if pair:
        out[name + ".input.first"], out[name + ".input.second"] = leaves[0].detach().numpy(), leaves[1].detach().numpy()
        # A half the output does not use has no .grad in torch: its gradient is zero.
        grads = [x.grad if x.grad is not None else torch.zeros_like(x) for x in leaves]
        out[name + ".grad_input.first"], out[name + ".grad_input.second"] = grads[0].numpy(), grads[1].numpy()
    else:
        out[name + ".input"] = leaves[0].detach().numpy()
        out[name + ".grad_input"] = leaves[0].grad.numpy()
    out[name + ".g"] = g.numpy()
    out[name + ".output"] = y.detach().numpy()
    for pname, (value, grad) in (params or {}).items():
        out[name + ".param." + pname] = value().detach().numpy()
        out[name + ".grad." + pname] = grad().detach().numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/golden/merge.safetensors")
    a = ap.parse_args()
    torch.manual_seed(19)
    B = BATCH
    out = {}

    run_case(out, "identity", randn(B, 3, 4), lambda x: torch.nn.Identity()(x))
    run_case(out, "concat_length", (randn(B, 3, 4), randn(B, 5, 4)), lambda p: torch.cat(p, dim=1))
    run_case(out, "concat_channels", (randn(B, 3, 2), randn(B, 3, 5)), lambda p: torch.cat(p, dim=-1))
    run_case(out, "concat_vectors", (randn(B, 4), randn(B, 3)), lambda p: torch.cat(p, dim=-1))
    run_case(out, "add", (randn(B, 3, 4), randn(B, 3, 4)), lambda p: p[0] + p[1])
    run_case(out, "subtract", (randn(B, 3, 4), randn(B, 3, 4)), lambda p: p[0] - p[1])
    run_case(out, "multiply", (randn(B, 3, 4), randn(B, 3, 4)), lambda p: p[0] * p[1])
    e, q = randn(B, 3, 4), randn(B, 3, 4)
    q[0, 1, :] = e[0, 1, :]  # ties: abs's gradient there is sign(0) = 0 on both sides
    q[1, 2, 3] = e[1, 2, 3]
    run_case(out, "abs_difference", (e, q), lambda p: (p[0] - p[1]).abs())
    run_case(out, "dot_vectors", (randn(B, 6), randn(B, 6)), lambda p: (p[0] * p[1]).sum(-1, keepdim=True))
    run_case(out, "dot_positions", (randn(B, 4, 3), randn(B, 4, 3)), lambda p: (p[0] * p[1]).sum(-1))
    run_case(out, "first_half", (randn(B, 3, 2), randn(B, 5)), lambda p: p[0])
    run_case(out, "second_half", (randn(B, 3, 2), randn(B, 5)), lambda p: p[1])
    run_case(out, "reverse", randn(B, 5, 3), lambda x: torch.flip(x, [1]))
    run_case(out, "reverse_vector", randn(B, 6), lambda x: torch.flip(x, [1]))

    # residual{dense<4>{}} on <3, 4>: x + Linear(x); helix names its parameters as dense's own.
    lin = linear(4, 4)
    run_case(out, "residual_dense", randn(B, 3, 4), lambda x: x + lin(x), dense_params("", lin))
    # residual<seq<dense<4>, tanh>> on <4>: x + tanh(Linear(x)); the seq names its dense "0".
    lin2 = linear(4, 4)
    run_case(out, "residual_seq", randn(B, 4), lambda x: x + torch.tanh(lin2(x)), dense_params("0.", lin2))
    # seq<concat_of<channels, first_half, second_half, subtract, multiply>, dense<3>> on a pair of <5>:
    # EPI-DLMH's [e, p, e - p, e * p], then a Linear(20, 3).
    lin3 = linear(20, 3)
    run_case(out, "matching_heuristic", (randn(B, 5), randn(B, 5)),
             lambda p: lin3(torch.cat([p[0], p[1], p[0] - p[1], p[0] * p[1]], dim=-1)), dense_params("1.", lin3))
    # concat_of<channels, dot, abs_difference> on a pair of <6>: EPI-Mind's [e . p, |e - p|].
    run_case(out, "dot_abs_difference", (randn(B, 6), randn(B, 6)),
             lambda p: torch.cat([(p[0] * p[1]).sum(-1, keepdim=True), (p[0] - p[1]).abs()], dim=-1))
    # concat_of<length, identity, reverse, dense<2>> on <3, 2>: [x, flip(x), Linear(x)] along the length.
    lin4 = linear(2, 2)
    run_case(out, "concat_of_length", randn(B, 3, 2), lambda x: torch.cat([x, torch.flip(x, [1]), lin4(x)], dim=1),
             dense_params("2.", lin4))

    # pad<2, 1> on <4, 3> and pad<0, 3> on <5>: F.pad with zeros along the length.
    run_case(out, "pad", randn(B, 4, 3), lambda x: torch.nn.functional.pad(x, (0, 0, 2, 1)))
    run_case(out, "pad_vector", randn(B, 5), lambda x: torch.nn.functional.pad(x, (0, 3)))
    # seq<same_padding<4>, conv1d<3, 4, bias::on>> on <7, 2>: Conv1d(2, 3, 4, padding='same') (even width: 1 row
    # before, 2 after), helix's conv1d weight [W, C, F] = torch's [F, C, W] permuted.
    conv = torch.nn.Conv1d(2, 3, 4, padding="same").double()
    with torch.no_grad():
        conv.weight.copy_(randn(3, 2, 4) * 0.5)
        conv.bias.copy_(randn(3) * 0.5)
    run_case(out, "conv_same", randn(B, 7, 2), lambda x: conv(x.transpose(1, 2)).transpose(1, 2),
             {"1.weight": (lambda: conv.weight.permute(2, 1, 0), lambda: conv.weight.grad.permute(2, 1, 0)),
              "1.bias": (lambda: conv.bias, lambda: conv.bias.grad)})

    write_safetensors(a.out, out, {"source": "tests/golden/make_merge_golden.py", "torch": torch.__version__})
    print(f"wrote {a.out}: {len(out)} tensors, torch {torch.__version__}")


if __name__ == "__main__":
    main()
