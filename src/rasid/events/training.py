"""Training the event judge (:mod:`rasid.events.judge`) on a hand-coded corpus: ``rasid train-events``.

A corpus is a folder holding ``articles.jsonl`` (``{"id", "text", "published", ...}``), ``gold.json``
(events in the seeds_gold.json format) and ``split.json`` (``{"splits": {"train": [...], "dev":
[...], "test": [...]}}``), as ``bench/data/events_corpus`` is. The recipe:

1. every article is cleaned and its entities extracted once;
2. the coder runs with a judge that keeps every candidate and records its features;
3. a candidate is labelled a report when it matches a core gold event of its document by event type
   and place (the scorer's *detect* match); one that matches only a non-core event is left out;
4. a logistic regression (scikit-learn) is fitted on the train split for each regularisation
   strength, and the strength and the keep threshold are chosen by events detect F1 on the dev
   split (ties by full F1). The test split is never read.

The result is a JSON file of named weights with the figures it reached and the corpus it came from.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rasid.errors import RasidError
from rasid.events.judge import Context, LearnedJudge, Model, RuleJudge
from rasid.events.lexicon import Lexicon

__all__ = ["Corpus", "Prepared", "prepare", "candidates", "label", "fit", "choose", "train"]

REGULARISATION = (0.1, 0.3, 1.0, 3.0)  # scikit-learn's C: the inverse strength of the L2 penalty
THRESHOLDS = tuple(round(0.2 + 0.05 * i, 2) for i in range(11))  # 0.2 .. 0.7
SEED = 0


@dataclass
class Corpus:
    """A hand-coded corpus folder: its articles, gold events and splits."""

    path: Path
    gold: dict
    splits: dict[str, list[str]]

    @classmethod
    def load(cls, path: str | Path, *, dev_only: bool = False) -> Corpus:
        """A corpus folder; with `dev_only`, a folder without ``split.json`` is all dev (an extra dev set)."""
        path = Path(path)
        needed = ("articles.jsonl", "gold.json") if dev_only else ("articles.jsonl", "gold.json", "split.json")
        missing = [n for n in needed if not (path / n).is_file()]
        if missing:
            raise RasidError(f"{path}: not an events corpus (missing {', '.join(missing)})")
        try:
            gold = json.loads((path / "gold.json").read_text(encoding="utf-8"))
            splits = json.loads((path / "split.json").read_text(encoding="utf-8")).get("splits", {}) \
                if (path / "split.json").is_file() else {"dev": sorted(gold.get("documents", {}))}
        except (OSError, ValueError, AttributeError) as exc:
            raise RasidError(f"{path}: cannot read the corpus ({exc})") from exc
        for name in ("dev",) if dev_only else ("train", "dev"):
            if not splits.get(name):
                raise RasidError(f"{path / 'split.json'}: no {name!r} split")
        return cls(path, gold, splits)

    def subset(self, doc_ids: Iterable[str]) -> dict:
        """The gold file restricted to some documents."""
        ids = set(doc_ids) & set(self.gold["documents"])
        out = dict(self.gold)
        out["documents"] = {k: v for k, v in self.gold["documents"].items() if k in ids}
        out["events"] = [e for e in self.gold["events"] if e["doc"] in ids]
        return out


@dataclass
class Prepared:
    """One article cleaned, with its entity rows: what the coder reads."""

    document: object
    mentions: list[dict]


def prepare(corpus: Corpus, doc_ids: set[str], resources=None, progress: Callable[[int], None] | None = None
            ) -> dict[str, Prepared]:
    """Clean the named corpus articles and extract their entities (no events)."""
    from rasid.annotate import Resources, annotate
    from rasid.ingest.readers import iter_articles

    resources = resources or Resources.load(events=False)
    out: dict[str, Prepared] = {}
    for article in iter_articles([corpus.path / "articles.jsonl"]):
        doc_id = getattr(article, "doc_id", None)
        if doc_id not in doc_ids:
            continue
        done = annotate(article, resources)
        out[doc_id] = Prepared(done.document, done.mentions)
        if progress:
            progress(1)
    return out


class _Recorder(LearnedJudge):
    """A judge that keeps every candidate and records its features."""

    def __init__(self, lexicon, actors=None):
        super().__init__(lexicon, actors, model=Model({}, 0.0, 0.0, {}))
        self.seen: list[tuple[dict, dict[str, float]]] = []

    def judge(self, event, ctx: Context) -> float | None:
        self.seen.append(({"doc_id": event.doc_id, "event_type": event.event_type, "location": event.location},
                          self.features(event, ctx)))
        return 1.0


def candidates(coder, prepared: dict[str, Prepared]) -> list[tuple[dict, dict[str, float]]]:
    """Every candidate the coder's lexicon steps propose, with its features."""
    recorder = _Recorder(coder.lexicon, coder.actors)
    kept = coder.judge
    coder.judge = recorder
    try:
        for p in prepared.values():
            coder.code(p.document, p.mentions)
    finally:
        coder.judge = kept
    return recorder.seen


def label(cands: list[tuple[dict, dict]], gold: dict) -> tuple[list[dict], list[int]]:
    """Features and labels: 1 when a candidate matches a core gold event by type and place, else 0."""
    from rasid.evaluation import _Gold

    g = _Gold(gold)
    by_doc: dict[str, list[dict]] = {}
    for e in gold["events"]:
        by_doc.setdefault(e["doc"], []).append(e)
    X, y = [], []
    for event, feats in cands:
        matched = [e for e in by_doc.get(event["doc_id"], [])
                   if e["event_type"] == event["event_type"] and g.place_match(e["location"], event["location"])]
        if matched and not any(e.get("core", True) for e in matched):
            continue  # a non-core event: neither right nor wrong to code
        X.append(feats)
        y.append(int(bool(matched)))
    return X, y


def fit(X: list[dict], y: list[int], C: float) -> tuple[dict[str, float], float]:
    """Weights by feature name and the bias of an L2 logistic regression."""
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        raise RasidError("training the judge needs scikit-learn (pip install scikit-learn)") from exc
    if len(set(y)) < 2:
        raise RasidError("the train split gives candidates of one kind only: nothing to learn from")
    vec = DictVectorizer(sparse=True)
    matrix = vec.fit_transform(X)
    clf = LogisticRegression(C=C, max_iter=2000, random_state=SEED, class_weight="balanced")
    clf.fit(matrix, y)
    weights = {name: round(float(w), 5) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True)
               if abs(w) >= 1e-5}
    return weights, round(float(clf.intercept_[0]), 5)


class _PlaceRecorder:
    """A places step that records every option the learned ranker would weigh, then places as `inner` does."""

    def __init__(self, ranker, inner):
        self.ranker, self.inner = ranker, inner
        self.seen: list[tuple[str, str, list[tuple[dict, dict[str, float]]]]] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def locate(self, s, clause, last_place, doc_places, speaker_span=None):
        self.seen.append((s.doc_id, clause.hit.trigger.event_type, self.ranker.options(s, clause, doc_places, speaker_span)))
        return self.inner.locate(s, clause, last_place, doc_places, speaker_span)


def place_options(coder, prepared: dict[str, Prepared]) -> list[tuple[str, str, list[tuple[dict, dict]]]]:
    """For every trigger the coder places: its document, its event type and the ranker's options."""
    from rasid.events.places import LearnedPlaces, LexiconPlaces

    ranker = LearnedPlaces(coder.lexicon, coder.actors, model=Model({}, 0.0, 0.5, {}))
    recorder = _PlaceRecorder(ranker, LexiconPlaces(coder.lexicon, coder.actors))
    kept_places, kept_judge = coder.places, coder.judge
    coder.places, coder.judge = recorder, _Recorder(coder.lexicon, coder.actors)
    try:
        for p in prepared.values():
            coder.code(p.document, p.mentions)
    finally:
        coder.places, coder.judge = kept_places, kept_judge
    return recorder.seen


def label_places(seen, gold: dict) -> tuple[list[dict], list[int]]:
    """Options labelled 1 when the place is where a gold event of the document of that type happened;
    triggers none of whose options is right are left out."""
    from rasid.evaluation import _Gold

    g = _Gold(gold)
    by_doc: dict[str, list[dict]] = {}
    for e in gold["events"]:
        by_doc.setdefault(e["doc"], []).append(e)
    X, y = [], []
    for doc_id, event_type, options in seen:
        wanted = [e["location"] for e in by_doc.get(doc_id, []) if e["event_type"] == event_type and e["location"]]
        labels = [int(any(g.place_match(w, _as_location(m)) for w in wanted)) for m, _ in options]
        if not any(labels) or all(labels):
            continue
        X.extend(f for _, f in options)
        y.extend(labels)
    return X, y


def _as_location(m: dict) -> dict:
    return {"name": m.get("name_en"), "name_ar": m.get("name"), "name_en": m.get("name_en"),
            "lat": m.get("lat"), "lon": m.get("lon")}


def evaluate(coder, prepared: dict[str, Prepared], gold: dict) -> dict:
    """Events detect and full F1 of the coder on prepared articles (the shared scorer's definitions)."""
    from rasid.evaluation import score_output

    with tempfile.TemporaryDirectory() as tmp:
        with open(Path(tmp) / "events.jsonl", "w", encoding="utf-8") as fh:
            for p in prepared.values():
                for e in coder.code(p.document, p.mentions):
                    fh.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n")
        res = score_output(tmp, gold)
    return {"detect": res["events_detect"], "full": res["events_full"]}


DevSet = tuple[str, dict[str, Prepared], dict]  # (name, prepared articles, gold)


def score_dev(coder, devs: list[DevSet]) -> tuple[tuple[float, float], dict[str, dict]]:
    """The mean detect and full F1 over the dev sets (each set weighs the same), and each set's figures."""
    res = {name: evaluate(coder, prepared, gold) for name, prepared, gold in devs}
    n = len(res) or 1
    return (round(sum(r["detect"]["f1"] for r in res.values()) / n, 4),
            round(sum(r["full"]["f1"] for r in res.values()) / n, 4)), res


def _line(res: dict[str, dict]) -> str:
    return "; ".join(f"{name} detect F1 {r['detect']['f1']:.3f} (P {r['detect']['precision']:.2f} / "
                     f"R {r['detect']['recall']:.2f}) full {r['full']['f1']:.3f}" for name, r in res.items())


def choose(coder, train_set: tuple[list[dict], list[int]], devs: list[DevSet],
           regularisation: Iterable[float] = REGULARISATION, thresholds: Iterable[float] = THRESHOLDS,
           log: Callable[[str], None] | None = None) -> tuple[Model, dict]:
    """The judge (strength and threshold) with the best mean detect F1 over the dev sets; with their figures."""
    best: tuple | None = None
    for C in regularisation:
        weights, bias = fit(*train_set, C)
        for t in thresholds:
            coder.judge = LearnedJudge(coder.lexicon, coder.actors, model=Model(weights, bias, t, {}))
            key, res = score_dev(coder, devs)
            if log:
                log(f"judge C={C:<4} threshold={t:.2f}: {_line(res)}")
            if best is None or (*key, -abs(t - 0.5)) > best[0]:
                best = ((*key, -abs(t - 0.5)), Model(weights, bias, t, {"C": C}), res)
    assert best is not None
    return best[1], best[2]


def train(corpus_path: str | Path, *, extra_dev: Iterable[str | Path] = (), resources=None,
          licence: str | None = None, log: Callable[[str], None] | None = None,
          progress: Callable[[int], None] | None = None) -> dict:
    """Train the place ranker and the judge on a corpus's train split, choose them on its dev split and
    on any `extra_dev` sets (folders with ``articles.jsonl`` and ``gold.json``, all dev; each set
    weighs the same); return the model file's content (sections ``places``, null when the lexicon's
    ranking did as well, and ``judge``)."""
    from rasid.events import EventCoder
    from rasid.events.places import LearnedPlaces, LexiconPlaces

    log = log or (lambda _: None)
    corpus = Corpus.load(corpus_path)
    coded = set(corpus.gold["documents"])  # an article not coded yet teaches nothing
    train_ids, dev_ids = set(corpus.splits["train"]) & coded, set(corpus.splits["dev"]) & coded
    prepared = prepare(corpus, train_ids | dev_ids, resources, progress)
    train_docs = {k: v for k, v in prepared.items() if k in train_ids}
    dev_docs = {k: v for k, v in prepared.items() if k in dev_ids}
    train_gold, dev_gold = corpus.subset(train_ids), corpus.subset(dev_ids)
    devs: list[DevSet] = [(f"{corpus.path.name} dev", dev_docs, dev_gold)]
    for path in extra_dev:
        extra = Corpus.load(path, dev_only=True)
        ids = set(extra.splits["dev"]) & set(extra.gold["documents"])
        devs.append((extra.path.name, prepare(extra, ids, resources, progress), extra.subset(ids)))
    coder = EventCoder(steps={"judge": RuleJudge(), "places": LexiconPlaces(Lexicon.from_data())})
    # 1. where: the learned ranker against the lexicon's, both under the rule judge
    key, res = score_dev(coder, devs)
    best_places = (key, None, None)
    log(f"places by the lexicon: {_line(res)}")
    X, y = label_places(place_options(coder, train_docs), train_gold)
    for C in REGULARISATION:
        weights, bias = fit(X, y, C)
        ranker = Model(weights, bias, 0.5, {"C": C})
        coder.places = LearnedPlaces(coder.lexicon, coder.actors, model=ranker)
        key, res = score_dev(coder, devs)
        log(f"places learned, C={C}: {_line(res)}")
        if key > best_places[0]:
            best_places = (key, ranker, C)
    places_model = best_places[1]
    coder.places = LearnedPlaces(coder.lexicon, coder.actors, model=places_model) if places_model \
        else LexiconPlaces(coder.lexicon, coder.actors)
    # 2. whether: the judge over the candidates of the chosen places step
    JX, jy = label(candidates(coder, train_docs), train_gold)
    model, dev_res = choose(coder, (JX, jy), devs, log=log)
    coder.judge = LearnedJudge(coder.lexicon, coder.actors, model=model)
    train_res = evaluate(coder, train_docs, train_gold)
    meta = {
        "about": "weights of rasid.events.judge.LearnedJudge and rasid.events.places.LearnedPlaces: logistic "
                 "regressions over named features; written by `rasid train-events`",
        "trained_on": {"corpus": corpus.path.name, "train_articles": len(train_docs), "dev_articles": len(dev_docs),
                       "judge_candidates": len(jy), "judge_reports": sum(jy), "place_options": len(y)},
        "licence": licence or f"that of the corpus it was trained on ({corpus.path.name}; see its SOURCE.md)",
        "chosen_on": [name for name, _, _ in devs],
        "judge_C": model.meta["C"], "places_C": best_places[2],
        "train": _figures(train_res), "dev": {name: _figures(r) for name, r in dev_res.items()},
    }
    places = None if places_model is None else {"bias": places_model.bias,
                                                "weights": dict(sorted(places_model.weights.items()))}
    return {"meta": meta, "places": places,
            "judge": {"bias": model.bias, "threshold": model.threshold, "weights": dict(sorted(model.weights.items()))}}


def _key(res: dict) -> tuple[float, float]:
    return res["detect"]["f1"], res["full"]["f1"]


def _figures(res: dict) -> dict:
    return {"detect_f1": res["detect"]["f1"], "detect_precision": res["detect"]["precision"],
            "detect_recall": res["detect"]["recall"], "full_f1": res["full"]["f1"]}
