# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The items of ``memstore_resources``: each one checked with its own module's argument
spec and rules before any request, a name given once across both lists."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.redisops.platform.plugins.module_utils.memstore.cluster import Cluster
from ansible_collections.redisops.platform.plugins.module_utils.memstore.instance_set import InstanceSet

ARGUMENT_SPEC = dict(
    instance_sets=dict(type="list", elements="dict", default=[]),
    clusters=dict(type="list", elements="dict", default=[]),
)

#: The resource of each kind of item (its list_key is the option listing them).
KINDS = (InstanceSet, Cluster)


def _secrets_in(value):
    """Every value under a key that names a password, however the item is shaped (even when its
    shape is wrong and the validator cannot say which values are secret)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if "password" in str(key).lower() and isinstance(item, str):
                yield item
            else:
                yield from _secrets_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _secrets_in(item)


def _explained(error, module_name):
    """A validator's error as a sentence (its unsupported-option text starts with the option names)."""
    if isinstance(error, UnsupportedError):
        return "unsupported option %s (an item takes the options of %s)" % (error, module_name)
    return str(error)


def batch_items(module):
    """``[(resource class, params)]`` of every item, in order; fails the module (before any
    request) naming each item that breaks a rule."""
    # First hide every secret any item carries: a message about one item must not show another's.
    for resource_class in KINDS:
        module.no_log_values.update(_secrets_in(module.params[resource_class.list_key]))
    items, errors, seen = [], [], {}
    for resource_class in KINDS:
        option = resource_class.list_key
        validator = ArgumentSpecValidator(resource_class.argument_spec, mutually_exclusive=resource_class.mutually_exclusive)
        for index, item in enumerate(module.params[option]):
            position = "%s[%d]" % (option, index)
            name = item.get("name") if isinstance(item, dict) else None
            where = "%s (name %r)" % (position, name) if name else position
            result = validator.validate(item)
            module.no_log_values.update(result._no_log_values)  # pylint: disable=protected-access
            for warning in result._warnings:  # pylint: disable=protected-access  # both an option and its alias were set
                module.warn("%s: both option %s and its alias %s are set" % (where, warning["option"], warning["alias"]))
            problems = [_explained(error, "memstore_" + resource_class.result_key) for error in result.errors]
            if not problems:
                params = result.validated_parameters
                problems = resource_class.validate(params)
                items.append((resource_class, params))
            errors.extend("%s: %s" % (where, problem) for problem in problems)
            if name:
                if name in seen:
                    errors.append("name %r is given twice (%s and %s): a name is one resource" % (name, seen[name], position))
                else:
                    seen[name] = position
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors, changed=False)
    return items
