"""The command line's small parts, in process: countdown text, table widths, the config file."""

from __future__ import annotations

import pytest

from tui.cli.output import hms, width
from tui.config import ConfigError, load_config


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0:00:00"), (1, "0:00:01"), (59 * 60 + 59, "0:59:59"), (8 * 3600, "8:00:00"),
    (27 * 3600 + 61, "27:01:01"), (None, "-"), (-5, "0:00:00"),
])
def test_hms(seconds, text):
    assert hms(seconds) == text


def test_width_counts_terminal_columns():
    assert width("Orders") == 6
    assert width("日本") == 4
    assert width("Cafe\u0301") == 4


def test_config_file(tmp_path):
    missing = load_config(tmp_path / "nope.toml")
    assert (missing.db, missing.user, missing.keys) == (None, None, {})
    path = tmp_path / "config.toml"
    path.write_text('db = "/tmp/x.db"\nuser = " Ann@Example.com "\ntheme = "nord"\n'
                    '[keys]\nquit = "ctrl+q"\n[tui]\nanything = 1\n')
    config = load_config(path)
    assert (config.db, config.user, config.theme) == ("/tmp/x.db", "Ann@Example.com", "nord")
    assert config.keys == {"quit": "ctrl+q"} and config.raw["tui"] == {"anything": 1}
    path.write_text('theme = ""\n')
    with pytest.raises(ConfigError, match="theme must be a non-empty string"):
        load_config(path)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)
