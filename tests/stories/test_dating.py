"""Dates read from an undated report's own text (rasid.stories.dating)."""

from datetime import date

from rasid.document import Article
from rasid.stories.dating import infer_date

BODY = ("أعلن المركز الإعلامي لقوات حكومة الوفاق الوطني الليبية فرض السيطرة على مجمع قاعات واغادوغو "
        "بعد معارك عنيفة مع مسلحي تنظيم داعش في مدينة سرت، وقال المتحدث إن القوات تتقدم نحو الحي رقم 3.")


def clean(cleaner, text):
    doc, _ = cleaner.clean(Article("d", text, "d.txt"))
    return doc


def test_the_latest_full_date_is_taken_with_its_span(cleaner):
    text = BODY + "\nوكانت العملية قد بدأت في 12 مايو 2016، وفي 6 يونيو 2016 دخلت القوات وسط المدينة بعد أسابيع من القتال."
    doc = clean(cleaner, text)
    found = infer_date(doc, 0)
    assert found.date == "2016-06-06" and found.basis == "text"
    assert doc.text[found.start:found.end] == found.phrase == "6 يونيو 2016"


def test_relative_words_days_without_a_year_and_future_dates_give_nothing(cleaner):
    assert infer_date(clean(cleaner, BODY + "\nوقال المتحدث أمس الاثنين 6 يونيو إن القوات تقدمت."), 0) is None
    future = clean(cleaner, BODY + "\nوتنتهي المهلة في 6 يونيو 2031 بحسب البيان.")
    assert infer_date(future, 0, today=date(2026, 1, 1)) is None
    assert infer_date(future, 0, today=date(2032, 1, 1)).date == "2031-06-06"
