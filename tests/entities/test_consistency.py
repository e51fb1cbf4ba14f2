"""Document-level label consistency over tagger output (rasid.entities.consistency)."""

from rasid.entities.conll import bio_spans
from rasid.entities.consistency import propagate


def words(*sentences: str) -> list[list[str]]:
    return [s.split() for s in sentences]


def tags_of(sentence: list[str], **names: str) -> list[str]:
    """BIO tags for a sentence from {name: TYPE} (names given with '_' for spaces)."""
    out = ["O"] * len(sentence)
    for name, kind in names.items():
        parts = name.split("_")
        for a in range(len(sentence) - len(parts) + 1):
            if sentence[a:a + len(parts)] == parts:
                out[a] = "B-" + kind
                for x in range(a + 1, a + len(parts)):
                    out[x] = "I-" + kind
    return out


CLUB = words("وقال مدرب نادي الغرافة إن الفريق جاهز لمواجهة السد .",
             "وفاز الغرافة على الخور بهدفين نظيفين .",
             "وسجل هدف الغرافة الأول اللاعب البرازيلي .")


def test_a_club_named_once_is_tagged_where_it_stands_alone():
    tags = [tags_of(CLUB[0], الغرافة="ORG", السد="ORG"), ["O"] * len(CLUB[1]), ["O"] * len(CLUB[2])]
    out = propagate(CLUB, tags)
    assert out[0] == tags[0]
    assert ("ORG", 1, 2) in bio_spans(out[1])  # وفاز الغرافة
    assert ("ORG", 2, 3) in bio_spans(out[2])
    assert tags[1] == ["O"] * len(CLUB[1])  # the input is not modified


def test_a_minority_type_takes_the_documents_majority():
    sents = words("وصل السراج إلى تونس .", "وقال السراج إن الحكومة مستعدة .",
                  "وأكد السراج أن الحوار مستمر .")
    tags = [tags_of(sents[0], السراج="PERS"), tags_of(sents[1], السراج="PERS"),
            tags_of(sents[2], السراج="ORG")]
    out = propagate(sents, tags)
    assert bio_spans(out[2]) == [("PERS", 1, 2)]
    tied = propagate(sents[1:], tags[1:])  # one vote each: each mention keeps its own type
    assert [bio_spans(t) for t in tied] == [[("PERS", 1, 2)], [("ORG", 1, 2)]]


def test_attached_conjunctions_and_prepositions_do_not_hide_a_name():
    sents = words("التقى الرئيس السوري في دمشق بوفد من سورية .", "وأكدت وسورية أنها سترد .",
                  "ونقل عن مصدر للفاتيكان قوله .", "وقال الفاتيكان في بيان .")
    tags = [tags_of(sents[0], دمشق="LOC", سورية="LOC"), ["O"] * 5, ["O"] * 6,
            tags_of(sents[3], الفاتيكان="LOC")]
    out = propagate(sents, tags)
    assert bio_spans(out[1]) == [("LOC", 1, 2)]
    assert bio_spans(out[2]) == [("LOC", 3, 4)]


def test_a_common_word_tagged_once_among_many_plain_uses_is_left_alone():
    sents = words("وقال رئيس الاتحاد الليبي لكرة القدم .", "ويضم الاتحاد عشرين عضوا .",
                  "وقرر الاتحاد تأجيل المباراة .", "وأصدر الاتحاد بيانا .", "وطالب الاتحاد بالتحقيق .")
    tags = [tags_of(sents[0], الاتحاد="ORG")] + [["O"] * len(s) for s in sents[1:]]
    out = propagate(sents, tags)
    assert all(t == ["O"] * len(s) for t, s in zip(out[1:], sents[1:], strict=True))


def test_names_do_not_cross_documents_or_the_window():
    sents = words("وقال المتحدث باسم حركة حماس إن .", "ورفضت حماس العرض .")
    tags = [tags_of(sents[0], حماس="ORG"), ["O"] * 3]
    assert bio_spans(propagate(sents, tags, documents=["a", "b"])[1]) == []
    assert bio_spans(propagate(sents, tags, documents=["a", "a"])[1]) == [("ORG", 1, 2)]
    assert bio_spans(propagate(sents, tags, window=0)[1]) == []
    far = sents[:1] + [["لا", "شيء", "."]] * 30 + sents[1:]
    far_tags = tags[:1] + [["O"] * 3] * 30 + tags[1:]
    assert bio_spans(propagate(far, far_tags, window=20)[-1]) == []


def test_a_name_is_not_glued_to_an_entity_that_follows_it():
    sents = words("وصل مدرب الأهلي .", "وقال الأهلي المصري في بيان .")
    tags = [tags_of(sents[0], الأهلي="ORG"), ["O", "O", "I-ORG", "O", "O", "O"]]
    tags[1][1] = "O"
    out = propagate(sents, tags)
    assert out[1][1] == "O"  # tagging it B-ORG would change the span that follows


def test_the_shipped_tagger_labels_a_repeated_club_name_alike():
    from rasid.entities.tagger import EntityTagger

    tagger = EntityTagger.load()
    plain = tagger.tag_many(CLUB)
    raw = tagger.tag_many(CLUB, consistency_window=0)
    assert plain == propagate(CLUB, raw)
    kinds = {k for t, s in zip(plain, CLUB, strict=True) for k, a, b in bio_spans(t) if s[a:b] == ["الغرافة"]}
    assert len(kinds) <= 1


def test_tag_command_takes_the_consistency_window(tmp_path, capsys):
    from rasid.cli import main
    from rasid.entities.tagger import EntityTagger

    conll = tmp_path / "club.txt"
    conll.write_text("\n\n".join("\n".join(s) for s in CLUB) + "\n", encoding="utf-8")
    tagger = EntityTagger.load()
    for window in (0, 20):
        assert main(["tag", "--conll", str(conll), "--consistency-window", str(window)]) == 0
        printed = [ln.split()[1] for ln in capsys.readouterr().out.splitlines() if ln]
        assert printed == [t for s in tagger.tag_many(CLUB, consistency_window=window) for t in s]
