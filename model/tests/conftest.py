from pathlib import Path

import pytest
import torch

from loopmodel import task
from loopmodel.config import LoopConfig
from loopmodel.model import LoopedTransformer

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "models" / "loop-demo"
SCHEMA = REPO / "schemas" / "model-package.schema.json"


@pytest.fixture(scope="session")
def tiny_config() -> LoopConfig:
    return LoopConfig(
        vocab_size=task.VOCAB_SIZE,
        d_model=32,
        n_heads=2,
        n_prelude=1,
        n_core=2,
        n_coda=1,
        mlp_hidden=64,
        max_context=64,
        r_default=6,
        r_max=10,
        r_train_mean=4.0,
    )


@pytest.fixture
def tiny_model(tiny_config) -> LoopedTransformer:
    torch.manual_seed(0)
    return LoopedTransformer(tiny_config).eval()
