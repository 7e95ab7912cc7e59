"""A recurrent-depth (looped) transformer in the style of Huginn-0125.

    e   = prelude(wte(x) * sqrt(d))                       [B, S, D]
    s_0 ~ TruncNormal(0, sigma^2) or 0                    [B, S, D]
    s_i = core_block(adapter([s_{i-1}, e]))  i = 1..r     [B, S, D]
    p   = softmax(lm_head(ln_f(coda(s_r))))               [B, S, V]

Unlike Huginn's reference code, attention honours the padding mask: a padded row
gives, at every real position, the logits that row gets alone.

Module layout (attribute names) follows Huginn's checkpoints so the exporter can
take either: transformer.{wte, prelude, adapter, core_block, coda, ln_f}, lm_head.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    """Per-sequence tensors every block needs; built once per graph call."""

    cos: Tensor  # [B, 1, S, Dh/2]
    sin: Tensor  # [B, 1, S, Dh/2]
    bias: Tensor  # [B, 1, S, S] additive: 0 where a query may attend, _MASKED elsewhere


def attention_context(
    attention_mask: Tensor, position_ids: Tensor, head_dim: int, rope_base: float
) -> AttentionContext:
    """attention_mask, position_ids: [B, S] int64 (1 = real token)."""
    seq = attention_mask.shape[1]
    half = head_dim // 2
    inv_freq = 1.0 / (
        rope_base ** (torch.arange(0, half, dtype=torch.float32, device=position_ids.device) / half)
    )
    angles = position_ids.to(torch.float32).unsqueeze(-1) * inv_freq  # [B, S, Dh/2]
    cos = torch.cos(angles).unsqueeze(1)
    sin = torch.sin(angles).unsqueeze(1)

    idx = torch.arange(seq, device=attention_mask.device)
    causal = idx.unsqueeze(0) <= idx.unsqueeze(1)  # [S(q), S(k)]
    key_real = attention_mask.bool().unsqueeze(1)  # [B, 1, S(k)]
    diagonal = idx.unsqueeze(0) == idx.unsqueeze(1)  # not torch.eye: ORT lacks a bool EyeLike
    allowed = (causal.unsqueeze(0) & key_real) | diagonal.unsqueeze(0)  # [B, S, S]
    zero = torch.zeros((), dtype=torch.float32, device=attention_mask.device)
    masked = torch.full((), _MASKED, dtype=torch.float32, device=attention_mask.device)
    bias = torch.where(allowed, zero, masked).unsqueeze(1)
    return AttentionContext(cos=cos, sin=sin, bias=bias)


def positions_from_mask(attention_mask: Tensor) -> Tensor:
    """Index of each real token among its row's real tokens; 0 at pads. [B, S] int64."""
    return (attention_mask.long().cumsum(-1) - 1).clamp(min=0) * attention_mask.long()


def _rotate(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: LoopConfig) -> None:
        super().__init__()
        self.n_heads = cfg.n_heads
        self.head_dim = cfg.head_dim
        self.Wqkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=False)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=False)

    def forward(self, x: Tensor, ctx: AttentionContext) -> Tensor:
        bsz, seq, dim = x.shape
        qkv = self.Wqkv(x).view(bsz, seq, 3, self.n_heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each [B, H, S, Dh]
        q = _rotate(q, ctx.cos, ctx.sin)
        k = _rotate(k, ctx.cos, ctx.sin)
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim)) + ctx.bias
        out = torch.softmax(scores, dim=-1) @ v  # [B, H, S, Dh]
        return self.proj(out.transpose(1, 2).reshape(bsz, seq, dim))


class GatedMLP(nn.Module):
    def __init__(self, cfg: LoopConfig) -> None:
        super().__init__()
        self.fc = nn.Linear(cfg.d_model, 2 * cfg.mlp_hidden, bias=False)
        self.proj = nn.Linear(cfg.mlp_hidden, cfg.d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        gate, up = self.fc(x).chunk(2, dim=-1)
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

    def forward(self, x: Tensor, ctx: AttentionContext) -> Tensor:
        x = self.norm_2(x + self.attn(self.norm_1(x), ctx))
        return self.norm_4(x + self.mlp(self.norm_3(x)))


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
        return attention_context(
            attention_mask, position_ids, self.config.head_dim, self.config.rope_base
        )

    def embed(self, input_ids: Tensor, ctx: AttentionContext) -> Tensor:
        """input_ids [B, S] -> e [B, S, D]."""
        x = self.transformer.wte(input_ids) * self.emb_scale
        for block in self.transformer.prelude:
            x = block(x, ctx)
        return x

    def core_step(self, e: Tensor, s: Tensor, ctx: AttentionContext) -> Tensor:
        """One recurrence: s_{i-1} [B, S, D], e [B, S, D] -> s_i [B, S, D]."""
        x = self.transformer.adapter(torch.cat((s, e), dim=-1))
        for block in self.transformer.core_block:
            x = block(x, ctx)
        return x

    def decode(self, s: Tensor, ctx: AttentionContext) -> Tensor:
        """s [B, S, D] -> logits [B, S, V]."""
        x = s
        for block in self.transformer.coda:
            x = block(x, ctx)
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
