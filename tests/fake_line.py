"""A fake LINE Messaging API server for the tests: a real HTTP server on 127.0.0.1 that the real SDK talks to.

Point the real SDK at it, so the SDK's own serialisation, headers, urllib3 pool and error mapping all run:

    with FakeLine() as line:
        config = linebot.v3.messaging.Configuration(host=line.url, access_token=line.token)
        with ApiClient(config) as client:
            MessagingApi(client).push_message(PushMessageRequest(to="U1", messages=[TextMessage(text="hi")]),
                                              x_line_retry_key=str(uuid.uuid4()))
        assert line.delivered_texts() == ["hi"]

What it implements (shapes as documented by LINE):

* every request needs `Authorization: Bearer <token>`, otherwise 401 `{"message": "Authentication failed. ..."}`;
* `POST /v2/bot/message/push`: body validation (400 with `details`), `X-Line-Retry-Key` (an accepted key answers
  409 with `x-line-accepted-request-id` and delivers nothing), 200 `{"sentMessages": [...]}` with
  `x-line-request-id`; once `quota` is reached a push is refused with 429 "You have reached your monthly limit.";
* `GET /v2/bot/message/quota` and `GET /v2/bot/message/quota/consumption`;
* `GET /v2/bot/message/{messageId}/content` (LINE serves it from its data host, api-data.line.me; the fake serves
  both hosts from its one address): the bytes a test put in `content[message_id]`, either `(bytes, content_type)` or
  a `Content`, which can also make a body of any size chunk by chunk (never held whole), send it chunked, cut it
  short after a full Content-Length, or answer slowly; 404 `{"message": "Not found"}` for an id not there (content
  LINE no longer keeps, or never had). Each request records `sent_bytes`, the body bytes the client took;
* anything else: 404 JSON, unless a test added a route with `add_route`.

Faults (change them at any time, between or during requests; all random choices come from `random.Random(seed)`,
three draws per push whatever the settings, so a given seed and sequence of pushes always gives the same outcomes):

* `fail_rate`: 500 without accepting;
* `hang_rate`: accept and record the push, THEN sleep `hang_seconds` before answering: a client with a shorter
  timeout sees a read timeout although the message was delivered (what the retry key is for);
* `hang_before_accept_rate`: sleep `hang_seconds` first, then answer 500 without accepting;
* `rate_limit_next`: the next N pushes get 429 "The API rate limit has been exceeded. Try again later.";
* `status_next`: the next pushes get these exact `(status, body)` or `(status, headers, body)` answers (nothing
  accepted).

Precedence for a push: auth, hang_before_accept, status_next, rate_limit_next, fail_rate, body validation,
retry key already accepted (409), monthly quota (429), accept (then hang_rate).

Sleeps wait on a `threading.Event` that `stop()` sets, so `stop()` returns promptly even while a handler hangs; a
handler woken that way closes its connection without answering.
"""
from __future__ import annotations

import json
import random
import re
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Handler = Callable[[dict], tuple]

PUSH_PATH = "/v2/bot/message/push"
CONTENT_PATH = re.compile(r"/v2/bot/message/(?P<message_id>[^/]+)/content")
MESSAGE_TYPES = ("text", "sticker", "image", "video", "audio", "location", "imagemap", "template", "flex")
QUOTABLE_TYPES = ("text", "sticker")
TEXT_MAX = 5000
MESSAGES_MAX = 5

AUTH_FAILED = {"message": "Authentication failed. Confirm that the access token in the authorization header is valid."}
INTERNAL_ERROR = {"message": "Internal server error"}
RATE_LIMITED = {"message": "The API rate limit has been exceeded. Try again later."}
MONTHLY_LIMIT = {"message": "You have reached your monthly limit."}
RETRY_KEY_ACCEPTED = "The retry key is already accepted"


class _Abort(Exception):
    """The server is stopping while a handler waits: drop the connection without an answer."""


@dataclass
class Content:
    """What `GET /v2/bot/message/{messageId}/content` answers for one message (put it in `FakeLine.content`).

    The body is `data`, then zero bytes up to `size` when that is larger, written `chunk_size` bytes at a time and
    made as it is written: a 30 MB body costs the test's process no 30 MB.
    """

    data: bytes = b""
    content_type: str = "application/octet-stream"
    size: int | None = None  # the body's length; None: len(data)
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length: the length is known only by reading it all
    truncate_at: int | None = None  # send a Content-Length of the whole, only this many bytes, then close
    delay: float = 0.0  # wait before answering (a slow LINE)
    pause: float = 0.0  # wait after each chunk (a trickle)
    chunk_size: int = 64 * 1024

    @property
    def length(self) -> int:
        return max(len(self.data), self.size or 0)

    def chunks(self) -> Iterator[bytes]:
        count = self.length if self.truncate_at is None else min(self.truncate_at, self.length)
        step = self.chunk_size
        data = self.data[:count]
        for start in range(0, len(data), step):
            yield data[start:start + step]
        filler = bytes(step)
        remaining = count - len(data)
        while remaining > 0:
            piece = filler if remaining >= step else filler[:remaining]
            yield piece
            remaining -= len(piece)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # FakeLine.stop() wakes and joins its handler threads itself, with a bound.
    fake: FakeLine

    def handle_error(self, request, client_address):
        # A client that gave up (read timeout) makes the late answer fail with a broken pipe; that is expected.
        # Anything else is kept for the test to see rather than printed.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError, _Abort)):
            with self.fake._lock:
                self.fake.errors.append(exc)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API, so urllib3's connection pool is exercised
    server: _Server
    timeout = 30  # an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True  # headers and body go out in two writes; avoid the 40 ms delayed-ACK stall

    def setup(self):
        super().setup()
        self.server.fake._connection_opened(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.fake._connection_closed(self.connection)

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self):
        request: dict = {}
        try:
            self._answer(request)
        finally:
            request["finished"] = True  # answered, or given up on (content_requests waits for it)

    def _answer(self, request: dict) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        body = self._read_body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        request.update({
            "method": self.command,
            "path": split.path,
            "query": {k: v[0] if len(v) == 1 else v for k, v in parse_qs(split.query).items()},
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "json": parsed,
            "at": datetime.now(UTC),
            "status": None,
        })
        try:
            status, headers, payload = fake._handle(request)
        except _Abort:
            self.close_connection = True
            request["status"] = "aborted"
            return
        except Exception as exc:  # a bug in a handler: answer 500 and keep it for the test
            with fake._lock:
                fake.errors.append(exc)
            status, headers, payload = 500, {}, {"message": f"fake handler error: {exc!r}"}
        request["status"] = status
        if isinstance(payload, Content):
            self._send_content(fake, request, status, dict(headers or {}), payload)
            return
        if isinstance(payload, (bytes, bytearray)):
            data = bytes(payload)
            content_type = "application/octet-stream"
        elif payload is None:
            data = b""
            content_type = None
        else:
            data = json.dumps(payload).encode()
            content_type = "application/json"
        headers = dict(headers or {})
        lowered = {k.lower() for k in headers}
        if "x-line-request-id" not in lowered:
            headers["x-line-request-id"] = request.get("request_id") or fake._new_request_id()
        if content_type and "content-type" not in lowered:
            headers["Content-Type"] = content_type
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def _send_content(self, fake: FakeLine, request: dict, status: int, headers: dict, content: Content) -> None:
        """Write a `Content` body chunk by chunk, counting in `request["sent_bytes"]` what the client took; a client
        that stops reading (it refused the file) ends the writing with a broken pipe, which is expected."""
        headers.setdefault("x-line-request-id", request["request_id"])
        headers.setdefault("Content-Type", content.content_type)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, str(value))
        if content.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(content.length))
        self.end_headers()
        sent = 0
        try:
            if self.command == "HEAD":
                return
            for chunk in content.chunks():
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if content.chunked else chunk)
                sent += len(chunk)
                if content.pause:
                    fake.sleep(content.pause)
            if content.chunked and content.truncate_at is None:
                self.wfile.write(b"0\r\n\r\n")
        except (OSError, _Abort):
            self.close_connection = True
        finally:
            request["sent_bytes"] = sent
        if content.truncate_at is not None:
            self.close_connection = True  # the connection closes with the body short of its Content-Length

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


class FakeLine:
    """A fake LINE Messaging API on 127.0.0.1 (see the module docstring). Use as a context manager or start()/stop().

    Recorded state (read it freely; it is guarded by `_lock`, which `snapshot`-style helpers take):
      pushes    accepted pushes: dicts with to, messages, retry_key, request_id, at, count (messages consumed),
                sent_ids, notification_disabled
      accepted  retry_key -> request_id of the push that was accepted with it
      requests  every request: method, path, query, headers (lowercased names), body (bytes), json, at,
                status (the answer's status, "aborted" if dropped by stop())
      counts    Counter per outcome: accepted, conflict, invalid, unauthorized, failed, hung, hung_before_accept,
                rate_limited, quota_exceeded, injected, not_found, method_not_allowed, custom, content,
                content_not_found
      errors    exceptions raised by route handlers (a test can assert it stays empty)

    Set by the test: `content` maps a message id to what its content endpoint answers, `(bytes, content_type)` or a
    `Content` (kept by reset(), like group_members).
    """

    def __init__(self, token: str = "test-channel-token", *, quota: int | None = 300, initial_usage: int = 0,
                 group_members: dict[str, int] | None = None, seed: int = 0, hang_seconds: float = 5.0,
                 enforce_quota: bool = True):
        self.token = token
        self.quota = quota
        self.initial_usage = initial_usage
        self.group_members: dict[str, int] = dict(group_members or {})
        self.content: dict[str, Content | tuple[bytes, str]] = {}
        self.enforce_quota = enforce_quota
        self.seed = seed
        self.hang_seconds = hang_seconds

        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._handler_threads: set[threading.Thread] = set()
        self._routes: list[tuple[str, re.Pattern, Handler, bool]] = []
        self.url: str | None = None
        self._reset_state()
        self._builtin_routes = [
            ("POST", re.compile(re.escape(PUSH_PATH)), self._push, True),
            ("GET", re.compile(r"/v2/bot/message/quota"), self._quota, True),
            ("GET", re.compile(r"/v2/bot/message/quota/consumption"), self._consumption, True),
            ("GET", CONTENT_PATH, self._content, True),
        ]

    # ----- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> FakeLine:
        if self._server is not None:
            raise RuntimeError("FakeLine is already running")
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _RequestHandler)
        server.fake = self
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"FakeLine:{port}", daemon=True)
        self._thread.start()
        return self

    def stop(self, join_timeout: float = 2.0) -> None:
        """Stop serving; wakes hanging handlers and closes open connections. Idempotent; `url` keeps the old port,
        so a client pointed at it afterwards sees a connection refused."""
        server = self._server
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
            threads = list(self._handler_threads)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        deadline = time.monotonic() + join_timeout
        for thread in [self._thread, *threads]:
            if thread is not None and thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
        self._server = None
        self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> FakeLine:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # ----- configuration ---------------------------------------------------------------------------------------

    def set_faults(self, *, fail_rate: float | None = None, hang_rate: float | None = None,
                   hang_before_accept_rate: float | None = None, hang_seconds: float | None = None,
                   rate_limit_next: int | None = None, status_next: list[tuple] | None = None,
                   seed: int | None = None) -> None:
        """Set any of the faults (unnamed ones stay as they are); `seed` re-seeds the fault RNG."""
        with self._lock:
            if fail_rate is not None:
                self.fail_rate = fail_rate
            if hang_rate is not None:
                self.hang_rate = hang_rate
            if hang_before_accept_rate is not None:
                self.hang_before_accept_rate = hang_before_accept_rate
            if hang_seconds is not None:
                self.hang_seconds = hang_seconds
            if rate_limit_next is not None:
                self.rate_limit_next = rate_limit_next
            if status_next is not None:
                self.status_next = list(status_next)
            if seed is not None:
                self.seed = seed
                self._rng = random.Random(seed)
                self._id_rng = random.Random(f"ids-{seed}")

    def clear_faults(self) -> None:
        with self._lock:
            self.fail_rate = 0.0
            self.hang_rate = 0.0
            self.hang_before_accept_rate = 0.0
            self.rate_limit_next = 0
            self.status_next = []

    def reset(self) -> None:
        """Forget everything recorded, clear the faults and re-seed; token, quota, group_members and routes stay."""
        with self._lock:
            self._reset_state()

    def _reset_state(self) -> None:
        self.pushes: list[dict] = []
        self.accepted: dict[str, str] = {}
        self.requests: list[dict] = []
        self.counts: Counter = Counter()
        self.errors: list[BaseException] = []
        self.consumed = 0
        self._rng = random.Random(self.seed)
        self._id_rng = random.Random(f"ids-{self.seed}")
        self.clear_faults()

    def add_route(self, method: str, path_regex: str, handler: Handler, *, auth: bool = True) -> None:
        """Serve `method` on paths fully matching `path_regex` with `handler(request) -> (status, headers, body)`.

        `request` is the dict recorded in `requests` plus `match` (the re.Match) and `request_id`; body may be a
        dict/list (sent as JSON), bytes, or None. Added routes take precedence over the built-in ones, so a test
        can also override push or quota. `auth=False` skips the bearer check (e.g. for the OAuth token endpoint).
        """
        with self._lock:
            self._routes.append((method.upper(), re.compile(path_regex), handler, auth))

    # ----- convenience -----------------------------------------------------------------------------------------

    def delivered_texts(self, to: str | None = None) -> list[str]:
        """Texts of the text messages of accepted pushes, in order, optionally only those to `to`."""
        with self._lock:
            return [m.get("text") for p in self.pushes if to is None or p["to"] == to
                    for m in p["messages"] if isinstance(m, dict) and m.get("type") == "text"]

    def deliveries_by_key(self) -> dict[str | None, int]:
        """retry_key -> number of accepted pushes with it (None for pushes without a key); never above 1 for a key."""
        with self._lock:
            return dict(Counter(p["retry_key"] for p in self.pushes))

    @property
    def total_usage(self) -> int:
        with self._lock:
            return self.initial_usage + self.consumed

    def requests_to(self, path: str, method: str | None = None) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r["path"] == path and (method is None or r["method"] == method)]

    def content_requests(self, message_id: str) -> list[dict]:
        """The requests for one message's content, each once its answer is written (the server may still be writing
        a body the client gave up on when the client's call returns)."""
        path = f"/v2/bot/message/{message_id}/content"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            found = self.requests_to(path)
            if all(r.get("finished") for r in found):
                return found
            time.sleep(0.01)
        raise AssertionError(f"the fake is still writing the content of {message_id}")

    # ----- internals -------------------------------------------------------------------------------------------

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
            self._handler_threads.add(threading.current_thread())
        if self._stopping.is_set():  # accepted just as stop() ran: do not leave it waiting for a request
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)
            self._handler_threads.discard(threading.current_thread())

    def _new_request_id(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self._id_rng.getrandbits(128), version=4))

    def _new_message_id(self) -> str:
        with self._lock:
            return str(self._id_rng.randrange(10**17, 10**18))

    def _new_quote_token(self) -> str:
        with self._lock:
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            return "q" + "".join(self._id_rng.choice(alphabet) for _ in range(40))

    def sleep(self, seconds: float) -> None:
        """Hang for `seconds`, or until stop(): then the connection is dropped without an answer. Route handlers
        that simulate a slow endpoint should use this rather than time.sleep, so stop() stays prompt."""
        if self._stopping.wait(seconds):
            raise _Abort

    def _handle(self, request: dict) -> tuple:
        request["request_id"] = self._new_request_id()
        with self._lock:
            self.requests.append(request)
            routes = [(*r, False) for r in self._routes] + [(*r, True) for r in self._builtin_routes]
        path_known = False
        for method, pattern, handler, auth, builtin in routes:
            match = pattern.fullmatch(request["path"])
            if not match:
                continue
            path_known = True
            if method != request["method"]:
                continue
            if auth and request["headers"].get("authorization") != f"Bearer {self.token}":
                with self._lock:
                    self.counts["unauthorized"] += 1
                return 401, {}, AUTH_FAILED
            request["match"] = match
            if not builtin:
                with self._lock:
                    self.counts["custom"] += 1
            status, headers, body = handler(request)
            return status, headers, body
        with self._lock:
            self.counts["method_not_allowed" if path_known else "not_found"] += 1
        if path_known:
            return 405, {}, {"message": "Method Not Allowed"}
        return 404, {}, {"message": "Not found"}

    def _push(self, request: dict) -> tuple:
        with self._lock:
            draw_hang_before, draw_fail, draw_hang = self._rng.random(), self._rng.random(), self._rng.random()
            hang_before = draw_hang_before < self.hang_before_accept_rate
            hang_seconds = self.hang_seconds
        if hang_before:
            with self._lock:
                self.counts["hung_before_accept"] += 1
            self.sleep(hang_seconds)
            return 500, {}, INTERNAL_ERROR
        with self._lock:
            if self.status_next:
                injected = self.status_next.pop(0)
                status, headers, body = injected if len(injected) == 3 else (injected[0], {}, injected[1])
                self.counts["injected"] += 1
                return status, headers, body
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                self.counts["rate_limited"] += 1
                return 429, {}, RATE_LIMITED
            if draw_fail < self.fail_rate:
                self.counts["failed"] += 1
                return 500, {}, INTERNAL_ERROR

        payload = request["json"]
        if not isinstance(payload, dict):
            with self._lock:
                self.counts["invalid"] += 1
            return 400, {}, {"message": "The request body could not be parsed as JSON"}
        errors = _validate_push(payload)
        if errors:
            with self._lock:
                self.counts["invalid"] += 1
            return 400, {}, {"message": f"The request body has {len(errors)} error(s)", "details": errors}

        retry_key = request["headers"].get("x-line-retry-key")
        to = payload["to"]
        messages = payload["messages"]
        with self._lock:
            if retry_key is not None and retry_key in self.accepted:
                self.counts["conflict"] += 1
                first = next(p for p in self.pushes if p["retry_key"] == retry_key)
                return 409, {"x-line-accepted-request-id": self.accepted[retry_key]}, {
                    "message": RETRY_KEY_ACCEPTED, "sentMessages": first["sent_messages"]}
            count = self.group_members.get(to, 1)
            used = self.initial_usage + self.consumed + count
            if self.enforce_quota and self.quota is not None and used > self.quota:
                self.counts["quota_exceeded"] += 1
                return 429, {}, MONTHLY_LIMIT
            sent = []
            for message in messages:
                entry = {"id": self._new_message_id()}
                if message.get("type") in QUOTABLE_TYPES:
                    entry["quoteToken"] = self._new_quote_token()
                sent.append(entry)
            self.pushes.append({
                "to": to, "messages": messages, "retry_key": retry_key, "request_id": request["request_id"],
                "at": request["at"], "count": count, "sent_ids": [s["id"] for s in sent], "sent_messages": sent,
                "notification_disabled": bool(payload.get("notificationDisabled")),
            })
            if retry_key is not None:
                self.accepted[retry_key] = request["request_id"]
            self.consumed += count
            self.counts["accepted"] += 1
            hang = draw_hang < self.hang_rate
            if hang:
                self.counts["hung"] += 1
        if hang:
            self.sleep(hang_seconds)
        return 200, {}, {"sentMessages": sent}

    def _quota(self, request: dict) -> tuple:
        if self.quota is None:
            return 200, {}, {"type": "none"}
        return 200, {}, {"type": "limited", "value": self.quota}

    def _consumption(self, request: dict) -> tuple:
        return 200, {}, {"totalUsage": self.total_usage}

    def _content(self, request: dict) -> tuple:
        with self._lock:
            found = self.content.get(request["match"]["message_id"])
            self.counts["content" if found is not None else "content_not_found"] += 1
        if found is None:
            return 404, {}, {"message": "Not found"}
        content = found if isinstance(found, Content) else Content(found[0], found[1])
        if content.delay:
            self.sleep(content.delay)
        return 200, {}, content


def _validate_push(payload: dict) -> list[dict]:
    errors = []
    to = payload.get("to")
    if not isinstance(to, str) or not to:
        errors.append({"message": "Must be a non-empty string" if to is not None else "may not be null",
                       "property": "to"})
    messages = payload.get("messages")
    if not isinstance(messages, list):
        message = "may not be null" if messages is None else "Must be an array"
        errors.append({"message": message, "property": "messages"})
        return errors
    if not 1 <= len(messages) <= MESSAGES_MAX:
        errors.append({"message": f"Size must be between 1 and {MESSAGES_MAX}", "property": "messages"})
    for i, message in enumerate(messages):
        prop = f"messages[{i}]"
        if not isinstance(message, dict):
            errors.append({"message": "Must be an object", "property": prop})
            continue
        kind = message.get("type")
        if kind is None:
            errors.append({"message": "may not be null", "property": f"{prop}.type"})
        elif kind not in MESSAGE_TYPES:
            errors.append({"message": f"Must be one of the following values: [{', '.join(MESSAGE_TYPES)}]",
                           "property": f"{prop}.type"})
        elif kind == "text":
            text = message.get("text")
            if not isinstance(text, str) or not text:
                errors.append({"message": "May not be empty", "property": f"{prop}.text"})
            elif _utf16_length(text) > TEXT_MAX:
                errors.append({"message": f"Length must be between 0 and {TEXT_MAX}", "property": f"{prop}.text"})
    return errors


def _utf16_length(text: str) -> int:
    """LINE counts a text's characters in UTF-16 code units (an emoji outside the BMP counts 2; Thai counts 1)."""
    return len(text.encode("utf-16-le")) // 2
