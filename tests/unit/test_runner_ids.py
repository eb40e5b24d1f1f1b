"""The runnerId rule and the namespace of the service's own runners (issue 11, item 1)."""

from __future__ import annotations

import socket

import pytest

from custom.auth.runner_ids import in_process_runner_id, key_may_act_as, valid_key_name
from custom.settings import Settings


def test_the_runner_id_rule() -> None:
    assert key_may_act_as("mailer", "mailer")
    assert key_may_act_as("mailer", "mailer:eu")
    assert key_may_act_as("mailer", "mailer:eu:2")
    for runner_id in ("mailer:", "mailerx", "mail", "", "@mailer", "x:mailer"):
        assert not key_may_act_as("mailer", runner_id), runner_id


def test_the_services_own_runners_are_named_where_no_key_can_act(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default = in_process_runner_id()
    assert default.startswith("@" + socket.gethostname() + ":")
    monkeypatch.setenv("VALKYR_RUNNER_ID", "worker-1")
    assert Settings.from_env().runner_id == "@worker-1"
    monkeypatch.setenv("VALKYR_RUNNER_ID", "@worker-2")
    assert Settings.from_env().runner_id == "@worker-2"
    monkeypatch.delenv("VALKYR_RUNNER_ID")
    assert Settings.from_env().runner_id is None  # the pool then takes a fresh `@…` id


def test_key_names() -> None:
    for name in ("mailer", "m", "eu-1.mailer_2", "9"):
        assert valid_key_name(name), name
    for name in ("", "mailer:eu", "@x", "-x", ".x", "a b", "é", "a" * 201):
        assert not valid_key_name(name), name
