"""Full-text search as a fact-checker uses it, on the analysed sample articles: English names, OR,
prefixes, phrases, exclusions, highlighted passages, filters, paging, hostile input and pasted articles."""

import html
import re
import shutil
import sqlite3

import pytest
from fastapi.testclient import TestClient

from rasid.search_query import Term, marked_passage, parse_query
from rasid.store import Store
from rasid.views import search_key
from rasid.web.app import create_app

MARK_RE = re.compile(r"<mark>(.*?)</mark>")


@pytest.fixture(scope="module")
def client(seeds_out):
    return TestClient(create_app(seeds_out / "rasid.sqlite"))


@pytest.fixture(scope="module")
def store(seeds_out):
    s = Store.open_readonly(seeds_out / "rasid.sqlite")
    yield s
    s.close()


def search(client, q, **params) -> dict:
    r = client.get("/api/search", params={"q": q, "limit": 200, **params})
    assert r.status_code == 200, r.text
    return r.json()


def ids(client, q, **params) -> set[str]:
    return {h["doc_id"] for h in search(client, q, **params)["hits"]}


def test_english_place_and_actor_names_search_their_arabic_names(client):
    arabic = ids(client, "سرت")
    assert arabic and ids(client, "Sirte") == ids(client, "SIRTE") == ids(client, "sirte") == arabic
    answer = search(client, "Sirte")
    assert answer["read_as"]["expanded"] == [{"typed": "Sirte", "names": ["سرت"]}]
    # "Islamic State": any of its Arabic names (داعش, الدولة الإسلامية, ...), not the two words apart
    isis = search(client, "Islamic State")
    names = isis["read_as"]["expanded"][0]["names"]
    assert {"داعش", "الدولة الإسلامية"} <= set(names)
    assert {h["doc_id"] for h in isis["hits"]} == ids(client, "داعش OR \"الدولة الإسلامية\"") == {"004_0e1083c9c33184de"}
    assert ids(client, "Haftar") == ids(client, "حفتر") != set()
    page = client.get("/search", params={"q": "Islamic State"}).text
    assert "داعش" in page and 'lang="en"' in page and "searched as any of their Arabic names" in page
    # an English word that names nothing known is searched as typed (an English article may hold it)
    unknown = search(client, "Zzyzxville")
    assert unknown["total"] == 0 and unknown["read_as"]["expanded"] == [] and "zzyzxville" in unknown["read_as"]["match"]


def test_or_is_the_union_of_its_terms(client):
    jufra, isis = ids(client, "الجفرة"), ids(client, "داعش")
    assert jufra - isis and isis - jufra  # two different sets, so the union says something
    assert ids(client, "الجفرة OR داعش") == ids(client, "الجفرة أو داعش") == jufra | isis
    # without OR every word must be there
    assert ids(client, "الجفرة داعش") == jufra & isis


def test_prefix_finds_inflected_forms(client, store):
    forms = set()
    for doc_id in store.doc_ids():
        for w in store.document_text(doc_id).split():
            key = search_key(w)
            if key.startswith("قواته"):
                forms.add(key)
    assert len(forms) >= 2  # قواته, قواتهم
    expected = set().union(*(ids(client, f) for f in forms))
    found = search(client, "قواته*")
    assert {h["doc_id"] for h in found["hits"]} == expected != ids(client, "قواته")
    marked = {m for h in found["hits"] for m in MARK_RE.findall(h["snippet_html"])}
    assert any(search_key(m) != "قواته" for m in marked)  # an inflected form, marked as it is written
    assert all(search_key(m).startswith("قواته") for m in marked)


def test_phrase_and_exclusion(client):
    phrase = ids(client, '"قاعدة الجفرة"')
    assert phrase and phrase <= ids(client, "قاعدة الجفرة")
    sirte, isis = ids(client, "سرت"), ids(client, "داعش")
    assert sirte & isis  # the exclusion removes something
    assert ids(client, "سرت -داعش") == sirte - isis
    assert ids(client, 'سرت -"Islamic State"') == sirte - isis  # an excluded English name: all its Arabic names
    only = search(client, "-داعش")
    assert only["total"] == 0 and only["notes"]


def test_highlight_marks_exactly_the_matched_words_of_the_original_text(client, store):
    for h in search(client, "الجفرة OR \"قوات الوفاق\"")["hits"]:
        snippet_html = h["snippet_html"]
        assert html.unescape(re.sub(r"</?mark>", "", snippet_html)) == h["snippet"]  # escaped HTML, original text
        marked = MARK_RE.findall(snippet_html)
        assert marked
        for m in marked:
            m = html.unescape(m)
            assert m in store.document_text(h["doc_id"])  # the original spelling ("بالجفرة"), not the key
            assert search_key(m) in ("جفره", "قوات وفاق")
        # and every matching word of the passage is marked: nothing left over once the marks are cut out
        rest = re.sub(r"<mark>.*?</mark>", " | ", snippet_html)
        assert "جفره" not in search_key(html.unescape(rest)).split()
    bajufra = search(client, "الجفرة", outlet="")["hits"]
    assert any("<mark>بالجفرة</mark>" in h["snippet_html"] or "<mark>بالجفرة</mark>" in h["title_html"]
               for h in bajufra)


def test_snippet_is_the_passage_with_the_most_matched_words():
    text = ("سرت مدينة ساحلية. " + "كلام لا علاقة له بالموضوع " * 30
            + "وفي الجفرة قالت قوات حفتر إنها انسحبت من سرت نحو الجفرة. " + "نهاية النص " * 30)
    terms = parse_query("سرت OR الجفرة OR حفتر").marked_terms()
    html_passage, plain, first, found = marked_passage(text, terms)
    assert first == text.index("الجفرة") and found == {0, 1, 2}
    assert MARK_RE.findall(str(html_passage)) == ["الجفرة", "حفتر", "سرت", "الجفرة"]
    assert "سرت مدينة" not in plain


def test_filters_and_sort_narrow_the_results(client):
    everything = search(client, "سرت")
    assert everything["total"] == 5
    later = search(client, "سرت", date_from="2020-06-07")["hits"]
    assert later and all(h["publication_date"] >= "2020-06-07" for h in later) and len(later) < 5
    earlier = search(client, "سرت", date_to="2020-06-06")["hits"]
    assert earlier and all(h["publication_date"] <= "2020-06-06" for h in earlier)
    assert len(search(client, "سرت", date_to="2020-06")["hits"]) == 4  # the whole month (004 has no date)
    jazeera = search(client, "سرت", outlet="al jazeera")["hits"]
    assert [h["outlet"] for h in jazeera] == ["Al Jazeera"]
    newest = [h["publication_date"] for h in search(client, "سرت", sort="newest")["hits"]]
    assert newest[:4] == sorted(newest[:4], reverse=True) and newest[0] == "2020-06-10"
    for bad in ("2020-13-01", "yesterday", "2020-6-1"):
        assert client.get("/api/search", params={"q": "سرت", "date_from": bad}).status_code == 422
        assert client.get("/search", params={"q": "سرت", "date_to": bad}).status_code == 422
    assert client.get("/api/search", params={"q": "سرت", "sort": "oldest"}).status_code == 422
    page = client.get("/search", params={"q": "سرت", "outlet": "Al Jazeera", "date_from": "2020-06-01"}).text
    assert page.count('<li data-doc="') == 1 and 'value="2020-06-01"' in page


def test_api_and_page_paging(client):
    everything = [h["doc_id"] for h in search(client, "سرت")["hits"]]
    pages = [h["doc_id"] for o in range(0, 5, 2) for h in search(client, "سرت", limit=2, offset=o)["hits"]]
    assert pages == everything and len(everything) == 5
    page2 = client.get("/search", params={"q": "سرت", "per_page": 2, "page": 2}).text
    assert page2.count('<li data-doc="') == 2 and 'class="pager"' in page2 and 'aria-current="page"' in page2
    assert '<ol class="hits search-hits" start="3">' in page2
    assert "page=3&q=%D8%B3%D8%B1%D8%AA&amp;per_page=2" in page2  # the pager keeps the query and page size
    assert client.get("/search", params={"q": "سرت", "page": 0}).status_code == 422


HOSTILE = ['"', '"""', "((", "سرت)", "NEAR(سرت الجفرة)", "title:سرت", "body: سرت", "*", "-", "--", "---سرت", "OR",
           "AND OR NOT", "سرت OR", "OR سرت", "أو", "^سرت", "سرت*الجفرة", "\x00", "{سرت الجفرة}", "+سرت", "سرت'",
           "سرت\"الجفرة", "\"سرت", "<script>alert(1)</script>", "ا*", "*سرت", "سرت**", "-\"\"", "\"\"*", "%", "\\",
           "سرت NOT الجفرة", "ب" * 3000, "سرت " * 30, "🙂", "Sirte\" OR \"", "(Sirte OR", "لل*"]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail(client, q):
    r = client.get("/api/search", params={"q": q})
    assert r.status_code == 200, r.text
    assert "the index could not read this query" not in r.json()["notes"]  # the parser, not the fallback
    page = client.get("/search", params={"q": q})
    assert page.status_code == 200
    assert "<script>alert" not in page.text


def test_a_pasted_article_finds_itself_first(client, store):
    for doc_id in store.doc_ids():
        words = store.document_text(doc_id).split()
        if len(words) < 500:
            continue
        pasted = " ".join(words[:500])
        got = client.post("/api/search", json={"q": pasted, "limit": 5}).json()
        assert got["read_as"]["similar"] and got["read_as"]["similar_terms"]
        assert got["hits"][0]["doc_id"] == doc_id
        assert got["hits"][0]["shared_terms"] == len(got["read_as"]["similar_terms"])
    # the dashboard takes a pasted article by POST (too long for an address)
    doc_id = "003_ceb414d14458d7ff"
    pasted = " ".join(store.document_text(doc_id).split()[:500])
    page = client.post("/search", content=f"q={pasted}".encode(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert page.status_code == 200 and page.text.index(f'data-doc="{doc_id}"') < page.text.index("</ol>")
    assert re.search(r'<li data-doc="([^"]+)"', page.text).group(1) == doc_id


def test_similar_search_counts_common_words_exactly_when_it_must(store):
    words = search_key(store.document_text("002_21a362b9bfaece20")).split()[:300]
    exact = store.search(like=words, like_terms=40, like_cap=10_000)
    # at a cap of one document no word is rarer than it: every true count comes from the vocabulary
    capped = store.search(like=words, like_terms=40, like_cap=1)
    assert capped["terms"] == exact["terms"] and len(exact["terms"]) == 40
    assert [h["doc_id"] for h in capped["hits"]] == [h["doc_id"] for h in exact["hits"]]
    assert exact["hits"][0]["doc_id"] == "002_21a362b9bfaece20"


def test_old_index_entries_are_reindexed(seeds_out, tmp_path):
    path = tmp_path / "copy.sqlite"
    shutil.copy(seeds_out / "rasid.sqlite", path)
    with Store(path) as s:
        assert s.docs_missing_search() == []
    db = sqlite3.connect(path)  # an entry as the index before "k2" recorded it: the cleaning result alone
    with db:
        db.execute("UPDATE layer_state SET fingerprint = substr(fingerprint, 4) WHERE layer='search' "
                   "AND doc_id = '001_f26e5b47cef9b3b6'")
    db.close()
    with Store(path) as s:
        assert s.docs_missing_search() == ["001_f26e5b47cef9b3b6"]


def test_query_reading():
    q = parse_query('Sirte OR "قاعدة الجفرة" تفجير* -طرابلس')
    assert q.match() == '("sirte" OR "سرت" OR "قاعده جفره") AND "تفجير"* NOT ("طرابلس")'
    assert parse_query("ا*").match() == '"ا"'  # a one-letter prefix would read the whole vocabulary
    assert parse_query("سرت أو").match() == '"سرت"'  # an OR with nothing after it is no operator
    long = parse_query(" ".join(f"كلمة{i}" for i in range(60)))
    assert len(long.similar) == 60 and long.match() is None
    assert Term(("قاعده", "جفره")).fts() == '"قاعده جفره"'


def test_search_from_the_page_in_a_browser(seeds_out, serve, browser):
    server = serve(seeds_out / "rasid.sqlite")
    page = browser.new_page(viewport={"width": 390, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/search?per_page=2")
    page.fill("#search-form input[name=q]", "Sirte OR الجفرة")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("ol.search-hits li")
    assert page.locator("ol.search-hits li").count() == 2
    marks = page.locator("ol.search-hits mark").all_inner_texts()
    assert marks and all(search_key(m) in ("سرت", "جفره") for m in marks)
    assert "searched as any of their Arabic names" in page.inner_text(".search-summary")
    pager = page.locator("nav.pager")
    assert pager.locator("[aria-current=page]").inner_text() == "1"
    pager.locator("a", has_text="2").first.click()
    page.wait_for_url("**page=2**")
    assert page.locator("nav.pager [aria-current=page]").inner_text() == "2"
    assert page.locator("ol.search-hits mark").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    # a pasted article goes by POST (too long for an address) and finds itself first
    with Store.open_readonly(seeds_out / "rasid.sqlite") as store:
        pasted = " ".join(store.document_text("003_ceb414d14458d7ff").split()[:500])
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    page.fill("#search-form input[name=q]", pasted)
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("ol.search-hits li")
    assert posted == [server + "/search"]
    assert page.locator("ol.search-hits li").first.get_attribute("data-doc") == "003_ceb414d14458d7ff"
    assert page.locator("ol.search-hits li").first.locator("mark").count() > 0
    assert not errors
