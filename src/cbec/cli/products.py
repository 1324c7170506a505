"""`cbec products ...`: file, import, approve, revoke, list and show product filings (商品备案)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from cbec.cli.enterprises import print_audit
from cbec.cli.format import text
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.products import ProductTransition
from cbec.products.schemas import ProductCreate, ProductRead
from cbec.products.service import (
    change_product_status,
    file_product,
    get_product,
    import_products,
    list_products,
    product_audit,
)


def print_product(product: ProductRead) -> None:
    """Print one product filing as a two-column table."""
    table = Table("field", "value", title=f"product {product.id}")
    for name, value in product.model_dump().items():
        table.add_row(name, text(value))
    console().print(table)


def register(app: typer.Typer) -> None:
    """Add the `products` command group."""
    group = typer.Typer(help="Product filing (商品备案).", no_args_is_help=True)

    @group.command("file")
    def file(
        owner_code: str = typer.Option(..., "--owner", help="Customs code of the e-commerce enterprise."),
        item_no: str = typer.Option(..., "--item-no", help="SKU, unique per owner (max 20)."),
        name: str = typer.Option(..., "--name"),
        hs_code: str = typer.Option(..., "--hs-code", help="10-digit HS code."),
        specification: str = typer.Option(..., "--spec", help="规格型号."),
        origin_country: str = typer.Option(..., "--origin", help="3-digit country code."),
        transaction_unit: str = typer.Option(..., "--unit", help="Transaction unit code, e.g. 142 瓶."),
        legal_unit: str = typer.Option(..., "--legal-unit", help="First legal unit code, e.g. 035 千克."),
        net_content: str = typer.Option(..., "--net-content", help="Net content of one transaction unit."),
        net_content_unit: str = typer.Option(..., "--net-content-unit", help="e.g. 096 毫升, 036 克, 020 片."),
        legal_unit_2: str | None = typer.Option(None, "--legal-unit-2"),
        brand: str | None = typer.Option(None, "--brand"),
        barcode: str | None = typer.Option(None, "--barcode"),
        unit_gross_weight: str | None = typer.Option(
            None, "--unit-gross-weight", help="Packed gross weight of one transaction unit in kg (optional)."
        ),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """File a product (it starts pending)."""
        try:
            content = Decimal(net_content)
        except InvalidOperation as exc:
            raise typer.BadParameter(f"--net-content is not a number: {net_content}") from exc
        try:
            weight = Decimal(unit_gross_weight) if unit_gross_weight is not None else None
        except InvalidOperation as exc:
            raise typer.BadParameter(f"--unit-gross-weight is not a number: {unit_gross_weight}") from exc
        data = ProductCreate(
            owner_code=owner_code,
            item_no=item_no,
            name=name,
            hs_code=hs_code,
            specification=specification,
            brand=brand,
            origin_country=origin_country,
            transaction_unit=transaction_unit,
            legal_unit=legal_unit,
            legal_unit_2=legal_unit_2,
            net_content=content,
            net_content_unit=net_content_unit,
            barcode=barcode,
            unit_gross_weight=weight,
            actor=actor,
        )
        try:
            product = file_product(state.context(), data)
        except DomainError as exc:
            fail(exc)
        print_product(product)

    @group.command("import")
    def import_(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or JSON file."),
        update: bool = typer.Option(False, "--update", help="Change filings whose row differs (back to pending)."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Import product filings: every row is checked first; one bad row means nothing is imported."""
        with Progress(
            TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(), console=console()
        ) as bar:
            task = bar.add_task("writing products", total=None)

            def advance(done: int, total: int) -> None:
                """Move the progress bar."""
                bar.update(task, completed=done, total=total)

            try:
                report = import_products(state.context(), file, update=update, actor=actor, progress=advance)
            except DomainError as exc:
                bar.stop()
                fail(exc)
        summary = Table("rows", "created", "updated", "unchanged", title=f"import {file.name}")
        summary.add_row(str(report.rows), str(report.created), str(report.updated), str(report.unchanged))
        console().print(summary)

    def _transition(transition: ProductTransition) -> None:
        def command(
            product_id: int = typer.Argument(..., help="Product id."),
            reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit trail)."),
            actor: str = typer.Option("cli", "--actor"),
        ) -> None:
            try:
                product = change_product_status(state.context(), product_id, transition, reason=reason, actor=actor)
            except DomainError as exc:
                fail(exc)
            console().print(f"product {product.id} {product.owner_code}/{product.item_no}: {product.status}")

        command.__doc__ = f"{transition.value.capitalize()} a product filing (reason required)."
        group.command(transition.value)(command)

    for transition in ProductTransition:
        _transition(transition)

    @group.command("list")
    def list_(
        owner_code: str | None = typer.Option(None, "--owner"),
        status: str | None = typer.Option(None, "--status"),
        limit: int = typer.Option(50, "--limit"),
        offset: int = typer.Option(0, "--offset"),
    ) -> None:
        """List product filings."""
        try:
            page = list_products(state.context(), owner_code=owner_code, status=status, limit=limit, offset=offset)
        except DomainError as exc:
            fail(exc)
        table = Table("id", "owner", "item_no", "name", "hs_code", "net content", "status")
        for p in page.items:
            content = f"{p.net_content} ({p.net_content_unit})"
            table.add_row(str(p.id), p.owner_code, p.item_no, p.name, p.hs_code, content, p.status)
        table.title = f"products: {page.total} (showing {len(page.items)} from {page.offset})"
        console().print(table)

    @group.command("show")
    def show(
        product_id: int = typer.Argument(..., help="Product id."),
        audit: bool = typer.Option(False, "--audit", help="Also show the audit trail."),
    ) -> None:
        """Show one product filing."""
        ctx = state.context()
        try:
            product = get_product(ctx, product_id)
            rows = product_audit(ctx, product_id) if audit else []
        except DomainError as exc:
            fail(exc)
        print_product(product)
        if audit:
            print_audit(rows)

    app.add_typer(group, name="products")
