"""The export formats by name, and one entry point that renders any of them."""

from __future__ import annotations

from dataclasses import dataclass

from roundtable.exports.model import Snapshot, SnapshotSource


@dataclass(frozen=True, slots=True)
class ExportFormat:
    key: str
    extension: str
    media_type: str


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("md", "md", "text/markdown; charset=utf-8"),
        ExportFormat("csv", "csv", "text/csv; charset=utf-8"),
        ExportFormat(
            "xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        ExportFormat(
            "docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ExportFormat("pdf", "pdf", "application/pdf"),
        ExportFormat("html", "html", "text/html; charset=utf-8"),
    )
}


def render(fmt: str, snapshot: Snapshot | SnapshotSource) -> bytes:
    """The snapshot in one format. Renderers are imported on first use, in the worker,
    which also assembles a snapshot handed over as its source (``SnapshotSource``)."""
    if not isinstance(snapshot, Snapshot):
        snapshot = snapshot.assemble()
    if fmt == "md":
        from roundtable.exports.markdown import render_markdown

        return render_markdown(snapshot)
    if fmt == "csv":
        from roundtable.exports.csvfile import render_csv

        return render_csv(snapshot)
    if fmt == "xlsx":
        from roundtable.exports.xlsx import render_xlsx

        return render_xlsx(snapshot)
    if fmt == "docx":
        from roundtable.exports.docx import render_docx

        return render_docx(snapshot)
    if fmt == "pdf":
        from roundtable.exports.pdf import render_pdf

        return render_pdf(snapshot)
    if fmt == "html":
        from roundtable.exports.html import render_html

        return render_html(snapshot)
    raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
