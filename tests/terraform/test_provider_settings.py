# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider's settings resolve as every door's options (the core's resolve()): the provider block, then the
environment variable (an empty one is unset), then the declared default; in-process, no Terraform binary."""

import os
import sys

from tf.types import Unknown
from tf.utils import Diagnostics

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "terraform"))

from oneshot_provider import provider  # noqa: E402  pylint: disable=wrong-import-position

ENV = ("PWPUSH_URL", "PWPUSH_TOKEN", "PWPUSH_EMAIL", "OTS_URL", "OTS_USERNAME", "OTS_TOKEN")


def configured(monkeypatch, config, **environ):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    tf_provider = provider.OneshotProvider()
    diags = Diagnostics()
    tf_provider.configure_provider(diags, config)
    return tf_provider, [(d.summary, [step.attribute_name for step in d.attribute.steps]) for d in diags.to_pb()]


def test_the_block_then_the_environment_then_the_default(monkeypatch):
    tf_provider, errors = configured(monkeypatch, {"pwpush_url": "http://block.example", "pwpush_token": ""},
                                     PWPUSH_URL="http://env.example", PWPUSH_TOKEN="env-token-0001", OTS_URL="")
    assert errors == []
    assert tf_provider.settings["pwpush_url"] == "http://block.example"
    assert tf_provider.settings["pwpush_token"] == "env-token-0001"  # an empty setting is unset
    assert tf_provider.settings["ots_url"] is None  # an empty environment variable is unset: the default applies
    get_option = tf_provider._get_option("ots")
    assert get_option("url") == "https://us.onetimesecret.com"
    assert get_option("retries") == 3 and get_option("api_token") is None
    assert tf_provider._get_option("pwpush")("token") == "env-token-0001"


def test_a_setting_unknown_at_plan_time_is_an_error_and_not_taken_from_the_environment(monkeypatch):
    tf_provider, errors = configured(monkeypatch, {"ots_api_token": Unknown}, OTS_TOKEN="env-token-0002")
    assert errors == [("ots_api_token is not known until apply", ["ots_api_token"])]
    assert "ots_api_token" not in tf_provider.settings
