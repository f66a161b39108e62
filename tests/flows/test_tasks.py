"""Task policy: only network trouble is worth a retry."""

from __future__ import annotations

import requests
from prefect.states import Failed

from extract.profile import ProfileError
from flows.tasks import _transient


def test_network_errors_are_retried() -> None:
    for exc in (requests.ConnectionError("refused"), requests.Timeout("slow"),
                ConnectionResetError("reset")):
        assert _transient(None, None, Failed(data=exc))


def test_configuration_and_parse_errors_are_not() -> None:
    for exc in (ProfileError("no profile named x"), ValueError("bad"), KeyError("k")):
        assert not _transient(None, None, Failed(data=exc))
