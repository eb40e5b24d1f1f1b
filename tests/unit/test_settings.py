"""Settings: one declaration (custom/settings.py), read from the environment, checked,
and the README's table in step with it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from custom.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
NOT_OURS = ("OTEL_",)  # the OpenTelemetry SDK's own variables, which it reads itself


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("VALKYR_") or name in ("DATABASE_URL", "HOST", "PORT"):
            monkeypatch.delenv(name)


def readme_rows() -> dict[str, str]:
    """Variable → its default cell, from README.md's settings table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Settings (environment)", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        names = re.findall(r"`([A-Z0-9_]+)`", cells[0])
        defaults = cells[1].split(", ") if len(names) > 1 else [cells[1]]
        assert len(defaults) == len(names), line
        rows.update(zip(names, defaults, strict=True))
    return rows


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"


def test_the_readme_table_lists_every_setting_with_its_default() -> None:
    rows = readme_rows()
    for field, info in Settings.model_fields.items():
        env = Settings.env_name(field)
        assert env in rows, f"README.md's settings table lacks {env}"
        if info.default is None:
            assert rows[env], f"{env}: say in README.md what happens when it is unset"
        else:
            assert rows[env] == shown(info.default), (env, rows[env], info.default)
    ours = {Settings.env_name(f) for f in Settings.model_fields}
    extra = [n for n in rows if n not in ours and not n.startswith(NOT_OURS)]
    assert not extra, f"README.md lists settings that custom/settings.py does not: {extra}"


def test_the_environment_is_read_and_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALKYR_LEASE_SECONDS", "30")
    monkeypatch.setenv("VALKYR_RUNNERS", "0")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/x")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("VALKYR_BOOTSTRAP_KEY", "")  # empty: unset
    monkeypatch.setenv("VALKYR_MIGRATE", "false")
    s = Settings.from_env(runners=3)
    assert (s.lease_seconds, s.runners, s.port, s.migrate) == (30.0, 3, 9000, False)
    assert s.database_url == "postgresql://db/x" and s.bootstrap_key is None
    assert "bootstrap_key" not in repr(Settings(bootstrap_key="vk_secret"))
    with pytest.raises(ValueError):
        s.runners = 1  # type: ignore[misc]  # frozen


def test_defaults_without_environment() -> None:
    s = Settings.from_env()
    assert (s.lease_seconds, s.heartbeat_seconds, s.runners, s.port) == (120.0, 2.0, 8, 8080)
    assert s.data_dir == Path(".data") and s.database_url is None and s.migrate


@pytest.mark.parametrize(
    ("env", "value", "words"),
    [
        ("VALKYR_LEASE_SECONDS", "-1", "VALKYR_LEASE_SECONDS='-1': must be greater than 0"),
        ("VALKYR_LEASE_SECONDS", "soon", "VALKYR_LEASE_SECONDS='soon': must be a valid number"),
        ("VALKYR_RUNNERS", "2.5", "VALKYR_RUNNERS='2.5': must be a valid integer"),
        ("VALKYR_RUNNERS", "-1", "VALKYR_RUNNERS='-1': must be greater than or equal to 0"),
        ("VALKYR_CLAIM_BATCH", "0", "VALKYR_CLAIM_BATCH='0': must be greater than or equal to 1"),
        ("PORT", "70000", "PORT='70000': must be less than or equal to 65535"),
        ("VALKYR_MIGRATE", "perhaps", "VALKYR_MIGRATE='perhaps': must be a valid boolean"),
        ("VALKYR_DB_POOL_SIZE", "0", "VALKYR_DB_POOL_SIZE='0': must be greater than or equal"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, words: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError) as err:
        Settings.from_env()
    assert str(err.value).startswith(words) and "\n" not in str(err.value)


def test_two_bad_values_are_two_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALKYR_LEASE_SECONDS", "0")
    monkeypatch.setenv("VALKYR_POLL_SECONDS", "-2")
    with pytest.raises(SettingsError) as err:
        Settings.from_env()
    lines = str(err.value).splitlines()
    assert len(lines) == 2 and {line.split("=")[0] for line in lines} == {
        "VALKYR_LEASE_SECONDS",
        "VALKYR_POLL_SECONDS",
    }


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["serve", "runner", "migrate"])
def test_valkyr_refuses_a_bad_value_with_exit_code_2_and_no_traceback(
    tmp_path: Path, command: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VALKYR_")}
    env.update(VALKYR_LEASE_SECONDS="-1", VALKYR_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run(
        [sys.executable, "-m", "custom.cli", command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "valkyr: VALKYR_LEASE_SECONDS='-1': must be greater than 0\n"
    assert not (tmp_path / "data").exists()  # nothing was started
