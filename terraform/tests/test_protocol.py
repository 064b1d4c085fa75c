# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider driven over the plugin protocol, as Terraform drives it, against the fakes."""

import os
import subprocess

import grpc
import pytest

from conftest import OTS_TOKEN, OTS_USERNAME, PWPUSH_EMAIL, PWPUSH_TOKEN
from tf.gen import tfplugin_pb2 as pb
from tfclient import LAUNCHER, UNKNOWN, PluginProcess, client_certificate, decode, errors, handshake_env, warnings

PUSH = "oneshot_pwpush_push"
OTS = "oneshot_ots_secret"
PAYLOAD = "tf-plain-payload-Zq8v3"
PASSPHRASE = "tf-plain-passphrase-Lm4k"
SECRET = "tf-plain-ots-secret-Wx7c"


def pwpush_settings(fake):
    return {"pwpush_url": fake.url, "pwpush_token": PWPUSH_TOKEN, "pwpush_email": PWPUSH_EMAIL}


def ots_settings(fake):
    return {"ots_url": fake.url, "ots_username": OTS_USERNAME, "ots_api_token": OTS_TOKEN}


def assert_no_plain(dynamic_value, *plains):
    raw = dynamic_value.msgpack + dynamic_value.json
    for plain in plains:
        assert plain.encode() not in raw


def attrs(schema_block):
    return {a.name: a for a in schema_block.attributes}


def create(provider, type_name, values):
    valid = provider.validate(type_name, values)
    assert errors(valid.diagnostics) == []
    plan = provider.plan(type_name, None, values)
    assert errors(plan.diagnostics) == []
    applied = provider.apply(type_name, None, plan, values)
    assert errors(applied.diagnostics) == []
    return plan, applied


# ------------------------------------------------------------------------------ handshake


def test_refuses_to_run_without_the_magic_cookie():
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    result = subprocess.run([LAUNCHER], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "This binary is a plugin" in result.stderr


def test_refuses_protocol_5_only():
    _key, cert = client_certificate()
    env = handshake_env(cert, {"PLUGIN_PROTOCOL_VERSIONS": "5"})
    result = subprocess.run([LAUNCHER], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "protocol 6" in result.stderr


def test_handshake_and_mutual_tls(plugin):
    provider = plugin()
    assert provider.handshake.startswith("1|6|unix|")
    assert os.stat(os.path.dirname(provider.address)).st_mode & 0o077 == 0  # private socket directory
    # A client without the key of PLUGIN_CLIENT_CERT is refused.
    stranger_key, stranger_cert = client_certificate()
    with pytest.raises(grpc.FutureTimeoutError):
        provider.dial(stranger_key, stranger_cert, timeout=3)
    # The real client is served, and Shutdown ends the process cleanly, removing the socket directory.
    assert provider.stub.GetMetadata(pb.GetMetadata.Request()).server_capabilities.plan_destroy
    assert provider.close() == 0
    assert not os.path.exists(os.path.dirname(provider.address))


# --------------------------------------------------------------------------------- schema


def test_schema(plugin):
    schema = plugin().get_schema()
    assert errors(schema.diagnostics) == []
    assert set(schema.resource_schemas) == {PUSH, OTS}
    assert set(schema.data_source_schemas) == {"oneshot_pwpush_instance"}
    assert schema.server_capabilities.plan_destroy

    provider = attrs(schema.provider.block)
    assert set(provider) == {"pwpush_url", "pwpush_token", "pwpush_email", "ots_url", "ots_username", "ots_api_token"}
    assert provider["pwpush_token"].sensitive and provider["ots_api_token"].sensitive
    assert not provider["pwpush_url"].sensitive and provider["pwpush_url"].optional

    push = attrs(schema.resource_schemas[PUSH].block)
    assert push["payload"].required and push["payload"].sensitive
    assert push["passphrase"].optional and push["passphrase"].sensitive
    assert push["url"].computed and push["url"].sensitive and not push["url"].optional
    assert push["url_token"].computed and push["url_token"].sensitive
    for name in ("views_remaining", "expired", "days_remaining", "id"):
        assert push[name].computed and not push[name].sensitive
    assert push["views_remaining"].type == b'"number"' and push["expired"].type == b'"bool"'

    secret = attrs(schema.resource_schemas[OTS].block)
    assert secret["secret"].required and secret["secret"].sensitive
    assert secret["passphrase"].optional and secret["passphrase"].sensitive
    assert secret["url"].computed and secret["url"].sensitive
    assert secret["metadata_key"].computed and secret["metadata_key"].sensitive
    assert secret["state"].computed

    instance = attrs(schema.data_source_schemas["oneshot_pwpush_instance"].block)
    assert set(instance) == {"url", "version", "edition", "api_version", "server_api_version", "expiry_field"}
    assert all(a.computed and not a.sensitive for a in instance.values())


# --------------------------------------------------------------------------------- pwpush


def test_pwpush_push_lifecycle(plugin, pwpush):
    provider = plugin()
    assert errors(provider.configure(pwpush_settings(pwpush))) == []
    values = {"payload": PAYLOAD, "passphrase": PASSPHRASE, "expire_after_views": 3, "expire_after_days": 7,
              "name": "tf lifecycle"}

    plan, applied = create(provider, PUSH, values)
    planned = decode(plan.planned_state)
    assert planned["payload"].startswith("scrypt1$") and planned["passphrase"].startswith("scrypt1$")
    assert planned["url"] is UNKNOWN and planned["views_remaining"] is UNKNOWN
    assert_no_plain(plan.planned_state, PAYLOAD, PASSPHRASE)
    assert plan.legacy_type_system

    # Exactly one push on the server, with what was asked.
    pushes = pwpush.get("/_fake/pwpush/pushes").json()
    assert len(pushes) == 1
    assert pushes[0]["has_passphrase"] and pushes[0]["expire_after_views"] == 3 and pushes[0]["name"] == "tf lifecycle"
    assert pushes[0]["expire_after_duration"] == 12  # 7 days on a hosted server

    state = decode(applied.new_state)
    assert_no_plain(applied.new_state, PAYLOAD, PASSPHRASE)
    assert state["payload"] == planned["payload"] and state["passphrase"] == planned["passphrase"]
    token = pushes[0]["url_token"]
    assert state["url_token"] == token and token in state["url"]
    assert token not in state["id"]
    assert state["views_remaining"] == 3 and state["expired"] is False and state["passphrase_protected"] is True

    # Refresh counts no view.
    read = provider.read(PUSH, state)
    assert errors(read.diagnostics) == [] and warnings(read.diagnostics) == []
    refreshed = decode(read.new_state)
    assert_no_plain(read.new_state, PAYLOAD, PASSPHRASE)
    assert refreshed["views_remaining"] == 3
    assert pwpush.get("/_fake/pwpush/pushes").json()[0]["view_count"] == 0

    # A recipient views it; refresh sees it, still without spending a view.
    viewed = pwpush.get("/api/v2/pushes/%s.json" % token, params={"passphrase": PASSPHRASE})
    assert viewed.status_code == 200
    refreshed = decode(provider.read(PUSH, refreshed).new_state)
    assert refreshed["views_remaining"] == 2 and refreshed["expired"] is False
    assert pwpush.get("/_fake/pwpush/pushes").json()[0]["view_count"] == 1

    # Same configuration: no change. Changed payload: replacement, planned without the new plain text.
    same = provider.plan(PUSH, refreshed, values)
    assert errors(same.diagnostics) == [] and list(same.requires_replace) == []
    assert decode(same.planned_state) == refreshed
    changed = provider.plan(PUSH, refreshed, dict(values, payload="tf-other-payload-Yt5"))
    assert [step.attribute_name for path in changed.requires_replace for step in path.steps] == ["payload"]
    assert_no_plain(changed.planned_state, "tf-other-payload-Yt5", PASSPHRASE)
    assert decode(changed.planned_state)["payload"] != refreshed["payload"]
    new_pass = provider.plan(PUSH, refreshed, dict(values, passphrase="tf-other-pass"))
    assert [step.attribute_name for path in new_pass.requires_replace for step in path.steps] == ["passphrase"]

    # Destroy: planned as null, applied by expiring the push.
    destroy_plan = provider.plan(PUSH, refreshed, None)
    assert errors(destroy_plan.diagnostics) == [] and decode(destroy_plan.planned_state) is None
    destroyed = provider.apply(PUSH, refreshed, destroy_plan, None)
    assert errors(destroyed.diagnostics) == [] and decode(destroyed.new_state) is None
    after = pwpush.get("/_fake/pwpush/pushes").json()
    assert len(after) == 1 and after[0]["expired"] is True and after[0]["view_count"] == 1

    # Refresh of the expired push: still in state, marked expired.
    gone = decode(provider.read(PUSH, refreshed).new_state)
    assert gone["expired"] is True
    assert provider.close() == 0
    assert PAYLOAD not in provider.stderr and PASSPHRASE not in provider.stderr


def test_pwpush_views_running_out_marks_expired(plugin, pwpush):
    provider = plugin()
    provider.configure(pwpush_settings(pwpush))
    _plan, applied = create(provider, PUSH, {"payload": PAYLOAD, "expire_after_views": 1})
    state = decode(applied.new_state)
    assert pwpush.get("/api/v2/pushes/%s.json" % state["url_token"]).status_code == 200
    refreshed = decode(provider.read(PUSH, state).new_state)
    assert refreshed["expired"] is True and refreshed["views_remaining"] == 0


def test_pwpush_apply_refuses_a_config_that_differs_from_the_plan(plugin, pwpush):
    provider = plugin()
    provider.configure(pwpush_settings(pwpush))
    plan = provider.plan(PUSH, None, {"payload": PAYLOAD})
    applied = provider.apply(PUSH, None, plan, {"payload": "tf-swapped-payload"})
    assert errors(applied.diagnostics) and "run plan again" in errors(applied.diagnostics)[0]
    assert pwpush.get("/_fake/pwpush/pushes").json() == []


def test_pwpush_unknown_payload_at_plan_time(plugin, pwpush):
    provider = plugin()
    provider.configure(pwpush_settings(pwpush))
    values = {"payload": UNKNOWN}
    assert errors(provider.validate(PUSH, values).diagnostics) == []
    plan = provider.plan(PUSH, None, values)
    assert errors(plan.diagnostics) == [] and decode(plan.planned_state)["payload"] is UNKNOWN
    applied = provider.apply(PUSH, None, plan, {"payload": "x" * 20})
    assert errors(applied.diagnostics) and pwpush.get("/_fake/pwpush/pushes").json() == []


@pytest.mark.parametrize("values, message", [
    ({"payload": "x", "expire_after_days": 0}, "expire_after_days"),
    ({"payload": "x", "expire_after_views": 101}, "expire_after_views"),
    ({"payload": "x", "kind": "file"}, "kind"),
    ({"payload": "not a url", "kind": "url"}, "URL"),
    ({"payload": "x", "expire_after_days": 7, "expire_after_duration": "1 hour"}, "mutually exclusive"),
    ({"payload": "x", "url": "https://example.com/p/x"}, "read-only"),
])
def test_pwpush_validation(plugin, values, message):
    provider = plugin()
    found = errors(provider.validate(PUSH, values).diagnostics)
    assert found and message in " ".join(found)


def test_env_fallbacks_and_oss_expiry(plugin, pwpush_oss):
    pwpush_oss.post("/_fake/reset")
    provider = plugin({"PWPUSH_URL": pwpush_oss.url, "PWPUSH_TOKEN": PWPUSH_TOKEN})
    assert errors(provider.configure({})) == []
    _plan, applied = create(provider, PUSH, {"payload": PAYLOAD, "expire_after_days": 2})
    pushes = pwpush_oss.get("/_fake/pwpush/pushes").json()
    assert len(pushes) == 1 and pushes[0]["expire_after_days"] == 2 and pushes[0]["owner"] == PWPUSH_EMAIL
    assert_no_plain(applied.new_state, PAYLOAD)


def test_pwpush_instance_data_source(plugin, pwpush, pwpush_oss):
    hosted = plugin()
    hosted.configure(pwpush_settings(pwpush))
    response = hosted.read_data("oneshot_pwpush_instance", {})
    assert errors(response.diagnostics) == []
    info = decode(response.state)
    assert info["edition"] == "commercial" and info["api_version"] == "v2"
    assert info["expiry_field"] == "expire_after_duration" and info["server_api_version"] == "2.1"
    assert info["version"] and info["url"] == pwpush.url

    oss = plugin({"PWPUSH_URL": pwpush_oss.url})
    oss.configure({})
    info = decode(oss.read_data("oneshot_pwpush_instance", {}).state)
    assert info["edition"] == "oss" and info["expiry_field"] == "expire_after_days"


def test_pwpush_errors_are_diagnostics(plugin, pwpush):
    provider = plugin()
    provider.configure(dict(pwpush_settings(pwpush), pwpush_token="wrong-token"))
    plan = provider.plan(PUSH, None, {"payload": PAYLOAD})
    applied = provider.apply(PUSH, None, plan, {"payload": PAYLOAD})
    found = errors(applied.diagnostics)
    assert found and "Could not create the push" in found[0] and PAYLOAD not in found[0]
    assert decode(applied.new_state) is None


# ------------------------------------------------------------------------------------ ots


def test_ots_secret_lifecycle(plugin, ots):
    provider = plugin()
    assert errors(provider.configure(ots_settings(ots))) == []
    values = {"secret": SECRET, "ttl": 3600}
    plan, applied = create(provider, OTS, values)
    assert_no_plain(plan.planned_state, SECRET)
    state = decode(applied.new_state)
    assert_no_plain(applied.new_state, SECRET)
    assert state["secret"].startswith("scrypt1$") and state["passphrase"] is None

    secrets = ots.get("/_fake/ots/secrets").json()
    assert len(secrets) == 1 and secrets[0]["state"] == "new" and secrets[0]["custid"] == OTS_USERNAME
    assert secrets[0]["metadata_key"] == state["metadata_key"] and secrets[0]["ttl"] == 3600
    assert state["state"] == "new" and "/secret/" in state["url"] and state["expires_at"]
    assert state["metadata_key"] not in state["id"]

    # Reading the receipt reveals nothing and burns nothing.
    refreshed = decode(provider.read(OTS, state).new_state)
    assert refreshed["state"] == "new"
    assert ots.get("/_fake/ots/secrets").json()[0]["state"] == "new"

    same = provider.plan(OTS, refreshed, values)
    assert list(same.requires_replace) == [] and decode(same.planned_state) == refreshed
    changed = provider.plan(OTS, refreshed, dict(values, secret="tf-other-ots-secret"))
    assert [step.attribute_name for path in changed.requires_replace for step in path.steps] == ["secret"]
    assert_no_plain(changed.planned_state, "tf-other-ots-secret")

    destroy_plan = provider.plan(OTS, refreshed, None)
    destroyed = provider.apply(OTS, refreshed, destroy_plan, None)
    assert errors(destroyed.diagnostics) == [] and decode(destroyed.new_state) is None
    assert ots.get("/_fake/ots/secrets").json()[0]["state"] == "burned"
    assert decode(provider.read(OTS, refreshed).new_state)["state"] == "burned"
    assert provider.close() == 0
    assert SECRET not in provider.stderr


def test_ots_received_secret_shows_on_refresh(plugin, ots):
    provider = plugin({"OTS_URL": ots.url, "OTS_USERNAME": OTS_USERNAME, "OTS_TOKEN": OTS_TOKEN})
    assert errors(provider.configure({})) == []
    _plan, applied = create(provider, OTS, {"secret": SECRET, "passphrase": PASSPHRASE})
    state = decode(applied.new_state)
    assert_no_plain(applied.new_state, SECRET, PASSPHRASE)
    assert state["passphrase_required"] is True
    key = state["url"].rstrip("/").rsplit("/", 1)[1]
    revealed = ots.post("/api/v1/secret/%s" % key, data={"passphrase": PASSPHRASE})
    assert revealed.status_code == 200
    refreshed = decode(provider.read(OTS, state).new_state)
    assert refreshed["state"] == "received"
    # Nothing left to burn: destroy is quiet.
    destroyed = provider.apply(OTS, refreshed, provider.plan(OTS, refreshed, None), None)
    assert errors(destroyed.diagnostics) == []


def test_ots_passphrase_secret_cannot_be_burned(plugin, ots):
    provider = plugin()
    provider.configure(ots_settings(ots))
    _plan, applied = create(provider, OTS, {"secret": SECRET, "passphrase": PASSPHRASE, "ttl": 600})
    state = decode(applied.new_state)
    destroyed = provider.apply(OTS, state, provider.plan(OTS, state, None), None)
    assert errors(destroyed.diagnostics) == []
    assert any("not burned" in w for w in warnings(destroyed.diagnostics))
    assert ots.get("/_fake/ots/secrets").json()[0]["state"] == "new"


@pytest.mark.parametrize("values, message", [
    ({"secret": "x", "ttl": 10}, "ttl"),
    ({"secret": "x", "recipient": "not-an-email"}, "recipient"),
    ({"secret": "x" * 10001}, "10000 bytes"),
])
def test_ots_validation(plugin, values, message):
    found = errors(plugin().validate(OTS, values).diagnostics)
    assert found and message in " ".join(found)


def test_plugin_process_helper_is_reusable():
    # Two providers side by side, as Terraform runs one per provider configuration.
    first, second = PluginProcess(), PluginProcess()
    try:
        assert first.address != second.address
    finally:
        assert first.close() == 0 and second.close() == 0


def test_upgrade_resource_state_keeps_the_state(plugin, pwpush):
    """Terraform calls UpgradeResourceState with the JSON from the state file before every plan."""
    import json  # pylint: disable=import-outside-toplevel

    provider = plugin()
    provider.configure(pwpush_settings(pwpush))
    _plan, applied = create(provider, PUSH, {"payload": PAYLOAD})
    state = decode(applied.new_state)
    version = provider.get_schema().resource_schemas[PUSH].version
    upgraded = provider.stub.UpgradeResourceState(pb.UpgradeResourceState.Request(
        type_name=PUSH, version=version, raw_state=pb.RawState(json=json.dumps(state).encode())))
    assert errors(upgraded.diagnostics) == [] and decode(upgraded.upgraded_state) == state


def test_pwpush_on_an_api_v1_server(plugin):
    from conftest import Fake  # pylint: disable=import-outside-toplevel

    fake = Fake("pwpush", "--mode", "v1", "--token", PWPUSH_TOKEN, "--email", PWPUSH_EMAIL)
    try:
        provider = plugin()
        provider.configure(pwpush_settings(fake))
        info = decode(provider.read_data("oneshot_pwpush_instance", {}).state)
        assert info["api_version"] == "v1" and info["expiry_field"] == "expire_after_days"
        _plan, applied = create(provider, PUSH, {"payload": PAYLOAD, "expire_after_views": 2, "expire_after_days": 1})
        state = decode(applied.new_state)
        assert_no_plain(applied.new_state, PAYLOAD)
        read = provider.read(PUSH, state)
        assert errors(read.diagnostics) == []
        assert decode(read.new_state)["views_remaining"] == 2
        pushes = fake.get("/_fake/pwpush/pushes").json()
        assert len(pushes) == 1 and pushes[0]["view_count"] == 0
        destroyed = provider.apply(PUSH, state, provider.plan(PUSH, state, None), None)
        assert errors(destroyed.diagnostics) == []
        assert fake.get("/_fake/pwpush/pushes").json()[0]["expired"] is True
    finally:
        fake.stop()
