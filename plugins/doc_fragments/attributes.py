# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The attributes every module of this collection shares; a module adds only what differs (check_mode details).
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
  action_group:
    support: full
"""

    # Read-only modules: nothing on the server changes, so check mode runs them as usual.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This action does not change anything on the server; check mode runs it as usual.
"""

    PWPUSH = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/oneshot.secrets.pwpush) in C(module_defaults) to set defaults for this module.
    membership: [oneshot.secrets.pwpush]
"""

    OTS = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/oneshot.secrets.ots) in C(module_defaults) to set defaults for this module.
    membership: [oneshot.secrets.ots]
"""

    PUSHSECURITY = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/oneshot.secrets.pushsecurity) in C(module_defaults) to set defaults for this module.
    membership: [oneshot.secrets.pushsecurity]
"""
