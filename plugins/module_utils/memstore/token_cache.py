# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The opt-in cache of MemStore IAM tokens between tasks and runs (``token_cache``).

A file holds one token, encrypted and authenticated (Fernet) with a key derived by
scrypt from the application credential's secret and a random salt kept in the file:
without the secret the file is noise, and a guess of the secret costs a full scrypt
per file, never a cheap hash. Whoever holds the secret can issue a token anyway, so
the file gives no one a power they did not have. The file's name comes from the
credential id, which is not secret: listing the directory tells nothing about the
secret. It is private too: mode 0600, in a directory that belongs to the user and is
closed to group and others (refused otherwise, as ssh refuses such key files), opened
without following links or blocking, and only when it is a regular file.
docs/token-reuse.md gives the whole reasoning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import json
import os
import pwd
import stat
import tempfile
import time

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError

try:
    from cryptography.fernet import Fernet, InvalidToken
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
except ImportError:  # pragma: no cover - reported when the option is used
    Fernet = None

# A cached token is used while at least this much of its life is left, so that a
# play started with it is unlikely to see it expire (a module that has the
# credential issues a new one on 401 anyway).
REUSE_MARGIN = 3600
# When IAM does not say when a token expires, it is kept for this long (tokens live 12 hours).
ASSUMED_LIFETIME = 3600
_FORMAT = 2
# scrypt's cost: about 16 MiB and a few tens of milliseconds per derivation (RFC 7914's interactive setting).
_SCRYPT = dict(length=32, n=2 ** 14, r=8, p=1)
_SALT_BYTES = 16
_MAX_FILE = 65536
# Never follow a link, never wait on a FIFO or a device: only a regular file is read.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _owner(uid):
    try:
        return "%s (uid %d)" % (pwd.getpwuid(uid).pw_name, uid)
    except KeyError:
        return "uid %d" % uid


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
        name = hashlib.sha256("\0".join([identity_url, credential_id]).encode("utf-8")).hexdigest()[:32]
        self.path = os.path.join(directory, "memstore-%s.token" % name)

    def _fernet(self, salt):
        return Fernet(base64.urlsafe_b64encode(Scrypt(salt=salt, **_SCRYPT).derive(self._key_material)))

    def _prepare(self):
        """Create the directory (0700) race-free, or refuse one that others could use."""
        if Fernet is None:
            raise ClientError("token_cache needs the Python library cryptography on the host that runs the task")
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)  # parallel forks may create it at the same time
            info = os.stat(self.directory)
        except OSError as error:
            raise ClientError("token_cache: cannot use the directory %s: %s" % (self.directory, error.strerror or error))
        if not stat.S_ISDIR(info.st_mode):
            raise ClientError("token_cache: %s is not a directory" % self.directory)
        if info.st_uid != os.getuid():
            raise ClientError("token_cache: the directory %s belongs to %s, not to you (%s): chown it, or choose "
                              "another directory" % (self.directory, _owner(info.st_uid), _owner(os.getuid())))
        if info.st_mode & 0o077:
            raise ClientError("token_cache: the directory %s must be closed to group and others (chmod 700; its mode is %s)"
                              % (self.directory, oct(stat.S_IMODE(info.st_mode))))

    def _read(self):
        """The file's bytes when it is a regular file of ours closed to others, else None."""
        try:
            handle = os.open(self.path, _OPEN_FLAGS)
        except OSError:
            return None
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                return None
            chunks, size = [], 0
            while size < _MAX_FILE:
                chunk = os.read(handle, _MAX_FILE - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return b"".join(chunks)
        except OSError:
            return None
        finally:
            os.close(handle)

    def load(self, now=None):
        """``(token, project_id)`` of the cached token while it has REUSE_MARGIN left, else None.

        A missing, foreign, unreadable or undecryptable file, or anything that is not a
        regular file, counts as no token (a file is replaced by the next one issued).
        Checks the directory first, so a directory that cannot be used fails the task
        before any request.
        """
        self._prepare()
        data = self._read()
        if data is None:
            return None
        try:
            envelope = json.loads(data.decode("utf-8"))
            if envelope.get("format") != _FORMAT:
                return None
            salt = base64.b64decode(envelope["salt"])
            entry = json.loads(self._fernet(salt).decrypt(envelope["token"].encode("ascii")).decode("utf-8"))
            token, project_id, expires = entry["token"], entry.get("project_id"), float(entry["expires_at"])
        except (InvalidToken, ValueError, KeyError, TypeError, AttributeError):
            return None
        if not token or expires - REUSE_MARGIN <= (time.time() if now is None else now):
            return None
        return token, project_id

    def store(self, token, project_id, expires_at):
        """Keep ``token``: written to a private temporary file, then renamed over the old one.

        Returns None, or a warning when the file's place holds a directory: it is left alone and
        the token is not kept, but the task goes on with it, as the cache ignores such things
        when it reads.
        """
        self._prepare()
        try:
            found = os.lstat(self.path)
        except OSError:
            found = None
        if found is not None and stat.S_ISDIR(found.st_mode):  # a file (a FIFO, a link) is replaced; a directory cannot be
            return ("token_cache: %s is a directory, not a token file: the token is not kept for the next tasks (remove it to "
                    "cache tokens again)" % self.path)
        salt = os.urandom(_SALT_BYTES)
        sealed = self._fernet(salt).encrypt(json.dumps({"token": token, "project_id": project_id,
                                                        "expires_at": expires_at}).encode("utf-8"))
        data = json.dumps({"format": _FORMAT, "salt": base64.b64encode(salt).decode("ascii"),
                           "token": sealed.decode("ascii")}).encode("utf-8")
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
            raise ClientError("token_cache: cannot write %s (it must be a regular file, or absent): %s"
                              % (self.path, error.strerror or error))
        return None
