"""A seeded, labelled synthetic set of export declarations for B2B identification (the oracle of bench/b2b.py).

``generate(n, seed)`` gives ``n`` general-trade (0110) declarations of which ``b2b_share`` (10 %) are disguised
B2B e-commerce (truth label), plus 9710/9810 declarations (B2B by declaration). The design of the set — stated so
the figures it yields are read for what they are:

* disguised B2B carries all five evidence items (a filed platform's order, a company buyer in one of several
  languages, a waybill to the consignee's country departing within days, the payment within 2 % of the declared
  amount, a listed CBEC channel); with probability ``miss_rate`` exactly one item is missing or broken (no order,
  an unfiled platform, a person-like or one-word buyer name, a late departure or another country, a partial
  payment, a bank transfer outside the list);
* ordinary general trade carries none of them (no order, a person-like or one-word name, no waybill in the file,
  no payment record, no listed channel); with probability ``spurious_rate`` exactly one item is present by chance,
  and with probability ``double_rate`` two;
* amounts are in USD, EUR or CNY; some B2B proceeds arrive in another currency than the declared one (converted
  at the customs rate); dates fall in January and February 2026.

Real general trade sells mostly to companies: on real data the company item separates far less than here, so a
zone calibrates the method on a hand-labelled sample before publishing (docs/statistics.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

FILED_PLATFORM = "4601960001"  # the platform the generator's orders cite (the caller files it)
UNFILED_PLATFORM = "4601969999"
START = date(2026, 1, 5)
DAYS = 50
# Currency (ISO), the CNY per unit the callers load as customs rates (not official values).
CURRENCIES = {"USD": Decimal("7.1000"), "EUR": Decimal("7.8500"), "CNY": Decimal(1)}
COUNTRIES = ("USA", "DEU", "JPN", "GBR", "FRA", "ITA", "NLD", "KOR", "AUS", "ESP")
CHANNELS = ("PI-PINGPONG", "PI-LIANLIAN", "PI-AIRWALLEX", "PI-ALIPAY-XB", "BK-ETRADE")
_STEMS = (
    "Nordlicht",
    "Blue Harbor",
    "Sakura",
    "Rossi",
    "Van Dijk",
    "Hanbit",
    "Atlas",
    "Pacific Rim",
    "Alpine",
    "Sol y Mar",
    "Orion",
    "Maple Leaf",
    "Kestrel",
    "Lumière",
    "Brightway",
    "Sunrise",
    "Evergreen",
)
_FORMS = (
    "GmbH",
    "Ltd",
    "LLC",
    "Inc.",
    "S.A.",
    "S.r.l.",
    "B.V.",
    "Co., Ltd.",
    "SARL",
    "Pty Ltd",
    "AG",
    "S.L.",
    "Trading GmbH",
    "Import Export Ltd",
)
_JP_COMPANY = ("株式会社サクラ商事", "山田産業株式会社", "有限会社ミドリ", "주식회사 한빛")
_FIRST = ("John", "Maria", "Hans", "Yuki", "Pierre", "Giulia", "Jan", "Minho", "Olivia", "Carlos", "Emma", "Lukas")
_LAST = ("Smith", "Müller", "Tanaka", "Dubois", "Rossi", "de Vries", "Kim", "Brown", "García", "Schmidt", "Novak")
_ONE_WORD = ("Zalora", "Brightmart", "Kaufhaus", "Tokomall", "Shopline")
EVIDENCE = ("order", "company", "logistics", "amount", "channel")


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """File rows (the import's field names) and the truth: which 0110 declarations are disguised B2B."""

    rows: list[dict[str, Any]]
    truth: dict[str, bool]  # 0110 declaration number → disguised B2B
    declared: int  # 9710/9810 rows


def _company(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(_JP_COMPANY)
    return f"{rng.choice(_STEMS)} {rng.choice(_FORMS)}"


def _person(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(_ONE_WORD)
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _row(rng: random.Random, number: str, mode: str, items: set[str]) -> dict[str, Any]:
    declared_on = START + timedelta(days=rng.randrange(DAYS))
    currency = rng.choice(("USD", "USD", "USD", "EUR", "CNY"))
    amount = Decimal(rng.randrange(50_000, 5_000_000)) / 100
    country = rng.choice(COUNTRIES)
    row: dict[str, Any] = {
        "declaration_no": number,
        "declared_on": declared_on.isoformat(),
        "trade_mode": mode,
        "exporter_code": f"91460100MA5T{rng.randrange(100000, 999999)}",
        "consignee_name": _company(rng) if "company" in items else _person(rng),
        "consignee_country": country,
        "trade_terms": rng.choice(("FOB", "CIF", "EXW", "DAP")),
        "currency": currency,
        "amount": format(amount, "f"),
        "hs_codes": ";".join(
            f"{rng.randrange(1, 97):02d}{rng.randrange(0, 999999):06d}" for _ in range(rng.randint(1, 3))
        ),
    }
    if "order" in items:
        row["platform_code"] = FILED_PLATFORM
        row["order_no"] = f"ORD{number[-10:]}"
    elif "order_unfiled" in items:
        row["platform_code"] = UNFILED_PLATFORM
        row["order_no"] = f"ORD{number[-10:]}"
    if "logistics" in items or "logistics_broken" in items:
        late = "logistics_broken" in items and rng.random() < 0.5
        wrong = "logistics_broken" in items and not late
        row["waybill_no"] = f"WB{number[-12:]}"
        row["carrier"] = rng.choice(("DHL", "FedEx", "UPS", "COSCO", "Maersk"))
        row["departed_on"] = (
            declared_on + timedelta(days=rng.randint(20, 40) if late else rng.randint(0, 7))
        ).isoformat()
        other = [c for c in COUNTRIES if c != country]
        row["destination_country"] = rng.choice(other) if wrong else country
    if "amount" in items or "amount_broken" in items or "channel" in items:
        received = amount * (Decimal(1) + Decimal(rng.randint(-200, 200)) / 10000)
        if "amount_broken" in items or ("channel" in items and "amount" not in items):
            received = amount * Decimal(rng.choice(("0.30", "0.50", "0.70", "1.40")))
        paid_in = currency
        if "amount" in items and currency != "CNY" and rng.random() < 0.2:
            paid_in = "USD" if currency == "EUR" else "EUR"
            received = received * CURRENCIES[currency] / CURRENCIES[paid_in]
        row["received_amount"] = format(received.quantize(Decimal("0.01")), "f")
        row["received_currency"] = paid_in
        row["received_on"] = (declared_on + timedelta(days=rng.randint(-10, 30))).isoformat()
        row["payment_channel"] = rng.choice(CHANNELS) if "channel" in items else "BANK-TT"
    return row


def generate(
    n: int,
    seed: int,
    *,
    b2b_share: float = 0.10,
    miss_rate: float = 0.15,
    spurious_rate: float = 0.15,
    double_rate: float = 0.01,
    declared_share: float = 0.05,
) -> LabelledSet:
    """Return ``n`` labelled 0110 declarations and ``declared_share × n`` 9710/9810 ones, the same for a seed."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    truth: dict[str, bool] = {}
    for i in range(n):
        number = f"46012026{i:010d}"
        if rng.random() < b2b_share:
            items = set(EVIDENCE)
            if rng.random() < miss_rate:
                missing = rng.choice(EVIDENCE)
                items.discard(missing)
                broken = {"order": "order_unfiled", "logistics": "logistics_broken", "amount": "amount_broken"}
                if missing in broken and rng.random() < 0.5:
                    items.add(broken[missing])
            truth[number] = True
        else:
            items = set()
            draw = rng.random()
            if draw < double_rate:
                items.update(rng.sample(EVIDENCE, 2))
            elif draw < double_rate + spurious_rate:
                items.add(rng.choice(EVIDENCE))
            truth[number] = False
        rows.append(_row(rng, number, "0110", items))
    declared = int(n * declared_share)
    for j in range(declared):
        rows.append(_row(rng, f"46019710{j:010d}", rng.choice(("9710", "9810")), set(EVIDENCE)))
    return LabelledSet(rows, truth, declared)


def quality(truth: dict[str, bool], classes: dict[str, str]) -> dict[str, Any]:
    """Precision and recall of ``identified`` over the labelled 0110 set, and the undecided share (exact fractions)."""
    tp = sum(1 for k, b2b in truth.items() if b2b and classes[k] == "identified")
    fp = sum(1 for k, b2b in truth.items() if not b2b and classes[k] == "identified")
    fn = sum(1 for k, b2b in truth.items() if b2b and classes[k] != "identified")
    undecided = sum(1 for k in truth if classes[k] == "undecided")
    return {
        "true_positive": tp,
        "false_positive": fp,
        "false_negative": fn,
        "undecided": undecided,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "undecided_share": undecided / len(truth) if truth else 0.0,
    }
