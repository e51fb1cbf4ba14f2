"""Names of the Arabic letters and marks Rasid folds; every module takes them from here."""

import re

HAMZA = "\u0621"
ALEF_MADDA = "\u0622"
ALEF_HAMZA_ABOVE = "\u0623"
WAW_HAMZA = "\u0624"
ALEF_HAMZA_BELOW = "\u0625"
YEH_HAMZA = "\u0626"
ALEF = "\u0627"
TEH_MARBUTA = "\u0629"
HEH = "\u0647"
WAW = "\u0648"
ALEF_MAKSURA = "\u0649"
YEH = "\u064a"
ALEF_WASLA = "\u0671"
FARSI_YEH = "\u06cc"
KEHEH = "\u06a9"
KAF = "\u0643"
TATWEEL = "\u0640"
SUPERSCRIPT_ALEF = "\u0670"

ALEF_FORMS = ALEF_MADDA + ALEF_HAMZA_ABOVE + ALEF_HAMZA_BELOW + ALEF_WASLA

# Harakat, Quranic marks and the superscript alef: dropped from matching keys.
DIACRITICS = (
    "".join(chr(c) for c in range(0x0610, 0x061B))
    + "".join(chr(c) for c in range(0x064B, 0x0660))
    + SUPERSCRIPT_ALEF
    + "".join(chr(c) for c in range(0x06D6, 0x06EE))
)

# Invisible format characters seen in scraped news: bidi marks, zero-width joiners, BOM, soft hyphen.
FORMAT_CHARS = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad\u061c"

ARABIC_INDIC_DIGITS = "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
PERSIAN_DIGITS = "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
ASCII_DIGITS = "0123456789"



_ARABIC_LETTER_RE = re.compile("[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06d5\u06fa-\u06fc]")
_LETTER_RE = re.compile(r"[^\W\d_]")

# Punctuation that ends a sentence or clause: a line ending in one is body text, not a heading or headline.
CLAUSE_FINAL_PUNCT = tuple(".!?؟،,:;؛…")


def arabic_letter_share(text: str) -> float:
    """Return the share of Arabic-script letters among the letters of `text` (0.0 when it has none).

    Example:
        >>> arabic_letter_share("قوات GNA")
        0.571
    """
    letters = len(_LETTER_RE.findall(text))
    return round(len(_ARABIC_LETTER_RE.findall(text)) / letters, 3) if letters else 0.0


def is_arabic_letter(ch: str) -> bool:
    """Tell whether `ch` is a letter of the Arabic script (not a digit, mark or punctuation).

    Example:
        >>> is_arabic_letter("ب"), is_arabic_letter("٣"), is_arabic_letter("b")
        (True, False, False)
    """
    o = ord(ch)
    return (0x0621 <= o <= 0x064A) or (0x0671 <= o <= 0x06D3) or o in (0x06D5, 0x06FA, 0x06FB, 0x06FC)
