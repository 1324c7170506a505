"""The pages' multipart reader (cbec.web.uploads): text fields, files byte for byte, and what it refuses."""

from __future__ import annotations

import pytest

from cbec.common.errors import InvalidInput
from cbec.web.uploads import MAX_PARTS, parse_multipart

BOUNDARY = "----cbecTestBoundary7MA4YWxk"
TYPE = f"multipart/form-data; boundary={BOUNDARY}"
BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\r\n--" + BOUNDARY.encode()[:-1] + b"\r\n\r"


def part(name: str, value: bytes, *, filename: str | None = None, content_type: str | None = None) -> bytes:
    disposition = f'Content-Disposition: form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = disposition.encode() + (f"\r\nContent-Type: {content_type}".encode() if content_type else b"")
    return b"--" + BOUNDARY.encode() + b"\r\n" + head + b"\r\n\r\n" + value + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--" + BOUNDARY.encode() + b"--\r\n"


def test_fields_and_files_come_back_exactly() -> None:
    found = parse_multipart(
        TYPE,
        body(
            part("csrf_token", b"tok"),
            part("reason", "处罚决定已撤销\r\n第二行".encode()),
            part("reason", b"second value ignored"),
            part("evidence_file", BINARY, filename="证明.png", content_type="image/png"),
            part("other_file", b"", filename="", content_type="application/octet-stream"),  # a file input left empty
        ),
    )
    assert found.text == {"csrf_token": "tok", "reason": "处罚决定已撤销\r\n第二行"}
    assert list(found.files) == ["evidence_file"]
    upload = found.files["evidence_file"]
    assert (upload.filename, upload.content_type, upload.content) == ("证明.png", "image/png", BINARY)
    assert found.get("missing") == "" and found.get("missing", "x") == "x"


@pytest.mark.parametrize(
    ("content_type", "payload"),
    [
        ("multipart/form-data", body(part("a", b"1"))),  # no boundary: not read as multipart
        (TYPE, body(part("note", b"a\x00b"))),  # a NUL in a text field
        (TYPE, body(*(part(f"f{n}", b"1") for n in range(MAX_PARTS + 1)))),
    ],
)
def test_a_body_that_is_not_a_small_clean_form_is_refused(content_type: str, payload: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_multipart(content_type, payload)
    assert [p.rule_id for p in refused.value.problems] == ["FMT-FORM"]
