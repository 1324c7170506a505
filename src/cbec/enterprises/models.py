"""Enterprise filing tables (企业备案).

One filing per enterprise, seen by every agency of the zone. The contact person's name and phone are
personal data: stored encrypted, never in clear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cbec.storage.base import ENCRYPTED, Base, BigId, UtcDateTime
from cbec.storage.revisions import watch


class Enterprise(Base):
    """A filed enterprise, keyed by its unified social credit code and its customs code."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    customs_code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    dxp_id: Mapped[str | None] = mapped_column(String(30), nullable=True)
    contact_name_enc: Mapped[str | None] = mapped_column(String(300), nullable=True, info=ENCRYPTED)
    contact_phone_enc: Mapped[str | None] = mapped_column(String(300), nullable=True, info=ENCRYPTED)
    # the contact phone's subject key (cbec.common.pseudonyms: the facts' phone key), so risk can tell a consignee
    # phone that is a party's own without decrypting anything
    contact_phone_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    zone: Mapped[str] = mapped_column(String(120), default="hub", index=True)  # tenant path, e.g. hub/zhengzhou
    status: Mapped[str] = mapped_column(String(20), index=True)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    roles: Mapped[list[EnterpriseRoleGrant]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", lazy="selectin", order_by="EnterpriseRoleGrant.role"
    )


class EnterpriseRoleGrant(Base):
    """One role an enterprise is filed for (电商平台, 电商企业, 支付企业...)."""

    __tablename__ = "enterprise_role"

    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    enterprise: Mapped[Enterprise] = relationship(back_populates="roles")


# The revision token of filings (migration perf01's triggers change it). A flush that writes filings tells the
# session's caches of them to step aside (cbec.storage.revisions).
FILING = "filing"
watch(Enterprise, FILING)
watch(EnterpriseRoleGrant, FILING)
