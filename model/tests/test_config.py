import pytest

from loopmodel.config import LoopConfig


def test_round_trip(tmp_path, tiny_config):
    path = tmp_path / "config.json"
    tiny_config.save(path)
    assert LoopConfig.load(path) == tiny_config


def test_unknown_keys_are_rejected():
    with pytest.raises(ValueError, match="unknown config keys"):
        LoopConfig.from_dict({"d_model": 32, "n_heads": 2, "depth": 3})


@pytest.mark.parametrize(
    "bad",
    [
        {"d_model": 30, "n_heads": 4},
        {"state_init": "uniform"},
        {"r_min": 4, "r_default": 2},
        {"r_default": 40, "r_max": 32},
    ],
)
def test_invalid_configs_fail_fast(bad):
    with pytest.raises(ValueError):
        LoopConfig(**bad)
