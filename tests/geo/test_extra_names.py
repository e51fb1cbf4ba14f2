"""Arabic names that GeoNames lacks (tools/data/extra_arabic_names.tsv, merged into places.tsv):
the press's spellings of towns and district seats of Syria, Yemen and south-east Turkey."""


SENTENCES = [
    ("قتل خمسة أشخاص في انفجار سيارة مفخخة بمدينة الحويجة غرب كركوك، فيما قصفت طائرات مجهولة مواقع "
     "في البوكمال على الحدود السورية العراقية.",
     {"الحويجة": ("IQ", 35.33, 43.77), "البوكمال": ("SY", 34.45, 40.92)}),
    ("وفرضت السلطات التركية حظر التجول في قضاء جيزرة بولاية شرناق، بينما سقطت قذائف أطلقت من الأراضي "
     "السورية على بلدة جيلان بينار وقضاء سروج.",
     {"جيزرة": ("TR", 37.33, 42.19), "جيلان بينار": ("TR", 36.85, 40.05), "سروج": ("TR", 36.98, 38.42)}),
    ("وقتل ثلاثة جنود في اشتباكات مع الحوثيين في مديرية ردفان بمحافظة لحج، وسقطت قذيفة على ميناء "
     "المخاء غرب تعز.",
     {"ردفان": ("YE", 13.52, 44.85), "المخاء": ("YE", 13.32, 43.25)}),
]


def test_press_spellings_geonames_lacks_are_placed_in_their_country(assert_placed):
    for n, (text, expected) in enumerate(SENTENCES):
        assert_placed(text, expected, 25, f"extra{n}")
