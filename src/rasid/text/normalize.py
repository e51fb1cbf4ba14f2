"""Arabic normalisation for matching: keys and views that never replace the original text.

Two kinds of operation:

* *folds* map one character to one character (alef forms to bare alef, alef maksura to yeh,
  teh marbuta to heh, hamza carriers, Arabic-Indic and Persian digits to ASCII, ASCII upper
  to lower case). They keep string length, so offsets stay valid.
* *deletions* drop diacritics, tatweel and invisible format characters (bidi marks, zero-width
  joiners). They shorten the string; :class:`NormalizedText` keeps the map back to raw offsets.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass

from rasid.text import letters as L

__all__ = ["NormalizedText", "fold", "match_key", "match_words", "normalize", "strip_diacritics", "unify_digits"]

_FOLD_MAP: dict[str, str] = {}
for _c in L.ALEF_FORMS:
    _FOLD_MAP[_c] = L.ALEF
_FOLD_MAP.update({
    L.ALEF_MAKSURA: L.YEH,
    L.TEH_MARBUTA: L.HEH,
    L.WAW_HAMZA: L.WAW,
    L.YEH_HAMZA: L.YEH,
    L.FARSI_YEH: L.YEH,
    L.KEHEH: L.KAF,
})
for _src in (L.ARABIC_INDIC_DIGITS, L.PERSIAN_DIGITS):
    for _d, _a in zip(_src, L.ASCII_DIGITS, strict=True):
        _FOLD_MAP[_d] = _a
for _u in range(ord("A"), ord("Z") + 1):
    _FOLD_MAP[chr(_u)] = chr(_u + 32)
_FOLD_TABLE = str.maketrans(_FOLD_MAP)
_DIGIT_TABLE = str.maketrans({d: a for src in (L.ARABIC_INDIC_DIGITS, L.PERSIAN_DIGITS)
                              for d, a in zip(src, L.ASCII_DIGITS, strict=True)})
_DIACRITICS_TABLE = str.maketrans({c: None for c in L.DIACRITICS})
_DELETE_RE = re.compile("[" + re.escape(L.DIACRITICS + L.TATWEEL + L.FORMAT_CHARS) + "]")
_KEY_DROP_RE = re.compile(r"[^\w\s]")
_SPACE_RE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold letter variants, digits and ASCII case, one character for one.

    Length-preserving, so offsets into `text` stay valid.

    Example:
        >>> fold("أعلن إلى آخر مدينة ٤٣")
        'اعلن الي اخر مدينه 43'
    """
    if len(text) < _ARRAY_MIN_CHARS:
        return text.translate(_FOLD_TABLE)
    codes = _codes(text)
    if codes is None:
        return text.translate(_FOLD_TABLE)
    fold_array, _ = _arrays()
    return fold_array[codes].tobytes().decode("utf-32-le")


# str.translate with a dict table looks every non-ASCII character up one at a time (about 150 ns
# each); folding and keying are character-wise, so a lookup array over the Basic Multilingual Plane
# does the same in numpy: on SaudiNewsNet's 61k texts and titles match_key runs 5 times and fold 10
# times faster, with the same results (tests/text/test_normalize.py checks that
# every character and real articles come out the same as through the tables and expressions above).
_ARRAY_MIN_CHARS = 64  # shorter strings: translate is as fast
_ARRAYS = None


def _arrays():
    """(fold array, key array): each BMP code point's fold, and its key character (0: deleted)."""
    global _ARRAYS
    if _ARRAYS is None:
        import numpy as np

        codes = np.arange(0x10000, dtype=np.uint32)
        codes[0xD800:0xE000] = 0x20  # (surrogates: a text holding one never gets here, see _codes)
        chars = codes.tobytes().decode("utf-32-le")
        folded = chars.translate(_FOLD_TABLE)
        fold_array = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).copy()
        # each expression below matches single characters, so every substitution keeps the length
        deleted = np.frombuffer(_DELETE_RE.sub("\0", chars).encode("utf-32-le"), dtype=np.uint32) == 0
        keyed = re.sub(r"\s", " ", _KEY_DROP_RE.sub(" ", folded))
        key_array = np.frombuffer(keyed.encode("utf-32-le"), dtype=np.uint32).copy()
        key_array[deleted & (codes != 0)] = 0
        _ARRAYS = (fold_array, key_array)
    return _ARRAYS


def _codes(text: str):
    """The code points of `text` as a numpy array, or None when one lies outside the BMP (or is a lone
    surrogate): such texts take the slower path."""
    import numpy as np

    try:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return None
    return codes if not codes.size or codes.max() <= 0xFFFF else None


def unify_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits with ASCII digits. Length-preserving.

    Example:
        >>> unify_digits("قتل ٤٣ و۱۲")
        'قتل 43 و12'
    """
    return text.translate(_DIGIT_TABLE)


def strip_diacritics(text: str) -> str:
    """Drop harakat and Quranic marks (not tatweel). Shortens the string.

    Example:
        >>> strip_diacritics("خُطْوَةٌ")
        'خطوة'
    """
    return text.translate(_DIACRITICS_TABLE)


def match_key(text: str, *, keep_punctuation: bool = False) -> str:
    """Return the matching key of `text`: folded, marks removed, punctuation dropped, spaces collapsed.

    Not length-preserving; use :func:`normalize` when offsets matter.

    Example:
        >>> match_key("المصدر : الجزيرة + وكالات")
        'المصدر الجزيره وكالات'
        >>> match_key("ـقوات   حفتـر،")
        'قوات حفتر'
    """
    if _needs_nfkc(text):
        text = unicodedata.normalize("NFKC", text)
    if not keep_punctuation and len(text) >= _ARRAY_MIN_CHARS and (codes := _codes(text)) is not None:
        keys = _arrays()[1][codes]
        return " ".join(keys[keys != 0].tobytes().decode("utf-32-le").split())
    key = _DELETE_RE.sub("", text)
    key = key.translate(_FOLD_TABLE)
    if not keep_punctuation:
        key = _KEY_DROP_RE.sub(" ", key)
    return _SPACE_RE.sub(" ", key).strip()


_PRESENTATION_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")


def match_words(text: str) -> tuple[str, ...]:
    """The matching keys of the words of `text`: how lexicon entries are indexed.

    Example:
        >>> match_words("قاعدة الجفرة الجوية")
        ('قاعده', 'الجفره', 'الجويه')
    """
    return tuple(match_key(text).split())


def _needs_nfkc(text: str) -> bool:
    """Tell whether `text` holds Arabic presentation forms, which NFKC turns into plain letters."""
    return _PRESENTATION_RE.search(text) is not None


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalised view of a raw string with the map back to raw offsets.

    Attributes:
        text: the normalised string (folded, marks and tatweel removed).
        raw_length: length of the raw string.
    """

    text: str
    raw_length: int
    _offsets: array | None = None  # raw offset of each normalised character; None = identity

    def to_raw(self, i: int) -> int:
        """Map an offset in :attr:`text` to the raw string (an end offset maps past its char)."""
        if not 0 <= i <= len(self.text):
            raise IndexError(f"offset {i} outside normalised text of length {len(self.text)}")
        if self._offsets is None:
            return i
        return self.raw_length if i == len(self.text) else self._offsets[i]

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of :attr:`text` to the raw span that covers the same characters.

        Example:
            >>> raw = "قُوَّاتُ حفتـر"
            >>> norm = normalize(raw)
            >>> i = norm.text.index("حفتر")
            >>> s, e = norm.span_to_raw(i, i + 4)
            >>> raw[s:e]
            'حفتـر'
        """
        if end <= start:
            s = self.to_raw(start)
            return s, s
        if self._offsets is None:
            return start, end
        return self.to_raw(start), self._offsets[end - 1] + 1


def normalize(text: str) -> NormalizedText:
    """Normalise `text` for matching and keep the map back to raw offsets.

    Presentation forms are not expanded here (that would change lengths unpredictably);
    the data validator rejects them in lexicons, and :func:`match_key` expands them for keys.

    Example:
        >>> n = normalize("أعلنَ الجيشُ")
        >>> n.text
        'اعلن الجيش'
        >>> n.to_raw(5)
        6
    """
    folded = text.translate(_FOLD_TABLE)
    if not _DELETE_RE.search(folded):
        return NormalizedText(folded, len(text))
    offsets = array("i")
    pieces = []
    pos = 0
    for m in _DELETE_RE.finditer(folded):
        if m.start() > pos:
            pieces.append(folded[pos:m.start()])
            offsets.extend(range(pos, m.start()))
        pos = m.end()
    pieces.append(folded[pos:])
    offsets.extend(range(pos, len(folded)))
    return NormalizedText("".join(pieces), len(text), offsets)
