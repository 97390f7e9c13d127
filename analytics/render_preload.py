"""Imported once by the worker pool's fork server (``multiprocessing`` forkserver preload):
the rendering stack is imported and warmed up here, and every worker process forked from
the server starts with it ready, instead of paying about two seconds of imports each."""

from __future__ import annotations

from analytics import render

render.warm_up()
