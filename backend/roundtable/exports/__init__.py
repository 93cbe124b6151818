"""Downloads of the consolidated checklist: Markdown, CSV, Excel, Word and PDF.

``model.read_snapshot_rows`` reads what may leave (in the parent process, one transaction,
undecoded) and ``model.assemble_snapshot`` makes the snapshot of it in the worker;
each format module turns that snapshot into bytes (``render_<format>``); ``worker`` runs
renders in a process pool so none of them holds up the event loop. JSON stays with the
interchange exporter (``roundtable/v1``).
"""
