"""Load the project's reference data files (core/data/) into the database.

Used by the data migration with historical models, and by tests to check the files."""

import csv
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_json(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return json.load(f)


def read_country_regions() -> list[dict]:
    with (DATA_DIR / "country_regions.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def reference_data_load(apps) -> None:
    """Insert or update every reference row; safe to run again."""
    Prefecture = apps.get_model("core", "Prefecture")
    IndustryDivision = apps.get_model("core", "IndustryDivision")
    CountryRegion = apps.get_model("core", "CountryRegion")
    Organisation = apps.get_model("core", "Organisation")

    prefectures = read_json("prefectures.json")
    for row in prefectures:
        Prefecture.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "name_en": row["name_en"], "region": row["region"]},
        )
    for row in read_json("organisations.json"):
        Organisation.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "kind": row["kind"], "prefecture_id": row["prefecture"]},
        )
    offices = dict(Organisation.objects.values_list("code", "pk"))
    for row in prefectures:
        Prefecture.objects.filter(code=row["code"]).update(office_id=offices[row["office"]])
    for row in read_json("industry_divisions.json"):
        IndustryDivision.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "name_en": row["name_en"]}
        )
    for row in read_country_regions():
        CountryRegion.objects.update_or_create(
            country=row["country"], defaults={"region": row["region"]}
        )
