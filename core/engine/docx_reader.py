"""Text from a .docx, checked as a zip before python-docx inflates anything."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import docx
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.types import ProvidesStoryPart

from core.engine.model import Limits
from core.engine.script_text import count_words
from core.errors import ErrorCode, VoiceoverError, too_large
from core.words.numbers import human_size

log = logging.getLogger(__name__)

MB = 1_000_000
ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE compound file: legacy .doc or encrypted
DOCUMENT_PART = "word/document.xml"


@dataclass(frozen=True)
class DocxCaps:
    """Caps checked on the zip's central directory before anything is inflated."""

    max_file_bytes: int = 50 * MB
    max_entries: int = 1000
    max_total_bytes: int = 50 * MB
    max_document_bytes: int = 20 * MB
    max_ratio: float = 100.0  # declared size / compressed size, for entries above 1 MB
    ratio_floor_bytes: int = 1 * MB


CAPS = DocxCaps()


def _refuse(name: str, reason: str) -> VoiceoverError:
    return VoiceoverError(ErrorCode.BAD_SCRIPT, name=name, reason=reason)


def file_magic(path: Path) -> str | None:
    """'zip' or 'cfb' by the file's first bytes, else None."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    return "cfb" if head.startswith(CFB_MAGIC) else None


def is_docx(path: Path, caps: DocxCaps = CAPS) -> bool:
    """True when the file is a zip (within the size cap) holding word/document.xml."""
    try:
        if file_magic(path) != "zip" or path.stat().st_size > caps.max_file_bytes:
            return False
        with zipfile.ZipFile(path) as archive:
            return DOCUMENT_PART in archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def _check_entries(infos: list[zipfile.ZipInfo], name: str, caps: DocxCaps) -> None:
    """Refuse too many entries, encrypted entries, and sizes or ratios over the caps."""
    if len(infos) > caps.max_entries:
        raise _refuse(name, f"it has {len(infos)} parts (the limit is {caps.max_entries})")
    if any(info.flag_bits & 0x1 for info in infos):
        raise _refuse(name, "it is password-protected or an old .doc")
    parts = {info.filename: info for info in infos}
    if DOCUMENT_PART not in parts:
        raise _refuse(name, "it isn't a Word document (no word/document.xml inside)")
    if parts[DOCUMENT_PART].file_size > caps.max_document_bytes:
        size = human_size(parts[DOCUMENT_PART].file_size)
        limit = human_size(caps.max_document_bytes)
        raise _refuse(name, f"its text part unpacks to {size} (the limit is {limit})")
    total = sum(info.file_size for info in infos)
    if total > caps.max_total_bytes:
        size, limit = human_size(total), human_size(caps.max_total_bytes)
        raise _refuse(name, f"it unpacks to {size} (the limit is {limit})")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > caps.ratio_floor_bytes and ratio > caps.max_ratio:
            raise _refuse(name, "it is compressed suspiciously hard (a zip bomb?)")


def check_docx(path: Path, name: str, caps: DocxCaps = CAPS) -> None:
    """Refuse a .docx that is not a zip, is encrypted or legacy, or declares hostile sizes."""
    size = path.stat().st_size
    if size > caps.max_file_bytes:
        raise too_large(name, size, caps.max_file_bytes)
    magic = file_magic(path)
    if magic == "cfb":
        raise _refuse(name, "it is password-protected or an old .doc")
    if magic != "zip":
        raise _refuse(name, "it isn't a real .docx (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(name, "it is a damaged zip archive") from exc
    _check_entries(infos, name, caps)


def _block_texts(parent: BaseOxmlElement, story: ProvidesStoryPart) -> Iterator[str]:
    """Paragraph and table-cell text under a body or cell element, in reading order."""
    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(cast(CT_P, child), story).text
        elif child.tag == qn("w:tbl"):
            yield from _table_texts(Table(cast(CT_Tbl, child), story))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _block_texts(content, story)


def _table_texts(table: Table) -> Iterator[str]:
    """Each cell once (merged cells repeat in python-docx's rows), row by row."""
    seen: set[BaseOxmlElement] = set()  # elements, not id()s: lxml proxies are transient
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            yield from _block_texts(cell._tc, cell)


def read_docx_text(path: Path, limits: Limits, name: str | None = None) -> str:
    """Paragraphs and table text in reading order, one paragraph per block, capped by limits."""
    name = name or path.name
    check_docx(path, name)
    try:
        document = docx.Document(str(path))
        if document.element.getroottree().docinfo.doctype:
            raise _refuse(name, "it contains a document type declaration")
        body = document.element.body
        return _collect(_block_texts(body, document), limits)
    except VoiceoverError:
        raise
    except Exception as exc:  # a hostile document may break the parser in many ways
        log.info("docx refused: %s", type(exc).__name__)
        raise _refuse(name, "it is damaged or not a Word document") from exc


def _collect(texts: Iterator[str], limits: Limits) -> str:
    """Join non-empty paragraphs with blank lines; stop at the text and word caps."""
    parts: list[str] = []
    chars = words = 0
    for text in texts:
        text = text.strip()
        if not text:
            continue
        parts.append(text)
        chars += len(text) + 2
        words += count_words(text)
        if words > limits.max_script_words or chars > limits.max_script_bytes:
            raise VoiceoverError(
                ErrorCode.SCRIPT_TOO_LONG, words=words, limit=limits.max_script_words
            )
    return "\n\n".join(parts)
