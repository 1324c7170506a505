"""Key rotation finds every encrypted column by itself: columns are marked on the model (storage.base.ENCRYPTED).

A hand-kept list used to miss ConsumerReport.note, which became unreadable once the old key was retired.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import BigInteger, Column, Integer, Table, Text, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from tests.integration.privacy.test_personal_data import rotate_to_new_key

from cbec.bootstrap import all_metadata, make_cipher
from cbec.privacy import rotate_personal_data
from cbec.statistics.models import ConsumerReport
from cbec.storage.base import ENCRYPTED, PERSONAL_TWIN, Base, encrypted_columns, personal_documents
from cbec.storage.context import Context


def test_the_encrypted_columns_are_the_marked_ones() -> None:
    all_metadata()  # every model module, as build_context imports them (alone, this file imports only some)
    found = {(table.name, column.name) for table, columns in encrypted_columns() for column in columns}
    assert found == {
        ("b2b_declaration", "consignee_name"),
        ("consumer_report", "note"),
        ("enterprise", "contact_name_enc"),
        ("enterprise", "contact_phone_enc"),
        ("import_arrival", "payload"),
        ("import_cancel", "payload"),
        ("import_inventory", "payload"),
        ("import_order", "payload"),
        ("import_payment", "payload"),
        ("import_return", "payload"),
        ("import_waybill", "payload"),
        ("sharing_subscription", "secret_enc"),
    }


def test_a_consumers_note_is_rotated_and_reads_after_the_old_key_is_gone(ctx: Context) -> None:
    with ctx.uow() as uow:
        uow.session.add(
            ConsumerReport(
                buyer_key="b" * 64,
                inventory_ref="46012026I000000001",
                order_no="ORD1",
                note=ctx.cipher.encrypt("不是我买的"),
                status="open",
                reported_at=ctx.clock.now(),
            )
        )
        uow.commit()
    rotate_to_new_key(ctx)
    report = rotate_personal_data(ctx)
    assert report.reencrypted["consumer_report"] == 1
    ctx.settings = ctx.settings.model_copy(update={"data_old_keys": None})
    ctx.cipher = make_cipher(ctx.settings)
    with ctx.uow() as uow:
        note = uow.session.scalar(select(ConsumerReport.note))
    assert note is not None and note.startswith("k2:") and ctx.cipher.decrypt(note) == "不是我买的"


@pytest.fixture
def probe_table(ctx: Context) -> Iterator[Table]:
    """A table a future system might add, with one marked column; removed again afterwards."""
    table = Table(
        "probe_secret",
        Base.metadata,
        Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
        Column("secret", Text, nullable=True, info=ENCRYPTED),
    )
    table.create(ctx.engine)
    try:
        yield table
    finally:
        table.drop(ctx.engine)
        Base.metadata.remove(table)


def test_a_new_marked_column_is_rotated_without_being_listed_anywhere(ctx: Context, probe_table: Table) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(insert(probe_table).values(id=1, secret=ctx.cipher.encrypt("s3cret")))
    rotate_to_new_key(ctx)
    assert rotate_personal_data(ctx).reencrypted["probe_secret"] == 1
    with ctx.engine.connect() as conn:
        token = conn.execute(select(probe_table.c.secret)).scalar_one()
    assert token.startswith("k2:") and ctx.cipher.decrypt(token) == "s3cret"


def test_purge_finds_the_documents_with_a_buyer_twin_by_itself() -> None:
    assert [model.__tablename__ for model in personal_documents()] == [
        "import_order",
        "import_payment",
        "import_waybill",
        "import_inventory",
        "import_cancel",
        "import_return",
    ]


def test_a_new_model_with_a_buyer_twin_is_found_by_purge_without_a_list_to_edit() -> None:
    class Probe(DeclarativeBase):
        pass

    class PlainRow(Probe):
        __tablename__ = "probe_plain"
        id: Mapped[int] = mapped_column(primary_key=True)
        payload: Mapped[str] = mapped_column(Text, info=ENCRYPTED)

    class BuyerRow(Probe):
        __tablename__ = "probe_buyer"
        id: Mapped[int] = mapped_column(primary_key=True)
        payload: Mapped[str] = mapped_column(Text, info=PERSONAL_TWIN)

    assert personal_documents(Probe) == [BuyerRow]
    assert [t.name for t, _ in encrypted_columns(Probe.metadata)] == ["probe_buyer", "probe_plain"]
    assert PlainRow.__tablename__ == "probe_plain"
