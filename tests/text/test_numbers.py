import pytest

from rasid.text.numbers import NumberReader, read_quantities


@pytest.mark.parametrize(("text", "value", "flags"), [
    ("وهناك 43 قتيل من الميليشيات", 43, ""),
    ("مقتل ٤٣ عنصرا", 43, ""),
    ("مقتل سبعة مدنيين", 7, ""),
    ("وقتل على إثره ستة على الأقل من المقاتلين", 6, "lower"),
    ("قتل فيها أكثر من 400 جندي", 400, "lower"),
    ("نزوح عشرات العائلات", 12, "vague"),
    ("قتل وأصيب فيها العشرات من المقاتلين", 12, "vague"),
    ("سقط مئات الضحايا", 100, "vague"),
    ("على بعد ثمانين كيلومترا تقريبا", 80, "approx"),
    ("نحو 30 مترا", 30, "approx"),
    ("خلال الأربع والعشرين ساعة الماضية", 24, ""),
    ("أحد عشر جنديا", 11, ""),
    ("خمسة وعشرون مقاتلا", 25, ""),
    ("مئتان وخمسون أسرة", 250, ""),
    ("ثلاثة آلاف نازح", 3000, ""),
    ("3 آلاف نازح", 3000, ""),
    ("بلغ عددهم 1,200 شخص", 1200, ""),
    ("ومعاونه و8 من عناصرهم", 8, ""),
    ("أسفرت عن مقتل ثلاثمائة شخص", 300, ""),
])
def test_reads_quantities_with_acled_conventions(text, value, flags):
    (q,) = [q for q in read_quantities(text)]
    assert q.value == value
    assert q.vague == ("vague" in flags)
    assert q.lower_bound == ("lower" in flags)
    assert q.approximate == ("approx" in flags)
    assert text[q.start:q.end] == q.text


def test_two_numbers_in_a_row_stay_two_numbers():
    assert [q.value for q in read_quantities("قتل ستة وأصيب 12 بجروح")] == [6, 12]


def test_text_without_numbers_gives_nothing():
    assert read_quantities("دخلت قوات الوفاق مدينة سرت") == []


def test_lexicon_is_data_a_user_can_extend():
    reader = NumberReader({"units": {"واحد": 1}, "vague": {"كثير": 10}})
    assert [q.value for q in reader.read("قتل كثير")] == [10]
