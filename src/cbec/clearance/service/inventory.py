"""Import inventory clearance (清单核放): intake, partner matching, tax and quota, decision, release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cbec.clearance.codes import INVENTORY_OPEN, DocumentState, ReturnStatus
from cbec.clearance.decision import Decision, DecisionPolicy, InventoryFacts, Outcome
from cbec.clearance.models import InventoryRecord, TaxBillRecord
from cbec.clearance.rules import (
    TRADE_DIRECT,
    check_inventory,
    match_inventory_order,
    match_inventory_waybill,
    match_order_payment,
    match_order_waybill,
    problem,
)
from cbec.clearance.service import facts as trade_facts
from cbec.clearance.service.processor import Processor
from cbec.clearance.service.store import order_lock, waybill_lock
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.money import to_fen
from cbec.intake import new_guid, numbers
from cbec.messages.documents import (
    AppStatus,
    AppType,
    ImportOrder,
    Inventory,
    InventoryLine,
    MessageType,
    Payment,
    Waybill,
)
from cbec.products import ProductRef, find_product
from cbec.quota.book import QuantityClaim
from cbec.reference import GoodsRule, lookup_goods, tax_parameters
from cbec.tax.rules import TaxLineInput, TaxParameters, TaxPath, assess_import


@dataclass(frozen=True, slots=True)
class Partners:
    """The order, payment and waybill an inventory is matched with."""

    order: ImportOrder
    payment: Payment
    waybill: Waybill


class InventoryProcessor(Processor):
    """Adds inventory handling to the message processor."""

    def policy(self) -> DecisionPolicy:
        """Return the decision policy configured for this zone."""
        settings = self.ctx.settings
        import random

        rng = random.Random(settings.random_seed) if settings.random_seed is not None else random.Random()
        return DecisionPolicy(
            inspection_rate=settings.random_inspection_rate,
            review_rate=settings.random_review_rate,
            review_value_at_or_above=settings.review_value_at_or_above,
            rng=rng,
        )

    def inventory_keys(self, inventory: InventoryRecord) -> dict[str, str | None]:
        """Return the key fields of a CEB622 receipt."""
        return {
            "customs_code": inventory.customs_code,
            "platform_code": inventory.platform_code,
            "ecommerce_code": inventory.ecommerce_code,
            "agent_code": inventory.agent_code,
            "enterprise_ref_no": inventory.enterprise_ref_no or inventory.eport_no,
            "eport_no": inventory.eport_no,
            "inventory_no": inventory.inventory_no,
        }

    def set_status(
        self,
        inventory: InventoryRecord,
        status: ReturnStatus,
        info: str,
        *,
        problems: list[Problem] | None = None,
        actor: str = "platform",
        reason: str | None = None,
    ) -> None:
        """Move an inventory to a status, with receipt and audit record."""
        before = {"status": inventory.status}
        inventory.status, inventory.status_info, inventory.updated_at = status, info, self.now
        if problems is not None:
            inventory.problems = [p.as_dict() for p in problems]
        trade_facts.record_moved(self, inventory)
        self.issue(
            "inventory",
            inventory.id,
            MessageType.INVENTORY_RECEIPT,
            inventory.guid,
            status,
            info,
            **self.inventory_keys(inventory),
        )
        self.audit(
            f"clearance.inventory.{status_action(status)}",
            "inventory",
            inventory.eport_no,
            before,
            {"status": str(status)},
            reason,
            actor,
        )

    # --- intake -----------------------------------------------------------------------------------

    def handle_inventory(self, inventory: Inventory) -> None:
        """Accept, change or delete an inventory, then try to match it."""
        self.store.lock(
            [
                order_lock(inventory.platform_code, inventory.order_no),
                waybill_lock(inventory.logistics_code, inventory.logistics_no),
            ]
        )
        key = f"{inventory.ecommerce_code}/{inventory.order_no}"
        keys: dict[str, str | None] = {
            "customs_code": inventory.customs_code,
            "platform_code": inventory.platform_code,
            "ecommerce_code": inventory.ecommerce_code,
            "agent_code": inventory.agent_code,
            "enterprise_ref_no": inventory.enterprise_ref_no or inventory.order_no[:20],
            "eport_no": inventory.eport_no,
            "inventory_no": inventory.inventory_no,
        }
        resent = self.store.inventory_by_guid(inventory.declaration.guid)
        if resent is not None:
            self.record("inventory", key, resent.status, note="resubmission: already processed")
            return
        existing = self.store.live_inventory_for_order(inventory.platform_code, inventory.order_no)
        problems = self.inventory_change_problems(inventory, existing)
        if not problems and inventory.declaration.app_type != AppType.DELETE:
            problems += check_inventory(inventory, signed=self.signed)
            problems += self.identity_problems("inventory.buyer_id_number", inventory.buyer_id_number)
            problems += self.party_problems(
                [
                    ("inventory.platform_code", inventory.platform_code, "ecommerce_platform"),
                    ("inventory.ecommerce_code", inventory.ecommerce_code, "ecommerce_enterprise"),
                    ("inventory.logistics_code", inventory.logistics_code, "logistics_company"),
                    ("inventory.agent_code", inventory.agent_code, None),
                    ("inventory.guarantor_code", inventory.guarantor_code, None),
                ]
            )
        if problems:
            # The E-port numbers every declaration it receives, refused or not (CEB622 preNo is mandatory).
            keys["eport_no"] = existing.eport_no if existing is not None else self.eport_number()
            keys["inventory_no"] = existing.inventory_no if existing is not None else None
            self.refuse_document(
                "inventory", None, MessageType.INVENTORY_RECEIPT, inventory.declaration.guid, key, problems, keys
            )
            return
        if inventory.declaration.app_type == AppType.DELETE:
            assert existing is not None
            existing.state = DocumentState.DELETED
            self.set_status(existing, ReturnStatus.CONCLUDED, "清单已删除 / inventory deleted")
            self.record("inventory", key, ReturnStatus.CONCLUDED, note="deleted")
            return
        row = existing if existing is not None else InventoryRecord(received_at=self.now)
        if existing is None:
            row.eport_no = self.eport_number()
            self.quota.fresh(row.eport_no)  # a new E-port number holds no quota yet: no look-up needed
        row.guid, row.app_status = inventory.declaration.guid, inventory.declaration.app_status
        row.state = (
            DocumentState.ACCEPTED if inventory.declaration.app_status == AppStatus.DECLARED else DocumentState.DRAFT
        )
        row.platform_code, row.ecommerce_code, row.order_no = (
            inventory.platform_code,
            inventory.ecommerce_code,
            inventory.order_no,
        )
        row.logistics_code, row.logistics_no = inventory.logistics_code, inventory.logistics_no
        row.agent_code, row.customs_code, row.trade_mode = (
            inventory.agent_code,
            inventory.customs_code,
            inventory.trade_mode,
        )
        row.enterprise_ref_no, row.bill_no = inventory.enterprise_ref_no, inventory.bill_no
        row.buyer_key = self.ctx.cipher.blind_index(inventory.buyer_id_number)
        row.payload, row.message_id = self.seal(inventory), self.message_id
        row.declared_at, row.updated_at, row.problems, row.waiting_for = self.now, self.now, None, None
        row.status, row.status_info = "", ""
        self.stored(row)
        self.store.register_inventory(row, new=existing is None)
        trade_facts.record_stored(self, row, inventory, replaces=existing is not None)
        if row.state == DocumentState.DRAFT:
            self.set_status(row, ReturnStatus.DRAFT, self.text(ReturnStatus.DRAFT))
            self.record("inventory", key, ReturnStatus.DRAFT)
            return
        self.set_status(row, ReturnStatus.DECLARING, self.text(ReturnStatus.DECLARING, "清单新增申报成功"))
        self.advance(row)
        stored: list[dict[str, str | None]] = list(row.problems or [])
        self.record("inventory", key, row.status, [Problem(**e) for e in stored], row.waiting_for or "")  # type: ignore[arg-type]

    def inventory_change_problems(self, inventory: Inventory, existing: InventoryRecord | None) -> list[Problem]:
        """R11/R12 for inventories: one live inventory per order; changes only before a customs decision."""
        app_type = inventory.declaration.app_type
        if app_type == AppType.NEW and existing is not None:
            return [
                problem(
                    "R11",
                    "inventory.order_no",
                    "该订单的清单已申报过",
                    "an inventory of this order exists",
                    "Send appType 2 to change it, or cancel it first (CEB623).",
                    "-621004",
                )
            ]
        if app_type != AppType.NEW:
            foreign = self.original_problems(existing)
            if foreign:
                return foreign
            if existing is None:
                return [
                    problem(
                        "R12",
                        "inventory.app_type",
                        "变更或删除的清单不存在",
                        "no inventory to change",
                        "Send appType 1 first.",
                        "-621011",
                    )
                ]
            if existing.status not in INVENTORY_OPEN:
                return [
                    problem(
                        "R12",
                        "inventory.app_type",
                        "清单已进入海关审核，不能变更或删除",
                        "the inventory is past the point where it may change",
                        "Cancel the inventory with CEB623 and declare it again.",
                        "-621012",
                    )
                ]
        return []

    def eport_number(self) -> str:
        """Assign an E-port number: B + yyyymmdd + 9-digit serial (18 characters)."""
        return numbers.eport_number(self.session, self.now)

    def inventory_number(self, inventory: InventoryRecord) -> str:
        """Assign a customs inventory number: district + year + I + 9-digit serial (18 characters)."""
        code = inventory.customs_code
        return numbers.customs_number(self.session, self.now, code, "I", f"invt:{code}")

    # --- matching ---------------------------------------------------------------------------------

    def advance_waiting(self, inventories: list[InventoryRecord]) -> None:
        """Advance inventories that waited for a partner document."""
        for inventory in inventories:
            self.advance(inventory)

    def partners(self, inventory: InventoryRecord) -> tuple[Partners | None, list[str]]:
        """Return the inventory's accepted partners, or the list of those still missing."""
        order_row = self.store.order(inventory.platform_code, inventory.order_no)
        payment_row = self.store.payment_for_order(inventory.platform_code, inventory.order_no)
        waybill_row = self.store.waybill(inventory.logistics_code, inventory.logistics_no)
        missing = [
            name
            for name, row in (("order", order_row), ("payment", payment_row), ("waybill", waybill_row))
            if row is None or row.state != DocumentState.ACCEPTED
        ]
        if missing:
            return None, missing
        assert order_row is not None and payment_row is not None and waybill_row is not None
        return Partners(
            self.open(MessageType.ORDER, order_row.payload),
            self.open(MessageType.PAYMENT, payment_row.payload),
            self.open(MessageType.WAYBILL, waybill_row.payload),
        ), []

    def advance(self, inventory: InventoryRecord) -> None:
        """Move an inventory as far as its partners allow: match, tax, quota, then decide."""
        # Its partners, its arrival and its buyer's quota are read under its own keys (see WorkingSet.require).
        self.store.require(
            [
                order_lock(inventory.platform_code, inventory.order_no),
                waybill_lock(inventory.logistics_code, inventory.logistics_no),
                f"buyer:{inventory.buyer_key}",
            ]
        )
        if inventory.status == ReturnStatus.DECLARING:
            partners, missing = self.partners(inventory)
            if partners is None:
                inventory.waiting_for = ",".join(missing)
                return
            declared: Inventory = self.open(MessageType.INVENTORY, inventory.payload)
            problems = self.match(declared, partners)
            if not problems:
                problems = self.assess(inventory, declared)
            if problems:
                self.refuse_inventory(inventory, problems)
                return
            trade_facts.stage_partners(self, inventory, partners.order, partners.payment)
            inventory.inventory_no = self.inventory_number(inventory)
            inventory.waiting_for = None
            self.set_status(inventory, ReturnStatus.ACCEPTED, self.text(ReturnStatus.ACCEPTED))
        if inventory.status == ReturnStatus.ACCEPTED:
            if (
                inventory.trade_mode == TRADE_DIRECT
                and self.store.arrival_parcel(inventory.logistics_code, inventory.logistics_no) is None
            ):
                inventory.waiting_for = "arrival"
                return
            inventory.waiting_for = None
            self.decide(inventory)

    def match(self, inventory: Inventory, partners: Partners) -> list[Problem]:
        """Run the cross-document checks M2-M10."""
        certified = partners.order.platform_code in self.ctx.settings.identity_certified_platforms
        return [
            *match_order_payment(partners.order, partners.payment, buyer_certified=certified),
            *match_order_waybill(partners.order, partners.waybill),
            *match_inventory_order(inventory, partners.order),
            *match_inventory_waybill(inventory, partners.waybill),
        ]

    def goods(self, hs_code: str, on: date) -> GoodsRule | None:
        """Return the positive-list and tariff rule of an HS code, looked up once per message."""
        key = ("goods", hs_code, on)
        if key not in self._memo:
            self._memo[key] = lookup_goods(self.session, hs_code, on)
        goods: GoodsRule | None = self._memo[key]
        return goods

    def tax_parameters(self, on: date) -> dict[str, Decimal]:
        """Return the tax parameters in force on a date, looked up once per message."""
        key = ("tax_parameters", on)
        if key not in self._memo:
            self._memo[key] = tax_parameters(self.session, on)
        params: dict[str, Decimal] = self._memo[key]
        return params

    def product(self, owner_code: str, item_no: str) -> ProductRef | None:
        """Return a filed product, looked up once per message."""
        key = ("product", owner_code, item_no)
        if key not in self._memo:
            self._memo[key] = find_product(self.session, owner_code, item_no)
        product: ProductRef | None = self._memo[key]
        return product

    def assess(self, row: InventoryRecord, inventory: Inventory) -> list[Problem]:
        """Check goods against the positive list, compute the tax and reserve the buyer's quota (M11)."""
        on = business_date(self.now)
        problems: list[Problem] = []
        lines: list[TaxLineInput] = []
        caps: dict[str, tuple[Decimal, Decimal, str]] = {}  # hs8 -> (total legal quantity, cap, unit)
        for line in inventory.lines:
            goods = self.goods(line.hs_code, on)
            field_name = f"inventory.lines[{line.line_no}].hs_code"
            if goods is None:
                problems.append(
                    problem(
                        "G1",
                        field_name,
                        f"商品编码 {line.hs_code} 未知",
                        f"HS code {line.hs_code} is unknown",
                        "Declare the 10-digit HS code of the goods.",
                        "-625010",
                    )
                )
                continue
            if goods.bonded_only and inventory.trade_mode == TRADE_DIRECT:
                problems.append(
                    problem(
                        "G2",
                        field_name,
                        f"{goods.description_zh} 仅限网购保税进口",
                        "these goods may only be imported bonded (1210)",
                        "Import these goods through a bonded warehouse under 1210.",
                    )
                )
            if goods.qty_cap is not None and goods.qty_cap_unit:
                hs8 = line.hs_code[:8]
                earlier = caps.get(hs8, (Decimal(0), goods.qty_cap, goods.qty_cap_unit))[0]
                caps[hs8] = (earlier + line.legal_quantity, goods.qty_cap, goods.qty_cap_unit)
            content, threshold = self.content_and_threshold(inventory, line, goods)
            lines.append(
                TaxLineInput(
                    line_no=line.line_no,
                    hs_code=line.hs_code,
                    goods_value=line.total_price,
                    quantity=line.quantity,
                    duty_rate=goods.duty_rate,
                    vat_rate=goods.vat_rate,
                    ct_kind=goods.ct_kind,
                    ct_rate=goods.ct_rate,
                    ct_threshold=threshold,
                    net_content=content,
                    on_positive_list=goods.on_positive_list,
                )
            )
        if problems:
            return problems
        params = self.tax_parameters(on)
        tax_params = TaxParameters(
            single_limit=params["single_limit"],
            annual_limit=params["annual_limit"],
            vat_ct_factor=params["vat_ct_factor"],
            duty_rate_within_limit=params["duty_rate_within_limit"],
            rounding_variant=self.ctx.settings.tax_rounding_variant,
        )
        year = on.year
        spent = self.quota.used(row.buyer_key)
        result = assess_import(
            lines, freight=inventory.freight, insurance=inventory.insured_fee, used_quota=spent, params=tax_params
        )
        errors = [p for p in result.problems if p.severity == "error"]
        if errors or result.path == TaxPath.REFUSED:
            return errors or [
                problem(
                    "M11",
                    "inventory",
                    "不符合跨境电商零售进口条件",
                    "outside the retail-import regime",
                    "Import by general trade.",
                )
            ]
        problems = self.reserve_quotas(row, inventory, result.quota_amount, tax_params.annual_limit, caps)
        if problems:
            return problems
        row.tax_path, row.dutiable_value, row.quota_year = str(result.path), result.dutiable_value, year
        row.customs_duty, row.vat = result.totals.customs_duty, result.totals.vat
        row.consumption_tax = result.totals.consumption_tax
        row.tax_lines = [
            {
                "line_no": t.line_no,
                "hs_code": t.hs_code,
                "dutiable_value": str(t.dutiable_value),
                "customs_duty": str(t.customs_duty),
                "vat": str(t.vat),
                "consumption_tax": str(t.consumption_tax),
            }
            for t in result.lines
        ]
        return []

    def reserve_quotas(
        self,
        row: InventoryRecord,
        inventory: Inventory,
        amount: Decimal,
        annual_limit: Decimal,
        caps: dict[str, tuple[Decimal, Decimal, str]],
    ) -> list[Problem]:
        """Reserve the annual value quota and every per-person quantity cap together, or none of them."""
        return self.quota.reserve(
            buyer_key=row.buyer_key,
            name_key=self.ctx.cipher.blind_index(inventory.buyer_name),
            amount=amount,
            annual_limit=annual_limit,
            caps={hs8: QuantityClaim(quantity, cap, unit) for hs8, (quantity, cap, unit) in caps.items()},
            inventory_ref=row.eport_no,
            order_no=inventory.order_no,
            platform_name=inventory.platform_name,
            declared_at=self.now,
            at=self.now,
        )

    def content_and_threshold(
        self, inventory: Inventory, line: InventoryLine, goods: GoodsRule
    ) -> tuple[Decimal | None, Decimal | None]:
        """Return a line's net content and the consumption-tax threshold per unit of that content.

        The filed product's net content is preferred (its unit is the one the threshold is compared in);
        otherwise the declared legal quantity is used when its unit can be compared with the threshold.
        With neither, the content is unknown and the tax applies (conservative).
        """
        if goods.ct_threshold is None:
            return None, None
        if line.item_no:
            product = self.product(inventory.ecommerce_code, line.item_no)
            if product is not None and product.net_content is not None and product.net_content_unit:
                try:
                    threshold = goods.ct_threshold_in(product.net_content_unit)
                except ValueError:
                    threshold = None
                if threshold is not None:
                    return product.net_content * line.quantity, threshold
        try:
            return line.legal_quantity, goods.ct_threshold_in(line.legal_unit)
        except ValueError:
            return None, goods.ct_threshold

    # --- decision and outcomes ----------------------------------------------------------------------

    def decide(self, inventory: InventoryRecord) -> None:
        """Send an accepted inventory to release, manual review or inspection."""
        declared: Inventory = self.open(MessageType.INVENTORY, inventory.payload)
        facts = InventoryFacts(
            inventory_id=inventory.id,
            trade_mode=inventory.trade_mode,
            ecommerce_code=inventory.ecommerce_code,
            platform_code=inventory.platform_code,
            dutiable_value=inventory.dutiable_value or Decimal(0),
            hs_codes=tuple(line.hs_code for line in declared.lines),
            buyer_key=inventory.buyer_key,
        )
        decision: Decision = self.policy().decide(facts, self.measures_on(inventory))
        reasons = "; ".join(decision.reasons)
        if decision.outcome == Outcome.REVIEW:
            self.set_status(
                inventory, ReturnStatus.MANUAL_REVIEW, self.text(ReturnStatus.MANUAL_REVIEW, reasons), reason=reasons
            )
        elif decision.outcome == Outcome.INSPECT:
            self.set_status(
                inventory, ReturnStatus.INSPECTION, self.text(ReturnStatus.INSPECTION, reasons), reason=reasons
            )
        else:
            self.release(inventory)

    def release(self, inventory: InventoryRecord, *, actor: str = "platform", reason: str | None = None) -> None:
        """Conclude and release an inventory and issue its electronic tax bill (CEB816)."""
        self.set_status(
            inventory, ReturnStatus.CONCLUDED, self.text(ReturnStatus.CONCLUDED), actor=actor, reason=reason
        )
        inventory.released_at = self.now
        self.set_status(inventory, ReturnStatus.RELEASED, self.text(ReturnStatus.RELEASED), actor=actor, reason=reason)
        self.issue_tax_bill(inventory)
        self.released_inventory_ids.append(inventory.id)

    def issue_tax_bill(self, inventory: InventoryRecord, *, lines: list[dict[str, str]] | None = None) -> TaxBillRecord:
        """Store an electronic tax bill for the inventory's current taxes."""
        lines = lines if lines is not None else list(inventory.tax_lines or [])
        previous = self.store.tax_bill_for(inventory.id)
        sequence = 1 if previous is None else int(previous.tax_no[-2:]) + 1
        bill = TaxBillRecord(
            inventory_id=inventory.id,
            tax_no=f"{inventory.inventory_no}{sequence:02d}",
            guid=new_guid(),
            status="1",
            customs_duty=to_fen(sum((Decimal(x["customs_duty"]) for x in lines), Decimal(0))),
            vat=to_fen(sum((Decimal(x["vat"]) for x in lines), Decimal(0))),
            consumption_tax=to_fen(sum((Decimal(x["consumption_tax"]) for x in lines), Decimal(0))),
            lines=lines,
            returned_at=self.now,
        )
        self.session.add(bill)
        self.store.register_bill(bill)
        self.tax_bills.append(bill)
        self.publish_tax_bill(bill, inventory)
        return bill

    def refuse_inventory(
        self, inventory: InventoryRecord, problems: list[Problem], *, actor: str = "platform", reason: str | None = None
    ) -> None:
        """Refuse an inventory (退单) with every problem explained."""
        inventory.waiting_for = None
        status = ReturnStatus.REFUSED
        self.set_status(inventory, status, self.refusal_text(problems), problems=problems, actor=actor, reason=reason)


def status_action(status: str) -> str:
    """Return the audit action name of a status change."""
    return {
        "1": "drafted",
        "2": "declared",
        "120": "accepted",
        "300": "held_for_review",
        "399": "concluded",
        "500": "held_for_inspection",
        "800": "released",
        "899": "closed",
        "100": "refused",
    }.get(status, "changed")
