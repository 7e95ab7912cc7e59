import math

import numpy as np
import pytest
import torch

from loopmodel import task
from loopmodel.model import (
    CachedLoop,
    ExitRule,
    KVCache,
    LoopedTransformer,
    attention_context,
    generate_cached,
    left_pad,
    positions_from_mask,
    state_delta,
)

PROMPTS = ["a=3;b=a+4;c=b*2;c?", "x=7;y=x-9;y?", "q=1;w=q*3;e=w+8;r=e-2;t=r*7;t?"]


def _single(model, prompt, r):
    ids = torch.tensor([task.encode(prompt)])
    return model(ids, r=r)[0]


def _batched(model, prompts, r, side):
    encoded = [task.encode(p) for p in prompts]
    seq = max(map(len, encoded))
    ids = torch.full((len(prompts), seq), task.PAD_ID)
    mask = torch.zeros_like(ids)
    for row, e in enumerate(encoded):
        sl = slice(seq - len(e), seq) if side == "left" else slice(0, len(e))
        ids[row, sl] = torch.tensor(e)
        mask[row, sl] = 1
    return model(ids, attention_mask=mask, r=r), encoded, seq


def test_shapes(tiny_model, tiny_config):
    ids = torch.randint(4, tiny_config.vocab_size, (3, 11))
    with torch.no_grad():
        out = tiny_model(ids, r=3)
    assert out.shape == (3, 11, tiny_config.vocab_size)
    ctx = tiny_model.context(torch.ones_like(ids), positions_from_mask(torch.ones_like(ids)))
    e = tiny_model.embed(ids, ctx)
    assert e.shape == (3, 11, tiny_config.d_model)
    assert tiny_model.core_step(e, torch.zeros_like(e), ctx).shape == e.shape


def test_lm_head_is_tied(tiny_model):
    assert tiny_model.lm_head.weight is tiny_model.transformer.wte.weight


@torch.no_grad()
def test_padded_batches_equal_single_runs(tiny_model):
    for side in ("left", "right"):
        for r in (1, 4):
            logits, encoded, seq = _batched(tiny_model, PROMPTS, r, side)
            assert torch.isfinite(logits).all()
            for row, (prompt, e) in enumerate(zip(PROMPTS, encoded, strict=True)):
                sl = slice(seq - len(e), seq) if side == "left" else slice(0, len(e))
                torch.testing.assert_close(
                    logits[row, sl], _single(tiny_model, prompt, r), atol=1e-5, rtol=0
                )


@torch.no_grad()
def test_mask_changes_the_answer_when_ignored(tiny_model):
    """Guard against a mask that is silently unused: attending to pads must differ."""
    logits, encoded, seq = _batched(tiny_model, PROMPTS, 2, "left")
    e = encoded[0]
    unmasked = tiny_model(
        torch.cat([torch.full((1, seq - len(e)), task.PAD_ID), torch.tensor([e])], dim=1), r=2
    )
    assert not torch.allclose(unmasked[0, -1], logits[0, -1], atol=1e-4)


@torch.no_grad()
def test_causal_future_tokens_do_not_leak(tiny_model):
    a = _single(tiny_model, "a=3;b=a+4;b?", 3)
    b = _single(tiny_model, "a=3;b=a+5;b?", 3)
    prefix = len(task.encode("a=3;b=a+"))
    torch.testing.assert_close(a[:prefix], b[:prefix])


def test_truncated_backprop_only_builds_graph_for_last_steps(tiny_model):
    ids = torch.tensor([task.encode(PROMPTS[0])])
    full = tiny_model(ids, r=6)
    truncated = tiny_model(ids, r=6, backprop_steps=2)
    torch.testing.assert_close(full, truncated)
    truncated.sum().backward()
    assert tiny_model.transformer.adapter.weight.grad is not None


def test_initial_state_is_truncated_normal(tiny_model, tiny_config):
    like = torch.zeros(64, 16, tiny_config.d_model)
    s = tiny_model.initial_state(
        like, kind="truncated_normal", generator=torch.Generator().manual_seed(0)
    )
    sigma = tiny_config.state_sigma
    assert s.abs().max() <= 3 * sigma
    assert 0.8 * sigma < s.std() < 1.0 * sigma
    assert (tiny_model.initial_state(like, kind="zeros") == 0).all()


def test_recurrence_changes_the_output(tiny_model):
    ids = torch.tensor([task.encode(PROMPTS[0])])
    with torch.no_grad():
        assert not torch.allclose(tiny_model(ids, r=1), tiny_model(ids, r=4))
    assert isinstance(tiny_model, LoopedTransformer)


def test_attention_context_with_a_past(tiny_config):
    # 2 rows, P = 3 past columns, S = 2 new; row 0's first past column is a pad.
    mask = torch.tensor([[0, 1, 1, 1, 1], [1, 1, 1, 1, 1]])
    pos = positions_from_mask(mask)[:, 3:]
    cfg = tiny_config
    ctx = attention_context(mask, pos, cfg.head_dim, cfg.rope_base, cfg.n_heads)
    assert ctx.bias.shape == (2, 1, 2, 5) and ctx.cos.shape == (2, 2, 2 * cfg.d_model)
    allowed = (ctx.bias[:, 0] == 0).long()
    assert allowed[0].tolist() == [[0, 1, 1, 1, 0], [0, 1, 1, 1, 1]]
    assert allowed[1].tolist() == [[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]
    pads = attention_context(  # two new pad queries after one real past column
        torch.tensor([[1, 0, 0]]), torch.tensor([[0, 0]]), cfg.head_dim, 10000.0, cfg.n_heads
    )
    assert (pads.bias[0, 0] == 0).long().tolist() == [[1, 1, 0], [1, 0, 1]]  # never another pad


@torch.no_grad()
def test_cached_generation_equals_full_recompute(tiny_model):
    encoded = [task.encode(p) for p in PROMPTS]
    for r in (1, 4, 6):
        for past_slot in (False, True):
            for prompts in ([encoded[1]], encoded):  # alone, and as a left-padded batch
                got = generate_cached(tiny_model, prompts, r, 4, past_slot=past_slot)
                for row, ids in enumerate(prompts):
                    assert len(got.tokens[row]) == 4
                    for t, logits in enumerate(got.logits[row]):
                        full = tiny_model(torch.tensor([ids + got.tokens[row][:t]]), r=r)[0, -1]
                        torch.testing.assert_close(logits, full, atol=1e-5, rtol=0)
                        assert int(full.argmax()) == got.tokens[row][t]


@torch.no_grad()
def test_cache_keeps_one_core_slot_per_step_filled_forward(tiny_model, tiny_config):
    ids, mask = left_pad([task.encode(PROMPTS[1])], task.PAD_ID)
    loop = CachedLoop(tiny_model, 1)
    loop.step(ids, mask, [2])  # prompt: 2 steps
    loop.step(torch.tensor([[5]]), torch.tensor([[1]]), [4])  # next token: 4 steps
    seq = ids.shape[1]
    assert len(loop.core) == 4
    for slot in loop.core:
        assert [kv.shape for kv in slot[0]] == [(1, seq + 1, tiny_config.d_model)] * 2
    # Slots 3 and 4 were created after the prompt ran 2 steps: they hold its step-2 K/V.
    for layer in range(tiny_config.n_core):
        for kv in range(2):
            step2 = loop.core[1][layer][kv][:, :seq]
            assert torch.equal(loop.core[2][layer][kv][:, :seq], step2)
            assert torch.equal(loop.core[3][layer][kv][:, :seq], step2)
            assert not torch.equal(loop.core[0][layer][kv][:, :seq], step2)
            assert not torch.equal(
                loop.core[2][layer][kv][:, seq:], loop.core[3][layer][kv][:, seq:]
            )


def test_a_block_still_runs_without_a_cache(tiny_model, tiny_config):
    x = torch.randn(2, 5, tiny_config.d_model)
    mask = torch.ones(2, 5, dtype=torch.long)
    ctx = tiny_model.context(mask, positions_from_mask(mask))
    block = tiny_model.transformer.core_block[0]
    cache = KVCache(torch.zeros(2, 0, tiny_config.d_model), torch.zeros(2, 0, tiny_config.d_model))
    with torch.no_grad():
        torch.testing.assert_close(block(x, ctx), block(x, ctx, cache))
    assert cache.present_key.shape == cache.present_value.shape == x.shape


def test_state_delta_is_the_runtimes_relative_change():
    s = np.array([[3.0, 4.0], [3.0, 4.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    prev = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 0.0], [1.0, 0.0], [1.0, 0.5]], dtype=np.float32)
    got = state_delta(s, prev)
    assert got.dtype == np.float64
    assert got.tolist() == [1.0, 0.0, 0.0, math.inf, math.sqrt(0.25 / 2.0)]
    # float64 from the float32 values: no float32 rounding of the sums
    a = np.float32(1.0000001)
    want = math.sqrt((float(a) - 1.0) ** 2 / (float(a) ** 2 + 1.0))
    assert state_delta(np.array([a, 1.0], np.float32), np.array([1.0, 1.0], np.float32)) == want


def test_exit_rule_uses_min_steps_max_steps_and_strict_less_than():
    rule = ExitRule(state_delta=0.05, min_steps=3, max_steps=6)
    assert not rule.stops(1, 0.0) and not rule.stops(2, 0.01)  # below min_steps
    assert rule.stops(3, 0.049) and not rule.stops(3, 0.05)  # strictly below
    assert not rule.stops(5, 0.5) and rule.stops(6, 0.5)  # the budget
    assert not rule.converged(6, 0.5)
    off = ExitRule(state_delta=0.0, min_steps=1, max_steps=4)  # 0 disables the criterion
    assert not off.stops(3, 0.0) and off.stops(4, 0.0)
    with pytest.raises(ValueError):
        ExitRule(0.05, min_steps=0)
    with pytest.raises(ValueError):
        ExitRule(0.05, min_steps=5, max_steps=4)


@torch.no_grad()
def test_adaptive_exit_budget_and_min_steps(tiny_model):
    encoded = [task.encode(p) for p in PROMPTS]
    never = generate_cached(tiny_model, encoded, None, 3, exit=ExitRule(0.0, 1, 5))
    assert never.steps == [[5, 5, 5]] * 3
    assert all(d[0] == 1.0 for row in never.deltas for d in row)  # s_0 = 0
    fixed = generate_cached(tiny_model, encoded, 5, 3)
    assert never.tokens == fixed.tokens
    at_once = generate_cached(tiny_model, encoded, None, 3, exit=ExitRule(1e9, 2, 5))
    assert at_once.steps == [[2, 2, 2]] * 3


@torch.no_grad()
def test_adaptive_exit_decides_per_token_and_fills_forward(tiny_model):
    encoded = [task.encode(p) for p in PROMPTS]
    probe = generate_cached(tiny_model, encoded, None, 4, exit=ExitRule(0.0, 1, 10))
    deltas = [d for row in probe.deltas for token in row for d in token[1:]]
    rule = ExitRule(float(np.median(deltas)), 2, 10)  # some tokens exit, some do not
    got = generate_cached(tiny_model, encoded, None, 4, exit=rule)
    flat = [n for row in got.steps for n in row]
    assert len(set(flat)) > 1
    for row in range(len(encoded)):
        for n, token in zip(got.steps[row], got.deltas[row], strict=True):
            assert len(token) == n
            fired = [i for i, d in enumerate(token, 1) if rule.stops(i, d)]
            assert fired == [n]  # the first step the rule fires, and it ran no further
        # prefill: the deltas are those of the uncached recurrence at the last position
        ids = torch.tensor([encoded[row]])
        ctx = tiny_model.context(torch.ones_like(ids), positions_from_mask(torch.ones_like(ids)))
        e = tiny_model.embed(ids, ctx)
        s = torch.zeros_like(e)
        for d in got.deltas[row][0]:
            s_i = tiny_model.core_step(e, s, ctx)
            assert d == pytest.approx(float(state_delta(s_i[0, -1], s[0, -1])), rel=1e-4)
            s = s_i
        # each row alone decides the same steps: exit is per row, not per batch
        alone = generate_cached(tiny_model, [encoded[row]], None, 4, exit=rule)
        assert alone.steps[0] == got.steps[row] and alone.tokens[0] == got.tokens[row]
    # the same per-token steps given as fixed counts reproduce it: fill forward as before
    per_call = [[got.steps[row][c] for row in range(len(encoded))] for c in range(4)]
    again = generate_cached(tiny_model, encoded, per_call, 4)
    assert again.tokens == got.tokens
    for a, b in zip(again.logits, got.logits, strict=True):
        torch.testing.assert_close(torch.stack(a), torch.stack(b), atol=0, rtol=0)
