"""PyTorch versions of the zoo's published enhancer-promoter models, written by hand from
examples/epiann/models/ARCHITECTURES.md (sections 1, 3-6 and its "Conventions"): SPEID, EPIVAN, EPI-DLMH, EPI-Mind and
EPI-Trans as their authors' Keras code defines them, every size a constructor argument.

The Keras forms are kept where PyTorch has no equal: the Keras 2.x GRU (reset_after=False, one bias of 3H,
hard_sigmoid gates), the Keras 1 LSTM's hard_sigmoid gates (with nn.LSTM's parameters: PyTorch's two biases),
EPIVAN's AttLayer, EPI-Mind's bias-free multi-head attention without output projection, its LayerNormalization
(eps 1e-8) and its encoder whose layers share one attention and one feed-forward block. Everything else is torch's
own (Conv1d, Linear, Embedding, BatchNorm1d with Keras's eps 1e-3 and momentum 0.01).

Inputs: SPEID takes one-hot windows (B, L, 4), channels A, C, G, T, an N all zero. The other four take the Keras
6-mer ids of their sequence_processing.py (B, L): keras_kmer_ids(one_hot) makes them (5 leading 0s, then the L - 5
6-mers, id 1 + index in itertools.product('acgt', repeat=6), 0 for a 6-mer with an N). Every forward returns the
logit (B, 1) (the authors' final sigmoid folds into the loss).

helix_tensors(grad=False) gives each parameter (or, with grad=True, its gradient) under helix's name and in helix's
layout, as the matching examples/epiann/models/<name>.hpp composition names it (batch_norm buffers too, with zero
gradients). from_helix_sizes(le, lp, *args) takes the template arguments of that composition in their order.

Dropout: torch's (active in train() only). The authors' EPI-Mind and EPI-Trans use K.dropout, which stays on at
inference; that is not reproduced. AttLayer's epsilon (1e-7 added to the softmax's denominator) is a constructor
argument; helix's attention_pooling has none.

No work at import time: tests/golden/make_zoo_golden.py and benchmarks import this module.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

VOCABULARY = 4097  # 4096 6-mers and Keras's 0 ('null': any 6-mer with an N, also the padding id)


def hard_sigmoid(x):
    """Keras's hard_sigmoid: clip(0.2 x + 0.5, 0, 1) (not torch's F.hardsigmoid, which is x / 6 + 1 / 2)."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


def gate_function(gate):
    return {"hard_sigmoid": hard_sigmoid, "sigmoid": torch.sigmoid}[gate]


def keras_kmer_ids(one_hot, k=6):
    """One-hot (B, L, 4) -> the Keras ids (B, L) of EPIVAN's sequence_processing.py: the L - k + 1 overlapping k-mers
    (id 1 + sum base_j 4^(k-1-j), A C G T = 0 1 2 3; 0 when the k-mer holds an N, i.e. a row that is not one-hot),
    pre-padded with k - 1 zeros to length L (pad_sequences(maxlen=L), padding='pre')."""
    base = one_hot.argmax(-1)
    valid = (one_hot.sum(-1) == 1) & (one_hot.max(-1).values == 1)
    weights = 4 ** torch.arange(k - 1, -1, -1)
    ids = (base.unfold(1, k, 1) * weights).sum(-1) + 1
    ids = torch.where(valid.unfold(1, k, 1).all(-1), ids, torch.zeros_like(ids))
    return F.pad(ids, (k - 1, 0))


# Pieces, each with its helix mapping (prefix: the helix path of the layer, with a trailing dot).

def _value(p, grad):
    if not grad:
        return p.detach()
    return p.grad.detach() if p.grad is not None else torch.zeros_like(p)


def _conv(conv, prefix, grad):  # nn.Conv1d (F, C, W) -> helix conv1d weight [W, C, F], bias [F]
    return {prefix + "weight": _value(conv.weight, grad).permute(2, 1, 0), prefix + "bias": _value(conv.bias, grad)}


def _linear(lin, prefix, grad):  # nn.Linear (N, In) -> helix dense weight [In, N], bias [N]
    return {prefix + "weight": _value(lin.weight, grad).T, prefix + "bias": _value(lin.bias, grad)}


def _embedding(emb, prefix, grad):  # Keras id i is helix row i - 1, Keras 0 ('null') helix's N row 4096
    return {prefix + "weight": torch.roll(_value(emb.weight, grad), -1, 0)}


class KerasBatchNorm(nn.Module):
    """Keras BatchNormalization() (axis -1, epsilon 1e-3, momentum 0.99 = torch's 0.01) on (B, C) or (B, L, C)."""

    def __init__(self, channels):
        super().__init__()
        self.norm = nn.BatchNorm1d(channels, eps=1e-3, momentum=0.01)

    def forward(self, x):
        return self.norm(x) if x.dim() == 2 else self.norm(x.transpose(1, 2)).transpose(1, 2)

    def helix(self, prefix, grad):
        n = self.norm
        out = {prefix + "weight": _value(n.weight, grad), prefix + "bias": _value(n.bias, grad)}
        for b in ("running_mean", "running_var"):  # buffers: no gradient
            out[prefix + b] = torch.zeros_like(getattr(n, b)) if grad else getattr(n, b).detach()
        return out


class ConvReluPool(nn.Module):
    """Conv1D(F, W, padding='valid' | 'same' (TF: (W - 1) // 2 zeros before), bias) + relu + MaxPooling1D(P, P), valid:
    (B, L, C) -> (B, (L' // P), F)."""

    def __init__(self, channels, filters, width, pool, same=False):
        super().__init__()
        self.conv = nn.Conv1d(channels, filters, width)
        self.width, self.pool, self.same = width, pool, same

    def forward(self, x):
        x = x.transpose(1, 2)
        if self.same:
            before = (self.width - 1) // 2
            x = F.pad(x, (before, self.width - 1 - before))
        return F.max_pool1d(torch.relu(self.conv(x)), self.pool, self.pool).transpose(1, 2)


class BiLSTM(nn.Module):
    """Bidirectional(LSTM(H, return_sequences=True)) of Keras 1, merge 'concat' (forward, then backward at each step):
    gates i, f, o through `gate` ('hard_sigmoid': Keras 1's inner_activation; 'sigmoid': then cuDNN's nn.LSTM runs
    it), candidate and cell through tanh. Parameters: those of nn.LSTM(I, H, batch_first=True, bidirectional=True),
    weight_ih_l0 [4H, I] (gates i, f, g, o), weight_hh_l0 [4H, H], bias_ih_l0, bias_hh_l0 and the *_reverse ones
    (PyTorch's two biases; Keras's one bias is their sum)."""

    def __init__(self, inputs, hidden, gate="hard_sigmoid"):
        super().__init__()
        self.rnn = nn.LSTM(inputs, hidden, batch_first=True, bidirectional=True)
        self.hidden, self.gate = hidden, gate

    def _direction(self, x, suffix):
        act = gate_function(self.gate)
        w = lambda n: getattr(self.rnn, n + "_l0" + suffix)
        xg = x @ w("weight_ih").T + w("bias_ih") + w("bias_hh")
        h = x.new_zeros(x.shape[0], self.hidden)
        c = torch.zeros_like(h)
        out = []
        for t in range(x.shape[1]):
            i, f, g, o = (xg[:, t] + h @ w("weight_hh").T).chunk(4, -1)
            c = act(f) * c + act(i) * torch.tanh(g)
            h = act(o) * torch.tanh(c)
            out.append(h)
        return torch.stack(out, 1)

    def forward(self, x):
        if self.gate == "sigmoid":
            return self.rnn(x)[0]
        return torch.cat([self._direction(x, ""), self._direction(x.flip(1), "_reverse").flip(1)], -1)

    def helix(self, prefix, grad):
        out = {}
        for side, suffix in (("forward.", ""), ("backward.", "_reverse")):
            for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                out[prefix + side + n] = _value(getattr(self.rnn, n + "_l0" + suffix), grad)
        return out


class KerasGRU(nn.Module):
    """GRU(H, return_sequences=True) of standalone Keras 2.x (reset_after=False: the reset gate multiplies h before
    the recurrent product), zero initial state:
      z = g(x W_z + h U_z + b_z),  r = g(x W_r + h U_r + b_r),  c = tanh(x W_h + (r * h) U_h + b_h),
      h' = z * h + (1 - z) * c
    g = hard_sigmoid (Keras <= 2.2's recurrent_activation) or sigmoid (2.3). Parameters in Keras's layout: kernel
    [I, 3H], recurrent_kernel [H, 3H], bias [3H], columns z, r, h. go_backwards: reads the sequence from its end and
    returns the states in the order it read them (as Keras does; Bidirectional turns them round)."""

    def __init__(self, inputs, hidden, gate="hard_sigmoid", go_backwards=False):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(inputs, 3 * hidden))
        self.recurrent_kernel = nn.Parameter(torch.empty(hidden, 3 * hidden))
        self.bias = nn.Parameter(torch.zeros(3 * hidden))
        nn.init.xavier_uniform_(self.kernel)
        nn.init.orthogonal_(self.recurrent_kernel)
        self.hidden, self.gate, self.go_backwards = hidden, gate, go_backwards

    def forward(self, x):
        act, H = gate_function(self.gate), self.hidden
        if self.go_backwards:
            x = x.flip(1)
        xz, xr, xh = (x @ self.kernel + self.bias).split(H, -1)
        uz, ur, uh = self.recurrent_kernel.split(H, 1)
        h = x.new_zeros(x.shape[0], H)
        out = []
        for t in range(x.shape[1]):
            z = act(xz[:, t] + h @ uz)
            r = act(xr[:, t] + h @ ur)
            c = torch.tanh(xh[:, t] + (r * h) @ uh)
            h = z * h + (1 - z) * c
            out.append(h)
        return torch.stack(out, 1)

    def helix(self, prefix, grad):
        # helix gru<..., reset_gate::before>: weight_ih [3H, I], weight_hh [3H, H], bias [3H], rows r, z, n.
        H = self.hidden
        order = lambda m: torch.cat([m[..., H:2 * H], m[..., :H], m[..., 2 * H:]], -1)
        return {prefix + "weight_ih": order(_value(self.kernel, grad)).T,
                prefix + "weight_hh": order(_value(self.recurrent_kernel, grad)).T,
                prefix + "bias": order(_value(self.bias, grad))}


class KerasBidirectionalGRU(nn.Module):
    """Bidirectional(GRU(H, return_sequences=True)), merge 'concat': [forward h_t | backward state at t]."""

    def __init__(self, inputs, hidden, gate="hard_sigmoid"):
        super().__init__()
        self.forward_layer = KerasGRU(inputs, hidden, gate)
        self.backward_layer = KerasGRU(inputs, hidden, gate, go_backwards=True)

    def forward(self, x):
        return torch.cat([self.forward_layer(x), self.backward_layer(x).flip(1)], -1)

    def helix(self, prefix, grad):
        return {**self.forward_layer.helix(prefix + "forward.", grad),
                **self.backward_layer.helix(prefix + "backward.", grad)}


class AttLayer(nn.Module):
    """EPIVAN's AttLayer(D) on (B, L, C): u_t = tanh(x_t W + b), a = exp(u_t u) / (sum_t exp(u_t u) + epsilon),
    output sum_t a_t x_t (B, C). Parameters W [C, D], b [D], u [D, 1] (Keras's)."""

    def __init__(self, channels, dim, epsilon=1e-7):
        super().__init__()
        self.W = nn.Parameter(torch.randn(channels, dim) * 0.05)
        self.b = nn.Parameter(torch.randn(dim) * 0.05)
        self.u = nn.Parameter(torch.randn(dim, 1) * 0.05)
        self.epsilon = epsilon

    def forward(self, x):
        a = torch.exp((torch.tanh(x @ self.W + self.b) @ self.u).squeeze(-1))
        a = a / (a.sum(1, keepdim=True) + self.epsilon)
        return (x * a.unsqueeze(-1)).sum(1)

    def helix(self, prefix, grad):  # helix attention_pooling<D>: weight [C, D], bias [D], context [D, 1]
        return {prefix + "weight": _value(self.W, grad), prefix + "bias": _value(self.b, grad),
                prefix + "context": _value(self.u, grad)}


class KerasMultiHeadAttention(nn.Module):
    """EPI-Mind's MultiHeadAttention (transfomer.py) on [x, x, x], no mask: Q = x W_q, K = x W_k, V = x W_v (no
    biases), heads = contiguous slices of C / heads channels, per head softmax(Q K^T / sqrt(C / heads)), dropout on
    the weights, times V; heads concatenated back (no output projection). Parameters W_q, W_k, W_v [C, C]."""

    def __init__(self, channels, heads, dropout=0.1):
        super().__init__()
        assert channels % heads == 0
        self.W_q, self.W_k, self.W_v = (nn.Parameter(nn.init.xavier_uniform_(torch.empty(channels, channels)))
                                        for _ in range(3))
        self.heads = heads
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        d = x.shape[-1] // self.heads
        # (B, L, C) -> (heads * B, L, d): tf.concat(tf.split(., heads, axis=2), axis=0)
        q, k, v = (torch.cat(torch.split(x @ w, d, -1), 0) for w in (self.W_q, self.W_k, self.W_v))
        a = self.dropout(torch.softmax(q @ k.transpose(1, 2) / math.sqrt(d), -1))
        return torch.cat(torch.split(a @ v, x.shape[0], 0), -1)

    def helix(self, prefix, grad):  # multi_head_attention<..., projections::bare>: in_proj_weight [3C, C]
        return {prefix + "in_proj_weight": torch.cat([_value(w, grad).T for w in (self.W_q, self.W_k, self.W_v)], 0)}


class FeedForward(nn.Module):
    """EPI-Mind's PositionWiseFeedForward: relu(x W_1 + b_1) W_2 + b_2, W_1 [C, FF], W_2 [FF, C] (Keras layout)."""

    def __init__(self, channels, inner):
        super().__init__()
        self.W_1 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(channels, inner)))
        self.b_1 = nn.Parameter(torch.empty(inner).uniform_(-0.05, 0.05))
        self.W_2 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(inner, channels)))
        self.b_2 = nn.Parameter(torch.empty(channels).uniform_(-0.05, 0.05))

    def forward(self, x):
        return torch.relu(x @ self.W_1 + self.b_1) @ self.W_2 + self.b_2

    def helix(self, prefix, grad):  # seq{dense<FF>, relu, dense<C>}: "0.", "2."
        return {prefix + "0.weight": _value(self.W_1, grad), prefix + "0.bias": _value(self.b_1, grad),
                prefix + "2.weight": _value(self.W_2, grad), prefix + "2.bias": _value(self.b_2, grad)}


class KerasLayerNorm(nn.Module):
    """EPI-Mind's LayerNormalization: (x - mean) / sqrt(var + eps) * gamma + beta over the last axis, biased var."""

    def __init__(self, channels, eps=1e-8):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.eps) * self.gamma + self.beta

    def helix(self, prefix, grad):
        return {prefix + "weight": _value(self.gamma, grad), prefix + "bias": _value(self.beta, grad)}


def sinusoidal_encoding(length, channels, dtype=torch.float64, device=None):
    """transfomer.py's _get_position_encoding: pos / 10000^((i - i % 2) / C), sin on even, cos on odd channels."""
    pos = torch.arange(length, dtype=torch.float64, device=device).unsqueeze(1)
    i = torch.arange(channels, device=device)
    angle = pos / torch.pow(10000.0, (i - i % 2).to(torch.float64) / channels)
    pe = torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle))
    return pe.to(dtype)


class Transformer(nn.Module):
    """EPI-Mind's Transformer(encoder_stack, feed_forward_size, n_heads, model_dim) (transfomer.py:214-252): x + PE
    (no sqrt(d) scaling), dropout 0.1, then per stack x = LN(x + MHA(x)), x = LN(x + FFN(x)). ONE attention and ONE
    feed-forward block (created once in __init__, used by every stack); each stack has its own two LayerNorms."""

    def __init__(self, channels, heads, inner, stack, dropout=0.1):
        super().__init__()
        self.attention = KerasMultiHeadAttention(channels, heads, dropout)
        self.feed_forward = FeedForward(channels, inner)
        self.norms = nn.ModuleList(KerasLayerNorm(channels) for _ in range(2 * stack))
        self.dropout = nn.Dropout(dropout)
        self.stack = stack

    def forward(self, x):
        x = self.dropout(x + sinusoidal_encoding(x.shape[1], x.shape[2], x.dtype, x.device))
        for s in range(self.stack):
            x = self.norms[2 * s](x + self.attention(x))
            x = self.norms[2 * s + 1](x + self.feed_forward(x))
        return x

    def helix(self, prefix, grad):
        """helix's layout. One stack: seq{attention, layer_norm, feed_forward, layer_norm} ("attention.", "1.",
        "feed_forward.", "3."). Several: repeat<N>(that seq with per_repeat{layer_norm}), whose shared parameters sit
        under "block." and whose norm of stack k under "block.1.r<k>." and "block.3.r<k>."."""
        if self.stack == 1:
            return {**self.attention.helix(prefix + "attention.", grad), **self.norms[0].helix(prefix + "1.", grad),
                    **self.feed_forward.helix(prefix + "feed_forward.", grad), **self.norms[1].helix(prefix + "3.", grad)}
        b = prefix + "block."
        out = self.attention.helix(b + "attention.", grad)
        for s in range(self.stack):
            out.update(self.norms[2 * s].helix(f"{b}1.r{s}.", grad))
        out.update(self.feed_forward.helix(b + "feed_forward.", grad))
        for s in range(self.stack):
            out.update(self.norms[2 * s + 1].helix(f"{b}3.r{s}.", grad))
        return out


def _pooled(length, width, pool, same=False):
    return (length if same else length - width + 1) // pool


class ZooModel(nn.Module):
    takes_ids = True  # forward takes keras_kmer_ids of the one-hot windows (SPEID: the one-hot windows)

    def inputs(self, enhancer_one_hot, promoter_one_hot):
        """The forward arguments for one-hot windows (B, L, 4)."""
        if not self.takes_ids:
            return enhancer_one_hot, promoter_one_hot
        return keras_kmer_ids(enhancer_one_hot), keras_kmer_ids(promoter_one_hot)

    def helix_tensors(self, grad=False):
        raise NotImplementedError


class SPEID(ZooModel):
    """SPEID (ma-compbio/SPEID; ARCHITECTURES.md section 1), build_small_model.py's layers (relu after the convs; the
    frozen_model variant drops them: relu=False) with build_model.py's sizes by default: per side Conv1D(F, W) valid
    + relu + MaxPooling1D(P, P); Merge along length; BN; Dropout(0.25); Bidirectional(LSTM(H)) (hard_sigmoid gates);
    BN; Dropout(0.5); Flatten; Dense(hidden); BN; relu; Dropout(0.5); Dense(1); BN (the logit)."""
    takes_ids = False

    def __init__(self, enhancer_length=3000, promoter_length=2000, filters=1024, width=40, pool=20, lstm=100,
                 hidden=1000, gate="hard_sigmoid", relu=True):
        super().__init__()
        self.enhancer = nn.Conv1d(4, filters, width)
        self.promoter = nn.Conv1d(4, filters, width)
        self.pool, self.relu = pool, relu
        length = _pooled(enhancer_length, width, pool) + _pooled(promoter_length, width, pool)
        self.norm1, self.drop1 = KerasBatchNorm(filters), nn.Dropout(0.25)
        self.bilstm = BiLSTM(filters, lstm, gate)
        self.norm2, self.drop2 = KerasBatchNorm(2 * lstm), nn.Dropout(0.5)
        self.hidden = nn.Linear(length * 2 * lstm, hidden)
        self.norm3, self.drop3 = KerasBatchNorm(hidden), nn.Dropout(0.5)
        self.logit = nn.Linear(hidden, 1)
        self.norm4 = KerasBatchNorm(1)

    @classmethod
    def from_helix_sizes(cls, enhancer_length, promoter_length, filters, width, pool, lstm, hidden, **kw):
        """speid_spec<Filters, Width, Pool, Lstm, Hidden>()."""
        return cls(enhancer_length, promoter_length, filters, width, pool, lstm, hidden, **kw)

    def _branch(self, conv, x):
        y = conv(x.transpose(1, 2))
        return F.max_pool1d(torch.relu(y) if self.relu else y, self.pool, self.pool).transpose(1, 2)

    def forward(self, enhancer, promoter):
        x = torch.cat([self._branch(self.enhancer, enhancer), self._branch(self.promoter, promoter)], 1)
        x = self.drop1(self.norm1(x))
        x = self.drop2(self.norm2(self.bilstm(x))).flatten(1)
        x = self.drop3(torch.relu(self.norm3(self.hidden(x))))
        return self.norm4(self.logit(x))

    def helix_tensors(self, grad=False):
        return {**_conv(self.enhancer, "branches.enhancer.", grad), **_conv(self.promoter, "branches.promoter.", grad),
                **self.norm1.helix("norm1.", grad), **self.bilstm.helix("bilstm.", grad),
                **self.norm2.helix("norm2.", grad), **_linear(self.hidden, "hidden.", grad),
                **self.norm3.helix("norm3.", grad), **_linear(self.logit, "logit.", grad),
                **self.norm4.helix("norm4.", grad)}


class EPIVAN(ZooModel):
    """EPIVAN (hzy95/EPIVAN model.py; section 3): per side Embedding(4097, dim), Conv1D(F, W, relu) valid,
    MaxPooling1D(P, P); Concatenate along length; BN; Dropout(0.5); Bidirectional(GRU(G)) (Keras form); AttLayer(A);
    Dense(1)."""

    def __init__(self, enhancer_length=3000, promoter_length=2000, dim=100, filters=64, width=40, pool=20, gru=50,
                 att=50, gate="hard_sigmoid", att_epsilon=1e-7):
        super().__init__()
        self.enhancer_embedding = nn.Embedding(VOCABULARY, dim)
        self.promoter_embedding = nn.Embedding(VOCABULARY, dim)
        self.enhancer = ConvReluPool(dim, filters, width, pool)
        self.promoter = ConvReluPool(dim, filters, width, pool)
        self.norm, self.drop = KerasBatchNorm(filters), nn.Dropout(0.5)
        self.bigru = KerasBidirectionalGRU(filters, gru, gate)
        self.attention = AttLayer(2 * gru, att, att_epsilon)
        self.logit = nn.Linear(2 * gru, 1)

    @classmethod
    def from_helix_sizes(cls, enhancer_length, promoter_length, dim, filters, width, pool, gru, att, **kw):
        """epivan_spec<Dim, Filters, Width, Pool, Gru, Att>()."""
        return cls(enhancer_length, promoter_length, dim, filters, width, pool, gru, att, **kw)

    def forward(self, enhancer_ids, promoter_ids):
        x = torch.cat([self.enhancer(self.enhancer_embedding(enhancer_ids)),
                       self.promoter(self.promoter_embedding(promoter_ids))], 1)
        return self.logit(self.attention(self.bigru(self.drop(self.norm(x)))))

    def helix_tensors(self, grad=False):
        return {**_embedding(self.enhancer_embedding, "branches.enhancer.0.embedding.", grad),
                **_conv(self.enhancer.conv, "branches.enhancer.conv.", grad),
                **_embedding(self.promoter_embedding, "branches.promoter.0.embedding.", grad),
                **_conv(self.promoter.conv, "branches.promoter.conv.", grad),
                **self.norm.helix("norm.", grad), **self.bigru.helix("bigru.", grad),
                **self.attention.helix("attention.", grad), **_linear(self.logit, "logit.", grad)}


class EPIDLMHBranch(nn.Module):
    def __init__(self, dim, filters, width, pool, gru, att, gate, att_epsilon):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, dim)
        self.conv = ConvReluPool(dim, filters, width, pool, same=True)
        self.norm, self.drop = KerasBatchNorm(filters), nn.Dropout(0.5)
        self.bigru = KerasBidirectionalGRU(filters, gru, gate)
        self.attention = AttLayer(2 * gru, att, att_epsilon)

    def forward(self, ids):
        return self.attention(self.bigru(self.drop(self.norm(self.conv(self.embedding(ids))))))

    def helix(self, prefix, grad):
        return {**_embedding(self.embedding, prefix + "0.embedding.", grad), **_conv(self.conv.conv, prefix + "conv.", grad),
                **self.norm.helix(prefix + "norm.", grad), **self.bigru.helix(prefix + "bigru.", grad),
                **self.attention.helix(prefix + "attention.", grad)}


class EPIDLMH(ZooModel):
    """EPI-DLMH's get_model_max (xzenglab/EPI-DLMH model.py:478-553; section 4): per side Embedding(4097, dim),
    Conv1D(F, W, padding='same') + relu, MaxPooling1D(P, P), BN, Dropout(0.5), Bidirectional(GRU(G)), AttLayer(A);
    [e, p, e - p, e * p]; BN; Dropout(0.5); Dense(hidden); BN; relu; Dropout(0.5); Dense(1)."""

    def __init__(self, enhancer_length=3000, promoter_length=2000, dim=100, filters=64, enhancer_width=60,
                 enhancer_pool=30, promoter_width=40, promoter_pool=20, gru=50, att=50, hidden=64,
                 gate="hard_sigmoid", att_epsilon=1e-7):
        super().__init__()
        self.enhancer = EPIDLMHBranch(dim, filters, enhancer_width, enhancer_pool, gru, att, gate, att_epsilon)
        self.promoter = EPIDLMHBranch(dim, filters, promoter_width, promoter_pool, gru, att, gate, att_epsilon)
        self.norm, self.drop1 = KerasBatchNorm(8 * gru), nn.Dropout(0.5)
        self.hidden = nn.Linear(8 * gru, hidden)
        self.hidden_norm, self.drop2 = KerasBatchNorm(hidden), nn.Dropout(0.5)
        self.logit = nn.Linear(hidden, 1)

    @classmethod
    def from_helix_sizes(cls, enhancer_length, promoter_length, dim, filters, enhancer_width, enhancer_pool,
                         promoter_width, promoter_pool, gru, att, hidden, **kw):
        """epi_dlmh_spec<Dim, Filters, EnhancerWidth, EnhancerPool, PromoterWidth, PromoterPool, Gru, Att, Hidden>()."""
        return cls(enhancer_length, promoter_length, dim, filters, enhancer_width, enhancer_pool, promoter_width,
                   promoter_pool, gru, att, hidden, **kw)

    def forward(self, enhancer_ids, promoter_ids):
        e, p = self.enhancer(enhancer_ids), self.promoter(promoter_ids)
        x = self.drop1(self.norm(torch.cat([e, p, e - p, e * p], -1)))
        return self.logit(self.drop2(torch.relu(self.hidden_norm(self.hidden(x)))))

    def helix_tensors(self, grad=False):
        return {**self.enhancer.helix("branches.enhancer.", grad), **self.promoter.helix("branches.promoter.", grad),
                **self.norm.helix("norm.", grad), **_linear(self.hidden, "hidden.", grad),
                **self.hidden_norm.helix("hidden_norm.", grad), **_linear(self.logit, "logit.", grad)}


class EPIMindBranch(nn.Module):
    def __init__(self, dim, channels, width, pool, heads, inner, layers):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, dim)
        self.conv = ConvReluPool(dim, channels, width, pool)
        self.encoder = Transformer(channels, heads, inner, layers)

    def forward(self, ids):
        return self.encoder(self.conv(self.embedding(ids))).max(1).values  # GlobalMaxPooling1D

    def helix(self, prefix, grad):
        return {**_embedding(self.embedding, prefix + "0.embedding.", grad), **_conv(self.conv.conv, prefix + "conv.", grad),
                **self.encoder.helix(prefix + "encoder.", grad)}


class EPIMind(ZooModel):
    """EPI-Mind (NWAFUniyu/EPI-Mind src/models.py:9-64; section 5): per side Embedding(4097, dim), Conv1D(C, W, relu),
    MaxPooling1D(P, P), its own Transformer(layers, FF, heads, C) (layers sharing one attention and one feed-forward
    block), GlobalMaxPooling1D; [e * p, |e - p|]; Dense(hidden, relu); Dense(1)."""

    def __init__(self, enhancer_length=3000, promoter_length=2000, dim=100, channels=72, width=36, pool=20, heads=8,
                 feed_forward=256, layers=4, hidden=50):
        super().__init__()
        self.enhancer = EPIMindBranch(dim, channels, width, pool, heads, feed_forward, layers)
        self.promoter = EPIMindBranch(dim, channels, width, pool, heads, feed_forward, layers)
        self.hidden = nn.Linear(2 * channels, hidden)
        self.logit = nn.Linear(hidden, 1)

    @classmethod
    def from_helix_sizes(cls, enhancer_length, promoter_length, dim, channels, width, pool, heads, feed_forward,
                         layers, **kw):
        """epi_mind_spec<Dim, Channels, Width, Pool, Heads, FeedForward, Layers>() (its dense 50 is fixed)."""
        return cls(enhancer_length, promoter_length, dim, channels, width, pool, heads, feed_forward, layers, **kw)

    def forward(self, enhancer_ids, promoter_ids):
        e, p = self.enhancer(enhancer_ids), self.promoter(promoter_ids)
        return self.logit(torch.relu(self.hidden(torch.cat([e * p, torch.abs(e - p)], -1))))

    def helix_tensors(self, grad=False):
        return {**self.enhancer.helix("branches.enhancer.", grad), **self.promoter.helix("branches.promoter.", grad),
                **_linear(self.hidden, "hidden.", grad), **_linear(self.logit, "logit.", grad)}


class EPITrans(ZooModel):
    """EPI-Trans (FMoonlightS/EPI-Trans model.py:23-81; section 6): per side Embedding(4097, dim) and Conv1D(C, W,
    relu) + MaxPooling1D(P, P) (enhancer 80 / 15, promoter 61 / 10); Concatenate along length; BN; Dropout(0.5); one
    Transformer_Merged stack (heads, FF) over the joint sequence; GlobalMaxPooling1D; Dense(hidden); BN; relu;
    Dense(1)."""

    def __init__(self, enhancer_length=3000, promoter_length=2000, dim=100, channels=72, enhancer_width=80,
                 enhancer_pool=15, promoter_width=61, promoter_pool=10, heads=9, feed_forward=256, hidden=50):
        super().__init__()
        self.enhancer_embedding = nn.Embedding(VOCABULARY, dim)
        self.promoter_embedding = nn.Embedding(VOCABULARY, dim)
        self.enhancer = ConvReluPool(dim, channels, enhancer_width, enhancer_pool)
        self.promoter = ConvReluPool(dim, channels, promoter_width, promoter_pool)
        self.norm, self.drop = KerasBatchNorm(channels), nn.Dropout(0.5)
        self.encoder = Transformer(channels, heads, feed_forward, 1)
        self.hidden = nn.Linear(channels, hidden)
        self.hidden_norm = KerasBatchNorm(hidden)
        self.logit = nn.Linear(hidden, 1)

    @classmethod
    def from_helix_sizes(cls, enhancer_length, promoter_length, dim, channels, enhancer_width, enhancer_pool,
                         promoter_width, promoter_pool, heads, feed_forward, **kw):
        """epi_trans_spec<Dim, Channels, EnhancerWidth, EnhancerPool, PromoterWidth, PromoterPool, Heads,
        FeedForward>() (its dense 50 is fixed)."""
        return cls(enhancer_length, promoter_length, dim, channels, enhancer_width, enhancer_pool, promoter_width,
                   promoter_pool, heads, feed_forward, **kw)

    def forward(self, enhancer_ids, promoter_ids):
        x = torch.cat([self.enhancer(self.enhancer_embedding(enhancer_ids)),
                       self.promoter(self.promoter_embedding(promoter_ids))], 1)
        x = self.encoder(self.drop(self.norm(x))).max(1).values
        return self.logit(torch.relu(self.hidden_norm(self.hidden(x))))

    def helix_tensors(self, grad=False):
        return {**_embedding(self.enhancer_embedding, "branches.enhancer.0.embedding.", grad),
                **_conv(self.enhancer.conv, "branches.enhancer.conv.", grad),
                **_embedding(self.promoter_embedding, "branches.promoter.0.embedding.", grad),
                **_conv(self.promoter.conv, "branches.promoter.conv.", grad),
                **self.norm.helix("norm.", grad), **self.encoder.helix("encoder.", grad),
                **_linear(self.hidden, "hidden.", grad), **self.hidden_norm.helix("hidden_norm.", grad),
                **_linear(self.logit, "logit.", grad)}


MODELS = {"speid": SPEID, "epivan": EPIVAN, "epi_dlmh": EPIDLMH, "epi_mind": EPIMind, "epi_trans": EPITrans}
