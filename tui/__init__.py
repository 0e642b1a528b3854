"""Flowdeck's faces: the Textual app and the ``flowdeck`` command line.

Nothing here decides a rule; it asks ``store`` and shows the answer.
"""

import os

# Textual paints at most MAX_FPS frames a second and a key's repaint waits for the next
# frame: at its default 60 that wait alone is up to 17 ms, a frame's whole budget. At 120
# a cursor move repaints in about 6 ms (benchmarks/). Nothing animates, so idle costs
# nothing more. Set TEXTUAL_FPS yourself to choose otherwise.
os.environ.setdefault("TEXTUAL_FPS", "120")
