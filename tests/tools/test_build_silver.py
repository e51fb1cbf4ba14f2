"""tools/build_silver.py: unlabelled news in, machine-tagged CoNLL out, ready for train-ner --silver."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from rasid.entities.conll import TAGS, read_conll

TOOL = Path(__file__).resolve().parents[2] / "tools" / "build_silver.py"

ARTICLES = [
    "قال رئيس المجلس الرئاسي فايز السراج في طرابلس إن الحكومة مستعدة للحوار مع جميع الأطراف. "
    "وأضاف السراج أن قوات حكومة الوفاق ستواصل تقدمها نحو مدينة سرت حتى تحريرها بالكامل.\n"
    "قصير جدا.",
    "أعلن المتحدث باسم الجيش الوطني الليبي أحمد المسماري أن قواته صدت هجوما على مدينة الجفرة. "
    "وأكد المسماري في مؤتمر صحفي عقده في بنغازي أن الهجوم أسفر عن مقتل ثلاثة من المهاجمين.",
]


def test_silver_sentences_are_tagged_and_readable(tmp_path):
    data = tmp_path / "news"
    data.mkdir()
    with zipfile.ZipFile(data / "2015-07-21.zip", "w") as z:
        z.writestr("day.json", json.dumps([{"content": t} for t in ARTICLES], ensure_ascii=False))
    out = tmp_path / "silver.conll"
    res = subprocess.run([sys.executable, str(TOOL), str(data), "--sentences", "100", "--out", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    sentences = read_conll(out)
    assert len(sentences) == 4  # the 3-word line is too short to teach anything
    assert all(8 <= len(s) <= 60 and all(t in TAGS for _, t in s) for s in sentences)
    people = {" ".join(w for w, t in s if t.endswith("-PERS")) for s in sentences}
    assert any("السراج" in p for p in people) and any("المسماري" in p for p in people)
