"""The ASGI entry point for uvicorn (``roundtable.asgi:app``)."""

from roundtable.app import create_app

app = create_app()
