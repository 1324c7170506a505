"""Zip archives of CEB messages (报文压缩包), read one member at a time within fixed budgets.

Used by the workspace upload and ``cbec ingest``. The sizes a zip declares are not trusted: every member is
decompressed in chunks and the bytes actually produced are counted, against the largest message
(``max_member_bytes``) and against the whole archive's budget (``max_total_bytes``), so a zip bomb costs at
most one chunk past a limit. An archive that cannot be opened is an ``ArchiveRefused`` (``FMT-ZIP``); a member
that cannot be read (encrypted, corrupt, too large) comes back as a problem in its place and the reading goes
on; the budget or the entry count running out ends the reading with a last problem.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO

from cbec.common.errors import InvalidInput, Problem

RULE_ZIP = "FMT-ZIP"
RULE_ZIP_MEMBER = "FMT-ZIP-MEMBER"
RULE_ZIP_SIZE = "FMT-ZIP-SIZE"
RULE_ZIP_BUDGET = "FMT-ZIP-BUDGET"
RULE_ZIP_ENTRIES = "FMT-ZIP-ENTRIES"
RULE_ZIP_EMPTY = "FMT-ZIP-EMPTY"
_CHUNK = 64 * 1024
_HINT = "上传 CEB XML 报文、DxpMsg 或它们的 zip 压缩包（不加密）/ upload CEB XML files, a DxpMsg or a plain zip"
# Everything zipfile and zlib raise on a damaged, truncated or unsupported archive.
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError)


class ArchiveRefused(InvalidInput):
    """The archive as a whole cannot be read; ``problems`` says why."""


@dataclass(frozen=True, slots=True)
class Member:
    """One XML member: its bytes, or the problem that kept it from being read."""

    name: str
    data: bytes | None = None
    problem: Problem | None = None

    @property
    def content(self) -> bytes | Problem:
        """Return the bytes, or the problem in their place."""
        if self.data is not None:
            return self.data
        assert self.problem is not None
        return self.problem


@dataclass(frozen=True, slots=True)
class Budget:
    """Limits of one archive."""

    max_member_bytes: int
    max_total_bytes: int
    max_entries: int = 500


def is_zip(name: str, head: bytes) -> bool:
    """Tell whether an upload is a zip archive, by its name or its first bytes."""
    return name.lower().endswith(".zip") or head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")


def problem(rule: str, field: str, message: str) -> Problem:
    """Return an archive problem with the common hint."""
    return Problem(rule, field, message, _HINT)


def read_members(source: bytes | Path | IO[bytes], budget: Budget) -> Iterator[Member]:
    """Yield the archive's XML members in name order, each read whole only when it fits the budget.

    Raise ``ArchiveRefused`` when the archive cannot be opened or holds no XML member.
    """
    stream: Path | IO[bytes] = BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        archive = zipfile.ZipFile(stream)
        infos = sorted(
            (i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".xml")),
            key=lambda i: i.filename,
        )
    except _READ_ERRORS as exc:
        raise ArchiveRefused(
            "the zip file cannot be opened",
            problems=[problem(RULE_ZIP, "file", f"压缩包无法打开 / the zip file cannot be opened ({_reason(exc)})")],
        ) from None
    with archive:
        if not infos:
            raise ArchiveRefused(
                "no XML file in the zip",
                problems=[problem(RULE_ZIP_EMPTY, "file", "压缩包中没有 XML 报文 / no XML file in the zip")],
            )
        spent = 0
        for index, info in enumerate(infos):
            if index == budget.max_entries:
                yield Member(
                    info.filename,
                    problem=problem(
                        RULE_ZIP_ENTRIES,
                        "file",
                        f"只处理前 {budget.max_entries} 个报文 / only the first {budget.max_entries} messages are read",
                    ),
                )
                return
            member = _read_one(archive, info, budget.max_member_bytes, budget.max_total_bytes - spent)
            spent += len(member.data or b"")
            if member.problem is not None and member.problem.rule_id == RULE_ZIP_BUDGET:
                yield member
                return
            yield member


def _read_one(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_member: int, remaining: int) -> Member:
    name = info.filename
    if info.flag_bits & 0x1:
        return Member(name, problem=problem(RULE_ZIP_MEMBER, name, "压缩包成员已加密 / the member is encrypted"))
    if info.file_size > max_member:
        return Member(name, problem=_too_large(name, max_member))
    if info.file_size > remaining:
        return Member(name, problem=_over_budget(name))
    parts: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_member:  # the declared size lied: a bomb, or a damaged header
                    return Member(name, problem=_too_large(name, max_member))
                if size > remaining:
                    return Member(name, problem=_over_budget(name))
                parts.append(chunk)
    except _READ_ERRORS as exc:
        return Member(
            name,
            problem=problem(RULE_ZIP_MEMBER, name, f"压缩包成员无法读取 / the member cannot be read ({_reason(exc)})"),
        )
    return Member(name, data=b"".join(parts))


def _too_large(name: str, limit: int) -> Problem:
    return problem(RULE_ZIP_SIZE, name, f"报文超过 {limit} 字节 / the message is larger than {limit} bytes")


def _over_budget(name: str) -> Problem:
    return problem(
        RULE_ZIP_BUDGET,
        name,
        "压缩包解压后超过总量上限，其余成员未处理 / the zip decompresses to more than its budget; the remaining"
        " members were not read",
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
