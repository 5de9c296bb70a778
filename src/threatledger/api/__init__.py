"""The HTTP API (FastAPI) over the Store interface; the web UI in :mod:`threatledger.web` shares its app."""

from threatledger.api.app import create_app

__all__ = ["create_app"]
