"""The support-menu catalogue file as the tests write it: one good row, a file of rows, and
the import run on it."""

import csv
import io

from support_menus.resources import COLUMNS, dataset_read
from support_menus.services import catalogue_import

ROW = {
    "code": "test-hands-on", "name": "テスト伴走支援", "provider": "jetro",
    "category": "hands_on", "summary": "専門家が伴走します。", "url": "https://www.jetro.go.jp/",
    "source_url": "", "stages": "preparation;challenge", "issue_tags": "market_research;buyers",
    "size_classes": "small;sme", "corporation_only": "false", "industries": "E;I",
    "product_fields": "", "prefectures": "", "ec_experience": "any", "challenge_types": "",
    "requires_target": "false",
    "destination_regions": "", "fee_note": "無料", "subsidy_cap_yen": "", "subsidy_rate": "",
    "opens_on": "", "closes_on": "", "active": "true",
    "confirmed_on": "2025-04-01",
}  # fmt: skip


def csv_bytes(rows, header=COLUMNS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run_import(rows, dry_run=False, **kwargs):
    return catalogue_import(dataset=dataset_read(csv_bytes(rows, **kwargs), "csv"), dry_run=dry_run)
