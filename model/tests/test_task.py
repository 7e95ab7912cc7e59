import random

from loopmodel import task


def _evaluate(prompt: str) -> int:
    env = {}
    *statements, query = prompt.split(";")
    for st in statements:
        name, expr = st.split("=")
        if expr.isdigit():
            env[name] = int(expr)
        else:
            src, op, digit = expr[0], expr[1], int(expr[2])
            val = {"+": env[src] + digit, "-": env[src] - digit, "*": env[src] * digit}[op]
            env[name] = val % task.MODULUS
    return env[query.rstrip("?")]


def test_chain_answers_match_an_independent_interpreter():
    rng = random.Random(3)
    for hops in range(1, 13):
        for _ in range(20):
            chain = task.make_chain(rng, hops)
            assert chain.hops == hops
            assert int(chain.answer) == _evaluate(chain.prompt)
            assert len(task.encode(chain.prompt + chain.answer)) == task.chain_length(hops)


def test_every_statement_is_labelled_with_its_value():
    chain = task.make_chain(random.Random(1), 4)
    ids, targets = task.training_example(chain)
    labelled = [(ids[i], t) for i, t in enumerate(targets) if t != task.IGNORE]
    semis = [t for tok, t in labelled if tok == task.TOKEN_ID[";"]]
    assert [int(task.VOCAB[t]) for t in semis] == list(chain.values)
    assert targets[-1] == task.EOS_ID
    assert targets[-2] == task.TOKEN_ID[chain.answer]


def test_held_out_is_fixed_and_separate_from_training():
    a = task.held_out(7, range(1, 4), 5)
    b = task.held_out(7, range(1, 4), 5)
    assert a == b
    training = task.make_chain(random.Random("train-7-0"), 1)
    assert training != a[0]


def test_collate_pads_right_and_masks():
    chains = [task.make_chain(random.Random(i), h) for i, h in enumerate((1, 3))]
    batch = task.collate(chains)
    assert batch.input_ids.shape == batch.attention_mask.shape == batch.targets.shape
    short = task.chain_length(1)
    assert batch.attention_mask[0, :short].all() and not batch.attention_mask[0, short:].any()
    assert (batch.input_ids[0, short:] == task.PAD_ID).all()
