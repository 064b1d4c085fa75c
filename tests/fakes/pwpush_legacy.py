"""Password Pusher 2.3 to 2.8 for pwpush_server.py: the ``v2-legacy`` mode.

Servers of these releases already speak API v2 but lack what 2.9 added. Read in the Password Pusher repository
at the tags named (github.com/pglombardo/PasswordPusher):

* ``GET /api/v2/version``: ``{"application_version", "api_version": "2.0", "edition": "oss"}`` and no
  ``features`` from 2.3.0 to 2.5.3; ``api_version`` "2.1" with ``features`` (``email_auto_dispatch`` always
  false) from 2.5.4 (``app/controllers/api/v2/version_controller.rb``).
* The audit log is API v1's answer on both APIs: ``{"views": [...]}``, each entry the AuditLog record's own
  ``to_json`` without ids (``ip``, ``user_agent``, ``referrer``, ``kind`` as its name, ``created_at``,
  ``updated_at``), oldest first (``Api::V1::PushesController#audit``; ``{"logs": [...]}`` and
  ``app/views/pushes/audit.json.jbuilder`` only from 2.9.0).
* No email notifications: ``push[notify_emails_to]`` and ``push[notify_emails_to_locale]`` are not permitted
  parameters, so they are dropped without a word (Rails' default for unpermitted parameters), and
  ``POST /api/v2/pushes/:url_token/notify_emails`` is no route (404) (both from 2.9.2).
* No passphrase throttle: ``rate_limit`` on ``show`` (5 a minute per push) arrived in 2.9.2.

Everything else is served as the ``oss`` mode serves it (the JSON of a push, views, expiry, deletion, the
list pages and their page parameter are the same in 2.5.3 and 2.11.4). Not modelled: 2.3.0-2.4.x let
anonymous callers create file pushes through API v2 (``requires_authentication_for_create?`` came in 2.5.0),
and 2.9.0-2.9.1 had a different notification endpoint (``notify_by_email``); 2.9.2 and later are the ``oss``
mode.
"""

from __future__ import annotations

import re

DEFAULT_VERSION = "2.5.3"
FIRST, BEYOND = (2, 3, 0), (2, 9, 0)  # the releases this mode stands for: FIRST <= version < BEYOND
FEATURES_SINCE = (2, 5, 4)


def parse_version(text: str) -> tuple[int, int, int]:
    """'2.5.3' -> (2, 5, 3); ValueError for a version this mode does not stand for."""
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text or "")
    version = tuple(int(part) for part in match.groups()) if match else None
    if version is None or not FIRST <= version < BEYOND:
        raise ValueError("--legacy-version must be a release from 2.3.0 to 2.8.x (got %r)" % text)
    return version  # type: ignore[return-value]


def version_answer(version: str, anonymous: bool) -> dict:
    """Api::V2::VersionController#show of that release (a stock install: every kind of push enabled)."""
    if parse_version(version) < FEATURES_SINCE:
        return {"application_version": version, "api_version": "2.0", "edition": "oss"}
    return {"application_version": version, "api_version": "2.1", "edition": "oss", "features": {
        "anonymous_access": anonymous,
        "api_token_authentication": True,
        "accounts": {"enabled": False},
        "pushes": {
            "enabled": True,
            "email_auto_dispatch": False,
            "file_attachments": {"enabled": True, "requires_authentication": True},
            "url_pushes": {"enabled": True},
            "qr_code_pushes": {"enabled": True},
        },
        "requests": {"enabled": False},
    }}
