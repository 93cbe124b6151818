"""Word: a document a ministry can edit: title page, real headings, real list paragraphs.

Built on python-docx's default template, so the styles are Word's own (Title, Heading 1
and 2, List Bullet, List Continue): the navigation pane and a table of contents work, and
restyling the document restyles every item. Text goes in as run text (data), with the
characters XML cannot hold dropped.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

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


def render_docx(snapshot: Snapshot) -> bytes:
    doc = Document()
    _describe(doc, snapshot)
    _title_page(doc, snapshot)
    for section in sections(snapshot):
        doc.add_heading(xml_safe(section.label), level=section.level)
        for item in section.items:
            _add_item(doc, snapshot, item)
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


def _add_item(doc: DocumentObject, snapshot: Snapshot, item: ExportItem) -> None:
    entry = doc.add_paragraph(style="List Bullet")
    entry.add_run(xml_safe(item.ref) + "  ").bold = True
    entry.add_run(xml_safe(item.title)).bold = True
    for line in item.detail.splitlines():
        if line.strip():
            doc.add_paragraph(xml_safe(line), style="List Continue")
    facts = doc.add_paragraph(style="List Continue")
    for n, (name, value) in enumerate(item_facts(snapshot, item)):
        if n:
            _muted(facts, "  ·  ")
        _muted(facts, f"{name}: ").bold = True
        _muted(facts, xml_safe(value))


def _muted(paragraph: Paragraph, text: str) -> Run:
    run = paragraph.add_run(text)
    run.font.size = Pt(9)
    run.font.color.rgb = _MUTED
    return run


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
