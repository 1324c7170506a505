"""`cbec ingest` and `cbec check` with zip archives: members read one at a time, damaged archives exit 2."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state


@pytest.fixture
def cli(zone: Zone):  # type: ignore[no-untyped-def]
    state._ctx = zone.ctx
    yield CliRunner(env={"COLUMNS": "200"})
    state._ctx = None


def test_a_damaged_zip_is_reported_and_exits_2(cli: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = cli.invoke(app, ["check", str(broken)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "FMT-ZIP file: 压缩包无法打开 / the zip file cannot be opened" in " ".join(result.output.split())


def test_a_bomb_member_is_refused_and_the_others_are_checked(zone: Zone, cli: CliRunner, tmp_path: Path) -> None:
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"max_message_bytes": 4096})
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("a-bomb.xml", b"\0" * 5_000_000)
        bundle.writestr("b.xml", b"<not-ceb/>")
    result = cli.invoke(app, ["check", str(archive)])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "batch.zip:a-bomb.xml: FMT-ZIP-SIZE a-bomb.xml: 报文超过 4096 字节" in output
    wide = cli.invoke(app, ["check", str(archive)], env={"COLUMNS": "200"})
    assert "format error (CEB900)" in " ".join(wide.output.split())  # b.xml was checked
