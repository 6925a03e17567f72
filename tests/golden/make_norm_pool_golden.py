#!/usr/bin/python3
"""Golden fixtures for helix's normalisation, pooling and activation layers from PyTorch (float64).

Each case runs one PyTorch module at a small size on random inputs, forward and backward of sum(out * g) for a fixed
random g, and writes into tests/golden/norm_pool.safetensors (helix's channel-last layout, (batch, length, channels)):
  <case>.input, <case>.g, <case>.output, <case>.grad.input
  <case>.param.<name>          parameters and buffers before the pass (PyTorch's state_dict names = helix's)
  <case>.grad.<name>           d(sum(out * g)) / d(parameter)
  <case>.buffer_after.<name>   batch_norm's running statistics after the pass (training cases)
Cases (the mapping to PyTorch is in the comment of each):
  layer_norm_vec       nn.LayerNorm(6) on (3, 6)                       helix layer_norm on <6>
  layer_norm_seq       nn.LayerNorm(4) on (2, 5, 4)                    helix layer_norm on <5, 4>
  batch_norm_vec_train nn.BatchNorm1d(4) training on (5, 4)            helix batch_norm on <4>, training
  batch_norm_vec_eval  nn.BatchNorm1d(4) eval on (3, 4)                helix batch_norm on <4>, evaluation
  batch_norm_seq_train nn.BatchNorm1d(3) training on (3, 3, 6) = x^T   helix batch_norm on <6, 3>, training
  batch_norm_seq_eval  nn.BatchNorm1d(3) eval on x^T                   helix batch_norm on <6, 3>, evaluation
  global_max_pool      AdaptiveMaxPool1d(1) on x^T, squeezed           helix global_max_pool on <7, 3>
  global_avg_pool      AdaptiveAvgPool1d(1) on x^T, squeezed           helix global_avg_pool on <7, 3>
  avg_pool_3_2         AvgPool1d(3, 2) on x^T (10 -> 4, one left over) helix avg_pool1d<3, 2> on <10, 3>
  avg_pool_4           AvgPool1d(4) on x^T (8 -> 2)                    helix avg_pool1d<4> on <8, 2>
  gelu, sigmoid, tanh  F.gelu (erf), torch.sigmoid, torch.tanh         on <5, 4>
  softmax              F.softmax(x, dim=-1) on (2, 5, 4)               helix softmax on <5, 4>
(x^T: helix's (N, L, C) transposed to PyTorch's (N, C, L) and the result transposed back.)
The sizes must match tests/norm_pool_golden_test.cpp. Run with Debian's torch:
  /usr/bin/python3 tests/golden/make_norm_pool_golden.py
"""
import argparse
import json

import numpy as np
import torch
from golden_io import write_safetensors
import torch.nn.functional as F


OUT = {}


def record(case, fn, x, module=None, buffers=()):
    """Forward fn(x), backward of sum(out * g); stores everything under `case`."""
    x = x.clone().requires_grad_(True)
    named = dict(module.named_parameters()) if module is not None else {}
    state = {k: v.detach().clone() for k, v in module.state_dict().items()} if module is not None else {}
    y = fn(x)
    g = torch.randn(y.shape, dtype=torch.float64)
    (y * g).sum().backward()
    OUT[case + ".input"] = x.detach().numpy()
    OUT[case + ".g"] = g.numpy()
    OUT[case + ".output"] = y.detach().numpy()
    OUT[case + ".grad.input"] = x.grad.numpy()
    for name in ["weight", "bias", "running_mean", "running_var"]:
        if name in state:
            OUT[case + ".param." + name] = state[name].numpy()
    for name, p in named.items():
        OUT[case + ".grad." + name] = p.grad.numpy()
    for name in buffers:
        OUT[case + ".buffer_after." + name] = getattr(module, name).detach().numpy()


def randomise(module, running=False):
    with torch.no_grad():
        module.weight.copy_(1 + 0.5 * torch.randn_like(module.weight))
        module.bias.copy_(0.5 * torch.randn_like(module.bias))
        if running:
            module.running_mean.copy_(0.5 * torch.randn_like(module.running_mean))
            module.running_var.copy_(0.5 + torch.rand_like(module.running_var))


def channels_first(module):
    """Applies a module made for (N, C, L) to helix's (N, L, C)."""
    return lambda x: module(x.transpose(1, 2)).transpose(1, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/golden/norm_pool.safetensors")
    a = ap.parse_args()
    torch.manual_seed(19)
    torch.set_default_dtype(torch.float64)
    randn = lambda *s, scale=1.0, shift=0.0: shift + scale * torch.randn(*s)

    ln = torch.nn.LayerNorm(6)
    randomise(ln)
    record("layer_norm_vec", ln, randn(3, 6, scale=2.0, shift=0.3), ln)
    ln = torch.nn.LayerNorm(4)
    randomise(ln)
    record("layer_norm_seq", ln, randn(2, 5, 4, scale=1.5, shift=-0.4), ln)

    buffers = ("running_mean", "running_var")
    bn = torch.nn.BatchNorm1d(4).train()
    randomise(bn, running=True)
    record("batch_norm_vec_train", bn, randn(5, 4, scale=2.0, shift=0.7), bn, buffers)
    bn = torch.nn.BatchNorm1d(4).eval()
    randomise(bn, running=True)
    record("batch_norm_vec_eval", bn, randn(3, 4, scale=2.0, shift=0.7), bn, buffers)
    bn = torch.nn.BatchNorm1d(3).train()
    randomise(bn, running=True)
    record("batch_norm_seq_train", channels_first(bn), randn(3, 6, 3, scale=1.5, shift=-0.5), bn, buffers)
    bn = torch.nn.BatchNorm1d(3).eval()
    randomise(bn, running=True)
    record("batch_norm_seq_eval", channels_first(bn), randn(3, 6, 3, scale=1.5, shift=-0.5), bn, buffers)

    record("global_max_pool", lambda x: F.adaptive_max_pool1d(x.transpose(1, 2), 1).squeeze(-1), randn(2, 7, 3))
    record("global_avg_pool", lambda x: F.adaptive_avg_pool1d(x.transpose(1, 2), 1).squeeze(-1), randn(2, 7, 3))
    record("avg_pool_3_2", channels_first(torch.nn.AvgPool1d(3, 2)), randn(2, 10, 3))
    record("avg_pool_4", channels_first(torch.nn.AvgPool1d(4)), randn(2, 8, 2))

    record("gelu", F.gelu, randn(2, 5, 4, scale=2.0))
    record("sigmoid", torch.sigmoid, randn(2, 5, 4, scale=2.0))
    record("tanh", torch.tanh, randn(2, 5, 4, scale=2.0))
    record("softmax", lambda x: F.softmax(x, dim=-1), randn(2, 5, 4, scale=2.0))

    write_safetensors(a.out, OUT, {"source": "tests/golden/make_norm_pool_golden.py", "torch": torch.__version__})
    print(f"wrote {len(OUT)} arrays to {a.out}")


if __name__ == "__main__":
    main()
