"""Conflict sites the GeoNames tables lack (curated in geo/data/aliases.yaml): air bases, airports,
border crossings, camps, city quarters and small towns of the wars in Yemen, Syria, Iraq, Libya,
Egypt and Sudan. Names that are also ordinary words or surnames are places only after a head word."""

import pytest

SENTENCES = [
    ("سيطر مسلحون من تنظيم القاعدة على مدينة شقرة الساحلية في محافظة أبين، فيما استهدفت طائرة مسيرة "
     "محيط مطار سيئون في وادي حضرموت.",
     {"شقرة": ("YE", 13.352, 45.699), "مطار سيئون": ("YE", 15.966, 48.788)}),
    ("سقطت صواريخ على قاعدة حميميم الجوية في ريف اللاذقية، بينما أعلنت قوات سوريا الديمقراطية السيطرة "
     "على بلدة الباغوز آخر معاقل التنظيم شرق دير الزور.",
     {"حميميم": ("SY", 35.401, 35.949), "الباغوز": ("SY", 34.462, 40.948)}),
    ("وأعيد فتح معبر نصيب الحدودي مع الأردن أمام حركة الشاحنات، في حين دخلت قافلة مساعدات أممية عبر "
     "معبر باب الهوى إلى محافظة إدلب.",
     {"معبر نصيب": ("SY", 32.55, 36.20), "باب الهوى": ("SY", 36.232, 36.677)}),
    ("انفجرت عبوة ناسفة قرب قاعدة التاجي شمال بغداد، وقتل ثلاثة من عناصر الحشد في هجوم على ناحية "
     "البغدادي غرب الأنبار، فيما استعادت القوات العراقية السيطرة على جلولاء في ديالى.",
     {"قاعدة التاجي": ("IQ", 33.535, 44.26), "ناحية البغدادي": ("IQ", 33.87, 42.54),
      "جلولاء": ("IQ", 34.272, 45.162)}),
    ("هاجمت قوات الدعم السريع مخيم أبو شوك شمال الفاشر، بينما قصف الطيران الحربي تجمعات في حي كافوري "
     "بالخرطوم بحري وقرب قاعدة وادي سيدنا العسكرية.",
     {"أبو شوك": ("SD", 13.66, 25.33), "كافوري": ("SD", 15.645, 32.565), "وادي سيدنا": ("SD", 15.82, 32.51)}),
    ("وأغلقت السلطات الليبية معبر رأس جدير الحدودي مع تونس بعد اشتباكات، وهبطت طائرة شحن في مطار "
     "مصراتة الدولي.",
     {"رأس جدير": ("LY", 33.152, 11.565), "مطار مصراتة": ("LY", 32.325, 15.061)}),
]


@pytest.mark.parametrize("n", range(len(SENTENCES)))
def test_conflict_sites_are_placed_in_their_country(assert_placed, n):
    text, expected = SENTENCES[n]
    assert_placed(text, expected, 15, f"conflict{n}")


def test_surnames_and_organisation_names_are_not_places(places_of):
    # البغدادي is a place only as "ناحية البغدادي"; القاعدة (the organisation, or "the base") never
    text = ("ظهر أبو بكر البغدادي زعيم تنظيم الدولة في تسجيل مصور، فيما تبنى تنظيم القاعدة في جزيرة "
            "العرب الهجوم على نقطة عسكرية في محافظة أبين.")
    names = [m.text for m in places_of(text, "negative")]
    assert not any("البغدادي" in t or "القاعدة" in t for t in names), names
