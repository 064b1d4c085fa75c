"""A local fake of the Password Pusher (pwpush) HTTP API, for tests and the demo.

Modelled on the Password Pusher source at v2.11.4 (app/controllers/api, app/models/push.rb,
app/views/pushes/*.json.jbuilder, config/initializers/rack_attack.rb) and the pwpush.com
API pages. It reproduces the awkward parts on purpose: empty 401 bodies, silently replaced
out-of-range limits, the broken json_url of retrieval-step pushes, the last view that still
says expired=false, the plain-text passphrase in responses. A fake kinder than the real
server would hide client bugs.

Modes:
  hosted  pwpush.com (commercial edition): API v2 with expire_after_duration, accounts
  oss     the open-source edition 2.11.4: API v2 with expire_after_days
  v1      a server from before API v2 (2.2.x, API 1.5): only the .json v1 endpoints
  v2-legacy  an open-source 2.3-2.8 server: API v2 without audit logs or notifications (pwpush_legacy.py)

Run it with ``tests/fakes/serve pwpush --port 0 --token T``; see ``main()`` for options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Callable

from flask import Flask, Response, redirect, request
from werkzeug.exceptions import HTTPException

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
import common  # noqa: E402
import fake_cli  # noqa: E402
import pwpush_legacy  # noqa: E402
import pwpush_requests  # noqa: E402
from pwpush_api import PwpushApi  # noqa: E402
from pwpush_controls import PwpushControls  # noqa: E402
from pwpush_model import MODES, User  # noqa: E402
from pwpush_pages import PwpushPages  # noqa: E402
from pwpush_rails import NormalizePath, ParamsError, TokenConverter, rails_error, utc_now  # noqa: E402
# pylint: enable=wrong-import-position


class PwpushFake(PwpushApi, PwpushPages, PwpushControls):
    """The whole fake: state (pwpush_core), JSON API, pages and /_fake/pwpush/ controls."""


# --------------------------------------------------------------------------- app factory


def create_app(  # pylint: disable=too-many-arguments,too-many-locals,too-many-statements
        mode: str = "hosted", tokens: tuple[str, ...] | list[str] = ("pwpush-fake-token",),
        emails: tuple[str, ...] | list[str] | None = None, *, anonymous: bool = True,
        retrieval_step_default: bool = True, deletable_by_viewer_default: bool = True,
        rate_limit_per_minute: int = 120, rate_limit_per_second: int = 60,
        base_url: str | None = None, admin_token: str | None = None, legacy_version: str | None = None,
        clock: Callable[[], dt.datetime] = utc_now) -> Flask:
    """Build the fake. ``tokens[0]`` belongs to user 1 (``emails[0]``, default
    owner@example.com), ``tokens[1]`` if given to user 2 (other@example.com);
    ``admin_token`` to an administrator (admin@example.com, user 9, account 1009);
    ``legacy_version`` the release a v2-legacy server says it is (2.3.0-2.8.x, default 2.5.3)."""
    emails = list(emails or ())
    default_emails = ["owner@example.com", "other@example.com"]
    users = [User(i + 1, (emails[i] if i < len(emails) and emails[i] else default_emails[min(i, 1)]),
                  token, 1000 + i + 1, "Account %d" % (i + 1))
             for i, token in enumerate(tokens) if token]
    if not users:
        raise ValueError("at least one API token is needed")
    if admin_token:
        users.append(User(9, "admin@example.com", admin_token, 1009, "Admin account", admin=True))
    if len({u.token for u in users}) != len(users):
        raise ValueError("the tokens must differ")
    fake = PwpushFake(mode, users, anonymous=anonymous, retrieval_step_default=retrieval_step_default,
                      deletable_by_viewer_default=deletable_by_viewer_default, base_url=base_url, clock=clock)
    if legacy_version is not None:
        if mode != "v2-legacy":
            raise ValueError("--legacy-version goes with --mode v2-legacy")
        pwpush_legacy.parse_version(legacy_version)
        fake.application_version = legacy_version

    app = Flask("pwpush_fake")
    app.config.update(MAX_CONTENT_LENGTH=None, MAX_FORM_MEMORY_SIZE=256 * 1024 * 1024, MAX_FORM_PARTS=10000)
    app.url_map.converters["tok"] = TokenConverter
    app.url_map.strict_slashes = False
    app.extensions["pwpush_fake"] = fake
    app.wsgi_app = NormalizePath(app.wsgi_app)

    def add(rule: str, endpoint: str, view, methods=("GET",), json_suffix: str = "both") -> None:
        """Register a route; 'both' adds the .json twin, 'only' registers just the .json form."""
        def locked(**kwargs):
            with fake.lock:
                return view(**kwargs)
        rules = {"both": [rule, rule + ".json"], "only": [rule + ".json"], "none": [rule]}[json_suffix]
        for index, path in enumerate(rules):
            app.add_url_rule(path, "%s_%d" % (endpoint, index), locked, methods=list(methods),
                             provide_automatic_options=False)

    if mode != "v1":
        add("/api/v2/version", "v2_version", fake.version_v2)
        add("/api/v2/pushes", "v2_create", lambda: fake.create("v2"), ("POST",))
        add("/api/v2/pushes/active", "v2_active", lambda: fake.listing("v2", expired=False))
        add("/api/v2/pushes/expired", "v2_expired", lambda: fake.listing("v2", expired=True))
        add("/api/v2/pushes/<tok:token>", "v2_show", lambda token: fake.show("v2", token))
        add("/api/v2/pushes/<tok:token>", "v2_destroy", lambda token: fake.destroy("v2", token), ("DELETE",))
        add("/api/v2/pushes/<tok:token>/preview", "v2_preview", lambda token: fake.preview("v2", token))
        add("/api/v2/pushes/<tok:token>/audit", "v2_audit", lambda token: fake.audit("v2", token))
        if mode != "v2-legacy":
            add("/api/v2/pushes/<tok:token>/notify_emails", "v2_notify", fake.notify_emails, ("POST",))
        if mode == "hosted":
            add("/api/v2/accounts", "v2_accounts", fake.accounts)
            fake.requests = pwpush_requests.install(add, fake)

    # API v1: every mode serves it; 2.3+ also answers without the .json on /api/v1/version.
    add("/api/v1/version", "v1_version", fake.version_v1, json_suffix="only" if mode == "v1" else "both")
    for res in ("p", "f", "r"):
        add("/" + res, "v1_create_" + res, lambda res=res: fake.create("v1", res), ("POST",), "only")
        add("/%s/active" % res, "v1_active_" + res, lambda: fake.listing("v1", expired=False), json_suffix="only")
        add("/%s/expired" % res, "v1_expired_" + res, lambda: fake.listing("v1", expired=True), json_suffix="only")
        add("/%s/<tok:token>" % res, "v1_show_" + res, lambda token: fake.show("v1", token), json_suffix="only")
        add("/%s/<tok:token>" % res, "v1_destroy_" + res, lambda token: fake.destroy("v1", token), ("DELETE",),
            "only")
        add("/%s/<tok:token>/preview" % res, "v1_preview_" + res, lambda token: fake.preview("v1", token),
            json_suffix="only")
        add("/%s/<tok:token>/audit" % res, "v1_audit_" + res, lambda token: fake.audit("v1", token),
            json_suffix="only")

    # The recipient's web pages, enough to open an html_url in a browser.
    add("/p/<tok:token>", "web_show", fake.page_show, json_suffix="none")
    add("/p/<tok:token>/r", "web_preliminary", fake.page_preliminary, json_suffix="none")
    add("/p/<tok:token>/passphrase", "web_passphrase", fake.page_passphrase, json_suffix="none")
    add("/p/<tok:token>/access", "web_access", fake.page_access, ("POST",), "none")
    for res in ("f", "r"):
        add("/%s/<tok:token>" % res, "web_legacy_" + res,
            lambda token: redirect(_with_query("/p/%s" % token), 301), json_suffix="none")
        add("/%s/<tok:token>/r" % res, "web_legacy_r_" + res,
            lambda token: redirect(_with_query("/p/%s/r" % token), 301), json_suffix="none")

    app.add_url_rule("/up", "up", lambda: Response(
        "<html style='background:green;width:100%;height:100vh'></html>", content_type="text/html"))

    # Active Storage (routes_prefix /pfb): a file push's attachments, no authentication (pwpush_blobs.py).
    add("/pfb/blobs/redirect/<signed_id>/<path:filename>", "blob_redirect", fake.blob_redirect, json_suffix="none")
    add("/pfb/disk/<encoded_key>/<path:filename>", "blob_disk", fake.blob_disk, json_suffix="none")

    add("/_fake/pwpush/pushes", "fake_pushes", fake.fake_pushes, json_suffix="none")
    add("/_fake/pwpush/age", "fake_age", fake.fake_age, ("POST",), "none")
    add("/_fake/pwpush/run-jobs", "fake_run_jobs", fake.fake_run_jobs, ("POST",), "none")

    limiter = common.RateLimiter(rate_limit_per_minute, rate_limit_per_second, exempt=lambda path: path == "/up")
    common.install_harness(app, name="pwpush", reset=fake.reset, rate_limiter=limiter,
                           secret_view_args=("token", "signed_id", "encoded_key"))
    log = app.logger

    @app.errorhandler(ParamsError)
    def _bad_params(_exc):
        return rails_error(400)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if exc.code in (404, 405):  # Rails has no 405: an unknown method/path pair is a 404
            return rails_error(404)
        if exc.code == 400:
            return rails_error(400)
        return exc

    @app.errorhandler(Exception)
    def _crash(exc):
        common.log_exception_safely(log, exc)
        return rails_error(500)

    return app


def _with_query(path: str) -> str:
    query = request.query_string.decode("latin-1")
    return path + ("?" + query if query else "")


# --------------------------------------------------------------------------- command line


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=MODES, default="hosted")
    parser.add_argument("--token", required=True, help="API token of user 1")
    parser.add_argument("--other-token", help="API token of user 2")
    parser.add_argument("--email", default="owner@example.com")
    parser.add_argument("--other-email", default="other@example.com")
    parser.add_argument("--rate-limit-per-minute", type=int, default=120, help="per IP; 0 disables")
    parser.add_argument("--rate-limit-per-second", type=int, default=60, help="per IP; 0 disables")
    parser.add_argument("--no-anonymous", action="store_true", help="creation and retrieval need a token")
    parser.add_argument("--admin-token", help="API token of an administrator (admin_view, no view counted)")
    parser.add_argument("--retrieval-step-default", type=fake_cli.parse_bool, default=True, metavar="true|false",
                        help="config/settings.yml retrieval_step_default (true, as shipped)")
    parser.add_argument("--deletable-by-viewer-default", type=fake_cli.parse_bool, default=True,
                        metavar="true|false")
    parser.add_argument("--base-url", help="like PWP__OVERRIDE_BASE_URL: push links use this base")
    parser.add_argument("--legacy-version", help="with --mode v2-legacy: the release it stands for, 2.3.0-2.8.x "
                        "(default %s): before 2.5.4 API 2.0 without features" % pwpush_legacy.DEFAULT_VERSION)


def app_from_args(args: argparse.Namespace) -> Flask:
    tokens = [args.token] + ([args.other_token] if args.other_token else [])
    return create_app(args.mode, tokens, [args.email, args.other_email], anonymous=not args.no_anonymous,
                      retrieval_step_default=args.retrieval_step_default,
                      deletable_by_viewer_default=args.deletable_by_viewer_default,
                      rate_limit_per_minute=args.rate_limit_per_minute,
                      rate_limit_per_second=args.rate_limit_per_second, base_url=args.base_url,
                      admin_token=args.admin_token, legacy_version=args.legacy_version)


def main(argv: list[str] | None = None) -> int:
    return fake_cli.serve_main("pwpush", "Fake Password Pusher server for tests.", add_options, app_from_args, argv)


if __name__ == "__main__":
    sys.exit(main())
