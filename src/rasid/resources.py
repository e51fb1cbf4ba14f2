"""Loading and validation of the data files Rasid ships (and users edit).

Every YAML data file is validated on load: text must be NFC, hold no Arabic presentation
forms, and (unless it declares ``diacritized: true``) no tatweel or harakat in keys.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rasid.errors import LexiconError
from rasid.text import letters as L

__all__ = ["load_yaml", "validate_text", "data_path"]


def data_path(relative: str) -> Path:
    """Return the installed path of a shipped data file, e.g. ``clean/data/boilerplate.yaml``."""
    return Path(str(resources.files("rasid").joinpath(relative)))


def validate_text(text: str, path: str, *, diacritized: bool = False) -> None:
    """Raise :class:`LexiconError` on the first line of `text` that breaks a data-file rule."""
    for n, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0] if not line.lstrip().startswith(("'", '"')) else line
        if unicodedata.normalize("NFC", line) != line:
            raise LexiconError(path, n, "text is not NFC; re-save it normalised (unicodedata.normalize('NFC', ...))")
        for ch in body:
            if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe":
                raise LexiconError(path, n, f"Arabic presentation form U+{ord(ch):04X}; type the plain letter instead")
            if not diacritized and (ch == L.TATWEEL or ch in L.DIACRITICS):
                raise LexiconError(path, n, f"tatweel or harakat U+{ord(ch):04X} in a key; remove it "
                                            "(or declare 'diacritized: true')")


def load_yaml(relative_or_path: str | Path) -> Any:
    """Load and validate a YAML data file: a shipped one by relative name, or a user's by path."""
    path = Path(relative_or_path)
    if not path.is_absolute() and not path.exists():
        path = data_path(str(relative_or_path))
    return _load_yaml_cached(str(path))


@cache
def _load_yaml_cached(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LexiconError(path, None, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise LexiconError(path, None, f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LexiconError(path, mark.line + 1 if mark else None, f"invalid YAML: {exc}") from exc
    diacritized = isinstance(data, dict) and bool(data.get("diacritized"))
    validate_text(text, path, diacritized=diacritized)
    return data
