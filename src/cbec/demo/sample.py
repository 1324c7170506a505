"""A ready sample message set for one filed enterprise (集成样例报文): what an integrator sends first.

``write_sample_set`` builds one purchase (order, payment, waybill, inventory, arrival) in which the chosen
enterprise plays every role it is filed for, keeps only the documents that enterprise may declare itself
(``cbec.messages.authority.DECLARERS``: an e-commerce enterprise its order and inventory, a payment company its
payment …), and writes each as a CEB message sent by it (BaseTransfer ``copCode``), signed with the given
identity. With ``register`` a throw-away SM2 identity is made and its certificate registered for the
enterprise (签名证书备案), so that `POST /ceb` trusts the files at once; its key is written next to them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cbec.common.clock import SHANGHAI, business_date
from cbec.common.errors import InvalidInput, Problem
from cbec.demo.builders import Goods, Parties, Party, build_arrival, build_message, build_set
from cbec.demo.people import make_buyers
from cbec.demo.zone import PRODUCT, ZONE_CUSTOMS_CODE
from cbec.enterprises.certificates import register_certificate
from cbec.enterprises.schemas import EnterpriseRead
from cbec.enterprises.service import get_enterprise, list_enterprises
from cbec.messages import Edition, ImportDocument, render_message
from cbec.messages.authority import declaring_codes
from cbec.messages.signature import sign_document
from cbec.messages.signature_signers import Signer, SoftwareSm2Signer
from cbec.messages.signature_sm2 import build_self_signed_sm2_certificate, generate_sm2_private_key
from cbec.products.service import list_products
from cbec.storage.context import Context

# Filed role (企业备案角色) -> the party it plays in a purchase.
ROLE_PARTY = {
    "ecommerce_platform": "platform",
    "ecommerce_enterprise": "ecommerce",
    "payment_company": "payment",
    "logistics_company": "logistics",
    "declaring_agent": "agent",
    "supervised_site_operator": "site_operator",
    "bonded_warehouse_operator": "site_operator",
}
PARTY_ROLES = {
    "platform": ("ecommerce_platform",),
    "ecommerce": ("ecommerce_enterprise",),
    "payment": ("payment_company",),
    "logistics": ("logistics_company",),
    "agent": ("declaring_agent",),
    "site_operator": ("supervised_site_operator", "bonded_warehouse_operator"),
}
ACTOR = "cbec sample"


class SampleRefused(InvalidInput):
    """No sample set can be made for this enterprise (not filed, not approved, nothing it may declare)."""


@dataclass(frozen=True, slots=True)
class SampleFile:
    """One written message."""

    path: Path
    message_type: str
    document: str  # kind and key, e.g. "import order 4601960001/SMP…"
    signed: bool


@dataclass(slots=True)
class SampleSet:
    """What was written for an enterprise, and the identity the files are signed with."""

    enterprise: str
    name: str
    files: list[SampleFile] = field(default_factory=list)
    certificate_serial: str | None = None  # registered by this run
    key_file: Path | None = None
    certificate_file: Path | None = None
    order_no: str = ""
    stand_ins: list[str] = field(default_factory=list)  # roles no filed enterprise holds


def _refused(rule: str, field_name: str, zh: str, en: str, hint: str) -> SampleRefused:
    return SampleRefused(en, problems=[Problem(rule, field_name, f"{zh} / {en}", hint)])


def _party(enterprise: EnterpriseRead) -> Party:
    return Party(
        code=enterprise.customs_code,
        name=enterprise.name,
        dxp_id=enterprise.dxp_id or f"DXPENT{enterprise.customs_code}"[:16],
    )


def _parties(ctx: Context, enterprise: EnterpriseRead, stand_ins: list[str]) -> Parties:
    """Put the enterprise in every role it is filed for and an approved enterprise of the zone in the others."""
    mine = {ROLE_PARTY[role] for role in enterprise.roles if role in ROLE_PARTY}
    chosen: dict[str, Party] = {}
    for slot, roles in PARTY_ROLES.items():
        if slot in mine:
            chosen[slot] = _party(enterprise)
            continue
        other = next(
            (found for role in roles for found in list_enterprises(ctx, role=role, status="approved", limit=1).items),
            None,
        )
        if other is None:
            stand_ins.append(slot)
            chosen[slot] = Party(code="0000000000", name=f"（未备案 / not filed: {slot}）")
        else:
            chosen[slot] = _party(other)
    return Parties(customs_code=ZONE_CUSTOMS_CODE, **chosen)


def _goods(ctx: Context, seller: str) -> Goods:
    """Return a product the seller filed (approved), priced as in the demo; the demo's milk powder otherwise."""
    filed = list_products(ctx, owner_code=seller, status="approved", limit=1).items
    if not filed:
        return PRODUCT["milk"].goods
    product = filed[0]
    known = {p.goods.item_no: p.goods for p in PRODUCT.values()}
    if product.item_no in known:
        return known[product.item_no]
    return Goods(
        item_no=product.item_no,
        name=product.name,
        hs_code=product.hs_code,
        unit_price=Decimal("199"),
        unit=product.transaction_unit,
        legal_unit=product.legal_unit,
        specification=product.specification,
        origin_country=product.origin_country,
        unit_gross_weight=product.unit_gross_weight,
    )


def throwaway_identity(common_name: str, *, valid_from: datetime, days: int = 365) -> tuple[SoftwareSm2Signer, int]:
    """Return a fresh SM2 signer with a self-signed certificate, and its private scalar (to write to a file)."""
    key = generate_sm2_private_key()
    valid_from = valid_from.astimezone(UTC)  # the certificate's times are written as UTC
    der = build_self_signed_sm2_certificate(
        key,
        common_name,
        serial_number=secrets.randbits(63) + 1,
        not_before=valid_from,
        not_after=valid_from + timedelta(days=days),
    )
    return SoftwareSm2Signer(key.to_bytes(32, "big"), der), key


def write_sample_set(
    ctx: Context, enterprise_code: str, out: Path, *, signer: Signer | None = None, register: bool = False
) -> SampleSet:
    """Write a signed sample message set for a filed enterprise into out (see the module's docstring)."""
    enterprise = get_enterprise(ctx, enterprise_code)
    if enterprise.status != "approved":
        raise _refused(
            "SAMPLE-ENTERPRISE",
            "enterprise",
            f"企业 {enterprise.customs_code} 备案状态为 {enterprise.status}，不能申报",
            f"enterprise {enterprise.customs_code} is {enterprise.status}, not approved: it may not declare",
            "Have the zone office approve the filing first: cbec enterprises approve CODE --reason … --actor …",
        )
    now = ctx.clock.now()
    result = SampleSet(enterprise=enterprise.customs_code, name=enterprise.name)
    parties = _parties(ctx, enterprise, result.stand_ins)
    stamp = now.astimezone(SHANGHAI).strftime("%y%m%d%H%M%S")
    tail = f"{secrets.randbelow(10000):04d}"
    result.order_no = f"SMP{stamp}{tail}"
    buyer = make_buyers(1, seed=int(tail), today=business_date(now))[0]
    bill_no = f"781-{stamp[-8:]}"
    documents = build_set(
        parties,
        buyer,
        [(_goods(ctx, parties.ecommerce.code), Decimal(1))],
        order_no=result.order_no,
        logistics_no=f"SL{stamp}{tail}",
        at=now - timedelta(minutes=5),
        bill_no=bill_no,
    )
    arrival = build_arrival(parties, [documents.waybill.logistics_no], bill_no=bill_no, at=now)
    candidates: list[ImportDocument] = [
        documents.order,
        documents.payment,
        documents.waybill,
        documents.inventory,
        arrival,
    ]
    codes = {enterprise.customs_code, enterprise.uscc}
    mine = [d for d in candidates if any(code in codes for _, code in declaring_codes(d))]
    if not mine:
        raise _refused(
            "SAMPLE-NOTHING",
            "enterprise.roles",
            f"企业 {enterprise.customs_code} 的备案角色不申报任何进口单证",
            f"enterprise {enterprise.customs_code} (roles: {', '.join(enterprise.roles)}) declares no import document",
            "Choose an e-commerce platform or enterprise, payment or logistics company, declaring agent or "
            "supervised-site operator (docs/access-control.md, 'Who may declare what').",
        )
    out.mkdir(parents=True, exist_ok=True)
    if register:
        signer = _register_identity(ctx, enterprise, out, result)
    sender = _party(enterprise)
    edition = Edition(ctx.settings.edition)
    for number, document in enumerate(mine, start=1):
        message = build_message([document], sender)
        raw = render_message(message, edition=edition)
        if signer is not None:
            raw = sign_document(raw, signer)
        kind = type(document).__name__
        path = out / f"{number:02d}_{message.message_type.value}_{enterprise.customs_code}.xml"
        path.write_bytes(raw)
        result.files.append(SampleFile(path, message.message_type.value, kind, signer is not None))
    return result


def _register_identity(ctx: Context, enterprise: EnterpriseRead, out: Path, result: SampleSet) -> Signer:
    """Make a throw-away SM2 identity, register its certificate and write key and certificate under out/identity."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    signer, key = throwaway_identity(
        f"{enterprise.customs_code} cbec sample (throw-away)", valid_from=ctx.clock.now() - timedelta(minutes=5)
    )
    registered = register_certificate(ctx, enterprise.customs_code, signer.certificate_der(), actor=ACTOR)
    folder = out / "identity"
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / f"{enterprise.customs_code}.sm2.key"
    key_file.write_text(f"{key:064x}\n", encoding="ascii")
    os.chmod(key_file, 0o600)
    certificate_file = folder / f"{enterprise.customs_code}.pem"
    pem = x509.load_der_x509_certificate(signer.certificate_der()).public_bytes(serialization.Encoding.PEM)
    certificate_file.write_bytes(pem)
    result.certificate_serial = registered.serial_hex
    result.key_file, result.certificate_file = key_file, certificate_file
    return signer
