# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: memstore_summary
author:
  - redisops.platform maintainers (@redisops)
version_added: 1.2.0
short_description: Summarise the resources a memstore_resources task converged
description:
  - Takes the C(resources) that M(redisops.platform.memstore_resources) returns and gives, for each one, its
    C(name), C(kind), C(changed), C(status) and C(endpoints), with C(error) (why) for a resource that failed;
    and the names of those that failed.
  - This is the result of the C(redisops.platform.memstore_provision) role; a playbook can use it to report
    a batch the same way.
options:
  _input:
    description: The C(resources) list of a M(redisops.platform.memstore_resources) result.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Converge the caches
  redisops.platform.memstore_resources:
    instance_sets: "{{ caches }}"
  register: converged
  ignore_errors: true

- name: Report them
  ansible.builtin.debug:
    msg: "{{ converged.resources | default([]) | redisops.platform.memstore_summary }}"
"""

RETURN = r"""
_value:
  description: The summary.
  type: dict
  contains:
    resources:
      description: One C({name, kind, changed, status, endpoints}) per resource, in order; C(error) when it failed.
      type: list
      elements: dict
    failed:
      description: The names of the resources that failed.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

#: What the summary keeps of each entry.
SUMMARY_KEYS = ("name", "kind", "changed", "status", "endpoints")


def memstore_summary(resources):
    """``{resources, failed}``: each entry's summary (with ``error`` when it failed) and the names of those that failed."""
    if not isinstance(resources, list) or not all(isinstance(entry, dict) for entry in resources):
        raise AnsibleFilterError("memstore_summary takes the resources list of a memstore_resources result")
    summaries = []
    for entry in resources:
        summary = dict((key, entry.get(key)) for key in SUMMARY_KEYS)
        if entry.get("failed"):
            summary["error"] = entry.get("msg")
        summaries.append(summary)
    return dict(resources=summaries, failed=[summary["name"] for summary in summaries if "error" in summary])


class FilterModule:
    def filters(self):
        return {"memstore_summary": memstore_summary}
