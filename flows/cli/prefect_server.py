"""Prefect's temporary API server, started so that it dies with the command that started it.

Without `PREFECT_API_URL`, Prefect 3 starts a temporary API server (a uvicorn subprocess,
`prefect.server.api.server.SubprocessASGIServer`) on first use and stops it at exit. A
SIGKILLed command never reaches exit, and the server lived on, re-parented to pid 1. On
Linux the server is started here instead, from the main thread, with PR_SET_PDEATHSIG: the
kernel kills it when the thread that forked it ends, and the main thread lives as long as
the command. Prefect later finds the same server running and reuses it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _death_signal(parent: int) -> Callable[[], None]:
    """A preexec_fn: in the child, ask for SIGKILL when the parent goes away."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before fork, not in the child

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


class _SubprocessDyingWithParent(ModuleType):
    """`subprocess` as prefect.server.api.server sees it: the same module, except that its
    one Popen (the uvicorn server) gets the death signal."""

    def __init__(self) -> None:
        super().__init__("subprocess")

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        kwargs.setdefault("preexec_fn", _death_signal(os.getpid()))
        return subprocess.Popen(*args, **kwargs)


def start_temporary_server() -> None:
    """Start Prefect's temporary server now, tied to this process, if Prefect would start one
    (no PREFECT_API_URL). Call it from the main thread before running a flow."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not \
            threading.main_thread():
        return  # elsewhere Prefect starts and stops it as before
    from prefect.server.api import server
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return
    if not isinstance(server.subprocess, _SubprocessDyingWithParent):
        server.subprocess = _SubprocessDyingWithParent()  # type: ignore[assignment]
    server.SubprocessASGIServer().start()  # the instance get_client() will find running
