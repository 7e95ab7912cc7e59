"""Baseline (c) for the runtime benchmark: the PyTorch reference model, one request at a time.

    python -m loopmodel.bench --package ../models/loop-demo --threads 1 [--r 8] [--repeat 5]

Prints one JSON line: tokens/s and core steps/s for greedy decoding of the
package's reference prompts at r (default: the manifest's), with s_0 = 0 and no
adaptive exit, the same work the Java runtime's benchmark does per request.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from . import task
from .config import LoopConfig
from .model import LoopedTransformer


def load_package_model(package: Path) -> LoopedTransformer:
    model = LoopedTransformer(LoopConfig.load(package / "config.json"))
    model.load_state_dict(torch.load(package / "weights.pt", weights_only=True))
    return model.eval()


@torch.no_grad()
def run(model: LoopedTransformer, prompts: list[str], r: int, max_tokens: int) -> tuple[int, int]:
    tokens = steps = 0
    for prompt in prompts:
        ids = task.encode(prompt)
        for _ in range(max_tokens):
            nxt = int(model(torch.tensor([ids]), r=r)[0, -1].argmax())
            tokens += 1
            steps += r
            if nxt == task.EOS_ID:
                break
            ids.append(nxt)
    return tokens, steps


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--package", type=Path, required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--r", type=int)
    p.add_argument("--max-tokens", type=int, default=4)
    p.add_argument("--repeat", type=int, default=5)
    ns = p.parse_args(argv)
    torch.set_num_threads(ns.threads)
    manifest = json.loads((ns.package / "model.json").read_text())
    r = ns.r or manifest["recurrence"]["default"]
    reference = json.loads((ns.package / "reference.json").read_text())
    prompts = sorted({c["prompt"] for c in reference["cases"]})
    model = load_package_model(ns.package)
    run(model, prompts[:2], r, ns.max_tokens)  # warm-up
    started = time.perf_counter()
    tokens = steps = 0
    for _ in range(ns.repeat):
        t, s = run(model, prompts, r, ns.max_tokens)
        tokens, steps = tokens + t, steps + s
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "runtime": "pytorch-reference",
                "threads": ns.threads,
                "r": r,
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
