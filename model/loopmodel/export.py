"""Export a looped transformer as a loopserve model package (docs/model-package.md).

    python -m loopmodel.export --run runs/demo --out ../models/loop-demo [--r-default 8]

Writes prelude.onnx, core.onnx and coda.onnx, tokenizer.json, config.json and
model.json (schema_version 2) with the sha256 of every file, then checks ONNX
Runtime against PyTorch: greedy generation with the KV cache on ORT (OnnxLoop,
the loop the Java runtime runs) against PyTorch recomputing the whole sequence
for every token, max |delta logits| <= 1e-4 for every generated token, for r in
{1, 4, default, max}, single prompts and a left-padded batch.

Each graph computes S new positions given the keys/values of P cached ones:

    prelude: input_ids [B,S], attention_mask [B,P+S], position_ids [B,S],
             past_key.l, past_value.l [B,P,D] (l < n_prelude)
             -> embedded [B,S,D], present_key.l, present_value.l [B,S,D]
    core:    embedded, state [B,S,D], attention_mask, position_ids, past_*.l (l < n_core)
             -> next_state [B,S,D], present_*.l
    coda:    state [B,S,D], attention_mask, position_ids, past_*.l (l < n_coda)
             -> logits [B,S,V], present_*.l

Keys are stored after RoPE, heads concatenated along D; present_* hold only the S
new positions. The mask covers the past columns then the new ones; the query of
new position j (column P+j) attends column m iff (mask[m] = 1 and m <= P+j) or
m = P+j. Dynamic axes: batch, past, sequence, total (= P+S, the mask's).

Any module laid out as Huginn's checkpoints are works: attributes
`transformer.{wte, prelude, adapter, core_block, coda, ln_f}` and `lm_head`, with
blocks called as `block(x, ctx, cache)` (see model.SandwichBlock, model.KVCache)
and a `config` carrying head_dim / n_heads / rope_base / d_model. The recurrence loop
stays outside the graphs so the Java runtime decides r, exit and batching per request
and step; it keeps one core cache per recurrence step (see OnnxLoop).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import Tensor, nn

from . import task
from .config import LoopConfig
from .model import (
    ExitRule,
    Generation,
    KVCache,
    LoopedTransformer,
    StepPlan,
    attention_context,
    greedy_decode,
    left_pad,
    positions_from_mask,
)
from .tokenizer import write_tokenizer

OPSET = 18
PARITY_TOLERANCE = 1e-4
SCHEMA_VERSION = 2

GRAPHS = ("prelude", "core", "coda")
BASE_IO = {
    "prelude": (["input_ids", "attention_mask", "position_ids"], ["embedded"]),
    "core": (["embedded", "state", "attention_mask", "position_ids"], ["next_state"]),
    "coda": (["state", "attention_mask", "position_ids"], ["logits"]),
}
STAGE = {"prelude": "prelude", "core": "core_block", "coda": "coda"}


def cache_layers(module: nn.Module) -> dict[str, int]:
    """Attention layers per graph: the number of past/present K/V pairs it carries."""
    return {name: len(getattr(module.transformer, STAGE[name])) for name in GRAPHS}


def cache_names(kind: str, layers: int) -> list[str]:
    """kind 'past' or 'present' -> [kind_key.0, kind_value.0, kind_key.1, ...]."""
    return [f"{kind}_{kv}.{layer}" for layer in range(layers) for kv in ("key", "value")]


def graph_io(layers: dict[str, int]) -> dict[str, tuple[list[str], list[str]]]:
    """Input and output names of each graph, given cache_layers()."""
    return {
        name: (
            BASE_IO[name][0] + cache_names("past", layers[name]),
            BASE_IO[name][1] + cache_names("present", layers[name]),
        )
        for name in GRAPHS
    }


def dynamic_axes(name: str) -> dict[int, str]:
    if name == "attention_mask":
        return {0: "batch", 1: "total"}
    if name.startswith("past_"):
        return {0: "batch", 1: "past"}
    return {0: "batch", 1: "sequence"}


def _context(module: nn.Module, attention_mask: Tensor, position_ids: Tensor):
    cfg = module.config
    return attention_context(attention_mask, position_ids, cfg.head_dim, cfg.rope_base, cfg.n_heads)


def _blocks(blocks, x: Tensor, ctx, past: tuple[Tensor, ...]) -> tuple[Tensor, list[Tensor]]:
    """x [B,S,D] through blocks; past = (k0, v0, k1, v1, ...) [B,P,D] -> (x, presents [B,S,D])."""
    presents: list[Tensor] = []
    for layer, block in enumerate(blocks):
        cache = KVCache(past[2 * layer], past[2 * layer + 1])
        x = block(x, ctx, cache)
        presents += [cache.present_key, cache.present_value]
    return x, presents


class PreludeGraph(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.m = module
        self.scale = getattr(module, "emb_scale", math.sqrt(module.config.d_model))

    def forward(
        self, input_ids: Tensor, attention_mask: Tensor, position_ids: Tensor, *past: Tensor
    ) -> tuple[Tensor, ...]:
        ctx = _context(self.m, attention_mask, position_ids)
        x = self.m.transformer.wte(input_ids) * self.scale  # [B, S, D]
        x, presents = _blocks(self.m.transformer.prelude, x, ctx, past)
        return (x, *presents)


class CoreGraph(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.m = module

    def forward(
        self,
        embedded: Tensor,
        state: Tensor,
        attention_mask: Tensor,
        position_ids: Tensor,
        *past: Tensor,
    ) -> tuple[Tensor, ...]:
        ctx = _context(self.m, attention_mask, position_ids)
        x = self.m.transformer.adapter(torch.cat((state, embedded), dim=-1))  # [B, S, D]
        x, presents = _blocks(self.m.transformer.core_block, x, ctx, past)
        return (x, *presents)


class CodaGraph(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.m = module

    def forward(
        self, state: Tensor, attention_mask: Tensor, position_ids: Tensor, *past: Tensor
    ) -> tuple[Tensor, ...]:
        ctx = _context(self.m, attention_mask, position_ids)
        x, presents = _blocks(self.m.transformer.coda, state, ctx, past)
        return (self.m.lm_head(self.m.transformer.ln_f(x)), *presents)  # [B, S, V], ...


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


def _sample_inputs(cfg, batch: int = 2, past: int = 3, seq: int = 4):
    """Distinct P, S and P+S, and pads in both parts, so nothing is folded into a constant."""
    ids = torch.randint(4, cfg.vocab_size, (batch, seq))
    mask = torch.ones(batch, past + seq, dtype=torch.long)
    mask[0, :1] = 0  # a left-padded past
    mask[1, past : past + 2] = 0  # a left-padded new part
    pos = positions_from_mask(mask)[:, past:]
    state = torch.randn(batch, seq, cfg.d_model)
    kv = torch.randn(batch, past, cfg.d_model)
    return ids, mask, pos, state, kv


def export_graphs(module: nn.Module, out: Path) -> dict[str, int]:
    """Writes the three graphs; returns cache_layers(module)."""
    check_layout(module)
    module.eval()
    cfg = module.config
    layers = cache_layers(module)
    io = graph_io(layers)
    ids, mask, pos, state, kv = _sample_inputs(cfg)
    graphs = {
        "prelude": (PreludeGraph(module), (ids, mask, pos)),
        "core": (CoreGraph(module), (state, state, mask, pos)),
        "coda": (CodaGraph(module), (state, mask, pos)),
    }
    for name, (graph, args) in graphs.items():
        inputs, outputs = io[name]
        path = out / f"{name}.onnx"
        with torch.no_grad():
            torch.onnx.export(
                graph,
                args + (kv,) * (2 * layers[name]),
                str(path),
                input_names=inputs,
                output_names=outputs,
                dynamic_axes={n: dynamic_axes(n) for n in inputs + outputs},
                opset_version=OPSET,
                dynamo=False,
                do_constant_folding=True,
            )
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
        onnx.save(model, str(path))  # weights inline: one self-contained file per graph
    return layers


def _uncached_logits(module: nn.Module, ids: list[int], r: int) -> np.ndarray:
    """PyTorch, no cache: the whole sequence from scratch, s_0 = 0 -> last position's [V]."""
    t_ids = torch.tensor([ids])
    mask = torch.ones_like(t_ids)
    pos = positions_from_mask(mask)
    with torch.no_grad():
        e, *_ = PreludeGraph(module)(t_ids, mask, pos, *_no_past(module, "prelude"))
        s = torch.zeros_like(e)
        core = CoreGraph(module)
        for _ in range(r):
            s, *_ = core(e, s, mask, pos, *_no_past(module, "core"))
        logits, *_ = CodaGraph(module)(s, mask, pos, *_no_past(module, "coda"))
    return logits[0, -1].numpy()


def _no_past(module: nn.Module, graph: str) -> list[Tensor]:
    empty = torch.zeros(1, 0, module.config.d_model)
    return [empty] * (2 * cache_layers(module)[graph])


class OnnxBatch:
    """One batch's caches over the ONNX graphs: what the Java runtime keeps per batch.

    Per graph and layer, (K, V) [B, T, D] for all T columns so far; the core has one
    such cache per recurrence step (slot i = step i). A call whose row b runs n_b
    steps stores in slot i the K/V of step min(i, n_b) (fill forward); a slot first
    needed by a later call starts as a copy of the last slot. With past_slot, every
    cache starts with one zero column masked out (the runtime never sends P = 0).
    """

    def __init__(self, loop: OnnxLoop, batch: int, past_slot: bool) -> None:
        self.loop = loop
        past = 1 if past_slot else 0
        zeros = np.zeros((batch, past, loop.hidden), dtype=np.float32)
        self.mask = np.zeros((batch, past), dtype=np.int64)  # [B, T]
        self.caches = {name: [zeros] * (2 * n) for name, n in loop.layers.items()}
        self.base = self.caches.pop("core")  # the columns before slot 1 existed
        self.core: list[list[np.ndarray]] = []  # core[i - 1] = slot i: [k0, v0, k1, v1, ...]

    def _run(self, graph: str, feeds: dict, past: list[np.ndarray]):
        feeds |= dict(zip(self.loop.io[graph][0][len(feeds) :], past, strict=True))
        out, *presents = self.loop.sessions[graph].run(None, feeds)
        return out, presents

    def step(
        self,
        ids: np.ndarray,
        new_mask: np.ndarray,
        steps: Sequence[int] | None = None,
        exit: ExitRule | None = None,
    ) -> np.ndarray:
        """ids, new_mask [B, S] int64 -> logits [B, S, V]. Either steps[b] >= 1 core steps
        per row or an ExitRule (model.StepPlan); self.plan then holds the steps run."""
        mask = np.concatenate((self.mask, new_mask), axis=1)  # [B, P+S]
        pos = positions_from_mask(torch.from_numpy(mask)).numpy()[:, self.mask.shape[1] :]
        common = {"attention_mask": mask, "position_ids": pos}

        e, presents = self._run("prelude", {"input_ids": ids, **common}, self.caches["prelude"])
        self._append("prelude", presents)

        plan = StepPlan(len(ids), steps, exit, (new_mask[:, -1] != 0).tolist())
        s = np.zeros_like(e)
        by_step: list[list[np.ndarray]] = []  # [i - 1]: new positions' K/V at step i
        i = 0
        while any(plan.active):
            i += 1
            if len(self.core) < i:
                self.core.append(list(self.core[-1] if self.core else self.base))
            s_i, presents = self._run(
                "core", {"embedded": e, "state": s, **common}, self.core[i - 1]
            )
            ran = np.asarray(plan.active).reshape(-1, 1, 1)  # others keep their state and K/V
            plan.after_step(i, s_i[:, -1], s[:, -1])
            s = np.where(ran, s_i, s)
            if by_step:
                presents = [np.where(ran, p, q) for p, q in zip(presents, by_step[-1], strict=True)]
            by_step.append(presents)
        for slot, cache in enumerate(self.core):
            new = by_step[min(slot, len(by_step) - 1)]
            self.core[slot] = [np.concatenate(x, axis=1) for x in zip(cache, new, strict=True)]
        self.plan = plan

        logits, presents = self._run("coda", {"state": s, **common}, self.caches["coda"])
        self._append("coda", presents)
        self.mask = mask
        return logits

    def _append(self, graph: str, presents: list[np.ndarray]) -> None:
        cache = self.caches[graph]
        self.caches[graph] = [np.concatenate(x, axis=1) for x in zip(cache, presents, strict=True)]


class OnnxLoop:
    """The cached recurrence loop over the three exported graphs, as the Java runtime runs it."""

    def __init__(self, package: Path, threads: int = 1) -> None:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        self.sessions = {
            name: ort.InferenceSession(
                str(package / f"{name}.onnx"), opts, ["CPUExecutionProvider"]
            )
            for name in GRAPHS
        }
        self.layers = {
            name: sum(i.name.startswith("past_key.") for i in sess.get_inputs())
            for name, sess in self.sessions.items()
        }
        self.io = graph_io(self.layers)
        self.hidden = int(self.sessions["core"].get_inputs()[1].shape[2])

    def start(self, batch: int, past_slot: bool = True) -> OnnxBatch:
        return OnnxBatch(self, batch, past_slot)

    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        steps: int | Sequence[int | Sequence[int]] | None,
        max_tokens: int,
        *,
        eos_id: int | None = task.EOS_ID,
        past_slot: bool = True,
        exit: ExitRule | None = None,
    ) -> Generation:
        """Greedy, s_0 = 0, prompts left-padded into one batch: prefill, then one call per
        token (a finished row sends a pad, mask 0). steps: model.steps_for_call, or None
        with an ExitRule deciding each token's steps (as model.generate_cached)."""
        ids, mask = (t.numpy() for t in left_pad(prompts, task.PAD_ID))
        batch = self.start(len(prompts), past_slot)
        return greedy_decode(batch, ids, mask, steps, max_tokens, task.PAD_ID, eos_id, exit, _int64)


def _int64(rows: list[list[int]]) -> np.ndarray:
    return np.array(rows, dtype=np.int64)


def parity(
    module: nn.Module,
    package: Path,
    rs: list[int],
    prompts: list[str],
    max_tokens: int = 4,
    past_slot: bool = True,
) -> float:
    """Max |ORT - torch| over the logits of every generated token, for each r.

    ORT: cached greedy generation (OnnxLoop), each prompt alone and all of them as one
    left-padded batch. PyTorch: the whole sequence (prompt + tokens so far) recomputed
    without a cache for each token. No stop at <eos>, so every prompt decodes
    max_tokens tokens.
    """
    loop = OnnxLoop(package)
    worst = 0.0
    encoded = [task.encode(p) for p in prompts]
    for r in rs:
        runs = [
            ([ids], loop.generate([ids], r, max_tokens, eos_id=None, past_slot=past_slot))
            for ids in encoded
        ]
        runs.append(
            (encoded, loop.generate(encoded, r, max_tokens, eos_id=None, past_slot=past_slot))
        )
        for rows, got in runs:
            for row, ids in enumerate(rows):
                assert len(got.tokens[row]) == max_tokens
                for t, logits in enumerate(got.logits[row]):
                    ref = _uncached_logits(module, ids + got.tokens[row][:t], r)
                    worst = max(worst, float(np.abs(ref - logits).max()))
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
    layers: dict[str, int] | None = None,
) -> dict:
    """layers: cache_layers() of the exported module (default: the config's counts)."""
    layers = layers or {"prelude": cfg.n_prelude, "core": cfg.n_core, "coda": cfg.n_coda}
    files = sorted(
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.name != "model.json"
    )
    manifest = {
        "schema_version": SCHEMA_VERSION,
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
            name_: {
                "file": f"{name_}.onnx",
                "inputs": io[0],
                "outputs": io[1],
                "cache_layers": layers[name_],
            }
            for name_, io in graph_io(layers).items()
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
    layers = export_graphs(model, out)
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
        layers,
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
