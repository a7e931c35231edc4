"""Redis Enterprise bootstrap (POST /v1/bootstrap/{action}, validate): filled in
by the re_bootstrap issue. Registered on every node's app."""

from flask import Blueprint

blueprint = Blueprint("re_bootstrap", __name__)
