import pytest

from rasid.text.normalize import fold, match_key, normalize, strip_diacritics, unify_digits


@pytest.mark.parametrize(("raw", "key"), [
    ("أعلنت إدارة آمنة", "اعلنت اداره امنه"),          # alef forms, teh marbuta
    ("مستشفى الشفاء", "مستشفي الشفاء"),               # alef maksura
    ("قُتِلَ جُنْدِيٌّ", "قتل جندي"),                     # harakat and shadda
    ("حفتـــــر", "حفتر"),                              # tatweel
    ("\u200fسرت\u200e", "سرت"),                         # RTL / LTR marks
    ("\ufee3\ufebc\ufeae\ufe8e\ufe97\ufe94", "مصراته"),  # presentation forms
    ("٤٣ قتيلا و۱۲ جريحا", "43 قتيلا و12 جريحا"),     # Arabic-Indic and Persian digits
    ("قوات GNA في سرت", "قوات gna في سرت"),            # mixed Latin script
    ("المصدر : الجزيرة + وكالات", "المصدر الجزيره وكالات"),
    ("", ""),
])
def test_match_key_folds_variants_that_news_spell_differently(raw, key):
    assert match_key(raw) == key


def test_fold_keeps_length_so_offsets_stay_valid():
    raw = "أعلنت القوات إسقاط ٣ طائرات مسيّرة في الجفرة"
    assert len(fold(raw)) == len(raw)
    assert len(unify_digits(raw)) == len(raw)


@pytest.mark.parametrize("raw", [
    "قُوَّاتُ حَفْتَر",
    "الجيـــش الوطني الليبي",
    "\u200fقال\u200f المتحدث",
    "no arabic here",
    "",
])
def test_normalized_view_maps_every_character_back_to_the_original(raw):
    norm = normalize(raw)
    assert "\u0640" not in norm.text and "\u064f" not in norm.text
    for i, ch in enumerate(norm.text):
        assert fold(raw[norm.to_raw(i)]) == ch
    assert norm.to_raw(len(norm.text)) == len(raw)


def test_span_found_in_normalized_text_points_at_the_raw_surface():
    raw = "وقال اللواء أحمد المسمـاري، المتحدث الرسمي"
    norm = normalize(raw)
    i = norm.text.index("احمد المسماري")
    start, end = norm.span_to_raw(i, i + len("احمد المسماري"))
    assert raw[start:end] == "أحمد المسمـاري"


def test_strip_diacritics_keeps_letters():
    assert strip_diacritics("مُسَيَّرَة") == "مسيرة"


def test_normalize_rejects_offsets_outside_the_text():
    with pytest.raises(IndexError):
        normalize("سرت").to_raw(4)


def _reference_key(text: str) -> str:
    """match_key as the expressions and the translate table define it, one step after another."""
    import unicodedata

    from rasid.text import normalize as n

    text = unicodedata.normalize("NFKC", text) if n._needs_nfkc(text) else text
    key = n._KEY_DROP_RE.sub(" ", n._DELETE_RE.sub("", text).translate(n._FOLD_TABLE))
    return n._SPACE_RE.sub(" ", key).strip()


def test_array_path_gives_what_the_tables_give_for_every_character():
    from rasid.text import normalize as n

    pad = "قال المتحدث باسم الجيش إن القوات " * 3  # long enough for the array path
    for c in range(0x10000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        text = pad + chr(c) + "x" + chr(c) + chr(c) + " سرت"
        assert match_key(text) == _reference_key(text), hex(c)
        assert fold(text) == text.translate(n._FOLD_TABLE), hex(c)


@pytest.mark.parametrize("text", [
    "ﻗﻮﺍﺕ ﺣﻔﺘﺮ في سرت " * 8,  # presentation forms: NFKC first
    "وصلت القوات 😀 إلى سرت " * 8,  # a character beyond the BMP: the slower path
    "قصف \udcff على سرت " * 8,  # a lone surrogate (undecodable bytes kept): the slower path
])
def test_array_path_falls_back_where_it_cannot_work(text):
    from rasid.text import normalize as n

    assert match_key(text) == _reference_key(text)
    assert fold(text) == text.translate(n._FOLD_TABLE)


def test_real_articles_key_as_before():
    from pathlib import Path

    from rasid.text import normalize as n

    seeds = Path(__file__).resolve().parents[2] / "demo" / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    assert texts
    for text in texts:
        assert match_key(text) == _reference_key(text)
        assert fold(text) == text.translate(n._FOLD_TABLE)
        assert [match_key(line) for line in text.splitlines()] == [_reference_key(line) for line in text.splitlines()]
