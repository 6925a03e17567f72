"""EPIANN's attributions in PyTorch, the peer of bench/attribution_speed: Captum's saliency, input x gradient and
integrated gradients, and a naive batched in-silico mutagenesis, for the interaction logit of the paper's model
(../shared/peers/epiann_torch.py, random weights, random one-hot pairs, eval mode), in attribution_speed's format.
Usage: attribution_torch.py [--peer PATH] [--threads 2] [--pairs 2] [--ism-pairs 1] [--steps 32] [--batch 64]
Output: "method=NAME pairs_per_s=X seconds=Y" per method; '#' comments. Needs PyTorch 2.x and captum (pip).
"""
import argparse, importlib.util, os, sys, time

import torch


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", default=os.path.join(here, "..", "..", "shared", "peers", "epiann_torch.py"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--ism-pairs", type=int, default=1)
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--batch", type=int, default=64, help="ISM variants per forward; integrated gradients' internal batch "
                    "(Captum raises it to the number of pairs when that is larger)")
    a = ap.parse_args()
    spec = importlib.util.spec_from_file_location("epiann_torch", a.peer)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    from captum.attr import InputXGradient, IntegratedGradients, Saliency
    import captum

    torch.set_num_threads(a.threads)
    torch.manual_seed(3)
    model = peer.EPIANN().eval()
    for p in model.parameters():
        p.requires_grad_(False)

    def one_hot(n, length):
        x = torch.zeros(n, 4, length)
        x.scatter_(1, torch.randint(0, 4, (n, 1, length)), 1.0)
        return x

    e, p = one_hot(a.pairs, 3000), one_hot(a.pairs, 2000)
    e0 = e[:, :, torch.randperm(3000)]  # a shuffled reference (composition kept), as attribution_speed's
    p0 = p[:, :, torch.randperm(2000)]
    logit = lambda x_e, x_p: model(x_e, x_p)[0]
    print(f"# torch {torch.__version__}, captum {captum.__version__}, threads={a.threads}, pairs={a.pairs}, steps={a.steps}")

    def report(name, pairs, seconds):
        print(f"method=torch_{name} pairs_per_s={pairs / seconds:.3f} seconds={seconds:.3f}", flush=True)

    def best_of(f):  # as attribution_speed: under a second, a warm-up and the best of 5; otherwise one run
        t = time.perf_counter()
        f()
        first = time.perf_counter() - t
        if first > 1:
            return first
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            f()
            best = min(best, time.perf_counter() - t)
        return best

    with torch.no_grad():
        report("forward", a.pairs, best_of(lambda: logit(e, p)))
    for name, method in (("saliency", Saliency(logit)), ("input_x_gradient", InputXGradient(logit))):
        def run(method=method, name=name):
            inputs = (e.clone().requires_grad_(), p.clone().requires_grad_())
            if name == "saliency":
                method.attribute(inputs, abs=False)
            else:
                method.attribute(inputs)
        report(name, a.pairs, best_of(run))
    ig = IntegratedGradients(logit)
    report("integrated_gradients", a.pairs, best_of(lambda: ig.attribute((e, p), baselines=(e0, p0), n_steps=a.steps,
                                                                         internal_batch_size=a.batch)))

    # Naive batched ISM: every single-base substitution of both windows forwarded whole, a.batch variants at a time.
    def ism(x_e, x_p):
        effects = []
        with torch.no_grad():
            base = logit(x_e, x_p)
            for side, x in ((0, x_e), (1, x_p)):
                length = x.shape[2]
                held = x[0].argmax(0)
                variants = [(l, c) for l in range(length) for c in range(4) if c != held[l]]
                for start in range(0, len(variants), a.batch):
                    chunk = variants[start:start + a.batch]
                    xs = x.repeat(len(chunk), 1, 1)
                    for k, (l, c) in enumerate(chunk):
                        xs[k, :, l] = 0
                        xs[k, c, l] = 1
                    other = (x_p if side == 0 else x_e).repeat(len(chunk), 1, 1)
                    out = logit(xs, other) if side == 0 else logit(other, xs)
                    effects.append(out - base)
        return effects

    if a.ism_pairs > 0:  # 0: skip it (about 2 minutes per pair of the paper model)
        t = time.perf_counter()
        for i in range(a.ism_pairs):
            ism(e[i:i + 1], p[i:i + 1])
        report("ism_naive", a.ism_pairs, time.perf_counter() - t)


if __name__ == "__main__":
    sys.exit(main())
