"""Imported once by the worker pool's fork server (``multiprocessing`` forkserver preload):
the rendering stack is imported and warmed up here, and every worker process forked from
the server starts with it ready, instead of paying a second or two of imports each (and
again each time a worker is recycled).

The garbage collector is tuned here too, for the workers: everything loaded so far is frozen
(never scanned again, and its pages stay shared with the server instead of being copied on
the first collection), and collections run less often, since laying out a PDF makes
hundreds of thousands of short-lived objects; together about 5 % of a report's time, for
somewhat more memory (config.RENDER_GC_THRESHOLDS). Recycling workers keeps memory bounded.
"""

from __future__ import annotations

import contextlib
import gc

from analytics import config, render

# e.g. pango missing: the fork server must still start, and each report then fails with
# render's own message and install hint
with contextlib.suppress(Exception):
    render.warm_up()
gc.collect()
gc.freeze()
gc.set_threshold(*config.RENDER_GC_THRESHOLDS)
