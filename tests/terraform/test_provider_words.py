# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the provider words the clients' errors, in-process (no Terraform binary, no server): an error that carries
its option (ServiceError.option) is worded with the provider's setting, and a server problem never names a
resource attribute. The real binary shows the same in test_door_rules.py."""

import os
import sys

from tf.utils import Diagnostics

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "terraform"))

from oneshot_provider import provider  # noqa: E402  pylint: disable=wrong-import-position
from oneshot_provider.common import in_provider_words, lib, setting_words  # noqa: E402  pylint: disable=wrong-import-position


def _error(message, option=None, status=None, service="ots"):
    """An error as the service's client raises it ({option} terms worded by each door)."""
    error_class = lib()["ots"].OtsError if service == "ots" else lib()["pwpush"].PwpushError
    return error_class(message, status=status, option=option)


def _diagnostics(settings, service, exc, **kwargs):
    tf_provider = provider.OneshotProvider()
    tf_provider.settings = settings
    diags = Diagnostics()
    tf_provider.server_problem(diags, service, exc, **kwargs)
    return [(d.summary, d.detail, list(d.attribute.steps)) for d in diags.to_pb()]


def test_an_option_carried_by_the_error_is_named_as_the_provider_names_it():
    assert setting_words("pwpush", "token") == "pwpush_token (PWPUSH_TOKEN)"
    assert setting_words("ots", "api_token") == "ots_api_token (OTS_TOKEN)"
    assert setting_words("ots", "timeout") is None  # not a provider setting: the sentence stays
    words = in_provider_words
    assert words(_error("url must not be empty.", "url"), "ots") == "ots_url (OTS_URL) must not be empty."
    assert words(_error("timeout must be above 0.", "timeout"), "ots") == "timeout must be above 0."


def test_option_terms_are_worded_by_each_door():
    """The same error: the modules' words in its message, the provider's from in_provider_words."""
    api = lib()["options"]  # the public API module
    exc = _error("An API token is needed to list pushes: set %s." % api.term("token"), "token", service="pwpush")
    assert exc.message == "An API token is needed to list pushes: set token (PWPUSH_TOKEN)."
    assert in_provider_words(exc, "pwpush") == "An API token is needed to list pushes: set pwpush_token (PWPUSH_TOKEN)."
    exc = _error("%s and %s go together: set both." % (api.term("username"), api.term("api_token")), "username")
    assert exc.message == "username (OTS_USERNAME) and api_token (OTS_TOKEN) go together: set both."
    assert in_provider_words(exc, "ots") == (
        "ots_username (OTS_USERNAME) and ots_api_token (OTS_TOKEN) go together: set both.")


def test_a_server_problem_names_the_url_setting_and_its_default_when_unset():
    down = _error("Could not connect to https://pwpush.com: is the url right and the server up?")
    [(summary, detail, path)] = _diagnostics({}, "pwpush", down)
    assert summary == "Cannot reach the Password Pusher server" and path == []
    assert detail.startswith("Check pwpush_url (PWPUSH_URL): it is not set, so the default https://pwpush.com is used.")
    [(summary, detail, path)] = _diagnostics({"ots_url": "http://127.0.0.1:9"}, "ots", down)
    assert summary == "Cannot reach the onetimesecret server"
    assert detail.startswith("Check ots_url (OTS_URL). Could not")


def test_settings_that_make_no_client_are_the_settings_error():
    api = lib()["options"]
    together = _error("%s and %s go together: set both." % (api.term("username"), api.term("api_token")))
    [(summary, detail, _path)] = _diagnostics({}, "ots", together, settings_only=True)
    assert summary == "Invalid onetimesecret settings"
    assert detail.startswith("ots_username (OTS_USERNAME) and ots_api_token (OTS_TOKEN) go together")
    [(summary, detail, _path)] = _diagnostics({}, "pwpush", _error("url must be an http(s) address.", "url"),
                                              settings_only=True)
    assert (summary, detail) == ("Cannot reach the Password Pusher server",
                                 "pwpush_url (PWPUSH_URL) must be an http(s) address.")
