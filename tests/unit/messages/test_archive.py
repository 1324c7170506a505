"""Zip archives of CEB messages read one member at a time, within budgets that decompressed sizes cannot lie to."""

from __future__ import annotations

import struct
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from cbec.messages.archive import ArchiveRefused, Budget, Member, read_members

BUDGET = Budget(max_member_bytes=1000, max_total_bytes=2500, max_entries=3)


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def lying(members: dict[str, bytes], declared: int) -> bytes:
    """A zip whose local and central headers declare every member ``declared`` bytes long (a zip bomb's lie)."""
    data = bytearray(zip_of(members, zipfile.ZIP_STORED if declared < 0 else zipfile.ZIP_DEFLATED))
    size = abs(declared)
    offset = 0
    while (found := data.find(b"PK\x03\x04", offset)) >= 0:  # local headers: uncompressed size at +22
        struct.pack_into("<I", data, found + 22, size)
        offset = found + 4
    offset = 0
    while (found := data.find(b"PK\x01\x02", offset)) >= 0:  # central directory: uncompressed size at +24
        struct.pack_into("<I", data, found + 24, size)
        offset = found + 4
    return bytes(data)


def outline(members: list[Member]) -> list[tuple[str, int | None, str | None]]:
    return [(m.name, len(m.data) if m.data is not None else None, m.problem and m.problem.rule_id) for m in members]


def test_members_come_in_name_order_xml_only() -> None:
    body = zip_of({"b.xml": b"<b/>", "a.xml": b"<a/>", "notes.txt": b"x", "dir/c.XML": b"<c/>"})
    assert outline(list(read_members(body, BUDGET))) == [
        ("a.xml", 4, None),
        ("b.xml", 4, None),
        ("dir/c.XML", 4, None),
    ]


def test_a_member_over_the_message_limit_is_a_problem_and_the_rest_is_read() -> None:
    body = zip_of({"a.xml": b"x" * 1001, "b.xml": b"<b/>"})
    members = list(read_members(body, BUDGET))
    assert outline(members) == [("a.xml", None, "FMT-ZIP-SIZE"), ("b.xml", 4, None)]
    assert members[0].problem is not None
    assert members[0].problem.message == "报文超过 1000 字节 / the message is larger than 1000 bytes"


def test_a_bomb_that_declares_a_small_size_is_read_no_further_and_refused() -> None:
    body = lying({"bomb.xml": b"\0" * 5_000_000}, declared=10)
    [member] = read_members(body, BUDGET)
    assert outline([member]) == [("bomb.xml", None, "FMT-ZIP-MEMBER")]
    assert member.problem is not None
    assert member.problem.message == "压缩包成员无法读取 / the member cannot be read (Bad CRC-32 for file 'bomb.xml')"


def test_a_bomb_that_declares_its_size_is_refused_unread() -> None:
    body = zip_of({"bomb.xml": b"\0" * 5_000_000})
    assert len(body) < 10_000
    assert outline(list(read_members(body, BUDGET))) == [("bomb.xml", None, "FMT-ZIP-SIZE")]


def test_the_total_budget_ends_the_reading() -> None:
    body = zip_of({"a.xml": b"a" * 900, "b.xml": b"b" * 900, "c.xml": b"c" * 900})
    assert outline(list(read_members(body, BUDGET))) == [
        ("a.xml", 900, None),
        ("b.xml", 900, None),
        ("c.xml", None, "FMT-ZIP-BUDGET"),
    ]


def test_only_the_first_entries_are_read() -> None:
    body = zip_of({f"{n}.xml": b"<x/>" for n in range(5)})
    assert outline(list(read_members(body, BUDGET))) == [
        ("0.xml", 4, None),
        ("1.xml", 4, None),
        ("2.xml", 4, None),
        ("3.xml", None, "FMT-ZIP-ENTRIES"),
    ]


@pytest.mark.parametrize(
    "body",
    [b"PK\x03\x04broken", b"", zip_of({"a.xml": b"<a/>" * 100})[:60]],
    ids=["garbage", "empty", "truncated"],
)
def test_an_archive_that_cannot_be_opened_is_refused(body: bytes) -> None:
    with pytest.raises(ArchiveRefused) as refused:
        list(read_members(body, BUDGET))
    [problem] = refused.value.problems
    assert (problem.rule_id, problem.field) == ("FMT-ZIP", "file")
    assert problem.message.startswith("压缩包无法打开 / the zip file cannot be opened (")


def test_an_archive_without_xml_is_refused() -> None:
    with pytest.raises(ArchiveRefused) as refused:
        list(read_members(zip_of({"readme.txt": b"hi"}), BUDGET))
    assert [p.rule_id for p in refused.value.problems] == ["FMT-ZIP-EMPTY"]


def test_encrypted_and_corrupt_members_are_problems_in_their_place() -> None:
    data = bytearray(zip_of({"a.xml": b"<a/>" * 50, "b.xml": b"<b/>" * 50, "c.xml": b"<c/>"}))
    header = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, header + 6, 1)  # a.xml: the encrypted flag, in both headers
    struct.pack_into("<H", data, central + 8, 1)
    second = data.find(b"PK\x03\x04", header + 4)
    data[second + 30 + len("b.xml") + 2] ^= 0xFF  # b.xml: a flipped byte in the deflated stream
    assert outline(list(read_members(bytes(data), BUDGET))) == [
        ("a.xml", None, "FMT-ZIP-MEMBER"),
        ("b.xml", None, "FMT-ZIP-MEMBER"),
        ("c.xml", 4, None),
    ]


def test_an_archive_on_disk_is_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "batch.zip"
    path.write_bytes(zip_of({"a.xml": b"<a/>"}))
    assert outline(list(read_members(path, BUDGET))) == [("a.xml", 4, None)]
