"""Flowdeck's faces: the Textual app and the ``flowdeck`` command line.

Nothing here decides a rule; it asks ``store`` and shows the answer.
"""
