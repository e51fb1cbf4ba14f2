"""Outlet directory: recognise outlets and agencies from URLs, datelines and credit lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from rasid.errors import LexiconError
from rasid.text.normalize import match_key

__all__ = ["Outlet", "OutletDirectory"]

_CREDIT_SPLIT_RE = re.compile(r"\s*(?:\+|/|,|،|&| و(?=\S))\s*")


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet or wire agency."""

    name: str
    kind: str  # "outlet" or "agency"


class OutletDirectory:
    """Look outlets up by domain or Arabic name (see ``clean/data/outlets.yaml``)."""

    def __init__(self, entries: list[dict], *, path: str = "outlets.yaml"):
        self.by_key: dict[str, Outlet] = {}
        self.by_domain: dict[str, Outlet] = {}
        for i, entry in enumerate(entries):
            if "name" not in entry:
                raise LexiconError(path, None, f"outlet entry {i + 1} has no 'name'")
            outlet = Outlet(str(entry["name"]), str(entry.get("kind", "outlet")))
            for alias in [entry["name"], *entry.get("ar", [])]:
                key = match_key(str(alias))
                if key in self.by_key and self.by_key[key] != outlet:
                    raise LexiconError(path, None, f"alias {alias!r} names both {self.by_key[key].name} and {outlet.name}")
                self.by_key[key] = outlet
            for domain in entry.get("domains", []):
                self.by_domain[str(domain).lower()] = outlet

    @classmethod
    def from_data(cls, path: str | None = None) -> OutletDirectory:
        """Load the shipped directory, or a user's YAML file at `path`."""
        from rasid.resources import load_yaml

        data = load_yaml(path or "clean/data/outlets.yaml")
        return cls(data.get("outlets", []), path=str(path or "outlets.yaml"))

    def from_url(self, url: str | None) -> Outlet | None:
        """Return the outlet whose domain (or a parent domain) hosts `url`.

        Example:
            >>> OutletDirectory.from_data().from_url("https://www.aljazeera.net/news/2020/6/6/x").name
            'Al Jazeera'
        """
        if not url:
            return None
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
        parts = host.split(".")
        for i in range(len(parts) - 1):
            outlet = self.by_domain.get(".".join(parts[i:]))
            if outlet:
                return outlet
        return None

    def from_name(self, name: str) -> Outlet | None:
        """Return the outlet called `name` (any spelling the directory knows)."""
        return self.by_key.get(match_key(name))

    def from_credit(self, text: str) -> list[str]:
        """Split a credit ("الجزيرة + وكالات", "الرسالة نت") into names, known outlets canonicalised.

        Example:
            >>> OutletDirectory.from_data().from_credit("الجزيرة + وكالات")
            ['Al Jazeera', 'agencies']
        """
        names = []
        for piece in _CREDIT_SPLIT_RE.split(text.strip(" :：-–—()")):
            piece = piece.strip(" :：-–—()[]«»\"'")
            if not piece:
                continue
            outlet = self.from_name(piece)
            name = outlet.name if outlet else piece
            if name not in names:
                names.append(name)
        return names

    def kind_of(self, name: str) -> str | None:
        """Return "outlet" or "agency" for a canonical name the directory knows."""
        outlet = self.by_key.get(match_key(name))
        return outlet.kind if outlet else None
