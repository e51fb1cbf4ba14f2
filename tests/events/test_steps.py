"""Each step of the event coder alone, on sentences whose entity mentions are written by hand.

No tagger runs here: a step's input is built from the text and a few mention rows, as the entity
layer would store them, so each test says what one step decides.
"""

import pytest

from rasid.document import Article
from rasid.entities.actors import ActorDictionary
from rasid.errors import RasidError
from rasid.events import EventCoder
from rasid.events.attribution import LexiconAttribution
from rasid.events.clauses import LexiconClauses
from rasid.events.lexicon import Lexicon
from rasid.events.model import Candidate, Clause, Sentence
from rasid.events.places import LexiconPlaces
from rasid.events.roles import LexiconRoles
from rasid.events.tolls import LexiconTolls
from rasid.events.triggers import LexiconTriggers
from rasid.text.tokens import tokenize

SIRTE = {"type": "LOC", "name": "سرت", "id": "ly:sirte", "name_en": "Sirte", "lat": 31.205, "lon": 16.588,
         "country": "LY", "geo_precision": 1, "place_kind": "town"}
MISRATA = {"type": "LOC", "name": "مصراتة", "id": "ly:misrata", "name_en": "Misrata", "lat": 32.375, "lon": 15.092,
           "country": "LY", "geo_precision": 1, "place_kind": "city"}
LNA = {"type": "ORG", "name": "الجيش الوطني الليبي", "id": "LNA"}
GNA = {"type": "ORG", "name": "قوات حكومة الوفاق الوطني", "id": "GNA"}


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.from_data()


@pytest.fixture(scope="module")
def actors():
    return ActorDictionary.from_data()


def sentence(text: str, *marked: tuple[str, dict]) -> Sentence:
    """The text as one sentence, with a mention row for each (surface, attributes) pair."""
    toks = tokenize(text)
    mentions = []
    for surface, attrs in marked:
        start = text.index(surface)
        mentions.append(dict(attrs, text=surface, span=[start, start + len(surface)]))
    return Sentence("d", text, 0, len(text), 1, 0, toks, [t.key for t in toks], mentions)


def first_clause(s: Sentence, lexicon) -> Clause:
    clauses = LexiconClauses(lexicon).select(s, LexiconTriggers(lexicon).find(s))
    assert clauses, "no clause chosen"
    return clauses[0]


def test_triggers_find_forms_with_clitics_and_skip_listed_phrases(lexicon):
    s = sentence("وقصفت قوات حفتر محاور القتال في سرت.")
    hits = LexiconTriggers(lexicon).find(s)
    assert [s.text[s.tokens[h.start].start:s.tokens[h.end - 1].end] for h in hits] == ["وقصفت"]
    assert hits[0].trigger.role == "attack"


@pytest.mark.parametrize("text, modality", [
    ("قصفت قوات حفتر مواقع في سرت.", "asserted"),
    ("نفت قوات الوفاق قصف مواقع في سرت.", "denied"),
    ("وتحدثت أنباء عن قصف مواقع في سرت.", "uncertain"),
    ("وهدد حفتر بقصف مواقع في سرت.", "threat"),
    ("لم تقصف قوات حفتر مواقع في سرت.", "negation"),
])
def test_clauses_give_each_trigger_its_voice(lexicon, text, modality):
    s = sentence(text)
    hit = LexiconTriggers(lexicon).find(s)[0]
    assert LexiconClauses(lexicon).modality(s, hit.start, hit.trigger.role) == modality


def test_clauses_drop_background_and_keep_a_second_development(lexicon):
    s = sentence("سيطرت قوات الوفاق على سرت بعد أن انسحبت قوات حفتر منها.")
    clauses = LexiconClauses(lexicon).select(s, LexiconTriggers(lexicon).find(s))
    assert [c.hit.trigger.role for c in clauses] == ["territory"]  # the withdrawal is background
    s = sentence("قصفت قوات حفتر سرت بالمدفعية، إضافة إلى ضربات جوية.")
    subs = [c.hit.trigger.sub_event_type for c in LexiconClauses(lexicon).select(s, LexiconTriggers(lexicon).find(s))]
    assert len(subs) == 2 and subs[0] != subs[1]


def test_roles_verb_subject_order_and_a_marked_target(lexicon, actors):
    s = sentence("قصفت قوات حفتر مواقع لقوات الوفاق في سرت.", ("قوات حفتر", LNA), ("لقوات الوفاق", GNA), ("سرت", SIRTE))
    actor1, actor2 = LexiconRoles(lexicon, actors).assign(s, first_clause(s, lexicon), None)
    assert (actor1.id, actor2.id) == ("LNA", "GNA")
    assert (actor1.evidence.text, actor2.evidence.text) == ("قوات حفتر", "لقوات الوفاق")


def test_roles_passive_frame_puts_the_agent_after_the_trigger(lexicon, actors):
    s = sentence("وقالت قوات الوفاق إنها تعرضت لقصف من قوات حفتر في سرت.", ("قوات الوفاق", GNA), ("قوات حفتر", LNA),
                 ("سرت", SIRTE))
    actor1, actor2 = LexiconRoles(lexicon, actors).assign(s, first_clause(s, lexicon), None)
    assert (actor1.id, actor2.id) == ("LNA", "GNA")


def test_roles_can_be_replaced_through_configuration(lexicon, actors, cleaner):
    class TargetFirst:
        """A toy step: the first named actor is the target, the second the agent."""

        def __init__(self, lexicon, actors):
            self.inner = LexiconRoles(lexicon, actors)

        def assign(self, s, clause, speaker, host=None) -> tuple[Candidate | None, Candidate | None]:
            found = self.inner.candidates(s, speaker, host)
            return (found[1] if len(found) > 1 else None), (found[0] if found else None)

    coder = EventCoder(steps={"roles": TargetFirst(lexicon, actors)})
    assert isinstance(coder.roles, TargetFirst)
    text = "قصفت قوات حفتر مواقع لقوات الوفاق في سرت."
    doc, _ = cleaner.clean(Article("d", text, "d.txt", published="2020-06-10"))
    rows = sentence(text, ("قوات حفتر", LNA), ("لقوات الوفاق", GNA), ("سرت", SIRTE)).mentions
    for r in rows:
        r["sentence_span"] = [0, len(text)]
    (event,) = coder.code(doc, rows)
    assert (event.actor1["id"], event.actor2["id"]) == ("GNA", "LNA")
    with pytest.raises(RasidError, match="unknown event coder steps"):
        EventCoder(steps={"who": TargetFirst})
    with pytest.raises(RasidError, match="names no class"):
        EventCoder(steps={"roles": "rasid.events.roles:NoSuchRoles"})


def test_a_replaced_step_makes_stored_events_stale_and_a_bad_one_fails_before_the_store(tmp_path, seeds_dir):
    from rasid.cli import main
    from rasid.fingerprints import DataFiles, LayerFingerprints

    shipped = LayerFingerprints(DataFiles())
    replaced = LayerFingerprints(DataFiles(event_steps=(("roles", "rasid.events.roles:LexiconRoles"),)))
    assert shipped.event_global != replaced.event_global and shipped.entity_global == replaced.entity_global
    out = tmp_path / "out"
    assert main(["analyze", str(seeds_dir), "--out", str(out), "--event-step", "roles=no.such.module:X", "-q"]) != 0
    assert not (out / "rasid.sqlite").exists()
    assert main(["analyze", str(seeds_dir), "--out", str(out), "--event-step", "who=x:Y", "-q"]) != 0


def test_places_prefer_the_clause_place_after_a_preposition_over_a_landmark(lexicon):
    s = sentence("قصفت قوات حفتر مواقع في سرت شرق مصراتة.", ("سرت", SIRTE), ("مصراتة", MISRATA))
    location, mention = LexiconPlaces(lexicon).locate(s, first_clause(s, lexicon), None, [])
    assert location["id"] == "ly:sirte" and location["from"] == "sentence" and mention["text"] == "سرت"


def test_places_fall_back_on_the_last_place_named(lexicon):
    s = sentence("وقصفت قوات حفتر المواقع.")
    location, mention = LexiconPlaces(lexicon).locate(s, first_clause(s, lexicon), dict(SIRTE, span=[0, 3]), [])
    assert location["id"] == "ly:sirte" and location["from"] == "context"


def test_tolls_count_number_words_and_the_wounded_apart_with_their_words(lexicon):
    s = sentence("وقال المسماري إن ثلاثة وأربعين مقاتلا قتلوا في غارة على الجفرة وأصيب عشرون آخرون.")
    toll = LexiconTolls(lexicon).count(s, first_clause(s, lexicon))
    assert (toll.killed, toll.wounded) == (43, 20)
    assert toll.killed_evidence.text.startswith("ثلاثة") and toll.wounded_evidence.text == "عشرون"
    s = sentence("قصفت قوات حفتر مواقع في سرت دون وقوع إصابات.")
    toll = LexiconTolls(lexicon).count(s, first_clause(s, lexicon))
    assert toll.killed == 0 and "إصابات" in toll.killed_evidence.text


def test_tolls_a_count_of_vehicles_is_no_toll(lexicon):
    s = sentence("دمرت قوات الوفاق 12 آلية لقوات حفتر في سرت.")
    hits = LexiconTriggers(lexicon).find(s)
    assert hits, "no trigger"
    toll = LexiconTolls(lexicon).count(s, Clause(hits[0], 0, len(s.keys)))
    assert toll.killed is None


def test_attribution_names_the_spokesman_and_his_side(lexicon, actors):
    text = "وقال المتحدث باسم قوات الوفاق محمد قنونو إن قوات حفتر قصفت سرت."
    s = sentence(text, ("قوات الوفاق", GNA), ("محمد قنونو", {"type": "PERS", "name": "محمد قنونو", "id": None}),
                 ("قوات حفتر", LNA), ("سرت", SIRTE))
    speaker = LexiconAttribution(lexicon, actors).speaker(s)
    assert speaker.name == "محمد قنونو" and speaker.actor["id"] == "GNA"
    assert speaker.evidence.text == "محمد قنونو" and speaker.actor_evidence.text == "قوات الوفاق"


@pytest.mark.parametrize("text, killed", [
    ("وحكم بإعدامه بتهمة قتل متظاهرين خلال الاحتجاجات عام 2011 في طرابلس.", None),  # a year is no toll
    ("وقال مسؤول عسكري إن خمسة جنود قتلوا، وفقد 15 آخرون عندما هاجم مسلحون نقطة التفتيش.", 5),  # the missing
    ("أعلنت الشرطة مقتل 8 أشخاص من بينهم خمسة أطفال في هجوم على منزل.", 8),  # a part of the count
    ("أسفر الهجوم عن مقتل عشرة أشخاص وأربعين جريحا في المدينة.", 10),  # the wounded apart
])
def test_tolls_count_only_the_dead(lexicon, text, killed):
    s = sentence(text)
    hits = LexiconTriggers(lexicon).find(s)
    assert hits, "no trigger"
    assert LexiconTolls(lexicon).count(s, Clause(hits[0], 0, len(s.keys))).killed == killed


def test_tolls_of_two_incidents_in_one_sentence_take_the_one_nearest_the_trigger(lexicon):
    s = sentence("وقتل 22 شخصا في هجوم باردو، فيما أسفر هجوم سوسة عن مقتل 38 سائحا.")
    hits = LexiconTriggers(lexicon).find(s)
    toll = LexiconTolls(lexicon).count(s, Clause(hits[0], 0, len(s.keys)))
    assert toll.killed in (22, 38) and toll.killed != 60


def test_a_clause_about_an_earlier_year_is_a_recap_not_an_event(cleaner):
    coder = EventCoder()
    text = "1943 - الحرب العالمية الثانية: قوات الحلفاء تشن سلسلة غارات جوية على هامبورغ: ثلاثون ألف قتيل."
    doc, _ = cleaner.clean(Article("d", text, "d.txt", published="2015-07-24"))
    rows = sentence(text, ("هامبورغ", {"type": "LOC", "name": "هامبورغ", "id": "de:hamburg", "name_en": "Hamburg",
                                       "lat": 53.55, "lon": 9.99, "country": "DE", "geo_precision": 1,
                                       "place_kind": "city"})).mentions
    assert coder.code(doc, rows) == []


def test_clauses_a_sentence_about_sport_reports_no_event(lexicon):
    s = sentence("خسر الفريق الأول لكرة القدم مباراته الودية بعد أن دخل مرماه هدف في الدقيقة الأخيرة.")
    assert LexiconTriggers(lexicon).find(s)
    assert LexiconClauses(lexicon).select(s, LexiconTriggers(lexicon).find(s)) == []


def test_roles_the_coalition_strikes_the_houthis_and_a_leader_stands_for_his_force(lexicon, actors):
    coalition = {"type": "ORG", "id": "Saudi-Coalition"}
    houthi = {"type": "ORG", "id": "Houthi"}
    s = sentence("قصف طيران التحالف العربي مواقع للحوثيين في صنعاء.", ("طيران التحالف العربي", coalition),
                 ("للحوثيين", houthi))
    actor1, actor2 = LexiconRoles(lexicon, actors).assign(s, first_clause(s, lexicon), None)
    assert (actor1.id, actor2.id) == ("Saudi-Coalition", "Houthi")
    assert actor1.actor["label_en"].startswith("Operation Decisive Storm")
    # Hadi's government and Bashar al-Assad stand for their armies (side_forces)
    from rasid.events.roles import actor_of

    gov = actor_of(actors, lexicon, {"type": "ORG", "id": "Yemen-Government", "text": "الحكومة اليمنية"})
    assert gov["id"] == "Yemen-Army" and gov["label_en"] == "Military Forces of Yemen (2012-)"
    assert actor_of(actors, lexicon, {"type": "PERS", "id": "Bashar al-Assad", "text": "بشار الأسد"})["id"] == "Syria-Army"


def test_roles_a_subject_phrase_opened_by_a_force_word_reaches_the_actor_inside_it(lexicon, actors):
    # AFP via SaudiNewsNet, 9 August 2015 (VSO with a long subject: the forces loyal to Hadi's government)
    gov = {"type": "ORG", "id": "Yemen-Government"}
    s = sentence("سيطرت القوات الموالية لحكومة الرئيس اليمني المعترف به دوليا عبدربه منصور هادي على زنجبار.",
                 ("حكومة الرئيس اليمني", gov))
    actor1, actor2 = LexiconRoles(lexicon, actors).assign(s, first_clause(s, lexicon), None)
    assert actor1 is not None and actor1.id == "Yemen-Army" and actor2 is None


def test_roles_an_actor_right_before_its_verb_is_the_subject(lexicon, actors):
    # dpa via SaudiNewsNet, 8 August 2015: the Houthis after the verb are the target, not the doer
    coalition, houthi = {"type": "ORG", "id": "Saudi-Coalition"}, {"type": "ORG", "id": "Houthi"}
    s = sentence("وقالت مصادر محلية إن طيران التحالف استهدف بغارتين مبنى يتخذه الحوثيون مقرا لهم.",
                 ("طيران التحالف", coalition), ("الحوثيون", houthi))
    actor1, actor2 = LexiconRoles(lexicon, actors).assign(s, first_clause(s, lexicon), None)
    assert (actor1.id, actor2.id) == ("Saudi-Coalition", "Houthi")


ARISH = {"type": "LOC", "name": "العريش", "id": "gn:361546", "name_en": "Arish", "lat": 31.13, "lon": 33.80,
         "country": "EG", "geo_precision": 1, "place_kind": "town"}
ALEPPO = {"type": "LOC", "name": "حلب", "id": "gn:170063", "name_en": "Aleppo", "lat": 36.2, "lon": 37.16,
          "country": "SY", "geo_precision": 1, "place_kind": "city"}


def code_one(cleaner, text, *marked, published="2015-08-09"):
    from rasid.events.judge import RuleJudge

    doc, _ = cleaner.clean(Article("d", text, "d.txt", published=published))
    rows = sentence(text, *marked).mentions
    for r in rows:
        r["sentence_span"] = [0, len(text)]
    (event,) = EventCoder(steps={"judge": RuleJudge()}).code(doc, rows)
    return doc, event


def test_an_unclaimed_bomb_is_set_by_an_unidentified_armed_group_of_the_country(cleaner):
    police = {"type": "ORG", "id": "Egypt-Police"}
    text = "انفجرت عبوة ناسفة استهدفت دورية للشرطة في مدينة العريش."
    doc, e = code_one(cleaner, text, ("للشرطة", police), ("العريش", ARISH))
    assert e.sub_event_type == "Remote explosive/landmine/IED"
    assert e.actor1["id"] == "Unidentified-Armed-Group" and e.actor1["label_en"] == "Unidentified Armed Group (Egypt)"
    assert e.actor2["id"] == "Egypt-Police"  # the police named with the bomb are its target
    span = e.evidence["actor1"]
    assert doc.text[span.start:span.end] == e.trigger  # no words name the doer: the bomb itself is the evidence


def test_civilians_are_named_with_the_country_of_the_event(cleaner):
    regime, civilians = {"type": "ORG", "id": "Syria-Army"}, {"type": "ORG", "id": "Civilians"}
    _, e = code_one(cleaner, "قصفت قوات النظام منازل المدنيين في مدينة حلب.", ("قوات النظام", regime),
                    ("المدنيين", civilians), ("حلب", ALEPPO))
    assert e.actor1["id"] == "Syria-Army" and e.actor2["label_en"] == "Civilians (Syria)"


def test_places_an_earlier_place_does_not_stand_in_for_another_country(lexicon):
    ankara = {"type": "LOC", "name": "أنقرة", "id": "gn:323786", "name_en": "Ankara", "lat": 39.92, "lon": 32.85,
              "country": "TR", "geo_precision": 1, "place_kind": "city", "span": [0, 5]}
    syria = {"type": "LOC", "name": "سوريا", "id": "cc:SY", "name_en": "Syria", "lat": 35.1, "lon": 37.17,
             "country": "SY", "geo_precision": 3, "place_kind": "country"}
    s = sentence("وقصفت المقاتلات التركية مواقع لتنظيم داعش في سوريا.", ("سوريا", syria))
    location, _ = LexiconPlaces(lexicon).locate(s, first_clause(s, lexicon), ankara, [])
    assert location["id"] == "cc:SY"  # (a country alone: the coder then codes no event)
    s = sentence("وقصفت المقاتلات التركية مواقع لتنظيم داعش.")
    location, _ = LexiconPlaces(lexicon).locate(s, first_clause(s, lexicon), ankara, [])
    assert location["id"] == ankara["id"]


def test_merged_reports_keep_the_date_the_text_gives(lexicon):
    from rasid.events.linking import merge_reports
    from rasid.events.model import Event

    loc = {"id": "ly:sirte", "name": "Sirte", "lat": 31.2, "lon": 16.59, "geo_precision": 1}
    undated = Event("e1", "d", 1, (0, 10), "...", "سيطرت", "Battles", "Armed clash", location=dict(loc),
                    event_date="2020-06-10", time_precision=2, date_from="publication", specificity=9)
    dated = Event("e2", "d", 3, (40, 60), "...", "معارك", "Battles", "Armed clash", location=dict(loc),
                  event_date="2020-06-09", time_precision=1, date_from="sentence", specificity=5)
    (merged,) = merge_reports([undated, dated])
    assert merged.event_id == "e1" and merged.event_date == "2020-06-09" and merged.date_from == "sentence"
    assert merged.time_precision == 1 and merged.also_lines == [3]


@pytest.mark.parametrize("text, word", [
    ("وسيطروا على مواقع في سرت.", "وسيطروا"),        # a listed verb with its plural subject ending
    ("واستهدفتها الطائرات أمس في سرت.", "واستهدفتها"),  # ... with an object pronoun
    ("وتسيطر قوات الوفاق على سرت.", "وتسيطر"),        # ... in the present tense
    ("قتل خمسة في تبادل لإطلاق النار في سرت.", "تبادل لإطلاق النار"),
])
def test_triggers_reach_a_listed_word_through_its_inflections(lexicon, text, word):
    s = sentence(text)
    hits = LexiconTriggers(lexicon).find(s)
    assert [s.text[s.tokens[h.start].start:s.tokens[h.end - 1].end] for h in hits] == [word]


def test_triggers_do_not_inflect_nouns_into_other_words(lexicon):
    # تدمر is Palmyra: "دمر" (destroyed) is listed, but only verbs get present-tense shapes
    s = sentence("وصلت تعزيزات إلى مدينة تدمر.")
    assert [h.trigger.id for h in LexiconTriggers(lexicon).find(s)] == ["reinforcements"]


def test_an_attack_on_places_joined_by_and_is_one_event_per_place(cleaner):
    from rasid.events.judge import RuleJudge

    sanaa = {"type": "LOC", "name": "صنعاء", "id": "gn:71137", "name_en": "Sanaa", "lat": 15.35, "lon": 44.2,
             "country": "YE", "geo_precision": 1, "place_kind": "city"}
    saada = {"type": "LOC", "name": "صعدة", "id": "gn:71333", "name_en": "Saada", "lat": 16.94, "lon": 43.76,
             "country": "YE", "geo_precision": 1, "place_kind": "city"}
    text = "قتل 12 شخصا في غارات شنها طيران التحالف على صنعاء وصعدة أمس."
    doc, _ = cleaner.clean(Article("d", text, "d.txt", published="2015-08-09"))
    rows = sentence(text, ("صنعاء", sanaa), ("وصعدة", saada)).mentions
    events = EventCoder(steps={"judge": RuleJudge()}).code(doc, rows)
    assert [e.location["name"] for e in events] == ["Sanaa", "Saada"]
    assert [e.fatalities for e in events] == [12, None]  # one toll for both: it stays with the first
    assert len({e.event_id for e in events}) == 2 and events[1].evidence["location"].text == "وصعدة"


@pytest.mark.parametrize("text", [
    # SaudiNewsNet, 21-23 July 2015: totals over months, vague plurals and a breakdown of a count
    "وأشاد بمقاتلي المقاومة الذين تمكنوا من طرد مسلحي الحوثي، مبينا أن 750 شخصا قتلوا في معارك عدن خلال ثلاثة أشهر.",
    "واندلعت اشتباكات عنيفة في شوارع تعز، وقتل أكثر من 3500 شخص في القتال الذي تشهده اليمن منذ نحو 4 أشهر.",
    "وذكر معارضون أن المدنيين الذين قتلوا نتيجة قصف القوات الحكومية خلال رمضان بلغوا 1452 سوريا.",
    "ويقصف النظام مناطق المعارضة في حلب حيث قتل آلاف المدنيين.",
    "وقال مدير الصحة إن الحوثيين قصفوا المستشفيات في عدن في الشهور القليلة الماضية وإن حوالى ألف قتيل سقطوا.",
])
def test_tolls_a_total_over_a_period_or_a_vague_plural_is_no_events_toll(lexicon, text):
    s = sentence(text)
    clause = first_clause(s, lexicon)
    assert LexiconTolls(lexicon).count(s, clause).killed is None


def test_tolls_keep_the_wounded_and_the_arrested_apart(lexicon):
    # SaudiNewsNet, 21 July 2015: the wounded after "أكثر من", and the arrested, are not dead
    s = sentence("وقتل 57 مدنيا على الأقل وأصيب أكثر من 200 في قصف الحوثيين على التواهي.")
    toll = LexiconTolls(lexicon).count(s, first_clause(s, lexicon))
    assert (toll.killed, toll.wounded) == (57, 200)
    s = sentence("وقال المتحدث إن الجيش قتل 31 مسلحا واعتقل 171 اخرين خلال اشتباكات شمال البلاد.")
    assert LexiconTolls(lexicon).count(s, first_clause(s, lexicon)).killed in (None, 31)  # never 202


def test_tolls_a_breakdown_after_they_are_is_part_of_the_count(lexicon):
    s = sentence("وقصفت طائرات النظام حلب فقتلت 48 مدنيا، هم 9 أطفال و6 نساء و33 رجلا.")
    assert LexiconTolls(lexicon).count(s, first_clause(s, lexicon)).killed == 48
