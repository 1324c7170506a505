"""The audit key's sources (setting, file, the embedded default) and the signed checkpoint lines."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from cbec.audit.checkpoint import Checkpoint, CheckpointProblem, read_line, read_lines, signed_line
from cbec.audit.errors import AuditKeyError
from cbec.audit.keys import bind_audit_key, key_for, load_audit_key
from cbec.audit.rules import ChainKey
from cbec.config import Settings

SECRET = b"s" * 32
ENCODED = base64.b64encode(SECRET).decode()
KEY = ChainKey(SECRET)


def settings(tmp_path: Path, **changes: object) -> Settings:
    return Settings(data_dir=tmp_path, **changes)  # type: ignore[arg-type]


def test_the_key_comes_from_the_setting_or_a_key_file(tmp_path: Path) -> None:
    assert load_audit_key(settings(tmp_path, audit_key=SecretStr(ENCODED))) == KEY
    path = tmp_path / "elsewhere.key"
    path.write_text(ENCODED + "\n", encoding="ascii")
    assert load_audit_key(settings(tmp_path, audit_key_file=path)) == KEY
    assert not (tmp_path / "audit.key").exists()


def test_the_embedded_default_is_made_once_with_mode_0600_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="cbec.audit.keys"):
        first = load_audit_key(settings(tmp_path / "var"))
    path = tmp_path / "var" / "audit.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [f"made a new audit key at {path.resolve()}"]
    caplog.clear()
    assert load_audit_key(settings(tmp_path / "var")) == first
    assert caplog.records == []
    assert len(base64.b64decode(path.read_text(encoding="ascii"))) == 32


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"audit_key": SecretStr("not base64!")}, "CBEC_AUDIT_KEY is not base64 / CBEC_AUDIT_KEY 不是 base64 编码"),
        (
            {"audit_key": SecretStr(base64.b64encode(b"x" * 16).decode())},
            "CBEC_AUDIT_KEY must hold 32 bytes, base64-encoded (it holds 16)"
            " / CBEC_AUDIT_KEY 须为 32 字节的 base64 编码",
        ),
        (
            {"audit_key": SecretStr(ENCODED), "audit_key_file": Path("k")},
            "set CBEC_AUDIT_KEY or CBEC_AUDIT_KEY_FILE, not both / CBEC_AUDIT_KEY 与 CBEC_AUDIT_KEY_FILE 只能设置一个",
        ),
    ],
)
def test_an_unusable_key_is_a_typed_error(tmp_path: Path, changes: dict[str, object], message: str) -> None:
    with pytest.raises(AuditKeyError) as caught:
        load_audit_key(settings(tmp_path, **changes))
    assert caught.value.message == message


def test_a_missing_key_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(AuditKeyError, match="cannot read the audit key file"):
        load_audit_key(settings(tmp_path, audit_key_file=tmp_path / "absent.key"))


def test_the_key_follows_the_engine_a_session_runs_on() -> None:
    engine = create_engine("sqlite://")
    bind_audit_key(engine, KEY)
    with Session(engine) as session:
        assert key_for(session) is KEY
    with engine.connect() as conn:
        assert key_for(conn) is KEY
    engine.dispose()


CHECKPOINT = Checkpoint(7, 42, "ab" * 32, 7, 3, "2026-03-02T10:00:00+08:00", KEY.key_id)


def test_a_signed_line_reads_back_and_any_change_to_it_is_refused() -> None:
    line = signed_line(CHECKPOINT, KEY)
    assert read_line(1, line, KEY) == CHECKPOINT
    data = json.loads(line)
    for field, value in (("seq", 8), ("hash", "cd" * 32), ("records", 9), ("keyed_from", None), ("record_id", 41)):
        forged = json.dumps({**data, field: value})
        assert read_line(3, forged, KEY) == CheckpointProblem(
            3,
            8 if field == "seq" else 7,
            f"checkpoint line 3 (seq {8 if field == 'seq' else 7}): the signature does not match (forged or altered)",
            f"第 3 行检查点（第 {8 if field == 'seq' else 7} 条）：签名不符（伪造或被改动）",
        )


@pytest.mark.parametrize(
    "text",
    ["", "[]", '{"seq": 1}', json.dumps({"type": "x"})],
)
def test_what_is_not_a_checkpoint_is_named_by_its_line(text: str) -> None:
    assert read_line(2, text, KEY) == CheckpointProblem(2, None, "line 2 is not a checkpoint", "第 2 行不是检查点")


def test_checkpoints_may_not_contradict_each_other_and_blank_lines_are_skipped() -> None:
    later = Checkpoint(9, 44, "ef" * 32, 9, 3, "2026-03-03T10:00:00+08:00", KEY.key_id)
    lines = [signed_line(CHECKPOINT, KEY), "", signed_line(later, KEY)]
    assert read_lines(lines, KEY) == ([CHECKPOINT, later], None)
    found, problem = read_lines([signed_line(later, KEY), signed_line(CHECKPOINT, KEY)], KEY)
    assert (found, problem) == (
        [later],
        CheckpointProblem(
            2,
            7,
            "checkpoint line 2 (seq 7) contradicts an earlier checkpoint (seq 9)",
            "第 2 行检查点（第 7 条）与较早的检查点（第 9 条）矛盾",
        ),
    )
