# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Terraform docs against the real binaries: every attribute and block of `terraform providers schema -json`
described (1.0.3, and >= 1.11 where there is one, which also shows the ephemeral resource); the reference pages
(docs/terraform/resources/, ...) what terraform/docs_from_schema.py writes from the schema now; every Terraform
configuration in the guide `terraform fmt -check`-clean.

The guide's CLI configuration blocks (provider_installation) are not Terraform configuration: they need quoted
argument names, which `terraform fmt` refuses; test_install_docs.py has Terraform read them for real instead.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from realtf import REPO, terraform_at_least, terraform_binary

from test_terraform import HEADER

sys.path.insert(0, os.path.join(REPO, "terraform"))

import docs_from_schema  # noqa: E402  pylint: disable=wrong-import-position

NEWER, NEWER_VERSION = terraform_at_least((1, 11, 0))
BINARIES = [pytest.param(None, id="1.0.3"),
            pytest.param(NEWER, id="newer", marks=pytest.mark.skipif(
                NEWER is None, reason="a second binary needs Terraform >= 1.11: %s" % (NEWER_VERSION,)))]
GUIDE_PAGES = [os.path.join(REPO, "docs", "terraform.md")] + sorted(
    os.path.join(folder, name) for folder, _dirs, names in os.walk(os.path.join(REPO, "docs", "terraform"))
    for name in names if name.endswith(".md"))


def undescribed(block, where):
    """Paths of the attributes and nested blocks of a schema block (Terraform's JSON) without a description."""
    missing = [where + name for name, attribute in block.get("attributes", {}).items()
               if not attribute.get("description")]
    for name, nested in block.get("block_types", {}).items():
        if not nested["block"].get("description"):
            missing.append(where + name)
        missing += undescribed(nested["block"], where + name + ".")
    return missing


@pytest.mark.parametrize("binary", BINARIES)
def test_every_attribute_is_described_in_terraforms_schema(workspace, binary):
    ws = workspace(binary=binary or terraform_binary())
    ws.write(HEADER)
    ws.tf("init")
    run = ws.tf("providers", "schema", "-json")
    [schema] = json.loads(run.stdout)["provider_schemas"].values()
    kinds = ["resource_schemas", "data_source_schemas"] + (["ephemeral_resource_schemas"] if binary else [])
    missing = undescribed(schema["provider"]["block"], "provider.")
    for kind in kinds:
        assert schema.get(kind), (kind, sorted(schema))
        for name, entry in schema[kind].items():
            missing += [name] if not entry["block"].get("description") else []
            missing += undescribed(entry["block"], name + ".")
    assert missing == []


def test_the_reference_pages_are_what_the_schema_makes_now():
    stale = []
    for relative, text in docs_from_schema.pages().items():
        path = os.path.join(docs_from_schema.DOCS, relative)
        if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
            stale.append(relative)
    assert stale == [], "run terraform/docs_from_schema.py"


def configuration_blocks():
    """(page:line, text) of every ```hcl block of the guide that is Terraform configuration."""
    found = []
    for page in GUIDE_PAGES:
        text = open(page, encoding="utf-8").read()
        for match in re.finditer(r"^```hcl\n(.*?)^```", text, flags=re.S | re.M):
            if not match.group(1).startswith("provider_installation"):
                where = "%s:%d" % (os.path.relpath(page, REPO), text.count("\n", 0, match.start()) + 1)
                found.append((where, match.group(1)))
    return found


@pytest.mark.parametrize("binary", BINARIES)
def test_the_guides_configuration_is_terraform_fmt_clean(tmp_path, binary):
    blocks = configuration_blocks()
    assert len(blocks) >= 4, blocks  # the resources' examples and the write-only ones at least
    for number, (_where, text) in enumerate(blocks):
        (tmp_path / ("block%02d.tf" % number)).write_text(text)
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    checked = subprocess.run([binary or terraform_binary(), "fmt", "-check", "-no-color", str(tmp_path)],
                             capture_output=True, text=True, env=env, check=False)
    unformatted = [blocks[int(re.search(r"block(\d+)\.tf", line).group(1))][0]
                   for line in checked.stdout.splitlines() if "block" in line]
    assert (checked.returncode, unformatted) == (0, []), checked.stderr
