"""Build the collection's documentation site into build/docs/html (`make docs`).

antsibull-docs writes the RST of every module, lookup, filter and role (argument specs) of the
installed collection (ANSIBLE_COLLECTIONS_PATH must find oneshot.secrets); docs/*.md become the
guides; Sphinx renders both with the Ansible theme. Warnings are errors, so a broken reference or
a link to a page that does not exist fails the build.

    python docs/site/build.py [--out build/docs]
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
SITE = REPO / "docs" / "site"
# Markdown links with a relative target: [text](target) or [text](target#anchor).
LOCAL_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)([^)#\s]+)")


def run(*args, cwd):
    print("+ " + " ".join(args), flush=True)
    if subprocess.run(args, cwd=cwd, check=False).returncode:
        sys.exit("docs: %s failed (its messages are above)" % args[0])


def copy_guides(src):
    """docs/*.md, docs/ci/*.md, docs/playbooks/*.md and docs/terraform/**/*.md into src/guides, plus the repository
    files they link to, at the same relative place."""
    docs = REPO / "docs"
    guides = src / "guides"
    guides.mkdir()
    for guide in (sorted(docs.glob("*.md")) + sorted(docs.glob("ci/*.md")) + sorted(docs.glob("playbooks/*.md"))
                  + sorted(docs.glob("terraform/**/*.md"))):
        page = guides / guide.relative_to(docs)
        page.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(guide, page)
        for target in LOCAL_LINK.findall(guide.read_text(encoding="utf-8")):
            if target.endswith(".md"):
                continue  # another guide: a page of the site
            source = (guide.parent / target).resolve()
            if not source.is_file() or REPO not in source.parents:
                sys.exit("%s links to %s, which is not a file of the repository" % (guide.name, target))
            # Sphinx turns a link to a file that is not a page into a download of that file.
            dest = pathlib.Path(os.path.normpath(page.parent / target))
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, dest)


# antsibull-docs writes every plugin page as for a collection on Galaxy; this one is not published yet.
GALAXY_NOTE = re.compile(r"This (.+?) is part of the `oneshot\.secrets collection <https://galaxy\.ansible\.com/[^>]*>`_ "
                         r"\(version ([^)]*)\)\.")
INSTALL_NOTE = re.compile(r"To install it,? use: :code:`ansible\\-galaxy collection install oneshot\.secrets`\.")
# The galaxy.yml addresses (repository, issues), which do not exist yet either.
LINKS_BLOCK = re.compile(r"(Collection links\n~+\n\n)?\.\. ansible-links::\n\n(  .*\n)+")
UNPUBLISHED = ("galaxy.ansible.com", "collection install oneshot.secrets", "github.com/oneshot-secrets")


def unpublished(src):
    """Say how to install from a tarball or checkout instead of Galaxy; drop the links to unpublished addresses.

    Fails the build when antsibull-docs words a page otherwise, so the site never promises Galaxy again unseen."""
    pages = sorted((src / "collections").rglob("*.rst"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        text, notes = GALAXY_NOTE.subn(r"This \1 is part of the oneshot.secrets collection (version \2), which is not "
                                       r"published on Ansible Galaxy yet.", text)
        text, installs = INSTALL_NOTE.subn(
            "To install it, build the collection from a checkout and install the tarball "
            "(:code:`ansible\\-galaxy collection build`, then :code:`ansible\\-galaxy collection install` of the "
            "tarball it writes), as :doc:`/guides/getting-started` shows.", text)
        if notes != installs:
            sys.exit("%s: antsibull-docs' collection note changed; update unpublished() in docs/site/build.py" % page.name)
        text = LINKS_BLOCK.sub("", text)
        left = [words for words in UNPUBLISHED if words in text]
        if left:
            sys.exit("%s still names %s, which does not exist yet: update unpublished() in docs/site/build.py" % (
                page.name, ", ".join(left)))
        page.write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "build" / "docs"))
    out = pathlib.Path(parser.parse_args().out).resolve()
    src, html = out / "src", out / "html"
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(html, ignore_errors=True)
    # antsibull-docs wants a destination only its owner can write to.
    src.mkdir(parents=True, mode=0o700)
    src.chmod(0o700)
    run("antsibull-docs", "collection", "--use-current", "--dest-dir", str(src), "oneshot.secrets", cwd=src)
    unpublished(src)
    shutil.copytree(SITE, src, dirs_exist_ok=True, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    copy_guides(src)
    run(sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-c", str(src), str(src), str(html),
        cwd=src)
    print("site: %s" % (html / "index.html"))


if __name__ == "__main__":
    main()
