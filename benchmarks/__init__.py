"""Flowdeck's performance harness: ``python -m benchmarks`` (not timed tests)."""
