"""A local fake of the onetimesecret (OTS) API v1, for tests and the demo.

Modelled on the onetimesecret source (apps/api/v1: controllers/base.rb, controllers/index.rb,
controllers/class_methods.rb receipt_hsh, logic/secrets/*, the passphrase rate limiter) and
the facts collected in tests/fakes/README.md (section ots). It reproduces the awkward parts
on purpose: every error is HTTP 404 with the intended status in X-OTS-Intended-Status, a
present-but-wrong Authorization header is refused even where anonymous use is allowed, out
of range ttls are clamped without a word, a wrong passphrase looks exactly like an unknown
secret, receipt fields come and go with the state (secret_key, secret_ttl, received,
passphrase_required), the recent list drops secret_key but keeps its alias
secret_identifier, and a burn of an unknown receipt names the receipt key as
"secret_key". A fake kinder than the real server would hide client bugs.

Run it with ``tests/fakes/serve ots --port 0 --username U --api-token T``; see ``main()``. Its parts:
ots_model.py (limits, messages, records), ots_core.py (state, auth, receipts), ots_api.py (the routes),
ots_edge.py (the proxy in front).
"""

from __future__ import annotations

import argparse
import os
import sys

from flask import Flask, request
from werkzeug.exceptions import HTTPException

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  pylint: disable=wrong-import-position
import fake_cli  # noqa: E402  pylint: disable=wrong-import-position
import ots_edge  # noqa: E402  pylint: disable=wrong-import-position
from ots_api import OtsFake  # noqa: E402  pylint: disable=wrong-import-position
from ots_model import (API, MSG_UNEXPECTED, PLANS, Account, BadJsonBody, FormError,  # noqa: E402  pylint: disable=wrong-import-position
                       Unexpected, error_response, route_not_found)


# --------------------------------------------------------------------------- app factory


def create_app(accounts: list[tuple[str, str]] | tuple = (), *, edge_rate_limit: int = 0, **options) -> Flask:
    """Build the fake. ``accounts`` are (email, api_token) pairs; ``edge_rate_limit`` the proxy's requests per
    second per IP (ots_edge.py; 0: none); other options as OtsFake takes them."""
    users = [Account(email, token) for email, token in accounts]
    if len({u.email.strip().lower() for u in users}) != len(users):
        raise ValueError("the usernames must differ")
    if any(not u.email or not u.token for u in users):
        raise ValueError("usernames and API tokens must not be empty")
    fake = OtsFake(users, **options)

    app = Flask("ots_fake")
    app.url_map.strict_slashes = False
    app.extensions["ots_fake"] = fake

    def add(rule: str, endpoint: str, view, methods=("GET",)) -> None:
        def locked(**kwargs):
            with fake.lock:
                return view(**kwargs)
        app.add_url_rule(rule, endpoint, locked, methods=list(methods), provide_automatic_options=False)

    add(API + "/status", "status", lambda: fake.status(True))
    add(API + "/authcheck", "authcheck", lambda: fake.status(False))
    add(API + "/share", "share", lambda: fake.create("conceal"), ("POST",))
    add(API + "/create", "create", lambda: fake.create("conceal"), ("POST",))
    add(API + "/generate", "generate", lambda: fake.create("generate"), ("POST",))
    add(API + "/secret/<key>", "show_secret", fake.show_secret, ("POST",))
    for prefix in ("receipt", "private", "metadata"):
        add("%s/%s/recent" % (API, prefix), prefix + "_recent", fake.recent)
        add("%s/%s/<key>/burn" % (API, prefix), prefix + "_burn", fake.burn, ("POST",))
        add("%s/%s/<key>" % (API, prefix), prefix + "_show", fake.show_receipt, ("GET", "POST"))
    add("/secret/<key>", "web_secret", fake.web_secret_page)

    add("/_fake/ots/secrets", "fake_secrets", fake.fake_secrets)
    add("/_fake/ots/age", "fake_age", fake.fake_age, ("POST",))
    add("/_fake/ots/orphan", "fake_orphan", fake.fake_orphan, ("POST",))

    # OTS throttles in its views (404 + message, per event); in front of it the proxy's limiter (ots_edge.py).
    edge = ots_edge.EdgeLimiter(edge_rate_limit)

    def _reset() -> None:
        fake.reset()
        edge.reset()

    common.install_harness(app, name="ots", reset=_reset, rate_limiter=None, secret_view_args=("key",),
                           fault_response=ots_edge.fault_response)
    app.before_request(lambda: edge.check(common.client_ip(request.environ), request.path))
    log = app.logger

    @app.errorhandler(FormError)
    def _form_error(exc):
        return error_response(str(exc))

    @app.errorhandler(Unexpected)
    def _unexpected(_exc):
        return error_response(MSG_UNEXPECTED)

    @app.errorhandler(BadJsonBody)
    def _bad_json(_exc):
        return common.text_response("failed to parse body as JSON", 400)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if exc.code in (404, 405):
            return route_not_found()
        return exc

    @app.errorhandler(Exception)
    def _crash(exc):
        common.log_exception_safely(log, exc)
        return error_response(MSG_UNEXPECTED)

    return app


# --------------------------------------------------------------------------- command line


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", help="account 1: email used as the Basic auth username")
    parser.add_argument("--api-token", help="account 1: API token")
    parser.add_argument("--other-username", help="account 2")
    parser.add_argument("--other-api-token", help="account 2's API token")
    parser.add_argument("--plan", choices=PLANS, default="selfhosted",
                        help="accounts' plan: ttl ceiling (7/14/30/30 days); accounts on paid and "
                             "selfhosted skip the rate limit")
    parser.add_argument("--rate-limit", type=int, default=1000,
                        help="creates (and separately reads) per 20 minutes per IP; 0 disables")
    parser.add_argument("--secret-max-bytes", type=int, default=10000)
    parser.add_argument("--passphrase-min", type=int, default=4, help="0: no minimum")
    parser.add_argument("--passphrase-max", type=int, default=128)
    parser.add_argument("--legacy-strings", action="store_true",
                        help="ttl, created, updated, received, metadata_ttl, secret_ttl as strings (old servers)")
    parser.add_argument("--no-alias-fields", action="store_true",
                        help="omit identifier, secret_identifier, ..., metadata_url (v0.23 receipts)")
    parser.add_argument("--short-keys", action="store_true", help="~31-character keys, 6-character shortkey")
    parser.add_argument("--custom-domain", action="append", default=[], metavar="DOMAIN",
                        help="a custom domain of account 1, allowed as share_domain (repeatable)")
    parser.add_argument("--site-host", help="site.host (HOST): links use it (default: the address the fake listens on)")
    parser.add_argument("--ssl", choices=("true", "false"), help="site.ssl (SSL): https or http links "
                        "(default: the scheme the fake serves)")
    parser.add_argument("--edge-rate-limit", type=int, default=0, metavar="N",
                        help="the proxy in front (caddy-ratelimit): N requests per second per IP, then 429 "
                             "(default 0: none; 20 as etc/examples/Caddyfile-example)")


def app_from_args(args: argparse.Namespace) -> Flask:
    accounts = []
    pairs = ((args.username, args.api_token, ""), (args.other_username, args.other_api_token, "other-"))
    for user, token, what in pairs:
        if bool(user) != bool(token):
            raise ValueError("--%susername and --%sapi-token go together" % (what, what))
        if user:
            accounts.append((user, token))
    if args.other_username and not args.username:
        raise ValueError("--other-username needs --username")
    return create_app(accounts, plan=args.plan, rate_limit=args.rate_limit,
                      secret_max_bytes=args.secret_max_bytes, passphrase_min=args.passphrase_min,
                      passphrase_max=args.passphrase_max, legacy_strings=args.legacy_strings,
                      alias_fields=not args.no_alias_fields, short_keys=args.short_keys,
                      custom_domains=tuple(args.custom_domain), site_host=args.site_host,
                      ssl=None if args.ssl is None else args.ssl == "true", edge_rate_limit=args.edge_rate_limit)


def main(argv: list[str] | None = None) -> int:
    return fake_cli.serve_main("ots", "Fake onetimesecret (API v1) server for tests.", add_options, app_from_args,
                               argv, on_bound=lambda app: app.extensions["ots_fake"].bind_address)


if __name__ == "__main__":
    sys.exit(main())
