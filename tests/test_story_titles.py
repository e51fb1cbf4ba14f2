"""Story titles on real text: the Arabic title is a headline, never a byline, a photo caption, a date or
chrome; every story gets an English title that names only what it holds."""

import json
import re
import zlib
from pathlib import Path

import numpy as np
import pytest

from rasid.brief.brief import brief_story
from rasid.brief.titles import TitleLexicon, short_name, story_title_en
from rasid.document import Article
from rasid.store import Store
from rasid.stories.titles import TitleRules

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "data" / "events_corpus" / "articles.jsonl"
ARABIC = re.compile("[\u0600-\u06ff]")

# The first lines of SaudiNewsNet reports (2015-07-21-02310, Al Riyadiyah; 2015-07-21-00941 and
# 2015-07-23-00405, Al Jazirah), as published: a "NAME ـ CITY" byline the cleaner keeps and takes for
# a headline, and two photo captions glued to the first word of the body.
BYLINED = ("محمود وهبي ـ جدة\n"
           "له علاقة بالمافيا ومتورط في فضيحة الدوري الألماني\n"
           "انشغلت الجماهير الهلالية خلال الأيام الأخيرة بمتابعة أخبار المدرب الروماني لورينتيو ريجيكامف ورصد "
           "أرقامه وإنجازاته التدريبية في ظل الحديث عن اقترابه من تدريب الفريق.\n")
GLUED_CAPTION = ("جانب من العرضة السعوديةحضر وكيل محافظة القويعية إبراهيم المنقور، حفل رئيس وأهالي مركز جزيل "
                 "بعيد الفطر المبارك بمقر احتفالات أهالي جزيل، وكان في استقباله رئيس المركز سعود العريفي، وجمع من "
                 "أعيان وأهالي جزيل. حيث بدأ الحفل بكلمة لرئيس المركز رحب فيها بوكيل المحافظة والضيوف.\n")
GLUED_NO_MARK = ("جانب من تدريبات الهلال في معسكر النمساواصل فريق الهلال الكروي الأول مساء أمس، تمارينه في مدينة "
                 "سالزبورغ بمعسكره الخارجي بالنمسا، على فترتين. ولم يشارك المدافع محمد جحفلي في الحصة الصباحية "
                 "نظير تعرضه لكدمة بسيطة.\n")


def corpus(*ids):
    """Records of the bundled SaudiNewsNet events corpus, by id."""
    want = set(ids)
    out = {}
    with CORPUS.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["id"] in want:
                out[r["id"]] = r
    return out


@pytest.fixture(scope="module")
def rules():
    return TitleRules.from_data()


def title_of(cleaner, rules, text, *, title=None, segment=0):
    doc, _ = cleaner.clean(Article("d", text, "test", title=title))
    return rules.segment_title(doc, segment)


# -- the Arabic title ---------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", ["2015-08-01-00012", "2015-07-25-00038", "2015-07-24-00008",
                                    "2015-07-24-00421", "2015-07-24-00551"])
def test_a_byline_the_cleaner_took_for_a_headline_is_not_the_title(cleaner, rules, doc_id):
    r = corpus(doc_id)[doc_id]
    byline = r["text"].strip().split("\n")[0].strip()
    doc, _ = cleaner.clean(Article(doc_id, r["text"], "snn"))  # as a plain text file: no title field
    # the cleaner took these bylines for headlines (segment titles), and so they were stories' titles
    title, headline = rules.segment_title(doc, 0)
    assert rules.junk(byline) in ("byline", "chrome")
    assert "عين اليوم" not in title and title.removesuffix(" …") in doc.text and not headline
    assert len(title.split()) >= 5  # the report's first sentence stands in for its missing headline


def test_the_title_field_is_the_title_when_the_input_has_one(cleaner, rules):
    r = corpus("2015-08-01-00012")["2015-08-01-00012"]
    assert title_of(cleaner, rules, r["text"], title=r["title"]) == (r["title"].strip(), True)
    # entities left by the feed are decoded, not shown
    sabq = corpus("2015-07-21-02703")["2015-07-21-02703"]
    assert title_of(cleaner, rules, sabq["text"], title=sabq["title"])[0].startswith('"داعش ليبيا" يخطف')


def test_a_kept_byline_line_gives_way_to_the_headline_under_it(cleaner, rules):
    assert title_of(cleaner, rules, BYLINED) == ("له علاقة بالمافيا ومتورط في فضيحة الدوري الألماني", True)
    # and the publisher's title, when the record has one, comes first
    assert title_of(cleaner, rules, BYLINED, title="الهلالي الجديد..باع مباراة بـ (200) ألف يورو")[0] == \
        "الهلالي الجديد..باع مباراة بـ (200) ألف يورو"


def test_a_caption_glued_to_the_body_is_cut_off_or_passed_over(cleaner, rules):
    title, headline = title_of(cleaner, rules, GLUED_CAPTION)
    assert title.startswith("حضر وكيل محافظة القويعية") and not headline
    title, _ = title_of(cleaner, rules, GLUED_NO_MARK)
    assert not title.startswith("جانب من") and title.startswith("ولم يشارك المدافع")


def test_the_caption_lines_of_the_demo_page_are_never_its_titles(cleaner, rules, seed_text):
    text = seed_text("004")
    doc, _ = cleaner.clean(Article("004", text, "seeds"))
    captions = {doc.text[ln.start:ln.end] for ln in doc.lines if ln.role == "caption"}
    assert len(doc.segments) == 2 and len(captions) == 2
    for seg in doc.segments:
        title, headline = rules.segment_title(doc, seg.index)
        assert title not in captions and not headline
        assert title.startswith(("أعلن المركز الإعلامي", "أعلنت قوات حكومة"))


def test_headlines_of_the_samples_are_kept(cleaner, rules, seed_text):
    for prefix, start in (("002", "الجيش الليبي: 43 قتيلا"), ("003", 'ليبيا.. "الوفاق"')):
        title, headline = title_of(cleaner, rules, seed_text(prefix))
        assert title.startswith(start) and headline


@pytest.mark.parametrize(("line", "kind"), [
    ("جانب من التدريبات", "caption"), ("(أرشيفية)", "caption"), ("الأمير محمد بن سلمان", "caption"),
    ("أمير الرياض خلال تدشينه المشروع", "caption"), ("الأمير يتفقد المعرض (تصوير: أحمد)", "caption"),
    ("عين اليوم – بنغازي (ليبيا)", "byline"), ("كتب - محمد العمري", "byline"), ("الرياض (واس)", "byline"),
    ("الأربعاء 5 شوال 1436هـ الموافق 22 يوليو 2015م", "date"), ("Next Previous", "chrome"),
    ("رابط الخبر بصحيفة الوئام: بالصور .. رمضان في ليبيا", "chrome"), (".. «مقلقة للغاية».", "fragment"),
    ("في معركةِ الكرِّ والفرِّ بين", "fragment"),
    # headlines stay headlines, also those with a colon, a dash-free dateline look or "خلال"
    ("ناسا: كوكب بلوتو أكبر مما كان متوقعا", None), ("مقتل 3 جنود خلال التدريبات", None),
    ("الأمير فيصل يدشن المعرض خلال زيارته", None), ("الرئيس الشيشاني يصل جدة", None),
])
def test_what_is_never_a_title(rules, line, kind):
    assert rules.junk(line) == kind


def test_stored_titles_chosen_by_older_rules_are_chosen_again(tmp_path, seeds_dir, cleaner):
    """A store made before these rules (a caption as a story's title) is titled again on the next run,
    with no new input and without moving any report."""
    from rasid.ingest import ReadOptions, load_meta
    from rasid.pipeline import analyze
    from rasid.stories import StoryClusterer, assign_stories
    from rasid.stories.terms import TermWeights

    def bag_encoder(texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.split():
                out[i, zlib.crc32(w.encode()) % 64] += 1
            out[i] /= np.linalg.norm(out[i]) or 1
        return out

    meta, _ = load_meta(seeds_dir.parent / "meta.jsonl")
    caption = "عناصر من قوات الوفاق الحكومية أثناء الاستعداد للهجوم على معاقل داعش في سرت"
    with Store(tmp_path / "s.sqlite") as store:
        analyze([seeds_dir], store, cleaner=cleaner, options=ReadOptions(meta=meta), entities=False, events=False,
                views=False, stories=StoryClusterer(bag_encoder, TermWeights({}, 100)))
        sid = store.db.execute("SELECT story_id FROM story_members WHERE doc_id LIKE '004%' AND segment=0").fetchone()[0]
        assert store.get_story(sid)["title_ar"] != caption
        members = sorted(store.db.execute("SELECT doc_id, segment, story_id FROM story_members"))
        # what an older Rasid stored
        store.db.execute("UPDATE story_members SET title=?, headline=0 WHERE story_id=?", (caption, sid))
        store.db.execute("UPDATE stories SET title_ar=? WHERE story_id=?", (caption, sid))
        store.db.execute("DELETE FROM meta WHERE key='story_titles'")
        store.db.commit()
        assert assign_stories(store, StoryClusterer(bag_encoder, TermWeights({}, 100))) == 0
        assert store.get_story(sid)["title_ar"].startswith("أعلن المركز الإعلامي")
        assert sorted(store.db.execute("SELECT doc_id, segment, story_id FROM story_members")) == members


# -- the English title --------------------------------------------------------------------------------


def _names_held(store, story):
    """Every English place and actor name the story's documents and events hold."""
    from rasid.brief.titles import _actor_label

    lex = TitleLexicon.from_data()
    docs = {m["doc_id"] for m in story["members"]}
    names = set()
    for d in docs:
        for m in store.annotations("entity", d):
            names.add(short_name(m.get("name_en")))
            if m.get("id"):
                names.add(_actor_label(m["id"], lex, m.get("name_en")))
        for e in store.annotations("event", d):
            names.add(short_name((e.get("location") or {}).get("name_en")))
            for role in ("actor1", "actor2"):
                a = e.get(role) or {}
                names |= {_actor_label(a.get("side"), lex), _actor_label(a.get("id"), lex, a.get("label_en"))}
    return {n for n in names if n}


def test_every_sample_story_has_an_english_title_naming_what_it_holds(seeds_out):
    with Store(seeds_out / "rasid.sqlite") as store:
        stories = list(store.iter_stories())
        assert len(stories) == 3
        for story in stories:
            view = store.story_view(story["story_id"])
            title = view["brief"]["title_en"]
            held = _names_held(store, story)
            assert title and not ARABIC.search(title)
            assert any(n in title for n in held), (title, held)
            if story["end_date"]:
                assert story["end_date"][:4] in title


def test_a_story_without_events_still_gets_an_english_title(seeds_out):
    """The samples briefed as if no event had been coded: the title comes from their topic, actors and
    places (the entity layer), and every place it names is one the reports mention."""
    with Store(seeds_out / "rasid.sqlite") as store:
        for story in store.iter_stories():
            doc_ids = sorted({m["doc_id"] for m in story["members"]})
            docs = {d.doc_id: d for d in store.iter_documents(doc_ids)}
            mentions = {d: list(store.annotations("entity", d)) for d in doc_ids}
            title = brief_story(story, docs, [], None, mentions)["title_en"]
            places = {short_name(m.get("name_en")) for ms in mentions.values() for m in ms if m["type"] == "LOC"}
            assert title and not ARABIC.search(title)
            named = re.search(r" in (.+?)(?:, \d|$)", title)
            assert named, title
            assert all(p in places for p in re.split(r", | and ", named.group(1))), (title, places)
            if story["end_date"]:
                assert title.endswith(story["end_date"][:4])


def test_a_report_with_no_events_and_no_entities_is_titled_by_its_topic_and_date(cleaner):
    """A SaudiNewsNet sports report (Australia wins the Asian Cup) with nothing coded: its words give the topic."""
    r = corpus("2015-07-24-00551")["2015-07-24-00551"]
    doc, _ = cleaner.clean(Article(r["id"], r["text"], "snn", title=r["title"], outlet=r["outlet"],
                                   published=r["published"]))
    story = {"story_id": "s", "title_ar": doc.title, "start_date": doc.publication_date,
             "end_date": doc.publication_date, "members": [{"doc_id": doc.doc_id, "segment": 0}]}
    title = story_title_en([], story, docs={doc.doc_id: doc})
    assert title == "Football, 24 July 2015"
    # with nothing at all to go on, the title still says what the story is: its reports, place and date
    bare = {**story, "title_ar": ""}
    empty_doc, _ = cleaner.clean(Article("x", "نص قصير بلا موضوع واضح هنا.\nوسطر آخر بلا موضوع.", "snn",
                                         outlet="alriyadh", published="2015-07-24"))
    bare["members"] = [{"doc_id": "x", "segment": 0}]
    assert story_title_en([], bare, docs={"x": empty_doc}) == "24 July 2015: 1 report (alriyadh)"


def test_event_titles_name_the_kind_the_sides_and_the_places(seeds_out):
    stories = [json.loads(x) for x in (seeds_out / "stories.jsonl").read_text(encoding="utf-8").splitlines()]
    sirte = max(stories, key=lambda s: len(s["members"]))
    assert sirte["title_en"].startswith("Ground retaken by the GNA from the LNA in Sirte")
    assert sirte["title_en"].endswith("6–10 June 2020")
