"""The web UI: Jinja2 templates (autoescaped) and static files, served by the app of :mod:`threatledger.api`.

JavaScript libraries are vendored under ``static/vendor/`` with their licences, so the UI runs offline.
"""

from pathlib import Path

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

__all__ = ["STATIC_DIR", "TEMPLATES_DIR"]
