"""A lease held in Elasticsearch: one holder at a time across processes and machines.

The batch commit (authoritative dedup, story assignment, alerts, index and refresh; see
`vigie.run.pipeline`) runs under the lease named `commit:<articles alias>`, so every worker's
candidates meet in one critical section at a time, whatever runs them (`vigie run`, Airflow
tasks on Celery workers, a backfill beside the scheduled run).

A lease is one document of the `<prefix>-leases` index, id = the lease's name:

    {"name", "holder", "token", "expires_at" (epoch ms), "acquired_at", "renewed_at", "host", "pid"}

* acquire: a create-only write (`op_type=create`) on the deterministic id; the 409 of a held
  lease means wait (polls with backoff, up to `wait` seconds, then `LeaseTimeout`).
* TTL take-over: a lease whose `expires_at` has passed (its holder crashed or hung) is taken
  over with a compare-and-swap on the version read (`if_seq_no`/`if_primary_term`): of two
  waiters that both saw it expire, one wins and the other waits again.
* re-entry: a holder whose name is on the lease (the same Airflow task instance retried after
  its worker died) takes it back at once, without waiting for the TTL, by the same
  compare-and-swap. Each acquisition writes a fresh `token`, so the earlier incarnation is
  fenced out.
* fencing (`fence`, `renew`): before its writes the holder extends the lease with a
  compare-and-swap on the version it wrote; it fails with `LeaseLost` when someone took it
  over. A version changed by the cluster itself (a shard recovered after a node restart bumps
  the primary term) is told apart by the token, which is still ours. `fence` skips the write
  while less than a third of the TTL has passed since the lease was last written: it cannot
  have expired, so no one can have taken it over.
* release: delete conditionally on the version held, so only the holder removes it; a lease
  taken over meanwhile is left to its new holder.

Expiry compares wall clocks (`time.time()`) of the holders: machines are expected to be
NTP-synchronised, their skew far below the TTL. The lease adds, per commit, one create and
one delete (plus one conditional write per `renew`), none of which needs a refresh: gets and
conditional writes by id are real time. Measured on one node under load: acquire + release
~25 ms, each renew ~15 ms (every write waits for its translog fsync).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import (
    ApiError,
    BadRequestError,
    ConflictError,
    Elasticsearch,
    NotFoundError,
    TransportError,
)

from vigie.core.settings import Settings

__all__ = [
    "Lease",
    "LeaseError",
    "LeaseLost",
    "LeaseTimeout",
    "commit_lease",
    "commit_lease_name",
    "CommitSequence",
    "commit_sequence_id",
    "mark_external_write",
    "read_commit_sequence",
    "read_unrefreshed_mark",
    "write_commit_sequence",
    "default_holder",
    "ensure_lease_index",
    "lease_index",
    "read_lease",
]

log = logging.getLogger(__name__)

POLL_FIRST = 0.02  # seconds between two attempts while the lease is held, doubling up to
POLL_MAX = 0.5
RELEASE_ATTEMPTS = 4  # a release the cluster cannot take now is retried (0.25, 0.5, 1 s) ...
# ... then left to expire: the next holder takes it over after the TTL.

MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "name": {"type": "keyword"},
        "holder": {"type": "keyword"},
        "token": {"type": "keyword"},
        "host": {"type": "keyword"},
        "pid": {"type": "integer"},
        "expires_at": {"type": "date", "format": "epoch_millis"},
        "acquired_at": {"type": "date", "format": "epoch_millis"},
        "renewed_at": {"type": "date", "format": "epoch_millis"},
    },
}
# One small shard; a replica whenever there is a second node (a node lost keeps the lease).
INDEX_SETTINGS: dict[str, Any] = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}

_ensured: set[tuple[int, str]] = set()


class LeaseError(RuntimeError):
    """The lease could not be had or kept."""


class LeaseTimeout(LeaseError):
    """Another holder kept the lease for longer than the wait allowed."""


class LeaseLost(LeaseError):
    """The lease was taken over (or deleted) while this holder thought it held it."""


def lease_index(settings: Settings) -> str:
    return settings.index("leases")


def commit_lease_name(settings: Settings) -> str:
    """The lease the batch commit runs under: one per articles alias (two prefixes, two
    deployments, never wait on each other)."""
    return f"commit:{settings.index('articles')}"


def default_holder() -> str:
    """A holder name unique to this process: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def ensure_lease_index(es: Elasticsearch, index: str) -> None:
    """Create the leases index with its mapping, once per client and index (idempotent)."""
    key = (id(es), index)
    if key in _ensured:
        return
    try:
        es.indices.create(index=index, mappings=MAPPINGS, settings=INDEX_SETTINGS)
    except BadRequestError as error:
        if error.error != "resource_already_exists_exception":
            raise
    _ensured.add(key)


def read_lease(es: Elasticsearch, index: str, name: str) -> dict[str, Any] | None:
    """The lease document as stored (with `_seq_no`, `_primary_term`), None when free."""
    try:
        found = es.get(index=index, id=name)
    except NotFoundError:
        return None
    return {**found["_source"], "_seq_no": found["_seq_no"], "_primary_term": found["_primary_term"]}


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Lease:
    """One holder's handle on the lease `name` (a context manager: acquire, then release).

    `ttl`: seconds the lease stays valid after each acquire or `renew`; `wait`: longest time
    `acquire` waits for it (0: one attempt)."""

    es: Elasticsearch
    index: str
    name: str
    holder: str = field(default_factory=default_holder)
    ttl: float = 120.0
    wait: float = 600.0
    # After acquire: how it was had, and how long it was waited for.
    token: str | None = None
    taken_over_from: str | None = None  # the holder whose expired lease was taken over
    reentered: bool = False  # our own name was on it (a crashed earlier incarnation)
    waited: float = 0.0
    _seq_no: int | None = field(default=None, repr=False)
    _primary_term: int | None = field(default=None, repr=False)
    _acquired_at: int = field(default=0, repr=False)
    _written: float = field(default=0.0, repr=False)  # monotonic time of our last write

    # -- public surface -------------------------------------------------------------------------

    @property
    def held(self) -> bool:
        return self.token is not None

    def acquire(self) -> Lease:
        """Take the lease: free, expired (take-over) or ours (re-entry); else wait for it."""
        if self.held:
            raise LeaseError(f"lease {self.name} is already held by this handle")
        ensure_lease_index(self.es, self.index)
        start = time.monotonic()
        delay = POLL_FIRST
        while True:
            token = uuid.uuid4().hex
            try:
                written = self.es.create(index=self.index, id=self.name, document=self._document(token))
            except ConflictError:
                pass
            else:
                self._hold(token, written)
                break
            current = read_lease(self.es, self.index, self.name)
            if current is None:  # released between the create and the read: try again now
                continue
            mine = current.get("holder") == self.holder
            if mine or int(current.get("expires_at") or 0) <= _now_ms():
                try:
                    written = self.es.index(
                        index=self.index,
                        id=self.name,
                        document=self._document(token),
                        if_seq_no=current["_seq_no"],
                        if_primary_term=current["_primary_term"],
                    )
                except (ConflictError, NotFoundError):  # another waiter was first: wait again
                    continue
                self._hold(token, written)
                self.reentered = mine
                self.taken_over_from = None if mine else str(current.get("holder"))
                if mine:
                    log.warning(
                        "lease %s re-entered by %s (an earlier attempt died holding it)",
                        self.name,
                        self.holder,
                    )
                else:
                    log.warning("lease %s taken over from %s (expired)", self.name, current.get("holder"))
                break
            remaining = self.wait - (time.monotonic() - start)
            if remaining <= 0:
                expires = int(current.get("expires_at") or 0) / 1000 - time.time()
                raise LeaseTimeout(
                    f"lease {self.name} still held by {current.get('holder')} after {self.wait:.0f} s "
                    f"(expires in {expires:.0f} s)"
                )
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, POLL_MAX)
        self.waited = time.monotonic() - start
        return self

    def fence(self) -> None:
        """The fencing check before a write: `renew` once a third of the TTL has passed since
        the lease was last written (before that it cannot have expired, nor been taken over)."""
        if not self.held:
            raise LeaseLost(f"lease {self.name} is not held")
        if time.monotonic() - self._written >= self.ttl / 3:
            self.renew()

    def renew(self) -> None:
        """Fencing: extend the lease by `ttl`, conditionally on the version this holder wrote;
        `LeaseLost` when another holder took it over (or it was deleted)."""
        if not self.held:
            raise LeaseLost(f"lease {self.name} is not held")
        assert self.token is not None
        for _ in range(3):
            try:
                written = self.es.index(
                    index=self.index,
                    id=self.name,
                    document=self._document(self.token, acquired=False),
                    if_seq_no=self._seq_no,
                    if_primary_term=self._primary_term,
                )
            except ConflictError:
                current = self._still_mine()
                self._seq_no, self._primary_term = current["_seq_no"], current["_primary_term"]
                continue  # ours, its version moved by the cluster (a recovered shard): again
            except NotFoundError:
                self.token = None
                raise LeaseLost(f"lease {self.name} of {self.holder} vanished") from None
            self._seq_no, self._primary_term = written["_seq_no"], written["_primary_term"]
            self._written = time.monotonic()
            return
        raise LeaseLost(f"lease {self.name} of {self.holder} kept changing under it")

    def release(self) -> bool:
        """Give the lease up; False when it was no longer ours (taken over, deleted) or the
        cluster could not take the delete (then it expires after the TTL)."""
        if not self.held:
            return False
        try:
            return self._release()
        finally:
            self.token = None

    def __enter__(self) -> Lease:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    # -- internals ------------------------------------------------------------------------------

    def _document(self, token: str, *, acquired: bool = True) -> dict[str, Any]:
        now = _now_ms()
        doc = {
            "name": self.name,
            "holder": self.holder,
            "token": token,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "expires_at": now + int(self.ttl * 1000),
            "renewed_at": now,
        }
        doc["acquired_at"] = now if acquired else self._acquired_at
        return doc

    def _hold(self, token: str, written: Any) -> None:
        self._written = time.monotonic()
        self.token = token
        self._seq_no, self._primary_term = written["_seq_no"], written["_primary_term"]
        self._acquired_at = _now_ms()

    def _still_mine(self) -> dict[str, Any]:
        """The stored lease when it still carries this holder's token, else `LeaseLost`."""
        current = read_lease(self.es, self.index, self.name)
        if current is None or current.get("token") != self.token:
            self.token = None
            other = current.get("holder") if current else None
            raise LeaseLost(f"lease {self.name} of {self.holder} was taken over by {other}")
        return current

    def _release(self) -> bool:
        seq_no, primary_term = self._seq_no, self._primary_term
        for attempt in range(RELEASE_ATTEMPTS):
            try:
                self.es.delete(index=self.index, id=self.name, if_seq_no=seq_no, if_primary_term=primary_term)
                return True
            except NotFoundError:
                log.warning("lease %s of %s was gone before its release", self.name, self.holder)
                return False
            except ConflictError:
                current = read_lease(self.es, self.index, self.name)
                if current is None or current.get("token") != self.token:
                    log.warning(
                        "lease %s of %s was taken over by %s before its release",
                        self.name,
                        self.holder,
                        current.get("holder") if current else None,
                    )
                    return False
                seq_no, primary_term = current["_seq_no"], current["_primary_term"]
            except (ApiError, TransportError) as error:  # the cluster cannot take it now
                if attempt + 1 == RELEASE_ATTEMPTS:
                    log.warning(
                        "lease %s not released (%s): it expires in %.0f s", self.name, error, self.ttl
                    )
                    return False
                time.sleep(0.25 * 2**attempt)
        return False


def commit_sequence_id(settings: Settings) -> str:
    """The id, in the leases index, of the commit sequence of the commit lease's articles."""
    return f"commits:{settings.index('articles')}"


CommitSequence = tuple[int, str]  # (seq, the mark of the last write made without the lease)


def read_commit_sequence(es: Elasticsearch, settings: Settings) -> CommitSequence | None:
    """The commit sequence (issue 17): what tells a worker whether anyone else stored anything
    since it last looked. `seq` is moved twice by every commit while it holds the lease, to an
    odd value before its first write and to the next even value once what it wrote is stored
    and refreshed, or stored and marked `unrefreshed` by a writer that answers its own next
    lookups from memory (`read_unrefreshed_mark`: anyone else refreshes first; a seqlock); a writer without the lease (a spool replay) changes `external` before
    and after its writes instead. A worker that reads the same value before its dedup pre-check
    and inside its own commit, or sees only its own commits in between, knows that nobody else
    stored anything meanwhile. A get by id: real time, no refresh needed. (0, "") before the
    first commit; None when it cannot be read (then nothing can be concluded from it)."""
    try:
        found = es.get(index=lease_index(settings), id=commit_sequence_id(settings))
    except NotFoundError:
        return (0, "")
    except (ApiError, TransportError) as error:
        log.warning("commit sequence unreadable: %s", error)
        return None
    source = found["_source"]
    return (int(source.get("seq") or 0), str(source.get("external") or ""))


def read_unrefreshed_mark(es: Elasticsearch, settings: Settings) -> tuple[CommitSequence, str] | None:
    """The commit sequence and its `unrefreshed` mark in one real-time get: the mark is the
    token of the writer whose last commit ended stored but NOT refreshed (it answers its own
    next lookups from memory, `vigie.run.pipeline`), "" when the last commit's writes were
    refreshed. Anyone else must refresh before searching what that commit wrote. None when
    it cannot be read."""
    try:
        found = es.get(index=lease_index(settings), id=commit_sequence_id(settings))
    except NotFoundError:
        return (0, ""), ""
    except (ApiError, TransportError) as error:
        log.warning("commit sequence unreadable: %s", error)
        return None
    source = found["_source"]
    sequence = (int(source.get("seq") or 0), str(source.get("external") or ""))
    return sequence, str(source.get("unrefreshed") or "")


def write_commit_sequence(
    es: Elasticsearch, settings: Settings, value: int, holder: str, *, unrefreshed: str | None = None
) -> None:
    """Set `seq` to `value`: only the commit lease's holder calls it, so these writes never
    race each other (`read_commit_sequence`); a partial update, so `external` stays.
    `unrefreshed` (as a commit ends): the writer's token when what it stored is not refreshed
    yet, "" when it is (`read_unrefreshed_mark`); None leaves the mark as it is."""
    fields: dict[str, Any] = {"seq": value, "holder": holder, "renewed_at": _now_ms()}
    if unrefreshed is not None:
        fields["unrefreshed"] = unrefreshed
    _update_sequence(es, settings, fields)


def mark_external_write(es: Elasticsearch, settings: Settings) -> None:
    """Say that something was stored without the commit lease (a spool replay), before and
    after it: whoever read the sequence before this cannot trust what it saw then."""
    _update_sequence(es, settings, {"external": uuid.uuid4().hex, "renewed_at": _now_ms()})


def _update_sequence(es: Elasticsearch, settings: Settings, fields: dict[str, Any]) -> None:
    index = lease_index(settings)
    ensure_lease_index(es, index)
    name = commit_sequence_id(settings)
    es.update(index=index, id=name, doc={"name": name, **fields}, doc_as_upsert=True, retry_on_conflict=5)


def commit_lease(es: Elasticsearch, settings: Settings, holder: str | None = None) -> Lease:
    """The lease the batch commit runs under (not acquired yet), TTL and wait from settings
    (`VIGIE_COMMIT_LEASE_TTL_SECONDS`, `VIGIE_COMMIT_LEASE_WAIT_SECONDS`)."""
    return Lease(
        es,
        lease_index(settings),
        commit_lease_name(settings),
        holder=holder or default_holder(),
        ttl=settings.commit_lease_ttl_seconds,
        wait=settings.commit_lease_wait_seconds,
    )
