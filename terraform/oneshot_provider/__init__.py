# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Terraform/OpenTofu provider for oneshot.secrets, written with the `tf` framework (PyPI).

It reuses the collection's Password Pusher and onetimesecret clients
(through its public API, plugins/module_utils/api.py); see docs/terraform.md.
"""

VERSION = "0.1.0"
# The source address used in required_providers (and in dev_overrides / the filesystem mirror).
SOURCE_ADDRESS = "terraform.local/oneshot/oneshot"
