"""The demo, a package of its own (the runtime never imports it): ``data`` holds the people,
workspaces and flows, ``timeline`` fills a fresh store with three days of their life, and
``traffic`` runs a worker, the demo's HTTP target and some webhook traffic."""
