"""Train and score the learned line model on a labelled page set (``bench/data/pages/pages.jsonl``).

A page is ``{"id", "site", "split": "train" | "dev" | "test", "lines": [{"text", "label", "kind"}]}``;
labels are ``kept``, ``heading``, ``boilerplate``, ``caption``, ``dateline`` and ``repeated``. The page
text is its lines joined by newlines. The sets are split by site, so a score on the test sites says
how the model does on sites it never saw; the test split is only ever scored, never read for errors.

Only the lines the rules leave kept are training items (those are what the model reads at run
time); a repeated line is left to the repeat finder. Classes: ``kept``, ``heading``,
``boilerplate``, ``caption``, ``dateline``. :func:`train` fits a multinomial logistic regression
(scikit-learn) for several regularisation strengths on the train sites, and chooses the strength and
the threshold by line F1 of non-kept lines on the dev sites, among those that leave the bundled
samples' cleaning exact.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rasid.clean.learned import CLASSES, FEATURES, LineModel, line_features
from rasid.document import Article, LineStatus, split_lines

log = logging.getLogger(__name__)

__all__ = ["Page", "load_pages", "score_pages", "train", "seeds_exact"]

REMOVED = ("boilerplate", "caption", "dateline", "repeated")
C_GRID = (0.1, 0.3, 1.0, 3.0)
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


@dataclass
class Page:
    """One labelled page."""

    id: str
    site: str
    split: str
    labels: list[str]
    text: str

    @property
    def removed(self) -> set[int]:
        """Line numbers (from 1) a reader takes out."""
        return {n for n, label in enumerate(self.labels, 1) if label in REMOVED}


def load_pages(path: str | Path, splits: Iterable[str] | None = None) -> list[Page]:
    """The pages of a labelled set (of the given splits)."""
    wanted = set(splits) if splits else None
    pages = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if wanted and row.get("split") not in wanted:
            continue
        texts = [x["text"].strip() for x in row["lines"] if x["text"].strip()]
        labels = [x["label"] for x in row["lines"] if x["text"].strip()]
        pages.append(Page(row["id"], row.get("site", ""), row.get("split", "train"), labels, "\n".join(texts)))
    return pages


def _clean(cleaner, page: Page):
    doc, _ = cleaner.clean(Article(page.id, page.text, f"{page.id}.txt"))
    if len(doc.lines) != len(page.labels):  # (lines are the non-empty ones on both sides)
        raise ValueError(f"{page.id}: {len(doc.lines)} lines cleaned, {len(page.labels)} labelled")
    return doc


def score_pages(cleaner, pages: list[Page]) -> dict:
    """Line-level P/R/F1 of non-kept lines (kept and heading count as kept, like score.py)."""
    tp = fp = fn = 0
    for page in pages:
        doc = _clean(cleaner, page)
        system = {ln.n for ln in doc.lines if ln.status not in (LineStatus.KEPT, LineStatus.HEADING)}
        gold = page.removed
        tp += len(system & gold)
        fp += len(system - gold)
        fn += len(gold - system)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn, "pages": len(pages), "lines": sum(len(p.labels) for p in pages)}


def _items(rules_only, pages: list[Page]) -> tuple[list[list[float]], list[str]]:
    """Feature rows and classes of the lines the rules leave kept."""
    xs, ys = [], []
    for page in pages:
        doc = _clean(rules_only, page)
        lines = split_lines(page.text)
        feats = line_features(page.text, lines)
        for ln, f, label in zip(doc.lines, feats, page.labels, strict=True):
            if ln.status != LineStatus.KEPT or label == "repeated":
                continue
            xs.append([f.get(k, 0.0) for k in FEATURES])
            ys.append(label)
    return xs, ys


def _model_of(clf, threshold: float, about: dict) -> LineModel:
    weights = {}
    classes = list(clf.classes_)
    for c in CLASSES:
        if c not in classes:
            continue
        if len(classes) == 2:  # (a binary fit gives one row: the second class against the first)
            sign = 1.0 if c == classes[1] else -1.0
            row, bias = clf.coef_[0] * sign / 2, clf.intercept_[0] * sign / 2
        else:
            i = classes.index(c)
            row, bias = clf.coef_[i], clf.intercept_[i]
        w = {k: round(float(v), 6) for k, v in zip(FEATURES, row, strict=True) if abs(v) > 1e-9}
        w["bias"] = round(w.get("bias", 0.0) + float(bias), 6)
        weights[c] = w
    return LineModel(weights, threshold, about)


def seeds_exact(cleaner, seeds_dir: Path, gold_path: Path) -> bool:
    """Whether the cleaner takes out exactly the lines the samples' gold takes out."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["documents"]
    for path in sorted(seeds_dir.glob("*.txt")):
        g = gold.get(path.stem)
        if g is None:
            continue
        doc, _ = cleaner.clean(Article(path.stem, path.read_text(encoding="utf-8"), path.name))
        removed = {b for _, b in g.get("repeated_lines", [])} | set(g.get("boilerplate_lines", []))
        system = {ln.n for ln in doc.lines if ln.status not in (LineStatus.KEPT, LineStatus.HEADING)}
        if system != removed:
            return False
    return True


def train(pages_path: str | Path, *, rules: str | None = None, seeds: tuple[Path, Path] | None = None,
          licence: str = "", on_step: Callable[[str], None] | None = None) -> tuple[LineModel, dict]:
    """Fit on the train sites, choose on the dev sites; return the model and the figures it was chosen on."""
    from sklearn.linear_model import LogisticRegression

    from rasid.clean import Cleaner

    train_pages, dev_pages = load_pages(pages_path, ["train"]), load_pages(pages_path, ["dev"])
    rules_only = Cleaner.from_data(rules=rules, line_model=False, identify_language=False)
    xs, ys = _items(rules_only, train_pages)
    if len(set(ys)) < 2:
        raise ValueError("the train sites need kept and removed lines")
    base = score_pages(rules_only, dev_pages)
    best = None
    for c in C_GRID:
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(xs, ys)
        for t in THRESHOLDS:
            model = _model_of(clf, t, {})
            cleaner = Cleaner(rules_only.classifier.__class__(rules_only.classifier.rules, model=model),
                              rules_only.outlets, rules_only.splitter, None)
            dev = score_pages(cleaner, dev_pages)
            if seeds and not seeds_exact(cleaner, *seeds):
                continue
            if on_step:
                on_step(f"C={c} threshold={t}: dev F1 {dev['f1']}")
            if best is None or dev["f1"] > best[2]["f1"]:
                best = (c, t, dev, clf)
    if best is None:
        raise ValueError("no setting keeps the samples' cleaning exact")
    c, t, dev, clf = best
    about = {"trained_on": str(pages_path), "train_pages": len(train_pages), "train_lines": len(ys),
             "dev_pages": len(dev_pages), "C": c, "threshold": t, "dev": dev, "dev_rules_only": base,
             "licence": licence or "weights: Apache-2.0 (this project); learned from labels of public page text",
             "classes": list(CLASSES), "features": list(FEATURES)}
    return _model_of(clf, t, about), about


def write_model(model: LineModel, path: str | Path) -> None:
    """Write a model in the shipped format."""
    Path(path).write_text(json.dumps({"about": model.about, "threshold": model.threshold, "weights": model.weights},
                                     ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
