"""`cbec sample`: a ready, signed sample message set for one filed enterprise (集成样例报文).

The integrator's first message: documents only that enterprise may declare, sent as itself, signed with a
certificate it registered (a throw-away one with --register-certificate, or its own key and certificate), so
that `curl --data-binary @FILE … /ceb` with an API key of that enterprise answers 200 with receipts.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cbec.bootstrap import software_signer
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError, Problem
from cbec.demo.sample import SampleRefused, write_sample_set
from cbec.messages.signature_signers import Signer


def _signer(key: Path | None, certificate: Path | None, register: bool) -> Signer | None:
    """Return the signer of --key/--certificate, None with --register-certificate; refuse anything else."""
    if register and (key or certificate):
        raise typer.BadParameter("give either --register-certificate or --key and --certificate, not both")
    if register:
        return None
    if key is None or certificate is None:
        fail(
            SampleRefused(
                "no signing identity",
                problems=[
                    Problem(
                        "SAMPLE-SIGNER",
                        "--key/--certificate",
                        "未指定签名密钥 / no signing identity: inventories and arrivals must be signed",
                        "Pass --register-certificate (a throw-away SM2 certificate registered for the enterprise; "
                        "tests and demos only), or --key and --certificate of a certificate the enterprise "
                        "registered (cbec enterprises certificate add CODE cert.pem).",
                    )
                ],
            )
        )
    try:
        return software_signer(str(key), str(certificate), None)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"cannot read the signing key or certificate: {exc}") from exc


def register(app: typer.Typer) -> None:
    """Add the `sample` command."""

    @app.command("sample")
    def sample(
        enterprise: str = typer.Option(..., "--enterprise", help="Customs code of a filed, approved enterprise."),
        out: Path = typer.Option(Path("samples"), "--out", help="Folder for the messages (and identity/)."),
        register_certificate: bool = typer.Option(
            False,
            "--register-certificate",
            help="Make a throw-away SM2 certificate, register it for the enterprise and sign with it "
            "(key and certificate written to OUT/identity/).",
        ),
        key: Path | None = typer.Option(None, "--key", help="Signing key: SM2 (64 hex digits) or RSA PEM."),
        certificate: Path | None = typer.Option(None, "--certificate", help="Its registered certificate (PEM/DER)."),
    ) -> None:
        """Write a signed sample message set for an enterprise: only documents it may declare, sent as itself."""
        signer = _signer(key, certificate, register_certificate)
        try:
            written = write_sample_set(state.context(), enterprise, out, signer=signer, register=register_certificate)
        except DomainError as exc:
            fail(exc)
        shown = console()
        table = Table("file", "message", "document", "signed", title=f"样例报文 / sample set of {written.enterprise}")
        for file in written.files:
            table.add_row(escape(str(file.path)), file.message_type, file.document, "yes" if file.signed else "no")
        shown.print(table)
        if written.certificate_serial:
            shown.print(
                f"Registered throw-away certificate {written.certificate_serial} for {written.enterprise}; key "
                f"{escape(str(written.key_file))}, certificate {escape(str(written.certificate_file))} (tests only)."
            )
        if written.stand_ins:
            shown.print(f"[yellow]note:[/yellow] no filed enterprise plays {', '.join(written.stand_ins)}")
        first = written.files[0].path
        shown.print(
            "Send it with an API key of an enterprise_user of "
            f"{written.enterprise} (scope ceb.submit):\n"
            f'  curl -X POST -H "Authorization: Bearer $KEY" --data-binary @{escape(str(first))} '
            "http://127.0.0.1:8000/ceb"
        )
