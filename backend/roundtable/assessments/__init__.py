"""Governments' private self-assessments against a published edition.

Whoever holds an assessment's secret link reads and changes it; nobody else, not even
the workshop's facilitators, sees it. Assessments are not workshop events: each request
is its own transaction, validated before anything is written.
"""
