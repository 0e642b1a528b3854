"""The runtime: what makes flows run (DESIGN section 5). No Textual here.

- ``steps``: running one step (the triggers, ``transform``, ``log``); ``httpstep``: the ``http`` step
- ``queue``: claiming a message, moving it on, finishing or failing it, each one transaction
- ``worker``: the threads that take messages through their steps
- ``timers``: timer triggers firing on their cron schedule
- ``webhooks``: accepting a webhook request; ``server``: the HTTP server in front of it
- ``throughput``: messages processed per flow and minute
- ``runner``: a worker, its timers and sweeps and the webhook server together (``flowdeck work``)
- ``target``: a small local HTTP target for the demo and the benchmark
"""

from __future__ import annotations

#: ``flowdeck work`` serves webhooks here unless told otherwise.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
