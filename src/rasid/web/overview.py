"""Overviews of a store: events over time, counts by type, actor, country and outlet, actor and outlet pages."""

from __future__ import annotations

from fastapi import FastAPI

__all__ = ["add_overview_routes"]


def add_overview_routes(app: FastAPI, current, page) -> None:
    """Add the overview routes to `app`: `current()` is the request's store, `page(name, request, **context)`
    renders a dashboard template."""
