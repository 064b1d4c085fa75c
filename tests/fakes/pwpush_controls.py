"""The Password Pusher fake's own controls under /_fake/pwpush/: what it holds, ageing, the server's jobs."""

from __future__ import annotations

import datetime as dt

from flask import Response, request

import common
from pwpush_core import PwpushCore
from pwpush_rails import not_found, present, rails_time


class PwpushControls(PwpushCore):
    """Hidden test helpers; never part of the real server."""

    def fake_pushes(self) -> Response:
        """GET /_fake/pwpush/pushes: what the server holds, without any secret content."""
        emails = {user.id: user.email for user in self.users}
        return common.json_response([{
            "url_token": p.url_token, "name": p.name, "kind": p.kind, "owner": emails.get(p.owner_id),
            "expired": p.expired, "views_remaining": p.views_remaining(), "view_count": p.view_count(),
            "has_passphrase": present(p.passphrase), "expire_after_days": p.expire_after_days,
            "expire_after_duration": p.expire_after_duration, "expire_after_views": p.expire_after_views,
            "deletable_by_viewer": p.deletable_by_viewer, "retrieval_step": p.retrieval_step,
            "created_at": rails_time(p.created_at),
            "files": [{"filename": f.filename, "content_type": f.content_type, "size": f.size} for f in p.files],
        } for p in sorted(self.pushes.values(), key=lambda p: p.seq)])

    def fake_age(self) -> Response:
        """POST /_fake/pwpush/age {"url_token", "days", "hours", "minutes"}: move created_at back."""
        spec = request.get_json(silent=True)
        if not isinstance(spec, dict):
            return common.json_response({"error": "expected a JSON object"}, 400)
        push = self.find(str(spec.get("url_token", "")))
        if push is None:
            return not_found()
        try:
            delta = dt.timedelta(days=float(spec.get("days", 0)), hours=float(spec.get("hours", 0)),
                                 minutes=float(spec.get("minutes", 0)))
        except (TypeError, ValueError):
            return common.json_response({"error": "days/hours/minutes must be numbers"}, 400)
        push.created_at -= delta
        return common.json_response({"url_token": push.url_token, "created_at": rails_time(push.created_at)})

    def fake_run_jobs(self) -> Response:
        """POST /_fake/pwpush/run-jobs: ExpirePushesJob, then CleanUpPushesJob (which deletes
        expired anonymous pushes, so their links answer 404 from then on)."""
        now = self.now()
        expired = 0
        for push in self.pushes.values():
            if not push.expired and push.limits_reached(now):
                push.expire(now)
                expired += 1
        doomed = [t for t, p in self.pushes.items() if p.expired and p.owner_id is None]
        for token in doomed:
            del self.pushes[token]
        return common.json_response({"expired": expired, "deleted": len(doomed)})
