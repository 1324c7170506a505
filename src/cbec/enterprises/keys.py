"""Contact keys of filed enterprises (联系人电话假名键): the subject key of each filed contact phone.

Filing and changes keep ``contact_phone_key`` current (``cbec.enterprises.service``); ``fill_contact_keys`` computes
it for enterprises filed before the column existed, in one transaction. It decrypts each contact phone in memory to
compute the key and shows none: one audit record names how many keys were written (an unmasked read by the
platform itself, for a pseudonym).
"""

from __future__ import annotations

from sqlalchemy import select

from cbec.audit import record_audit
from cbec.common.pseudonyms import subject_key
from cbec.enterprises.models import Enterprise
from cbec.storage.context import Context

ACTION = "enterprises.contact_keys.filled"


def fill_contact_keys(ctx: Context, *, actor: str) -> int:
    """Write the contact phone key of every enterprise whose key is missing or stale; return how many changed."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        changed = 0
        rows = uow.session.scalars(select(Enterprise).order_by(Enterprise.id))
        for enterprise in rows:
            phone = ctx.cipher.decrypt(enterprise.contact_phone_enc) if enterprise.contact_phone_enc else None
            key = subject_key(ctx.cipher.blind_index, "phone", phone)
            if key != enterprise.contact_phone_key:
                enterprise.contact_phone_key = key
                changed += 1
        if changed:
            record_audit(
                uow.session,
                at=now,
                actor=actor,
                action=ACTION,
                entity_type="enterprise",
                entity_key="*",
                after={"keys": changed},
                reason="contact phone subject keys for risk (R5.1)",
            )
        uow.commit()
    return changed
