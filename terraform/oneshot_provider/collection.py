# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the collection's public API importable as ansible_collections.oneshot.secrets.plugins.module_utils.api.

The API needs requests, not ansible-core. In order, the first that holds the collection wins:

1. ONESHOT_COLLECTIONS_PATH (colon-separated, like ANSIBLE_COLLECTIONS_PATH): a directory that holds
   ansible_collections/oneshot/secrets, put on sys.path;
2. the collection this provider ships in, when it is installed as .../ansible_collections/oneshot/secrets;
3. the checkout this provider lives in (its root is the collection): the package ansible_collections.oneshot.secrets
   is registered with the checkout as its path, so nothing is written to disk (no link, no copy).
"""

import os
import sys
import types

_PARTS = ("ansible_collections", "oneshot", "secrets")
_PROBE = os.path.join("plugins", "module_utils", "api.py")


class CollectionNotFound(Exception):
    pass


def repo_root():
    """The collection root this package lives in (terraform/oneshot_provider/ -> ../..)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _has_collection(path):
    return os.path.isfile(os.path.join(path, *_PARTS, _PROBE))


def candidates(root=None):
    """The collections directories to look in, in order (1 and 2 above)."""
    root = root or repo_root()
    found = [entry for entry in os.environ.get("ONESHOT_COLLECTIONS_PATH", "").split(os.pathsep) if entry]
    parts = root.rstrip(os.sep).split(os.sep)
    if tuple(parts[-3:]) == _PARTS:
        found.append(os.sep.join(parts[:-3]) or os.sep)
    return found


def _register_checkout(root):
    """ansible_collections.oneshot.secrets is root: namespace packages above it, its __path__ the checkout, so the
    normal import system finds plugins/module_utils/... below it (its folders are namespace or regular packages)."""
    for depth in range(1, len(_PARTS) + 1):
        name = ".".join(_PARTS[:depth])
        module = sys.modules.get(name)
        if module is None:
            module = types.ModuleType(name)
            module.__path__ = []
            sys.modules[name] = module
            if depth > 1:
                setattr(sys.modules[".".join(_PARTS[:depth - 1])], _PARTS[depth - 1], module)
        if depth == len(_PARTS) and root not in module.__path__:
            module.__path__.insert(0, root)


def ensure_importable(root=None):
    """Make the collection importable; return where it was found."""
    root = root or repo_root()
    for path in candidates(root):
        if _has_collection(path):
            if path not in sys.path:
                sys.path.insert(0, path)
            return path
    if os.path.isfile(os.path.join(root, _PROBE)):
        _register_checkout(root)
        return root
    raise CollectionNotFound("Cannot find ansible_collections/oneshot/secrets: set ONESHOT_COLLECTIONS_PATH to a "
                             "directory that holds it (for example the repository's build/ after `make view`).")
