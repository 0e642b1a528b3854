"""Flowdeck's widgets, one per module."""
