"""Cleaning: turn an :class:`~rasid.document.Article` into a :class:`~rasid.document.Document`.

Every line gets a status, pages holding several articles are split into segments, sentences
are found in the kept lines, and the outlet is inferred from credits when metadata lacks it.
"""

from rasid.clean.cleaner import Cleaner

__all__ = ["Cleaner"]
