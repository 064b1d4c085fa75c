"""Every module's results, as its EXAMPLES (and the set-up tasks of other plugins' examples) registered them against
the local test servers, agree with its RETURN docs, both ways:

* a key returned but not documented (at the top, and inside a documented C(contains));
* a key documented as ``returned: always`` missing;
* a value of another type than documented (null passes: the docs say where a value may be null).

Run from the repository root with the collection on ANSIBLE_COLLECTIONS_PATH (``make docs-selfcheck``).
"""

import pytest
import yaml

from plugin_examples import CONTEXT, MODULES, PLUGINS, doc_strings, run_examples

# What Ansible or AnsibleModule adds to every result, documented by Ansible's common return values.
COMMON_KEYS = {"changed", "failed", "invocation", "warnings", "deprecations", "diff", "skipped", "msg"}
TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "list": (list,), "dict": (dict,),
         "path": (str,)}


def type_problem(where, value, doc):
    """Why value is not of the documented type (None when it is)."""
    expected = doc.get("type", "str")
    if value is None or expected in ("raw", "complex"):
        return None
    allowed = TYPES[expected]
    if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
        return "%s: documented %s, returned %s %r" % (where, expected, type(value).__name__, value)
    return None


def drift(where, result, docs, top=True):
    """Every disagreement between one result (a dict) and the RETURN entries describing it."""
    problems = []
    for key in sorted(set(result) - set(docs)):
        if not (top and (key in COMMON_KEYS or key.startswith("_ansible"))):
            problems.append("%s%s: returned but not documented" % (where, key))
    for key, doc in docs.items():
        if key not in result:
            if doc.get("returned") == "always":
                problems.append("%s%s: documented as returned always, missing" % (where, key))
            continue
        problems.extend(value_drift(where + key, result[key], doc))
    return problems


def value_drift(where, value, doc):
    problem = type_problem(where, value, doc)
    if problem:
        return [problem]
    problems = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            item_where = "%s[%d]" % (where, index)
            if doc.get("elements"):
                problems.extend(filter(None, [type_problem(item_where, item, {"type": doc["elements"]})]))
            if doc.get("contains") and isinstance(item, dict):
                problems.extend(drift(item_where + ".", item, doc["contains"], top=False))
    elif isinstance(value, dict) and doc.get("contains"):
        problems.extend(drift(where + ".", value, doc["contains"], top=False))
    return problems


def results_of(module):
    results = []
    for name in sorted(PLUGINS):
        if not CONTEXT[name].get("skip"):
            results.extend(run_examples(name).results_of(module))
    return results


def test_drift_is_found_both_ways():
    # The checker itself: each kind of drift is reported, agreement is not.
    docs = {"url": {"type": "str", "returned": "always"}, "views": {"type": "int", "returned": "success"},
            "files": {"type": "list", "elements": "dict", "returned": "always",
                      "contains": {"size": {"type": "int"}}}}
    good = {"changed": True, "url": "https://x", "views": 1, "files": [{"size": 3}]}
    assert not drift("", good, docs)
    assert drift("", dict(good, extra=1), docs) == ["extra: returned but not documented"]
    assert drift("", {"views": 1, "files": []}, docs) == ["url: documented as returned always, missing"]
    assert drift("", dict(good, views="1"), docs) == ["views: documented int, returned str '1'"]
    assert drift("", dict(good, views=True), docs) == ["views: documented int, returned bool True"]
    assert drift("", dict(good, files=[{"size": 3, "name": "a"}]), docs) == ["files[0].name: returned but not documented"]


@pytest.mark.parametrize("module", [name for name in MODULES if not CONTEXT[name].get("skip")])
def test_results_match_return_docs(module):
    docs = yaml.safe_load(doc_strings(module)["RETURN"]) or {}
    results = results_of(module)
    assert results, "no example of any plugin ran %s successfully: nothing to compare its RETURN docs with" % module
    problems = set()
    for result in results:
        problems.update(drift("", result, docs))
    assert not problems, "%s RETURN docs disagree with what it returned:\n  %s" % (module, "\n  ".join(sorted(problems)))
