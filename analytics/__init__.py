"""Content analytics for businesses that market on social media.

The package follows the data flow: ``ingest`` fills the DuckDB ``warehouse``; ``metrics`` and
``insights`` answer one question each; ``report`` assembles them into one JSON-serialisable
model per (business, period).
"""

from __future__ import annotations

__version__ = "0.1.0"


class AnalyticsError(Exception):
    """An error the user can cause and fix; the CLI prints it as one line, without a traceback."""
