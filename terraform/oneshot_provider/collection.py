# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the collection's clients importable as ansible_collections.oneshot.secrets.*.

The clients import `ansible_collections.oneshot.secrets.plugins.module_utils._http` (and need requests,
not ansible-core), so the provider needs a directory on sys.path that holds
ansible_collections/oneshot/secrets. In order, the first that has the clients wins:

1. ONESHOT_COLLECTIONS_PATH (colon-separated, like ANSIBLE_COLLECTIONS_PATH);
2. the collection this provider ships in, when it is installed as .../ansible_collections/oneshot/secrets;
3. a link farm in the user's cache directory that points back at this checkout (always current;
   outside the repository, so no tool that walks the tree meets a link loop);
4. the view `make view` builds in <repo>/build/ (a copy, current as of the last `make view`).
"""

import hashlib
import os
import sys

_PARTS = ("ansible_collections", "oneshot", "secrets")
_PROBE = os.path.join("plugins", "module_utils", "_pwpush", "client.py")


class CollectionNotFound(Exception):
    pass


def repo_root():
    """The collection root this package lives in (terraform/oneshot_provider/ -> ../..)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _has_collection(path):
    return os.path.isfile(os.path.join(path, *_PARTS, _PROBE))


def _link_farm(root):
    """$XDG_CACHE_HOME/oneshot-secrets-terraform/<hash>/ansible_collections/oneshot/secrets -> <root>."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    base = os.path.join(cache, "oneshot-secrets-terraform", hashlib.sha256(root.encode("utf-8")).hexdigest()[:16])
    parent = os.path.join(base, *_PARTS[:2])
    link = os.path.join(parent, _PARTS[2])
    if os.path.realpath(link) != os.path.realpath(root):
        os.makedirs(parent, exist_ok=True)
        temporary = "%s.%d" % (link, os.getpid())
        os.symlink(root, temporary)
        os.replace(temporary, link)  # atomic: concurrent provider processes agree
    return base


def candidates(root=None):
    root = root or repo_root()
    found = []
    for entry in os.environ.get("ONESHOT_COLLECTIONS_PATH", "").split(os.pathsep):
        if entry:
            found.append(entry)
    parts = root.rstrip(os.sep).split(os.sep)
    if tuple(parts[-3:]) == _PARTS:
        found.append(os.sep.join(parts[:-3]) or os.sep)
    if os.path.isfile(os.path.join(root, _PROBE)):
        try:
            found.append(_link_farm(root))
        except OSError:
            pass
    found.append(os.path.join(root, "build"))
    return found


def ensure_importable(root=None):
    """Put the first usable collections directory on sys.path; return it."""
    for path in candidates(root):
        if _has_collection(path):
            if path not in sys.path:
                sys.path.insert(0, path)
            return path
    raise CollectionNotFound("Cannot find ansible_collections/oneshot/secrets: set ONESHOT_COLLECTIONS_PATH to a "
                             "directory that holds it (for example the repository's build/ after `make view`).")
