"""Multi-hop variable chains: a synthetic task that needs sequential latent computation.

    a=3;b=a+4;c=b*2;c?   ->   4
    (a=3, b=7, c=14 mod 10 = 4)

Each statement applies +, - or * by a digit to the previous variable, mod 10, so
the value of the h-th variable is an h-fold composition of affine maps: a
fixed-depth network can resolve only so many hops, while each extra recurrence
of the core block can resolve more. That is the effect the looped model sells.

Supervision is dense: besides the answer after `?`, the position of every `;`
is labelled with the value of the variable its statement defines. Those labels
are auxiliary (they are not next-character targets), but they give every hop
depth a gradient in every sequence, which is what lets a small model learn this
on two CPU cores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = [PAD, BOS, EOS, UNK]
CHARS = "0123456789abcdefghijklmnopqrstuvwxyz=;+-*?"
VOCAB = SPECIALS + list(CHARS)
TOKEN_ID = {tok: i for i, tok in enumerate(VOCAB)}
PAD_ID, BOS_ID, EOS_ID, UNK_ID = (TOKEN_ID[t] for t in SPECIALS)
VOCAB_SIZE = len(VOCAB)
MODULUS = 10
IGNORE = -100


def encode(text: str) -> list[int]:
    """<bos> followed by one id per character, exactly as tokenizer.json does."""
    return [BOS_ID] + [TOKEN_ID.get(c, UNK_ID) for c in text]


def decode(ids: list[int]) -> str:
    return "".join(VOCAB[i] for i in ids if i >= len(SPECIALS))


@dataclass(frozen=True)
class Chain:
    prompt: str  # "a=3;b=a+4;c=b*2;c?"
    answer: str  # "4"
    hops: int
    values: tuple[int, ...]  # value of each defined variable, root first


def make_chain(rng: random.Random, hops: int) -> Chain:
    names = rng.sample("abcdefghijklmnopqrstuvwxyz", hops + 1)
    value = rng.randrange(MODULUS)
    parts = [f"{names[0]}={value}"]
    values = [value]
    for i in range(1, hops + 1):
        op = rng.choice("+-*")
        digit = rng.randrange(2, 10) if op == "*" else rng.randrange(MODULUS)
        if op == "+":
            value = (value + digit) % MODULUS
        elif op == "-":
            value = (value - digit) % MODULUS
        else:
            value = (value * digit) % MODULUS
        parts.append(f"{names[i]}={names[i - 1]}{op}{digit}")
        values.append(value)
    prompt = ";".join(parts) + f";{names[-1]}?"
    return Chain(prompt=prompt, answer=str(value), hops=hops, values=tuple(values))


def chain_length(hops: int) -> int:
    """Tokens of <bos> + prompt + answer, the training input length."""
    return 1 + 4 + 6 * hops + 2 + 1


@dataclass
class Batch:
    input_ids: torch.Tensor  # [B, S] int64, right-padded
    attention_mask: torch.Tensor  # [B, S] int64
    targets: torch.Tensor  # [B, S] int64, IGNORE where unlabelled
    query_pos: torch.Tensor  # [B] index of the `?` token
    answers: torch.Tensor  # [B] answer token id
    hops: torch.Tensor  # [B]


def training_example(chain: Chain) -> tuple[list[int], list[int]]:
    """Input ids (<bos> prompt answer) and aligned targets."""
    ids = encode(chain.prompt + chain.answer)
    targets = [IGNORE] * len(ids)
    semis = [i for i, t in enumerate(ids) if t == TOKEN_ID[";"]]
    for pos, value in zip(semis, chain.values, strict=True):
        targets[pos] = TOKEN_ID[str(value)]
    query = len(ids) - 2
    targets[query] = TOKEN_ID[chain.answer]
    targets[query + 1] = EOS_ID
    return ids, targets


def collate(chains: list[Chain]) -> Batch:
    examples = [training_example(c) for c in chains]
    seq = max(len(ids) for ids, _ in examples)
    n = len(chains)
    input_ids = torch.full((n, seq), PAD_ID, dtype=torch.long)
    mask = torch.zeros((n, seq), dtype=torch.long)
    targets = torch.full((n, seq), IGNORE, dtype=torch.long)
    for row, (ids, tgt) in enumerate(examples):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        mask[row, : len(ids)] = 1
        targets[row, : len(tgt)] = torch.tensor(tgt)
    query_pos = torch.tensor([len(ids) - 2 for ids, _ in examples])
    answers = torch.tensor([TOKEN_ID[c.answer] for c in chains])
    hops = torch.tensor([c.hops for c in chains])
    return Batch(input_ids, mask, targets, query_pos, answers, hops)


def held_out(seed: int, hops_range: range, per_hop: int) -> list[Chain]:
    """A fixed evaluation set; its RNG stream is separate from training's."""
    rng = random.Random(f"held-out-{seed}")
    return [make_chain(rng, h) for h in hops_range for _ in range(per_hop)]
