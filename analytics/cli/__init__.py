"""The ``analytics`` command line: a thin layer over the library.

One module per group of commands (``data``, ``outputs``, ``mail``, ``web``); the options they
share are defined once, in ``options``. An error the user can cause prints one line and exits
with status 1; usage errors exit with status 2 (click's convention).
"""

from __future__ import annotations

import click

from analytics import __version__
from analytics.cli import data, history, mail, outputs, web


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="analytics")
def cli() -> None:
    """Content analytics for businesses that market on social media.

    \b
    The flow:  demo | ingest FILE…  →  report | notebook  →  send   (schedule: every morning)
    Outputs:   reports/<business>/<period>/report.{html,pdf,json}, notebook.{ipynb,html}
    Example:   analytics demo && analytics report --all --period 2026-W47
    """


for command in (data.demo, data.ingest, data.formats, data.businesses, data.publish,
                outputs.report, outputs.notebook, outputs.schema, history.history, mail.send,
                mail.schedule, web.serve, web.access):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="analytics")


if __name__ == "__main__":  # pragma: no cover
    main()
