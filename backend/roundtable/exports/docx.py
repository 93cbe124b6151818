"""Word: a document a ministry can edit: title page, real headings, real list paragraphs.

Built on python-docx's default template, so the styles are Word's own (Title, Heading 1
and 2, List Bullet, List Continue): the navigation pane and a table of contents work, and
restyling the document restyles every item. Text goes in as run text (data), with the
characters XML cannot hold dropped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from lxml import etree  # type: ignore[import-untyped]

from roundtable.exports.layout import (
    date_range,
    edition_label,
    filter_label,
    item_facts,
    sections,
)
from roundtable.exports.model import ExportItem, Snapshot
from roundtable.exports.table import xml_safe

_MUTED = RGBColor(0x55, 0x5F, 0x6B)
FACTS_STYLE = "Item Facts"


@dataclass(frozen=True, slots=True)
class _Styles:
    """Style ids, looked up once: python-docx finds a style by name with a scan of every
    style (twice), which made a 100-item document take seconds."""

    bullet: str
    more: str
    facts: str
    # New paragraphs go before the body's closing section properties; python-docx finds
    # that element by scanning the body on every paragraph (quadratic in items).
    end: Any


def render_docx(snapshot: Snapshot) -> bytes:
    doc = Document()
    _describe(doc, snapshot)
    _title_page(doc, snapshot)
    facts = doc.styles.add_style(FACTS_STYLE, WD_STYLE_TYPE.CHARACTER)
    facts.font.size = Pt(9)
    facts.font.color.rgb = _MUTED
    styles = _Styles(
        bullet=doc.styles["List Bullet"].style_id,
        more=doc.styles["List Continue"].style_id,
        facts=facts.style_id,
        end=doc.element.body.sectPr,
    )
    for section in sections(snapshot):
        doc.add_heading(xml_safe(section.label), level=section.level)
        for item in section.items:
            _add_item(doc, snapshot, item, styles)
    if not snapshot.items:
        doc.add_paragraph("No items match this export.")
    _add_footer(doc, snapshot)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _describe(doc: DocumentObject, snapshot: Snapshot) -> None:
    # The default template carries a thumbnail of some other page; file browsers would
    # show it as this document's preview.
    rels = doc.part.package.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(rel_id)
    props = doc.core_properties
    props.title = xml_safe(snapshot.workshop.title)[:255]
    props.subject = "Consolidated checklist"
    props.author = "Roundtable"
    props.last_modified_by = "Roundtable"
    props.comments = ""
    props.created = snapshot.generated_at
    props.modified = snapshot.generated_at


def _title_page(doc: DocumentObject, snapshot: Snapshot) -> None:
    w = snapshot.workshop
    doc.add_paragraph(xml_safe(w.title), style="Title")
    doc.add_paragraph("Consolidated checklist", style="Subtitle")
    for line in (
        date_range(w.starts_on, w.ends_on),
        w.venue,
        f"Organised by {', '.join(w.organisers)}" if w.organisers else "",
    ):
        if line:
            doc.add_paragraph(xml_safe(line))
    edition = snapshot.edition
    if edition is not None and edition.title:
        named = doc.add_paragraph()
        named.paragraph_format.space_before = Pt(36)
        named.add_run(xml_safe(edition.title)).bold = True
    if edition is not None and edition.notes:
        for line in edition.notes.splitlines():
            if line.strip():
                doc.add_paragraph(xml_safe(line))
    about = doc.add_paragraph()
    about.paragraph_format.space_before = Pt(36)
    lines = [edition_label(snapshot), filter_label(snapshot), f"{len(snapshot.items)} items"]
    for n, line in enumerate(line for line in lines if line):
        if n:
            about.add_run().add_break()
        about.add_run(xml_safe(line))
    if w.description:
        doc.add_paragraph(xml_safe(w.description)).runs[0].italic = True
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _add_item(doc: DocumentObject, snapshot: Snapshot, item: ExportItem, styles: _Styles) -> None:
    entry = _paragraph(styles, styles.bullet)
    _run(entry, xml_safe(item.ref) + "  ", bold=True)
    _run(entry, xml_safe(item.title), bold=True)
    for line in item.detail.splitlines():
        if line.strip():
            _run(_paragraph(styles, styles.more), xml_safe(line))
    facts = _paragraph(styles, styles.more)
    for n, (name, value) in enumerate(item_facts(snapshot, item)):
        if n:
            _run(facts, "  ·  ", style_id=styles.facts)
        _run(facts, f"{name}: ", style_id=styles.facts, bold=True)
        _run(facts, xml_safe(value), style_id=styles.facts)


# Items are written as WordprocessingML directly (the elements python-docx would make):
# its element classes check the schema's child order on every insertion, which costs
# some 20 ms an item. The text goes in as element text, escaped by lxml.
_P, _PPR, _PSTYLE = qn("w:p"), qn("w:pPr"), qn("w:pStyle")
_R, _RPR, _RSTYLE, _B, _T = qn("w:r"), qn("w:rPr"), qn("w:rStyle"), qn("w:b"), qn("w:t")
_VAL, _SPACE = qn("w:val"), "{http://www.w3.org/XML/1998/namespace}space"


def _paragraph(styles: _Styles, style_id: str) -> etree._Element:
    element = etree.Element(_P)
    etree.SubElement(etree.SubElement(element, _PPR), _PSTYLE, {_VAL: style_id})
    styles.end.addprevious(element)
    return element


def _run(
    paragraph: etree._Element, text: str, *, style_id: str | None = None, bold: bool = False
) -> None:
    run = etree.SubElement(paragraph, _R)
    if style_id is not None or bold:
        props = etree.SubElement(run, _RPR)
        if style_id is not None:
            etree.SubElement(props, _RSTYLE, {_VAL: style_id})
        if bold:
            etree.SubElement(props, _B)
    etree.SubElement(run, _T, {_SPACE: "preserve"}).text = text


def _add_footer(doc: DocumentObject, snapshot: Snapshot) -> None:
    footer = doc.sections[0].footer.paragraphs[0]
    footer.add_run(xml_safe(edition_label(snapshot)) + "   ·   Page ")
    # A PAGE field, which Word fills in on every page.
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
