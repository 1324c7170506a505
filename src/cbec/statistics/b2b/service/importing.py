"""Import export declarations (CSV or JSON): good rows stored, bad rows reported, re-imports idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.reference.lookups import code_tables
from cbec.statistics.b2b import repository as repo
from cbec.statistics.b2b.errors import B2bInvalid
from cbec.statistics.b2b.records import DeclarationRow, parse_file, row_problem
from cbec.storage.context import Context


@dataclass(slots=True)
class ImportReport:
    """What an import did: rows read, stored new, replaced (changed content), unchanged, rejected (with problems)."""

    source: str
    tenant: str
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "source": self.source,
            "tenant": self.tenant,
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "problems": [p.as_dict() for p in self.problems],
        }


def import_declarations(
    ctx: Context, text: str, *, json_format: bool, tenant: str, actor: str, source: str
) -> ImportReport:
    """Validate every row; store the good ones for ``tenant`` (a number already stored is updated or left alone).

    A number stored for another tenant is refused (``B2B-ROW-TENANT``). A file that cannot be read at all raises
    ``B2bInvalid``. One transaction, one audit record with the counts.
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        tables = code_tables(session, business_date(now))
        currencies = _aliases(tables, "currency")
        countries = _aliases(tables, "country")
        parsed = parse_file(
            text,
            json_format=json_format,
            tenant=tenant,
            today=business_date(now),
            currencies=currencies,
            countries=countries,
        )
        if not parsed.rows and parsed.problems and parsed.problems[0].rule_id == "B2B-FILE":
            raise B2bInvalid(f"{source}: the file cannot be read", problems=parsed.problems)
        report = ImportReport(source, tenant, rows=len(parsed.rows) + parsed.bad_rows, problems=parsed.problems)
        report.rejected = parsed.bad_rows
        stored = repo.declarations_by_number(session, [row.declaration.declaration_no for _, row in parsed.rows])
        fresh: list[dict[str, Any]] = []
        for n, row in parsed.rows:
            number = row.declaration.declaration_no
            existing = stored.get(number)
            if existing is None:
                fresh.append(_columns(ctx, row, source, now, actor))
            elif existing.tenant != tenant:
                report.rejected += 1
                report.problems.append(
                    row_problem(
                        "B2B-ROW-TENANT",
                        n,
                        "declaration_no",
                        "该报关单已属于其他租户",
                        "the declaration is stored for another tenant",
                        "Ask the hub to correct the tenant of the stored declaration.",
                    )
                )
            elif existing.content_sha256 == row.content_sha256:
                report.unchanged += 1
            else:
                for key, value in _columns(ctx, row, source, now, actor).items():
                    setattr(existing, key, value)
                report.updated += 1
        repo.add_declarations(session, fresh)
        report.imported = len(fresh)
        record_audit(
            session,
            at=now,
            actor=actor,
            action="statistics.b2b.imported",
            entity_type="b2b_declaration",
            entity_key=f"{tenant}:{source}"[:200],
            after={k: v for k, v in report.as_dict().items() if k != "problems"},
        )
        uow.commit()
    return report


def _aliases(tables: Any, table: str) -> dict[str, str]:
    """Map each code and its ISO alias to the customs code."""
    found: dict[str, str] = {}
    for code in tables.codes(table):
        found[code.upper()] = code
        entry = tables.entry(table, code)
        if entry is not None and entry.alias:
            found.setdefault(entry.alias.upper(), code)
    return found


def _columns(ctx: Context, row: DeclarationRow, source: str, now: Any, actor: str) -> dict[str, Any]:
    d = row.declaration
    return {
        "declaration_no": d.declaration_no,
        "tenant": d.tenant,
        "declared_on": d.declared_on,
        "trade_mode": d.trade_mode,
        "exporter_code": row.exporter_code,
        "consignee_name": ctx.cipher.encrypt(d.consignee_name),
        "consignee_country": d.consignee_country,
        "trade_terms": row.trade_terms,
        "currency": d.currency,
        "amount": d.amount,
        "hs_codes": ";".join(row.hs_codes),
        "platform_code": d.platform_code,
        "order_no": d.order_no,
        "waybill_no": d.waybill_no,
        "carrier": row.carrier,
        "departed_on": d.departed_on,
        "destination_country": d.destination_country,
        "payment_channel": d.payment_channel,
        "received_amount": d.received_amount,
        "received_currency": d.received_currency,
        "received_on": d.received_on,
        "content_sha256": row.content_sha256,
        "source": source[:200],
        "imported_at": now,
        "imported_by": actor,
    }
