"""Delivering reports: the email (:mod:`.deliver`), the sending job with its delivery log
(:mod:`.send`, its status words in :mod:`.status`), the words the email leads with
(:mod:`.email_text`) and the daily schedule (:mod:`.schedule`)."""

from __future__ import annotations
