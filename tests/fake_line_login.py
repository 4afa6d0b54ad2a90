"""A fake LINE Login v2.1 server for the tests: a real HTTP server on 127.0.0.1 that the app and a browser talk to.

    with FakeLineLogin(channel_id="1650000000", secret="login-secret") as fake:
        app.config.update(LINE_LOGIN_AUTHORIZE_URL=fake.authorize_url, LINE_LOGIN_API_HOST=fake.url, ...)
        fake.next_user = "U0123..."  # who "signs in to LINE" on the next authorization
        ...

More LINE Login channels (an organization's own, LINE_CHANNELS' login_channel_id): `fake.add_channel(id, secret)`;
a code belongs to the channel it was authorized for, and its ID token's `aud` is that channel, signed HS256 with that
channel's secret.

What it implements (shapes as documented by LINE):

* `GET /oauth2/v2.1/authorize`: checks response_type=code, the channel id (one of its channels), a redirect_uri, an
  `openid` scope, a state and an S256 code challenge (else 400 text, as LINE shows an error page); then redirects
  (302) to redirect_uri with `code` and `state`, remembering for the code its channel, redirect_uri, nonce, code
  challenge and LINE user id (`next_user`). With `deny` set it redirects with `error=access_denied` and the state
  instead, as when the person presses "cancel". With `forge_state` set it sends that state back instead of the one
  it was given (what a callback made up by someone else brings). With `reuse_code` set it sends that code back (one
  it gave before, spent: a code caught and replayed) with the real state, and remembers no new one.
* `POST /oauth2/v2.1/token` (form-encoded): checks grant_type, client_id and client_secret (400 invalid_client),
  the code (known, of this channel and not used before: 400 invalid_grant; a code is spent by its first use, right
  or wrong), the redirect_uri of the authorization, and that the code verifier's S256 is the challenge (400
  invalid_grant); then answers access_token, id_token, expires_in, refresh_token, scope, token_type.
* `GET /oauth2/v2.1/certs`: the JWKS holding the public part of the fake's ES256 key (`kid` = `key_id`).

The ID token: claims iss, sub, aud, exp, iat, nonce, amr, name, signed HS256 with the channel secret (`alg`), or
ES256 with the fake's key, or "none" unsigned. A test alters it with `claims` (merged over the real ones; a value of
None drops the claim), `alg`, `sign_secret` (HS256 with another secret) and `sign_kid` (the kid put in the header).

Faults: `token_delay` seconds before the token endpoint answers (a LINE that hangs; `stop()` wakes it).
Recorded: `requests` (method, path, query, form), `codes` (code -> what the authorization remembered, and `used`).
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

AUTHORIZE_PATH = "/oauth2/v2.1/authorize"
TOKEN_PATH = "/oauth2/v2.1/token"
CERTS_PATH = "/oauth2/v2.1/certs"
ISSUER = "https://access.line.me"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeLineLogin

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):  # a client that gave up: expected
            with self.fake._lock:
                self.fake.errors.append(exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass

    def _dispatch(self):
        fake = self.server.fake
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        request = {"method": self.command, "path": split.path, "query": query, "form": form}
        with fake._lock:
            fake.requests.append(request)
        try:
            status, headers, payload = fake._handle(request)
        except _Stopping:
            self.close_connection = True
            return
        except Exception as exc:  # a bug in the fake: 500, kept for the test
            with fake._lock:
                fake.errors.append(exc)
            status, headers, payload = 500, {}, {"error": "server_error", "error_description": repr(exc)}
        if isinstance(payload, (dict, list)):
            data = json.dumps(payload).encode()
            headers = {"Content-Type": "application/json", **headers}
        else:
            data = (payload or "").encode()
            headers = {"Content-Type": "text/plain; charset=utf-8", **headers}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _dispatch


class _Stopping(Exception):
    """The server is stopping while a handler waits: drop the connection without an answer."""


class FakeLineLogin:
    """A fake LINE Login server on 127.0.0.1 (see the module docstring); a context manager, or start()/stop()."""

    def __init__(self, channel_id: str = "1650000000", secret: str = "8c3f0e2b9a7d4c61f05e2a9b7c4d1e36", *,
                 key_id: str = "fake-es256-key"):
        self.channel_id = channel_id
        self.secret = secret
        self.channels: dict[str, str] = {channel_id: secret}  # every channel it knows: id -> secret
        self.key_id = key_id
        self._private_key = ec.generate_private_key(ec.SECP256R1())
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url: str | None = None
        self.reset()

    def reset(self) -> None:
        """Forget what was recorded and every alteration of the token."""
        with self._lock:
            self.next_user: str | None = None
            self.deny = False
            self.forge_state: str | None = None
            self.reuse_code: str | None = None
            self.alg = "HS256"
            self.claims: dict[str, Any] = {}
            self.sign_secret: str | None = None
            self.sign_kid: str | None = None
            self.token_delay = 0.0
            self.requests: list[dict] = []
            self.codes: dict[str, dict] = {}
            self.errors: list[BaseException] = []

    # ----- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> FakeLineLogin:
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"FakeLineLogin:{port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes a handler sleeping in token_delay
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(2)
        self._server = self._thread = None

    def __enter__(self) -> FakeLineLogin:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def add_channel(self, channel_id: str, secret: str) -> None:
        """Know another LINE Login channel (an organization's own)."""
        with self._lock:
            self.channels[channel_id] = secret

    @property
    def authorize_url(self) -> str:
        return f"{self.url}{AUTHORIZE_PATH}"

    def settings(self) -> dict[str, str]:
        """The app settings that point it at this fake."""
        return {"LINE_LOGIN_CHANNEL_ID": self.channel_id, "LINE_LOGIN_CHANNEL_SECRET": self.secret,
                "LINE_LOGIN_AUTHORIZE_URL": self.authorize_url, "LINE_LOGIN_API_HOST": self.url or ""}

    def token_requests(self) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r["path"] == TOKEN_PATH]

    # ----- endpoints ---------------------------------------------------------------------------------------------

    def _handle(self, request: dict) -> tuple[int, dict, Any]:
        route = (request["method"], request["path"])
        if route == ("GET", AUTHORIZE_PATH):
            return self._authorize(request["query"])
        if route == ("POST", TOKEN_PATH):
            return self._token(request["form"])
        if route == ("GET", CERTS_PATH):
            return 200, {}, {"keys": [self.public_jwk()]}
        return 404, {}, {"message": "Not found"}

    def _authorize(self, query: dict) -> tuple[int, dict, Any]:
        problems = [name for name, ok in [
            ("response_type", query.get("response_type") == "code"),
            ("client_id", query.get("client_id") in self.channels),
            ("redirect_uri", bool(query.get("redirect_uri"))),
            ("scope", "openid" in (query.get("scope") or "").split()),
            ("state", bool(query.get("state"))),
            ("code_challenge", bool(query.get("code_challenge"))),
            ("code_challenge_method", query.get("code_challenge_method") == "S256"),
        ] if not ok]
        if problems:
            return 400, {}, f"400 Bad Request: {', '.join(problems)}"
        target = query["redirect_uri"]
        with self._lock:
            if self.deny:
                answer = {"error": "access_denied", "error_description": "The resource owner denied the request.",
                          "state": query["state"]}
            elif self.reuse_code:
                answer = {"code": self.reuse_code, "state": query["state"]}
            else:
                code = secrets.token_urlsafe(16)
                self.codes[code] = {"redirect_uri": target, "nonce": query.get("nonce"), "user": self.next_user,
                                    "challenge": query["code_challenge"], "channel": query["client_id"],
                                    "used": False}
                answer = {"code": code, "state": self.forge_state or query["state"]}
        separator = "&" if "?" in target else "?"
        return 302, {"Location": f"{target}{separator}{urlencode(answer)}"}, ""

    def _token(self, form: dict) -> tuple[int, dict, Any]:
        if self.token_delay and self._stopping.wait(self.token_delay):
            raise _Stopping()
        if form.get("grant_type") != "authorization_code":
            return 400, {}, {"error": "unsupported_grant_type"}
        client_id = form.get("client_id") or ""
        if client_id not in self.channels or form.get("client_secret") != self.channels[client_id]:
            return 400, {}, {"error": "invalid_client", "error_description": "invalid client"}
        with self._lock:
            grant = self.codes.get(form.get("code") or "")
            if grant is None or grant["used"] or grant["channel"] != client_id:
                return 400, {}, {"error": "invalid_grant", "error_description": "invalid authorization code"}
            grant["used"] = True  # spent by its first use, whatever comes of it
            if form.get("redirect_uri") != grant["redirect_uri"]:
                return 400, {}, {"error": "invalid_grant", "error_description": "redirect_uri does not match"}
            if s256(form.get("code_verifier") or "") != grant["challenge"]:
                return 400, {}, {"error": "invalid_grant", "error_description": "code_verifier does not match"}
            id_token = self.id_token(grant["user"], grant["nonce"], client_id)
        return 200, {}, {"access_token": secrets.token_urlsafe(24), "expires_in": 2592000, "id_token": id_token,
                         "refresh_token": secrets.token_urlsafe(24), "scope": "openid profile",
                         "token_type": "Bearer"}

    # ----- the ID token ------------------------------------------------------------------------------------------

    def id_token(self, user: str | None, nonce: str | None, channel_id: str | None = None) -> str:
        """An ID token as LINE makes one for a channel (the first one by default), with the test's alterations
        (`claims`, `alg`, `sign_secret`, `sign_kid`)."""
        now = int(time.time())
        channel_id = channel_id or self.channel_id
        claims: dict[str, Any] = {"iss": ISSUER, "sub": user, "aud": channel_id, "exp": now + 3600, "iat": now,
                                  "nonce": nonce, "amr": ["linesso"], "name": "คนทดสอบ"}
        claims.update(self.claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        if self.alg == "ES256":
            return jwt.encode(claims, self._private_key, algorithm="ES256",
                              headers={"kid": self.sign_kid or self.key_id})
        if self.alg == "none":
            return jwt.encode(claims, None, algorithm="none")
        with warnings.catch_warnings():  # HS384/HS512 with a 32-byte secret: a short key for them, as meant here
            warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
            return jwt.encode(claims, self.sign_secret or self.channels.get(channel_id, self.secret),
                              algorithm=self.alg)

    def public_jwk(self) -> dict:
        jwk = ECAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.key_id, "alg": "ES256", "use": "sig"}
