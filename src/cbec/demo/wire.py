"""The demo's senders (演示报文发送): render, sign, envelope and ingest CEB messages, and keep every answer.

Each enterprise signs with a software identity derived from its customs code (the same in every run, so the
written messages verify wherever the demo ran); the platform's receipts and tax bills are written to the
output folder when one is given.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cbec.common.clock import FixedClock
from cbec.common.errors import DomainError
from cbec.demo.builders import Party, build_message
from cbec.enterprises.certificates import CertificateExists, register_certificate
from cbec.intake import DocumentOutcome, IngestResult, ingest_message
from cbec.messages import (
    Edition,
    ImportDocument,
    Receipt,
    TaxBill,
    render_format_receipt,
    render_message,
    render_receipts,
    render_tax_bills,
    seal_envelope,
)
from cbec.messages.signature import sign_document
from cbec.messages.signature_signers import SignatureAlgorithm, Signer, generate_test_identity
from cbec.storage.context import Context

MAX_DOCUMENTS = 100  # CEB messages carry at most 100 documents
# Demo certificates are valid from 2024 through 2049 (UTCTime), whatever day the demo plays.
DEMO_CERTIFICATE_FROM = datetime(2024, 1, 1, tzinfo=UTC)
DEMO_CERTIFICATE_DAYS = (datetime(2049, 12, 31, tzinfo=UTC) - DEMO_CERTIFICATE_FROM).days


def demo_identity(code: str, name: str, algorithm: SignatureAlgorithm = SignatureAlgorithm.SM2_SM3) -> Signer:
    """Return a demo enterprise's signing identity: the same key and certificate in every demo run.

    Derived from the customs code (SM2; RSA identities are fresh each time), so that the files of one
    `cbec demo --out` verify against the certificate any demo run registered in any database. The key is
    public knowledge: demo enterprises only, never a real one.
    """
    seed = f"cbec demo identity/{code}".encode() if algorithm is SignatureAlgorithm.SM2_SM3 else None
    signer, _ = generate_test_identity(
        algorithm, name, not_before=DEMO_CERTIFICATE_FROM, days=DEMO_CERTIFICATE_DAYS, seed=seed
    )
    return signer


@dataclass(slots=True)
class Sent:
    """One message the demo sent and what the platform answered."""

    number: int
    name: str
    message_type: str
    documents: int
    signed: bool
    enveloped: bool
    result: IngestResult


@dataclass(slots=True)
class Wire:
    """Sends messages to the platform in one demo context and remembers every outcome."""

    ctx: Context
    clock: FixedClock
    tick: timedelta
    out: Path | None = None
    algorithm: SignatureAlgorithm = SignatureAlgorithm.SM2_SM3
    on_message: Callable[[Sent], None] | None = None
    sent: list[Sent] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    tax_bills: list[TaxBill] = field(default_factory=list)
    outcomes: dict[tuple[str, str], list[tuple[int, DocumentOutcome]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    signers: dict[str, Signer] = field(default_factory=dict)
    files: int = 0
    unwritten: list[str] = field(default_factory=list)  # answers the codec refused to render

    @property
    def edition(self) -> Edition:
        """Return the edition the platform reads."""
        return Edition(self.ctx.settings.edition)

    def signer(self, party: Party) -> Signer:
        """Return the party's signing identity, registered (签名证书备案) on first use."""
        if party.code not in self.signers:
            signer = demo_identity(party.code, party.name, self.algorithm)
            with contextlib.suppress(CertificateExists):  # an earlier demo run registered the same certificate
                register_certificate(self.ctx, party.code, signer.certificate_der(), actor="demo")
            self.signers[party.code] = signer
        return self.signers[party.code]

    def send(
        self,
        documents: Sequence[ImportDocument],
        sender: Party,
        *,
        label: str,
        sign: bool = True,
        envelope: bool = False,
    ) -> list[IngestResult]:
        """Send documents of one type in messages of up to 100 and return the platform's answers."""
        results = []
        for start in range(0, len(documents), MAX_DOCUMENTS):
            chunk = list(documents[start : start + MAX_DOCUMENTS])
            results.append(self.send_message(chunk, sender, label=label, sign=sign, envelope=envelope))
        return results

    def send_message(
        self, documents: list[ImportDocument], sender: Party, *, label: str, sign: bool, envelope: bool
    ) -> IngestResult:
        """Render, sign, maybe envelope, and ingest one message."""
        self.clock.advance(self.tick)
        message = build_message(documents, sender)
        raw = render_message(message, edition=self.edition)
        if sign:
            raw = sign_document(raw, self.signer(sender))
        number = len(self.sent) + 1
        name = f"{number:04d}_{message.message_type.value}_{label}.xml"
        if envelope:
            raw = seal_envelope(
                raw,
                message_type=message.message_type.value,
                sender_id=sender.dxp_id,
                created_at=self.clock.now(),
                file_name=name,
            )
        if self.out is not None:
            folder = self.out / "messages"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(raw)
        result = ingest_message(self.ctx, raw, source_name=f"demo:{name}")
        sent = Sent(number, name, message.message_type.value, len(documents), sign, envelope, result)
        self.sent.append(sent)
        self.keep(result, number)
        if self.on_message is not None:
            self.on_message(sent)
        return result

    def keep(self, result: IngestResult, number: int) -> None:
        """Remember a result's outcomes, receipts and tax bills, and write them out."""
        for outcome in result.documents:
            self.outcomes[(outcome.kind, outcome.key)].append((number, outcome))
        self.receipts.extend(result.receipts)
        self.tax_bills.extend(result.tax_bills)
        if self.out is None:
            return
        folder = self.out / "receipts"
        folder.mkdir(parents=True, exist_ok=True)
        by_type: dict[str, list[Receipt]] = defaultdict(list)
        for receipt in result.receipts:
            by_type[receipt.message_type.value].append(receipt)
        for message_type, receipts in by_type.items():
            for start in range(0, len(receipts), MAX_DOCUMENTS):
                self.write_receipts(folder, number, message_type, receipts[start : start + MAX_DOCUMENTS])
        for start in range(0, len(result.tax_bills), MAX_DOCUMENTS):
            bills = result.tax_bills[start : start + MAX_DOCUMENTS]
            self.write(folder, number, "CEB816Message", render_tax_bills(bills, edition=self.edition))
        if result.format_receipt is not None:
            self.write(
                folder, number, "CEB900Message", render_format_receipt(result.format_receipt, edition=self.edition)
            )

    def write_receipts(self, folder: Path, number: int, message_type: str, receipts: list[Receipt]) -> None:
        """Write receipts as one message; a receipt the codec cannot render is left out and noted."""
        try:
            self.write(folder, number, message_type, render_receipts(receipts, edition=self.edition))
            return
        except DomainError:
            pass
        renderable = []
        for receipt in receipts:
            try:
                render_receipts([receipt], edition=self.edition)
            except DomainError as exc:
                detail = "; ".join(f"{p.rule_id} {p.field}" for p in exc.problems) or exc.message
                self.unwritten.append(f"{message_type} {receipt.guid} ({receipt.status}): {detail}")
                continue
            renderable.append(receipt)
        if renderable:
            self.write(folder, number, message_type, render_receipts(renderable, edition=self.edition))

    def write(self, folder: Path, number: int, message_type: str, data: bytes) -> None:
        """Write one answer file, numbered after the message that caused it."""
        self.files += 1
        (folder / f"{number:04d}_{self.files:05d}_{message_type}.xml").write_bytes(data)

    def outcome(self, kind: str, key: str, *, after: int = 0) -> DocumentOutcome | None:
        """Return the latest outcome of a document, optionally only from messages after a number."""
        found = [o for n, o in self.outcomes.get((kind, key), []) if n > after]
        return found[-1] if found else None
