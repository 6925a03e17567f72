#!/usr/bin/env python3
"""epiann_torch_gpu.py: EPIANN in PyTorch, the peer scripts/gpu-check.sh times beside bench/epiann_gpu_throughput.

The model as ../shared/DESIGN.md section 5 defines it (written here from that definition): one-hot enhancer
(3000 bp) and promoter (2000 bp) windows; one convolution, 256 filters of width 15, no bias, shared by both; ReLU;
max-pool 30 with TensorFlow SAME padding; dropout 0.2; two additive attentions with their own parameters
(enhancer bins over promoter bins, promoter bins over enhancer bins); the bilinear interaction map
M = r_E W r_P^T + b; its top 32 values, sorted; dense 32 + ReLU, dropout 0.2, dense 1 (logit); two coordinate heads
(flatten, 128 ReLU, 64 ReLU, 2). Loss 10 x BCE(logit) + MSE + MSE; Adam 1e-3. Weights from a truncated normal
(sd 0.1), biases 0.1.

The workload is helix's (bench/epiann_workload.hpp): random one-hot windows, labels alternating 0/1, normal
coordinate targets; two warm-up steps (four with --compile), then the median of --steps timed steps, each ending
with the device synchronised. Inference computes the interaction probability only: the coordinate heads are
training targets, which helix skips at inference too.

Prints one line, in the format of ../shared/peers/epiann_torch.py:
  torch <version> device=cuda compile=False bf16=False mode=train batch=64 threads=2 s/step=... examples/s=... gpu=...
Usage: epiann_torch_gpu.py [--device cuda] [--batch 64] [--mode train|infer] [--steps 10] [--threads 2]
                           [--compile] [--bf16] [--size paper|reduced]
Exit status 77 when --device cuda is asked for and torch sees no CUDA device.
"""
import argparse
import contextlib
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

SIZES = {  # enhancer bp, promoter bp, filters (the rest as the paper)
    "paper": (3000, 2000, 256),
    "reduced": (1000, 800, 64),
}
WIDTH, POOL, ATTENTION, TOP_K, HIDDEN, COORD1, COORD2, DROPOUT = 15, 30, 32, 32, 32, 128, 64, 0.2


def same_pool_length(length):
    conv = length - WIDTH + 1
    return conv, -(-conv // POOL)  # ceil


def truncated_normal_(t, sd=0.1):
    with torch.no_grad():
        return nn.init.trunc_normal_(t, mean=0.0, std=sd, a=-2 * sd, b=2 * sd)


class AdditiveAttention(nn.Module):
    """s_ij = v^T tanh(W_q^T q_i + W_k^T k_j), softmax over j, r_i = sum_j a_ij k_j (no biases)."""

    def __init__(self, channels):
        super().__init__()
        self.query_weight = nn.Parameter(truncated_normal_(torch.empty(channels, ATTENTION)))
        self.key_weight = nn.Parameter(truncated_normal_(torch.empty(channels, ATTENTION)))
        self.score_weight = nn.Parameter(truncated_normal_(torch.empty(ATTENTION)))

    def forward(self, q, k):  # q (B, Lq, C), k (B, Lk, C) -> (B, Lq, C)
        pq = q @ self.query_weight  # (B, Lq, D)
        pk = k @ self.key_weight  # (B, Lk, D)
        scores = torch.tanh(pq.unsqueeze(2) + pk.unsqueeze(1)) @ self.score_weight  # (B, Lq, Lk)
        return torch.softmax(scores, dim=-1) @ k


def dense(n_in, n_out):
    layer = nn.Linear(n_in, n_out)
    truncated_normal_(layer.weight)
    nn.init.constant_(layer.bias, 0.1)
    return layer


class CoordinateHead(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.hidden1, self.hidden2, self.out = dense(n_in, COORD1), dense(COORD1, COORD2), dense(COORD2, 2)

    def forward(self, r):
        x = F.relu(self.hidden1(r.flatten(1)))
        return self.out(F.relu(self.hidden2(x)))


class EPIANN(nn.Module):
    def __init__(self, enhancer_bp=3000, promoter_bp=2000, filters=256):
        super().__init__()
        self.conv = nn.Conv1d(4, filters, WIDTH, bias=False)  # one filter bank for both windows
        truncated_normal_(self.conv.weight)
        self.enhancer_queries = AdditiveAttention(filters)  # enhancer bins over promoter bins -> r_P
        self.promoter_queries = AdditiveAttention(filters)  # promoter bins over enhancer bins -> r_E
        self.map_weight = nn.Parameter(truncated_normal_(torch.empty(filters, filters)))
        self.map_bias = nn.Parameter(torch.full((1,), 0.1))
        self.hidden, self.logit = dense(TOP_K, HIDDEN), dense(HIDDEN, 1)
        _, pooled_e = same_pool_length(enhancer_bp)
        _, pooled_p = same_pool_length(promoter_bp)
        self.enhancer_coords = CoordinateHead(pooled_p * filters)  # from r_E (promoter bins x filters)
        self.promoter_coords = CoordinateHead(pooled_e * filters)  # from r_P (enhancer bins x filters)

    def trunk(self, x):  # x (B, 4, L) one-hot -> (B, ceil((L - 14) / 30), filters)
        h = F.relu(self.conv(x))
        length = h.shape[-1]
        total = -(-length // POOL) * POOL - length  # TensorFlow SAME: split evenly, the odd one after
        h = F.pad(h, (total // 2, total - total // 2), value=float("-inf"))
        h = F.max_pool1d(h, POOL, POOL)
        return F.dropout(h, DROPOUT, self.training).transpose(1, 2)

    def forward(self, enhancer, promoter, coordinates=True):
        h_e, h_p = self.trunk(enhancer), self.trunk(promoter)
        r_p = self.enhancer_queries(h_e, h_p)  # (B, LE', C)
        r_e = self.promoter_queries(h_p, h_e)  # (B, LP', C)
        m = (r_e @ self.map_weight) @ r_p.transpose(1, 2) + self.map_bias  # (B, LP', LE')
        top = torch.topk(m.flatten(1), TOP_K, dim=1, sorted=True).values
        x = F.dropout(F.relu(self.hidden(top)), DROPOUT, self.training)
        logit = self.logit(x).squeeze(1)
        if not coordinates:
            return logit, None, None
        return logit, self.enhancer_coords(r_e), self.promoter_coords(r_p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda", help="cuda (default) or cpu")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--mode", choices=["train", "infer"], default="train")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2, help="host threads (torch.set_num_threads)")
    ap.add_argument("--size", choices=sorted(SIZES), default="paper")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (PyTorch 2.x)")
    ap.add_argument("--bf16", action="store_true", help="autocast to bfloat16")
    a = ap.parse_args()
    if a.batch < 1 or a.steps < 1 or a.threads < 1:
        ap.error("batch, steps and threads must be positive")
    dev = torch.device(a.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        print(f"epiann_torch_gpu.py: torch {torch.__version__} sees no CUDA device")
        return 77
    if a.compile and not hasattr(torch, "compile"):
        print(f"epiann_torch_gpu.py: --compile needs PyTorch 2 (this is {torch.__version__})", file=sys.stderr)
        return 2
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    enhancer_bp, promoter_bp, filters = SIZES[a.size]
    model = EPIANN(enhancer_bp, promoter_bp, filters).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    fwd = torch.compile(model) if a.compile else model
    amp = torch.autocast(dev.type, dtype=torch.bfloat16) if a.bf16 else contextlib.nullcontext()

    # One-hot batch, channels first (B, 4, L), labels 0/1 alternating, normal coordinate targets.
    e = F.one_hot(torch.randint(0, 4, (a.batch, enhancer_bp)), 4).float().transpose(1, 2).contiguous().to(dev)
    p = F.one_hot(torch.randint(0, 4, (a.batch, promoter_bp)), 4).float().transpose(1, 2).contiguous().to(dev)
    y = (torch.arange(a.batch) % 2).float().to(dev)
    ce, cp = torch.randn(a.batch, 2).to(dev), torch.randn(a.batch, 2).to(dev)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    warm = 4 if a.compile else 2
    times, loss = [], torch.zeros(())
    for step in range(a.steps + warm):
        t = time.perf_counter()
        if a.mode == "train":
            model.train()
            opt.zero_grad(set_to_none=True)
            with amp:
                logit, oe, op = fwd(e, p)
            loss = (10 * F.binary_cross_entropy_with_logits(logit.float(), y) + F.mse_loss(oe.float(), ce) +
                    F.mse_loss(op.float(), cp))
            loss.backward()
            opt.step()
        else:
            model.eval()
            with torch.no_grad(), amp:
                torch.sigmoid(fwd(e, p, False)[0].float()).cpu()
        sync()
        if step >= warm:
            times.append(time.perf_counter() - t)
    med = statistics.median(times)
    gpu = torch.cuda.get_device_name(dev).replace(" ", "_") if dev.type == "cuda" else "none"
    print(f"torch {torch.__version__} device={a.device} compile={a.compile} bf16={a.bf16} mode={a.mode} "
          f"batch={a.batch} threads={a.threads} s/step={med:.4f} examples/s={a.batch / med:.1f} gpu={gpu} "
          f"(loss {float(loss):.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
