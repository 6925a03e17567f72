#!/usr/bin/python3
"""Golden fixtures for helix's EPIANN from an independent implementation (PyTorch).

Builds the PyTorch EPIANN of ../shared/peers/epiann_torch.py at a small size, in float64, runs one forward
and backward pass on three random one-hot pairs, and writes tests/golden/epiann_small.safetensors with:
  param.<helix name>    the weights, mapped to helix's names and layouts (the mapping table is MAPPING below
                        and docs/04-epiann-model.md)
  grad.<helix name>     d(loss)/d(weight), mapped the same way
  input.enhancer, input.promoter                 one-hot windows, (batch, length, 4), channel-last
  target.label, target.enhancer_coords, target.promoter_coords
  output.logit, output.enhancer_coords, output.promoter_coords, loss
  attention.enhancer_queries (batch, LE', LP'), attention.promoter_queries (batch, LP', LE')

Run once with Debian's torch (apt-get install python3-torch python3-numpy):
  /usr/bin/python3 tests/golden/make_golden.py --peer ../shared/peers/epiann_torch.py
The sizes must match tests/epiann_golden_test.cpp (golden_sizes there).
"""
import argparse
import importlib.util
import json

import numpy as np
import torch
from golden_io import write_safetensors

SIZES = dict(le=200, lp=150, filters=8, width=15, pool=30, att=4, topk=8, dense=8)
BATCH = 3


def load_peer(path):
    spec = importlib.util.spec_from_file_location("epiann_torch", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mapping(m):
    """helix name -> function of a state dict (name -> tensor) giving the tensor in helix's layout."""
    le_out = m.le  # pooled enhancer length
    filters = m.conv.weight.shape[0]

    def promoter_flatten(w):
        # torch flattens r_P as (filters, LE') (it transposes first); helix as (LE', filters).
        w = w.T  # (filters * LE', 128), row index f * LE' + i
        return w.reshape(filters, le_out, -1).permute(1, 0, 2).reshape(filters * le_out, -1)

    t = lambda name: (lambda sd: sd[name].T)
    same = lambda name: (lambda sd: sd[name])
    return {
        "trunk.conv.weight": lambda sd: sd["conv.weight"].permute(2, 1, 0),  # (F, 4, W) -> (W, 4, F)
        "attention.promoter_queries.query_weight": t("wp4.weight"),
        "attention.promoter_queries.key_weight": t("we4.weight"),
        "attention.promoter_queries.score_weight": lambda sd: sd["v4.weight"][0],
        "attention.enhancer_queries.query_weight": t("we2.weight"),
        "attention.enhancer_queries.key_weight": t("wp2.weight"),
        "attention.enhancer_queries.score_weight": lambda sd: sd["v2.weight"][0],
        "head.interaction.map.weight": same("w1"),
        "head.interaction.map.bias": same("b1"),
        "head.interaction.hidden.weight": t("fc1.weight"),
        "head.interaction.hidden.bias": same("fc1.bias"),
        "head.interaction.logit.weight": t("fc2.weight"),
        "head.interaction.logit.bias": same("fc2.bias"),
        "head.coordinates.enhancer.hidden1.weight": t("coor_e.0.weight"),
        "head.coordinates.enhancer.hidden1.bias": same("coor_e.0.bias"),
        "head.coordinates.enhancer.hidden2.weight": t("coor_e.2.weight"),
        "head.coordinates.enhancer.hidden2.bias": same("coor_e.2.bias"),
        "head.coordinates.enhancer.out.weight": t("coor_e.4.weight"),
        "head.coordinates.enhancer.out.bias": same("coor_e.4.bias"),
        "head.coordinates.promoter.hidden1.weight": lambda sd: promoter_flatten(sd["coor_p.0.weight"]),
        "head.coordinates.promoter.hidden1.bias": same("coor_p.0.bias"),
        "head.coordinates.promoter.hidden2.weight": t("coor_p.2.weight"),
        "head.coordinates.promoter.hidden2.bias": same("coor_p.2.bias"),
        "head.coordinates.promoter.out.weight": t("coor_p.4.weight"),
        "head.coordinates.promoter.out.bias": same("coor_p.4.bias"),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", default="../shared/peers/epiann_torch.py")
    ap.add_argument("--out", default="tests/golden/epiann_small.safetensors")
    a = ap.parse_args()
    torch.manual_seed(2017)
    peer = load_peer(a.peer)
    m = peer.EPIANN(**SIZES).double().eval()  # eval: dropout off, so both sides compute the same function
    with torch.no_grad():
        for p in m.parameters():  # weights of the scale EPIANN uses (sd 0.1), biases small but non-zero
            p.copy_(torch.randn_like(p) * 0.1)

    g = torch.Generator().manual_seed(7)
    e_idx = torch.randint(0, 4, (BATCH, SIZES["le"]), generator=g)
    p_idx = torch.randint(0, 4, (BATCH, SIZES["lp"]), generator=g)
    e = torch.nn.functional.one_hot(e_idx, 4).double()  # (B, L, 4), helix's layout
    p = torch.nn.functional.one_hot(p_idx, 4).double()
    e[0, 10:20] = 0  # a run of N (all zeros), as real windows have
    y = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    ce = torch.randn(BATCH, 2, generator=g, dtype=torch.float64)
    cp = torch.randn(BATCH, 2, generator=g, dtype=torch.float64)

    logit, oe, op = m(e.transpose(1, 2), p.transpose(1, 2))
    F = torch.nn.functional
    loss = 10 * F.binary_cross_entropy_with_logits(logit, y) + F.mse_loss(oe, ce) + F.mse_loss(op, cp)
    loss.backward()

    with torch.no_grad():  # the two attention matrices, recomputed from the module's own parts
        he, hp = m.trunk(e.transpose(1, 2), m.le_conv, m.le), m.trunk(p.transpose(1, 2), m.lp_conv, m.lp)
        s2 = m.v2(torch.tanh(m.we2(he)[:, :, None, :] + m.wp2(hp)[:, None, :, :])).squeeze(-1)
        s4 = m.v4(torch.tanh(m.we4(he)[:, :, None, :] + m.wp4(hp)[:, None, :, :])).squeeze(-1)
        att_e = torch.softmax(s2, dim=2)                 # (B, LE', LP'): enhancer bins ask promoter bins
        att_p = torch.softmax(s4, dim=1).transpose(1, 2)  # (B, LP', LE'): promoter bins ask enhancer bins

    params = {n: q.detach() for n, q in m.named_parameters()}
    grads = {n: q.grad.detach() for n, q in m.named_parameters()}
    table = mapping(m)
    assert len(table) == len(params), "every PyTorch parameter must map to one helix parameter"
    out = {}
    for name, f in table.items():
        out["param." + name] = f(params).numpy()
        out["grad." + name] = f(grads).numpy()
    out.update({
        "input.enhancer": e.numpy(), "input.promoter": p.numpy(),
        "target.label": y.numpy(), "target.enhancer_coords": ce.numpy(), "target.promoter_coords": cp.numpy(),
        "output.logit": logit.detach().numpy(), "output.enhancer_coords": oe.detach().numpy(),
        "output.promoter_coords": op.detach().numpy(), "loss": loss.detach().reshape(1).numpy(),
        "attention.enhancer_queries": att_e.numpy(), "attention.promoter_queries": att_p.numpy(),
    })
    write_safetensors(a.out, out, {"source": "tests/golden/make_golden.py", "sizes": json.dumps(SIZES)})
    print(f"wrote {a.out}: {len(out)} tensors, loss {loss.item():.6f}, torch {torch.__version__}")


if __name__ == "__main__":
    main()
