import json

import torch

from loopmodel import train


def _losses(out):
    return [json.loads(line)["loss"] for line in (out / "train.log.jsonl").read_text().splitlines()]


def test_quick_training_lowers_the_loss(tmp_path):
    train.main(["--out", str(tmp_path), "--quick"])
    losses = _losses(tmp_path)
    assert len(losses) >= 4
    assert losses[-1] < 0.7 * losses[0]
    assert (tmp_path / "weights.pt").exists() and (tmp_path / "config.json").exists()


def test_training_is_deterministic_and_resumable(tmp_path):
    whole, split = tmp_path / "whole", tmp_path / "split"
    train.main(["--out", str(whole), "--quick", "--steps", "30", "--ckpt-every", "10"])
    train.main(["--out", str(split), "--quick", "--steps", "30", "--stop-at", "20"])
    train.main(["--out", str(split), "--quick", "--steps", "30", "--ckpt-every", "10", "--resume"])
    a = torch.load(whole / "weights.pt", weights_only=True)
    b = torch.load(split / "weights.pt", weights_only=True)
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], atol=0, rtol=0)


def test_recurrence_sampling_is_heavy_tailed_around_the_mean():
    import random

    rng = random.Random(0)
    draws = [train.sample_recurrence(rng, 6.0, 0.5, 64) for _ in range(4000)]
    mean = sum(draws) / len(draws)
    assert 5.0 < mean < 7.0
    assert max(draws) >= 3 * 6  # a long tail
    assert min(draws) >= 1
