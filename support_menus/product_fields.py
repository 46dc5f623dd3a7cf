"""The firm's product fields, read from what it registered: the products it wants to export
(registration.products) and its industry. Pure: text and codes in, codes out.

Some menus are only for a product field (the 酒類 pavilion of 国税庁, the 農林水産物・食品
matching site …; SupportMenu.product_fields). The rule, in this order:

1. Words for tableware and equipment are taken out of the text first (TABLEWARE), so
   「ワイングラス」 or 「酒器」 of a glass maker is glass, not wine.
2. 酒類 (``alcohol``): the text names an alcoholic drink (KEYWORDS["alcohol"]). 酒類 are also
   農林水産物・食品 (the export promotion act covers them), so such a firm is in both fields.
3. 農林水産物・食品 (``food``): the text names a food or a farm, forest or sea product
   (KEYWORDS["food"]), or the firm's industry is agriculture and forestry (A) or fisheries (B).

A firm whose text names none of these has no product field: it is eligible only for menus
open to any product. Keywords are whole words of two characters or more (「米」 alone would
match 米国), matched in the text as written and in lower case for the Latin ones.
"""

# JSIC divisions whose firms make 農林水産物 whatever they wrote.
FOOD_INDUSTRIES = frozenset({"A", "B"})

TABLEWARE = (
    "ワイングラス", "ワインセラー", "ビールグラス", "ビアグラス", "ビールジョッキ", "日本酒グラス",
    "酒器", "徳利", "ぐい呑", "ぐい呑み", "お猪口", "猪口", "茶碗", "茶器", "湯呑", "急須",
    "wine glass", "beer glass", "sake cup",
)  # fmt: skip

KEYWORDS: dict[str, tuple[str, ...]] = {
    "alcohol": (
        "酒類", "日本酒", "清酒", "地酒", "純米", "吟醸", "焼酎", "泡盛", "梅酒", "果実酒",
        "リキュール", "ウイスキー", "ウィスキー", "ワイン", "ビール", "発泡酒", "クラフトビール",
        "スピリッツ", "酒造", "蔵元", "sake", "shochu", "whisky", "whiskey", "wine",
        "beer", "spirits",
    ),
    "food": (
        "食品", "食料", "食材", "飲料", "農産物", "林産物", "水産物", "畜産物", "海産物",
        "農林水産", "精米", "米菓", "日本茶", "緑茶", "抹茶", "煎茶", "茶葉",
        "果物", "果実", "フルーツ", "野菜", "和牛", "牛肉", "豚肉", "鶏肉", "鮮魚", "水産",
        "ホタテ", "海苔", "のり佃煮", "鰹節", "かつお節", "味噌", "みそ", "醤油", "しょうゆ",
        "調味料", "菓子", "スイーツ", "和菓子", "ラーメン", "うどん", "そば粉", "ジュース",
        "はちみつ", "蜂蜜", "food", "seafood",
    ),
}  # fmt: skip


def product_fields_of(products: str, industry: str) -> frozenset[str]:
    """The product fields (codes of support_menus.models.ProductField) of a firm that
    exports ``products`` and is in the JSIC division ``industry``."""
    text = (products or "").lower()
    for word in TABLEWARE:
        text = text.replace(word.lower(), " ")
    fields = {field for field, words in KEYWORDS.items() if any(w.lower() in text for w in words)}
    if "alcohol" in fields or industry in FOOD_INDUSTRIES:
        fields.add("food")
    return frozenset(fields)
