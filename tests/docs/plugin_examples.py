"""Runs a plugin's EXAMPLES block as a play against a local test server and records what each task returned.

Shared by test_plugin_examples.py (every example runs) and test_return_docs.py (results match RETURN). What a
block assumes around it (variables, a push to expire, a file to send) is in example_context.yml; the block itself
is run as written, except that real hosts, sample links and paths are replaced by the test's stand-ins and
``no_log`` is dropped (so that the recorded results are not censored; it changes nothing the module returns).

The ansible-core is the one on PATH, or the one in $EXAMPLES_ANSIBLE_BIN (a venv's bin, such as a nox session's
in .nox/); its plays run with the collection from ANSIBLE_COLLECTIONS_PATH.
"""

from __future__ import annotations

import ast
import atexit
import functools
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
CONTEXT = yaml.safe_load((HERE / "example_context.yml").read_text(encoding="utf-8"))
FQCN = "oneshot.secrets."

# Real hosts named in examples, in the order they are replaced (a quoted one inside a Jinja expression first).
HOSTS = [
    ("'https://pwpush.example.com'", "lookup('ansible.builtin.env', 'PWPUSH_URL')"),
    ("https://pwpush.example.com", "{{ lookup('ansible.builtin.env', 'PWPUSH_URL') }}"),
    ("'https://eu.onetimesecret.com'", "lookup('ansible.builtin.env', 'OTS_URL')"),
    ("https://eu.onetimesecret.com", "{{ lookup('ansible.builtin.env', 'OTS_URL') }}"),
]
# The fakes' account for the examples that name one (ots_secret's "it@example.com").
FAKE_ENV = {"OTS_USERNAME": "it@example.com"}
SERVICE_ENV_PREFIXES = ("PWPUSH_", "OTS_", "PUSHSECURITY_")


def _plugin_paths():
    found = {}
    for folder, kind in (("modules", "module"), ("lookup", "lookup")):
        for path in sorted((ROOT / "plugins" / folder).glob("*.py")):
            if not path.name.startswith("_"):
                found[path.stem] = (kind, path)
    return found


PLUGINS = _plugin_paths()
MODULES = sorted(name for name, (kind, _path) in PLUGINS.items() if kind == "module")


def doc_strings(name):
    """DOCUMENTATION, EXAMPLES and RETURN of a plugin, read without importing it."""
    tree = ast.parse(PLUGINS[name][1].read_text(encoding="utf-8"))
    strings = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
            strings[node.targets[0].id] = node.value.value
    return strings


def _replaced(value, pairs):
    """Every string in value (nested lists and dicts, keys too) with each pair's text replaced in order."""
    if isinstance(value, str):
        for old, new in pairs:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replaced(item, pairs) for item in value]
    if isinstance(value, dict):
        return {_replaced(key, pairs): _replaced(item, pairs) for key, item in value.items()}
    return value


def example_tasks(name):
    return yaml.safe_load(doc_strings(name)["EXAMPLES"])


def ansible_bin():
    given = os.environ.get("EXAMPLES_ANSIBLE_BIN")
    if given:
        return pathlib.Path(given)
    return pathlib.Path(shutil.which("ansible-playbook")).parent


class ExampleRun:
    """One run of a plugin's examples: the process, the example tasks' names and every recorded result."""

    def __init__(self, name, process, task_names, records):
        self.name = name
        self.process = process
        self.task_names = task_names
        self.records = records

    def output(self):
        return (self.process.stdout[-4000:] + self.process.stderr[-3000:])

    def results_of(self, module):
        """The results of every task (examples and set-up) that ran `module` and succeeded: a no_log task's result
        is censored and a loop's holds one result an item, so neither is the module's own result."""
        return [record["result"] for record in self.records
                if record["action"] in (module, FQCN + module) and record["status"] == "ok"
                and "censored" not in record["result"] and not isinstance(record["result"].get("results"), list)]


def _play(name, tmp):
    context = CONTEXT.get(name, {})
    fill = [("{tmp}", str(tmp))]
    for file_name, content in (context.get("files") or {}).items():
        (tmp / file_name).write_text(content, encoding="utf-8")
    pairs = _replaced([list(pair) for pair in (context.get("replace") or {}).items()], fill) + HOSTS
    tasks = []
    for task in example_tasks(name):
        task = _replaced(task, pairs)
        task.pop("no_log", None)
        tasks.append(task)
    setup = [dict(task, name="setup: " + task["name"]) for task in _replaced(context.get("setup") or [], fill)]
    play = {"name": "EXAMPLES of " + name, "hosts": "localhost", "gather_facts": False,
            "vars": context.get("vars") or {}, "tasks": setup + tasks}
    return play, [task["name"] for task in tasks]


@functools.lru_cache(maxsize=None)
def run_examples(name):
    """Run the examples of plugin `name` once per test session (both test files use the same run)."""
    context = CONTEXT.get(name, {})
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="examples-%s-" % name))
    atexit.register(shutil.rmtree, tmp, True)
    play, task_names = _play(name, tmp)
    playbook = tmp / "examples.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    records_file = tmp / "records.jsonl"
    records_file.touch()
    binaries = ansible_bin()
    # A service address already set would make run-with skip the fake: these examples run against the fakes only.
    env = {key: value for key, value in os.environ.items() if not key.startswith(SERVICE_ENV_PREFIXES)}
    env.update(FAKE_ENV)
    env.update(ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback"), ANSIBLE_CALLBACKS_ENABLED="record_results",
               RECORD_RESULTS_FILE=str(records_file), ANSIBLE_PYTHON_INTERPRETER=str(binaries / "python"),
               ANSIBLE_DEPRECATION_WARNINGS="false", PATH="%s:%s" % (binaries, os.environ["PATH"]))
    command = [str(binaries / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
    services = context["service"]
    for service in [services] if isinstance(services, str) else services:
        command = [str(ROOT / "tests" / "fakes" / "run-with"), service, "--"] + command
    process = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True, check=False, timeout=600)
    records = [json.loads(line) for line in records_file.read_text(encoding="utf-8").splitlines()]
    return ExampleRun(name, process, task_names, records)
