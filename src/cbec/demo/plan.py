"""A day of orders for the demo (演示订单计划): who buys what, how, and which orders are wrong on purpose.

Pure planning from a seed: no I/O, no clock. Every faulty order carries the rule it is EXPECTED to trip,
so the demo can check the platform against its own labels.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from cbec.common.errors import InvalidInput
from cbec.demo.builders import Buyer
from cbec.demo.zone import EVERYDAY, PRODUCT, SHOPS

SINGLE_LIMIT = Decimal("5000")  # 财关税〔2018〕49号; the demo only plans around it, the rules enforce it
ANNUAL_LIMIT = Decimal("26000")
SUGAR_CAP_KG = Decimal("2")  # positive-list remark 每人每年限购2千克
BILL_SIZE = 50  # parcels per master air waybill of a direct-purchase flight


class NotEnoughBuyers(InvalidInput):
    """The plan needs more buyers than were made."""


class Fault(StrEnum):
    """A realistic way an order goes wrong, named after what the sender did."""

    PAYMENT_AMOUNT = "payment_amount"
    PAYER_NOT_BUYER = "payer_not_buyer"
    CONSIGNEE_PHONE = "consignee_phone"
    LINE_NAME = "line_name"
    OVER_SINGLE_LIMIT = "over_single_limit"
    OVER_ANNUAL_LIMIT = "over_annual_limit"
    NOT_ON_LIST = "not_on_list"
    BONDED_ONLY_DIRECT = "bonded_only_direct"
    ID_CHECKSUM = "id_checksum"
    UNSIGNED = "unsigned"
    DUPLICATE_ORDER = "duplicate_order"
    SUGAR_OVER_CAP = "sugar_over_cap"
    NO_PAYMENT = "no_payment"
    HIGH_VALUE = "high_value"


class Outcome(StrEnum):
    """Where an order should end up."""

    RELEASED = "released"  # 800
    HELD = "held"  # 300 manual review / 500 inspection
    REFUSED = "refused"  # 100 or a negative code
    WAITING = "waiting"  # 2, a partner document missing
    CANCELLED = "cancelled"  # CEB623 accepted
    RETURNED = "returned"  # released, then partly returned (CEB625)


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a fault should cause: the outcome, the rule id, on which document, and how to fix it."""

    outcome: Outcome
    rule_id: str
    description: str
    hint: str
    subject: str = "inventory"  # the document whose receipt shows the outcome


EXPECTED: dict[Fault, Expectation] = {
    Fault.PAYMENT_AMOUNT: Expectation(
        Outcome.REFUSED,
        "CEB-M3",
        "payment amount differs from the order's actual paid",
        "Send amountPaid equal to the order's acturalPaid.",
    ),
    Fault.PAYER_NOT_BUYER: Expectation(
        Outcome.REFUSED,
        "CEB-M4",
        "a relative paid instead of the buyer (1327)",
        "The buyer pays personally unless the platform certified the buyer's identity.",
    ),
    Fault.CONSIGNEE_PHONE: Expectation(
        Outcome.REFUSED,
        "CEB-M5",
        "the waybill carries another consignee phone",
        "Copy consignee, phone and address from the order to the waybill.",
    ),
    Fault.LINE_NAME: Expectation(
        Outcome.REFUSED,
        "CEB-M9",
        "an inventory line names the goods differently from the order (1322)",
        "Declare gname exactly as the order's itemName, line by line.",
    ),
    Fault.OVER_SINGLE_LIMIT: Expectation(
        Outcome.REFUSED,
        "TAX-SINGLE-LIMIT",
        "several items worth more than 5 000 in one order (-621005)",
        "Keep a multi-item order within 5 000 or import it by general trade.",
    ),
    Fault.OVER_ANNUAL_LIMIT: Expectation(
        Outcome.REFUSED,
        "TAX-ANNUAL-LIMIT",
        "the buyer's 26 000 annual quota is used up (1313)",
        "The buyer cannot use the retail-import channel again this year.",
    ),
    Fault.NOT_ON_LIST: Expectation(
        Outcome.REFUSED,
        "TAX-NOT-ON-LIST",
        "gold jewellery is not on the positive list",
        "Only goods on the 跨境电子商务零售进口商品清单 may be declared.",
    ),
    Fault.BONDED_ONLY_DIRECT: Expectation(
        Outcome.REFUSED,
        "CEB-G2",
        "fresh fruit shipped by direct purchase (9610) though it is bonded-only",
        "Import fresh fruit through the bonded warehouse under 1210.",
    ),
    Fault.ID_CHECKSUM: Expectation(
        Outcome.REFUSED,
        "ID-CHECKSUM",
        "the buyer's ID number was mistyped (wrong check character)",
        "Re-type the 18-character ID number from the identity card.",
    ),
    Fault.UNSIGNED: Expectation(
        Outcome.REFUSED,
        "CEB-R10",
        "the declaring agent sent the inventory without a signature (-621029)",
        "Sign declared inventories with the agent's certificate.",
    ),
    Fault.DUPLICATE_ORDER: Expectation(
        Outcome.REFUSED,
        "CEB-R11",
        "the platform reused an order number for another buyer (-301010)",
        "Give every new order its own number; change an order with appType 2.",
        subject="order",
    ),
    Fault.SUGAR_OVER_CAP: Expectation(
        Outcome.REFUSED,
        "QUOTA-QUANTITY-CAP",
        "3 kg of sugar, over the 2 kg a person may buy a year",
        "Sell at most 2 kg of sugar per person per year.",
    ),
    Fault.NO_PAYMENT: Expectation(
        Outcome.WAITING,
        "WAITING-PAYMENT",
        "the payment company never sent the payment voucher",
        "Ask the payment company to send CEB411; the inventory waits at status 2.",
    ),
    Fault.HIGH_VALUE: Expectation(
        Outcome.HELD,
        "REVIEW-VALUE",
        "a single luxury watch above the zone's review threshold",
        "An officer releases or refuses it: cbec clearance decide INVT_NO --action release --comment ...",
    ),
}


class Scenario(StrEnum):
    """What happens to a valid order after clearance."""

    QUOTA_FILLER = "quota_filler"  # uses up a buyer's quota before an over-annual-limit order
    CANCEL_BEFORE_ARRIVAL = "cancel_before_arrival"  # 撤单 while the parcel is still abroad
    CANCEL_AFTER_RELEASE = "cancel_after_release"
    PARTIAL_RETURN = "partial_return"  # one unit of the first line comes back
    INVENTORY_FIRST = "inventory_first"  # the inventory arrives before its order, payment and waybill


@dataclass(slots=True)
class PlannedOrder:
    """One purchase of the day and how it is sent."""

    index: int
    order_no: str
    logistics_no: str
    shop: str
    trade_mode: str
    buyer: Buyer
    items: list[tuple[str, Decimal]]
    freight: Decimal
    fault: Fault | None = None
    scenario: Scenario | None = None
    bill_no: str | None = None
    payer: Buyer | None = None  # PAYER_NOT_BUYER
    other_phone: str | None = None  # CONSIGNEE_PHONE
    late: bool = False  # inventory (or duplicate order) sent after everything else

    @property
    def bonded(self) -> bool:
        """Tell whether the goods leave a bonded warehouse (1210)."""
        return self.trade_mode != "9610"

    @property
    def goods_value(self) -> Decimal:
        """Return the order's goods value (Σ price × quantity)."""
        return sum((PRODUCT[key].goods.unit_price * qty for key, qty in self.items), Decimal(0))

    @property
    def dutiable_value(self) -> Decimal:
        """Return the value the quota counts (goods + freight; the demo declares no insurance)."""
        return self.goods_value + self.freight

    @property
    def expectation(self) -> Expectation | None:
        """Return what the order's fault should cause, if it has one."""
        return EXPECTED[self.fault] if self.fault is not None else None

    @property
    def expected_outcome(self) -> Outcome:
        """Return where the order should end up."""
        if self.fault is not None:
            return EXPECTED[self.fault].outcome
        if self.scenario in (Scenario.CANCEL_BEFORE_ARRIVAL, Scenario.CANCEL_AFTER_RELEASE):
            return Outcome.CANCELLED
        if self.scenario == Scenario.PARTIAL_RETURN:
            return Outcome.RETURNED
        return Outcome.RELEASED


@dataclass(slots=True)
class DayPlan:
    """Every order of the day."""

    orders: list[PlannedOrder] = field(default_factory=list)

    def by_fault(self) -> list[PlannedOrder]:
        """Return the faulty orders in plan order."""
        return [o for o in self.orders if o.fault is not None]


def fault_counts(orders: int, *, with_review: bool) -> dict[Fault, int]:
    """Return how many orders of each fault a day of this size gets (about 10 %, each kind at least once)."""
    kinds = [f for f in Fault if with_review or f != Fault.HIGH_VALUE]
    if orders >= 2 * len(kinds) + 6:
        each = max(1, int(orders * 0.1 / len(kinds) + 0.5))
        return dict.fromkeys(kinds, each)
    return dict.fromkeys(kinds[: orders // 10], 1)


def plan_day(buyers: list[Buyer], orders: int, *, seed: int, day_tag: str, with_review: bool) -> DayPlan:
    """Plan a day of orders: mostly valid, about 10 % faulty, each fault labelled with its expected rule."""
    return _Planner(buyers, seed=seed, prefix=f"{day_tag}{seed % 1000:03d}").plan(orders, with_review=with_review)


class _Planner:
    """Draws buyers, baskets and modes from one seeded generator, keeping valid orders valid."""

    def __init__(self, buyers: list[Buyer], *, seed: int, prefix: str) -> None:
        if len(buyers) < 3:
            raise NotEnoughBuyers("the demo needs at least 3 buyers")
        self.rng = random.Random(seed)
        self.pool = list(buyers)
        self.rng.shuffle(self.pool)
        self.cursor = 0
        self.prefix = prefix
        self.quota: dict[str, Decimal] = {}
        self.sugar: dict[str, Decimal] = {}
        self.reserved: set[str] = set()  # buyers kept for the quota story
        self.day = DayPlan()

    def plan(self, orders: int, *, with_review: bool) -> DayPlan:
        """Plan the day: quota fillers, valid orders, faults, then scenarios and master bills."""
        counts = fault_counts(orders, with_review=with_review)
        quota_buyers = [self.quota_story() for _ in range(counts.get(Fault.OVER_ANNUAL_LIMIT, 0))]
        valid = max(0, orders - len(self.day.orders) - sum(counts.values()))
        for _ in range(valid):
            self.add(self.basket())
        for buyer in quota_buyers:  # 25 000 used + 1 450 > 26 000
            self.add(
                [("milk", Decimal(4)), ("diapers", Decimal(2))], buyer=buyer, fault=Fault.OVER_ANNUAL_LIMIT, late=True
            )
        for fault, count in counts.items():
            if fault != Fault.OVER_ANNUAL_LIMIT:
                for _ in range(count):
                    self.add_fault(fault)
        self.assign_scenarios()
        self.assign_bills()
        return self.day

    def buyer(self, value: Decimal = Decimal(0), sugar: Decimal = Decimal(0), *, fresh: bool = False) -> Buyer:
        """Return the next buyer whose plan stays within the annual quota and the sugar cap."""
        for _ in range(len(self.pool) * 2):
            buyer = self.pool[self.cursor % len(self.pool)]
            self.cursor += 1
            key = buyer.id_number
            used = self.quota.get(key, Decimal(0))
            if key in self.reserved or (fresh and used):
                continue
            if used + value <= ANNUAL_LIMIT - 1000 and self.sugar.get(key, Decimal(0)) + sugar <= SUGAR_CAP_KG:
                self.quota[key] = used + value
                self.sugar[key] = self.sugar.get(key, Decimal(0)) + sugar
                return buyer
        raise NotEnoughBuyers(f"{len(self.pool)} buyers are not enough for this many orders; raise --buyers")

    def faulty_buyer(self) -> Buyer:
        """Return a buyer kept for one faulty order, so a fault never spoils another order's budget."""
        try:
            buyer = self.buyer(fresh=True)
        except NotEnoughBuyers:
            buyer = self.buyer()
        self.reserved.add(buyer.id_number)
        return buyer

    def add(
        self,
        items: list[tuple[str, Decimal]],
        *,
        trade_mode: str | None = None,
        buyer: Buyer | None = None,
        fault: Fault | None = None,
        scenario: Scenario | None = None,
        late: bool = False,
        freight: Decimal | None = None,
    ) -> PlannedOrder:
        """Add one order to the day."""
        rng = self.rng
        index = len(self.day.orders) + 1
        bonded_only = any(PRODUCT[k].bonded_only for k, _ in items)
        mode = trade_mode or ("1210" if bonded_only else rng.choice(("9610", "1210")))
        if freight is None:
            freight = Decimal(rng.choice((8, 10, 12, 15, 20, 25) if mode == "9610" else (0, 0, 6, 8)))
        if buyer is None and fault is not None:
            buyer = self.faulty_buyer()
        elif buyer is None:
            sugar = sum((q for k, q in items if k == "sugar"), Decimal(0))
            value = sum((PRODUCT[k].goods.unit_price * q for k, q in items), Decimal(0)) + freight
            buyer = self.buyer(value, sugar)
        order = PlannedOrder(
            index=index,
            order_no=f"DO{self.prefix}{index:06d}",
            logistics_no=f"JY{self.prefix}{index:07d}",
            shop=rng.choice(SHOPS),
            trade_mode=mode,
            buyer=buyer,
            items=items,
            freight=freight,
            fault=fault,
            scenario=scenario,
            late=late,
        )
        self.day.orders.append(order)
        return order

    def basket(self, limit: Decimal = Decimal("4800")) -> list[tuple[str, Decimal]]:
        """Return 1 to 3 everyday products (sometimes a bag of sugar) worth at most the limit."""
        rng = self.rng
        while True:
            keys = rng.sample(EVERYDAY, rng.choice((1, 1, 1, 2, 2, 3)))
            items = [(k, Decimal(rng.choice((1, 1, 1, 2, 2, 3)))) for k in keys]
            if rng.random() < 0.04:
                items.append(("sugar", Decimal(1)))
            if sum((PRODUCT[k].goods.unit_price * q for k, q in items), Decimal(0)) <= limit:
                return items

    def quota_story(self) -> Buyer:
        """Plan five 5 000.00 watch orders that use 25 000 of one buyer's quota; return the buyer."""
        buyer = self.buyer(fresh=True)
        self.reserved.add(buyer.id_number)
        for _ in range(5):  # 4 990 + 10 freight = 5 000.00, exactly the single limit
            self.add(
                [("watch", Decimal(1))],
                trade_mode="1210",
                buyer=buyer,
                scenario=Scenario.QUOTA_FILLER,
                freight=Decimal(10),
            )
        return buyer

    def add_fault(self, fault: Fault) -> None:
        """Add one order that goes wrong in the way the fault names."""
        if fault == Fault.OVER_SINGLE_LIMIT:
            self.add([("serum", Decimal(4)), ("milk", Decimal(8))], fault=fault)  # 2 720 + 2 384 = 5 104
        elif fault == Fault.NOT_ON_LIST:
            self.add([("jewellery", Decimal(1)), *self.basket(Decimal(1500))[:1]], fault=fault)
        elif fault == Fault.BONDED_ONLY_DIRECT:
            self.add([("kiwi", Decimal(self.rng.choice((1, 2))))], trade_mode="9610", fault=fault)
        elif fault == Fault.SUGAR_OVER_CAP:
            self.add([("sugar", Decimal(3))], fault=fault)
        elif fault == Fault.HIGH_VALUE:
            self.add([("luxury_watch", Decimal(1))], fault=fault)
        elif fault == Fault.DUPLICATE_ORDER:
            originals = [o for o in self.day.orders if o.fault is None and o.scenario is None]
            order = self.add(self.basket(), fault=fault, late=True)
            order.order_no = self.rng.choice(originals).order_no if originals else order.order_no
        elif fault == Fault.PAYER_NOT_BUYER:
            self.add(self.basket(), fault=fault).payer = self.buyer()
        elif fault == Fault.CONSIGNEE_PHONE:
            self.add(self.basket(), fault=fault).other_phone = self.buyer().phone
        else:
            self.add(self.basket(), fault=fault)

    def assign_scenarios(self) -> None:
        """Pick valid orders for cancels, a partial return and inventories sent before their orders."""
        orders = self.day.orders
        duplicated = {o.order_no for o in orders if o.fault == Fault.DUPLICATE_ORDER}
        plain = [o for o in orders if o.fault is None and o.scenario is None and o.order_no not in duplicated]
        self.rng.shuffle(plain)
        if len(plain) < 10:  # too small a day for cancels and returns: keep every order plain
            return
        direct = [o for o in plain if not o.bonded]
        bonded = [o for o in plain if o.bonded]
        for order in direct[: max(1, len(orders) // 200)]:
            order.scenario = Scenario.CANCEL_BEFORE_ARRIVAL
        if bonded:
            bonded[0].scenario = Scenario.CANCEL_AFTER_RELEASE
        returnable = [o for o in bonded[1:] if o.items[0][1] >= 2]
        for order in returnable[: max(1, len(orders) // 500)]:
            order.scenario = Scenario.PARTIAL_RETURN
        rest = [o for o in plain if o.scenario is None]
        for order in rest[: max(1, len(orders) // 10)]:
            order.scenario = Scenario.INVENTORY_FIRST

    def assign_bills(self) -> None:
        """Group direct-purchase parcels into master air waybills of up to BILL_SIZE parcels."""
        direct = [o for o in self.day.orders if not o.bonded and o.fault != Fault.DUPLICATE_ORDER]
        for position, order in enumerate(direct):
            order.bill_no = f"781-{self.prefix[-7:]}{position // BILL_SIZE + 1:03d}"
