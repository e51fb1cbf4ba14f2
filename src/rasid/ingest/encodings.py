"""Decode bytes of Arabic news as found in the wild: UTF-8 (BOM or not), UTF-16, Windows-1256, ISO-8859-6.

Order of evidence: a byte-order mark; strict UTF-8; the NUL-byte pattern of BOM-less UTF-16;
then charset-normalizer's guess among the legacy Arabic code pages, checked by how Arabic the
result reads. Mojibake (UTF-8 read as Latin-1/Windows-1252 and saved again) is repaired with
ftfy. Nothing here raises on bad bytes except :class:`~rasid.errors.IngestError` for input that
is not text at all.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from rasid.errors import IngestError
from rasid.text.letters import arabic_letter_share

__all__ = ["Decoded", "decode_bytes"]

LEGACY_ARABIC = ("cp1256", "iso8859_6", "cp720", "cp864")
STRAY_BYTES_SHARE = 0.01  # up to this share of undecodable bytes, a mostly-UTF-8 file is read as UTF-8
MAX_REPLACEMENT_SHARE = 0.05  # more undecodable characters than this and the file is not text
_MOJIBAKE_RE = re.compile("[\u00d8\u00d9\u00da\u00db][\u0080-\u00bf\u2018-\u203a\u0152-\u0192\u02c6-\u02dc]")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


@dataclass(slots=True)
class Decoded:
    """Decoded text, the encoding that decoded it, and warnings about the repair done."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _arabic_quality(text: str) -> float:
    return arabic_letter_share(text[:5000])


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    # Arabic in UTF-16 has 0x06 high bytes rather than NULs; Latin spaces and digits give NULs.
    even_06 = sample[0::2].count(6) / (len(sample) / 2)
    odd_06 = sample[1::2].count(6) / (len(sample) / 2)
    if odd_nuls + odd_06 > 0.5 and even_nuls < 0.05:
        return "utf_16_le"
    if even_nuls + even_06 > 0.5 and odd_nuls < 0.05:
        return "utf_16_be"
    return None


def decode_bytes(data: bytes, source: str, *, declared: str | None = None) -> Decoded:
    """Decode `data` read from `source` into text.

    Args:
        data: the raw bytes.
        source: file name for messages.
        declared: an encoding the container declares (HTTP header, XML/HTML meta), tried first.

    Raises:
        IngestError: empty input, binary data, or bytes no Arabic encoding reads.

    Example:
        >>> decode_bytes("سرت".encode("cp1256"), "x.txt").text
        'سرت'
        >>> decode_bytes(codecs.BOM_UTF16_LE + "ليبيا".encode("utf-16-le"), "x.txt").encoding
        'utf_16'
    """
    if not data or not data.strip():
        raise IngestError(source, "empty", "file is empty")
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf_32"), (codecs.BOM_UTF32_BE, "utf_32"), (codecs.BOM_UTF8, "utf_8_sig"),
                     (codecs.BOM_UTF16_LE, "utf_16"), (codecs.BOM_UTF16_BE, "utf_16")):
        if data.startswith(bom):
            return _finish(data.decode(enc, errors="replace"), enc, source)
    utf16 = _looks_utf16(data)
    if utf16:
        return _finish(data.decode(utf16, errors="replace"), utf16, source)
    if b"\x00" in data[:8000]:
        raise IngestError(source, "binary", "binary file (NUL bytes), not text")
    try:
        return _finish(data.decode("utf-8"), "utf_8", source)
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few stray bytes (a truncated download, a bad copy) is still UTF-8: a legacy code page
    # would read every byte and turn the whole text into mojibake.
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if bad <= max(3, len(lenient) * STRAY_BYTES_SHARE) and _arabic_quality(lenient) > 0.5:
        decoded = _finish(lenient, "utf_8", source)
        return decoded
    if declared:
        try:
            text = data.decode(declared)
            if _arabic_quality(text) > 0.5:
                return _finish(text, codecs.lookup(declared).name, source)
        except (LookupError, UnicodeDecodeError):
            pass
    return _finish_legacy(data, source)


def _finish_legacy(data: bytes, source: str) -> Decoded:
    from charset_normalizer import from_bytes

    candidates: list[tuple[float, str, str]] = []
    for enc in LEGACY_ARABIC:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_arabic_quality(text), enc, text))
    guess = from_bytes(data).best()
    if guess is not None and guess.encoding not in {c[1] for c in candidates}:
        text = str(guess)
        candidates.append((_arabic_quality(text) - 0.01, guess.encoding, text))
    if candidates:
        score, enc, text = max(candidates, key=lambda c: c[0])
        if score > 0.3 or (guess is not None and enc == guess.encoding):
            return _finish(text, enc, source)
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad / max(1, len(text)) > MAX_REPLACEMENT_SHARE:
        raise IngestError(source, "encoding", f"undecodable bytes ({bad} of {len(text)} characters); "
                                              "not UTF-8, UTF-16, Windows-1256 or ISO-8859-6")
    decoded = _finish(text, "utf_8", source)
    decoded.warnings.append(f"encoding: {bad} undecodable bytes replaced with U+FFFD")
    return decoded


def _finish(text: str, encoding: str, source: str) -> Decoded:
    warnings = []
    if _MOJIBAKE_RE.search(text[:20000]):
        import ftfy

        fixed = ftfy.fix_encoding(text)
        if fixed != text and _arabic_quality(fixed) > _arabic_quality(text):
            warnings.append("encoding: repaired mojibake (UTF-8 read as Windows-1252)")
            text = fixed
    if text.startswith("\ufeff"):
        text = text[1:]
    controls = len(_CONTROL_RE.findall(text[:20000]))
    if controls > max(10, len(text[:20000]) // 50):
        raise IngestError(source, "binary", f"binary data ({controls} control characters), not text")
    bad = text.count("\ufffd")
    if bad / max(1, len(text)) > MAX_REPLACEMENT_SHARE:
        raise IngestError(source, "encoding", f"undecodable bytes ({bad} of {len(text)} characters)")
    if bad:
        warnings.append(f"encoding: {bad} undecodable bytes replaced with U+FFFD")
    return Decoded(text, encoding, warnings)
