"""The learned pair scorer: how likely a new report belongs to a story, from pair features.

A threshold on one similarity trades one kind of error for another: low, and routine items of one
kind (two fires in Makkah on one day) merge; high, and an outlet's follow-up is split off. The
scorer weighs several signals instead (text and embedding similarity to the story's members, the
title's closeness, shared or conflicting figures and places, the gap in days, the closest member's
term and embedding cosines, and from the entity and event layers the people, towns and kinds
of event a report shares with the story or contradicts it with) with a logistic
regression fitted on the labelled story sets (``tools/train_story_scorer.py`` rebuilds it from the
train rows). Its weights ship as ``stories/data/pair_scorer.json``; a report joins the most probable
story when that probability reaches the file's threshold (a stricter one when either side has no
date).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from rasid.errors import LexiconError

__all__ = ["FEATURES", "ENTITY_FEATURES", "PairScorer", "training_pairs"]

FEATURES = ("mean_similarity", "max_similarity", "max_title_cosine", "mean_title_cosine", "numbers_agree",
            "numbers_conflict", "places_agree", "places_conflict", "gap", "max_lexical", "max_embedding",
            "people_agree", "people_conflict", "entity_places_agree", "entity_places_conflict", "events_agree",
            "events_conflict")
# read from the entity and event layers (rasid.stories.signals.EntitySignals): a scorer file written
# before they were added still loads, weighing them 0 (it decides as it did)
ENTITY_FEATURES = FEATURES[11:]


class PairScorer:
    """Logistic regression over :data:`FEATURES`.

    Args:
        weights: one weight per feature name.
        bias: the intercept.
        threshold: the probability a dated report needs to join a dated story.
        undated_threshold: the probability needed when the report or the story has no date.
        link_threshold: the probability, dates aside, at which a new story is linked to an earlier one
            as one thread (:meth:`rasid.stories.StoryClusterer.assign`).
        about: provenance (training data, date, figures), kept when saved.
        source: where the weights come from, for error messages.
    """

    def __init__(self, weights: dict[str, float], bias: float, threshold: float = 0.5,
                 undated_threshold: float = 0.9, about: dict | None = None, link_threshold: float = 0.9,
                 source: str = "pair scorer"):
        weights = dict.fromkeys(ENTITY_FEATURES, 0.0) | dict(weights)
        missing = [f for f in FEATURES if f not in weights]
        if missing:
            raise LexiconError(source, None, f"no weight for {', '.join(missing)}")
        if not (0 < threshold < 1 and 0 < undated_threshold < 1 and 0 < link_threshold <= 1):
            raise LexiconError(source, None, "thresholds must lie between 0 and 1")
        self.weights = {f: float(weights[f]) for f in FEATURES}
        self._w = [self.weights[f] for f in FEATURES]
        self.bias = float(bias)
        self.threshold = float(threshold)
        self.undated_threshold = float(undated_threshold)
        self.link_threshold = float(link_threshold)
        self.about = dict(about or {})

    @classmethod
    def from_data(cls, path: str | Path | None = None) -> PairScorer:
        """Load ``stories/data/pair_scorer.json`` (or a user's copy)."""
        from rasid.resources import data_path

        p = Path(path) if path else data_path("stories/data/pair_scorer.json")
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            return cls(data["weights"], data["bias"], data["threshold"], data["undated_threshold"],
                       data.get("about"), data.get("link_threshold", 0.9), source=str(p))
        except LexiconError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise LexiconError(str(p), None, f"not a pair scorer file ({e!r})") from e

    def save(self, path: str | Path) -> None:
        """Write the scorer as JSON (weights in :data:`FEATURES` order)."""
        data = {"about": self.about, "features": list(FEATURES), "weights": self.weights, "bias": self.bias,
                "threshold": self.threshold, "undated_threshold": self.undated_threshold,
                "link_threshold": self.link_threshold}
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def probability(self, features: Sequence[float]) -> float:
        """The probability that the pair is one development.

        Example:
            >>> s = PairScorer(dict.fromkeys(FEATURES, 0.0) | {"max_similarity": 4.0}, bias=-2.0)
            >>> round(s.probability([0, 0.5] + [0] * 15), 2), round(s.probability([0, 1] + [0] * 15), 2)
            (0.5, 0.88)
        """
        z = self.bias + sum(w * x for w, x in zip(self._w, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def training_pairs(clusterer, profiles: Sequence, gold: Callable[[object], str]) -> tuple[list[list[float]], list[int]]:
    """Pair examples for fitting: assign `profiles` (in clustering order) to their gold stories.

    Each profile is compared, as clustering would compare it, with every candidate story formed so
    far (by gold decisions), giving one example per candidate labelled 1 when it is the profile's gold
    story; then the profile joins its gold story. ``gold(profile)`` names the profile's story.
    """
    xs, ys = [], []
    for profile in profiles:
        label = "gold-" + gold(profile)
        clusterer.prepare(profile)
        for sid in clusterer.candidates(profile):
            feats = clusterer.features(profile, clusterer.stories[sid])
            if feats is not None:
                xs.append(feats)
                ys.append(int(sid == label))
        clusterer.join_story(profile, label)
    return xs, ys
