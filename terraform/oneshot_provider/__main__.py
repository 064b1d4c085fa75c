# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""python -m oneshot_provider: what terraform-provider-oneshot runs."""

import sys

from oneshot_provider.provider import OneshotProvider
from oneshot_provider.server import serve
from oneshot_provider.servicer import OneshotServicer


def main():
    return serve(OneshotProvider(), OneshotServicer)


if __name__ == "__main__":
    sys.exit(main())
