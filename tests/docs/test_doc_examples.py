"""Every YAML example in README.md and docs/*.md (and the CI examples in docs/ci/) is checked as what it is:

* a play (a list of mappings with ``hosts``): ``ansible-playbook --syntax-check``, which also resolves every
  module, lookup-free action and collection name; plays that need no vault variables and target localhost are
  then run for real against a fresh local test server;
* a list of tasks: wrapped in a play and syntax-checked the same way;
* anything else (variables, CI files): parsed as YAML.

Run from the repository root with the collection on ANSIBLE_COLLECTIONS_PATH (``make docs-examples``).
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
CI_EXAMPLES = sorted((ROOT / "docs" / "ci").glob("*.yml"))
FENCE = re.compile(r"^```yaml\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _yaml_blocks():
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield pytest.param(match.group(1), id="%s:%d" % (doc.relative_to(ROOT), line))


def yaml_blocks():
    return list(_yaml_blocks())


def kind_of(data):
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        if all("hosts" in item or "import_playbook" in item for item in data):
            return "play"
        if all(any(key not in ("name", "when", "register", "no_log", "loop", "vars", "tags") for key in item)
               for item in data):
            return "tasks"
    return "data"


def ansible_playbook(*args, cwd, env=None, service=None):
    command = ["ansible-playbook", *args]
    if service:
        command = [str(ROOT / "tests" / "fakes" / "run-with"), service, "--", *command]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=300,
                          env=dict(os.environ, ANSIBLE_DEPRECATION_WARNINGS="false", **(env or {})))


def test_the_docs_have_yaml_examples():
    # A changed fence style would silently leave nothing to check.
    assert len(yaml_blocks()) >= 4


@pytest.mark.parametrize("block", yaml_blocks())
def test_yaml_example(block, tmp_path):
    data = yaml.safe_load(block)
    kind = kind_of(data)
    if kind == "data":
        return
    playbook = tmp_path / "example.yml"
    if kind == "tasks":
        play = {"name": "Example", "hosts": "localhost", "gather_facts": False, "tasks": data}
        playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    else:
        playbook.write_text(block)
    checked = ansible_playbook("--syntax-check", "-i", "localhost,", str(playbook), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    runnable = (kind == "play" and "vault_" not in block and all(play.get("hosts") == "localhost" for play in data))
    if runnable:
        ran = ansible_playbook("-i", "localhost,", "-c", "local", str(playbook), cwd=tmp_path, service="pwpush",
                               env={"ANSIBLE_PYTHON_INTERPRETER": sys.executable})
        assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
        assert "failed=0" in ran.stdout


@pytest.mark.parametrize("path", CI_EXAMPLES, ids=lambda path: path.name)
def test_ci_example_is_yaml_and_installs_what_exists(path):
    text = path.read_text(encoding="utf-8")
    assert isinstance(yaml.safe_load(text), dict)
    # The public repository does not exist yet: it may be named as the intended home, never installed from.
    commands = [line for line in text.splitlines() if "collection install" in line and not line.strip().startswith("#")]
    assert commands and not [line for line in commands if "git+https://github.com/oneshot-secrets" in line]


def test_readme_content_table_lists_every_plugin_and_role():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `oneshot\.secrets\.([a-z0-9_]+)` \| (module|lookup|filter|role) \|", readme, re.MULTILINE))
    expected = set()
    for folder, kind in (("modules", "module"), ("lookup", "lookup"), ("filter", "filter")):
        for path in (ROOT / "plugins" / folder).glob("*.py"):
            if not path.name.startswith("_"):
                expected.add((path.stem, kind))
    expected |= {(path.name, "role") for path in (ROOT / "roles").iterdir() if (path / "tasks").is_dir()}
    assert rows == expected
    assert "on the way" not in readme
