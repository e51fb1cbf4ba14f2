"""Step 8, the judge: is a coded candidate a fresh report of an event, and how sure is that?

The lexicon steps propose candidates generously; the judge keeps or drops each one and gives it
its ``confidence``. What it weighs (:meth:`LearnedJudge.features`) is what the lexicon steps saw:
the trigger's role, part of speech and rank, the modality, which fields were found and where
from (the sentence or the context), how far the date lies before publication, the sentence's
place in the document, its length and how many triggers it holds, the lexicon's cue words just
before the trigger (background, time since, conditions, comment), quotation and speech.

The weights are a logistic regression trained on the train split of the blind-coded events
corpus, its strength and threshold chosen on the dev split and any extra dev sets (``rasid
train-events``); they ship as ``events/data/learned.json``, which also names the data it was
trained on and that data's licence. Scoring is a dot product: deterministic, and it needs no
learning library at run time.

:class:`RuleJudge` is the hand-written judge the learned one replaced: it drops every candidate a
rule flags and sets the confidence from the fields found. Use it with
``rasid analyze --event-step judge=rasid.events.judge:RuleJudge``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rasid.errors import LexiconError
from rasid.events.lexicon import Lexicon
from rasid.events.model import Clause, Event, Sentence, has_any
from rasid.events.when import days_before
from rasid.resources import data_path

__all__ = ["Context", "LearnedJudge", "RuleJudge", "DEFAULT_MODEL", "FLAGS", "load_model"]

DEFAULT_MODEL = "events/data/learned.json"  # the judge's and the place ranker's weights
# what the lexicon steps flag about a candidate; the rule judge drops a flagged one, the learned judge weighs it
FLAGS = ("recap", "bare_context", "context_only")
CUE_WINDOW = 8  # tokens before the trigger searched for cue words
# the rule judge's confidence: a base and what each field found adds (hand-set)
RULE_BASE, RULE_ACTOR1, RULE_PLACE, RULE_ACTOR2, RULE_STRONG = 0.4, 0.15, 0.15, 0.1, 0.1
STRONG_RANK = 7  # a trigger of this rank or more names its event unambiguously
QUOTES = ("«", "»", '"', "“", "”")


@dataclass
class Context:
    """What the coder knows about a candidate beyond the event itself."""

    sentence: Sentence
    clause: Clause
    index: int  # the sentence's position among the document's kept sentences
    of: int  # how many kept sentences the document has
    hits: int  # triggers found in the sentence
    clause_rank: int  # 0 for the sentence's first chosen clause
    publication_date: str | None
    flags: dict[str, bool] = field(default_factory=dict)


class RuleJudge:
    """The hand-written judge: a flagged candidate is dropped; confidence grows with the fields found."""

    name = "judge"

    def __init__(self, lexicon: Lexicon | None = None, actors=None):
        self.lexicon = lexicon

    def judge(self, event: Event, ctx: Context) -> float | None:
        """The candidate's confidence, or None to drop it."""
        if any(ctx.flags.values()):
            return None
        return RULE_BASE + RULE_ACTOR1 * bool(event.actor1) + RULE_PLACE * bool(event.location) \
            + RULE_ACTOR2 * bool(event.actor2) + RULE_STRONG * (ctx.clause.hit.trigger.rank >= STRONG_RANK)


@dataclass(frozen=True)
class Model:
    """A logistic regression over named features, with the threshold that keeps a candidate."""

    weights: dict[str, float]
    bias: float
    threshold: float
    meta: dict

    def score(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def load_model(path: str | Path | None = None, section: str = "judge") -> Model | None:
    """One section (``judge`` or ``places``) of a model file written by ``rasid train-events``
    (the shipped ``events/data/learned.json`` by default); None for a section the file leaves empty
    (training found the lexicon step as good).

    Raises:
        LexiconError: naming the file, when it is not such a model.
    """
    return _load(str(path) if path else str(data_path(DEFAULT_MODEL)), section)


@cache
def _load(path: str, section: str) -> Model:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        part = data[section]
        if part is None:
            return None
        weights = {str(k): float(v) for k, v in part["weights"].items()}
        return Model(weights, float(part["bias"]), float(part.get("threshold", 0.5)), dict(data.get("meta", {})))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LexiconError(path, None, f"not an event model with a {section!r} section ({type(exc).__name__}: "
                                       f"{exc}); write one with `rasid train-events`") from exc


class LearnedJudge(RuleJudge):
    """Keeps a candidate whose learned score reaches the model's threshold; the score is its confidence."""

    def __init__(self, lexicon: Lexicon | None = None, actors=None, model: str | Path | Model | None = None):
        super().__init__(lexicon, actors)
        self.lexicon = lexicon or Lexicon.from_data()
        self.model = model if isinstance(model, Model) else load_model(model)
        if self.model is None:
            raise LexiconError(str(model or DEFAULT_MODEL), None, "the model file has no judge weights")
        self.threshold = self.model.threshold

    def judge(self, event: Event, ctx: Context) -> float | None:
        p = self.model.score(self.features(event, ctx))
        return p if p >= self.threshold else None

    def features(self, event: Event, ctx: Context) -> dict[str, float]:
        """The candidate's features by name (value 1.0 for a present indicator)."""
        lex, s, clause = self.lexicon, ctx.sentence, ctx.clause
        trig, a = clause.hit.trigger, clause.hit.start
        # no feature names the trigger or the event type: with a few hundred candidates to learn from,
        # such weights learn the train split's topics (its air strikes, its protests), not what makes news
        f: dict[str, float] = {
            f"role={trig.role}": 1.0, f"kind={trig.kind}": 1.0, "rank": trig.rank / 10,
            f"modality={event.modality}": 1.0,
            "actor1": float(event.actor1 is not None), "actor2": float(event.actor2 is not None),
            "claimant": float(event.attributed_to is not None),
            "fatalities": float(event.fatalities is not None), "wounded": float(event.wounded is not None),
            "date_in_text": float(event.date_from == "sentence" and event.event_date is not None),
            "first_sentence": float(ctx.index == 0), "early": float(ctx.index < 3),
            "position": ctx.index / max(1, ctx.of - 1), "later_clause": float(ctx.clause_rank > 0),
            "hits": min(ctx.hits, 4) / 4, "long": min(len(s.keys), 60) / 60,
            "trigger_at": min(a, 20) / 20, "quoted": float(any(q in s.text[s.start:s.end] for q in QUOTES)),
        }
        loc = event.location or {}
        f[f"place_from={loc.get('from', 'none')}"] = 1.0
        f[f"place_precision={loc.get('geo_precision', 0)}"] = 1.0
        if event.actor1 and event.actor2 and event.actor1.get("side") and \
                event.actor1.get("side") == event.actor2.get("side"):
            f["same_side"] = 1.0
        days = days_before(event.event_date, ctx.publication_date) if event.date_from == "sentence" else 0
        f["days_before"] = min(max(days, 0), 60) / 60
        for name, on in ctx.flags.items():
            if on:
                f[f"flag={name}"] = 1.0
        before = max(0, a - CUE_WINDOW)
        for name, table in lex.modality.items():
            if has_any(table, s.keys, before, a):
                f[f"cue_before={name}"] = 1.0
        if has_any(lex.speech, s.keys):
            f["speech"] = 1.0
        return f
