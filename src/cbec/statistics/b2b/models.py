"""Tables of B2B-export identification: imported general-trade declarations, runs and per-declaration results."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import ENCRYPTED, Amount, Base, BigId, UtcDateTime


class B2bDeclaration(Base):
    """A general-trade (0110) export declaration imported as input (一般贸易出口报关单), one row per number.

    Re-importing the same content changes nothing; changed content replaces the row (``content_sha256``).
    The consignee's name may be a person's: it is stored encrypted.
    """

    __tablename__ = "b2b_declaration"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_no: Mapped[str] = mapped_column(String(18), unique=True)
    tenant: Mapped[str] = mapped_column(String(120), index=True)
    declared_on: Mapped[date] = mapped_column(Date, index=True)
    trade_mode: Mapped[str] = mapped_column(String(4))  # 0110 | 9710 | 9810
    exporter_code: Mapped[str] = mapped_column(String(18))
    consignee_name: Mapped[str] = mapped_column(Text, info=ENCRYPTED)
    consignee_country: Mapped[str] = mapped_column(String(3))
    trade_terms: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Amount)
    hs_codes: Mapped[str] = mapped_column(Text)  # ';'-separated
    platform_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    order_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    waybill_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    carrier: Mapped[str | None] = mapped_column(String(120), nullable=True)
    departed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    destination_country: Mapped[str | None] = mapped_column(String(3), nullable=True)
    payment_channel: Mapped[str | None] = mapped_column(String(40), nullable=True)
    received_amount: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    received_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(100))


class B2bRun(Base):
    """One identification run: method, thresholds, digests of its inputs and results, and the counts."""

    __tablename__ = "b2b_run"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(120), index=True)  # the subtree the run covered
    method_version: Mapped[str] = mapped_column(String(40))
    method_digest: Mapped[str] = mapped_column(String(64))
    method_document: Mapped[str] = mapped_column(Text)  # the method as JSON, so the run can be redone
    identify_at: Mapped[str] = mapped_column(String(10))
    reject_at: Mapped[str] = mapped_column(String(10))
    input_digest: Mapped[str] = mapped_column(String(64))
    result_digest: Mapped[str] = mapped_column(String(64))
    declarations: Mapped[int] = mapped_column(Integer)
    declared: Mapped[int] = mapped_column(Integer)  # 9710/9810: B2B by declaration
    identified: Mapped[int] = mapped_column(Integer)
    undecided: Mapped[int] = mapped_column(Integer)
    general: Mapped[int] = mapped_column(Integer)
    unconverted: Mapped[int] = mapped_column(Integer)  # declarations with no customs rate for their currency
    identified_fen: Mapped[int] = mapped_column(BigInteger)
    run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    run_by: Mapped[str] = mapped_column(String(100))


class B2bResult(Base):
    """The result of one declaration in one run: score, class and reason codes, with its day, tenant and value."""

    __tablename__ = "b2b_result"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(BigId, ForeignKey("b2b_run.id"), index=True)
    declaration_no: Mapped[str] = mapped_column(String(18))
    tenant: Mapped[str] = mapped_column(String(120))
    declared_on: Mapped[date] = mapped_column(Date)
    score: Mapped[str] = mapped_column(String(10))  # exact decimal as text, e.g. "0.85"
    klass: Mapped[str] = mapped_column(String(10))  # B2bClass
    reasons: Mapped[str] = mapped_column(String(200))  # reason codes, ';'-separated, in evidence order
    value_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # CNY fen at the customs rate
