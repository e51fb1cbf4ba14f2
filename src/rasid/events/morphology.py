"""Arabic inflection of the trigger lexicon's forms: a listed verb or noun found in its other shapes.

The lexicon lists surface forms ("قصفت"، "استهدف"، "سيطر"). A report may use the same word with a
subject suffix ("سيطروا"), an object pronoun ("استهدفتها"، "قصفوه") or, for a verb, in the present
tense ("يسيطر"، "تستهدف"). Two transparent rules reach the listed form, without a morphological
dictionary:

* :func:`suffix_readings` strips the pronoun and subject suffixes of a token, longest first, so
  "استهدفتها" is read as "استهدفت" and "هاجموه" as "هاجموا";
* :func:`present_forms` gives a listed past-tense verb its third- and first-person present forms
  ("سيطر" -> "يسيطر"، "تسيطر"; "استهدف" -> "يستهدف"، "تستهدف"), added to the lexicon for entries of
  kind ``verb`` only (a noun's prefixed shapes are other words: تدمر is Palmyra, not "destroys").

Only listed forms are ever reached, so a stripped or prefixed word that is not a trigger stays
unmatched. Matching keys are folded (ة is written ه).

Example:
    >>> suffix_readings("استهدفتها")
    ('استهدفت',)
    >>> suffix_readings("هاجموه")
    ('هاجمو', 'هاجموا')
    >>> present_forms("استهدف")
    ('يستهدف', 'تستهدف', 'نستهدف')
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["suffix_readings", "present_forms", "MIN_STEM"]

# object pronouns, then subject endings (longest first); after them at least MIN_STEM letters remain
PRONOUNS = ("هما", "كما", "هم", "هن", "ها", "كم", "نا", "ه")
SUBJECT = ("تما", "وا", "تا", "ون", "ين", "ان")
MIN_STEM = 3
PRESENT_PREFIXES = ("ي", "ت", "ن")


@lru_cache(maxsize=1 << 16)  # token keys recur: a news stream has a few thousand common words
def suffix_readings(key: str) -> tuple[str, ...]:
    """The token's shapes with a pronoun suffix, or a subject ending, removed (the token itself excluded)."""
    out: list[str] = []
    for suffix in PRONOUNS:
        if key.endswith(suffix) and len(key) - len(suffix) >= MIN_STEM:
            stem = key[: -len(suffix)]
            out.append(stem)
            if stem.endswith("و"):  # "قصفوه": the alif of "قصفوا" drops before a pronoun
                out.append(stem + "ا")
            break
    for suffix in SUBJECT:
        if key.endswith(suffix) and len(key) - len(suffix) >= MIN_STEM:
            out.append(key[: -len(suffix)])
            break
    return tuple(dict.fromkeys(out))


def present_forms(past: str) -> tuple[str, ...]:
    """Present-tense shapes of a past-tense verb key of three letters or more ("" for other words)."""
    if len(past) < MIN_STEM or " " in past or past.startswith("ال"):
        return ()
    stem = past[:-1] if past.endswith("ت") and len(past) > MIN_STEM else past  # "سيطرت" -> "سيطر"
    # forms VII, VIII and X drop their initial alif after the prefix: انسحب -> ينسحب، استهدف -> يستهدف
    body = stem[1:] if stem.startswith("ا") and len(stem) > MIN_STEM else stem
    return tuple(p + body for p in PRESENT_PREFIXES)
