"""The demo's character-level vocabulary as a Hugging Face `tokenizer.json`.

Using the tokenizers format (rather than an ad-hoc vocab file) means the Java side
loads a real model's tokenizer the same way it loads this one.
"""

from __future__ import annotations

from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors

from . import task


def build_tokenizer() -> Tokenizer:
    vocab = {tok: i for i, tok in enumerate(task.VOCAB)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token=task.UNK))
    # Every character is its own token; [\s\S] so a newline is a character too (-> <unk>).
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in task.SPECIALS])
    tok.post_processor = processors.TemplateProcessing(
        single=f"{task.BOS} $A", special_tokens=[(task.BOS, task.BOS_ID)]
    )
    tok.decoder = decoders.Fuse()
    return tok


def write_tokenizer(path: Path) -> None:
    build_tokenizer().save(str(path), pretty=True)
