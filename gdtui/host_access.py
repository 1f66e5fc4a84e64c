"""Who may come in to `gdtui host`, and who they are: public keys only, a connection rate
limit per source address, and the student's identity (key fingerprint, user name)."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

STUDENT = "gdtui_student"
"""The connection's extra-info name under which the authenticated `Student` is kept."""


@dataclass(frozen=True)
class Student:
    """One learner: the same key and the same user name reopen the same folder."""

    fingerprint: str
    name: str

    @property
    def shown(self) -> str:
        """The name as it may be printed (no control characters, at most 24 characters)."""
        return re.sub(r"[^\x20-\x7e]", "?", self.name)[:24] or "?"

    @property
    def folder(self) -> str:
        """A folder name safe on any file system, derived from both the key and the name: the
        readable part is the name reduced to [A-Za-z0-9._-], the hash tells apart the names and
        keys that reduce alike."""
        readable = re.sub(r"[^A-Za-z0-9._-]", "_", self.name).lstrip(".")[:24] or "student"
        digest = hashlib.sha256(f"{self.fingerprint}\0{self.name}".encode("utf-8", "surrogatepass"))
        return f"{readable}-{digest.hexdigest()[:16]}"


@dataclass
class RateLimit:
    """A token bucket per source address: `burst` connections at once, then one more every
    `60 / per_minute` seconds. The table forgets addresses whose bucket is full again."""

    per_minute: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, address: str, now: float | None = None) -> float:
        """0 if a connection from `address` may go on (and count it); otherwise the seconds
        until one may."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60
        tokens, then = self._buckets.get(address, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * rate)
        if tokens < 1:
            self._buckets[address] = (tokens, now)
            return (1 - tokens) / rate
        self._buckets[address] = (tokens - 1, now)
        if len(self._buckets) > 10_000:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        rate = self.per_minute / 60
        for address, (tokens, then) in list(self._buckets.items()):
            if tokens + (now - then) * rate >= self.burst:
                del self._buckets[address]


class KeyList:
    """The keys allowed in: an OpenSSH authorized_keys file, read again whenever it changes
    (so a teacher can add a student's key while the host runs). `from=` options are honoured."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._keys: asyncssh.SSHAuthorizedKeys | None = None
        self.load()

    def load(self) -> None:
        """Read the file if it changed; OSError or ValueError (asyncssh.KeyImportError) if it
        cannot be read or parsed."""
        info = self.path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self._stamp:
            self._keys = asyncssh.read_authorized_keys(str(self.path))
            self._stamp = stamp

    def allows(self, key: asyncssh.SSHKey, host: str, address: str) -> bool:
        """Whether `key` may log in now. A file that is gone, unreadable or holds no valid key
        lets no one in (as OpenSSH's sshd does): emptying it is how a teacher shuts the door."""
        try:
            self.load()
        except (OSError, ValueError):
            self._keys, self._stamp = None, None
        return self._keys is not None and self._keys.validate(key, host, address) is not None


@dataclass
class Admission:
    """What the host lets in: every open connection (for shutdown), the ones still logging in
    counted per address (a few idle sockets must not lock a class out, as OpenSSH's MaxStartups
    keeps them from doing), and the ones logged in (at most `max_logged_in`)."""

    max_logged_in: int
    pending_per_address: int = 10
    open: set = field(default_factory=set)
    pending: dict[str, int] = field(default_factory=dict)
    logged_in: set = field(default_factory=set)


class Gate(asyncssh.SSHServer):
    """One connection's authentication: public keys from `keys` (or any key when `keys` is
    None, the --open mode), after the limits: the rate limit per address when it asks to log in,
    and, as soon as it is made, no more than `pending_per_address` connections still logging in
    from one address (one more is dropped at once, before it has said anything). The key that signed is kept as the
    student's fingerprint: asyncssh calls `validate_public_key` for the signed request too, and
    a key is only accepted after its signature checks out."""

    def __init__(self, keys: KeyList | None, limit: RateLimit, admission: Admission) -> None:
        self.keys = keys
        self.limit = limit
        self.admission = admission
        self._conn: asyncssh.SSHServerConnection | None = None
        self._address = ""
        self._key: asyncssh.SSHKey | None = None
        self._pending = False

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._address = (conn.get_extra_info("peername") or ("?",))[0]
        gate = self.admission
        gate.open.add(conn)
        if gate.pending.get(self._address, 0) >= gate.pending_per_address:
            conn.abort()  # (it has sent nothing yet: there is no one to say it to)
            return
        gate.pending[self._address] = gate.pending.get(self._address, 0) + 1
        self._pending = True

    def connection_lost(self, exc: Exception | None) -> None:
        self._done_pending()
        self.admission.open.discard(self._conn)
        self.admission.logged_in.discard(self._conn)

    def _done_pending(self) -> None:
        if self._pending:
            self._pending = False
            left = self.admission.pending.get(self._address, 1) - 1
            if left > 0:
                self.admission.pending[self._address] = left
            else:
                self.admission.pending.pop(self._address, None)

    def begin_auth(self, username: str) -> bool:
        """Refuse (one line, before any key is looked at) a connection over the limits."""
        wait = self.limit.allow(self._address)
        if wait:
            self._refuse(f"too many connections from {self._address}; try again in {max(1, round(wait))} s")
        elif len(self.admission.logged_in) >= self.admission.max_logged_in:
            self._refuse(f"too many connections ({len(self.admission.logged_in)} open); try again later")
        return True

    def _refuse(self, why: str) -> None:
        self._conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, f"gdtui host: {why}")

    # No forwarding of any kind: a student gets gdtui and nothing else (asyncssh refuses these by
    # default too; said here so that no default change can open them).

    def connection_requested(self, *args) -> bool:
        return False

    def server_requested(self, *args) -> bool:
        return False

    def unix_connection_requested(self, *args) -> bool:
        return False

    def unix_server_requested(self, *args) -> bool:
        return False

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        allowed = self.keys is None or self.keys.allows(key, self._address, self._address)
        if allowed:
            self._key = key
        return allowed

    def auth_completed(self) -> None:
        self._done_pending()
        self.admission.logged_in.add(self._conn)
        name = self._conn.get_extra_info("username") or ""
        self._conn.set_extra_info(**{STUDENT: Student(self._key.get_fingerprint(), name)})
