"""Downloads of the consolidated checklist: Markdown, CSV, Excel, Word and PDF.

The server authorises a download and checks its filter; the render worker reads what may
leave itself (``reader.ChecklistQuery``: ``model.read_snapshot_rows`` in one read-only
transaction of its own) and ``model.assemble_snapshot`` makes the snapshot of it; each
format module turns that snapshot into bytes (``render_<format>``); ``worker`` runs renders
in a process pool so none of them holds up the event loop. JSON stays with the
interchange exporter (``roundtable/v1``).
"""
