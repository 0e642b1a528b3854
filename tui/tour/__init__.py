"""The guided tour of ``flowdeck demo --tour``: ``steps`` plans what it shows, ``panel`` shows it."""
