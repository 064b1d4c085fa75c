"""Builds the execution environment image for real with ansible-builder and podman, then runs the
collection's playbook and lookups inside it against a local test server.

No registry is reachable here, so the base image is a local Debian 12 (tests/ee/base-image.sh, cached);
execution-environment.yml itself is used unchanged, its base image replaced by build args, as an
AWX/AAP user does with their own base (docs/execution-environment.md). Nothing of the checkout is
mounted into the containers: the collection, ansible-core and requests must come from the image.

The image is built once per session (conftest.py); test_ee_runners.py runs it through ansible-runner
and ansible-navigator. Needs root and podman with runc (make ee installs them); about 2 minutes with a
cached base image.
"""

import json
import re

from conftest import PYCMD, TOKEN, in_image, needs_root_and_podman

pytestmark = needs_root_and_podman


def test_the_base_image_has_none_of_what_the_build_adds(base_image, podman_env):
    for python in ("/usr/bin/python3", PYCMD):
        for module in ("requests", "ansible", "ansible_runner"):
            result = in_image(base_image, podman_env, python, "-c", "import " + module, check=False)
            assert result.returncode != 0, "%s in the base image already has %s" % (python, module)


def test_collection_and_python_dependencies_come_from_the_image(ee_image, podman_env):
    script = (
        "import json, requests, ansible, ansible_runner\n"
        "from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush import client as pwpush\n"
        "print(json.dumps({'requests': requests.__file__, 'ansible': ansible.__file__,"
        " 'runner': ansible_runner.__file__, 'collection': pwpush.__file__}))\n"
    )
    where = json.loads(in_image(ee_image, podman_env, "python3", "-c", script,
                                variables={"PYTHONPATH": "/usr/share/ansible/collections"}).stdout)
    for name in ("requests", "ansible", "runner"):
        assert where[name].startswith("/opt/ee-python/lib/python3"), where
    assert where["collection"] == \
        "/usr/share/ansible/collections/ansible_collections/oneshot/secrets/plugins/module_utils/_pwpush/client.py"

    listing = json.loads(in_image(ee_image, podman_env, "ansible-galaxy", "collection", "list",
                                  "oneshot.secrets", "--format", "json").stdout)
    assert listing == {"/usr/share/ansible/collections/ansible_collections": {"oneshot.secrets": {"version": "0.1.0"}}}
    # The version the collection asks for, installed from its requirements.txt through meta/execution-environment.yml.
    version = in_image(ee_image, podman_env, "python3", "-c", "import requests; print(requests.__version__)").stdout
    assert tuple(int(part) for part in version.strip().split(".")[:2]) >= (2, 25)


def test_ci_handoff_and_lookups_run_in_the_image_against_a_local_server(ee_image, podman_env, pwpush_url):
    connection = {"PWPUSH_URL": pwpush_url, "PWPUSH_TOKEN": TOKEN}
    secret = "ee-handoff-secret-5f3a"

    pushed = in_image(ee_image, podman_env, "ansible-playbook", "oneshot.secrets.ci_handoff", "-e", "output=json",
                      variables=dict(connection, HANDOFF_SECRET=secret))
    assert secret not in pushed.stdout + pushed.stderr
    links = re.findall(r"%s/p/[A-Za-z0-9_-]+/r" % re.escape(pwpush_url), pushed.stdout)
    assert links, pushed.stdout
    link = links[0]

    # Receive mode reads the link with the oneshot.secrets.pwpush_retrieve lookup into a 0600 file.
    received = in_image(ee_image, podman_env, "sh", "-c",
                        "ansible-playbook oneshot.secrets.ci_handoff -e handoff_mode=receive -e handoff_link=%s"
                        " -e handoff_dest=/tmp/got >/dev/null && stat -c %%a /tmp/got && cat /tmp/got" % link,
                        variables=connection)
    assert received.stdout.splitlines() == ["600", secret]

    # The pwpush lookup: links for two secrets over one connection, made in the image.
    made = in_image(ee_image, podman_env, "ansible", "localhost", "-m", "ansible.builtin.debug", "-a",
                    "msg={{ query('oneshot.secrets.pwpush', 'ee-first-secret', 'ee-second-secret', expire_after_views=1) | to_json }}",
                    variables=connection)
    assert len(re.findall(r"%s/p/[A-Za-z0-9_-]+" % re.escape(pwpush_url), made.stdout)) == 2, made.stdout
    assert "ee-first-secret" not in made.stdout
