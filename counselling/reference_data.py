"""The starting list of 課題 tags (administrators edit it in the admin). Loaded by the data
migration with historical models, and by the tests that flush the database."""

TAGS = [
    ("market_research", "市場調査"),
    ("product_regulation", "商品開発・規制認証"),
    ("pricing_logistics", "価格・物流・貿易実務"),
    ("buyers", "商談先探し"),
    ("cross_border_ec", "越境EC"),
    ("finance", "資金"),
    ("ip", "知財"),
    ("people_language", "人材・語学"),
    ("organisation", "社内体制"),
    ("trade_fairs", "展示会・商談会"),
]


def reference_data_load(apps) -> None:
    """Insert or update every tag; safe to run again."""
    IssueTag = apps.get_model("counselling", "IssueTag")
    for order, (code, name) in enumerate(TAGS, start=1):
        IssueTag.objects.update_or_create(code=code, defaults={"name": name, "order": order})
