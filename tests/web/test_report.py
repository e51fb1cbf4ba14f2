"""report.html: self-contained (opens offline), one section per story, every cited sentence kept."""

import re


def test_report_is_self_contained(seeds_out):
    html = (seeds_out / "report.html").read_text(encoding="utf-8")
    # nothing is loaded from elsewhere: no external scripts, styles, fonts or tiles
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html)
    assert "url(http" not in html and "{z}/{x}/{y}" not in html  # no tile server
    assert "data:font/woff2;base64," in html and "L.map" in html and '"countries"' in html
    assert '<html lang="ar" dir="rtl">' in html


def test_report_sections_and_citations(seeds_out):
    html = (seeds_out / "report.html").read_text(encoding="utf-8")
    assert html.count('<section class="story"') == 3
    assert 'data-kind="territory"' in html and "<svg" in html and "data-points=" in html
    anchors = set(re.findall(r'href="#([^"]+-\d+)"', html))
    assert anchors and all(f'id="{a}"' in html for a in anchors)  # every cited sentence is in the appendix
