"""The document page marks each field of a coded sentence (trigger, actors, place, date, toll, claimant)
from the events' ``spans``, with a legend and one card per event; stores without spans still render."""

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rasid.document import Document, Sentence, content_hash, split_lines
from rasid.store import Store
from rasid.web.app import create_app
from rasid.web.render import FIELD_ROLES, Mark, field_spans, nested_html

ROOT = Path(__file__).resolve().parents[2]
DOC_ID = "hand_0001"
# line 1 from demo/seeds/004 (its event is coded without spans, as in a store from before spans),
# line 2 from demo/seeds/002 (quotes, Latin, tanween: جدًا), line 3 a denial written for this test
OLD = ('أعلن المركز الإعلامي لقوات حكومة الوفاق الوطني الليبية، الاثنين، فرض السيطرة "بالكامل" على الحي رقم 1 '
       'في سرت، أحد آخر معقلين لتنظيم الدولة الإسلامية "داعش" في المدينة.')
CODED = ('وأضاف "المسماري"، خلال مداخلة هاتفية مع برنامج "بالورقة والقلم" تقديم الإعلامي نشأت الديهي المذاع عبر '
         'فضائية "TEN"، اليوم الأحد، أن هناك خسائر كبيرة جدًا في صفوف الميليشيات واليوم حاولوا الهجوم على منطقة '
         'الجفرة، وهي منطقة صحراوية مفتوحة، والقوات الجوية تصدت لهذا الهجوم، وهناك 43 قتيل من الميليشيات حتى الآن '
         'بمكان الهجوم، وهذه الجثث تركت بمقر هجوم القوات الجوية.')
DENIED = "ونفى المتحدث باسم قوات الوفاق أن تكون طائراتها قصفت مدينة ترهونة."
TEXT = "\n".join([OLD, CODED, DENIED])

# the coded sentence's fields: role -> surface text (found with str.find inside the sentence)
FIELDS = {"trigger": "تصدت", "actor1": "القوات الجوية", "actor2": "الميليشيات", "location": "الجفرة",
          "date": "اليوم الأحد", "fatalities": "43", "claimant": "المسماري"}
DENIED_FIELDS = {"trigger": "قصفت", "actor1": "قوات الوفاق", "location": "ترهونة", "claimant": "المتحدث باسم قوات الوفاق"}


def sentence_span(sentence: str) -> tuple[int, int]:
    start = TEXT.index(sentence)
    return start, start + len(sentence)


def spans_of(sentence: str, fields: dict[str, str]) -> dict:
    lo, _ = sentence_span(sentence)
    out = {}
    for role, surface in fields.items():
        i = sentence.find(surface)
        assert i >= 0, surface
        out[role] = {"text": surface, "start": lo + i, "end": lo + i + len(surface)}
    return out


def event(event_id: str, sentence: str, **fields) -> dict:
    return {"event_id": event_id, "doc_id": DOC_ID, "line": 1, "span": list(sentence_span(sentence)),
            "sentence": sentence, "story_id": None, "trigger": "", "event_type": "Battles",
            "sub_event_type": "Armed clash", "actor1": None, "actor2": None, "location": None,
            "event_date": "2020-06-07", "time_precision": 1, "date_from": "sentence", "fatalities": None,
            "wounded": None, "attributed_to": None, "attributed_side": None, "confidence": 0.8,
            "modality": "asserted", "outlet": None, "notes_en": f"note of {event_id}", "same_as": [],
            "also_lines": [], **fields}


def coded_event(**extra) -> dict:
    return event("ev-coded", CODED, trigger="تصدت", event_type="Explosions/Remote violence",
                 sub_event_type="Air/drone strike",
                 actor1={"id": "LNA", "label_en": "Libyan National Army (Haftar forces)",
                         "label_ar": "الجيش الوطني الليبي", "surface": "القوات الجوية", "side": "LNA"},
                 actor2={"id": "GNA", "label_en": "Government of National Accord forces",
                         "label_ar": "قوات حكومة الوفاق الوطني", "surface": "الميليشيات", "side": "GNA"},
                 location={"name": "Jufra", "name_ar": "الجفرة", "name_en": "Al Jufrah", "country": "LY",
                           "geo_precision": 2},
                 fatalities=43, attributed_to="المسماري", attributed_side="LNA", modality="attributed",
                 spans=spans_of(CODED, FIELDS), **extra)


def events() -> list[dict]:
    old = event("ev-old", OLD, trigger="فرض السيطرة", event_type="Strategic developments",
                sub_event_type="Non-violent transfer of territory", fatalities=6)
    denied = event("ev-denied", DENIED, trigger="قصفت", event_type="Explosions/Remote violence",
                   sub_event_type="Air/drone strike", modality="denied", attributed_to="المتحدث باسم قوات الوفاق",
                   location={"name_ar": "ترهونة", "name_en": "Tarhuna"}, spans=spans_of(DENIED, DENIED_FIELDS))
    return [old, coded_event(), denied]


def mention(surface: str, kind: str, within: str = CODED) -> dict:
    lo, _ = sentence_span(within)
    i = lo + within.index(surface)
    return {"span": [i, i + len(surface)], "text": surface, "type": kind, "name_en": surface}


MENTIONS = [mention("القوات الجوية", "ORG"),  # the same extent as actor1
            mention("منطقة الجفرة", "LOC"),  # around the place field
            mention("المسماري", "PERS"),  # inside the claimant's quotes
            mention("قوات الوفاق", "ORG", DENIED)]  # inside the denied event's claimant


def build_store(path, rows: list[dict]) -> None:
    sentences = []
    for n, ln in enumerate(split_lines(TEXT), start=1):
        sentences.append(Sentence(ln.start, ln.end, n, None))
    doc = Document(doc_id=DOC_ID, text=TEXT, source="hand.txt", content_hash=content_hash(TEXT),
                   title="مقال مكتوب باليد", outlet="Test", publication_date="2020-06-07", language="ar",
                   lines=split_lines(TEXT), sentences=sentences)
    with Store(path) as store:
        store.write_documents([doc])
        store.write_annotations("entity", {DOC_ID: MENTIONS})
        store.replace_events(rows)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("fields") / "rasid.sqlite"
    build_store(db, events())
    return TestClient(create_app(db))


@pytest.fixture(scope="module")
def page(client) -> str:
    response = client.get(f"/documents/{DOC_ID}")
    assert response.status_code == 200
    return response.text


class Elements(HTMLParser):
    """Every element's tag, attributes, text (with its children's) and the ids of the elements it is
    within, checking that tags nest."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        el = {"tag": tag, "attrs": dict(attrs), "text": "",
              "within": {a["attrs"]["id"] for a in self.stack if "id" in a["attrs"]}}
        self.stack.append(el)
        self.found.append(el)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1]["tag"] == tag, f"</{tag}> closes <{self.stack[-1]['tag']}>"
        self.stack.pop()

    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data


def elements(html: str) -> list[dict]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    assert not parser.stack, [el["tag"] for el in parser.stack]
    return parser.found


def fields_in(html: str) -> list[dict]:
    return [el for el in elements(html) if "f" in el["attrs"].get("class", "").split()
            and el["attrs"].get("data-ev")]


@pytest.mark.parametrize("role", list(FIELDS))
def test_document_page_marks_each_field_of_a_coded_sentence_with_its_text_and_role(page, role):
    marked = [el for el in fields_in(page) if el["attrs"]["data-role"] == role
              and "ev-coded" in el["attrs"]["data-ev"].split()]
    assert len(marked) == 1
    el = marked[0]
    start = sentence_span(CODED)[0] + CODED.index(FIELDS[role])
    assert el["text"] == FIELDS[role]
    assert el["attrs"]["id"] == el["attrs"]["data-field"] == f"f-{role}-{start}-{start + len(FIELDS[role])}"
    assert el["attrs"]["data-label"] == FIELD_ROLES[role][0]
    assert f"f-{role}" in el["attrs"]["class"].split()


def test_document_page_nests_fields_and_mentions_and_keeps_the_text(page):
    found = elements(page)  # raises when an element closes out of order
    sentence = next(el for el in found if el["attrs"].get("id") == f"s-{sentence_span(CODED)[0]}")
    assert sentence["text"] == CODED  # nothing lost, nothing doubled, quotes and Latin intact
    assert sentence["attrs"]["class"] == "ev-sentence" and sentence["attrs"]["data-fields"] == str(len(FIELDS))
    assert '"المسماري"' in sentence["text"] and '&quot;' not in sentence["text"]
    place = next(el for el in fields_in(page) if el["attrs"]["data-role"] == "location")
    mark = next(el for el in found if el["tag"] == "mark" and el["text"] == "منطقة الجفرة")
    assert place["text"] == "الجفرة" and mark["attrs"]["class"] == "m-LOC"
    actor = '<span class="f f-actor1"'
    assert page.index(actor) < page.index('<mark class="m-ORG"', page.index(actor))  # the field wraps the mention


def test_document_page_has_a_legend_of_the_field_styles(page):
    legend = next(el for el in elements(page) if el["attrs"].get("id") == "legend")
    for role, (en, ar) in FIELD_ROLES.items():
        assert f'class="f f-{role}" data-role="{role}" data-label="{en}">{ar}</span>' in page
        assert en in legend["text"] and ar in legend["text"]
    assert "denied" in legend["text"]


def test_each_event_has_a_visible_card_whose_field_names_point_at_the_marked_spans(page):
    found = elements(page)
    card = next(el for el in found if el["attrs"].get("id") == "ev-ev-coded")
    for words in ("Explosions/Remote violence", "Air/drone strike", "الجيش الوطني الليبي", "Government of National",
                  "الجفرة", "Al Jufrah", "2020-06-07", "precision 1", "43", "المسماري", "attributed", "منسوب",
                  "actor1 · الفاعل", "claimant · المصدر"):
        assert words in " ".join(card["text"].split()), words
    ids = {el["attrs"]["id"]: el["attrs"]["data-role"] for el in fields_in(page) if "id" in el["attrs"]}
    links = [el for el in found if el["tag"] == "a" and "ev-ev-coded" in el["within"]
             and el["attrs"].get("href", "").startswith("#f-")]
    assert sorted(ids[a["attrs"]["href"][1:]] for a in links) == sorted(FIELDS)  # each lands on its span
    assert all(a["attrs"]["data-field"] == a["attrs"]["href"][1:] for a in links)
    # the cards follow the paragraph of their sentence, before the next paragraph
    assert page.index(f'id="s-{sentence_span(CODED)[0]}"') < page.index('id="ev-ev-coded"') \
        < page.index(f'id="s-{sentence_span(DENIED)[0]}"')


def test_an_event_without_spans_still_renders_with_its_underline_and_an_unlinked_card(page):
    found = elements(page)
    sentence = next(el for el in found if el["attrs"].get("id") == f"s-{sentence_span(OLD)[0]}")
    assert sentence["attrs"]["class"] == "ev-sentence" and "data-fields" not in sentence["attrs"]
    assert "Strategic developments" in sentence["attrs"]["title"]
    lo, hi = sentence_span(OLD)
    assert not [el for el in fields_in(page) if lo <= int(el["attrs"]["data-field"].split("-")[2]) < hi]
    card = next(el for el in found if el["attrs"].get("id") == "ev-ev-old")
    assert "Strategic developments" in card["text"] and "6" in card["text"]
    assert not [el for el in found if "ev-ev-old" in el["within"] and el["tag"] == "a"]


def test_a_denied_event_is_kept_struck_through_and_says_so(page):
    found = elements(page)
    card = next(el for el in found if el["attrs"].get("id") == "ev-ev-denied")
    assert "denied" in card["attrs"]["class"].split() and card["attrs"]["data-modality"] == "denied"
    assert "denied" in card["text"] and "منفي" in card["text"]
    denied = [el for el in fields_in(page) if el["attrs"]["data-ev"] == "ev-denied"]
    assert {el["attrs"]["data-role"] for el in denied} == set(DENIED_FIELDS)
    assert all("f-denied" in el["attrs"]["class"].split() for el in denied)
    claimant = next(el for el in denied if el["attrs"]["data-role"] == "claimant")
    assert claimant["text"] == "المتحدث باسم قوات الوفاق"  # actor1 and a mention nest inside it


@pytest.mark.parametrize("bad", [
    {"text": "الجفرة", "start": 10, "end": 16},  # text mismatch
    {"text": TEXT[-5:], "start": len(TEXT) - 5, "end": len(TEXT) + 3},  # end past the text
    {"text": OLD[:4], "start": 0, "end": 4},  # in the document but outside the sentence
    {"text": "", "start": 5, "end": 5},  # empty
    {"text": "الجفرة", "start": "1", "end": 7},  # not an integer
    {"start": 1},  # incomplete
    "الجفرة",  # not an object
])
def test_a_span_outside_its_sentence_or_not_matching_the_text_is_skipped(tmp_path, bad):
    row = coded_event()
    row["spans"] = {**row["spans"], "location": bad}
    assert "location" not in field_spans(row, TEXT)
    build_store(tmp_path / "r.sqlite", [row])
    html = TestClient(create_app(tmp_path / "r.sqlite")).get(f"/documents/{DOC_ID}").text
    roles = {el["attrs"]["data-role"] for el in fields_in(html)}
    assert roles == set(FIELDS) - {"location"}


def test_the_api_returns_spans_and_modality_and_describes_them(client):
    doc = client.get(f"/api/documents/{DOC_ID}").json()
    coded = next(e for e in doc["events"] if e["event_id"] == "ev-coded")
    assert coded["modality"] == "attributed"
    for role, s in coded["spans"].items():
        assert doc["text"][s["start"]:s["end"]] == s["text"] == FIELDS[role]
    described = client.get("/openapi.json").json()["paths"]["/api/documents/{doc_id}"]["get"]["description"]
    assert "spans" in described and "modality" in described and "denied" in described


@pytest.mark.parametrize("marks, expected", [
    ([Mark(0, 4, "a"), Mark(2, 6, "b")], "<a>قو<b>ات</b></a><b> ا</b>لوفاق"),  # crossing: cut and reopened
    ([Mark(0, 11, "a"), Mark(0, 11, "b", rank=1)], "<a><b>قوات الوفاق</b></a>"),  # equal: rank decides
    ([Mark(5, 11, "b"), Mark(0, 11, "a")], "<a>قوات <b>الوفاق</b></a>"),  # the longer one wraps
    ([Mark(0, 4, "a", first=(("id", "x"),), label="L"), Mark(2, 3, "b")],
     '<a id="x" data-label="L">قو<b>ا</b>ت</a> الوفاق'),
    ([Mark(0, 40, "a"), Mark(-1, 2, "b"), Mark(3, 3, "c")], "قوات الوفاق"),  # outside or empty: skipped
])
def test_nested_html_builds_well_nested_elements_from_sorted_boundaries(marks, expected):
    assert nested_html("قوات الوفاق", 0, 11, marks) == expected


def test_a_crossing_mark_keeps_its_id_on_the_first_piece_and_its_label_on_the_last():
    html = nested_html("قوات الوفاق", 0, 11, [Mark(0, 6, "a"), Mark(2, 11, "b", first=(("id", "x"),), label="L")])
    assert html == '<a>قو<b id="x">ات ا</b></a><b data-label="L">لوفاق</b>'


@pytest.mark.parametrize("text, start, end, expected", [
    ("جدًا كبير", 0, 2, "<b>جدً</b>ا كبير"),  # tanween stays on its letter
    ("جدًا كبير", 2, 4, "ج<b>دًا</b> كبير"),  # a span starting on the mark starts at its letter
    ("قَتَلَ", 0, 1, "<b>قَ</b>تَلَ"),  # fatha
    ("<b> & \"x\"", 0, 3, "<b>&lt;b&gt;</b> &amp; &quot;x&quot;"),  # escaped
])
def test_marks_never_split_a_letter_from_its_diacritics_and_text_is_escaped(text, start, end, expected):
    assert nested_html(text, 0, len(text), [Mark(start, end, "b")]) == expected


# -- in a real browser (skipped without Chromium: `make browser`) ---------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make browser)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def served(tmp_path_factory, serve):
    db = tmp_path_factory.mktemp("fields_served") / "rasid.sqlite"
    build_store(db, events())
    return serve(db)


@needs_chromium
def test_fields_legend_and_cards_are_visible_and_linked_in_a_browser(served, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
        page.goto(f"{served}/documents/{DOC_ID}")
        page.wait_for_function("document.fonts.check('16px \"Noto Naskh Arabic\"', 'سرت')")
        assert page.evaluate("getComputedStyle(document.querySelector('.doc-text')).direction") == "rtl"
        assert page.locator("#legend").is_visible()
        styles = {}
        for role, surface in FIELDS.items():
            el = page.locator(f'.doc-text .f[data-role="{role}"][data-ev~="ev-coded"]')
            assert el.count() == 1 and el.is_visible() and el.inner_text() == surface
            box = el.bounding_box()
            assert box["width"] > 0 and box["height"] > 0
            label = el.evaluate("e => getComputedStyle(e, '::after').content")
            assert label == f'"{FIELD_ROLES[role][0]}"'  # the role is written beside the span
            styles[role] = el.evaluate("e => { const s = getComputedStyle(e); return [s.textDecorationLine, "
                                       "s.textDecorationStyle, s.textDecorationColor, s.backgroundColor].join()}")
        assert len(set(styles.values())) == len(styles), styles  # one look per role
        cards = page.locator(".ev-card")
        assert cards.count() == 3 and all(cards.nth(i).is_visible() for i in range(3))  # not hover-only
        # hovering a card's field name lights its span up; clicking it goes there
        link = page.locator('#ev-ev-coded a.fname[data-field^="f-location-"]')
        key = link.get_attribute("data-field")
        span = page.locator(f"#{key}")
        assert "hot" not in span.get_attribute("class").split()
        link.hover()
        assert "hot" in span.get_attribute("class").split()
        page.mouse.move(5, 5)
        assert "hot" not in span.get_attribute("class").split()
        link.click()
        assert page.evaluate("location.hash") == f"#{key}"
        top, bottom = span.evaluate("e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom] }")
        assert 0 < top and bottom < 1000  # in view, with the lines above it
        # the denied event is struck through, in its card and in the text
        denied_type = page.locator("#ev-ev-denied .ev-type")
        assert "line-through" in denied_type.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert "Denied" in page.locator("#ev-ev-denied .denied-note").inner_text()
        struck = page.locator('.doc-text .f-denied[data-role="trigger"]')
        assert "line-through" in struck.evaluate("e => getComputedStyle(e).textDecorationLine")
        page.screenshot(path=str(tmp_path / "document.png"), full_page=True)
        assert not errors, errors
        browser.close()


def test_the_reports_cited_sentences_mark_the_fields_too(tmp_path):
    from rasid.web.report import _appendix

    build_store(tmp_path / "r.sqlite", events())
    a, b = sentence_span(CODED)
    with Store(tmp_path / "r.sqlite") as store:
        html = _appendix(store, {(DOC_ID, a, b): None, (DOC_ID, *sentence_span(OLD)): None}, events())
    marked = fields_in(html)
    assert {el["attrs"]["data-role"]: el["text"] for el in marked} == FIELDS
    assert all(el["attrs"]["id"].startswith(f"f-{DOC_ID}-") for el in marked)  # unique across documents
    cited = next(el for el in elements(html) if el["attrs"].get("id") == f"{DOC_ID}-{a}")
    assert cited["text"].startswith(CODED)
    assert all(ar in html for _, ar in FIELD_ROLES.values())  # the legend


def test_seed_document_pages_mark_exactly_the_text_of_each_field(seeds_out):
    """On the analysed sample articles, every marked field is the text its offsets name (round trip)."""
    client = TestClient(create_app(seeds_out / "rasid.sqlite"))
    for doc_id in (p.stem for p in sorted((ROOT / "demo" / "seeds").glob("*.txt"))):
        doc = client.get(f"/api/documents/{doc_id}").json()
        page = client.get(f"/documents/{doc_id}").text
        wanted = {}
        for e in doc["events"]:
            for role, (a, b) in field_spans(e, doc["text"]).items():
                wanted[f"f-{role}-{a}-{b}"] = doc["text"][a:b]
        found = {el["attrs"]["id"]: el["text"] for el in fields_in(page) if "id" in el["attrs"]}
        whole = {k: "".join(el["text"] for el in fields_in(page) if el["attrs"]["data-field"] == k) for k in found}
        assert whole == wanted
        assert page.count('<article class="ev-card') == len(doc["events"])
