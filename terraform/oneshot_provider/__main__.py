# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""python -m oneshot_provider: what terraform-provider-oneshot runs."""

import sys

from oneshot_provider.server import serve


def load_servicer():
    """The provider and its servicer: imported by the first call Terraform makes, after the handshake."""
    # pylint: disable=import-outside-toplevel
    from oneshot_provider.provider import OneshotProvider
    from oneshot_provider.servicer import OneshotServicer

    return OneshotServicer(OneshotProvider())


def main():
    return serve(load_servicer)


if __name__ == "__main__":
    sys.exit(main())
