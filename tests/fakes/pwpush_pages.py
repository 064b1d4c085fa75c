"""Password Pusher's recipient pages (minimal HTML), enough to open an html_url in a browser."""

from __future__ import annotations

import hmac
import html

from flask import Response, redirect, request

from pwpush_core import PwpushCore
from pwpush_rails import html_page, present, ruby_str


class PwpushPages(PwpushCore):
    """PushesController's HTML actions: show, the retrieval step, the passphrase form."""

    def page_show(self, token: str) -> Response:
        """GET /p/<token>: the recipient's page. Counts a view like the JSON API."""
        params = self.params()
        passphrase = params.get("passphrase")
        push = self.find(token)
        if push is None:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        if present(passphrase) and self.passphrase_throttled(token):
            return redirect("/p/%s/passphrase" % token)
        push.check_limits(self.now())
        if present(push.passphrase) and not push.expired:
            given = (ruby_str(passphrase) or "").encode()
            cookie = request.cookies.get(token + "-p", "").encode()
            if not (hmac.compare_digest(push.passphrase.encode(), given)
                    or hmac.compare_digest(push.cookie_secret.encode(), cookie)):
                return redirect("/p/%s/passphrase" % token)
        expire_after = self.claim_view(push)
        if push.expired:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        if push.kind == "url":
            response = redirect(push.payload, 303)
        else:
            response = html_page("Your secret", '<pre id="payload">%s</pre>' % html.escape(push.payload or ""))
        response.headers["Cache-Control"] = "no-cache"
        response.delete_cookie(token + "-p")
        if expire_after:
            push.expire(self.now())
        return response

    def page_preliminary(self, token: str) -> Response:
        """GET /p/<token>/r: the retrieval step; no view is counted unless the push expired."""
        push = self.find(token)
        if push is not None:
            push.check_limits(self.now())
            if push.expired:
                self.log_event(push, "failed_view")
        if push is None or push.expired:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        url = self.secret_url(push, with_retrieval_step=False)
        return html_page("Click to reveal", '<a id="reveal" href="%s">Click here to reveal</a>' % html.escape(url))

    def page_passphrase(self, token: str) -> Response:
        push = self.find(token)
        if push is None:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        return html_page("Passphrase required", (
            '<form method="post" action="/p/%s/access">'
            '<input type="hidden" name="authenticity_token" value="%s">'
            '<input type="password" name="passphrase"><button type="submit">Unlock</button></form>'
        ) % (html.escape(token), self.csrf_token))

    def page_access(self, token: str) -> Response:
        """POST /p/<token>/access: the passphrase form; a right answer sets a short cookie."""
        params = self.params()
        if not hmac.compare_digest(str(params.get("authenticity_token", "")).encode(), self.csrf_token.encode()):
            return html_page("Unprocessable", "<p>The change you wanted was rejected.</p>", 422)
        push = self.find(token)
        if push is None:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        if self.passphrase_throttled(token):
            return redirect("/p/%s/passphrase" % token)
        if push.passphrase is not None and hmac.compare_digest(
                push.passphrase.encode(), (ruby_str(params.get("passphrase")) or "").encode()):
            response = redirect("/p/%s" % token)
            response.set_cookie(token + "-p", push.cookie_secret, max_age=180, httponly=True, samesite="Lax")
            return response
        self.log_event(push, "failed_passphrase")
        return redirect("/p/%s/passphrase" % token)
