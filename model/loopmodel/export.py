"""Export a looped transformer as a loopserve model package (docs/model-package.md).

    python -m loopmodel.export --run runs/demo --out ../models/loop-demo [--r-default 8]

Writes prelude.onnx, core.onnx and coda.onnx (dynamic batch and sequence axes),
tokenizer.json, config.json and model.json with the sha256 of every file, then
checks ONNX Runtime against PyTorch: max |delta logits| <= 1e-4 for r in
{1, 4, default, max}, padded and unpadded.

Any module laid out as Huginn's checkpoints are works: attributes
`transformer.{wte, prelude, adapter, core_block, coda, ln_f}` and `lm_head`, with
blocks called as `block(x, ctx)` (see model.SandwichBlock) and a `config`
carrying head_dim / rope_base / d_model. The recurrence loop stays outside the
graphs so the Java runtime decides r, exit and batching per request and step.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import Tensor, nn

from . import task
from .config import LoopConfig
from .model import LoopedTransformer, attention_context, positions_from_mask
from .tokenizer import write_tokenizer

OPSET = 18
PARITY_TOLERANCE = 1e-4

GRAPH_IO = {
    "prelude": (["input_ids", "attention_mask", "position_ids"], ["embedded"]),
    "core": (["embedded", "state", "attention_mask", "position_ids"], ["next_state"]),
    "coda": (["state", "attention_mask", "position_ids"], ["logits"]),
}


def _context(module: nn.Module, attention_mask: Tensor, position_ids: Tensor):
    cfg = module.config
    return attention_context(attention_mask, position_ids, cfg.head_dim, cfg.rope_base)


class PreludeGraph(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.m = module
        self.scale = getattr(module, "emb_scale", math.sqrt(module.config.d_model))

    def forward(self, input_ids: Tensor, attention_mask: Tensor, position_ids: Tensor) -> Tensor:
        ctx = _context(self.m, attention_mask, position_ids)
        x = self.m.transformer.wte(input_ids) * self.scale  # [B, S, D]
        for block in self.m.transformer.prelude:
            x = block(x, ctx)
        return x


class CoreGraph(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.m = module

    def forward(
        self, embedded: Tensor, state: Tensor, attention_mask: Tensor, position_ids: Tensor
    ) -> Tensor:
        ctx = _context(self.m, attention_mask, position_ids)
        x = self.m.transformer.adapter(torch.cat((state, embedded), dim=-1))  # [B, S, D]
        for block in self.m.transformer.core_block:
            x = block(x, ctx)
        return x


class CodaGraph(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.m = module

    def forward(self, state: Tensor, attention_mask: Tensor, position_ids: Tensor) -> Tensor:
        ctx = _context(self.m, attention_mask, position_ids)
        x = state
        for block in self.m.transformer.coda:
            x = block(x, ctx)
        return self.m.lm_head(self.m.transformer.ln_f(x))  # [B, S, V]


def check_layout(module: nn.Module) -> None:
    missing = [
        name
        for name in ("wte", "prelude", "adapter", "core_block", "coda", "ln_f")
        if not hasattr(module.transformer, name)
    ]
    if not hasattr(module, "lm_head"):
        missing.append("lm_head")
    if missing:
        raise ValueError(f"module lacks the Huginn layout: missing {missing}")


def _sample_inputs(cfg, batch: int = 2, seq: int = 7):
    ids = torch.randint(4, cfg.vocab_size, (batch, seq))
    mask = torch.ones(batch, seq, dtype=torch.long)
    mask[0, :2] = 0  # a left-padded row so the mask path is traced, not folded away
    pos = positions_from_mask(mask)
    state = torch.randn(batch, seq, cfg.d_model)
    return ids, mask, pos, state


def export_graphs(module: nn.Module, out: Path) -> None:
    check_layout(module)
    module.eval()
    cfg = module.config
    ids, mask, pos, state = _sample_inputs(cfg)
    bs = {0: "batch", 1: "sequence"}
    graphs = {
        "prelude": (PreludeGraph(module), (ids, mask, pos)),
        "core": (CoreGraph(module), (state, state, mask, pos)),
        "coda": (CodaGraph(module), (state, mask, pos)),
    }
    for name, (graph, args) in graphs.items():
        inputs, outputs = GRAPH_IO[name]
        path = out / f"{name}.onnx"
        with torch.no_grad():
            torch.onnx.export(
                graph,
                args,
                str(path),
                input_names=inputs,
                output_names=outputs,
                dynamic_axes={n: bs for n in inputs + outputs},
                opset_version=OPSET,
                dynamo=False,
                do_constant_folding=True,
            )
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
        onnx.save(model, str(path))  # weights inline: one self-contained file per graph


def _run_torch(module, ids, mask, r: int) -> np.ndarray:
    pos = positions_from_mask(mask)
    with torch.no_grad():
        ctx = _context(module, mask, pos)
        e = PreludeGraph(module)(ids, mask, pos)
        s = torch.zeros_like(e)
        core = CoreGraph(module)
        for _ in range(r):
            s = core(e, s, mask, pos)
        del ctx
        return CodaGraph(module)(s, mask, pos).numpy()


class OnnxLoop:
    """The recurrence loop over the three exported graphs, as the Java runtime runs it."""

    def __init__(self, package: Path, threads: int = 1) -> None:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        self.sessions = {
            name: ort.InferenceSession(
                str(package / f"{name}.onnx"), opts, ["CPUExecutionProvider"]
            )
            for name in GRAPH_IO
        }

    def run(self, ids: np.ndarray, mask: np.ndarray, r: int, s0: np.ndarray | None = None):
        """Returns (logits [B, S, V] after r steps, states after each step)."""
        pos = positions_from_mask(torch.from_numpy(mask)).numpy()
        (e,) = self.sessions["prelude"].run(
            None, {"input_ids": ids, "attention_mask": mask, "position_ids": pos}
        )
        s = np.zeros_like(e) if s0 is None else s0
        for _ in range(r):
            (s,) = self.sessions["core"].run(
                None, {"embedded": e, "state": s, "attention_mask": mask, "position_ids": pos}
            )
        (logits,) = self.sessions["coda"].run(
            None, {"state": s, "attention_mask": mask, "position_ids": pos}
        )
        return logits


def parity(module: nn.Module, package: Path, rs: list[int], prompts: list[str]) -> float:
    """Max |ORT - torch| over real positions, for each r, unpadded and left/right padded."""
    loop = OnnxLoop(package)
    worst = 0.0
    encoded = [task.encode(p) for p in prompts]
    seq = max(len(e) for e in encoded)
    for r in rs:
        # Unpadded, one prompt at a time.
        for ids in encoded:
            t_ids = torch.tensor([ids])
            t_mask = torch.ones_like(t_ids)
            ref = _run_torch(module, t_ids, t_mask, r)
            got = loop.run(t_ids.numpy(), t_mask.numpy(), r)
            worst = max(worst, float(np.abs(ref - got).max()))
        # Padded batches: ORT batched vs torch unpadded, compared at real positions.
        for side in ("left", "right"):
            b_ids = np.full((len(encoded), seq), task.PAD_ID, dtype=np.int64)
            b_mask = np.zeros_like(b_ids)
            for row, ids in enumerate(encoded):
                sl = slice(seq - len(ids), seq) if side == "left" else slice(0, len(ids))
                b_ids[row, sl] = ids
                b_mask[row, sl] = 1
            got = loop.run(b_ids, b_mask, r)
            for row, ids in enumerate(encoded):
                sl = slice(seq - len(ids), seq) if side == "left" else slice(0, len(ids))
                ref = _run_torch(
                    module, torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long), r
                )
                worst = max(worst, float(np.abs(ref[0] - got[row, sl]).max()))
    return worst


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(
    package: Path,
    cfg: LoopConfig,
    name: str,
    version: str,
    r_default: int,
    exit_thresholds: dict,
    description: str,
) -> dict:
    files = sorted(
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.name != "model.json"
    )
    manifest = {
        "schema_version": 1,
        "name": name,
        "version": version,
        "family": "recurrent-depth",
        "description": description,
        "vocab_size": cfg.vocab_size,
        "special_tokens": {
            "pad": task.PAD_ID,
            "bos": task.BOS_ID,
            "eos": task.EOS_ID,
            "unk": task.UNK_ID,
        },
        "max_context": cfg.max_context,
        "hidden_size": cfg.d_model,
        # Serving starts from zeros so greedy answers are reproducible; the model was
        # trained from random starts too, and sigma is what a random start uses.
        "state_init": {"kind": "zeros", "sigma": cfg.state_sigma},
        "recurrence": {
            "min": cfg.r_min,
            "default": r_default,
            "max": cfg.r_max,
            "train_mean": cfg.r_train_mean,
        },
        "exit": exit_thresholds,
        "graphs": {
            name_: {"file": f"{name_}.onnx", "inputs": io[0], "outputs": io[1]}
            for name_, io in GRAPH_IO.items()
        },
        "tokenizer": "tokenizer.json",
        "chat_template": None,
        "files": {f: sha256(package / f) for f in files},
    }
    if (package / "eval.json").exists():
        manifest["eval"] = "eval.json"
    (package / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_run(run: Path) -> LoopedTransformer:
    cfg = LoopConfig.load(run / "config.json")
    model = LoopedTransformer(cfg)
    weights = run / "weights.pt"
    if weights.exists():
        model.load_state_dict(torch.load(weights, weights_only=True))
    else:
        model.load_state_dict(torch.load(run / "ckpt.pt", weights_only=False)["model"])
    model.eval()
    return model


PARITY_PROMPTS = ["a=3;b=a+4;c=b*2;c?", "x=7;y=x-9;y?", "q=1;w=q*3;e=w+8;r=e-2;t=r*7;t?"]


def export_package(
    model: nn.Module,
    out: Path,
    *,
    name: str,
    version: str,
    r_default: int | None = None,
    exit_thresholds: dict | None = None,
    description: str = "",
) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    cfg = model.config
    r_default = r_default or cfg.r_default
    export_graphs(model, out)
    write_tokenizer(out / "tokenizer.json")
    cfg.save(out / "config.json")
    if isinstance(model, LoopedTransformer):
        # Beside its config, so the PyTorch reference (loopmodel.bench) runs from the package.
        torch.save(model.state_dict(), out / "weights.pt")
    worst = parity(model, out, sorted({1, 4, r_default, cfg.r_max}), PARITY_PROMPTS)
    if worst > PARITY_TOLERANCE:
        raise SystemExit(
            f"ONNX parity failed: max |delta logits| = {worst:.3g} > {PARITY_TOLERANCE}"
        )
    manifest = write_manifest(
        out,
        cfg,
        name,
        version,
        r_default,
        exit_thresholds or {"state_delta": 0.0, "kl": 0.0},
        description,
    )
    print(json.dumps({"package": str(out), "parity_max_abs_diff": worst}), flush=True)
    return manifest


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--run", type=Path, required=True, help="training output dir (config.json + weights)"
    )
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--name", default="loop-demo")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--r-default", type=int)
    p.add_argument("--exit-state-delta", type=float, default=0.0)
    p.add_argument("--exit-kl", type=float, default=0.0)
    p.add_argument(
        "--description", default="Looped transformer trained on multi-hop variable chains"
    )
    ns = p.parse_args(argv)
    torch.set_num_threads(1)
    export_package(
        load_run(ns.run),
        ns.out,
        name=ns.name,
        version=ns.version,
        r_default=ns.r_default,
        exit_thresholds={"state_delta": ns.exit_state_delta, "kl": ns.exit_kl},
        description=ns.description,
    )


if __name__ == "__main__":
    main()
