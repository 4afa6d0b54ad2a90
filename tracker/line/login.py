"""Signing in with LINE: LINE Login v2.1, OpenID Connect's authorization code flow with PKCE.

One attempt, from the sign-in page to the person signed in:

1. `begin` makes the attempt's secrets (a `state` the callback must bring back, a `nonce` the ID token must hold, a
   PKCE code verifier whose S256 challenge LINE keeps) and the authorization URL the browser is sent to; the view
   keeps the attempt in the signed session cookie until the callback pops it, so a state is used once.
2. LINE sends the browser back to the callback with a `code` (or `error=access_denied`). `finish` checks the state,
   exchanges the code at LINE's token endpoint (with the channel secret and the code verifier: a code caught on the
   way is worth nothing without them) and verifies the ID token it answers: its signature (HS256 with the channel
   secret, or ES256 with LINE's key named by `kid` from the JWKS endpoint), issuer, audience (this channel), expiry,
   time of issue and nonce. Nothing the browser sends about the person is believed: only the verified token's `sub`.
3. `person_for` finds the active person whose linked LINE account (User.line_user_id, linked through the Official
   Account's chat) is that `sub`. The caller starts their session as the password sign-in does.

A LINE user id is per provider: the LINE Login channel must be under the provider of the Messaging API channel, or
no id it gives matches one the bot linked (docs/line.md, "Signing in with LINE").

Which channel: the deployment's (LINE_LOGIN_CHANNEL_ID and _SECRET), or an organization's own, from its entry of
LINE_CHANNELS (`login_channel_id`, `login_channel_secret`) when one deployment serves agencies each with its Official
Account under its own provider. An attempt names its organization (`/login/line?org=<id>`, or the task of a reminder's
link tapped in LINE: `organization_of_next`); `channel_for` gives that organization's channel, else the deployment's.
The attempt keeps the channel it was begun with: the callback exchanges the code with that channel's secret, takes an
ID token for that channel only (`aud`), and, when it was an organization's own, signs in only a person of that
organization. An entry's `liff_id` is read (config/defaults.py) but not used, like LIFF_ID.

Every call to LINE is made before anything is written, with LINE_TIMEOUT_SECONDS per call: no database transaction
waits on LINE.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import urllib3
from flask import current_app
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from ..errors import DomainError
from ..extensions import db
from ..models import Task, User

log = logging.getLogger(__name__)

ISSUER = "https://access.line.me"
TOKEN_PATH = "/oauth2/v2.1/token"
CERTS_PATH = "/oauth2/v2.1/certs"
SCOPE = "openid profile"
# Clocks of LINE and this server may differ a little: an ID token is taken up to this many seconds past its expiry,
# or issued this many seconds "in the future".
LEEWAY_SECONDS = 30
# How long an attempt may take from the sign-in page to the callback: a person reading LINE's consent screen.
ATTEMPT_SECONDS = 600
# LINE's public keys are fetched at most this often (a key whose `kid` is not known yet: at most once a minute).
JWKS_KEEP_SECONDS = 3600
JWKS_RETRY_SECONDS = 60
ALGORITHMS = ("HS256", "ES256")

# What the sign-in page says when a sign-in with LINE is refused.
REFUSED = "เข้าสู่ระบบด้วย LINE ไม่สำเร็จ โปรดลองใหม่อีกครั้ง"
CANCELLED = "ยกเลิกการเข้าสู่ระบบด้วย LINE แล้ว — เข้าสู่ระบบด้วยชื่อผู้ใช้และรหัสผ่านได้ตามปกติ"
NOT_LINKED = ("บัญชี LINE นี้ยังไม่ได้เชื่อมกับผู้ใช้ในระบบ — เข้าสู่ระบบด้วยชื่อผู้ใช้และรหัสผ่านก่อน "
              "แล้วเชื่อมบัญชี LINE ที่หน้าข้อมูลของฉัน (แตะชื่อของคุณที่เมนู) หัวข้อ “รับการแจ้งเตือนทาง LINE” "
              "จากนั้นจึงเข้าสู่ระบบด้วย LINE ได้")
INACTIVE = "บัญชีผู้ใช้ที่เชื่อมกับบัญชี LINE นี้ถูกปิดการใช้งาน โปรดติดต่อผู้ดูแลระบบของหน่วยงาน"


class LineLoginRefused(DomainError):
    """A sign-in with LINE that did not prove who the person is; `reason` goes to the log, `message` to the page."""

    def __init__(self, reason: str, message: str = REFUSED, status: int = 400):
        super().__init__(message, status)
        self.reason = reason


@dataclass(frozen=True)
class LoginChannel:
    """A LINE Login channel: the deployment's (organization_id None), or one organization's own (LINE_CHANNELS)."""

    channel_id: str
    secret: str
    organization_id: int | None


@dataclass(frozen=True)
class Attempt:
    """One sign-in with LINE, from the sign-in page to the callback: kept in the signed session cookie."""

    state: str
    nonce: str
    verifier: str
    redirect_uri: str
    next: str | None
    started: float  # time.time()
    channel_id: str  # the LINE Login channel it was begun with
    organization_id: int | None  # whose own channel that is; None: the deployment's

    FIELDS = ("state", "nonce", "verifier", "redirect_uri", "next", "started", "channel_id", "organization_id")

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def from_dict(cls, data: Any) -> Attempt | None:
        """The attempt a session held, or None for nothing or anything else."""
        if not isinstance(data, dict):
            return None
        try:
            attempt = cls(**{name: data[name] for name in cls.FIELDS})
        except (KeyError, TypeError):
            return None
        fields = (attempt.state, attempt.nonce, attempt.verifier, attempt.redirect_uri, attempt.channel_id)
        if not all(isinstance(value, str) and value for value in fields):
            return None
        if attempt.organization_id is not None and type(attempt.organization_id) is not int:
            return None
        return attempt


def deployment_channel(config: Mapping[str, Any]) -> LoginChannel | None:
    """The deployment's LINE Login channel (LINE_LOGIN_CHANNEL_ID and _SECRET), or None: the sign-in page's button
    when no organization is named."""
    channel_id, secret = config.get("LINE_LOGIN_CHANNEL_ID"), config.get("LINE_LOGIN_CHANNEL_SECRET")
    return LoginChannel(str(channel_id), str(secret), None) if channel_id and secret else None


def organization_channel(config: Mapping[str, Any], organization_id: int) -> LoginChannel | None:
    """An organization's own LINE Login channel (its entry of LINE_CHANNELS: login_channel_id, login_channel_secret),
    or None."""
    entry = (config.get("LINE_CHANNELS") or {}).get(str(organization_id)) or {}
    channel_id = (entry.get("login_channel_id") or "").strip()
    secret = entry.get("login_channel_secret") or ""
    return LoginChannel(channel_id, secret, organization_id) if channel_id and secret.strip() else None


def channel_for(config: Mapping[str, Any], organization_id: int | None) -> LoginChannel | None:
    """The LINE Login channel a sign-in for this organization (None: none named) uses: the organization's own, else
    the deployment's; None when neither is set up."""
    own = organization_channel(config, organization_id) if organization_id is not None else None
    return own or deployment_channel(config)


def any_enabled(config: Mapping[str, Any]) -> bool:
    """Tell whether any LINE Login channel is set up: the deployment's, or an organization's own."""
    return deployment_channel(config) is not None or any(
        organization_channel(config, int(key)) is not None
        for key in (config.get("LINE_CHANNELS") or {}) if str(key).isdigit())


def organization_of_next(next_page: str | None) -> int | None:
    """The organization of the task whose page `next` is (`/tasks/<id>`: a reminder's link), or None for another
    page or no such task. The task's id is all that is known before sign-in: only its organization is read, to pick
    that organization's LINE Login channel; nothing of the task is shown."""
    path = (next_page or "").split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return None
    try:
        endpoint, values = current_app.url_map.bind("localhost").match(path, method="GET")
    except (HTTPException, RequestRedirect):  # no such page (404, 405), or one with a redirect of its own
        return None
    task_id = values.get("task_id")
    if endpoint != "tasks.show" or not isinstance(task_id, int) or not 0 < task_id < 2**63:
        return None
    return db.session.scalar(select(Task.organization_id).where(Task.id == task_id))


def code_challenge(verifier: str) -> str:
    """PKCE's S256 challenge of a code verifier (RFC 7636 4.2): base64url of its SHA-256, without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def begin(channel: LoginChannel, redirect_uri: str, next_page: str | None) -> tuple[Attempt, str]:
    """Start an attempt with a LINE Login channel: its secrets, and the LINE authorization URL to send the browser
    to."""
    config = current_app.config
    attempt = Attempt(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                      verifier=secrets.token_urlsafe(64),  # 86 characters: RFC 7636 asks 43 to 128
                      redirect_uri=redirect_uri, next=next_page, started=time.time(),
                      channel_id=channel.channel_id, organization_id=channel.organization_id)
    query = urlencode({
        "response_type": "code",
        "client_id": channel.channel_id,
        "redirect_uri": redirect_uri,
        "state": attempt.state,
        "scope": SCOPE,
        "nonce": attempt.nonce,
        "code_challenge": code_challenge(attempt.verifier),
        "code_challenge_method": "S256",
    })
    return attempt, f"{config['LINE_LOGIN_AUTHORIZE_URL']}?{query}"


def finish(attempt: Attempt | None, args: Mapping[str, str]) -> str:
    """Check LINE's answer to an attempt (the callback's query), exchange its code and verify the ID token: return the
    LINE user id it proves, or raise LineLoginRefused. Makes HTTP calls: call it with no transaction open."""
    if args.get("error"):
        # The person pressed "cancel" on LINE's page (access_denied), or LINE refused the request.
        raise LineLoginRefused(f"LINE answered error={args.get('error')!r}",
                               CANCELLED if args.get("error") == "access_denied" else REFUSED)
    state = args.get("state") or ""
    if attempt is None:
        raise LineLoginRefused("no attempt in this browser's session (already used, or never begun)")
    if not state or not secrets.compare_digest(state.encode(), attempt.state.encode()):
        raise LineLoginRefused("state missing or not the attempt's")
    if not 0 <= time.time() - attempt.started <= ATTEMPT_SECONDS:
        raise LineLoginRefused("attempt too old")
    code = args.get("code")
    if not code:
        raise LineLoginRefused("no code")
    channel = channel_of(attempt)
    id_token = _exchange(code, attempt, channel)
    return verify_id_token(id_token, attempt.nonce, channel)


def channel_of(attempt: Attempt) -> LoginChannel:
    """The channel an attempt was begun with, as the settings still give it: an attempt whose channel is no longer
    the one its organization (or the deployment) uses is refused."""
    channel = channel_for(current_app.config, attempt.organization_id)
    if channel is None or channel.organization_id != attempt.organization_id or not secrets.compare_digest(
            channel.channel_id.encode(), attempt.channel_id.encode()):
        raise LineLoginRefused(f"the attempt's channel {attempt.channel_id} (organization {attempt.organization_id}) "
                               "is not set up any more")
    return channel


def _timeout() -> urllib3.Timeout:
    seconds = current_app.config["LINE_TIMEOUT_SECONDS"]
    return urllib3.Timeout(total=seconds, connect=seconds, read=seconds)


def _exchange(code: str, attempt: Attempt, channel: LoginChannel) -> str:
    """Trade the code for tokens at LINE's token endpoint (with the attempt's channel) and return the ID token."""
    config = current_app.config
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": attempt.redirect_uri,
              "client_id": channel.channel_id, "client_secret": channel.secret, "code_verifier": attempt.verifier}
    url = config["LINE_LOGIN_API_HOST"] + TOKEN_PATH
    try:
        with urllib3.PoolManager(retries=False, timeout=_timeout()) as pool:
            response = pool.request("POST", url, body=urlencode(fields),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    except urllib3.exceptions.HTTPError as error:  # a timeout, a refused or dropped connection
        raise LineLoginRefused(f"token endpoint unreachable: {error!r}") from None
    if response.status != 200:
        # A code used twice, or too old: 400 invalid_grant.
        raise LineLoginRefused(f"token endpoint answered {response.status}: {response.data[:200]!r}")
    try:
        id_token = json.loads(response.data)["id_token"]
    except (ValueError, KeyError, TypeError):
        raise LineLoginRefused("token endpoint answered without an id_token") from None
    if not isinstance(id_token, str):
        raise LineLoginRefused("token endpoint answered without an id_token")
    return id_token


def verify_id_token(id_token: str, nonce: str, channel: LoginChannel) -> str:
    """Verify an ID token (signature, issuer, audience: this channel only, expiry, time of issue, nonce) and return
    its `sub`."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.InvalidTokenError as error:
        raise LineLoginRefused(f"ID token unreadable: {error}") from None
    algorithm = header.get("alg")
    if algorithm == "HS256":
        key: Any = channel.secret
    elif algorithm == "ES256":
        key = _public_key(header.get("kid"))
    else:  # "none" above all, and any algorithm LINE does not use
        raise LineLoginRefused(f"ID token algorithm {algorithm!r} refused")
    try:
        claims = jwt.decode(
            id_token, key, algorithms=[algorithm], audience=channel.channel_id, issuer=ISSUER,
            leeway=LEEWAY_SECONDS, options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.InvalidTokenError as error:
        raise LineLoginRefused(f"ID token refused: {type(error).__name__}: {error}") from None
    issued = claims["iat"]
    if not isinstance(issued, (int, float)) or issued > time.time() + LEEWAY_SECONDS:
        raise LineLoginRefused("ID token issued in the future")
    if not isinstance(claims["nonce"], str) or not secrets.compare_digest(claims["nonce"].encode(), nonce.encode()):
        raise LineLoginRefused("ID token nonce is not the attempt's")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise LineLoginRefused("ID token without a subject")
    return subject


# --- LINE's public keys (JWKS), kept in each worker's memory ---------------------------------------------------------


class _Keys:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.url: str | None = None
        self.keys: dict[str, Any] = {}
        self.fetched = float("-inf")  # time.monotonic() of the last fetch


_keys = _Keys()


def _public_key(kid: Any) -> Any:
    """LINE's public key named `kid`, from its JWKS endpoint: fetched when none is kept, the ones kept are over
    JWKS_KEEP_SECONDS old, or `kid` is new to them (no more than once a JWKS_RETRY_SECONDS)."""
    if not isinstance(kid, str) or not kid:
        raise LineLoginRefused("ES256 ID token without a kid")
    url = current_app.config["LINE_LOGIN_API_HOST"] + CERTS_PATH
    with _keys.lock:
        age = time.monotonic() - _keys.fetched
        stale = _keys.url != url or age > JWKS_KEEP_SECONDS or (kid not in _keys.keys and age > JWKS_RETRY_SECONDS)
        if stale:
            # Under the lock: a worker's threads fetch once between them (each call is bounded by the timeout).
            _keys.keys, _keys.url, _keys.fetched = _fetch_keys(url), url, time.monotonic()
        key = _keys.keys.get(kid)
    if key is None:
        raise LineLoginRefused(f"ES256 ID token signed with an unknown key {kid!r}")
    return key


def _fetch_keys(url: str) -> dict[str, Any]:
    try:
        with urllib3.PoolManager(retries=False, timeout=_timeout()) as pool:
            response = pool.request("GET", url)
    except urllib3.exceptions.HTTPError as error:
        raise LineLoginRefused(f"LINE's keys unreachable: {error!r}") from None
    if response.status != 200:
        raise LineLoginRefused(f"LINE's keys answered {response.status}")
    try:
        found = jwt.PyJWKSet.from_json(response.data.decode("utf-8"))
    except (ValueError, jwt.PyJWTError) as error:
        raise LineLoginRefused(f"LINE's keys unreadable: {error}") from None
    return {key.key_id: key.key for key in found.keys if key.key_id}


def forget_keys() -> None:
    """Drop the kept public keys (tests; a deployment never needs to)."""
    with _keys.lock:
        _keys.url, _keys.keys, _keys.fetched = None, {}, float("-inf")


# --- who signs in -----------------------------------------------------------------------------------------------------


def person_for(line_user_id: str, organization_id: int | None = None) -> User:
    """The active person whose linked LINE account this is, or LineLoginRefused saying what to do. With an
    organization (its own LINE Login channel proved the id: an id of its provider), only a person of it."""
    user = db.session.scalar(select(User).where(User.line_user_id == line_user_id))
    if user is None:
        raise LineLoginRefused(f"LINE user {line_user_id} is linked to nobody", NOT_LINKED, 403)
    if organization_id is not None and user.organization_id != organization_id:
        # Said as "linked to nobody": this organization's sign-in tells nothing of another organization's people.
        raise LineLoginRefused(f"LINE user {line_user_id} is linked to user {user.id} of organization "
                               f"{user.organization_id}, not of organization {organization_id} whose channel "
                               "signed them in", NOT_LINKED, 403)
    if not user.active:
        raise LineLoginRefused(f"LINE user {line_user_id} is linked to inactive user {user.id}", INACTIVE, 403)
    return user
