"""The cleaning stage: Article in, Document (lines, segments, sentences, outlet, title, language) out."""

from __future__ import annotations

import logging
import re

from rasid.clean.lines import LineClassifier
from rasid.clean.outlets import OutletDirectory
from rasid.clean.segments import split_segments
from rasid.document import Article, Document, LineStatus, Sentence, split_lines
from rasid.ingest.language import LanguageIdentifier
from rasid.text.normalize import fold
from rasid.text.sentences import SentenceSplitter

log = logging.getLogger(__name__)

__all__ = ["Cleaner"]

_DATELINE_SPLIT_RE = re.compile(r"\s*[-–—/]\s*")


class Cleaner:
    """Build documents from articles. Pure per document: the same article gives the same document.

    Args:
        classifier: line rules (``clean/data/boilerplate.yaml``).
        outlets: outlet directory (``clean/data/outlets.yaml``).
        splitter: sentence splitter.
        language: language identifier (None skips identification).
    """

    def __init__(self, classifier: LineClassifier, outlets: OutletDirectory, splitter: SentenceSplitter,
                 language: LanguageIdentifier | None):
        self.classifier = classifier
        self.outlets = outlets
        self.splitter = splitter
        self.language = language
        self.end_rules = {r.id for r in classifier.rules if r.end_of_article}

    @classmethod
    def from_data(cls, *, rules: str | None = None, outlets: str | None = None, identify_language: bool = True,
                  line_model: str | bool | None = None) -> Cleaner:
        """Build a cleaner from the shipped data files (or users' files given as paths); `line_model`
        is a user's line model file, None for the shipped one, False or "none" for the rules alone."""
        model = True if line_model is None else False if str(line_model).lower() == "none" else line_model
        return cls(LineClassifier.from_data(rules, model=model), OutletDirectory.from_data(outlets),
                   SentenceSplitter.from_data(), LanguageIdentifier() if identify_language else None)

    def __call__(self, article: Article) -> Document:
        """Clean one article."""
        return self.clean(article)[0]

    def clean(self, article: Article) -> tuple[Document, list[str]]:
        """Clean one article; also return each line's matching key (the store indexes them)."""
        text = article.text
        doc = Document(doc_id=article.doc_id, text=text, source=article.source, content_hash=article.content_hash,
                       fmt=article.fmt, title=article.title, url=article.url, publication_date=article.published,
                       encoding=article.encoding, warnings=list(article.warnings), article=article)
        doc.lines = split_lines(text)
        keys = self.classifier.classify(text, doc.lines, article.title)
        doc.segments = split_segments(text, doc.lines, self.end_rules)
        if not doc.title and doc.segments and doc.segments[0].title:
            doc.title = doc.segments[0].title
        for ln in doc.lines:
            if ln.status == LineStatus.KEPT:
                doc.sentences.extend(Sentence(a, b, ln.n, ln.segment) for a, b in self.splitter.split(text, ln.start, ln.end))
        self._infer_outlet(doc, article)
        if self.language is not None:
            body = " ".join(text[ln.start:ln.end] for ln in doc.lines if ln.status == LineStatus.KEPT) or text
            guess = self.language.identify(body)
            doc.language, doc.language_score = guess.language, guess.score
            if guess.language != "ar":
                doc.warnings.append(f"language:{guess.language}")
                log.info("%s: not Arabic (%s, p=%.2f); kept and flagged", doc.doc_id, guess.language, guess.score)
        if not doc.content_lines():
            doc.warnings.append("no-content: every line is boilerplate")
        if len(doc.segments) > 1:
            log.debug("%s: %d segments", doc.doc_id, len(doc.segments))
        return doc, keys

    def _infer_outlet(self, doc: Document, article: Article) -> None:
        credited: list[str] = []
        dateline_outlet = None
        for ln in doc.lines:
            rule = self.classifier.rules_by_id.get(ln.rule or "")
            if rule is None or not rule.names_outlet:
                continue
            raw = doc.text[ln.start:ln.end]
            if ln.status == LineStatus.DATELINE:
                # "CITY - OUTLET" or "OUTLET - CITY" or "AUTHOR - OUTLET": only a side the directory knows is an outlet
                for side in _DATELINE_SPLIT_RE.split(raw, maxsplit=1):
                    known = self.outlets.from_name(side.strip(" .()"))
                    if known is not None:
                        dateline_outlet = dateline_outlet or known.name
                        if known.name not in credited:
                            credited.append(known.name)
            else:
                m = rule.pattern.search(fold(raw)) if rule.raw else None
                body = raw[m.end():] if m else raw
                credited.extend(n for n in self.outlets.from_credit(body) if n not in credited)
        doc.credits = credited
        if article.outlet:
            known = self.outlets.from_name(article.outlet)
            doc.outlet, doc.outlet_basis = (known.name if known else article.outlet), "metadata"
            return
        by_url = self.outlets.from_url(article.url)
        if by_url:
            doc.outlet, doc.outlet_basis = by_url.name, "url"
            return
        if dateline_outlet:
            doc.outlet, doc.outlet_basis = dateline_outlet, "dateline"
            return
        publishers = [n for n in credited if self.outlets.kind_of(n) != "agency"]
        if publishers:
            doc.outlet, doc.outlet_basis = publishers[0], "credit"
