"""Train a looped transformer on multi-hop chains.

    python -m loopmodel.train --out runs/demo              # the shipped model (about 1-2 h)
    python -m loopmodel.train --out runs/demo --resume     # continue from runs/demo/ckpt.pt
    python -m loopmodel.train --out /tmp/q --quick         # CI smoke run, well under a minute

Recipe, after Huginn-0125: every step samples its recurrence count r from a
log-normal Poisson around the mean, and backpropagates only through the last k
recurrences. A curriculum widens the hop range once the model solves the
current frontier, and every `;` carries a label (see task.py).

Determinism: the batch and r of step n depend only on (seed, n), and the
checkpoint holds model, optimiser and curriculum state, so a resumed run
continues exactly where an uninterrupted one would be.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from . import task
from .config import LoopConfig
from .model import LoopedTransformer, positions_from_mask


@dataclass
class TrainArgs:
    out: Path
    steps: int = 4500
    max_minutes: float = 0.0  # 0 = no wall-clock limit; else stop (and save) after this long
    stop_at: int = 0  # 0 = run to `steps`; else stop (and save) here, as an interruption would
    batch: int = 64
    lr: float = 2e-3
    warmup: int = 200
    weight_decay: float = 0.05
    seed: int = 1
    train_hops: int = 8
    start_hops: int = 2
    advance_at: float = 0.85
    backprop_steps: int = 3
    r_cap: int = 20
    r_sigma: float = 0.5
    log_every: int = 25
    ckpt_every: int = 200
    threads: int = 2
    resume: bool = False


def sample_recurrence(rng: random.Random, mean: float, sigma: float, cap: int) -> int:
    """Log-normal Poisson as in the Huginn recipe: heavy-tailed, mean about `mean`."""
    tau = rng.gauss(math.log(max(mean - 1.0, 1e-3)) - 0.5 * sigma * sigma, sigma)
    lam = math.exp(tau)
    # Knuth's method is exact and cheap for the small rates used here.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            break
        k += 1
    return max(1, min(cap, k + 1))


def sample_hops(rng: random.Random, level: int) -> int:
    # Half the batch sits on the frontier of the curriculum, half anywhere below it.
    return level if rng.random() < 0.5 else rng.randint(1, level)


def lr_at(step: int, args: TrainArgs) -> float:
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    return args.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def step_data(args: TrainArgs, cfg: LoopConfig, step: int, level: int):
    rng = random.Random(f"train-{args.seed}-{step}")
    chains = [task.make_chain(rng, sample_hops(rng, level)) for _ in range(args.batch)]
    r = sample_recurrence(rng, cfg.r_train_mean, args.r_sigma, args.r_cap)
    return task.collate(chains), r


def initial_states(model: LoopedTransformer, like: torch.Tensor, step: int, seed: int):
    """Mostly random s_0 (robustness to any start), a quarter zeros (the serving default)."""
    gen = torch.Generator().manual_seed(seed * 1_000_003 + step)
    s = model.initial_state(like, kind="truncated_normal", generator=gen)
    keep = (torch.rand(like.shape[0], 1, 1, generator=gen) >= 0.25).to(like.dtype)
    return s * keep


def save_checkpoint(path: Path, model, optimizer, state: dict, cfg: LoopConfig) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "state": state,
            "config": cfg.to_dict(),
        },
        tmp,
    )
    tmp.replace(path)


def train(args: TrainArgs, cfg: LoopConfig) -> dict:
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path = args.out / "ckpt.pt"

    model = LoopedTransformer(cfg)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": args.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=args.lr,
        betas=(0.9, 0.98),
    )
    state = {"step": 0, "level": args.start_hops, "frontier_acc": 0.0, "losses": []}
    if args.resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, weights_only=False)
        if LoopConfig.from_dict(ckpt["config"]) != cfg:
            raise SystemExit(f"{ckpt_path} was trained with a different config")
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        state = ckpt["state"]
        print(f"resumed at step {state['step']} (hops level {state['level']})", flush=True)
    cfg.save(args.out / "config.json")

    log = (args.out / "train.log.jsonl").open("a")
    started = time.monotonic()
    window_loss, window_n, window_t = 0.0, 0, time.monotonic()
    model.train()
    while state["step"] < args.steps:
        step = state["step"]
        batch, r = step_data(args, cfg, step, state["level"])
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args)

        ctx = model.context(batch.attention_mask, positions_from_mask(batch.attention_mask))
        e = model.embed(batch.input_ids, ctx)
        s = initial_states(model, e.detach(), step, args.seed)
        k = min(args.backprop_steps, r)
        with torch.no_grad():
            for _ in range(r - k):
                s = model.core_step(e, s, ctx)
        for _ in range(k):
            s = model.core_step(e, s, ctx)
        logits = model.decode(s, ctx)  # [B, S, V]
        loss = F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            batch.targets.reshape(-1),
            ignore_index=task.IGNORE,
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

        with torch.no_grad():
            rows = torch.arange(batch.input_ids.shape[0])
            correct = logits[rows, batch.query_pos].argmax(-1) == batch.answers
            frontier = batch.hops == state["level"]
            if r >= cfg.r_train_mean and frontier.any():
                acc = correct[frontier].float().mean().item()
                state["frontier_acc"] = 0.9 * state["frontier_acc"] + 0.1 * acc
        if state["frontier_acc"] >= args.advance_at and state["level"] < args.train_hops:
            state["level"] += 1
            state["frontier_acc"] = 0.0

        state["step"] = step + 1
        window_loss += loss.item()
        window_n += 1
        if state["step"] % args.log_every == 0 or state["step"] == args.steps:
            now = time.monotonic()
            record = {
                "step": state["step"],
                "loss": round(window_loss / window_n, 4),
                "r": r,
                "level": state["level"],
                "frontier_acc": round(state["frontier_acc"], 3),
                "lr": round(lr_at(step, args), 6),
                "sec_per_step": round((now - window_t) / window_n, 3),
                "elapsed_min": round((now - started) / 60, 1),
            }
            state["losses"].append(record["loss"])
            print(json.dumps(record), flush=True)
            log.write(json.dumps(record) + "\n")
            log.flush()
            window_loss, window_n, window_t = 0.0, 0, now
        out_of_time = (
            bool(args.max_minutes) and (time.monotonic() - started) / 60 >= args.max_minutes
        )
        out_of_time |= state["step"] == args.stop_at
        if state["step"] % args.ckpt_every == 0 or state["step"] == args.steps or out_of_time:
            save_checkpoint(ckpt_path, model, optimizer, state, cfg)
        if out_of_time:
            print(f"stopping at step {state['step']} before the schedule ends", flush=True)
            break
    log.close()
    torch.save(model.state_dict(), args.out / "weights.pt")
    return state


QUICK_CONFIG = LoopConfig(
    vocab_size=task.VOCAB_SIZE,
    d_model=32,
    n_heads=2,
    mlp_hidden=64,
    max_context=64,
    r_default=2,
    r_max=4,
    r_train_mean=2.0,
)
DEMO_CONFIG = LoopConfig(
    vocab_size=task.VOCAB_SIZE,
    d_model=96,
    n_heads=4,
    n_prelude=1,
    n_core=2,
    n_coda=1,
    mlp_hidden=256,
    max_context=128,
    state_init="truncated_normal",
    state_sigma=1.0,
    r_min=1,
    r_default=8,
    r_max=32,
    r_train_mean=6.0,
)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--quick", action="store_true", help="tiny model, few steps (CI smoke test)")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--config", type=Path, help="LoopConfig JSON; default: the demo config")
    for name in (
        "steps",
        "batch",
        "seed",
        "train_hops",
        "start_hops",
        "backprop_steps",
        "r_cap",
        "threads",
        "log_every",
        "ckpt_every",
        "warmup",
        "stop_at",
    ):
        p.add_argument("--" + name.replace("_", "-"), type=int)
    for name in ("lr", "max_minutes", "advance_at"):
        p.add_argument("--" + name.replace("_", "-"), type=float)
    ns = p.parse_args(argv)

    if ns.quick:
        cfg = QUICK_CONFIG
        args = TrainArgs(
            out=ns.out,
            steps=80,
            batch=32,
            train_hops=2,
            start_hops=2,
            warmup=10,
            backprop_steps=2,
            r_cap=4,
            log_every=10,
            ckpt_every=40,
            lr=3e-3,
        )
    else:
        cfg = LoopConfig.load(ns.config) if ns.config else DEMO_CONFIG
        args = TrainArgs(out=ns.out)
    args.resume = ns.resume
    for name in vars(ns):
        if hasattr(args, name) and name not in ("out", "resume") and getattr(ns, name) is not None:
            setattr(args, name, getattr(ns, name))
    state = train(args, cfg)
    print(json.dumps({"finished_step": state["step"], "level": state["level"]}), flush=True)


if __name__ == "__main__":
    main()
