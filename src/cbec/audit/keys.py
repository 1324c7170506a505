"""The audit key (审计密钥): where it comes from, and which database engine writes and checks with it.

The key is held outside the database: ``CBEC_AUDIT_KEY`` (base64, 32 bytes), or ``CBEC_AUDIT_KEY_FILE`` (a file
holding that base64 text), or — the embedded default — ``audit.key`` in the data directory, made once with mode
0600 and announced in the log. The composition root binds the key to the engine it builds
(``bind_audit_key``); the sealing of the chain at commit and ``cbec audit verify`` both take it from the engine
their session runs on (``key_for``), so the records are written and checked under the same key. An engine
nobody bound (a test harness, a tool that builds its own engine) uses the key of the process-wide settings.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import weakref
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cbec.audit.errors import AuditKeyError
from cbec.audit.rules import ChainKey
from cbec.config import Settings, get_settings

log = logging.getLogger(__name__)

KEY_FILE_NAME = "audit.key"
_BOUND: weakref.WeakKeyDictionary[Engine, ChainKey] = weakref.WeakKeyDictionary()
_DEFAULT: list[ChainKey] = []


def load_audit_key(settings: Settings) -> ChainKey:
    """Return the audit key the settings name, making the local key file on first use when none is set."""
    if settings.audit_key is not None and settings.audit_key_file is not None:
        raise AuditKeyError(
            "set CBEC_AUDIT_KEY or CBEC_AUDIT_KEY_FILE, not both / CBEC_AUDIT_KEY 与 CBEC_AUDIT_KEY_FILE 只能设置一个"
        )
    if settings.audit_key is not None:
        return _decode(settings.audit_key.get_secret_value(), "CBEC_AUDIT_KEY")
    if settings.audit_key_file is not None:
        return _decode(_read(settings.audit_key_file), f"CBEC_AUDIT_KEY_FILE {settings.audit_key_file}")
    path = Path(settings.data_dir) / KEY_FILE_NAME
    if not path.exists():
        _create(path)
    return _decode(_read(path), str(path))


def _create(path: Path) -> None:
    """Make the key file atomically: written whole under a temporary name, then linked into place.

    Processes starting together (the workers of `cbec serve`) race here; the first link wins, the others read it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(os.urandom(32)) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:  # another process made it first: use theirs
        return
    finally:
        temporary.unlink(missing_ok=True)
    log.warning(
        "made a new audit key at %s: keep a copy away from the database, and set CBEC_AUDIT_KEY (or"
        " CBEC_AUDIT_KEY_FILE) on every host that writes or verifies the audit chain / 已生成审计密钥 %s，"
        "请在数据库以外另存副本",
        path.resolve(),
        path.resolve(),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(
            f"cannot read the audit key file {path}: {exc} / 无法读取审计密钥文件 {path}", path=str(path)
        ) from exc


def _decode(text: str, where: str) -> ChainKey:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AuditKeyError(f"{where} is not base64 / {where} 不是 base64 编码") from exc
    if len(secret) != 32:
        raise AuditKeyError(
            f"{where} must hold 32 bytes, base64-encoded (it holds {len(secret)}) / {where} 须为 32 字节的 base64 编码"
        )
    return ChainKey(secret)


def bind_audit_key(engine: Engine, key: ChainKey) -> None:
    """Make this the key under which records written and checked through this engine are sealed."""
    _BOUND[engine] = key


def key_for(bind: Session | Connection | Engine) -> ChainKey:
    """Return the audit key of the engine a session or connection runs on (the process default if unbound)."""
    if isinstance(bind, Session):
        bind = bind.get_bind()
    engine = bind.engine
    key = _BOUND.get(engine)
    if key is not None:
        return key
    if not _DEFAULT:
        _DEFAULT.append(load_audit_key(get_settings()))
    return _DEFAULT[0]
