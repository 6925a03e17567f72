#!/usr/bin/python3
"""Golden fixture for helix's repeat<N>(block) with per_repeat parts, from PyTorch (float64).

A small EPI-Mind-like post-norm transformer encoder: ONE torch.nn.MultiheadAttention (batch_first=True) and ONE
feed-forward block (Linear, ReLU, Linear) created once and called in each of LAYERS layers, and two LayerNorms of
its own per layer (EPS as EPI-Mind's 1e-8):
    for k in range(LAYERS):
        x = norm[2k](x + attention(x, x, x))
        x = norm[2k + 1](x + feed_forward(x))
helix: repeat<LAYERS>(seq{residual{multi_head_attention<HEADS>{}}, per_repeat{layer_norm{EPS}},
                          residual{seq{dense<HIDDEN>{}, relu{}, dense<CHANNELS>{}}}, per_repeat{layer_norm{EPS}}}).
Every weight is random (N(0, 0.5^2); the norms' scales 1 + N(0, 0.2^2), different per layer, so a mix-up of the
per-layer sets shows). f = sum(out * g) for a fixed random g. Writes tests/golden/repeat.safetensors with
  encoder.param.<helix name>   the weights under helix's names (dense weights transposed: helix keeps [in, out])
  encoder.grad.<helix name>    df/d(weight): the shared ones summed over the LAYERS applications by autograd
  encoder.input, encoder.g, encoder.output, encoder.input_grad
The helix side is tests/repeat_test.cpp; the sizes must match it.

Run with Debian's torch:  /usr/bin/python3 tests/golden/make_repeat_golden.py
"""
import argparse
import json

import numpy as np
import torch
from golden_io import write_safetensors

BATCH, LENGTH, CHANNELS, HEADS, HIDDEN, LAYERS, EPS = 3, 5, 8, 2, 16, 3, 1e-8


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = torch.nn.MultiheadAttention(CHANNELS, HEADS, batch_first=True)
        self.feed_forward = torch.nn.Sequential(torch.nn.Linear(CHANNELS, HIDDEN), torch.nn.ReLU(),
                                                torch.nn.Linear(HIDDEN, CHANNELS))
        self.norms = torch.nn.ModuleList(torch.nn.LayerNorm(CHANNELS, eps=EPS) for _ in range(2 * LAYERS))

    def forward(self, x):
        for k in range(LAYERS):
            x = self.norms[2 * k](x + self.attention(x, x, x, need_weights=False)[0])
            x = self.norms[2 * k + 1](x + self.feed_forward(x))
        return x


def helix_names(torch_name):
    """helix's name of a torch parameter, and whether helix stores it transposed."""
    part, _, rest = torch_name.partition(".")
    if part == "attention":  # in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias: torch's layouts
        return "block.0." + rest, False
    if part == "feed_forward":  # 0.weight, 0.bias, 2.weight, 2.bias (ReLU is part 1, as in helix's seq)
        return "block.2." + rest, rest.endswith("weight")
    index, _, kind = rest.partition(".")  # norms.<2k or 2k+1>.weight / bias
    k, second = divmod(int(index), 2)
    return f"block.{3 if second else 1}.r{k}.{kind}", False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/golden/repeat.safetensors")
    a = ap.parse_args()
    gen = torch.Generator().manual_seed(2022)
    m = Encoder().double()
    with torch.no_grad():
        for name, p in m.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float64)
            p.copy_(1 + 0.2 * noise if name.startswith("norms.") and name.endswith("weight") else 0.5 * noise)
    x = torch.randn(BATCH, LENGTH, CHANNELS, generator=gen, dtype=torch.float64, requires_grad=True)
    out = m(x)
    g = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    (out * g).sum().backward()
    t = {}
    for pname, p in m.named_parameters():
        name, transposed = helix_names(pname)
        value, grad = p.detach().numpy(), p.grad.detach().numpy()
        t[f"encoder.param.{name}"] = value.T if transposed else value
        t[f"encoder.grad.{name}"] = grad.T if transposed else grad
    t["encoder.input"] = x.detach().numpy()
    t["encoder.g"] = g.numpy()
    t["encoder.output"] = out.detach().numpy()
    t["encoder.input_grad"] = x.grad.detach().numpy()
    sizes = dict(batch=BATCH, length=LENGTH, channels=CHANNELS, heads=HEADS, hidden=HIDDEN, layers=LAYERS, eps=EPS)
    write_safetensors(a.out, t, {"source": "tests/golden/make_repeat_golden.py", "sizes": json.dumps(sizes),
                                 "torch": torch.__version__})
    print(f"wrote {a.out}: {len(t)} tensors, torch {torch.__version__}")


if __name__ == "__main__":
    main()
