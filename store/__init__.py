"""Flowdeck's domain: tables, engine, clock and the services that enforce every rule.

This package never imports Textual; the TUI and the command line only ask it.
"""
