"""The flow screen: its state and countdown, its steps (edited here), and a pane per tab."""

from .screen import FlowData, FlowScreen

__all__ = ["FlowData", "FlowScreen"]
