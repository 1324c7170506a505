"""Small multipart forms of the pages (multipart/form-data): a few text fields and at most a few files.

The server has no multipart library installed (``python-multipart``); the standard library's MIME parser reads
the body instead, once the body limit of the route (``cbec.api.middleware``: 1 MiB on pages) has bounded it. A form
sent URL-encoded (no file chosen, or an older page) is read as before (``cbec.web.auth.read_form``), so a route
reads either kind with ``read_fields``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from fastapi import Request

from cbec.common.errors import InvalidInput, Problem
from cbec.web.auth import read_form

MULTIPART = "multipart/form-data"
MAX_PARTS = 20


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent with a form: its name as the browser gave it, its declared type and its bytes."""

    filename: str
    content_type: str
    content: bytes


@dataclass(slots=True)
class Fields:
    """A form's text fields (first value of each) and its non-empty files, by field name."""

    text: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.text.get(name, default)


def _refused(message: str) -> InvalidInput:
    return InvalidInput(
        message,
        problems=[
            Problem(
                "FMT-FORM",
                "body",
                "表单无法读取 / the form could not be read",
                "只提交页面表单中的字段 / submit only the fields of the page's form",
            )
        ],
    )


def parse_multipart(content_type: str, body: bytes) -> Fields:
    """Return the fields and files of a multipart/form-data body; refuse a body that is not one (FMT-FORM)."""
    header = b"Content-Type: " + content_type.encode("latin-1", errors="replace") + b"\r\n\r\n"
    message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise _refused("not a multipart body")
    parts = list(message.iter_parts())
    if len(parts) > MAX_PARTS:
        raise _refused("too many form parts")
    found = Fields()
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            continue
        raw = part.get_payload(decode=True)
        content = raw if isinstance(raw, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if content and name not in found.files:  # a file input left empty sends an empty part
                found.files[name] = Upload(filename, part.get_content_type(), content)
            continue
        text = content.decode("utf-8", errors="replace")
        if "\x00" in text:
            raise _refused("NUL character in a form field")
        found.text.setdefault(name, text)
    return found


async def read_fields(request: Request) -> Fields:
    """Return a page form's fields: multipart (with its files) or URL-encoded (no files)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == MULTIPART:
        return parse_multipart(content_type, await request.body())  # bounded by the route's body limit
    return Fields(text=await read_form(request))


__all__ = ["Fields", "Upload", "parse_multipart", "read_fields"]
