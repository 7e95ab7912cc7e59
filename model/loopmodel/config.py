"""Model configuration, saved as JSON beside the weights so a checkpoint is self-describing."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LoopConfig:
    """Shape of a recurrent-depth transformer: prelude -> (adapter + core) x r -> coda."""

    vocab_size: int = 48
    d_model: int = 128
    n_heads: int = 4
    n_prelude: int = 1
    n_core: int = 2
    n_coda: int = 1
    mlp_hidden: int = 352  # SwiGLU width, about 8/3 * d_model rounded to a multiple of 32
    max_context: int = 128
    rope_base: float = 10000.0
    norm_eps: float = 1e-6
    # s_0 ~ truncated normal(0, state_sigma^2) at +-3 sigma, as in the Huginn recipe.
    state_init: str = "truncated_normal"
    state_sigma: float = 1.0
    # Recurrence range the model is trained for and served with.
    r_min: int = 1
    r_default: int = 8
    r_max: int = 32
    r_train_mean: float = 8.0

    def __post_init__(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} not divisible by n_heads {self.n_heads}")
        if (self.d_model // self.n_heads) % 2:
            raise ValueError("head size must be even for RoPE")
        if self.state_init not in ("zeros", "truncated_normal"):
            raise ValueError(f"unknown state_init {self.state_init!r}")
        if not 1 <= self.r_min <= self.r_default <= self.r_max:
            raise ValueError("need 1 <= r_min <= r_default <= r_max")

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LoopConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        return cls(**data)

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> LoopConfig:
        return cls.from_dict(json.loads(Path(path).read_text()))
