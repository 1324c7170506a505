"""Test zone: a filed zone (enterprises, products, reference data) and a signing identity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from cbec.common.ids import make_uscc
from cbec.demo.builders import Party, build_message
from cbec.enterprises.certificates import register_certificate
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.intake import IngestResult, ingest_message
from cbec.messages import render_message
from cbec.messages.documents import ImportDocument
from cbec.messages.signature import SignatureAlgorithm, Signer, generate_test_identity, sign_document
from cbec.products.schemas import ProductCreate
from cbec.products.service import approve_product, file_product
from cbec.reference import seed_builtin
from cbec.storage.context import Context
from tests.builders import PARTIES

ROLES = {
    PARTIES.platform: ["ecommerce_platform"],
    PARTIES.ecommerce: ["ecommerce_enterprise", "tax_guarantor"],
    PARTIES.payment: ["payment_company"],
    PARTIES.logistics: ["logistics_company"],
    PARTIES.agent: ["declaring_agent"],
    PARTIES.site_operator: ["supervised_site_operator", "bonded_warehouse_operator"],
}


@dataclass
class Zone:
    """A zone with its cast filed and a way to send signed messages."""

    ctx: Context
    signer: Signer

    def send(
        self, documents: list[ImportDocument], sender: Party, *, sign: bool = True, dry_run: bool = False
    ) -> IngestResult:
        """Render documents as one CEB message, sign it and run it through intake."""
        xml = render_message(build_message(documents, sender))
        if sign:
            xml = sign_document(xml, self.signer)
        return ingest_message(self.ctx, xml, dry_run=dry_run)


def file_zone(ctx: Context) -> None:
    """Seed reference data, file and approve the cast and its products."""
    seed_builtin(ctx)
    for number, (party, roles) in enumerate(ROLES.items(), start=1):
        uscc = make_uscc(f"9146010006{number:07d}")
        file_enterprise(
            ctx, EnterpriseCreate(uscc=uscc, customs_code=party.code, name=party.name, dxp_id=party.dxp_id, roles=roles)
        )
        approve_enterprise(ctx, party.code, reason="材料齐全", actor="zone-office")
    serum = file_product(
        ctx,
        ProductCreate(
            owner_code=PARTIES.ecommerce.code,
            item_no="SKU-SERUM-50",
            name="精华液50毫升",
            hs_code="3304990099",
            specification="50ml/瓶",
            origin_country="116",
            transaction_unit="142",
            legal_unit="035",
            net_content=Decimal("50"),
            net_content_unit="096",
        ),
    )
    approve_product(ctx, serum.id, reason="备案通过", actor="zone-office")


def make_zone(ctx: Context) -> Zone:
    """Return a filed zone with an RSA signing identity made for this test, registered for every party."""
    file_zone(ctx)
    signer, certificate = generate_test_identity(
        SignatureAlgorithm.RSA_SHA1,
        "海口全球购电子商务有限公司",
        not_before=ctx.clock.now() - timedelta(days=30),
        days=3650,
    )
    for party in ROLES:
        register_certificate(ctx, party.code, certificate, actor="zone-office")
    return Zone(ctx, signer)


Send = Callable[..., IngestResult]
