"""Charts drawn as inline SVG on the server: they need no script, print well and work offline."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from html import escape

__all__ = ["timeline_svg", "time_bins", "stacked_bars_svg", "bar_rows_html",  # noqa: F822 (see __getattr__)
           "EVENT_COLOURS"]

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


# -- events over time: stacked bars by event type ------------------------------------------------

UNITS = ("day", "week", "month", "year")
UNIT_LABELS = {"day": "day", "week": "week (from Monday)", "month": "month", "year": "year"}
TRIM = 0.02  # a long thin tail (a story's background dates) is shown as "earlier"/"later", not as empty bars


def _floor(d: date, unit: str) -> date:
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    if unit == "year":
        return d.replace(month=1, day=1)
    return d


def _next(d: date, unit: str) -> date:
    if unit == "day":
        return d + timedelta(days=1)
    if unit == "week":
        return d + timedelta(days=7)
    if unit == "month":
        return date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return date(d.year + 1, 1, 1)


def _label(d: date, unit: str) -> str:
    if unit == "year":
        return str(d.year)
    if unit == "month":
        return d.strftime("%b %Y")
    return f"{d.day} {d.strftime('%b')}"


def time_bins(counts: Mapping[tuple[str, str], int]) -> tuple[str, list[dict]]:
    """Bins of time for counts by ``(ISO day, event type)``: the unit, and the bins in date order.

    The unit follows the span: days up to 45 days, weeks up to 26 weeks, months up to six years,
    then years. When the middle 96 % of the events spans less than a third of all dates (most
    events in one week, a few dated years back), the bins cover that middle and the rest is
    counted in an ``earlier`` and a ``later`` bin instead of dozens of empty ones. Every event is
    in exactly one bin. Each bin is ``{"kind": "bin" | "earlier" | "later", "start", "end"
    (inclusive ISO days), "label", "counts": {type: n}, "total"}``.

    Example:
        >>> unit, bins = time_bins({("2020-06-06", "Battles"): 2, ("2020-06-08", "Protests"): 1})
        >>> unit, [(b["label"], b["total"]) for b in bins]
        ('day', [('6 Jun', 2), ('7 Jun', 0), ('8 Jun', 1)])
    """
    by_day: dict[date, dict[str, int]] = {}
    for (day, kind), n in counts.items():
        if n:
            row = by_day.setdefault(date.fromisoformat(day[:10]), {})
            row[kind] = row.get(kind, 0) + n
    if not by_day:
        return "day", []
    days = sorted(by_day)
    lo, hi = days[0], days[-1]
    if (hi - lo).days > 45:
        total = sum(sum(r.values()) for r in by_day.values())
        seen, cut_lo, cut_hi = 0, None, hi
        for d in days:
            seen += sum(by_day[d].values())
            if cut_lo is None and seen > TRIM * total:
                cut_lo = d  # the days before hold at most TRIM of the events
            if seen >= (1 - TRIM) * total:
                cut_hi = d  # and the days after
                break
        cut_lo = cut_lo or lo
        if (cut_hi - cut_lo).days * 3 < (hi - lo).days:
            lo, hi = cut_lo, cut_hi
    span = (hi - lo).days
    unit = "day" if span <= 45 else "week" if span <= 182 else "month" if span <= 6 * 366 else "year"
    starts = [_floor(lo, unit)]
    while _next(starts[-1], unit) <= hi:
        starts.append(_next(starts[-1], unit))
    end = _next(starts[-1], unit) - timedelta(days=1)
    bins = [{"kind": "bin", "start": s.isoformat(), "end": (_next(s, unit) - timedelta(days=1)).isoformat(),
             "label": _label(s, unit), "counts": {}, "total": 0} for s in starts]
    earlier = {"kind": "earlier", "start": days[0].isoformat(), "end": (starts[0] - timedelta(days=1)).isoformat(),
               "label": "earlier", "counts": {}, "total": 0}
    later = {"kind": "later", "start": (end + timedelta(days=1)).isoformat(), "end": days[-1].isoformat(),
             "label": "later", "counts": {}, "total": 0}
    for d in days:
        if d < starts[0]:
            target = earlier
        elif d > end:
            target = later
        else:
            i = len(starts) - 1
            while starts[i] > d:  # (from the end: few bins are ever walked; the list is short anyway)
                i -= 1
            target = bins[i]
        for kind, n in by_day[d].items():
            target["counts"][kind] = target["counts"].get(kind, 0) + n
            target["total"] += n
    return unit, ([earlier] if earlier["total"] else []) + bins + ([later] if later["total"] else [])


def _nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10^k) for about `ticks` gridlines up to `top`."""
    raw = max(1.0, top / ticks)
    base = 10 ** math.floor(math.log10(raw))
    return int(next(m * base for m in (1, 2, 5, 10) if m * base >= raw))


def stacked_bars_svg(unit: str, bins: Sequence[dict], *, colours: Mapping[str, str],
                     link: Callable[[str, str, str], str | None] | None = None, width: int = 900,
                     height: int = 270) -> str:
    """Events over time as stacked bars, one segment per event type, with axes and a legend.

    `bins` come from :func:`time_bins`; types are stacked in the order of `colours` (the taxonomy's),
    unknown types last in grey. Each segment is a ``rect.seg`` with ``data-type``, ``data-count``,
    ``data-start`` and ``data-end`` and a tooltip; with `link`, ``link(type, start, end)`` gives the
    address it opens (the events of that type in that bin). Time runs left to right (as on a
    calendar, also on an Arabic page); counts are marked on both sides, since a narrow screen scrolls
    the chart and shows its right end first. Returns a ``<figure class="chart">`` with the SVG and an
    HTML legend of the types drawn.

    Example:
        >>> unit, bins = time_bins({("2020-06-06", "Battles"): 2, ("2020-06-08", "Protests"): 1})
        >>> svg = stacked_bars_svg(unit, bins, colours={"Battles": "#D55E00", "Protests": "#009E73"})
        >>> svg.count('class="seg"'), 'data-count="2"' in svg, "Protests" in svg
        (2, True, True)
    """
    if not bins:
        return '<p class="muted"><span lang="en">No dated events.</span></p>'
    order = list(colours) + sorted({t for b in bins for t in b["counts"]} - set(colours))
    top = max(b["total"] for b in bins) or 1
    step = _nice_step(top)
    top = step * math.ceil(top / step)
    left, right, up, down = 52, 44, 14, 58
    plot_w, plot_h = width - left - right, height - up - down
    slot = plot_w / len(bins)
    bar = min(56.0, max(1.0, slot * 0.78))
    base = up + plot_h
    parts = [f'<svg class="bars-time" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="events per {unit} by event type" direction="ltr">']
    for k in range(0, top + 1, step):
        y = base - plot_h * k / top
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e7ea"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" fill="#444">{k:,}</text>'
                     f'<text x="{width - right + 6}" y="{y + 4:.1f}" font-size="13" fill="#444">{k:,}</text>')
    parts.append(f'<text transform="translate(14 {up + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
                 f'font-size="13" fill="#444">events</text>')
    every = max(1, math.ceil(len(bins) / max(1, plot_w // 70)))
    for i, b in enumerate(bins):
        x = left + i * slot + (slot - bar) / 2
        y = base
        extra = b["kind"] != "bin"
        for t in order:
            n = b["counts"].get(t, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            colour = colours.get(t, UNKNOWN_TYPE_COLOUR)
            when = b["start"] if b["start"] == b["end"] else f'{b["start"]} – {b["end"]}'
            faded = ' fill-opacity="0.55"' if extra else ""
            rect = (f'<rect class="seg" data-type="{escape(t)}" data-count="{n}" data-start="{b["start"]}" '
                    f'data-end="{b["end"]}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 0.5):.1f}" '
                    f'fill="{colour}"{faded}>'
                    f'<title>{escape(when)} · {escape(t)}: {n:,}</title></rect>')
            href = link(t, b["start"], b["end"]) if link else None
            parts.append(f'<a href="{escape(href)}">{rect}</a>' if href else rect)
        if extra or i % every == 0:
            style = ' fill="#777" font-style="italic"' if extra else ' fill="#333"'
            parts.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{base + 18}" text-anchor="middle" font-size="13"'
                         f'{style}>{escape(b["label"])}</text>')
            parts.append(f'<line x1="{left + (i + 0.5) * slot:.1f}" y1="{base}" x2="{left + (i + 0.5) * slot:.1f}" '
                         f'y2="{base + 4}" stroke="#777"/>')
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#777"/>')
    years = sorted({b["start"][:4] for b in bins if b["kind"] == "bin"} | {b["end"][:4] for b in bins if b["kind"] == "bin"})
    span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" text-anchor="middle" font-size="13" fill="#444">'
                 f'{escape(UNIT_LABELS[unit])}, {span}</text></svg>')
    drawn = [t for t in order if any(b["counts"].get(t) for b in bins)]
    legend = "".join(f'<span><i class="dot" style="background:{colours.get(t, UNKNOWN_TYPE_COLOUR)}"></i>'
                     f'{escape(t)}</span>' for t in drawn)
    return (f'<figure class="chart" data-unit="{unit}"><div class="chart-scroll">{"".join(parts)}</div>'
            f'<figcaption class="legend" lang="en">{legend}</figcaption></figure>')


def bar_rows_html(rows: Sequence[dict], *, colour: str = "#0b6e69") -> str:
    """Horizontal bars as HTML (Arabic names wrap and shape as text; a reader can select them).

    Each row is ``{"key", "label", "label_en"?, "href"?, "count", "count_href"?, "colour"?, "title"?}``:
    the name (linked to `href`), its English gloss, a bar as long as its share of the largest count
    and the count (linked to `count_href`). Rows are ``div.hbar[data-key][data-count]``.

    Example:
        >>> html = bar_rows_html([{"key": "a", "label": "سرت", "count": 4}, {"key": "b", "label": "بنغازي", "count": 2}])
        >>> html.count('class="hbar"'), 'style="width:50.0%' in html
        (2, True)
    """
    if not rows:
        return '<p class="muted">—</p>'
    top = max(r["count"] for r in rows) or 1
    out = ['<div class="hbars">']
    for r in rows:
        name = escape(r["label"] or r.get("label_en") or r["key"])
        if r.get("href"):
            name = f'<a href="{escape(r["href"])}">{name}</a>'
        if r.get("label_en") and r["label_en"] != r["label"]:
            name += f' <span lang="en" class="en">{escape(r["label_en"])}</span>'
        n = f'<bdi dir="ltr">{r["count"]:,}</bdi>'
        if r.get("count_href"):
            n = f'<a href="{escape(r["count_href"])}">{n}</a>'
        title = f' title="{escape(r["title"])}"' if r.get("title") else ""
        out.append(f'<div class="hbar" data-key="{escape(str(r["key"]))}" data-count="{r["count"]}"{title}>'
                   f'<div class="hbar-name">{name}</div><div class="hbar-track"><span class="hbar-fill" '
                   f'style="width:{100 * r["count"] / top:.1f}%;background:{escape(r.get("colour") or colour)}">'
                   f'</span></div><div class="hbar-n">{n}</div></div>')
    out.append("</div>")
    return "".join(out)
