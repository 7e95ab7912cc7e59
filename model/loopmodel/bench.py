"""Baseline (c) for the runtime benchmark: the PyTorch reference model, one request at a time.

    python -m loopmodel.bench --package ../models/loop-demo --threads 1 [--r 8] [--repeat 5]
    python -m loopmodel.bench --workload ../inference-service/target/bench-workload.json

The second form replays the exact workload the Java benchmark wrote (its prompt
ids, r, max tokens and thread count), so (a), (b) and (c) run the same prompts.

Prints one JSON line: tokens/s and core steps/s for greedy decoding of the
package's reference prompts at r (default: the manifest's), with s_0 = 0 and no
adaptive exit, the same work the Java runtime's benchmark does per request: the
prompt once (prefill), then only the new token's position per generated token,
attending the KV cache (one core cache per recurrence step), as
model.generate_cached does.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from . import task
from .config import LoopConfig
from .model import LoopedTransformer, generate_cached


def load_package_model(package: Path) -> LoopedTransformer:
    model = LoopedTransformer(LoopConfig.load(package / "config.json"))
    model.load_state_dict(torch.load(package / "weights.pt", weights_only=True))
    return model.eval()


@torch.no_grad()
def run(
    model: LoopedTransformer,
    prompts: list[list[int]],
    r: int,
    max_tokens: int,
    ignore_eos: bool = False,
) -> tuple[int, int]:
    """Greedy decoding of each prompt (token ids, <bos> first); returns (tokens, core steps).

    ignore_eos generates max_tokens tokens per prompt, for a fixed output length.
    """
    tokens = steps = 0
    eos = None if ignore_eos else task.EOS_ID
    for prompt in prompts:
        out = generate_cached(model, [prompt], r, max_tokens, pad_id=task.PAD_ID, eos_id=eos)
        tokens += len(out.tokens[0])
        steps += r * len(out.tokens[0])
    return tokens, steps


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--package", type=Path)
    p.add_argument(
        "--workload", type=Path, help="bench-workload.json written by the Java benchmark"
    )
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--r", type=int)
    p.add_argument("--max-tokens", type=int, default=4)
    p.add_argument("--repeat", type=int, default=5)
    ns = p.parse_args(argv)
    if ns.workload:
        work = json.loads(ns.workload.read_text())
        package, r, threads = Path(work["model_dir"]), work["r"], work["threads"]
        max_tokens, prompts = work["max_tokens"], work["prompt_ids"]
        ignore_eos = work.get("ignore_eos", False)
    elif ns.package:
        package, threads, max_tokens = ns.package, ns.threads, ns.max_tokens
        manifest = json.loads((package / "model.json").read_text())
        r = ns.r or manifest["recurrence"]["default"]
        reference = json.loads((package / "reference.json").read_text())
        prompts = [task.encode(p) for p in sorted({c["prompt"] for c in reference["cases"]})]
        ignore_eos = False
    else:
        p.error("give --package or --workload")
    ns.threads, ns.max_tokens = threads, max_tokens
    torch.set_num_threads(threads)
    model = load_package_model(package)
    run(model, prompts[:2], r, ns.max_tokens, ignore_eos)  # warm-up
    started = time.perf_counter()
    tokens = steps = 0
    for _ in range(ns.repeat):
        t, s = run(model, prompts, r, ns.max_tokens, ignore_eos)
        tokens, steps = tokens + t, steps + s
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "runtime": "pytorch-reference",
                "threads": ns.threads,
                "r": r,
                "ignore_eos": ignore_eos,
                "requests": len(prompts) * ns.repeat,
                "tokens": tokens,
                "seconds": round(elapsed, 3),
                "tokens_per_s": round(tokens / elapsed, 2),
                "core_steps_per_s": round(steps / elapsed, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
