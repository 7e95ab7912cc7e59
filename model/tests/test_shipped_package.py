"""The package under models/loop-demo is what every service serves: check it is whole."""

import json

import jsonschema
import pytest
from tokenizers import Tokenizer

from loopmodel import export, task
from loopmodel.evaluate import REFERENCE_PROMPTS, exit_case
from loopmodel.model import ExitRule

from .conftest import SCHEMA, SHIPPED

MAX_PACKAGE_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def manifest():
    return json.loads((SHIPPED / "model.json").read_text())


def test_manifest_matches_the_shared_schema(manifest):
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_schema_rejects_a_broken_manifest(manifest):
    broken = dict(manifest, recurrence={"min": 1})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json.loads(SCHEMA.read_text()))


def test_every_file_is_listed_and_its_sha256_matches(manifest):
    on_disk = {p.name for p in SHIPPED.iterdir() if p.is_file() and p.name != "model.json"}
    assert set(manifest["files"]) == on_disk
    for name, digest in manifest["files"].items():
        assert export.sha256(SHIPPED / name) == digest, name


def test_package_is_small(manifest):
    assert sum(p.stat().st_size for p in SHIPPED.iterdir()) <= MAX_PACKAGE_BYTES


def test_tokenizer_json_encodes_like_the_trainer():
    tok = Tokenizer.from_file(str(SHIPPED / "tokenizer.json"))
    for prompt in ("a=3;b=a+4;c=b*2;c?", "z=9;z?"):
        assert tok.encode(prompt).ids == task.encode(prompt)
    assert tok.decode([task.BOS_ID, task.TOKEN_ID["7"], task.EOS_ID]) == "7"


def test_manifest_describes_the_cached_graphs(manifest):
    assert manifest["schema_version"] == 2
    layers = {name: graph["cache_layers"] for name, graph in manifest["graphs"].items()}
    assert layers == {"prelude": 1, "core": 2, "coda": 1}
    io = export.graph_io(layers)
    for name, graph in manifest["graphs"].items():
        assert (graph["inputs"], graph["outputs"]) == io[name]


def test_reference_completions_replay_on_onnx_runtime(manifest):
    """reference.json was written with PyTorch (no cache); the cached ONNX loop must agree."""
    reference = json.loads((SHIPPED / "reference.json").read_text())
    loop = export.OnnxLoop(SHIPPED)
    by_r: dict[tuple[int, int], list] = {}
    for case in reference["cases"]:
        got = loop.generate([task.encode(case["prompt"])], case["r"], case["max_tokens"])
        out = got.tokens[0][:-1] if got.tokens[0][-1] == task.EOS_ID else got.tokens[0]
        assert out == case["completion_ids"], case
        first = got.logits[0][0]
        for entry in case["first_token_top5"]:
            assert abs(first[entry["id"]] - entry["logit"]) <= 1e-4
        by_r.setdefault((case["r"], case["max_tokens"]), []).append(case)
    # The same prompts as one left-padded batch per r give the same completions.
    for (r, max_tokens), cases in by_r.items():
        got = loop.generate([task.encode(c["prompt"]) for c in cases], r, max_tokens)
        for case, tokens in zip(cases, got.tokens, strict=True):
            assert [t for t in tokens if t != task.EOS_ID] == case["completion_ids"], case


@pytest.fixture(scope="module")
def exit_cases():
    return json.loads((SHIPPED / "reference.json").read_text())["exit_cases"]


def _rule(case) -> ExitRule:
    return ExitRule(**case["exit"])


def test_reference_exit_cases_exercise_fill_forward(exit_cases):
    assert [c["prompt"] for c in exit_cases] == REFERENCE_PROMPTS
    for case in exit_cases:
        rule = _rule(case)
        assert case["ignore_eos"]
        n = case["max_tokens"]
        assert len(case["completion_ids"]) == len(case["steps_per_token"]) == n
        assert len(case["top5_per_token"]) == n
        assert all(rule.min_steps <= k <= rule.max_steps for k in case["steps_per_token"])
        # decisions far from the threshold, so float32 differences across runtimes can't flip
        assert case["min_margin"] >= 1e-3, case["prompt"]
        for token, top in zip(case["completion_ids"], case["top5_per_token"], strict=True):
            assert top[0]["id"] == token
    # later tokens run other step counts than earlier ones: fill forward is exercised
    assert sum(len(set(c["steps_per_token"])) > 1 for c in exit_cases) >= 3


def _assert_replays(case, tokens, steps, logits):
    assert tokens == case["completion_ids"], case["prompt"]
    assert steps == case["steps_per_token"], case["prompt"]
    for got, top in zip(logits, case["top5_per_token"], strict=True):
        for entry in top:
            assert abs(float(got[entry["id"]]) - entry["logit"]) <= 1e-4, case["prompt"]


def test_reference_exit_cases_replay_on_pytorch(exit_cases):
    from loopmodel import bench

    model = bench.load_package_model(SHIPPED)
    for case in exit_cases:
        again = exit_case(model, case["prompt"], _rule(case), case["max_tokens"])
        assert again["completion_ids"] == case["completion_ids"]
        assert again["steps_per_token"] == case["steps_per_token"]
        assert again["min_margin"] == pytest.approx(case["min_margin"], abs=1e-5)


def test_reference_exit_cases_replay_on_onnx_runtime(exit_cases):
    """The cached ONNX loop with the same exit rule: same tokens, steps and logits."""
    loop = export.OnnxLoop(SHIPPED)
    for case in exit_cases:
        got = loop.generate(
            [task.encode(case["prompt"])], None, case["max_tokens"], eos_id=None, exit=_rule(case)
        )
        _assert_replays(case, got.tokens[0], got.steps[0], got.logits[0])
    # All prompts as one left-padded batch: each row still decides its own steps.
    (rule,) = {_rule(c) for c in exit_cases}
    (n,) = {c["max_tokens"] for c in exit_cases}
    got = loop.generate(
        [task.encode(c["prompt"]) for c in exit_cases], None, n, eos_id=None, exit=rule
    )
    for row, case in enumerate(exit_cases):
        _assert_replays(case, got.tokens[row], got.steps[row], got.logits[row])


def test_shipped_eval_meets_the_quality_bar(manifest):
    """Recomputed from eval.json's numbers, not read from its own verdict."""
    from loopmodel.evaluate import quality_bar

    result = json.loads((SHIPPED / "eval.json").read_text())
    bar = quality_bar(result, manifest["recurrence"]["default"])
    assert bar["r1_at_most_50pct"]
    assert bar["default_at_least_95pct"]
    assert bar["no_drop_up_to_default"]
    assert bar["longer_hops_gain_beyond_default"] > 0


def test_pytorch_baseline_counts_the_work_it_does():
    from loopmodel import bench

    model = bench.load_package_model(SHIPPED)
    tokens, steps = bench.run(model, [task.encode("a=3;b=a+4;c=b*2;c?")], r=4, max_tokens=4)
    assert (tokens, steps) == (2, 8)  # the digit, then <eos>, each at r=4
    tokens, steps = bench.run(
        model, [task.encode("a=3;b=a+4;c=b*2;c?")], r=4, max_tokens=4, ignore_eos=True
    )
    assert (tokens, steps) == (4, 16)
