"""tools/align_newsfane.py: NewsFANE's fine-grained labels matched to the training split's own words."""

import subprocess
import sys
from pathlib import Path

from rasid.entities.train import read_conll_columns

TOOL = Path(__file__).resolve().parents[2] / "tools" / "align_newsfane.py"

# ANERcorp style: one token a line, a sentence ends at ". O", clitics attached, hamzas written
TRAIN = """وأكد O
رئيس O
المجلس O
الرئاسي O
فايز B-PERS
السراج I-PERS
أن O
الحكومة O
ستواصل O
دعم O
وسورية B-LOC
في O
مواجهة O
الإرهاب O
. O
وفاز O
نادي B-ORG
الأهلي I-ORG
على O
الزمالك B-ORG
في O
المباراة O
النهائية O
للبطولة O
. O
وهذه O
جملة O
لا O
توجد O
في O
الملف O
الآخر O
أبدا O
. O
"""

# the same text in NewsFANE's way: documents in another order, و apart, ا for أ, a mark before each token
FANE = [("و", "O"), ("فاز", "O"), ("نادي", "B-Sports"), ("الاهلي", "I-Sports"), ("علي", "O"),
        ("الزمالك", "B-Sports"), ("في", "O"), ("المباراة", "O"), ("النهائية", "O"), ("للبطولة", "O"), (".", "O"),
        ("و", "O"), ("اكد", "O"), ("رئيس", "B-Politician"), ("المجلس", "I-Politician"),
        ("الرئاسي", "I-Politician"), ("فايز", "I-Politician"), ("السراج", "I-Politician"), ("ان", "O"),
        ("الحكومة", "B-Government"), ("ستواصل", "O"), ("دعم", "O"), ("و", "O"), ("سورية", "B-Nation"),
        ("في", "O"), ("مواجهة", "O"), ("الارهاب", "O"), (".", "")]


def run(tmp_path, train_name="train.txt"):
    train = tmp_path / train_name
    train.write_text(TRAIN, encoding="utf-8")
    fane = tmp_path / "fane.txt"
    fane.write_text("".join(f"\u200e{t}\t{g}\n" for t, g in FANE), encoding="utf-8")
    out = tmp_path / "aux.txt"
    res = subprocess.run([sys.executable, str(TOOL), str(train), str(fane), "--out", str(out)],
                         capture_output=True, text=True)
    return res, out


def test_fine_labels_follow_the_training_words(tmp_path):
    res, out = run(tmp_path)
    assert res.returncode == 0, res.stderr
    assert "2 of 3 sentences aligned" in res.stderr
    aux = read_conll_columns(out)
    gold = read_conll_columns(out, 2)
    assert [len(s) for s in aux] == [15, 10, 9] and gold[0][4] == "B-PERS"
    first, second, third = aux
    assert first[:7] == ["O", "B-Politician", "I-Politician", "I-Politician", "I-Politician", "I-Politician", "O"]
    assert first[7] == "B-Government" and first[10] == "B-Nation"  # "وسورية": و apart in NewsFANE
    assert second[1:3] == ["B-Sports", "I-Sports"] and second[3:6] == ["O", "B-Sports", "O"]
    assert set(third) == {"?"}  # a sentence NewsFANE does not hold gets no second labels


def test_a_test_split_is_refused(tmp_path):
    res, out = run(tmp_path, "ANERCorp_test.txt")
    assert res.returncode == 1 and not out.exists()
