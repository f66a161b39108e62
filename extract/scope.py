"""Scope: which URLs a fetcher may request at all. An http(s) URL on an allowed host that
does not resolve to a loopback or private address, unless the user named that host
literally as an address (or "localhost"): a DNS name never unlocks private targets, so
rebinding a public name cannot either."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

Resolver = Callable[[str], list[str]]


def resolve_host(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
            or ip.is_multicast or ip.is_unspecified)


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _hosts(names: Iterable[str]) -> frozenset[str]:
    return frozenset(h.lower().strip("[]") for h in names)


class Scope:
    """The allowed hosts, and which of them may be private (named in `private_hosts`,
    default: the allowed hosts, and named literally). Host resolutions are kept per host."""

    def __init__(self, allowed_hosts: Iterable[str], private_hosts: Iterable[str] | None = None,
                 resolver: Resolver = resolve_host) -> None:
        self.allowed_hosts = _hosts(allowed_hosts)
        named = self.allowed_hosts if private_hosts is None else _hosts(private_hosts)
        self._private_ok = frozenset(
            h for h in named & self.allowed_hosts if h == "localhost" or is_ip_literal(h))
        self._resolver = resolver
        self._lock = threading.Lock()
        self._resolved: dict[str, str | None] = {}

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched (scheme, host, private address), or None."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"non-HTTP scheme {parts.scheme or '(none)'!r}"
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            return f"host {host!r} not in allowed hosts"
        if host in self._private_ok:
            return None
        with self._lock:
            cached = self._resolved.get(host, "")
        if cached != "":
            return cached
        try:
            addresses = [host] if is_ip_literal(host) else self._resolver(host)
        except OSError:
            reason = None  # unresolvable: the request itself will fail and be logged
        else:
            bad = [a for a in addresses if is_private(a)]
            reason = f"host {host!r} resolves to private address {bad[0]}" if bad else None
        with self._lock:
            self._resolved[host] = reason
        return reason
