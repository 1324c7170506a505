"""Tables of statistics monitoring (统计监测): targets, consumers' misuse reports, the daily rollups, index editions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import ENCRYPTED, Amount, Base, BigId, UtcDateTime


class ZoneTarget(Base):
    """A yearly target the zone office sets for one indicator (年度目标), e.g. 交易额 5 000 000 000 元 in 2026."""

    __tablename__ = "zone_target"
    __table_args__ = (UniqueConstraint("year", "indicator"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))  # Indicator
    target: Mapped[Decimal] = mapped_column(Amount)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class ConsumerReport(Base):
    """A consumer's report of an inventory counted on their quota that they did not buy (额度盗用举报)."""

    __tablename__ = "consumer_report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference_no: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    buyer_key: Mapped[str] = mapped_column(String(64), index=True)
    inventory_ref: Mapped[str] = mapped_column(String(18), index=True)
    order_no: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text, nullable=True, info=ENCRYPTED)  # encrypted: the consumer's own words
    status: Mapped[str] = mapped_column(String(20), index=True)  # ReportStatus
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    review_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)  # ReportOutcome; None: open or pre-crde01


class StatRollup(Base):
    """Inventories of one business day (Asia/Shanghai), tenant, direction, mode, platform and enterprise (日汇总).

    Additive in every key: any period and any tenant subtree is a sum of rows. ``declared``/``refused`` count
    inventories by declaration day; ``released``/``returned`` and the values by release day. Values are CNY in
    integer fen, so the database adds them up exactly (SQLite keeps exact decimals as text).
    """

    __tablename__ = "stat_rollup"
    __table_args__ = (
        UniqueConstraint(
            "day", "tenant", "direction", "mode", "platform_code", "ecommerce_code", name="uq_stat_rollup_key"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    tenant: Mapped[str] = mapped_column(String(120))  # the e-commerce enterprise's tenant ('' when it has none)
    direction: Mapped[str] = mapped_column(String(1))  # I | E
    mode: Mapped[str] = mapped_column(String(4))
    platform_code: Mapped[str] = mapped_column(String(18))
    ecommerce_code: Mapped[str] = mapped_column(String(18))
    declared: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)
    first_pass: Mapped[int] = mapped_column(
        Integer, default=0
    )  # declared, decided by the declaring message, not refused
    released: Mapped[int] = mapped_column(Integer)
    released_lines: Mapped[int] = mapped_column(Integer)
    released_fen: Mapped[int] = mapped_column(BigInteger)  # Σ value_cny in fen: SUM in SQL is exact everywhere
    unconverted_lines: Mapped[int] = mapped_column(Integer)  # released lines with no CNY value (no customs rate)
    returned: Mapped[int] = mapped_column(Integer)
    returned_fen: Mapped[int] = mapped_column(BigInteger)


class StatRollupGoods(Base):
    """Released goods of one business day, tenant, direction and mode by country or by HS chapter (货物日汇总).

    Two sets of rows: by country (``hs_chapter`` empty) and by chapter (``country`` empty); each set alone adds up
    to the day's released value. The country is the origin of an import line, the destination of an export line.
    ``released`` counts the inventories with a line in the cell: additive over days, tenants and modes, not over
    countries or chapters (an inventory with lines in two chapters counts in both).
    """

    __tablename__ = "stat_rollup_goods"
    __table_args__ = (
        UniqueConstraint(
            "day", "tenant", "direction", "mode", "country", "hs_chapter", name="uq_stat_rollup_goods_key"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    tenant: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(1))
    mode: Mapped[str] = mapped_column(String(4))
    country: Mapped[str] = mapped_column(String(3))
    hs_chapter: Mapped[str] = mapped_column(String(2))
    released: Mapped[int] = mapped_column(Integer)
    released_lines: Mapped[int] = mapped_column(Integer)
    released_fen: Mapped[int] = mapped_column(BigInteger)


class StatRollupMonth(Base):
    """The daily rollup rows of one calendar month added up (月汇总): the same keys with the month's first day.

    Rebuilt from ``stat_rollup`` whenever a day of the month is recounted (cbec.statistics.months), so a long period
    reads a dozen rows per key instead of hundreds; any period is its whole months from here and its edge days from
    the daily rows.
    """

    __tablename__ = "stat_rollup_month"
    __table_args__ = (
        UniqueConstraint(
            "month", "tenant", "direction", "mode", "platform_code", "ecommerce_code", name="uq_stat_rollup_month_key"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    tenant: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(1))
    mode: Mapped[str] = mapped_column(String(4))
    platform_code: Mapped[str] = mapped_column(String(18))
    ecommerce_code: Mapped[str] = mapped_column(String(18))
    declared: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)
    first_pass: Mapped[int] = mapped_column(
        Integer, default=0
    )  # declared, decided by the declaring message, not refused
    released: Mapped[int] = mapped_column(Integer)
    released_lines: Mapped[int] = mapped_column(Integer)
    released_fen: Mapped[int] = mapped_column(BigInteger)
    unconverted_lines: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer)
    returned_fen: Mapped[int] = mapped_column(BigInteger)


class StatRollupGoodsMonth(Base):
    """The daily goods rollup rows of one calendar month added up (货物月汇总), by country or by HS chapter."""

    __tablename__ = "stat_rollup_goods_month"
    __table_args__ = (
        UniqueConstraint(
            "month", "tenant", "direction", "mode", "country", "hs_chapter", name="uq_stat_rollup_goods_month_key"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    month: Mapped[date] = mapped_column(Date)
    tenant: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(1))
    mode: Mapped[str] = mapped_column(String(4))
    country: Mapped[str] = mapped_column(String(3))
    hs_chapter: Mapped[str] = mapped_column(String(2))
    released: Mapped[int] = mapped_column(Integer)
    released_lines: Mapped[int] = mapped_column(Integer)
    released_fen: Mapped[int] = mapped_column(BigInteger)


class StatRollupBlock(Base):
    """The daily rollup rows of one block of a month added up (七日段汇总): days 1–7, 8–14, 15–21, 22–28, 29–end.

    The edge days of a period that are not a whole month are read as whole blocks from here and at most six days
    at each end from the daily rows; rebuilt with the months (cbec.statistics.months).
    """

    __tablename__ = "stat_rollup_block"
    __table_args__ = (
        UniqueConstraint(
            "block", "tenant", "direction", "mode", "platform_code", "ecommerce_code", name="uq_stat_rollup_block_key"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    block: Mapped[date] = mapped_column(Date)  # the block's first day: the 1st, 8th, 15th, 22nd or 29th
    tenant: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(1))
    mode: Mapped[str] = mapped_column(String(4))
    platform_code: Mapped[str] = mapped_column(String(18))
    ecommerce_code: Mapped[str] = mapped_column(String(18))
    declared: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)
    first_pass: Mapped[int] = mapped_column(
        Integer, default=0
    )  # declared, decided by the declaring message, not refused
    released: Mapped[int] = mapped_column(Integer)
    released_lines: Mapped[int] = mapped_column(Integer)
    released_fen: Mapped[int] = mapped_column(BigInteger)
    unconverted_lines: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer)
    returned_fen: Mapped[int] = mapped_column(BigInteger)


class StatRollupGoodsBlock(Base):
    """The daily goods rollup rows of one block of a month added up (货物七日段汇总), by country or by HS chapter."""

    __tablename__ = "stat_rollup_goods_block"
    __table_args__ = (
        UniqueConstraint(
            "block", "tenant", "direction", "mode", "country", "hs_chapter", name="uq_stat_rollup_goods_block_key"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    block: Mapped[date] = mapped_column(Date)
    tenant: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(1))
    mode: Mapped[str] = mapped_column(String(4))
    country: Mapped[str] = mapped_column(String(3))
    hs_chapter: Mapped[str] = mapped_column(String(2))
    released: Mapped[int] = mapped_column(Integer)
    released_lines: Mapped[int] = mapped_column(Integer)
    released_fen: Mapped[int] = mapped_column(BigInteger)


class StatRollupPending(Base):
    """An inventory whose facts changed since the rollups last counted it (待汇总), written by the event consumer."""

    __tablename__ = "stat_rollup_pending"

    direction: Mapped[str] = mapped_column(String(1), primary_key=True)
    eport_no: Mapped[str] = mapped_column(String(18), primary_key=True)


class StatRollupMatch(Base):
    """Whether an inventory was matched at the first pass (三单一次对碰), from the receipts the consumer reads.

    ``declared_at`` is the time of its receipt 2 (申报中); its next receipt (accepted, refused …) carries the same time
    when the declaring message decided it — every receipt of a message carries the message's time — and a later one
    when it waited for its order, payment or waybill. ``first_pass`` is None until that next receipt.
    """

    __tablename__ = "stat_rollup_match"

    direction: Mapped[str] = mapped_column(String(1), primary_key=True)
    eport_no: Mapped[str] = mapped_column(String(18), primary_key=True)
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_pass: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class StatRollupSource(Base):
    """Where the rollups last counted an inventory (tenant, declaration and release day), so a move is undone."""

    __tablename__ = "stat_rollup_source"

    direction: Mapped[str] = mapped_column(String(1), primary_key=True)
    eport_no: Mapped[str] = mapped_column(String(18), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(120))
    declared_on: Mapped[date] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class StatTarget(Base):
    """A target of one tenant for one indicator and period (目标), e.g. hub/sanya export_value_cny 2026-Q1."""

    __tablename__ = "stat_target"
    __table_args__ = (UniqueConstraint("tenant", "indicator", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(120))
    indicator: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))  # 2026 | 2026-Q1 | 2026-03
    target: Mapped[Decimal] = mapped_column(Amount)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class IndexEdition(Base):
    """A published edition of the development index (发展指数发布版): immutable, signed, reproducible.

    It keeps its inputs as published (the observations as CSV, the method as JSON, the seed), the result and its
    digest, and the signed manifest naming the digests. Nothing updates or deletes a row: a correction is a new
    edition.
    """

    __tablename__ = "index_edition"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)
    tenant: Mapped[str] = mapped_column(String(120), index=True)  # the publisher's tenant
    method_version: Mapped[str] = mapped_column(String(40))
    seed: Mapped[int] = mapped_column(BigInteger)
    numpy_version: Mapped[str] = mapped_column(String(20))
    observations_csv: Mapped[str] = mapped_column(Text)
    method_json: Mapped[str] = mapped_column(Text)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    result_json: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))  # the result's digest (cbec.statistics.index.compute_index)
    manifest_xml: Mapped[str] = mapped_column(Text)  # signed when the platform has a signer (CBEC_SIGNER)
    signed: Mapped[bool] = mapped_column(Boolean)
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatReport(Base):
    """A generated monthly or quarterly report (统计月报/季报) as sent: its HTML and the digest of its figures."""

    __tablename__ = "stat_report"
    __table_args__ = (UniqueConstraint("tenant", "period", "lang", "revision"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(120), index=True)
    period: Mapped[str] = mapped_column(String(10))  # 2026-11 | 2026-Q4
    kind: Mapped[str] = mapped_column(String(8))  # month | quarter
    revision: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(8))
    digest: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)
    generated_by: Mapped[str] = mapped_column(String(100))
    generated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatSurvey(Base):
    """A sample survey (抽样调查): what is asked, of which frame, how its sample is drawn (survey_rules)."""

    __tablename__ = "stat_survey"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(String(500))  # e.g. 本期经其他渠道的跨境电商出口额（元）
    tenant: Mapped[str] = mapped_column(String(120), index=True)
    period: Mapped[str] = mapped_column(String(10))  # reference period of the frame and the question
    min_size: Mapped[Decimal] = mapped_column(Amount)  # frame: released trade ≥ this in the period
    take_all_at: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    sample_size: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10))  # draft | drawn | closed
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatSurveyUnit(Base):
    """A unit of a survey's frame: its stratum, permanent random number and whether it is asked."""

    __tablename__ = "stat_survey_unit"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(BigId, index=True)
    code: Mapped[str] = mapped_column(String(18))
    size: Mapped[Decimal] = mapped_column(Amount)
    stratum: Mapped[str] = mapped_column(String(10))
    prn: Mapped[str] = mapped_column(String(24))  # the number as text (exact on every database)
    selected: Mapped[bool] = mapped_column(Boolean)
    value: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)  # the response
    answered_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
