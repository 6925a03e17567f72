#!/usr/bin/env python3
"""layers_torch.py: the cases of bench/layer_speed.cpp in PyTorch, in the same one-line output format, so that
bench/compare_layers.sh can alternate the two and take ratios.

  mode=train  forward + backward in training mode (parameter gradients and, except for token ids, the input
              gradient), gradients set to None before each step
  mode=infer  forward only, model.eval() under torch.inference_mode() (PyTorch's fast paths of
              MultiheadAttention and TransformerEncoderLayer apply there)

Inputs are in PyTorch's own layout: (N, L, C) with batch_first=True, and (N, C, L) for BatchNorm1d and Conv1d (helix is
channel-last everywhere; no transposes are timed). Each case first checks that a training step and an inference
forward give finite values (exit 1 otherwise). Then warm-up, then `repeats` timed samples of `iters` iterations each
(iters chosen so that a sample takes about --sample-ms); ms_per_batch is the median sample's time per iteration,
best_ms the fastest sample's (less sensitive to other work on the machine).

Usage: layers_torch.py [--threads 2] [--repeats 7] [--batch 32] [--sample-ms 50] [--case NAME[,NAME...]|all]
                       [--list] [--compile]
--compile wraps every module in torch.compile (PyTorch 2.x); where torch has no compile (Debian's 1.13) it prints
"# torch.compile unavailable ..." and runs nothing.
Runs on Debian's torch 1.13 (/usr/bin/python3) and on PyTorch 2.x.
Output: "case=NAME mode=train|infer ms_per_batch=X examples_per_s=Y best_ms=Z" per case and mode, and '#' comment
lines.
"""
import argparse
import math
import statistics
import sys
import time

import torch
from torch import nn


class SelfAttention(nn.Module):
    """nn.MultiheadAttention as self-attention, without the averaged weights (helix computes them only on request)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.mha = nn.MultiheadAttention(dim, heads, batch_first=True)

    def forward(self, x):
        return self.mha(x, x, x, need_weights=False)[0]


class SequenceOut(nn.Module):
    """An nn.LSTM / nn.GRU returning its output sequence only."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0]


class AttentionPooling(nn.Module):
    """helix's attention_pooling<Dim> (EPIVAN's AttLayer): a = softmax_t(tanh(x W + b) u), y = sum_t a_t x_t."""

    def __init__(self, channels, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(channels, dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.context = nn.Parameter(torch.empty(dim, 1))
        nn.init.xavier_uniform_(self.weight)
        nn.init.xavier_uniform_(self.context)

    def forward(self, x):  # (N, L, C) -> (N, C)
        scores = torch.tanh(x @ self.weight + self.bias) @ self.context  # (N, L, 1)
        a = torch.softmax(scores.squeeze(-1), dim=1)  # (N, L)
        return torch.bmm(a.unsqueeze(1), x).squeeze(1)


def normal(*size):
    return torch.randn(*size)


def one_hot_dna(batch, length):
    bases = torch.randint(0, 4, (batch, length))
    return nn.functional.one_hot(bases, 4).float()  # (N, L, 4)


def kmer_ids(batch, length, k=6):
    """The ids of kmer_tokens<k> on random DNA of length + k - 1: sum_j base_j 4^(k-1-j), the first base most
    significant (no N, so every id is below 4^k)."""
    bases = torch.randint(0, 4, (batch, length + k - 1))
    ids = torch.zeros(batch, length, dtype=torch.long)
    for j in range(k):
        ids = ids * 4 + bases[:, j:j + length]
    return ids


# name -> (description, builder(batch) -> (module, input, input gradient wanted))
CASES = {
    "mha8": ("MultiheadAttention(64, 8, batch_first) self-attention on (N, 100, 64)",
             lambda n: (SelfAttention(64, 8), normal(n, 100, 64), True)),
    "encoder64": ("TransformerEncoderLayer(64, 8, 256, dropout=0, gelu, batch_first) on (N, 100, 64)",
                  lambda n: (nn.TransformerEncoderLayer(64, 8, 256, dropout=0.0, activation="gelu", batch_first=True),
                             normal(n, 100, 64), True)),
    "lstm64": ("LSTM(64, 64, batch_first) on (N, 200, 64), output sequence",
               lambda n: (SequenceOut(nn.LSTM(64, 64, batch_first=True)), normal(n, 200, 64), True)),
    "gru64": ("GRU(64, 64, batch_first) on (N, 200, 64), output sequence",
              lambda n: (SequenceOut(nn.GRU(64, 64, batch_first=True)), normal(n, 200, 64), True)),
    "bilstm50": ("LSTM(64, 50, batch_first, bidirectional) on (N, 200, 64)",
                 lambda n: (SequenceOut(nn.LSTM(64, 50, batch_first=True, bidirectional=True)), normal(n, 200, 64),
                            True)),
    "bigru50": ("GRU(64, 50, batch_first, bidirectional) on (N, 200, 64)",
                lambda n: (SequenceOut(nn.GRU(64, 50, batch_first=True, bidirectional=True)), normal(n, 200, 64),
                           True)),
    "layer_norm": ("LayerNorm(64) on (N, 200, 64)", lambda n: (nn.LayerNorm(64), normal(n, 200, 64), True)),
    "batch_norm": ("BatchNorm1d(64) on (N, 64, 200)", lambda n: (nn.BatchNorm1d(64), normal(n, 64, 200), True)),
    "embedding": ("Embedding(4097, 100) on 6-mer ids (N, 200) of random DNA",
                  lambda n: (nn.Embedding(4097, 100), kmer_ids(n, 200), False)),
    "attention_pooling64": ("attention pooling (Dim 64) on (N, 200, 100)",
                            lambda n: (AttentionPooling(100, 64), normal(n, 200, 100), True)),
    "conv40_pool20": ("Conv1d(4, 64, 40) + MaxPool1d(20) on one-hot (N, 4, 1000)",
                      lambda n: (nn.Sequential(nn.Conv1d(4, 64, 40), nn.MaxPool1d(20)),
                                 one_hot_dna(n, 1000).transpose(1, 2).contiguous(), True)),
}


def time_ms(step, repeats, sample_ms):
    """The time per iteration in ms, (median sample, fastest sample): warm-up (at least 3 iterations and 100 ms), then
    `repeats` samples."""
    warm_start, i, last = time.perf_counter(), 0, 0.0
    while i < 3 or time.perf_counter() - warm_start < 0.1:
        t0 = time.perf_counter()
        step()
        last = (time.perf_counter() - t0) * 1e3
        i += 1
    iters = max(1, math.ceil(sample_ms / max(last, 1e-3)))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            step()
        samples.append((time.perf_counter() - t0) * 1e3 / iters)
    return statistics.median(samples), min(samples)


def report(name, mode, timing, batch):
    ms, best = timing
    print(f"case={name} mode={mode} ms_per_batch={ms:.4f} examples_per_s={batch * 1e3 / ms:.1f} best_ms={best:.4f}",
          flush=True)


def finite(*tensors):
    return all(bool(torch.isfinite(t).all()) for t in tensors if t is not None)


def run_case(name, args):
    torch.manual_seed(1)
    module, x, input_gradient = CASES[name][1](args.batch)
    fn = torch.compile(module) if args.compile else module
    if input_gradient:
        x.requires_grad_(True)
    with torch.no_grad():
        g = torch.randn_like(module.train()(x))

    def train_step():
        module.zero_grad(set_to_none=True)
        x.grad = None
        fn(x).backward(g)

    def infer_step():
        with torch.inference_mode():
            return fn(x)

    module.train()
    module.zero_grad(set_to_none=True)
    y = fn(x)
    y.backward(g)
    if not finite(y, x.grad if input_gradient else None, *(p.grad for p in module.parameters())):
        print(f"layers_torch.py: case {name}: training step gave a non-finite value", file=sys.stderr)
        return False
    module.eval()
    if not finite(infer_step()):
        print(f"layers_torch.py: case {name}: inference gave a non-finite value", file=sys.stderr)
        return False

    module.train()
    report(name, "train", time_ms(train_step, args.repeats, args.sample_ms), args.batch)
    module.eval()
    report(name, "infer", time_ms(infer_step, args.repeats, args.sample_ms), args.batch)
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--sample-ms", type=float, default=50.0)
    p.add_argument("--case", default="all")
    p.add_argument("--list", action="store_true")
    p.add_argument("--compile", action="store_true", help="torch.compile every module (PyTorch 2.x)")
    args = p.parse_args()
    if args.threads < 1 or args.repeats < 1 or args.batch < 2 or args.sample_ms <= 0:
        p.error("threads and repeats must be positive, batch at least 2, sample-ms positive")
    if args.list:
        for name, (what, _) in CASES.items():
            print(f"{name:20s} {what}")
        return 0
    names = list(CASES) if args.case == "all" else [c for c in args.case.split(",") if c]
    unknown = [c for c in names if c not in CASES]
    if unknown:
        print(f"layers_torch.py: no case {', '.join(unknown)} here (--list shows them)", file=sys.stderr)
        return 2
    if args.compile and not hasattr(torch, "compile"):
        print(f"# torch.compile unavailable in torch {torch.__version__}: skipped")
        return 0
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__} layers_torch threads={args.threads} batch={args.batch} repeats={args.repeats}"
          f" compile={'on' if args.compile else 'off'}")
    status = 0
    for name in names:
        if not run_case(name, args):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
