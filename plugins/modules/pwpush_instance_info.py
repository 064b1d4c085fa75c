#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pwpush_instance_info
short_description: Version, edition and features of a Password Pusher server
version_added: 0.1.0
description:
  - Asks the server which API it speaks (v2 or the older v1), its edition (hosted or open-source), its features
    (file, URL and QR pushes, anonymous access) and which expiry field pushes will use.
extends_documentation_fragment:
  - oneshot.secrets.pwpush
  - oneshot.secrets.connection
  - oneshot.secrets.attributes
  - oneshot.secrets.attributes.PWPUSH
  - oneshot.secrets.attributes.INFO_MODULE
options: {}
author:
  - oneshot.secrets maintainers (@oneshot-secrets)
"""

EXAMPLES = r"""
- name: What does our server support?
  oneshot.secrets.pwpush_instance_info:
    url: https://pwpush.example.com
  register: pwpush

- name: Stop early when file pushes are off
  ansible.builtin.assert:
    that: pwpush.features.pushes.file_attachments.enabled | default(false)
    fail_msg: File pushes are disabled on {{ pwpush.url }}
"""

RETURN = r"""
url:
  description: The server asked.
  returned: always
  type: str
api_version:
  description: The API this collection speaks with the server, V(v2) or V(v1).
  returned: always
  type: str
  sample: v2
server_api_version:
  description: The API version the server reports.
  returned: always
  type: str
  sample: "2.1"
application_version:
  description: The server's application version.
  returned: when the server says
  type: str
  sample: 2.11.4
edition:
  description: V(oss) for the open-source edition; another value (such as V(commercial)) for the hosted one.
  returned: always
  type: str
features:
  description: The server's feature switches (API 2.1 and later), empty otherwise.
  returned: always
  type: dict
expiry_field:
  description: The expiry field pushes will use, V(expire_after_days) or V(expire_after_duration).
  returned: always
  type: str
requests:
  description:
    - Whether the server serves requests (M(oneshot.secrets.pwpush_request)). Only Password Pusher Pro does
      (API v2 with C(features.requests.enabled)); the open-source edition and API v1 servers do not.
  returned: always
  type: bool
"""

from ansible_collections.oneshot.secrets.plugins.module_utils._core.module import ServiceModule
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.asks import requests_served
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient


def main():
    module = ServiceModule(PwpushClient, supports_check_mode=True)
    info = module.run(lambda client: dict(client.instance_info(), requests=requests_served(client)[0]))
    module.exit_json(changed=False, **info)


if __name__ == "__main__":
    main()
