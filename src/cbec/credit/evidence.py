"""Evidence files (证明材料) of repair applications, objections and facts, pure rules.

A file is sent with its name, content type and content (base64 in JSON). It is accepted when it decodes, is at most
``MAX_BYTES`` (700 KB), is of an accepted type whose leading bytes it really has (a PDF starts ``%PDF-``, a JPEG
``FF D8 FF``, a PNG ``89 PNG``), and — when a digest is also given — its SHA-256 is that digest. The digest
recorded on the application or fact is then the file's own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cbec.common.errors import Problem
from cbec.credit.errors import problem

MAX_BYTES = 700 * 1024  # base64 in a JSON body stays under the API's 1 MiB body limit (Settings.max_body_bytes)
TYPES = {"application/pdf": (b"%PDF-",), "image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",)}


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A checked evidence file."""

    filename: str
    content_type: str
    content: bytes
    sha256: str


def check_file(
    filename: str, content_type: str, data: str, declared: str | None, field: str = "evidence_file"
) -> tuple[EvidenceFile | None, list[Problem]]:
    """Return the checked file, or every problem found."""
    problems: list[Problem] = []
    name = filename.strip()
    if not name or len(name) > 200 or any(c in name for c in "/\\\x00"):
        problems.append(
            problem(
                "CRD-EVIDENCE-FILE",
                f"{field}.filename",
                "文件名无效",
                "the file name is empty, too long or holds a path",
                "Give the file's own name (≤ 200 characters).",
            )
        )
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        content = None
    if content is None or not content:
        problems.append(
            problem(
                "CRD-EVIDENCE-FILE",
                f"{field}.data",
                "文件内容不是有效的 base64",
                "data is not base64 of a non-empty file",
                "Send the file's bytes, base64-encoded.",
            )
        )
        return None, problems
    if len(content) > MAX_BYTES:
        problems.append(
            problem(
                "CRD-EVIDENCE-SIZE",
                f"{field}.data",
                f"文件超过 {MAX_BYTES // 1024} KB",
                f"the file is over {MAX_BYTES} bytes",
                "Send a smaller scan (PDF, JPEG or PNG).",
            )
        )
    kind = content_type.strip().lower()
    if kind not in TYPES or not content.startswith(TYPES[kind]):
        problems.append(
            problem(
                "CRD-EVIDENCE-TYPE",
                f"{field}.content_type",
                "只接受 PDF、JPEG 或 PNG 文件，且内容须与类型一致",
                f"{content_type!r} is not accepted or the content is not of that type",
                "application/pdf, image/jpeg or image/png.",
            )
        )
    digest = hashlib.sha256(content).hexdigest()
    if declared and declared.strip().lower() != digest:
        problems.append(
            problem(
                "CRD-EVIDENCE-DIGEST",
                "evidence_sha256",
                "摘要与文件不符",
                f"evidence_sha256 is not the file's SHA-256 ({digest})",
                "Leave the digest out (the file's own is recorded) or send the matching file.",
            )
        )
    if problems:
        return None, problems
    return EvidenceFile(name, kind, content, digest), []
