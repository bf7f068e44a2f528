"""python-docx's part of reading a .docx (imported only when a .docx is read)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.types import ProvidesStoryPart


def open_document(path: Path) -> Document:
    """The parsed document (its zip already checked by docx_reader.check_docx)."""
    return docx.Document(str(path))


def block_texts(parent: BaseOxmlElement, story: ProvidesStoryPart) -> Iterator[str]:
    """Paragraph and table-cell text under a body or cell element, in reading order."""
    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(cast(CT_P, child), story).text
        elif child.tag == qn("w:tbl"):
            yield from table_texts(Table(cast(CT_Tbl, child), story))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from block_texts(content, story)


def table_texts(table: Table) -> Iterator[str]:
    """Each cell once (merged cells repeat in python-docx's rows), row by row."""
    seen: set[BaseOxmlElement] = set()  # elements, not id()s: lxml proxies are transient
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            yield from block_texts(cell._tc, cell)
