"""A recurrent-depth (looped) transformer in the style of Huginn-0125.

    e   = prelude(wte(x) * sqrt(d))                       [B, S, D]
    s_0 ~ TruncNormal(0, sigma^2) or 0                    [B, S, D]
    s_i = core_block(adapter([s_{i-1}, e]))  i = 1..r     [B, S, D]
    p   = softmax(lm_head(ln_f(coda(s_r))))               [B, S, V]

Unlike Huginn's reference code, attention honours the padding mask: a padded row
gives, at every real position, the logits that row gets alone.

Every attention layer optionally takes a KVCache: the keys (after RoPE) and values
of P earlier positions, so a call computes only its S new positions. Generation
with the cache (`generate_cached`) keeps one core cache per recurrence step and
fills forward from a position's last step, as Huginn does.

Module layout (attribute names) follows Huginn's checkpoints so the exporter can
take either: transformer.{wte, prelude, adapter, core_block, coda, ln_f}, lm_head.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import LoopConfig

# Finite rather than -inf so a fully masked row (a pad query) can never produce NaN.
_MASKED = -1e9


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


@dataclass
class AttentionContext:
    """Per-call tensors every block needs; built once per graph call.

    S new positions (the queries), T = P + S key columns: P cached, then the S new.
    cos and sin are full width, so RoPE on the fused [q | k] columns of Wqkv is two
    elementwise products (see CausalSelfAttention.forward): per head, cos repeats
    [cos, cos] and sin holds [-sin, sin], the sign of rotate-half.
    """

    cos: Tensor  # [B, S, 2D]
    sin: Tensor  # [B, S, 2D]
    bias: Tensor  # [B, 1, S, T] additive: 0 where a query may attend, _MASKED elsewhere
    batch: int  # B, read once per call so every head split/merge shares it


@dataclass
class KVCache:
    """One attention layer's cache for one call.

    In: the past P positions' keys (after RoPE) and values, heads concatenated as in
    the Wqkv output. Out: the layer sets present_* to the S new positions' keys and
    values (only the new ones, not past + new).
    """

    past_key: Tensor  # [B, P, D]
    past_value: Tensor  # [B, P, D]
    present_key: Tensor | None = None  # [B, S, D]
    present_value: Tensor | None = None  # [B, S, D]


def attention_context(
    attention_mask: Tensor,
    position_ids: Tensor,
    head_dim: int,
    rope_base: float,
    n_heads: int,
) -> AttentionContext:
    """attention_mask [B, P+S] (past columns, then new; 1 = real), position_ids [B, S] int64.

    The query of new position j sits at column P+j and may attend column m iff
    (mask[b, m] == 1 and m <= P+j) or m == P+j; the diagonal keeps a pad query finite.
    With P = 0 (mask as long as the positions) this is plain causal masked attention.
    """
    total = attention_mask.shape[1]
    seq = position_ids.shape[1]
    half = head_dim // 2
    inv_freq = 1.0 / (
        rope_base ** (torch.arange(0, half, dtype=torch.float32, device=position_ids.device) / half)
    )
    # Each frequency at both halves of every q and k head: [2D], constant-folded on export.
    freq = inv_freq.repeat(2 * 2 * n_heads)
    ones = torch.ones(half, device=position_ids.device)
    sign = torch.cat((-ones, ones)).repeat(2 * n_heads)
    angles = position_ids.to(torch.float32).unsqueeze(-1) * freq  # [B, S, 2D]
    cos = torch.cos(angles)
    sin = torch.sin(angles) * sign

    k_idx = torch.arange(total, device=attention_mask.device)  # [T] key columns
    q_idx = torch.arange(seq, device=attention_mask.device) + (total - seq)  # [S] query columns
    q_idx = q_idx.unsqueeze(1)  # [S, 1]
    causal = k_idx <= q_idx  # [S, T]
    key_real = attention_mask.bool().unsqueeze(1)  # [B, 1, T]
    diagonal = k_idx == q_idx  # [S, T]; ORT lacks a bool EyeLike
    allowed = (causal & key_real) | diagonal  # [B, S, T], broadcast
    zero = torch.zeros((), dtype=torch.float32, device=attention_mask.device)
    masked = torch.full((), _MASKED, dtype=torch.float32, device=attention_mask.device)
    bias = torch.where(allowed, zero, masked).unsqueeze(1)  # [B, 1, S, T]
    return AttentionContext(cos=cos, sin=sin, bias=bias, batch=position_ids.shape[0])


def positions_from_mask(attention_mask: Tensor) -> Tensor:
    """Index of each real token among its row's real tokens; 0 at pads. [B, S] int64."""
    return (attention_mask.long().cumsum(-1) - 1).clamp(min=0) * attention_mask.long()


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: LoopConfig) -> None:
        super().__init__()
        self.n_heads = cfg.n_heads
        self.head_dim = cfg.head_dim
        self.Wqkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=False)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=False)

    def forward(self, x: Tensor, ctx: AttentionContext, cache: KVCache | None = None) -> Tensor:
        """x [B, S, D] -> [B, S, D]; with a cache, keys/values [B, P, D] precede the new ones.

        Written to export with few shape nodes, since a decoding call is mostly per-node
        overhead: RoPE runs once on the fused [q | k] columns (rotate-half is a flip of
        each head's two halves, its sign is in ctx.sin), widths are Python ints so splits
        are constants, and every head split/merge reshapes to (B, -1, ...) with B read
        once per call (ctx.batch).
        """
        dim = self.n_heads * self.head_dim
        half = self.head_dim // 2
        qk, v = self.Wqkv(x).split((2 * dim, dim), dim=-1)  # [B, S, 2D], [B, S, D]
        # per head [x2, x1] for x = [x1, x2]
        swapped = qk.unflatten(-1, (2 * self.n_heads, 2, half)).flip(-2).flatten(-3)
        q, k = (qk * ctx.cos + swapped * ctx.sin).split(dim, dim=-1)  # each [B, S, D], RoPE'd
        if cache is not None:
            cache.present_key, cache.present_value = k, v  # [B, S, D]
            k = torch.cat((cache.past_key, k), dim=1)  # [B, P+S, D]
            v = torch.cat((cache.past_value, v), dim=1)
        heads = (ctx.batch, -1, self.n_heads, self.head_dim)
        q = q.reshape(heads).transpose(1, 2)  # [B, H, S, Dh]
        k_t = k.reshape(heads).permute(0, 2, 3, 1)  # [B, H, Dh, T]
        v = v.reshape(heads).transpose(1, 2)  # [B, H, T, Dh]
        scores = (q @ k_t) * (1.0 / math.sqrt(self.head_dim)) + ctx.bias
        out = torch.softmax(scores, dim=-1) @ v  # [B, H, S, Dh]
        return self.proj(out.transpose(1, 2).reshape(ctx.batch, -1, dim))


class GatedMLP(nn.Module):
    def __init__(self, cfg: LoopConfig) -> None:
        super().__init__()
        self.hidden = cfg.mlp_hidden
        self.fc = nn.Linear(cfg.d_model, 2 * cfg.mlp_hidden, bias=False)
        self.proj = nn.Linear(cfg.mlp_hidden, cfg.d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        # split by a constant width: chunk() would export a shape computation per call
        gate, up = self.fc(x).split(self.hidden, dim=-1)
        return self.proj(F.silu(gate) * up)


class SandwichBlock(nn.Module):
    """Norms before and after each sub-layer, which Huginn found keeps deep recurrence stable."""

    def __init__(self, cfg: LoopConfig) -> None:
        super().__init__()
        self.norm_1 = RMSNorm(cfg.d_model, cfg.norm_eps)
        self.attn = CausalSelfAttention(cfg)
        self.norm_2 = RMSNorm(cfg.d_model, cfg.norm_eps)
        self.norm_3 = RMSNorm(cfg.d_model, cfg.norm_eps)
        self.mlp = GatedMLP(cfg)
        self.norm_4 = RMSNorm(cfg.d_model, cfg.norm_eps)

    def forward(self, x: Tensor, ctx: AttentionContext, cache: KVCache | None = None) -> Tensor:
        x = self.norm_2(x + self.attn(self.norm_1(x), ctx, cache))
        return self.norm_4(x + self.mlp(self.norm_3(x)))


def _run_blocks(
    blocks: nn.ModuleList, x: Tensor, ctx: AttentionContext, caches: Sequence[KVCache] | None
) -> Tensor:
    """x [B, S, D] through each block; with caches, block l reads/writes caches[l]."""
    if caches is None:
        for block in blocks:
            x = block(x, ctx)
        return x
    for block, cache in zip(blocks, caches, strict=True):
        x = block(x, ctx, cache)
    return x


class LoopedTransformer(nn.Module):
    def __init__(self, cfg: LoopConfig) -> None:
        super().__init__()
        self.config = cfg
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(cfg.vocab_size, cfg.d_model),
                prelude=nn.ModuleList(SandwichBlock(cfg) for _ in range(cfg.n_prelude)),
                adapter=nn.Linear(2 * cfg.d_model, cfg.d_model, bias=False),
                core_block=nn.ModuleList(SandwichBlock(cfg) for _ in range(cfg.n_core)),
                coda=nn.ModuleList(SandwichBlock(cfg) for _ in range(cfg.n_coda)),
                ln_f=RMSNorm(cfg.d_model, cfg.norm_eps),
            )
        )
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied
        self.emb_scale = math.sqrt(cfg.d_model)
        self._init_weights()

    def _init_weights(self) -> None:
        std = math.sqrt(2.0 / (5.0 * self.config.d_model))
        for name, p in self.named_parameters():
            if p.dim() < 2:
                continue
            if name.endswith("wte.weight"):
                nn.init.normal_(p, std=1.0 / math.sqrt(self.config.d_model))
            elif name.endswith("proj.weight"):
                depth = self.config.n_prelude + self.config.n_core * 4 + self.config.n_coda
                nn.init.normal_(p, std=std / math.sqrt(2.0 * depth))
            else:
                nn.init.normal_(p, std=std)

    # ---- the three stages the exporter turns into prelude/core/coda graphs ----

    def context(self, attention_mask: Tensor, position_ids: Tensor) -> AttentionContext:
        cfg = self.config
        return attention_context(
            attention_mask, position_ids, cfg.head_dim, cfg.rope_base, cfg.n_heads
        )

    # caches: one KVCache per layer of that stage, or None for no cache.

    def embed(
        self, input_ids: Tensor, ctx: AttentionContext, caches: Sequence[KVCache] | None = None
    ) -> Tensor:
        """input_ids [B, S] -> e [B, S, D]."""
        x = self.transformer.wte(input_ids) * self.emb_scale
        return _run_blocks(self.transformer.prelude, x, ctx, caches)

    def core_step(
        self,
        e: Tensor,
        s: Tensor,
        ctx: AttentionContext,
        caches: Sequence[KVCache] | None = None,
    ) -> Tensor:
        """One recurrence: s_{i-1} [B, S, D], e [B, S, D] -> s_i [B, S, D]."""
        x = self.transformer.adapter(torch.cat((s, e), dim=-1))
        return _run_blocks(self.transformer.core_block, x, ctx, caches)

    def decode(
        self, s: Tensor, ctx: AttentionContext, caches: Sequence[KVCache] | None = None
    ) -> Tensor:
        """s [B, S, D] -> logits [B, S, V]."""
        x = _run_blocks(self.transformer.coda, s, ctx, caches)
        return self.lm_head(self.transformer.ln_f(x))

    def initial_state(
        self, like: Tensor, kind: str | None = None, generator: torch.Generator | None = None
    ) -> Tensor:
        """s_0 shaped like e: zeros, or truncated normal(0, sigma^2) cut at +-3 sigma."""
        kind = kind or self.config.state_init
        if kind == "zeros":
            return torch.zeros_like(like)
        sigma = self.config.state_sigma
        s = torch.empty_like(like)
        nn.init.trunc_normal_(s, std=sigma, a=-3 * sigma, b=3 * sigma, generator=generator)
        return s

    def forward(
        self,
        input_ids: Tensor,
        attention_mask: Tensor | None = None,
        r: int | None = None,
        s0: Tensor | None = None,
        backprop_steps: int | None = None,
    ) -> Tensor:
        """Logits [B, S, V] after r recurrences.

        With backprop_steps=k only the last k recurrences build a graph (truncated
        backprop as in the Huginn recipe); the first r-k run without gradients.
        """
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        r = self.config.r_default if r is None else r
        ctx = self.context(attention_mask, positions_from_mask(attention_mask))
        e = self.embed(input_ids, ctx)
        s = self.initial_state(e, kind="zeros") if s0 is None else s0
        k = r if backprop_steps is None else min(backprop_steps, r)
        if r - k > 0:
            with torch.no_grad():
                for _ in range(r - k):
                    s = self.core_step(e, s, ctx)
        for _ in range(k):
            s = self.core_step(e, s, ctx)
        return self.decode(s, ctx)


# ---- KV-cached greedy generation: the reference the serving runtime reproduces ----

KV = tuple[Tensor, Tensor]  # (keys, values), each [B, T, D]: every column seen so far


def steps_for_call(steps: int | Sequence[int | Sequence[int]], call: int, batch: int) -> list[int]:
    """Core steps per row for generation call `call` (0 = prefill, then one per new token).

    steps is one r for every call, or one entry per call: an int for all rows or a
    per-row list.
    """
    entry = steps if isinstance(steps, int) else steps[call]
    per_row = [entry] * batch if isinstance(entry, int) else list(entry)
    if len(per_row) != batch or min(per_row) < 1:
        raise ValueError(f"call {call}: need {batch} step counts >= 1, got {per_row}")
    return per_row


def left_pad(prompts: Sequence[Sequence[int]], pad_id: int) -> tuple[Tensor, Tensor]:
    """Token id lists -> (ids, mask) [B, S] int64, padded on the left."""
    seq = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), seq), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, p in enumerate(prompts):
        ids[row, seq - len(p) :] = torch.tensor(list(p), dtype=torch.long)
        mask[row, seq - len(p) :] = 1
    return ids, mask


@dataclass(frozen=True)
class ExitRule:
    """Adaptive exit on the relative state change at a row's last position, as the runtime
    does it (inference-service Sequence.afterCore): after core step i a token stops when
    i >= min_steps and state_delta > 0 and delta_i < state_delta, or when i == max_steps.
    """

    state_delta: float
    min_steps: int = 1
    max_steps: int = 32

    def __post_init__(self) -> None:
        if self.min_steps < 1 or self.max_steps < self.min_steps:
            raise ValueError(f"need 1 <= min_steps <= max_steps, got {self}")

    def converged(self, step: int, delta: float) -> bool:
        return step >= self.min_steps and self.state_delta > 0 and delta < self.state_delta

    def stops(self, step: int, delta: float) -> bool:
        return self.converged(step, delta) or step >= self.max_steps


def state_delta(state: np.ndarray | Tensor, previous: np.ndarray | Tensor) -> np.ndarray:
    """||s_i - s_{i-1}|| / ||s_i|| over the last axis, in float64 from the given (float32)
    states: [..., D] -> [...]. Where ||s_i|| == 0: 0 if s_i == s_{i-1}, else +inf.

    Computed as sqrt(sum(diff^2) / sum(s^2)), the runtime's formula.
    """
    s = np.asarray(state, dtype=np.float64)
    diff = np.square(s - np.asarray(previous, dtype=np.float64)).sum(-1)
    norm = np.square(s).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.sqrt(diff / norm)
    return np.where(norm == 0, np.where(diff == 0, 0.0, np.inf), ratio)


class StepPlan:
    """Decides, within one generation call, when each row stops recurring.

    Either fixed per-row step counts, or an ExitRule checked at each row's last
    position. A row whose last new position is padding (a finished row's masked pad)
    stops after one step under an ExitRule: its keys are never attended.
    """

    def __init__(
        self, batch: int, steps: Sequence[int] | None, exit: ExitRule | None, live: Sequence[bool]
    ) -> None:
        if (steps is None) == (exit is None):
            raise ValueError("give exactly one of steps and exit")
        if steps is not None and (len(steps) != batch or min(steps) < 1):
            raise ValueError(f"need {batch} step counts >= 1, got {list(steps)}")
        self.fixed = None if steps is None else list(steps)
        self.exit = exit
        self.live = list(live)
        self.active = [True] * batch
        self.steps = [0] * batch  # core steps each row ran
        self.deltas: list[list[float]] = [[] for _ in range(batch)]  # per step run, row's delta

    def after_step(self, i: int, last: np.ndarray, previous: np.ndarray) -> None:
        """Core step i ran for the active rows; last/previous: s_i / s_{i-1} [B, D]."""
        deltas = state_delta(last, previous) if self.exit is not None else None
        for b, running in enumerate(self.active):
            if not running:
                continue
            self.steps[b] = i
            if self.fixed is not None:
                self.active[b] = i < self.fixed[b]
                continue
            delta = float(deltas[b])
            self.deltas[b].append(delta)
            self.active[b] = self.live[b] and not self.exit.stops(i, delta)


@dataclass
class Generation:
    tokens: list[list[int]]  # per row: generated ids, <eos> included when produced
    # per row: the [V] next-token logits behind each generated id (Tensor, or ndarray from ORT)
    logits: list[list[Tensor | np.ndarray]]
    steps: list[list[int]] = field(default_factory=list)  # per row: core steps per token
    # per row, per token: the delta after each core step the token ran (with an ExitRule)
    deltas: list[list[list[float]]] = field(default_factory=list)


class CachedLoop:
    """Prefill + one call per generated token over a batch, with per-step core caches.

    Caches, per stage and layer, hold (K, V) [B, T, D] for every column seen so far.
    The core keeps one cache per recurrence step i (slot i). A call whose rows run
    n_b steps stores, in slot i, the K/V of step min(i, n_b) ("fill forward"), so a
    later call's step i attends, at each earlier position m, the K/V of step
    min(i, steps_m). A slot first needed by a later call starts as a copy of the
    last slot, which is exactly min(i, steps_m) for all earlier positions.

    past_slot=True starts every cache with one masked zero column, as the Java
    runtime does (it never passes P = 0); the results are the same.
    """

    def __init__(self, model: LoopedTransformer, batch: int, past_slot: bool = False) -> None:
        self.model = model
        past = 1 if past_slot else 0
        zeros = torch.zeros(batch, past, model.config.d_model)
        self.mask = torch.zeros(batch, past, dtype=torch.long)  # [B, T]
        self.base: list[KV] = [(zeros, zeros)] * len(model.transformer.core_block)
        self.prelude: list[KV] = [(zeros, zeros)] * len(model.transformer.prelude)
        self.core: list[list[KV]] = []  # core[i - 1] = slot i
        self.coda: list[KV] = [(zeros, zeros)] * len(model.transformer.coda)

    @staticmethod
    def _append(cache: list[KV], caches: list[KVCache]) -> list[KV]:
        return [
            (torch.cat((k, c.present_key), 1), torch.cat((v, c.present_value), 1))
            for (k, v), c in zip(cache, caches, strict=True)
        ]

    @torch.no_grad()
    def step(
        self,
        ids: Tensor,
        new_mask: Tensor,
        steps: Sequence[int] | None = None,
        exit: ExitRule | None = None,
    ) -> Tensor:
        """ids, new_mask [B, S] (the new positions) -> logits [B, S, V].

        Either steps[b] >= 1 core steps per row, or an ExitRule deciding them per row
        (see StepPlan). Afterwards self.plan holds the steps each row ran (and deltas).
        """
        m = self.model
        mask = torch.cat((self.mask, new_mask), 1)  # [B, P+S]
        pos = positions_from_mask(mask)[:, self.mask.shape[1] :]  # [B, S]
        ctx = m.context(mask, pos)

        caches = [KVCache(k, v) for k, v in self.prelude]
        e = m.embed(ids, ctx, caches)
        self.prelude = self._append(self.prelude, caches)

        plan = StepPlan(len(ids), steps, exit, (new_mask[:, -1] != 0).tolist())
        s = m.initial_state(e, kind="zeros")
        presents: list[list[KVCache]] = []  # [i - 1][layer]: the new positions' K/V at step i
        i = 0
        while any(plan.active):
            i += 1
            if len(self.core) < i:
                self.core.append(list(self.core[-1] if self.core else self.base))
            caches = [KVCache(k, v) for k, v in self.core[i - 1]]
            s_i = m.core_step(e, s, ctx, caches)
            # rows past their last step keep their state and their K/V
            ran = torch.tensor(plan.active).view(-1, 1, 1)
            plan.after_step(i, s_i[:, -1].numpy(), s[:, -1].numpy())
            s = torch.where(ran, s_i, s)
            if presents:
                for c, prev in zip(caches, presents[-1], strict=True):
                    c.present_key = torch.where(ran, c.present_key, prev.present_key)
                    c.present_value = torch.where(ran, c.present_value, prev.present_value)
            presents.append(caches)
        for slot in range(len(self.core)):
            self.core[slot] = self._append(self.core[slot], presents[min(slot, len(presents) - 1)])
        self.plan = plan

        caches = [KVCache(k, v) for k, v in self.coda]
        logits = m.decode(s, ctx, caches)
        self.coda = self._append(self.coda, caches)
        self.mask = mask
        return logits


@torch.no_grad()
def generate_cached(
    model: LoopedTransformer,
    prompts: Sequence[Sequence[int]],
    steps: int | Sequence[int | Sequence[int]] | None,
    max_tokens: int,
    *,
    pad_id: int = 0,
    eos_id: int | None = None,
    past_slot: bool = False,
    exit: ExitRule | None = None,
) -> Generation:
    """Greedy generation with the KV cache, prompts left-padded into one batch, s_0 = 0.

    Call 0 (prefill) runs the prompts; each later call runs the token just generated
    (a finished row sends a pad with mask 0). steps: see steps_for_call; or None with
    an ExitRule, which decides each token's steps at its row's last position. Rows
    stop at eos_id (None: never) or after max_tokens. The result has each token's step
    count (and, with an ExitRule, its deltas).
    """
    ids, mask = left_pad(prompts, pad_id)
    loop = CachedLoop(model, len(prompts), past_slot)
    return greedy_decode(loop, ids, mask, steps, max_tokens, pad_id, eos_id, exit, torch.tensor)


def greedy_decode(
    loop, ids, mask, steps, max_tokens: int, pad_id: int, eos_id: int | None, exit, array
):
    """The decoding driver shared by the PyTorch loop and the ONNX Runtime loop.

    loop: a fresh CachedLoop or export.OnnxBatch (step(ids, mask, per_row_steps, exit)
    -> logits [B, S, V], and .plan); ids, mask: the left-padded prompts [B, S];
    array: builds the next call's [B, 1] ids and mask in the loop's tensor type.
    """
    batch = len(ids)
    out = Generation(*([[] for _ in range(batch)] for _ in range(4)))
    done = [False] * batch
    for call in range(max_tokens):
        per_row = None if steps is None else steps_for_call(steps, call, batch)
        logits = loop.step(ids, mask, per_row, exit)[:, -1]  # [B, V]
        nxt = logits.argmax(-1).tolist()
        for b in range(batch):
            if not done[b]:
                out.tokens[b].append(nxt[b])
                out.logits[b].append(logits[b])
                out.steps[b].append(loop.plan.steps[b])
                out.deltas[b].append(loop.plan.deltas[b])
                done[b] = nxt[b] == eos_id
        if all(done):
            break
        ids = array([[pad_id if d else t] for t, d in zip(nxt, done, strict=True)])
        mask = array([[0 if d else 1] for d in done])
    return out
