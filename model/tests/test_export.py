import json
import math

import jsonschema
import numpy as np
import pytest
import torch
from torch import nn

from loopmodel import export, task
from loopmodel.model import RMSNorm, SandwichBlock

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
    _, out = package
    manifest = json.loads((out / "model.json").read_text())
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))
    for name in ("prelude.onnx", "core.onnx", "coda.onnx", "tokenizer.json", "config.json"):
        assert manifest["files"][name] == export.sha256(out / name)


@pytest.mark.parametrize("r", [1, 4, 6, 10])
def test_onnx_matches_torch_padded_and_unpadded(package, r):
    model, out = package
    worst = export.parity(model, out, [r], export.PARITY_PROMPTS)
    assert worst <= export.PARITY_TOLERANCE


def test_graph_io_names_and_dynamic_axes(package):
    import onnx

    _, out = package
    for name, (inputs, outputs) in export.GRAPH_IO.items():
        graph = onnx.load(str(out / f"{name}.onnx")).graph
        assert [i.name for i in graph.input] == inputs
        assert [o.name for o in graph.output] == outputs
        dims = graph.input[0].type.tensor_type.shape.dim
        assert dims[0].dim_param == "batch" and dims[1].dim_param == "sequence"


def test_batched_onnx_runs_any_batch_and_length(package):
    _, out = package
    loop = export.OnnxLoop(out)
    for batch, seq in ((1, 3), (5, 17)):
        ids = np.random.default_rng(0).integers(4, task.VOCAB_SIZE, (batch, seq))
        logits = loop.run(ids, np.ones_like(ids), 2)
        assert logits.shape == (batch, seq, task.VOCAB_SIZE)


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
    export.export_package(module, tmp_path, name="huginn-tiny", version="0")
    assert export.parity(module, tmp_path, [1, 4, 10], export.PARITY_PROMPTS) <= 1e-4


def test_layout_check_names_what_is_missing(tiny_config):
    module = HuginnStyle(tiny_config)
    del module.lm_head
    with pytest.raises(ValueError, match="lm_head"):
        export.export_graphs(module, None)
