# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/terraform/install.md's install steps, copied as written, and examples/terraform/main.tf as it is,
run with the real Terraform binary (init with the lock file, apply, no-change plan, destroy)."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import OTS_TOKEN, OTS_USERNAME, PWPUSH_EMAIL, PWPUSH_TOKEN
from realtf import REPO

DOCS = os.path.join(REPO, "docs", "terraform", "install.md")
EXAMPLE = os.path.join(REPO, "examples", "terraform", "main.tf")
PASSWORD = "tf-example-password-Rt5y"


def doc_blocks(language):
    with open(DOCS) as handle:
        return re.findall(r"```%s\n(.*?)```" % language, handle.read(), flags=re.S)


def mirror_script():
    (script,) = [b for b in doc_blocks("sh") if "terraform-provider-oneshot_v0.1.0" in b]
    assert "repo=/path/to/oneshot.secrets\n" in script
    return script.replace("repo=/path/to/oneshot.secrets\n", "repo=%s\n" % REPO)


def cli_config(method, home):
    configs = [b for b in doc_blocks("hcl") if "provider_installation" in b]
    (config,) = [c for c in configs if ("dev_overrides" in c) == (method == "dev_overrides")]
    return config.replace("/path/to/oneshot.secrets", REPO).replace("/home/you", home)


@pytest.mark.parametrize("method", ["filesystem_mirror", "dev_overrides"])
def test_documented_install_and_the_example(workspace, pwpush_servers, ots_fake, method):
    pwpush = pwpush_servers["hosted"]
    env = {"PWPUSH_URL": pwpush.url, "PWPUSH_TOKEN": PWPUSH_TOKEN, "PWPUSH_EMAIL": PWPUSH_EMAIL,
           "OTS_URL": ots_fake.url, "OTS_USERNAME": OTS_USERNAME, "OTS_TOKEN": OTS_TOKEN,
           "TF_VAR_db_password": PASSWORD}
    ws = workspace(env=env)
    with open(ws.cli_config, "w") as handle:
        handle.write(cli_config(method, ws.home))
    subprocess.run(["sh", "-ec", mirror_script()], env={"HOME": ws.home, "PATH": os.environ["PATH"]}, check=True)
    shutil.copy(EXAMPLE, ws.dir)

    ws.tf("fmt", "-check", "-diff")  # the example is formatted as Terraform formats it
    ws.tf("init")
    ws.tf("validate")
    with open(os.path.join(ws.dir, ".terraform.lock.hcl")) as handle:
        lock = handle.read()
    assert 'provider "terraform.local/oneshot/oneshot"' in lock and '"h1:' in lock
    applied = ws.tf("apply", "-auto-approve")
    overridden = "Provider development overrides are in effect" in applied.output
    assert overridden == (method == "dev_overrides")
    assert ws.tf("output", "-raw", "db_link").stdout.startswith(pwpush.url + "/p/")
    assert ws.tf("output", "-raw", "db_secret_link").stdout.startswith(ots_fake.url)
    assert ws.tf("output", "-raw", "db_secret_state").stdout == "new"
    ws.tf("plan", "-detailed-exitcode", expect=0)
    ws.tf("destroy", "-auto-approve")
    ws.assert_no_leak(PASSWORD, PWPUSH_TOKEN, OTS_TOKEN)
