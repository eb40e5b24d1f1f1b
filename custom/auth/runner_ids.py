"""Which runnerId a key may act as, and the namespace of in-process runners.

- A key name matches the spec's pattern for ApiKey.name (`KEY_NAME_PATTERN`):
  no `:`, so no key name is a prefix-plus-colon of another.
- A key with the runner role acts only as its name, or as `<name>:<suffix>` with
  a non-empty suffix (one key, several runner processes).
- The service's own runners (in-process, `valkyr runner`) are named `@…`; no key
  name starts with `@`, so no key can act as one of them.
"""

from __future__ import annotations

import os
import re
import socket
import uuid

from generated.constants import KEY_NAME_MAX_LENGTH, KEY_NAME_PATTERN

KEY_NAME_MAX = KEY_NAME_MAX_LENGTH
IN_PROCESS_PREFIX = "@"
_KEY_NAME = re.compile(KEY_NAME_PATTERN)


def valid_key_name(name: str) -> bool:
    return len(name) <= KEY_NAME_MAX and _KEY_NAME.match(name) is not None


def key_may_act_as(key_name: str, runner_id: str) -> bool:
    """`mailer` may act as `mailer` and `mailer:eu-1`, never as `mailer:`, `mailerx`."""
    if runner_id == key_name:
        return True
    prefix = key_name + ":"
    return runner_id.startswith(prefix) and len(runner_id) > len(prefix)


def is_in_process(runner_id: str) -> bool:
    return runner_id.startswith(IN_PROCESS_PREFIX)


def in_process_runner_id(explicit: str | None = None) -> str:
    """The lease owner name of one of the service's own runners: VALKYR_RUNNER_ID
    (given an `@` when it has none), else `@<host>:<pid>:<random>`."""
    if explicit:
        return explicit if is_in_process(explicit) else IN_PROCESS_PREFIX + explicit
    return f"{IN_PROCESS_PREFIX}{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
