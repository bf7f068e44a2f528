"""Word documents: reading order, and hostile files refused before anything is inflated."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from core.engine import docx_reader
from core.engine.docx_reader import CFB_MAGIC, read_docx_text
from core.engine.model import Limits
from core.engine.scripts import read_script_file, sniff_script
from core.errors import ErrorCode, VoiceoverError

LIMITS = Limits()


def make_docx(path: Path) -> Path:
    """A normal document: heading, paragraphs, a table with a merged cell, a closing line."""
    document = docx.Document()
    document.add_heading("Aurora launch", level=1)
    document.add_paragraph("Meet Aurora, our fastest bike.")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Speed"
    table.cell(0, 1).text = "45 km/h"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Costs $1,299.99"
    document.add_paragraph("Order today.")
    document.save(str(path))
    return path


def rewrite_part(source: Path, dest: Path, part: str, content: bytes) -> Path:
    """A copy of a .docx with one part's bytes replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, content if info.filename == part else old.read(info))
    return dest


def patch_central_directory(
    path: Path, entry: str, *, size: int | None = None, flags: int | None = None
) -> None:
    """Change an entry's declared uncompressed size or flag bits in the zip's central directory."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length].decode() == entry:
            if size is not None:
                data[at + 24 : at + 28] = size.to_bytes(4, "little")
            if flags is not None:
                data[at + 8 : at + 10] = flags.to_bytes(2, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def refused(path: Path, limits: Limits = LIMITS) -> VoiceoverError:
    """The error read_script_file raises for the file."""
    with pytest.raises(VoiceoverError) as caught:
        read_script_file(path, limits, path.name)
    return caught.value


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A normal .docx, shared read-only."""
    return make_docx(tmp_path_factory.mktemp("docx") / "script.docx")


def test_paragraphs_and_table_cells_in_reading_order(sample: Path) -> None:
    script = read_script_file(sample, LIMITS)
    assert [cue.text for cue in script.cues] == [
        "Aurora launch",
        "Meet Aurora, our fastest bike.",
        "Speed",
        "45 km/h",
        "Costs $1,299.99",
        "Order today.",
    ]
    assert not script.timed


def test_docx_is_recognised_by_content(sample: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "upload.bin"
    renamed.write_bytes(sample.read_bytes())
    assert sniff_script(sample) == sniff_script(renamed) == "docx"
    assert read_script_file(renamed, LIMITS).cues[0].text == "Aurora launch"


def test_content_controls_and_inline_timestamps(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("[0:02] Meet Aurora.")
    document.add_paragraph("[0:06] Order today.")
    path = tmp_path / "timed.docx"
    document.save(str(path))
    body = zipfile.ZipFile(path).read("word/document.xml").decode()
    sdt = "<w:sdt><w:sdtContent><w:p><w:r><w:t>[0:04] Inside a control.</w:t></w:r></w:p>"
    body = body.replace("<w:sectPr", sdt + "</w:sdtContent></w:sdt><w:sectPr", 1)
    rewritten = rewrite_part(path, tmp_path / "sdt.docx", "word/document.xml", body.encode())
    script = read_script_file(rewritten, LIMITS)
    assert [(c.text, c.start_s) for c in script.cues] == [
        ("Meet Aurora.", 2.0),
        ("Inside a control.", 4.0),
        ("Order today.", 6.0),
    ]


XXE = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>Leak: &xxe;</w:t></w:r></w:p></w:body></w:document>"""


def test_xxe_does_not_leak_local_files(sample: Path, tmp_path: Path) -> None:
    hostile = rewrite_part(sample, tmp_path / "xxe.docx", "word/document.xml", XXE)
    with pytest.raises(VoiceoverError) as caught:
        read_docx_text(hostile, LIMITS)
    assert caught.value.code == ErrorCode.BAD_SCRIPT
    message = caught.value.message()
    assert "document type declaration" in message
    assert "root:" not in message and "/bin/" not in message


def test_declared_size_bomb_is_refused_before_inflating(sample: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(sample.read_bytes())
    patch_central_directory(bomb, "word/styles.xml", size=4_000_000_000)
    error = refused(bomb)
    assert error.code == ErrorCode.BAD_SCRIPT
    assert "unpacks to 4.0 GB" in error.message()


def test_oversized_document_part_is_refused(sample: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.docx"
    big.write_bytes(sample.read_bytes())
    patch_central_directory(big, "word/document.xml", size=30_000_000)
    assert "text part unpacks to 30 MB" in refused(big).message()


def test_high_compression_ratio_is_refused(sample: Path, tmp_path: Path) -> None:
    zeros = rewrite_part(sample, tmp_path / "ratio.docx", "word/styles.xml", bytes(5_000_000))
    error = refused(zeros)
    assert error.code == ErrorCode.BAD_SCRIPT and "zip bomb" in error.message()


def test_too_many_entries_is_refused(sample: Path, tmp_path: Path) -> None:
    crowded = tmp_path / "crowded.docx"
    crowded.write_bytes(sample.read_bytes())
    with zipfile.ZipFile(crowded, "a") as archive:
        for i in range(docx_reader.CAPS.max_entries):
            archive.writestr(f"extra/part{i}.xml", b"<a/>")
    assert "parts" in refused(crowded).message()


def test_encrypted_entry_is_refused(sample: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked.docx"
    locked.write_bytes(sample.read_bytes())
    patch_central_directory(locked, "word/document.xml", flags=0x1)
    assert "password-protected" in refused(locked).message()


def test_cfb_file_is_an_encrypted_or_legacy_doc(tmp_path: Path) -> None:
    legacy = tmp_path / "old.doc"
    legacy.write_bytes(CFB_MAGIC + bytes(4096))
    assert sniff_script(legacy) == "docx"
    error = refused(legacy)
    assert error.code == ErrorCode.BAD_SCRIPT
    assert "it is password-protected or an old .doc" in error.message()


def test_non_zip_docx_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"\x00\x01garbage\xff" * 100)
    assert sniff_script(fake) == "docx"
    error = refused(fake)
    assert error.code == ErrorCode.BAD_SCRIPT and "not a zip" in error.message()


def test_zip_without_a_document_part_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "no word/document.xml" in refused(path).message()


def test_damaged_document_xml_is_refused(sample: Path, tmp_path: Path) -> None:
    broken = rewrite_part(sample, tmp_path / "broken.docx", "word/document.xml", b"<w:document")
    assert "damaged" in refused(broken).message()


def test_extracted_text_is_capped(tmp_path: Path) -> None:
    document = docx.Document()
    for _ in range(20):
        document.add_paragraph("one two three four five")
    path = tmp_path / "long.docx"
    document.save(str(path))
    error = refused(path, Limits(max_script_words=50))
    assert error.code == ErrorCode.SCRIPT_TOO_LONG and error.fields["limit"] == 50


def test_truncated_zip_is_refused(sample: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.docx"
    cut.write_bytes(sample.read_bytes()[: len(sample.read_bytes()) // 2])
    assert refused(cut).code == ErrorCode.BAD_SCRIPT
