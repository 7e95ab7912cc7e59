import json
import math

import jsonschema
import numpy as np
import pytest
import torch
from torch import nn

from loopmodel import export, task
from loopmodel.model import RMSNorm, SandwichBlock, generate_cached

from .conftest import SCHEMA


@pytest.fixture(scope="module")
def package(tmp_path_factory, tiny_config):
    torch.manual_seed(1)
    from loopmodel.model import LoopedTransformer

    model = LoopedTransformer(tiny_config).eval()
    out = tmp_path_factory.mktemp("pkg")
    export.export_package(model, out, name="tiny", version="0.0.1")
    return model, out


def test_package_layout_and_manifest_schema(package):
    model, out = package
    manifest = json.loads((out / "model.json").read_text())
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))
    assert manifest["schema_version"] == 2
    for name in ("prelude.onnx", "core.onnx", "coda.onnx", "tokenizer.json", "config.json"):
        assert manifest["files"][name] == export.sha256(out / name)
    io = export.graph_io(export.cache_layers(model))
    for name, graph in manifest["graphs"].items():
        assert graph["cache_layers"] == {"prelude": 1, "core": 2, "coda": 1}[name]
        assert (graph["inputs"], graph["outputs"]) == io[name]


@pytest.mark.parametrize("r", [1, 4, 6, 10])
def test_onnx_cached_matches_torch_uncached_padded_and_unpadded(package, r):
    model, out = package
    worst = export.parity(model, out, [r], export.PARITY_PROMPTS)
    assert worst <= export.PARITY_TOLERANCE


def test_graph_io_names_and_dynamic_axes(package):
    import onnx

    model, out = package
    io = export.graph_io(export.cache_layers(model))
    assert io["core"] == (
        ["embedded", "state", "attention_mask", "position_ids"]
        + ["past_key.0", "past_value.0", "past_key.1", "past_value.1"],
        ["next_state", "present_key.0", "present_value.0", "present_key.1", "present_value.1"],
    )
    for name, (inputs, outputs) in io.items():
        graph = onnx.load(str(out / f"{name}.onnx")).graph
        assert [i.name for i in graph.input] == inputs
        assert [o.name for o in graph.output] == outputs
        for value in list(graph.input) + list(graph.output):
            dims = value.type.tensor_type.shape.dim
            axes = [d.dim_param for d in dims[:2]]
            assert axes == list(export.dynamic_axes(value.name).values()), value.name
            if value.name.startswith(("past_", "present_")):
                assert dims[2].dim_value == 32


def test_batched_onnx_runs_any_batch_past_and_length(package):
    _, out = package
    loop = export.OnnxLoop(out)
    rng = np.random.default_rng(0)
    for batch, seq, past_slot in ((1, 3, True), (5, 17, False), (2, 1, True)):
        cache = loop.start(batch, past_slot)
        for s in (seq, 1, 2):  # prefill, then calls with a growing past
            ids = rng.integers(4, task.VOCAB_SIZE, (batch, s))
            logits = cache.step(ids, np.ones_like(ids), [2] * batch)
            assert logits.shape == (batch, s, task.VOCAB_SIZE)
        total = seq + 3 + int(past_slot)
        assert cache.mask.shape == (batch, total)
        assert len(cache.core) == 2
        for kv in cache.core[1] + cache.caches["prelude"] + cache.caches["coda"]:
            assert kv.shape == (batch, total, 32)


def test_a_masked_dummy_past_slot_equals_no_past(package):
    """The Java runtime always passes P >= 1: one zero column with mask 0 must change nothing."""
    _, out = package
    loop = export.OnnxLoop(out)
    encoded = [task.encode(p) for p in export.PARITY_PROMPTS]
    a = loop.generate(encoded, 4, 4, eos_id=None, past_slot=True)
    b = loop.generate(encoded, 4, 4, eos_id=None, past_slot=False)
    assert a.tokens == b.tokens
    for la, lb in zip(a.logits, b.logits, strict=True):
        np.testing.assert_allclose(np.stack(la), np.stack(lb), atol=1e-6, rtol=0)


# Core steps per call (prefill first), per row: rows exit at different steps, later tokens
# run both fewer and more steps than earlier ones, so slots are filled forward and created.
FILL_FORWARD_STEPS = [[3, 5, 2], [6, 1, 4], 2, [1, 7, 3], [4, 4, 8]]


def test_fill_forward_onnx_matches_the_torch_cached_helper(package):
    model, out = package
    encoded = [task.encode(p) for p in export.PARITY_PROMPTS]
    loop = export.OnnxLoop(out)
    got = loop.generate(encoded, FILL_FORWARD_STEPS, 5, eos_id=None)
    ref = generate_cached(model, encoded, FILL_FORWARD_STEPS, 5)
    assert got.tokens == ref.tokens
    for g, r in zip(got.logits, ref.logits, strict=True):
        np.testing.assert_allclose(np.stack(g), torch.stack(r).numpy(), atol=1e-4, rtol=0)
    # Each row alone with its own step counts gets the same: exit is per row, not per batch.
    for row, ids in enumerate(encoded):
        own = [c if isinstance(c, int) else c[row] for c in FILL_FORWARD_STEPS]
        alone = loop.generate([ids], own, 5, eos_id=None)
        assert alone.tokens[0] == got.tokens[row]
        np.testing.assert_allclose(
            np.stack(alone.logits[0]), np.stack(got.logits[row]), atol=1e-4, rtol=0
        )
    # And the step counts matter: the same tokens at a fixed r give other logits.
    fixed = generate_cached(model, encoded, 4, 5)
    assert not torch.allclose(torch.stack(fixed.logits[0]), torch.stack(ref.logits[0]), atol=1e-3)


def test_finished_rows_send_pads_and_the_rest_is_unchanged(package):
    """A row that hit <eos> sends a masked pad per call; the other rows must not notice."""
    _, out = package
    loop = export.OnnxLoop(out)
    encoded = [task.encode(p) for p in export.PARITY_PROMPTS]
    free = loop.generate(encoded, 4, 4, eos_id=None)
    eos = free.tokens[0][0]  # pretend row 0's first token is <eos>
    got = loop.generate(encoded, 4, 4, eos_id=eos)
    assert got.tokens[0] == [eos]
    for row in range(len(encoded)):
        alone = loop.generate([encoded[row]], 4, 4, eos_id=eos)
        assert got.tokens[row] == alone.tokens[0]
        np.testing.assert_allclose(
            np.stack(got.logits[row]), np.stack(alone.logits[0]), atol=1e-4, rtol=0
        )


class HuginnStyle(nn.Module):
    """A module that only shares Huginn's checkpoint layout, not our class."""

    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(cfg.vocab_size, cfg.d_model),
                prelude=nn.ModuleList([SandwichBlock(cfg), SandwichBlock(cfg)]),
                adapter=nn.Linear(2 * cfg.d_model, cfg.d_model, bias=False),
                core_block=nn.ModuleList([SandwichBlock(cfg) for _ in range(3)]),
                coda=nn.ModuleList([SandwichBlock(cfg)]),
                ln_f=RMSNorm(cfg.d_model, cfg.norm_eps),
            )
        )
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.emb_scale = math.sqrt(cfg.d_model)


def test_exports_any_module_with_the_huginn_layout(tmp_path, tiny_config):
    torch.manual_seed(2)
    module = HuginnStyle(tiny_config).eval()
    for p in module.parameters():  # random, not the default init, so nothing is trivially zero
        nn.init.normal_(p, std=0.2)
    manifest = export.export_package(module, tmp_path, name="huginn-tiny", version="0")
    assert {n: g["cache_layers"] for n, g in manifest["graphs"].items()} == {
        "prelude": 2,
        "core": 3,
        "coda": 1,
    }
    assert manifest["graphs"]["prelude"]["outputs"][-1] == "present_value.1"
    assert export.parity(module, tmp_path, [1, 4, 10], export.PARITY_PROMPTS) <= 1e-4


def test_layout_check_names_what_is_missing(tiny_config):
    module = HuginnStyle(tiny_config)
    del module.lm_head
    with pytest.raises(ValueError, match="lm_head"):
        export.export_graphs(module, None)
