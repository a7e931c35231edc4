# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The opt-in cache of MemStore IAM tokens between tasks and runs (``token_cache``).

A file holds one token, encrypted and authenticated (Fernet) with a key derived
from the application credential's secret: without the secret the file is noise,
and whoever holds the secret can issue a token anyway, so the file gives no one a
power they did not have. It is private too: mode 0600, in a directory that belongs
to the user and is closed to group and others (refused otherwise, as ssh refuses
such key files). Its name is derived from the same secret, so a rotated secret
never meets the old token. docs/token-reuse.md gives the whole reasoning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import datetime
import json
import os
import stat
import tempfile
import time

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError

try:
    from cryptography.fernet import Fernet, InvalidToken
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError:  # pragma: no cover - reported when the option is used
    Fernet = None

# A cached token is used while at least this much of its life is left, so that a
# play started with it is unlikely to see it expire (a module that has the
# credential issues a new one on 401 anyway).
REUSE_MARGIN = 3600
# When IAM does not say when a token expires, it is kept for this long (tokens live 12 hours).
ASSUMED_LIFETIME = 3600
_KEY_INFO = b"redisops.platform memstore token cache v1"
_MAX_FILE = 65536


def token_expiry(body, now):
    """When the token of an IAM answer expires (epoch seconds), from ``token.expires_at``."""
    text = str(((body or {}).get("token") or {}).get("expires_at") or "")
    try:
        parsed = datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return now + ASSUMED_LIFETIME
    zone = text[19:].lstrip(".0123456789")
    if zone not in ("", "Z", "z", "+00:00", "+0000"):  # Keystone answers in UTC; anything else is not guessed at
        return now + ASSUMED_LIFETIME
    return (parsed - datetime.datetime(1970, 1, 1)).total_seconds()


class TokenCache:
    """One credential's cached token in ``directory``."""

    def __init__(self, directory, identity_url, credential_id, secret):
        self.directory = directory
        self._key_material = "\0".join([identity_url, credential_id, secret]).encode("utf-8")
        self._fernet = None
        self.path = None

    def _prepare(self):
        """Derive the key and file name; create the directory (0700) or refuse one that others could open."""
        if self._fernet is None:
            if Fernet is None:
                raise ClientError("token_cache needs the Python library cryptography on the host that runs the task")
            material = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=_KEY_INFO).derive(self._key_material)
            self._fernet = Fernet(base64.urlsafe_b64encode(material[:32]))
            self.path = os.path.join(self.directory, "memstore-%s.token" % binascii.hexlify(material[32:]).decode("ascii"))
        try:
            if not os.path.isdir(self.directory):
                os.makedirs(self.directory, mode=0o700)
            info = os.stat(self.directory)
        except OSError as error:
            raise ClientError("token_cache: cannot use the directory %s: %s" % (self.directory, error.strerror or error))
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise ClientError("token_cache: the directory %s must belong to you and be closed to group and others "
                              "(chmod 700; it is %s)" % (self.directory, oct(stat.S_IMODE(info.st_mode))))

    def load(self, now=None):
        """``(token, project_id)`` of the cached token while it has REUSE_MARGIN left, else None.

        A missing, foreign, unreadable or undecryptable file counts as no token (it is
        replaced by the next one issued). Checks the directory first, so a directory
        that cannot be used fails the task before any request.
        """
        self._prepare()
        try:
            handle = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        with os.fdopen(handle, "rb") as cached:
            info = os.fstat(cached.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                return None
            data = cached.read(_MAX_FILE)
        try:
            entry = json.loads(self._fernet.decrypt(data).decode("utf-8"))
            token, project_id, expires = entry["token"], entry.get("project_id"), float(entry["expires_at"])
        except (InvalidToken, ValueError, KeyError, TypeError, AttributeError):
            return None
        if not token or expires - REUSE_MARGIN <= (time.time() if now is None else now):
            return None
        return token, project_id

    def store(self, token, project_id, expires_at):
        """Keep ``token``: written to a private temporary file, then renamed over the old one."""
        self._prepare()
        data = self._fernet.encrypt(json.dumps({"token": token, "project_id": project_id, "expires_at": expires_at}).encode("utf-8"))
        try:
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".memstore-", suffix=".tmp")  # mode 0600
        except OSError as error:
            raise ClientError("token_cache: cannot write in %s: %s" % (self.directory, error.strerror or error))
        try:
            with os.fdopen(handle, "wb") as cached:
                cached.write(data)
            os.replace(temporary, self.path)
        except OSError as error:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise ClientError("token_cache: cannot write %s: %s" % (self.path, error.strerror or error))
