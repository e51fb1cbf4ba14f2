"""Training the tagger end to end on a small file: the model is written, loads and tags."""

import pytest

from rasid.cli import main
from rasid.entities.conll import bio_spans, read_conll, repair_bio
from rasid.entities.tagger import EntityTagger
from rasid.entities.train import train_tagger

PEOPLE = ["فايز السراج", "خليفة حفتر", "عقيلة صالح", "خالد المشري", "أحمد المسماري", "محمد قنونو"]
PLACES = ["طرابلس", "سرت", "بنغازي", "مصراتة", "ترهونة", "الجفرة"]


def write_corpus(path, n=60):
    lines = []
    for i in range(n):
        first, last = PEOPLE[i % len(PEOPLE)].split()
        place = PLACES[(i * 5) % len(PLACES)]
        lines += ["وقال O", f"{first} B-PERS", f"{last} I-PERS", "في O", f"{place} B-LOC", "إن O",
                  "القوات O", "تقدمت O", ". O"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_read_conll_splits_anercorp_style_files_on_full_stops(tmp_path):
    p = tmp_path / "c.txt"
    write_corpus(p, n=3)
    sentences = read_conll(p)
    assert len(sentences) == 3 and sentences[0][1] == ("فايز", "B-PERS")
    assert bio_spans([t for _, t in sentences[0]]) == [("PERS", 1, 3), ("LOC", 4, 5)]
    assert repair_bio(["I-PERS", "I-PERS"]) == ["B-PERS", "I-PERS"]


@pytest.mark.slow
def test_a_trained_model_loads_and_tags(tmp_path):
    train = tmp_path / "train.txt"
    write_corpus(train)
    model = tmp_path / "m.pt"
    scores = train_tagger(train, model, epochs=8, patience=8, context_layers=0, batch_size=8)
    assert model.exists() and scores["micro"]["f1"] > 0.5
    tagger = EntityTagger.load(model)
    tags = tagger.tag(["وقال", "خالد", "المشري", "في", "سرت"])
    assert len(tags) == 5 and all(t in tagger.tags for t in tags)
    assert tags[1:3] == ["B-PERS", "I-PERS"]


def test_train_ner_refuses_a_test_split(tmp_path):
    p = tmp_path / "ANERCorp_test.txt"
    write_corpus(p, n=2)
    assert main(["train-ner", str(p), "--out", str(tmp_path / "m.pt")]) == 1


@pytest.mark.slow
def test_an_ensemble_trains_on_different_folds_and_tags(tmp_path):
    from rasid.entities.train import train_ensemble

    train = tmp_path / "train.txt"
    write_corpus(train, n=80)
    model = tmp_path / "ens.pt"
    scores = train_ensemble(train, model, members=2, epochs=6, patience=6, context_layers=0, batch_size=8)
    assert len(scores) == 2
    tagger = EntityTagger.load(model)
    assert len(tagger.members) == 2
    assert tagger.tag(["وقال", "عقيلة", "صالح", "في", "بنغازي"])[1:3] == ["B-PERS", "I-PERS"]


@pytest.mark.slow
def test_a_tagger_mixing_every_encoder_layer_trains_saves_and_tags(tmp_path):
    train = tmp_path / "train.txt"
    write_corpus(train, n=60)
    model = tmp_path / "mix.pt"
    train_tagger(train, model, epochs=8, patience=8, context_layers=2, every_layer=True, batch_size=8)
    tagger = EntityTagger.load(model)
    net = tagger.members[0].net
    assert net.mix is not None and net.mix.shape == (3,)  # embeddings + two layers, mixed by learnt weights
    assert next(iter(tagger.readers.values())).every_layer
    assert tagger.tag(["وقال", "فايز", "السراج", "في", "مصراتة"])[1:3] == ["B-PERS", "I-PERS"]


@pytest.mark.slow
def test_an_ensemble_may_mix_members_that_read_the_encoder_differently(tmp_path):
    import torch

    train = tmp_path / "train.txt"
    write_corpus(train, n=60)
    _, plain = train_tagger(train, None, epochs=6, patience=6, context_layers=0, batch_size=8)
    _, reading = train_tagger(train, None, epochs=6, patience=6, context_layers=2, context_pieces=8,
                              batch_size=8, seed=8)
    model = tmp_path / "mixed.pt"
    torch.save({"format": 2, "members": [plain, reading]}, str(model))
    tagger = EntityTagger.load(model)
    assert sorted(tagger.readers) == [(0, 0, False, 0), (2, 0, False, 8)]
    assert tagger.readers[(0, 0, False, 0)] is None
    sentences = [["وقال", "خالد", "المشري", "في", "سرت"], ["وقال", "عقيلة", "صالح", "في", "بنغازي"]]
    tags = tagger.tag_many(sentences, documents=["a", "b"])
    assert [t[1:3] for t in tags] == [["B-PERS", "I-PERS"], ["B-PERS", "I-PERS"]]


@pytest.mark.slow
def test_silver_sentences_are_trained_on_but_never_held_out(tmp_path):
    train = tmp_path / "train.txt"
    write_corpus(train, n=60)
    silver = tmp_path / "silver.conll"
    # machine-tagged sentences that teach one more frame: a place after "مدينة"
    towns = ["أوباري", "غات", "مرزق", "سبها", "هون", "ودان"]
    silver.write_text("".join(f"ووصلت O\nالقوات O\nإلى O\nمدينة O\n{t} B-LOC\nأمس O\n\n" for t in towns * 10),
                      encoding="utf-8")
    scores, blob = train_tagger(train, None, epochs=8, patience=8, context_layers=0, batch_size=8, silver=silver)
    held_gold = sum(1 for s in read_conll(train)[-6:] for _, t in s if t.startswith("B-"))
    assert scores["micro"]["gold"] == held_gold  # the held-out tenth is gold sentences only
    assert "أوباري" not in blob["words"]  # vocabularies come from the gold sentences
    model = tmp_path / "silver.pt"
    import torch

    torch.save(blob, str(model))
    tags = EntityTagger.load(model).tag(["ووصلت", "القوات", "إلى", "مدينة", "غات", "أمس"])
    assert tags[4] == "B-LOC"


@pytest.mark.slow
def test_join_ner_makes_one_ensemble_of_separately_trained_models(tmp_path):
    train = tmp_path / "train.txt"
    write_corpus(train, n=60)
    paths = []
    for fold in (0, 1):
        path = tmp_path / f"m{fold}.pt"
        train_tagger(train, path, epochs=6, patience=6, context_layers=0, batch_size=8, fold=fold, seed=7 + fold)
        paths.append(str(path))
    out = tmp_path / "joined.pt"
    assert main(["join-ner", *paths, "--out", str(out)]) == 0
    tagger = EntityTagger.load(out)
    assert len(tagger.members) == 2
    assert tagger.tag(["وقال", "عقيلة", "صالح", "في", "بنغازي"])[1:3] == ["B-PERS", "I-PERS"]
    again = tmp_path / "again.pt"  # an ensemble joined with a model brings all its members
    assert main(["join-ner", str(out), paths[0], "--out", str(again)]) == 0
    assert len(EntityTagger.load(again).members) == 3
    assert main(["join-ner", str(tmp_path / "missing.pt"), "--out", str(again)]) == 1


@pytest.mark.slow
def test_silver_sentences_get_encoder_states_and_a_cache_of_their_own(tmp_path):
    train = tmp_path / "train.txt"
    write_corpus(train, n=30)
    silver = tmp_path / "silver.conll"
    silver.write_text("".join(f"ووصلت O\nالقوات O\nإلى O\n{t} B-LOC\n\n" for t in ["سبها", "غات"] * 5),
                      encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    scores, _ = train_tagger(train, None, epochs=2, patience=2, context_layers=2, batch_size=8, silver=silver,
                             cache_dir=cache)
    assert len(list(cache.glob("e5-states-*.pt"))) == 2  # one for the gold file, one for the silver
    again, _ = train_tagger(train, None, epochs=2, patience=2, context_layers=2, batch_size=8, silver=silver,
                            cache_dir=cache)
    assert again["micro"]["gold"] == scores["micro"]["gold"]


def test_train_ner_passes_its_patience_to_training_and_refuses_a_patience_below_one(tmp_path, monkeypatch):
    import rasid.entities.train as train

    p = tmp_path / "train.txt"
    write_corpus(p, n=4)
    seen = {}
    monkeypatch.setattr(train, "train_tagger", lambda path, out, **options: seen.update(options) or {"micro": {}})
    assert main(["train-ner", str(p), "--out", str(tmp_path / "m.pt"), "--patience", "9"]) == 0
    assert seen["patience"] == 9 and seen["epochs"] == 30
    assert main(["train-ner", str(p), "--out", str(tmp_path / "m.pt"), "--patience", "0"]) == 1


@pytest.mark.slow
def test_with_nothing_held_out_every_sentence_is_trained_on_for_exactly_the_given_epochs(tmp_path):
    train = tmp_path / "train.txt"
    write_corpus(train, n=60)
    with train.open("a", encoding="utf-8") as f:  # the last tenth alone names one more town
        f.write("".join(f"وقال O\nالمسؤول O\nفي O\n{t} B-LOC\n. O\n" for t in ["غدامس"] * 6))
    lines: list[str] = []
    _, with_held_out = train_tagger(train, None, epochs=3, context_layers=0, batch_size=8, seed=3)
    scores, blob = train_tagger(train, None, epochs=3, context_layers=0, batch_size=8, seed=3, held_out=0,
                                progress=lines.append)
    assert "غدامس" not in with_held_out["words"] and "غدامس" in blob["words"]
    assert scores == {} and [x.split(":")[0] for x in lines[1:]] == ["epoch 1", "epoch 2", "epoch 3"]


def test_train_ner_passes_held_out_zero_on_and_refuses_a_fold_with_it_or_holding_out_most(tmp_path, monkeypatch):
    import rasid.entities.train as train

    p = tmp_path / "train.txt"
    write_corpus(p, n=4)
    out = str(tmp_path / "m.pt")
    seen = {}
    monkeypatch.setattr(train, "train_tagger", lambda path, out, **options: seen.update(options) or {})
    assert main(["train-ner", str(p), "--out", out, "--held-out", "0", "--epochs", "12"]) == 0
    assert seen["held_out"] == 0 and seen["epochs"] == 12
    assert main(["train-ner", str(p), "--out", out, "--held-out", "0", "--fold", "2"]) == 1
    assert main(["train-ner", str(p), "--out", out, "--held-out", "0.7"]) == 1
