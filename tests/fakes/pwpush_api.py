"""Password Pusher's JSON API: v2 (/api/v2/...) and v1 (/p.json, /f.json, /r.json), the routes' handlers."""

from __future__ import annotations

import hmac

from flask import Response, g, request
from werkzeug.datastructures import FileStorage

import common
import pwpush_legacy
from pwpush_core import PwpushCore
from pwpush_model import (
    DAYS_DEFAULT, DAYS_MAX, DAYS_MIN, DURATIONS, DURATION_BY_DAYS, DURATION_DEFAULT, EMAIL_REGEX, KINDS, LOCALES,
    MAX_FILES, MAX_NOTIFY_BY_EMAILS, MAX_QR_PAYLOAD, MAX_TEXT_PAYLOAD, MSG_BAD_PASSPHRASE, MSG_NOTIFY_LIMIT,
    MSG_NOT_DELETABLE, MSG_NOT_YOURS, MSG_NOT_YOUR_ACCOUNT, MSG_PASSPHRASE_HOW, MSG_PASSPHRASE_LIMIT,
    NOTIFY_DAILY_LIMIT, NOTIFY_REQUESTS, NOTIFY_WINDOW, PAGE_SIZE, Push, User, VIEWS_DEFAULT, VIEWS_MAX, VIEWS_MIN)
from pwpush_rails import (
    blank, devise_unauthorized, is_permitted_scalar, not_found, permit, present, rails_error, ruby_int, ruby_split,
    ruby_str, truthy, valid_url)


class PwpushApi(PwpushCore):
    """Api::V1::PushesController and Api::V2::PushesController, VersionController, AccountsController."""

    # ----------------------------------------------------------------- endpoints: versions

    def version_v2(self) -> Response:
        if self.legacy:
            return common.json_response(pwpush_legacy.version_answer(self.application_version, self.anonymous))
        features = {
            "anonymous_access": self.anonymous,
            "api_token_authentication": True,
            "accounts": {"enabled": self.hosted},
            "pushes": {
                "enabled": True,
                "email_auto_dispatch": self.notify_available,
                "file_attachments": {"enabled": True, "requires_authentication": True},
                "url_pushes": {"enabled": True},
                "qr_code_pushes": {"enabled": True},
            },
            # Requests are a Pro feature: the open-source source says false (pwpush_requests.py).
            "requests": {"enabled": self.hosted, "email_auto_dispatch": self.notify_available},
        }
        return common.json_response({
            "application_version": self.application_version, "api_version": "2.1",
            "edition": "commercial" if self.hosted else "oss", "features": features})

    def version_v1(self) -> Response:
        return common.json_response({
            "application_version": self.application_version, "api_version": "1.5",
            "edition": "commercial" if self.hosted else "oss"})

    def accounts(self) -> Response:
        denied = self.gate("other", "accounts")  # not the pushes controller: token required
        if denied:
            return denied
        user = self.user()
        return common.json_response([{"id": user.account_id, "name": user.account_name, "role": "owner"}])

    # ----------------------------------------------------------------- endpoints: pushes

    def create(self, api: str, resource: str = "p") -> Response:
        """POST /api/v2/pushes and POST /p.json, /f.json, /r.json (one code path, as in Rails)."""
        denied = self.gate(api, "create")
        if denied:
            return denied
        user = self.user()
        params = self.params(wrap=True)
        g.fake_params = params
        permitted = self._permitted(params, api, resource)
        if isinstance(permitted, Response):
            return permitted

        needs_login = (not self.anonymous or request.path.startswith("/f")
                       or ((api == "v2" or "/p.json" in request.path) and "files" in permitted)
                       or permitted.get("kind") == "file")
        if needs_login and user is None:
            return devise_unauthorized()

        files = [f for f in permitted.get("files", [])
                 if f != "" and not (isinstance(f, FileStorage) and not f.filename)]
        if any(isinstance(f, str) for f in files):
            return rails_error(500)  # Active Storage reads strings as signed blob ids: InvalidSignature

        kind = self._kind(permitted, resource)
        if kind not in KINDS:
            # Real servers answer 500 here: SetPushAttributes calls settings_for_kind, nil
            # for an unknown kind, before validation could report it.
            return rails_error(500)

        account_id = None
        if self.hosted and user is not None:
            if params.get("account_id") is not None and ruby_int(params.get("account_id")) != user.account_id:
                return common.json_response({"error": MSG_NOT_YOUR_ACCOUNT}, 403)
            account_id = user.account_id

        errors: dict[str, list[str]] = {}
        notify_to = ruby_str(permitted.get("notify_emails_to"))
        notify_locale = ruby_str(permitted.get("notify_emails_to_locale"))
        self._check_notify(errors, user, notify_to, notify_locale, expired=False, already_sent=0)
        payload = ruby_str(permitted.get("payload"))
        self._check_payload(errors, kind, payload, files)
        if errors:
            return common.json_response(errors, 422)

        now = self.now()
        unset = None if self.hosted else ""  # OSS fills name/note/passphrase with ''
        duration, days, views = self._limits(permitted, api)
        if kind == "url":
            deletable = None  # URL pushes can never be deleted by viewers
        elif "deletable_by_viewer" in permitted:
            deletable = truthy(permitted["deletable_by_viewer"])
        else:
            deletable = self.deletable_by_viewer_default
        retrieval_step = (truthy(permitted["retrieval_step"]) if "retrieval_step" in permitted
                          else self.retrieval_step_default)

        self.seq += 1
        push = Push(
            url_token=self._new_token(), kind=kind, payload=payload,
            passphrase=ruby_str(permitted.get("passphrase")) or unset,
            name=ruby_str(permitted.get("name")) or unset, note=ruby_str(permitted.get("note")) or unset,
            expire_after_days=days, expire_after_views=views, expire_after_duration=duration,
            deletable_by_viewer=deletable, retrieval_step=retrieval_step, created_at=now, updated_at=now,
            seq=self.seq, owner_id=user.id if user else None, account_id=account_id,
            files=[self._store_file(f) for f in files] if kind == "file" else [],
            notify_emails_to=notify_to, notify_emails_to_locale=notify_locale)
        self.pushes[push.url_token] = push
        self.log_event(push, "creation")
        if present(notify_to):
            self.log_event(push, "creation_email_send", self._notify_record(user, notify_to, notify_locale))
        return common.json_response(self.push_json(push, "create"), 201)

    def _permitted(self, params: dict, api: str, resource: str) -> dict | Response:
        """params.require(key).permit(...) as each endpoint spells it."""
        key = "push" if api == "v2" else {"p": "password", "f": "file_push", "r": "url"}[resource]
        raw = params.get(key)
        if blank(raw) and raw is not False:
            return common.json_response(
                {"error": "param is missing or the value is empty or invalid: %s" % key}, 400)
        if not isinstance(raw, dict):
            return rails_error(500)  # Rails calls .permit on a String: NoMethodError
        base = ("name", "expire_after_days", "expire_after_views", "retrieval_step", "payload", "note", "passphrase")
        if api == "v2":
            extra = ("kind", "deletable_by_viewer")
            extra += () if self.legacy else ("notify_emails_to", "notify_emails_to_locale")  # dropped silently
            extra += ("expire_after_duration",) if self.hosted else ()
            permitted = permit(raw, base + extra, ("files",))
            if blank(permitted.get("kind")) and present(permitted.get("files")):
                permitted["kind"] = "file"  # v2: attached files imply a file push
            return permitted
        if resource == "p":
            return permit(raw, base + ("kind", "deletable_by_viewer"), ("files",))
        if resource == "f":
            return permit(raw, base + ("deletable_by_viewer",), ("files",))
        return permit(raw, base)

    def _limits(self, permitted: dict, api: str) -> tuple[int | None, int, int]:
        """(duration, days, views); out-of-range or unusable values silently become defaults.

        The hosted edition reads expire_after_duration and ignores expire_after_days on API v2
        (its v1 endpoints map the days that have an enum value); OSS is the other way round. The hosted
        answer's expire_after_days is the column as given or defaulted (7), not the duration in days: its API
        page shows duration 7 (2 days) next to expire_after_days 7."""
        days = ruby_int(permitted.get("expire_after_days"))
        if days is None or not DAYS_MIN <= days <= DAYS_MAX:
            days = DAYS_DEFAULT
        duration = None
        if self.hosted:
            if api == "v2":
                duration = ruby_int(permitted.get("expire_after_duration"))
            else:
                duration = DURATION_BY_DAYS.get(ruby_int(permitted.get("expire_after_days")))
            if duration is None or not 0 <= duration < len(DURATIONS):
                duration = DURATION_DEFAULT
        views = ruby_int(permitted.get("expire_after_views"))
        if views is None or not VIEWS_MIN <= views <= VIEWS_MAX:
            views = VIEWS_DEFAULT
        return duration, days, views

    @staticmethod
    def _kind(permitted: dict, resource: str) -> str:
        value = permitted.get("kind")
        if present(value):
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(KINDS):
                return KINDS[value]  # Rails enums also take the integer
            return ruby_str(value)
        if "/f.json" in request.path or resource == "f":
            return "file"
        if "/r.json" in request.path:
            return "url"
        if "/p.json" in request.path and "files" in permitted:
            return "file"
        return "text"

    def _check_notify(self, errors: dict, user: User | None, to: str | None, locale: str | None,
                      expired: bool, already_sent: int) -> None:
        """Pwpush::NotifiableByEmail's validations, in their order: the address list
        (MultipleEmailsValidator), the locale, availability and ownership, the day's cap
        (User#email_limit_reached?), the push's cap (validate_notify_by_email_limit)."""
        if present(to):
            check_email_list(errors, to)
        if present(locale) and locale not in LOCALES:
            errors.setdefault("notify_emails_to_locale", []).append("is not included in the list")
        if blank(to) and blank(locale):
            return
        if not self.notify_available:
            reasons = ("are not available", "is not available")
            errors_base = ["Notify by email feature is not enabled"]
        elif expired:
            reasons = ("are not available for expired pushes", "is not available for expired pushes")
            errors_base = []
        elif user is None:
            reasons = ("are not allowed for unknown users", "is not allowed for unknown users")
            errors_base = []
        else:
            if self.sent_today(user) >= NOTIFY_DAILY_LIMIT:
                errors.setdefault("base", []).append("The maximum number of emails has been reached for today")
            if present(to) and already_sent and len(ruby_split(to, ",")) > MAX_NOTIFY_BY_EMAILS - already_sent:
                errors.setdefault("base", []).append(
                    "You can notify up to %d email(s) and you have already sent emails to %d recipients"
                    % (MAX_NOTIFY_BY_EMAILS, already_sent))
            return
        if present(to):
            errors.setdefault("notify_emails_to", []).append(reasons[0])
        if present(locale):
            errors.setdefault("notify_emails_to_locale", []).append(reasons[1])
        if errors_base:
            errors.setdefault("base", []).extend(errors_base)

    @staticmethod
    def _check_payload(errors: dict, kind: str, payload: str | None, files: list) -> None:
        """Push's per-kind validations, with the real messages."""
        if kind == "text":
            if blank(payload):
                errors.setdefault("payload", []).append("Payload is required.")
            elif len(payload) > MAX_TEXT_PAYLOAD:
                errors.setdefault("payload", []).append(
                    "The payload is too large.  You can only push up to %d bytes." % MAX_TEXT_PAYLOAD)
        elif kind == "url":
            if blank(payload):
                errors.setdefault("payload", []).append("Payload is required.")
            elif not valid_url(payload):
                errors.setdefault("payload", []).append("must be a valid HTTP or HTTPS URL.")
        elif kind == "qr":
            if blank(payload):
                errors.setdefault("payload", []).append("Payload is required.")
            elif len(payload) > MAX_QR_PAYLOAD:
                errors.setdefault("payload", []).append(
                    "The QR code payload is too large.  You can only push up to %d bytes." % MAX_QR_PAYLOAD)
        elif kind == "file" and len(files) > MAX_FILES:
            errors.setdefault("files", []).append("You can only attach up to %d files per push." % MAX_FILES)

    def show(self, api: str, token: str) -> Response:
        denied = self.gate(api, "show")
        if denied:
            return denied
        params = self.params()
        g.fake_params = params
        passphrase = params.get("passphrase")
        # Callback order: Api::V1::PushesController runs before_action :set_push (404) before its
        # rate_limit; Api::V2 declares before_action :set_push again, which moves it after the
        # inherited rate_limit, so v2 throttles even an unknown token.
        push = self.find(token)
        if api == "v1" and push is None:
            return not_found()
        if present(passphrase) and self.passphrase_throttled(token):
            return common.json_response({"error": MSG_PASSPHRASE_LIMIT}, 429)
        if push is None:
            return not_found()
        push.check_limits(self.now())
        if present(push.passphrase) and not push.expired:
            if not hmac.compare_digest(push.passphrase.encode(), (ruby_str(passphrase) or "").encode()):
                self.log_event(push, "failed_passphrase")
                return common.json_response(
                    {"error": MSG_BAD_PASSPHRASE, "message": MSG_PASSPHRASE_HOW, "status": "unauthorized"}, 401)
        expire_after = self.claim_view(push)
        response = common.json_response(self.push_json(push, "show"), 200, {"Cache-Control": "no-cache"})
        if expire_after:
            push.expire(self.now())  # after rendering: the last view still says expired=false
        return response

    def _gated_push(self, api: str, action: str, token: str, *, log_params: bool = False):
        """What preview, audit and destroy do first: the controller's gate, then the push (404 if none).
        ``log_params``: keep the params for the request log's view of them."""
        denied = self.gate(api, action)
        if denied:
            return denied
        if log_params:
            g.fake_params = self.params()
        push = self.find(token)
        return not_found() if push is None else push

    def preview(self, api: str, token: str) -> Response:
        push = self._gated_push(api, "preview", token, log_params=True)
        if isinstance(push, Response):
            return push
        return common.json_response({"url": self.secret_url(push)})

    def audit(self, api: str, token: str) -> Response:
        push = self._gated_push(api, "audit", token)
        if isinstance(push, Response):
            return push
        if not push.owned_by(self.user()):
            return common.json_response({"error": MSG_NOT_YOURS}, 403)
        page = self.page(self.params())
        if isinstance(page, Response):
            return page
        # The association is ordered created_at ASC and the controller's extra
        # order(created_at: :desc) only breaks ties, so the oldest entry comes first.
        logs = push.audit_logs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        v2_logs = api == "v2" and not self.legacy  # 2.3-2.8 answer API v1's {"views": [...]} on both APIs
        return common.json_response(self.audit_json_v2(logs) if v2_logs else self.audit_json_v1(logs))

    def destroy(self, api: str, token: str) -> Response:
        push = self._gated_push(api, "destroy", token, log_params=True)
        if isinstance(push, Response):
            return push
        if not push.deletable_by(self.user()):
            return common.json_response({"error": MSG_NOT_DELETABLE}, 401)
        # Api::V1::PushesController#destroy (inherited by v2, unchanged since 2.0) answers 200 with the
        # push again for an expired one; only 1.x servers answered 422 "That push is already expired.".
        if not push.expired:  # deleting twice answers 200 again, without a second audit entry
            push.expire(self.now())
            self.log_event(push, "expire")
        return common.json_response(self.push_json(push, "destroy"))

    def listing(self, api: str, expired: bool) -> Response:
        action = "expired" if expired else "active"
        denied = self.gate(api, action)
        if denied:
            return denied
        params = self.params()
        g.fake_params = params
        page = self.page(params)
        if isinstance(page, Response):
            return page
        user = self.user()
        # Pushes past their days stay "active" here until a view or the 2-hourly
        # ExpirePushesJob notices (POST /_fake/pwpush/run-jobs runs it).
        mine = sorted((p for p in self.pushes.values() if p.owner_id == user.id and p.expired == expired),
                      key=lambda p: (p.created_at, p.seq), reverse=True)
        return common.json_response([self.push_json(p, action)
                                     for p in mine[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]])

    def notify_emails(self, token: str) -> Response:
        denied = self.gate("v2", "notify_emails")
        if denied:
            return denied
        user = self.user()
        # Api::V2::PushesController declares before_action :set_push (404) before its rate_limit on
        # notify_emails, so an unknown token is a 404 and takes nothing from the user's 5 a minute.
        push = self.find(token)
        if push is None:
            return not_found()
        if self.counters.hit("notify:%d" % user.id, self.now().timestamp(), NOTIFY_WINDOW) > NOTIFY_REQUESTS:
            return common.json_response({"error": MSG_NOTIFY_LIMIT}, 429)
        if not push.owned_by(user):
            return common.json_response({"error": MSG_NOT_YOURS}, 403)
        params = self.params()
        to = ruby_str(params.get("notify_emails_to")) if is_permitted_scalar(params.get("notify_emails_to")) else None
        locale = ruby_str(params.get("notify_emails_to_locale")) if is_permitted_scalar(
            params.get("notify_emails_to_locale")) else None
        errors: dict[str, list[str]] = {}
        if blank(to):
            errors["notify_emails_to"] = ["can't be blank"]
        already_sent = sum(len(ruby_split(log.notify["recipients"], ",")) for log in push.audit_logs
                           if log.kind == "creation_email_send" and log.notify)
        self._check_notify(errors, user, to, locale, expired=push.expired, already_sent=already_sent)
        if errors:
            return common.json_response(errors, 422)
        self.log_event(push, "creation_email_send", self._notify_record(user, to, locale))
        return common.json_response({"message": "Recipient(s) are added to the queue to be sent."}, 201)


def check_email_list(errors: dict, value: str) -> None:
    """MultipleEmailsValidator#validate_each (max_emails 5)."""
    emails = [e.strip() for e in ruby_split(value, ",")]
    messages = errors.setdefault("notify_emails_to", [])
    if value.endswith(",") or any(not e for e in emails):
        messages.append("has commas used in the wrong way")
        return
    if len({e.lower() for e in emails}) != len(emails):
        messages.append("contains duplicate emails")
    if len(emails) > MAX_NOTIFY_BY_EMAILS:
        messages.append("contains more than %d email(s)" % MAX_NOTIFY_BY_EMAILS)
    if not all(EMAIL_REGEX.match(e) for e in emails):
        messages.append("contains invalid email(s)")
    if not messages:
        del errors["notify_emails_to"]
