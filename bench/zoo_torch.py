#!/usr/bin/env python3
"""zoo_torch.py: the PyTorch peer of bench/zoo_speed.cpp: SPEID and EPI-Mind (tests/golden/zoo_models.py, the modules
the golden tests check helix against) at their authors' sizes, float32, batch 64, the same training step (forward in
train mode, BCE with logits, backward, Adam lr 1e-3) and inference forward (eval mode, no_grad), in zoo_speed's
one-line format for bench/compare_zoo.sh.

SPEID's LSTM: --lstm builtin (default) is nn.LSTM with sigmoid gates, the fastest form a PyTorch user would write;
--lstm keras is the hard_sigmoid cell the golden test uses (a Python loop over 246 steps: much slower). The ratio is
taken against the faster.

Usage: zoo_torch.py [--threads 2] [--batch 64] [--repeats 5] [--sample-ms 200] [--case speid,epi_mind] [--list]
                    [--compile] [--bf16] [--lstm builtin|keras]
--compile wraps the model in torch.compile (PyTorch 2.x); --bf16 runs forward and loss under CPU bfloat16 autocast.
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden"))
import zoo_models  # noqa: E402
from layers_torch import report, time_ms  # noqa: E402  (the same timing as layer_speed's peer)

CASES = {
    "speid": ("SPEID at its authors' size (1024 filters, BiLSTM 100, dense 1000)",
              lambda a: zoo_models.SPEID(gate="sigmoid" if a.lstm == "builtin" else "hard_sigmoid")),
    "epi_mind": ("EPI-Mind at its authors' size (72 x 36 conv, 4 shared encoder layers)", lambda a: zoo_models.EPIMind()),
    "speid_small": ("SPEID reduced (epiann's speid-small)",
                    lambda a: zoo_models.SPEID(1000, 800, 64, 40, 20, 32, 128, gate="sigmoid" if a.lstm == "builtin" else "hard_sigmoid")),
    "epi_mind_small": ("EPI-Mind reduced (epiann's epi-mind-small)",
                       lambda a: zoo_models.EPIMind(1000, 800, 16, 32, 36, 20, 8, 64, 4)),
}
WINDOWS = {"speid": (3000, 2000), "epi_mind": (3000, 2000), "speid_small": (1000, 800), "epi_mind_small": (1000, 800)}


def one_hot(batch, length, generator):
    x = torch.zeros(batch, length, 4)
    x.scatter_(2, torch.randint(0, 4, (batch, length, 1), generator=generator), 1.0)
    return x


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--sample-ms", type=float, default=200)
    p.add_argument("--case", default="")
    p.add_argument("--list", action="store_true")
    p.add_argument("--compile", action="store_true")
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--lstm", choices=["builtin", "keras"], default="builtin")
    a = p.parse_args()
    if a.list:
        for name, (what, _) in CASES.items():
            print(f"{name}  {what}")
        return 0
    wanted = [c for c in a.case.split(",") if c] or list(CASES)
    for c in wanted:
        if c not in CASES:
            print(f"zoo_torch.py: no case {c} (see --list)", file=sys.stderr)
            return 2
    if a.compile and not hasattr(torch, "compile"):
        print(f"# torch.compile unavailable in torch {torch.__version__}: nothing run")
        return 0
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    config = "compile" if a.compile else "eager"
    if a.bf16:
        config += "+bf16"
    print(f"# zoo_torch: torch {torch.__version__} {config} threads={a.threads} batch={a.batch} lstm={a.lstm}")
    g = torch.Generator().manual_seed(3)
    for name in wanted:
        model = CASES[name][1](a).float()
        le, lp = WINDOWS[name]
        inputs = model.inputs(one_hot(a.batch, le, g), one_hot(a.batch, lp, g))
        labels = (torch.arange(a.batch) % 2).float().unsqueeze(1)
        run = torch.compile(model) if a.compile else model
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

        def train_step():
            model.train()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
                loss = F.binary_cross_entropy_with_logits(run(*inputs).float(), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

        def infer_step():
            model.eval()
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
                run(*inputs)

        for mode, step in (("train", train_step), ("infer", infer_step)):
            report(name, mode, time_ms(step, a.repeats, a.sample_ms), a.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
