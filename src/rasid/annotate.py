"""The per-document work in one pure function: clean, then entities, then events.

:func:`annotate` takes one article and the loaded :class:`Resources` and returns the cleaned
document with its entity rows and coded events. It reads and writes nothing else, so it can be
mapped over a process pool or a cluster (the scale-out seam); its inputs and result pickle. The
corpus passes stay apart because they need every document: outlet templates (a line recurring in
an outlet's pages), duplicates, stories, linking reports across documents, and the views.

Example:
    >>> from rasid.document import Article
    >>> resources = Resources.load(entities=False, events=False)
    >>> out = annotate(Article("d1", "اشتباكات في سرت.", "d1.txt"), resources)
    >>> out.document.doc_id, out.mentions, out.events
    ('d1', [], [])
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rasid.document import Article, Document

__all__ = ["Annotated", "Resources", "annotate"]


@dataclass
class Resources:
    """What the per-document stages read, loaded once: the cleaner, the entity extractor, the event coder.

    ``extractor`` and ``coder`` may be None to stop after cleaning or after entities.
    """

    cleaner: object
    extractor: object | None = None
    coder: object | None = None

    @classmethod
    def load(cls, *, rules: str | None = None, outlets: str | None = None, actors: str | None = None,
             places: str | None = None, triggers: str | None = None, entities: bool = True,
             events: bool = True) -> Resources:
        """Load the shipped data files, or users' copies given as paths (each validated on load)."""
        from rasid.clean import Cleaner

        cleaner = Cleaner.from_data(rules=rules, outlets=outlets)
        extractor = coder = None
        if entities or events:
            from rasid.entities import ActorDictionary

            dictionary = ActorDictionary.from_data(actors)
        if entities:
            from rasid.entities import EntityExtractor
            from rasid.geo import Geocoder, PlaceGazetteer

            extractor = EntityExtractor(actors=dictionary, geocoder=Geocoder(PlaceGazetteer.from_data(aliases=places),
                                                                             dictionary.common_words))
        if events and entities:
            from rasid.events import EventCoder, Lexicon

            coder = EventCoder(Lexicon.from_data(triggers), dictionary)
        return cls(cleaner, extractor, coder)


@dataclass
class Annotated:
    """One article after the per-document stages."""

    document: Document
    line_keys: list[str]  # each line's matching key (the store indexes them)
    mentions: list[dict] = field(default_factory=list)  # entity rows, as entities.jsonl writes them
    events: list[dict] = field(default_factory=list)  # coded events, as events.jsonl writes them (before linking)


def annotate(article: Article, resources: Resources) -> Annotated:
    """Clean `article`, extract its entities and code its events; touch nothing else.

    A document in another language than Arabic is cleaned and flagged, but has no entities or
    events, as in :func:`rasid.pipeline.analyze`.
    """
    doc, keys = resources.cleaner.clean(article)
    out = Annotated(doc, keys)
    if resources.extractor is None or (doc.language and doc.language != "ar"):
        return out
    out.mentions = resources.extractor.extract(doc).rows()
    if resources.coder is not None:
        out.events = [e.as_dict() for e in resources.coder.code(doc, out.mentions)]
    return out
