"""Build the currency name list the entity tagger uses as a feature (src/rasid/entities/data/names/currency.txt).

    python tools/build_currency_names.py

Arabic currency names from the Unicode CLDR, read through babel (the ``tools`` extra): each current
name ("دولار أسترالي") and its head noun ("دولار"), since news usually writes the bare noun.
Historical names carry a year range in CLDR ("كوانزا أنجولي - 1977-1990") and are left out, as are
the X- codes (metals, accounting units).
ANERcorp tags currencies as MISC, so the list is one of the tagger's MISC-like features.
"""

import argparse
import re
from pathlib import Path

# head nouns that are more often other words in news: a first name, a city, "gold", "Sidi", "a well"
COMMON_HEADS = {"ذهب", "سول", "ليون", "سيدي", "بير", "مارك", "ليو", "كولن", "سيلي"}
OUT = Path(__file__).resolve().parents[1] / "src/rasid/entities/data/names/currency.txt"


def currency_names() -> list[str]:
    import babel
    from babel import Locale

    names = set()
    for code, name in Locale("ar").currencies.items():
        # X-codes are metals and accounting units (الذهب، الوحدة الأوروبية), not money in the news
        if code.startswith("X") or re.search(r"\d", name) or "(" in name:
            continue
        name = " ".join(re.sub("[\u0640\u064b-\u0652]", "", name).split())  # no tatweel or harakat in a data file
        names.add(name)
        if name.split()[0] not in COMMON_HEADS:
            names.add(name.split()[0])
    header = [f"# Source: Arabic currency names of the Unicode CLDR, read through babel {babel.__version__}. "
              "Licence: Unicode License v3.",
              "# Tagger feature list (kind CUR). Built by tools/build_currency_names.py: full names and their head nouns."]
    return header + sorted(names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    lines = currency_names()
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 2} names -> {args.out}")


if __name__ == "__main__":
    main()
