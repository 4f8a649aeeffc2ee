"""Forwarded headers (X-Forwarded-For, -Proto, -Host) honoured from the configured proxies only.

Anyone can send these headers; only a reverse proxy that sets them itself may be believed.
With ``trust_proxy`` off (the default) they are ignored from everyone.
"""

from __future__ import annotations

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxyFix:
    """Werkzeug's ProxyFix (one proxy hop) for requests whose peer is in ``allowed_ips``;
    other requests pass through untouched. ``allowed_ips`` is gunicorn's forwarded_allow_ips
    syntax: addresses or networks separated by commas, or ``*`` for any peer."""

    def __init__(self, app, allowed_ips: str):
        self.app = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1)
        names = [part.strip() for part in allowed_ips.split(",") if part.strip()]
        self.any_peer = "*" in names
        self.networks = [ipaddress.ip_network(n, strict=False) for n in names if n != "*"]

    def trusts(self, peer: str) -> bool:
        if self.any_peer:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        app = self.fixed if self.trusts(environ.get("REMOTE_ADDR", "")) else self.app
        return app(environ, start_response)
