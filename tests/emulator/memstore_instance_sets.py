"""MemStore instance sets (cluster mode disabled): filled in by the
memstore_instance_set issue. Registered on the MemStore app."""

from flask import Blueprint

blueprint = Blueprint("memstore_instance_sets", __name__)
