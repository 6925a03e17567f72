#!/usr/bin/python3
"""Golden fixtures for the zoo's five published models (examples/epiann/models/{speid,epivan,epi_dlmh,epi_mind,
epi_trans}.hpp) from the PyTorch implementations of tests/golden/zoo_models.py, in float64.

Per model, at the tiny sizes of SIZES (the template arguments of its <name>_spec, which tests/zoo_golden_test.cpp
must use too): random parameters (batch_norm running statistics too, variances positive), one pass in eval mode
(dropout off, batch_norm on its running statistics) over the shared batch of 3 one-hot pairs (a few N rows), the
loss sum_b w_b logit_b (loss.weights), and its backward pass. tests/golden/zoo.safetensors holds:
  input.enhancer (3, LE, 4), input.promoter (3, LP, 4), loss.weights (3, 1)   shared by the five models
  <model>.output.logit (3, 1)
  <model>.param.<helix name>, <model>.grad.<helix name>   every parameter in helix's layout (zoo_models.py's
                        helix_tensors), batch_norm buffers with zero gradients
  <model>.rows.<helix name>   for the embedding tables only: the rows the batch uses (helix ids, ascending); their
                        param. and grad. entries hold those rows alone (the full 4097-row tables would make the
                        fixture 2 MB), every other row has no effect and a zero gradient
  speid.grad.input.enhancer, speid.grad.input.promoter   d(loss)/d(one-hot input) (SPEID only: the others tokenise)

Run with Debian's torch: /usr/bin/python3 tests/golden/make_zoo_golden.py (byte-reproducible).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo_models as zm  # noqa: E402
from golden_io import write_safetensors  # noqa: E402

LE, LP, BATCH = 120, 100, 3
# The template arguments of each <name>_spec, in order (tests/zoo_golden_test.cpp instantiates the same).
SIZES = {
    "speid": (6, 8, 10, 3, 8),                      # filters, width, pool, lstm, hidden
    "epivan": (4, 6, 8, 10, 3, 5),                  # dim, filters, width, pool, gru, att
    "epi_dlmh": (4, 6, 8, 12, 6, 10, 3, 5, 8),      # dim, filters, e width, e pool, p width, p pool, gru, att, hidden
    "epi_mind": (4, 6, 8, 10, 2, 8, 4),             # dim, channels, width, pool, heads, feed-forward, layers
    "epi_trans": (4, 6, 9, 10, 7, 8, 2, 8),         # dim, channels, e width, e pool, p width, p pool, heads, ff
}
SEEDS = {"speid": 1, "epivan": 2, "epi_dlmh": 3, "epi_mind": 4, "epi_trans": 5}


def inputs():
    g = torch.Generator().manual_seed(2024)
    e = torch.nn.functional.one_hot(torch.randint(0, 4, (BATCH, LE), generator=g), 4).double()
    p = torch.nn.functional.one_hot(torch.randint(0, 4, (BATCH, LP), generator=g), 4).double()
    e[0, 30:42] = 0  # a run of N longer than every window
    e[2, 0] = 0
    e[1, LE - 1] = 0
    p[1, 50] = 0
    p[2, 70:73] = 0
    w = torch.tensor([[0.7], [-1.3], [0.4]], dtype=torch.float64)
    return e, p, w


def randomise(model):
    """Random values where the modules start at constants (norms, biases), the recurrent weights doubled so that some
    hard_sigmoid gates saturate, AttLayer's weights at a scale where its softmax is far from uniform."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.weight.copy_(1 + 0.2 * torch.randn_like(m.weight))
                m.bias.copy_(0.2 * torch.randn_like(m.bias))
                m.running_mean.copy_(0.3 * torch.randn_like(m.running_mean))
                m.running_var.copy_(torch.rand_like(m.running_var) * 1.5 + 0.5)
            elif isinstance(m, zm.KerasLayerNorm):
                m.gamma.copy_(1 + 0.2 * torch.randn_like(m.gamma))
                m.beta.copy_(0.2 * torch.randn_like(m.beta))
            elif isinstance(m, zm.KerasGRU):
                m.kernel.mul_(2)
                m.recurrent_kernel.mul_(2)
                m.bias.copy_(0.3 * torch.randn_like(m.bias))
            elif isinstance(m, zm.BiLSTM):
                for q in m.rnn.parameters():
                    q.mul_(2)
            elif isinstance(m, zm.AttLayer):
                for q in (m.W, m.b, m.u):
                    q.copy_(0.5 * torch.randn_like(q))
            elif isinstance(m, zm.FeedForward):
                m.b_1.copy_(0.2 * torch.randn_like(m.b_1))
                m.b_2.copy_(0.2 * torch.randn_like(m.b_2))


def run(name, e, p, w):
    torch.manual_seed(SEEDS[name])
    kw = {"att_epsilon": 0.0} if name in ("epivan", "epi_dlmh") else {}  # helix's softmax has no epsilon
    model = zm.MODELS[name].from_helix_sizes(LE, LP, *SIZES[name], **kw).double()
    randomise(model)
    model.eval()  # dropout off, batch norm on its running statistics: helix's mode::evaluation
    e = e.clone().requires_grad_(not model.takes_ids)
    p = p.clone().requires_grad_(not model.takes_ids)
    logit = model(*model.inputs(e, p))
    (logit * w).sum().backward()

    params, grads = model.helix_tensors(), model.helix_tensors(grad=True)
    n_model = sum(q.numel() for q in model.parameters()) + sum(
        b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))  # helix keeps no count
    assert sum(t.numel() for t in params.values()) == n_model, name + ": the helix mapping must cover every tensor"
    out = {f"{name}.output.logit": logit.detach().numpy()}
    ids = model.inputs(e.detach(), p.detach()) if model.takes_ids else None
    for key in params:
        value, grad = params[key].numpy(), grads[key].numpy()
        if key.endswith("embedding.weight"):
            side = ids[0] if ".enhancer." in key else ids[1]
            rows = np.unique((side.numpy() - 1) % zm.VOCABULARY)  # Keras id -> helix row
            unused = np.setdiff1d(np.arange(zm.VOCABULARY), rows)
            assert not grad[unused].any(), "an embedding row the batch does not use has a gradient"
            out[f"{name}.rows.{key}"] = rows.astype(np.float64)
            value, grad = value[rows], grad[rows]
        out[f"{name}.param.{key}"] = value
        out[f"{name}.grad.{key}"] = grad
    if not model.takes_ids:
        out[f"{name}.grad.input.enhancer"] = e.grad.numpy()
        out[f"{name}.grad.input.promoter"] = p.grad.numpy()
    print(f"{name}: {len(params)} tensors, {n_model} values, logits {logit.detach().flatten().tolist()}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo.safetensors"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    e, p, w = inputs()
    out = {"input.enhancer": e.numpy(), "input.promoter": p.numpy(), "loss.weights": w.numpy()}
    for name in SIZES:
        out.update(run(name, e, p, w))
    meta = {"source": "tests/golden/make_zoo_golden.py", "windows": json.dumps([LE, LP]), "sizes": json.dumps(SIZES)}
    write_safetensors(a.out, out, meta)
    print(f"wrote {a.out}: {len(out)} tensors, {os.path.getsize(a.out)} bytes, torch {torch.__version__}")


if __name__ == "__main__":
    main()
