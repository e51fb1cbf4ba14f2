"""Charts drawn as inline SVG on the server: they need no script, print well and work offline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

__all__ = ["timeline_svg", "EVENT_COLOURS"]  # noqa: F822 (EVENT_COLOURS comes from __getattr__)

UNKNOWN_TYPE_COLOUR = "#999"


def __getattr__(name: str):
    """``EVENT_COLOURS``: one colour per ACLED event type, read from ``events/data/event_types.yaml``
    when first asked for (importing this module does no I/O)."""
    if name == "EVENT_COLOURS":
        from rasid.events.taxonomy import Taxonomy

        return Taxonomy.load().colours()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def timeline_svg(items: Sequence[dict], *, width: int = 520, row: int = 18) -> str:
    """A dated strip of a story's events: one dot per event (size by reports), coloured by type.

    Days run left to right (the chart reads as a calendar, also on an Arabic page); events of one
    day are stacked. Each dot carries a tooltip and ``data-event`` with its id, so a page can link
    it to the event's row. Undated events are listed apart, under the axis.

    Example:
        >>> from rasid.events.taxonomy import Taxonomy
        >>> battles = Taxonomy.load().by_key("battles")
        >>> svg = timeline_svg([{"date": "2020-06-06", "event_id": "ev-1", "event_type": battles,
        ...                      "reports": 2, "notes_en": "GNA forces entered Sirte."}])
        >>> svg.startswith("<svg") and 'data-event="ev-1"' in svg and "6 Jun" in svg
        True
    """
    from rasid.events.taxonomy import Taxonomy

    dated = [t for t in items if t.get("date")]
    taxonomy = Taxonomy.load()
    if not dated:
        return '<p class="muted">No dated events.</p>'
    days = sorted({date.fromisoformat(t["date"]) for t in dated})
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    left, right, top = 40, 40, 14
    stack: dict[date, int] = {}
    for t in dated:
        d = date.fromisoformat(t["date"])
        stack[d] = stack.get(d, 0) + 1
    height = top + row * max(stack.values()) + 46
    axis_y = height - 34

    def x(d: date) -> float:
        return left + (width - left - right) * ((d - first).days / span if span else 0.5)

    parts = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="timeline of events" direction="ltr">',
             f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#777"/>']
    ticks = days if len(days) <= 12 else [first + timedelta(days=round(i * span / 8)) for i in range(9)]
    for d in ticks:
        parts.append(f'<line x1="{x(d):.1f}" y1="{axis_y}" x2="{x(d):.1f}" y2="{axis_y + 5}" stroke="#777"/>')
        parts.append(f'<text x="{x(d):.1f}" y="{axis_y + 18}" text-anchor="middle" font-size="11" fill="#333">'
                     f'{d.day} {d.strftime("%b")}</text>')
    parts.append(f'<text x="{width - right}" y="{axis_y + 31}" text-anchor="end" font-size="10" fill="#777">'
                 f'{first.year if first.year == last.year else f"{first.year}–{last.year}"}</text>')
    level: dict[date, int] = {}
    for t in sorted(dated, key=lambda t: (t["date"], t.get("event_id", ""))):
        d = date.fromisoformat(t["date"])
        k = level.get(d, 0)
        level[d] = k + 1
        cy = axis_y - 12 - k * row
        r = 5 + min(4, 2 * (t.get("reports", 1) - 1))
        colour = taxonomy.colour(t.get("event_type", ""), UNKNOWN_TYPE_COLOUR)
        tip = f'{t["date"]} · {t.get("sub_event_type") or t.get("event_type")}'
        if t.get("location"):
            tip += f' · {t["location"]}'
        if t.get("notes_en"):
            tip += f' — {t["notes_en"]}'
        parts.append(f'<circle class="tl-dot" data-event="{escape(t.get("event_id", ""))}" cx="{x(d):.1f}" '
                     f'cy="{cy}" r="{r}" fill="{colour}" stroke="#222" stroke-width="0.6">'
                     f'<title>{escape(tip)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)
