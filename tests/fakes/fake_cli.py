"""The command line every fake shares: ``tests/fakes/serve NAME`` runs ``NAME_server.py``, whose ``main()``
calls ``serve_main()`` with its own options and app factory."""

from __future__ import annotations

import argparse
from typing import Callable

from flask import Flask

import common

BoundHook = Callable[[str, str, int], None]


def serve_main(name: str, description: str,  # pylint: disable=too-many-arguments
               add_options: Callable[[argparse.ArgumentParser], None],
               build_app: Callable[[argparse.Namespace], Flask], argv: list[str] | None = None, *,
               on_bound: Callable[[Flask], BoundHook] | None = None, run: Callable[..., None] = common.run) -> int:
    """Parse ``--port``, ``--host``, the fake's own options (``add_options``), ``--threads`` and ``--quiet``,
    build the app (a ``ValueError`` from ``build_app`` is a usage error) and serve it until SIGTERM/SIGINT.
    ``on_bound(app)`` gives the hook ``common.run`` calls once the port is known. A fake that is no Flask app
    (hostile_server.py, raw sockets) passes its own ``run(app, port, host, threads, on_bound=None)``."""
    parser = argparse.ArgumentParser(prog="serve " + name, description=description)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--host", default="127.0.0.1")
    add_options(parser)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    args = parser.parse_args(argv)

    common.configure_logging(args.quiet)
    try:
        app = build_app(args)
    except ValueError as exc:
        parser.error(str(exc))
    run(app, args.port, args.host, args.threads, on_bound=on_bound(app) if on_bound else None)
    return 0


def parse_bool(text: str) -> bool:
    """An option's true|false value (also yes/no, 1/0, on/off)."""
    lowered = text.lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise argparse.ArgumentTypeError("expected true or false, got %r" % text)
