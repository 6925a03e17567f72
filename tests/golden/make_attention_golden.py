#!/usr/bin/python3
"""Golden fixtures for helix's attention layers (layers/attention/) from PyTorch, in float64.

Writes tests/golden/attention.safetensors. For each case <c>, with a fixed random output weight g and the loss
sum(out * g):
  <c>.param.<helix name>        the parameters, in helix's names and layouts
  <c>.input.<half>              inputs (batch, length, channels): "x" for one tensor, "first"/"second" for a pair
  <c>.g, <c>.output             g and the forward output
  <c>.attention                 (batch, heads or rows, Lq, Lk) / (batch, rows, L): the attention weights
  <c>.mean_attention            (batch, Lq, Lk): averaged over heads (multi-head cases)
  <c>.grad.input.<half>         d(loss)/d(input)
  <c>.grad.param.<helix name>   d(loss)/d(parameter)
Cases:
  mha_self          torch.nn.MultiheadAttention(8, 2, batch_first=True) on x (3, 5, 8): mha(x, x, x)
  mha_cross_first   the same module type on the pair (first (3, 4, 8), second (3, 6, 8)): mha(first, second, second)
  mha_cross_second  on the same kind of pair the second half asks: mha(second, first, first)
  mha_headdim_self  2 heads of head_dim 3 on C = 8 (E = 6): a hand-written torch version (checked here against
                    nn.MultiheadAttention where head_dim = C / heads)
  mha_headdim_cross the same, cross-attention, first half asking
  pool_epivan       attention_pooling<5>: EPIVAN's AttLayer in torch, x (3, 6, 4)
  pool_transepi     attention_pooling<5, 3>: TransEPI's structured self-attention (att_first, att_second) in torch,
                    with a non-zero att_second.bias (which the softmax over positions cancels)
  mha_bare_self     projections::bare (EPI-Mind's / EPI-Trans's Keras attention: no biases, no output projection),
                    2 heads on x (3, 5, 8), written by hand (checked here against nn.MultiheadAttention(bias=False)
                    with out_proj.weight = I)
  mha_bare_cross_second  bare, 2 heads, cross-attention on (first (3, 4, 8), second (3, 6, 8)), the second half asking
  mha_bare_headdim_cross bare, HeadDim 2 x 4 heads (E = C = 8), cross-attention, the first half asking
The bare cases come last, so the earlier cases draw what they drew before them.
Run with Debian's torch: /usr/bin/python3 tests/golden/make_attention_golden.py
Sizes must match tests/attention_golden_test.cpp.
"""
import argparse
import json
import math

import numpy as np
import torch
import torch.nn.functional as F
from golden_io import write_safetensors

BATCH = 3
C = 8


def randomise(module, gen, scale=0.4):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * scale)


def hand_mha(xq, xkv, w_in, b_in, w_out, b_out, heads, head_dim):
    """Multi-head attention with projections C -> heads * head_dim and back (Keras's key_dim), written out."""
    e = heads * head_dim
    q = xq @ w_in[:e].T + b_in[:e]
    k = xkv @ w_in[e:2 * e].T + b_in[e:2 * e]
    v = xkv @ w_in[2 * e:].T + b_in[2 * e:]
    b, lq, lk = xq.shape[0], xq.shape[1], xkv.shape[1]
    q = q.view(b, lq, heads, head_dim).transpose(1, 2)  # (B, H, Lq, d)
    k = k.view(b, lk, heads, head_dim).transpose(1, 2)
    v = v.view(b, lk, heads, head_dim).transpose(1, 2)
    a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(head_dim), dim=-1)  # (B, H, Lq, Lk)
    o = (a @ v).transpose(1, 2).reshape(b, lq, e)
    return o @ w_out.T + b_out, a


def mha_case(out, name, gen, lq, lk, cross, queries_first=True):
    mha = torch.nn.MultiheadAttention(C, 2, batch_first=True).double()
    randomise(mha, gen)
    if cross:
        first = torch.randn(BATCH, lq, C, generator=gen, dtype=torch.float64, requires_grad=True)
        second = torch.randn(BATCH, lk, C, generator=gen, dtype=torch.float64, requires_grad=True)
        q, kv = (first, second) if queries_first else (second, first)
        inputs = {"first": first, "second": second}
    else:
        x = torch.randn(BATCH, lq, C, generator=gen, dtype=torch.float64, requires_grad=True)
        q = kv = x
        inputs = {"x": x}
    y, att = mha(q, kv, kv, need_weights=True, average_attn_weights=False)
    _, mean = mha(q, kv, kv, need_weights=True, average_attn_weights=True)
    g = torch.randn(y.shape, generator=gen, dtype=torch.float64)
    (y * g).sum().backward()
    sd = dict(mha.named_parameters())
    # the hand-written version must agree with torch's where both apply (it is the reference for HeadDim != 0)
    yh, ah = hand_mha(q, kv, sd["in_proj_weight"], sd["in_proj_bias"], sd["out_proj.weight"], sd["out_proj.bias"], 2,
                      C // 2)
    assert torch.allclose(yh, y, rtol=1e-12, atol=1e-12) and torch.allclose(ah, att, rtol=1e-12, atol=1e-12)
    for pname in ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]:
        out[f"{name}.param.{pname}"] = sd[pname].detach().numpy()
        out[f"{name}.grad.param.{pname}"] = sd[pname].grad.numpy()
    for half, t in inputs.items():
        out[f"{name}.input.{half}"] = t.detach().numpy()
        out[f"{name}.grad.input.{half}"] = t.grad.numpy()
    out[f"{name}.g"] = g.numpy()
    out[f"{name}.output"] = y.detach().numpy()
    out[f"{name}.attention"] = att.detach().numpy()
    out[f"{name}.mean_attention"] = mean.detach().numpy()


def headdim_case(out, name, gen, lq, lk, cross, heads=2, head_dim=3):
    e = heads * head_dim
    mk = lambda *s: (torch.randn(*s, generator=gen, dtype=torch.float64) * 0.4).requires_grad_()
    params = {"in_proj_weight": mk(3 * e, C), "in_proj_bias": mk(3 * e), "out_proj.weight": mk(C, e),
              "out_proj.bias": mk(C)}
    if cross:
        first = torch.randn(BATCH, lq, C, generator=gen, dtype=torch.float64, requires_grad=True)
        second = torch.randn(BATCH, lk, C, generator=gen, dtype=torch.float64, requires_grad=True)
        q, kv, inputs = first, second, {"first": first, "second": second}
    else:
        x = torch.randn(BATCH, lq, C, generator=gen, dtype=torch.float64, requires_grad=True)
        q = kv = x
        inputs = {"x": x}
    y, att = hand_mha(q, kv, params["in_proj_weight"], params["in_proj_bias"], params["out_proj.weight"],
                      params["out_proj.bias"], heads, head_dim)
    g = torch.randn(y.shape, generator=gen, dtype=torch.float64)
    (y * g).sum().backward()
    for pname, p in params.items():
        out[f"{name}.param.{pname}"] = p.detach().numpy()
        out[f"{name}.grad.param.{pname}"] = p.grad.numpy()
    for half, t in inputs.items():
        out[f"{name}.input.{half}"] = t.detach().numpy()
        out[f"{name}.grad.input.{half}"] = t.grad.numpy()
    out[f"{name}.g"] = g.numpy()
    out[f"{name}.output"] = y.detach().numpy()
    out[f"{name}.attention"] = att.detach().numpy()
    out[f"{name}.mean_attention"] = att.detach().mean(dim=1).numpy()


def hand_bare_mha(xq, xkv, w_in, heads):
    """Bare multi-head attention: bias-free projections, per-head softmax(Q K^T / sqrt(d)) V, heads concatenated."""
    c = xq.shape[-1]
    d = c // heads
    q, k, v = (F.linear(x, w) for x, w in ((xq, w_in[:c]), (xkv, w_in[c:2 * c]), (xkv, w_in[2 * c:])))
    outs, atts = [], []
    for h in range(heads):
        s = slice(h * d, (h + 1) * d)
        a = torch.softmax(q[..., s] @ k[..., s].transpose(-1, -2) / math.sqrt(d), dim=-1)  # (B, Lq, Lk)
        outs.append(a @ v[..., s])
        atts.append(a)
    return torch.cat(outs, dim=-1), torch.stack(atts, dim=1)


def bare_case(out, name, gen, lq, lk, cross, queries_first=True, heads=2):
    w = (torch.randn(3 * C, C, generator=gen, dtype=torch.float64) * 0.4).requires_grad_()
    if cross:
        first = torch.randn(BATCH, lq, C, generator=gen, dtype=torch.float64, requires_grad=True)
        second = torch.randn(BATCH, lk, C, generator=gen, dtype=torch.float64, requires_grad=True)
        q, kv = (first, second) if queries_first else (second, first)
        inputs = {"first": first, "second": second}
    else:
        x = torch.randn(BATCH, lq, C, generator=gen, dtype=torch.float64, requires_grad=True)
        q = kv = x
        inputs = {"x": x}
    y, att = hand_bare_mha(q, kv, w, heads)
    # torch's module without biases and with an identity output projection computes the same
    mha = torch.nn.MultiheadAttention(C, heads, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(w)
        mha.out_proj.weight.copy_(torch.eye(C, dtype=torch.float64))
        yt, at = mha(q, kv, kv, need_weights=True, average_attn_weights=False)
    assert torch.allclose(yt, y, rtol=1e-12, atol=1e-12) and torch.allclose(at, att, rtol=1e-12, atol=1e-12)
    g = torch.randn(y.shape, generator=gen, dtype=torch.float64)
    (y * g).sum().backward()
    out[f"{name}.param.in_proj_weight"] = w.detach().numpy()
    out[f"{name}.grad.param.in_proj_weight"] = w.grad.numpy()
    for half, t in inputs.items():
        out[f"{name}.input.{half}"] = t.detach().numpy()
        out[f"{name}.grad.input.{half}"] = t.grad.numpy()
    out[f"{name}.g"] = g.numpy()
    out[f"{name}.output"] = y.detach().numpy()
    out[f"{name}.attention"] = att.detach().numpy()
    out[f"{name}.mean_attention"] = att.detach().mean(dim=1).numpy()


def pool_epivan_case(out, name, gen, length=6, channels=4, dim=5):
    """EPIVAN's AttLayer: uit = tanh(x W + b), ait = softmax over positions of uit u, output sum_t ait x_t."""
    W = (torch.randn(channels, dim, generator=gen, dtype=torch.float64) * 0.5).requires_grad_()
    b = (torch.randn(dim, generator=gen, dtype=torch.float64) * 0.5).requires_grad_()
    u = (torch.randn(dim, 1, generator=gen, dtype=torch.float64) * 0.8).requires_grad_()
    x = torch.randn(BATCH, length, channels, generator=gen, dtype=torch.float64, requires_grad=True)
    uit = torch.tanh(x @ W + b)
    s = (uit @ u).squeeze(-1)  # (B, L)
    a = torch.softmax(s, dim=1)
    y = (x * a.unsqueeze(-1)).sum(dim=1)  # (B, C)
    # EPIVAN's own normalisation, exp(s) / (sum exp(s) + 1e-7), differs by about 1e-7 relative here
    a_epivan = torch.exp(s) / (torch.exp(s).sum(dim=1, keepdim=True) + 1e-7)
    print(f"{name}: EPIVAN's epsilon changes the weights by at most {float((a_epivan - a).abs().max()):.2g}")
    g = torch.randn(y.shape, generator=gen, dtype=torch.float64)
    (y * g).sum().backward()
    for pname, p in {"weight": W, "bias": b, "context": u}.items():
        out[f"{name}.param.{pname}"] = p.detach().numpy()
        out[f"{name}.grad.param.{pname}"] = p.grad.numpy()
    out[f"{name}.input.x"] = x.detach().numpy()
    out[f"{name}.grad.input.x"] = x.grad.numpy()
    out[f"{name}.g"] = g.numpy()
    out[f"{name}.output"] = y.detach().numpy()
    out[f"{name}.attention"] = a.detach().unsqueeze(1).numpy()  # (B, 1, L)


def pool_transepi_case(out, name, gen, length=6, channels=4, dim=5, rows=3):
    """TransEPI: out = tanh(att_first(feats)); att = softmax(att_second(out), 1).transpose(1, 2); att @ feats."""
    att_first = torch.nn.Linear(channels, dim).double()
    att_second = torch.nn.Linear(dim, rows).double()
    randomise(att_first, gen, 0.5)
    randomise(att_second, gen, 0.8)
    x = torch.randn(BATCH, length, channels, generator=gen, dtype=torch.float64, requires_grad=True)
    a = torch.softmax(att_second(torch.tanh(att_first(x))), 1).transpose(1, 2)  # (B, rows, L)
    y = a @ x  # (B, rows, C)
    g = torch.randn(y.shape, generator=gen, dtype=torch.float64)
    (y * g).sum().backward()
    assert float(att_second.bias.grad.abs().max()) < 1e-12  # the softmax over positions cancels it
    params = {"weight": att_first.weight.T, "bias": att_first.bias, "context": att_second.weight.T}
    grads = {"weight": att_first.weight.grad.T, "bias": att_first.bias.grad, "context": att_second.weight.grad.T}
    for pname in params:
        out[f"{name}.param.{pname}"] = params[pname].detach().numpy()
        out[f"{name}.grad.param.{pname}"] = grads[pname].numpy()
    out[f"{name}.input.x"] = x.detach().numpy()
    out[f"{name}.grad.input.x"] = x.grad.numpy()
    out[f"{name}.g"] = g.numpy()
    out[f"{name}.output"] = y.detach().numpy()
    out[f"{name}.attention"] = a.detach().numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/golden/attention.safetensors")
    args = ap.parse_args()
    gen = torch.Generator().manual_seed(2024)
    out = {}
    mha_case(out, "mha_self", gen, 5, 5, cross=False)
    mha_case(out, "mha_cross_first", gen, 4, 6, cross=True, queries_first=True)
    mha_case(out, "mha_cross_second", gen, 4, 6, cross=True, queries_first=False)
    headdim_case(out, "mha_headdim_self", gen, 5, 5, cross=False)
    headdim_case(out, "mha_headdim_cross", gen, 4, 6, cross=True)
    pool_epivan_case(out, "pool_epivan", gen)
    pool_transepi_case(out, "pool_transepi", gen)
    bare_case(out, "mha_bare_self", gen, 5, 5, cross=False)
    bare_case(out, "mha_bare_cross_second", gen, 4, 6, cross=True, queries_first=False)
    bare_case(out, "mha_bare_headdim_cross", gen, 4, 6, cross=True, heads=4)
    write_safetensors(args.out, out, {"source": "tests/golden/make_attention_golden.py", "torch": torch.__version__,
                                      "batch": str(BATCH), "channels": str(C)})
    print(f"wrote {args.out}: {len(out)} tensors")


if __name__ == "__main__":
    main()
