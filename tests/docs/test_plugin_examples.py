"""Every module's and lookup's EXAMPLES block runs, as written, against a local test server (plugin_examples.py).

Run from the repository root with the collection on ANSIBLE_COLLECTIONS_PATH (``make docs-selfcheck``);
EXAMPLES_ANSIBLE_BIN picks another ansible-core (the Makefile runs 2.17 that way).
"""

import pytest

from plugin_examples import CONTEXT, PLUGINS, example_tasks, run_examples


def test_every_plugin_has_examples_and_a_context():
    # A plugin added without a context entry would otherwise run with no server named.
    assert len(PLUGINS) >= 15
    assert sorted(CONTEXT) == sorted(PLUGINS)
    for name in PLUGINS:
        assert example_tasks(name), name


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_examples_run(name):
    if CONTEXT[name].get("skip"):
        pytest.skip(CONTEXT[name]["skip"])
    run = run_examples(name)
    assert run.process.returncode == 0, run.output()
    # Each example task ran and succeeded: none skipped by its `when`, none left out by an earlier failure.
    statuses = {record["name"]: record["status"] for record in run.records}
    not_ok = {task: statuses.get(task, "not run") for task in run.task_names if statuses.get(task) != "ok"}
    assert not not_ok, "%s\n%s" % (not_ok, run.output())
