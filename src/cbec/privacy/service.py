"""Personal-data use cases (个人信息保护): key rotation, purge after retention, audited unmasked reads.

Rotation re-encrypts every stored ciphertext that is not under the current key, batch by batch, each
batch its own transaction; it can stop and start again at any time (rows already under the current
key are skipped) and runs beside live traffic (each row is replaced only if it did not change since
it was read). Blind indexes do not change: they use the separate, never-rotated index key.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Column, and_, or_, select, update

from cbec.audit import record_audit
from cbec.clearance import repository as clearance_repo
from cbec.clearance.models import (
    InventoryRecord,
)
from cbec.common.clock import SHANGHAI, business_date
from cbec.common.errors import Conflict, InvalidInput, NotFound, Problem
from cbec.common.personal import PersonalDataError
from cbec.common.scope import Scope
from cbec.privacy.models import PurgedDocument
from cbec.privacy.rules import retention_cutoff, strip_personal
from cbec.storage.base import encrypted_columns, personal_documents
from cbec.storage.context import Context

Progress = Callable[[str, int], None]


@dataclass(slots=True)
class RotationReport:
    """What a rotation run re-encrypted, per table, and what it could not read."""

    key_id: str
    reencrypted: dict[str, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Return how many values were re-encrypted."""
        return sum(self.reencrypted.values())


def rotate_personal_data(
    ctx: Context, *, batch_size: int = 500, actor: str = "cli", progress: Progress | None = None
) -> RotationReport:
    """Re-encrypt every stored personal-data ciphertext under the current key (resumable, online)."""
    cipher = ctx.cipher
    report = RotationReport(key_id=cipher.key_id)
    # Every column marked ENCRYPTED on its model (cbec.storage.base), found by itself: a new one cannot be missed.
    for table, marked in encrypted_columns():
        pk: Column[Any] = table.c.id
        columns = list(marked)
        names = tuple(column.name for column in columns)
        stale = or_(*(and_(c.is_not(None), ~c.startswith(cipher.key_id + ":", autoescape=True)) for c in columns))
        last_id = 0
        done = 0
        while True:
            with ctx.uow() as uow:
                rows = uow.session.execute(
                    select(pk, *columns).where(stale, pk > last_id).order_by(pk).limit(batch_size)
                ).all()
                if not rows:
                    break
                for row in rows:
                    last_id = row[0]
                    values: dict[str, str] = {}
                    for column, token in zip(columns, row[1:], strict=True):
                        if token is None or cipher.is_current(token):
                            continue
                        try:
                            values[column.name] = cipher.encrypt(cipher.decrypt(token))
                        except PersonalDataError as exc:
                            report.unreadable.append(f"{table.name}.{column.name} id {row[0]}: {exc}")
                    if not values:
                        continue
                    unchanged = and_(
                        *(table.c[name] == token for name, token in zip(names, row[1:], strict=True) if name in values)
                    )
                    result = uow.session.execute(update(table).where(pk == row[0], unchanged).values(**values))
                    done += int(result.rowcount or 0)  # type: ignore[attr-defined]
                uow.commit()
            if progress is not None:
                progress(table.name, done)
        report.reencrypted[table.name] = done
    with ctx.uow() as uow:
        record_audit(
            uow.session,
            at=ctx.clock.now(),
            actor=actor,
            action="privacy.keys.rotated",
            entity_type="personal_data",
            entity_key=cipher.key_id,
            after={"reencrypted": report.reencrypted, "unreadable": len(report.unreadable)},
        )
        uow.commit()
    return report


@dataclass(slots=True)
class PurgeReport:
    """What a purge removed: documents per table, before which date."""

    before: date
    purged: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Return how many documents lost their personal data."""
        return sum(self.purged.values())


def purge_personal_data(
    ctx: Context, *, before: date | None = None, actor: str = "cli", batch_size: int = 500
) -> PurgeReport:
    """Remove buyers' personal data from documents last changed before a date past the retention period.

    Business data (numbers, goods, amounts, statuses, receipts, tax bills) and the audit chain stay;
    the buyer's blind index is replaced by a random value so purged documents no longer link to a person.
    """
    today = business_date(ctx.clock.now())
    latest = retention_cutoff(today, ctx.settings.personal_data_retention_days)
    cutoff = before or latest
    if cutoff > latest:
        raise InvalidInput(
            f"{cutoff} is inside the retention period",
            problems=[
                Problem(
                    "PRIVACY-RETENTION",
                    "before",
                    f"保存期内的数据不得删除 / documents changed after {latest} are still within the "
                    f"{ctx.settings.personal_data_retention_days}-day retention period",
                    f"Give a date on or before {latest}.",
                )
            ],
        )
    moment = datetime.combine(cutoff, time.min, tzinfo=SHANGHAI)
    report = PurgeReport(before=cutoff)
    cipher = ctx.cipher
    for model in personal_documents():  # every model with a column marked PERSONAL_TWIN (cbec.storage.base)
        table_name = model.__tablename__
        done = 0
        last_id = 0
        while True:
            with ctx.uow() as uow:
                session = uow.session
                purged = select(PurgedDocument.row_id).where(PurgedDocument.table_name == table_name)
                rows = list(
                    session.scalars(
                        select(model)
                        .where(model.updated_at < moment, model.id > last_id, model.id.not_in(purged))
                        .order_by(model.id)
                        .limit(batch_size)
                        .with_for_update()
                    )
                )
                if not rows:
                    break
                now = ctx.clock.now()
                for row in rows:
                    last_id = row.id
                    twin = json.loads(cipher.decrypt(row.payload))
                    row.payload = cipher.encrypt(json.dumps(strip_personal(twin), ensure_ascii=False))
                    if hasattr(model, "buyer_key"):
                        row.buyer_key = secrets.token_hex(32)
                    session.add(PurgedDocument(table_name=table_name, row_id=row.id, purged_at=now))
                    done += 1
                uow.commit()
        report.purged[table_name] = done
    with ctx.uow() as uow:
        record_audit(
            uow.session,
            at=ctx.clock.now(),
            actor=actor,
            action="privacy.personal_data.purged",
            entity_type="personal_data",
            entity_key=f"before:{cutoff.isoformat()}",
            after={"purged": report.purged},
            reason=f"retention {ctx.settings.personal_data_retention_days} days",
        )
        uow.commit()
    return report


class PersonalDataPurged(Conflict):
    """The document's personal data was removed after the retention period."""


@dataclass(frozen=True, slots=True)
class RevealedBuyer:
    """An inventory's buyer in clear, as read by one person for one reason (audited)."""

    inventory_no: str | None
    eport_no: str
    buyer_name: str
    buyer_id_number: str
    buyer_phone: str
    consignee_address: str
    revealed_by: str
    reason: str
    revealed_at: datetime


def reveal_inventory_buyer(
    ctx: Context, inventory_no: str, *, actor: str, reason: str, scope: Scope | None = None
) -> RevealedBuyer:
    """Return an inventory's buyer unmasked and record who read it and why in the audit chain.

    An inventory outside the scope is not found (and nothing is recorded).
    """
    problems = []
    if not actor or not actor.strip():
        problems.append(
            Problem("PRIVACY-ACTOR", "actor", "必须说明查看人 / who reads is required", "Give your user name.")
        )
    if not reason or not reason.strip():
        problems.append(
            Problem(
                "PRIVACY-REASON",
                "reason",
                "必须说明查看理由 / a reason is required",
                "Say why you need the buyer's identity.",
            )
        )
    if problems:
        raise InvalidInput("an unmasked read needs an actor and a reason", problems=problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = session.scalar(
            select(InventoryRecord).where(
                or_(InventoryRecord.inventory_no == inventory_no, InventoryRecord.eport_no == inventory_no)
            )
        )
        if row is None or not clearance_repo.inventory_in_scope(session, row.id, scope):
            raise NotFound(f"inventory {inventory_no} not found", number=inventory_no)
        gone = session.scalar(
            select(PurgedDocument.id).where(
                PurgedDocument.table_name == InventoryRecord.__tablename__, PurgedDocument.row_id == row.id
            )
        )
        if gone is not None:
            raise PersonalDataPurged(f"the personal data of inventory {inventory_no} was purged", number=inventory_no)
        twin = json.loads(ctx.cipher.decrypt(row.payload))
        fields = ["buyer_name", "buyer_id_number", "buyer_phone", "consignee_address"]
        record_audit(
            session,
            at=now,
            actor=actor.strip(),
            action="privacy.inventory_buyer.revealed",
            entity_type="inventory",
            entity_key=row.eport_no,
            after={"inventory_no": row.inventory_no, "fields": fields},
            reason=reason.strip(),
        )
        revealed = RevealedBuyer(
            inventory_no=row.inventory_no,
            eport_no=row.eport_no,
            buyer_name=twin.get("buyer_name", ""),
            buyer_id_number=twin.get("buyer_id_number", ""),
            buyer_phone=twin.get("buyer_phone", ""),
            consignee_address=twin.get("consignee_address", ""),
            revealed_by=actor.strip(),
            reason=reason.strip(),
            revealed_at=now,
        )
        uow.commit()  # no read without its audit record
        return revealed
