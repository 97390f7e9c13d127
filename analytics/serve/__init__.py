"""``analytics serve``: the read-only API and client portal (FastAPI on uvicorn).

``app`` (the routes), ``views`` (period → report model → section or file), ``portal`` (the
HTML pages and downloads), ``auth`` (tokens, slowing down guessers), ``data`` (the private
snapshot of the warehouse every request reads).
"""

from __future__ import annotations
