"""Published editions of the consolidated checklist: stable item codes, diffs, public reads.

``models`` holds the tables, ``codes`` how item codes are made, ``snapshot`` what an
edition stores (built from the ``roundtable/v1`` export), ``diff`` what changed between
two editions, ``ops`` the ``edition.publish`` op, ``service`` the reads and ``routes``
the facilitators' and the public endpoints.
"""
