# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider's settings and push arguments come from the collection's option declarations (each service
folder's options.py, through module_utils/api.py), and the provider runs without ansible-core."""

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROVIDER_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "terraform")

# Run in a fresh interpreter in which `import ansible...` fails, as in a venv without ansible-core.
_PROBE = r"""
import json, sys
sys.modules["ansible"] = None
sys.path.insert(0, sys.argv[1])
from oneshot_provider import common, provider, pwpush, ots

options = common.declared()
settings = provider.OneshotProvider().get_provider_schema(None)
push = pwpush.PwpushPush.get_schema()
sealed = push.block_types[0].block
out = dict(
    settings=dict((a.name, dict(type=type(a.type).__name__, sensitive=bool(a.sensitive), description=a.description))
                  for a in settings.attributes),
    push=dict((a.name, dict(type=type(a.type).__name__, sensitive=bool(a.sensitive), requires_replace=a.requires_replace))
              for a in push.attributes if not a.computed and a.name not in pwpush.PwpushPush.WRITE_ONLY
              and a.name != pwpush.PwpushPush.WRITE_ONLY_VERSION),
    sealed=dict((a.name, bool(a.sensitive)) for a in sealed.attributes),
    ots_schema=len(ots.OtsSecret.get_schema().attributes),
    env=provider.env_fallbacks(),
    inputs=list(pwpush.PwpushPush.INPUTS),
    declared=dict(pwpush=options.PWPUSH_CONNECTION, ots=options.OTS_CONNECTION,
                  push=dict(options.PWPUSH_PUSH, **options.PWPUSH_PUSH_OWNER)),
    ansible_loaded=sorted(name for name in sys.modules if name == "ansible" or name.startswith("ansible.")
                          if sys.modules[name] is not None),
)
client = provider.OneshotProvider()
client.settings = dict(pwpush_url="http://127.0.0.1:9", pwpush_token="tf-probe-token-0001")
pw = client.new_client("pwpush")
out["client"] = dict(url=pw.url, token=pw.token, retries=pw.http.retries if hasattr(pw.http, "retries") else None)
pw.close()
print(json.dumps(out))
"""


def probe():
    result = subprocess.run([sys.executable, "-c", _PROBE, PROVIDER_DIR], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_provider_needs_no_ansible_core_and_derives_its_schema():
    found = probe()
    assert found["ansible_loaded"] == []
    # Settings: the lookups' variable names, sensitive where the option is no_log, the modules' environment variables.
    expected = {}
    for service in ("pwpush", "ots"):
        for option in found["declared"][service].values():
            if option.get("vars") and option["vars"][0] in found["settings"]:
                expected[option["vars"][0]] = option
    assert set(found["settings"]) == set(["pwpush_url", "pwpush_token", "pwpush_email",
                                          "ots_url", "ots_username", "ots_api_token"]) == set(expected)
    for name, option in expected.items():
        assert found["settings"][name]["sensitive"] == bool(option.get("no_log")), name
        assert found["env"][name] == option["env"][0]
        assert "env %s" % option["env"][0] in found["settings"][name]["description"]
    assert "default https://pwpush.com" in found["settings"]["pwpush_url"]["description"]
    # Push arguments: every declared push option but the sealed passphrase, typed as declared.
    types = {"str": "String", "int": "Number", "bool": "Bool"}
    declared_push = found["declared"]["push"]
    assert set(found["push"]) == set(declared_push) - set(["passphrase"]) == set(found["inputs"])
    for name, attribute in found["push"].items():
        assert attribute["type"] == types[declared_push[name].get("type", "str")], name
        assert attribute["requires_replace"] and not attribute["sensitive"], name
    assert found["sealed"] == {"payload": True, "passphrase": True}
    assert found["ots_schema"] > 0
    # Options the provider does not expose keep their declared defaults.
    assert found["client"]["url"] == "http://127.0.0.1:9"
    assert found["client"]["token"] == "tf-probe-token-0001"


def test_the_provider_imports_only_the_public_api():
    """No private module of the collection (module_utils/_*): the core may change behind api.py."""
    folder = os.path.join(PROVIDER_DIR, "oneshot_provider")
    for name in os.listdir(folder):
        if name.endswith(".py"):
            with open(os.path.join(folder, name)) as handle:
                text = handle.read()
            assert not re.search(r"module_utils(\.|\s+import\s+)_", text), name
