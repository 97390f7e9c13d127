"""The report model (one typed object per business and period, and its ``report.json``), its
JSON Schema, and where its outputs go."""

from analytics.report.files import atomic_write, report_dir
from analytics.report.model import (
    REPORT_FORMAT,
    Report,
    ReportBatch,
    ReportDoc,
    build_report,
    build_reports,
    write_json,
)

__all__ = [
    "REPORT_FORMAT",
    "Report",
    "ReportBatch",
    "ReportDoc",
    "atomic_write",
    "build_report",
    "build_reports",
    "report_dir",
    "write_json",
]
