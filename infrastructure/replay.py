"""Reading the whole event log for a rebuild: batches read ahead in a thread, decoded there.

A rebuild spends most of its time in Python, so its reading is made cheap and overlapped:
- the rows are read as the library's `select_notifications` reads them (same table, same
  conditions, same order) but in binary and as plain tuples, without a dict and a
  `Notification` per row and without hex-decoding the state: a third of the CPU time;
- `Decoder` turns them into domain events exactly as the application's mapper does
  (`mapper.to_domain_event`), with what the mapper looks up per event (the class of a
  topic, its id converter, an AES-GCM context) looked up once, and the JSON parsed by
  orjson (a quarter of the time of the standard library's parser with its object hook);
- a second thread reads the next batches while the view decodes and applies one, so the
  database's time to send them overlaps with the Python work. (Decoding in that thread
  too was slower: it holds the GIL, and the thread then read the next batch only after
  decoding this one.) A bounded queue keeps at most a few batches in memory.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import queue
import threading
from collections.abc import Callable, Generator, Hashable, Sequence
from typing import Any, cast
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.application import Application
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import JSONTranscoder, Mapper, Notification, find_id_convertor
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import resolve_topic
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from infrastructure import jsontext

#: Events read per query: fewer round trips than the library's default pages of 1000.
REPLAY_BATCH = 2_000

#: Batches read ahead of the view.
REPLAY_AHEAD = 4

#: A decoded batch: (position, event) pairs in log order.
Batch = list[tuple[int, Any]]

#: What a topic decodes with: its class, id converter and class version (events stored by
#: an older version are upcast as the mapper does), or None to use the mapper.
_Found = tuple[type[Any], Callable[[Any], Any], int] | None


#: What stands in a view for the NUL character: PostgreSQL's text and jsonb cannot hold it.
NUL_STAND_IN = "\ufffd"


def without_nul(value: Any) -> Any:
    """`value` with each NUL character in its text replaced by `NUL_STAND_IN`, or `value`
    itself when it holds none: what views are given of an event.

    The API and the domain refuse NUL, but an event stored before they did would stop
    every view at its position (each write fails, again on each retry). Views give it the
    Unicode replacement character instead; the event itself keeps its bytes. Walks text,
    lists, tuples (named ones too), sets, dicts and dataclasses (events are), copying only
    what changes, so the live runner and a rebuild hand views the same values.
    """
    return _cleaned(value) if holds_nul(value) else value


#: How `without_nul` walks a value of each type (looked up once per type).
_TEXT, _ITEMS, _MAPPING, _NAMED, _FIELDS, _ATOM = range(6)
_shapes: dict[type[Any], int] = {str: _TEXT, dict: _MAPPING}


def _shape(kind: type[Any]) -> int:
    try:
        return _shapes[kind]
    except KeyError:
        pass
    if kind in (list, tuple, set, frozenset):
        shape = _ITEMS
    elif issubclass(kind, tuple) and hasattr(kind, "_fields"):
        shape = _NAMED
    elif dataclasses.is_dataclass(kind):
        shape = _FIELDS
    else:  # numbers, times, ids, enums (their values are the code's own), anything else
        shape = _ATOM
    _shapes[kind] = shape
    return shape


def _fields(value: Any) -> dict[str, Any]:
    fields: dict[str, Any] | None = getattr(value, "__dict__", None)
    if fields is None:  # slots: its dataclass fields
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return fields


def holds_nul(value: Any) -> bool:
    """Whether a value, or any text inside it (walked as `without_nul` walks it), holds the
    NUL character."""
    shape = _shape(type(value))
    if shape == _TEXT:
        return "\x00" in value
    if shape in (_ITEMS, _NAMED):
        return any(holds_nul(item) for item in value)
    if shape == _MAPPING:
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if shape == _FIELDS:
        return any(holds_nul(item) for item in _fields(value).values())
    return False


def _cleaned(value: Any) -> Any:
    """`value` holding NUL somewhere, copied where it does."""
    kind = type(value)
    shape = _shape(kind)
    if shape == _TEXT:
        return value.replace("\x00", NUL_STAND_IN)
    if shape == _ITEMS:
        return kind(without_nul(item) for item in value)
    if shape == _NAMED:
        return kind(*(without_nul(item) for item in value))
    if shape == _MAPPING:
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    copied = copy.copy(value)  # no __init__: its checks ran when the event was made
    for name, item in _fields(value).items():
        if holds_nul(item):
            object.__setattr__(copied, name, _cleaned(item))
    return copied


class _MayBeRounded(Exception):
    """A parsed document holds a float that may be an integer orjson rounded."""


class Decoder:
    """`mapper.to_domain_event`, with per-topic lookups cached.

    Falls back to the mapper itself for anything it does not handle the same way (another
    cipher, a compressor) and for any error, so a damaged event fails with the mapper's
    own error. Events stored by an older version of their class are upcast as the mapper
    upcasts them.
    """

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self._mapper = mapper
        cipher = mapper.cipher
        # The library's cipher, or one that only chooses its key (`StoreCipher`): same layout.
        self._aesgcm = AESGCM(cipher.key) if isinstance(cipher, AESCipher) else None
        self._fast = mapper.compressor is None and (cipher is None or self._aesgcm is not None)
        self._decode_state: Callable[[bytes], Any] = mapper.transcoder.decode
        self._transcodings: dict[str, Any] = {}
        transcoder = mapper.transcoder
        if type(transcoder) is JSONTranscoder:
            self._transcodings = transcoder.names
            self._decode_state = self._decode_json
        self._classes: dict[str, _Found] = {}
        # What the mapper does to a decoded state besides the transcoder (the views' mapper
        # seals personal values stored in clear by releases before the key table).
        self._after_decode: Callable[[type[Any], dict[str, Any], Any], None] | None = getattr(
            mapper, "after_decode", None
        )

    def __call__(self, notification: Notification) -> Any:
        """The domain event stored as `notification`."""
        return self.decode(
            notification.originator_id,
            notification.originator_version,
            notification.topic,
            notification.state,
        )

    def decode(self, originator_id: Any, version: int, topic: str, state: bytes) -> Any:
        """The domain event stored with these columns, as views are given it (`without_nul`)."""
        try:
            found = self._classes[topic]
        except KeyError:
            found = self._classes[topic] = self._lookup(topic, originator_id)
        if found is None or not self._fast:
            return without_nul(
                self._mapper.to_domain_event(
                    self._notification(originator_id, version, topic, state)
                )
            )
        cls, convert, class_version = found
        try:
            if self._aesgcm is not None:
                # AESCipher.decrypt's layout: nonce (12 bytes), tag (16), ciphertext.
                if len(state) < 28:
                    raise ValueError("damaged cipher text")
                state = self._aesgcm.decrypt(state[:12], state[28:] + state[12:28], None)
            event_state: dict[str, Any] = self._decode_state(state)
        except Exception:  # the mapper raises its own error for it
            return without_nul(
                self._mapper.to_domain_event(
                    self._notification(originator_id, version, topic, state)
                )
            )
        event_state["originator_id"] = convert(originator_id)
        event_state["originator_version"] = version
        # As the mapper does: stored by an older version of the class (or by none that
        # versions its events), upcast one version at a time.
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        if self._after_decode is not None:
            self._after_decode(cls, event_state, event_state["originator_id"])
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", event_state)
        # JSON writes NUL as \u0000 (a false alarm on an escaped backslash costs a walk).
        return without_nul(event) if b"\\u0000" in state else event

    def _decode_json(self, state: bytes) -> Any:
        """`JSONTranscoder.decode`: the same values, parsed by orjson.

        What orjson refuses (NaN, numbers past double precision) or may have read otherwise
        than the standard library (an integer past 64 bits, which it rounds to a float: see
        `jsontext`, checked while reviving) is left to the transcoder itself.
        """
        try:
            return self._revive(orjson.loads(state))
        except (orjson.JSONDecodeError, _MayBeRounded):
            return self._transcoder_decode(state)

    def _transcoder_decode(self, state: bytes) -> Any:
        return self._mapper.transcoder.decode(state)

    def _revive(self, value: Any) -> Any:
        """What `JSONTranscoder`'s object hook makes of a parsed value: every object of
        exactly the keys `_type_` and `_data_` decoded by its transcoding, innermost first."""
        kind = type(value)
        if kind is dict:
            for key, item in value.items():
                inner = type(item)
                if inner is dict:
                    if len(item) == 2 and "_type_" in item and type(item.get("_data_")) is str:
                        # The usual case (a time, a UUID): nothing inside to revive first.
                        value[key] = self._transcodings[item["_type_"]].decode(item["_data_"])
                    else:
                        value[key] = self._revive(item)
                elif inner is list:
                    value[key] = self._revive(item)
                elif inner is float and abs(item) >= jsontext.ROUNDED:
                    raise _MayBeRounded
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                return self._transcodings[value["_type_"]].decode(value["_data_"])
        elif kind is list:
            for index, item in enumerate(value):
                inner = type(item)
                if inner is dict or inner is list:
                    value[index] = self._revive(item)
                elif inner is float and abs(item) >= jsontext.ROUNDED:
                    raise _MayBeRounded
        return value

    @staticmethod
    def _notification(originator_id: Any, version: int, topic: str, state: bytes) -> Notification:
        return Notification(
            id=0, originator_id=originator_id, originator_version=version, topic=topic, state=state
        )

    @staticmethod
    def _lookup(topic: str, originator_id: Any) -> _Found:
        """The class, id converter and class version of a topic."""
        cls = resolve_topic(topic)
        id_type = cast(Hashable, type(originator_id))  # as the mapper does
        return cls, find_id_convertor(cls, id_type), getattr(cls, "class_version", 1)


#: A row of the events table: position, originator id, version, topic, stored state.
Row = tuple[int, Any, int, str, bytes]


class LogRows:
    """Rows of the events table exactly as `select_notifications` selects them (same
    table, conditions and order), read in binary as plain tuples: no dict and no
    `Notification` per row, and the state arrives as bytes instead of hex text."""

    def __init__(self, recorder: Any) -> None:
        self._recorder = recorder
        self._statements: tuple[Composed, Composed] | None = None
        if isinstance(recorder, PostgresApplicationRecorder):
            table = Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
            query = (
                "SELECT notification_id, originator_id, originator_version, topic, state"
                " FROM {0}.{1} WHERE notification_id >= %s AND notification_id <= %s{2}"
                " ORDER BY notification_id LIMIT %s"
            )
            self._statements = (
                SQL(query).format(*table, SQL("")),
                SQL(query).format(*table, SQL(" AND topic = ANY(%s)")),
            )

    def __call__(self, start: int, limit: int, stop: int, topics: Sequence[str]) -> list[Row]:
        """Up to `limit` rows from position `start` to `stop`, only `topics` when given."""
        if self._statements is None:  # not PostgreSQL: the library's own read
            return [
                (n.id, n.originator_id, n.originator_version, n.topic, n.state)
                for n in self._recorder.select_notifications(start, limit, stop, topics)
            ]
        every, some = self._statements
        statement, params = (
            (some, (start, stop, list(topics), limit)) if topics else (every, (start, stop, limit))
        )
        with (
            self._recorder.datastore.get_connection() as conn,
            conn.cursor(binary=True, row_factory=tuple_row) as curs,
        ):
            curs.execute(statement, params, prepare=True)
            rows: list[Row] = curs.fetchall()
            return rows


def replay(
    app: Application[UUID],
    head: int,
    topics: Sequence[str] = (),
    *,
    batch: int = REPLAY_BATCH,
    ahead: int = REPLAY_AHEAD,
) -> Generator[Batch, None, None]:
    """The events of the log up to `head` (only `topics`, when given), in decoded batches.

    A thread reads up to `ahead` batches before they are asked for; they are decoded as
    they are taken. Closing the iterator (or an error on either side) stops it.
    """
    batches: queue.Queue[list[Row] | BaseException | None] = queue.Queue(maxsize=max(ahead, 1))
    stopping = threading.Event()
    decode = Decoder(app.mapper).decode
    read_rows = LogRows(app.recorder)

    def put(item: list[Row] | BaseException | None) -> bool:
        while not stopping.is_set():
            try:
                batches.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def read() -> None:
        try:
            start = 1
            while start <= head and not stopping.is_set():
                rows = read_rows(start, batch, head, topics)
                if not rows:
                    break
                if not put(rows):
                    return
                start = rows[-1][0] + 1
            put(None)
        except BaseException as error:  # handed to the reading side, raised there
            put(error)

    reader = threading.Thread(target=read, name="replay", daemon=True)
    reader.start()
    try:
        while True:
            item = batches.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield [(row[0], decode(row[1], row[2], row[3], row[4])) for row in item]
    finally:
        stopping.set()
        reader.join()


def handler_of(projection: Any) -> Callable[[Any, Any], None]:
    """`projection.process_event`, without `singledispatchmethod`'s cost per call.

    Python 3.11's `singledispatchmethod` builds a new wrapper function on every attribute
    access (a few microseconds, as much as applying a case index change). The handler of
    each event class is looked up once, as the dispatcher itself would, and bound once.
    """
    method = inspect.getattr_static(type(projection), "process_event", None)
    dispatcher = getattr(method, "dispatcher", None)
    if dispatcher is None:
        process: Callable[[Any, Any], None] = projection.process_event
        return process
    owner = type(projection)
    handlers: dict[type[Any], Callable[[Any, Any], None]] = {}

    def process_event(event: Any, tracking: Any) -> None:
        cls = event.__class__  # what singledispatch dispatches on
        try:
            handler = handlers[cls]
        except KeyError:
            handler = handlers[cls] = dispatcher.dispatch(cls).__get__(projection, owner)
        handler(event, tracking)

    return process_event
