"""Actors beyond Libya: Yemen, Syria, Iraq, Egypt and Sudan's forces, and generic names ("الجيش الوطني",
"القوات الحكومية", "التحالف") resolved by the country their sentence or document is set in."""

import pytest

from rasid.document import Article


@pytest.fixture(scope="module")
def extractor():
    from rasid.entities import EntityExtractor

    return EntityExtractor()


def resolved(extractor, cleaner, text, published):
    doc, _ = cleaner.clean(Article("d1", text, "d1.txt", published=published))
    return [(m.text, m.actor.id) for m in extractor.extract(doc).mentions if m.actor]


def test_the_national_army_is_hadis_in_yemen_and_haftars_in_libya(extractor, cleaner):
    yemen = resolved(extractor, cleaner, "عدن - سيطرت قوات الجيش الوطني على مواقع في مديرية صرواح غرب مأرب "
                                         "بعد معارك مع الانقلابيين.", "2015-10-02")
    assert ("قوات الجيش الوطني", "Yemen-Army") in yemen and ("الانقلابيين", "Houthi") in yemen
    assert not any(actor == "LNA" for _, actor in yemen)
    libya = resolved(extractor, cleaner, "طرابلس - أكد الجيش الوطني أنه قصف مواقع في بنغازي.", "2019-06-01")
    assert ("الجيش الوطني", "LNA") in libya


def test_government_forces_are_the_government_of_the_country(extractor, cleaner):
    syria = resolved(extractor, cleaner, "دمشق - قصفت قوات النظام مدينة دوما. وقال المرصد إن القوات الحكومية "
                                         "قتلت 10 مدنيين في مدينة حلب.", "2015-06-10")
    assert ("قوات النظام", "Syria-Army") in syria and ("القوات الحكومية", "Syria-Army") in syria
    sudan = resolved(extractor, cleaner, "الخرطوم - اندلعت اشتباكات بين الجيش وقوات الدعم السريع في الخرطوم. "
                                         "وقصف الطيران الحربي مواقع المتمردين في أم درمان.", "2023-06-01")
    assert ("الجيش", "Sudan-Army") in sudan and ("وقوات الدعم السريع", "RSF") in sudan
    assert ("المتمردين", "RSF") in sudan
    egypt = resolved(extractor, cleaner, "القاهرة - قتل خمسة من رجال الشرطة في هجوم على كمين بمدينة العريش. "
                                         "وقال مصدر إن قوات الجيش قتلت 10 عناصر في الشيخ زويد.", "2015-06-10")
    assert ("رجال الشرطة", "Egypt-Police") in egypt and ("قوات الجيش", "Egypt-Army") in egypt


def test_named_forces_of_each_war(extractor, cleaner):
    found = resolved(extractor, cleaner, "استعادت القوات العراقية والحشد الشعبي مدينة تكريت من تنظيم داعش، "
                                         "وقالت الشرطة في الرمادي إن انتحاريا فجر نفسه.", "2015-04-01")
    assert {"Iraq-Army", "PMF", "ISIS", "Iraq-Police"} <= {a for _, a in found}
    found = resolved(extractor, cleaner, "العريش - تبنى تنظيم ولاية سيناء الهجوم على كمين للجيش.", "2015-07-02")
    assert ("تنظيم ولاية سيناء", "Wilayat-Sinai") in found


def test_the_coalition_is_saudi_led_in_yemen_and_us_led_in_syria(extractor, cleaner):
    yemen = resolved(extractor, cleaner, "صنعاء - شنت مقاتلات التحالف غارات على مواقع في مديرية صرواح غرب مأرب.",
                     "2015-10-02")
    assert ("مقاتلات التحالف", "Saudi-Coalition") in yemen
    syria = resolved(extractor, cleaner, "دمشق - شنت مقاتلات التحالف غارات على مواقع في مدينة الرقة.", "2015-10-02")
    assert ("مقاتلات التحالف", "US-Coalition") in syria
