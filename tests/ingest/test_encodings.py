import codecs

import pytest

from rasid.errors import IngestError
from rasid.ingest.encodings import decode_bytes


@pytest.fixture(scope="module")
def arabic(seed_text):
    return seed_text("001")


@pytest.mark.parametrize(("encode", "expected"), [
    (lambda t: t.encode("utf-8"), "utf_8"),
    (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf_8_sig"),
    (lambda t: t.encode("utf-16"), "utf_16"),                 # with BOM
    (lambda t: t.encode("utf-16-le"), "utf_16_le"),           # without BOM
    (lambda t: t.encode("utf-16-be"), "utf_16_be"),
    (lambda t: t.encode("cp1256"), "cp1256"),
    (lambda t: t.encode("iso8859_6", errors="replace"), None),  # ISO-8859-6 lacks some letters; decodes without crash
])
def test_arabic_news_decodes_from_every_encoding_seen_in_the_wild(arabic, encode, expected):
    decoded = decode_bytes(encode(arabic), "a.txt")
    if expected:
        assert decoded.encoding == expected
        assert decoded.text == arabic
    else:
        assert decoded.text.startswith(arabic[:40])


def test_iso_8859_6_text_is_not_mistaken_for_windows_1256():
    text = "دخلت قوات الوفاق مدينة سرت وواصلت تقدمها شرقا نحو الجفرة"
    decoded = decode_bytes(text.encode("iso8859_6"), "a.txt")
    assert decoded.text == text


def test_mojibake_is_repaired_with_a_warning(arabic):
    broken = arabic[:400].encode("utf-8").decode("latin-1")
    decoded = decode_bytes(broken.encode("utf-8"), "m.txt")
    assert decoded.text == arabic[:400]
    assert any("mojibake" in w for w in decoded.warnings)


def test_utf8_with_a_few_stray_bytes_stays_utf8_with_a_warning(arabic):
    data = arabic[:50].encode("utf-8") + b"\xff\xfe\xfa" + arabic[50:].encode("utf-8")
    decoded = decode_bytes(data, "b.txt")
    assert decoded.encoding == "utf_8"
    assert decoded.text.replace("\ufffd", "") == arabic
    assert decoded.warnings == ["encoding: 3 undecodable bytes replaced with U+FFFD"]


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "binary"),
])
def test_non_text_input_raises_a_clear_ingest_error(data, reason):
    with pytest.raises(IngestError) as info:
        decode_bytes(data, "bad.bin")
    assert info.value.reason == reason
    assert "bad.bin" in str(info.value)
