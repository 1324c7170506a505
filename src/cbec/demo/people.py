"""Demo consumers (订购人): Faker zh_CN names, phones and addresses with valid resident ID numbers."""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker
from faker.providers.ssn.zh_CN import Provider as ChineseIdProvider

from cbec.common.ids import make_resident_id
from cbec.demo.builders import Buyer

# County-level codes only (a card is issued by a county or district, never by a province or city).
COUNTY_CODES: tuple[str, ...] = tuple(code for code in ChineseIdProvider.area_codes if not code.endswith("00"))


def make_buyers(count: int, *, seed: int, today: date) -> list[Buyer]:
    """Return distinct buyers aged 18 to 70 with valid 18-character resident ID numbers."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    buyers: list[Buyer] = []
    seen: set[str] = set()
    phones: set[str] = set()
    while len(buyers) < count:
        area = rng.choice(COUNTY_CODES)
        birth = today - timedelta(days=rng.randint(18 * 366, 70 * 365))
        id_number = make_resident_id(area, birth, rng.randint(0, 999))
        phone = fake.phone_number()
        if id_number in seen or phone in phones:
            continue
        seen.add(id_number)
        phones.add(phone)
        address = fake.address().rsplit(" ", 1)[0]  # drop the postcode Faker appends
        buyers.append(Buyer(name=fake.name(), id_number=id_number, phone=phone, address=address))
    return buyers


def wrong_checksum(id_number: str) -> str:
    """Return the ID number with a wrong check character (a typical typing error)."""
    check = "10X98765432"
    wrong = check[(check.index(id_number[-1]) + 3) % 11]
    return id_number[:17] + wrong
