"""Contract of `cbec audit checkpoint` and `cbec audit verify --checkpoint`: exit 0 ok, 1 failed, 2 usage error."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.audit_guard import triggers_lifted
from typer.testing import CliRunner

from cbec.audit import record_audit
from cbec.cli.main import app
from cbec.cli.state import state
from cbec.storage.context import Context

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def cli(ctx: Context) -> Iterator[CliRunner]:
    state._ctx = ctx
    yield CliRunner()
    state._ctx = None


def write(ctx: Context, *keys: str) -> None:
    with ctx.uow() as uow:
        for key in keys:
            record_audit(uow.session, at=AT, actor="officer", action="x.y.done", entity_type="t", entity_key=key)
        uow.commit()


def one_line(output: str) -> str:
    return " ".join(output.split())


def test_checkpoint_appends_a_signed_line_and_verify_holds_the_chain_to_it(
    ctx: Context, cli: CliRunner, tmp_path: Path
) -> None:
    write(ctx, "A", "B")
    out = tmp_path / "anchors" / "audit.checkpoints"
    first = cli.invoke(app, ["audit", "checkpoint", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "checkpoint written (已写入检查点)" in one_line(first.output)
    write(ctx, "C")
    assert cli.invoke(app, ["audit", "checkpoint", "--out", str(out)]).exit_code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(c["seq"], c["records"], c["keyed_from"], c["at"]) for c in lines] == [
        (2, 2, 1, "2026-03-02T10:00:00+08:00"),
        (3, 3, 1, "2026-03-02T10:00:00+08:00"),
    ]
    assert sorted(lines[0]) == [
        "at",
        "hash",
        "journal",
        "key_id",
        "keyed_from",
        "mac",
        "record_id",
        "records",
        "seq",
        "type",
        "v",
    ]
    verified = cli.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert verified.exit_code == 0, verified.output
    text_out = one_line(verified.output)
    assert "audit chain intact (审计链完整): 3 records; head seq 3" in text_out
    assert "2 signed checkpoints hold (已签名检查点均吻合)" in text_out


def test_verify_names_the_first_missing_position_after_tail_truncation(
    ctx: Context, cli: CliRunner, tmp_path: Path
) -> None:
    write(ctx, "A", "B")
    write(ctx, "C", "D")  # two transactions: the second one's records are cut off whole, seal and all
    out = tmp_path / "audit.checkpoints"
    assert cli.invoke(app, ["audit", "checkpoint", "--out", str(out)]).exit_code == 0
    with triggers_lifted(ctx.engine) as conn:
        second = conn.execute(text("SELECT id, hash FROM audit_record WHERE seq = 2")).one()
        conn.execute(text("DELETE FROM audit_record WHERE seq > 2"))
        conn.execute(
            text("UPDATE journal_head SET last_seq = 2, last_hash = :h, last_row_id = :i WHERE name = 'audit'"),
            {"h": second.hash, "i": second.id},
        )
    alone = cli.invoke(app, ["audit", "verify"])
    assert alone.exit_code == 0 and "no checkpoint given" in alone.output
    failed = cli.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert failed.exit_code == 1
    assert "audit chain broken at seq 3 (审计链断裂): records with seq 3..4 are missing" in one_line(failed.output)
    refused = cli.invoke(app, ["audit", "checkpoint", "--out", str(out)])
    assert refused.exit_code == 1 and "no checkpoint written (未写入检查点)" in refused.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_a_forged_checkpoint_line_fails_with_exit_1(ctx: Context, cli: CliRunner, tmp_path: Path) -> None:
    write(ctx, "A", "B")
    out = tmp_path / "audit.checkpoints"
    assert cli.invoke(app, ["audit", "checkpoint", "--out", str(out)]).exit_code == 0
    line = json.loads(out.read_text(encoding="utf-8"))
    out.write_text(json.dumps({**line, "hash": "0" * 64}) + "\n", encoding="utf-8")
    failed = cli.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert failed.exit_code == 1
    assert (
        "audit chain broken at seq 2 (审计链断裂): checkpoint line 1 (seq 2): the signature does not match"
        " (forged or altered)" in one_line(failed.output)
    )
    assert "第 1 行检查点（第 2 条）：签名不符（伪造或被改动）" in failed.output
    out.write_text("not json\n", encoding="utf-8")
    garbage = cli.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert garbage.exit_code == 1
    assert "audit chain broken at the checkpoint file (审计链断裂): line 1 is not a checkpoint" in one_line(
        garbage.output
    )


def test_usage_errors_exit_2(ctx: Context, cli: CliRunner, tmp_path: Path) -> None:
    missing = cli.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "absent")])
    assert missing.exit_code == 2
    assert f"checkpoint file {tmp_path / 'absent'} does not exist" in one_line(missing.stderr)
    no_target = cli.invoke(app, ["audit", "checkpoint"])
    assert no_target.exit_code == 2
    assert "give --out FILE or set CBEC_AUDIT_CHECKPOINT_FILE" in no_target.stderr
    directory = cli.invoke(app, ["audit", "checkpoint", "--out", str(tmp_path)])
    assert directory.exit_code == 2 and "is a directory" in directory.stderr
    assert cli.invoke(app, ["audit", "verify", "--bogus"]).exit_code == 2


def test_the_checkpoint_file_setting_is_the_default_of_both_commands(
    ctx: Context, cli: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "default.checkpoints"
    ctx.settings = ctx.settings.model_copy(update={"audit_checkpoint_file": out})
    write(ctx, "A")
    assert cli.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    verified = cli.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0 and "1 signed checkpoints hold" in verified.output


def test_an_unusable_audit_key_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBEC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CBEC_DATA_KEY", base64.b64encode(b"k" * 32).decode())
    monkeypatch.setenv("CBEC_AUDIT_KEY", base64.b64encode(b"short").decode())
    state._ctx = None
    result = CliRunner().invoke(app, ["audit", "verify"])
    state._ctx = None
    assert result.exit_code == 2
    assert "CBEC_AUDIT_KEY must hold 32 bytes, base64-encoded (it holds 5)" in one_line(result.stderr)
