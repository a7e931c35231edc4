"""Redis Enterprise nodes and node actions: filled in by the re_node_action
issue. Registered on every node's app."""

from flask import Blueprint

blueprint = Blueprint("re_nodes", __name__)
