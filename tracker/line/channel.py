"""Delivery channels: LINE's Messaging API through line-bot-sdk v3, or the log when no token is configured.

One small interface, picked by configuration (like an SMTP or SES mail service): `send(to, text, retry_key)` answers
sent, retry later, or failed for good. The outbox decides what to do with each.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

import urllib3
from flask import current_app

if TYPE_CHECKING:
    # Imported where a call to LINE is made: line-bot-sdk's models take about a second to import, which every
    # `tracker` command (--help too) and every process start would pay, most of them never calling LINE.
    from linebot.v3.messaging import ApiClient, ApiException

log = logging.getLogger(__name__)

SENT, RETRY, FAILED = "sent", "retry", "failed"
MAX_TEXT = 5000  # LINE's limit for one text message


@dataclass(frozen=True)
class SendResult:
    outcome: str  # sent | retry | failed
    detail: str = ""
    request_id: str | None = None
    # LINE's id of each message object delivered, in the order sent (the answer's sentMessages); empty when LINE did
    # not say (the console, an answer without them).
    message_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quota:
    limit: int | None  # None: no monthly limit (a paid plan)
    used: int


class Channel(Protocol):
    name: str

    def send(self, to: str, messages: list[dict], retry_key: str) -> SendResult: ...

    def quota(self) -> Quota | None: ...

    def reply(self, reply_token: str, messages: list[dict]) -> bool: ...

    def issue_link_token(self, line_user_id: str) -> str | None: ...

    def group_member_count(self, group_id: str) -> int | None: ...


class ConsoleChannel:
    """Writes messages to the log: the demo, and any deployment without a LINE token."""

    name = "console"

    def send(self, to: str, messages: list[dict], retry_key: str) -> SendResult:
        texts = [cast(str, m.get("text") or m.get("altText") or m.get("type")) for m in messages]  # each has a type
        log.info("LINE message to %s (retry key %s):\n%s", to, retry_key, "\n".join(texts))
        return SendResult(SENT, "written to the log")

    def quota(self) -> Quota | None:
        return None

    def reply(self, reply_token: str, messages: list[dict]) -> bool:
        log.info("LINE reply (%s): %s", reply_token, messages)
        return True

    def issue_link_token(self, line_user_id: str) -> str | None:
        return None

    def group_member_count(self, group_id: str) -> int | None:
        return None


def api_client(host: str, access_token: str) -> ApiClient:
    """Return an SDK client for one of LINE's hosts that tries each call once.

    No retries inside urllib3: the outbox retries with backoff and the same retry key, and records each try; a
    command run by a person (the rich menu setup) shows the error and the person runs it again.
    """
    from linebot.v3.messaging import ApiClient, Configuration

    configuration = Configuration(host=host, access_token=access_token)
    configuration.retries = False
    return ApiClient(configuration)


class LineChannel:
    """Pushes through the Messaging API with the outbox row's key as X-Line-Retry-Key."""

    name = "line"

    def __init__(self, access_token: str, host: str, timeout: float):
        from linebot.v3.messaging import MessagingApi

        self._client = api_client(host, access_token)
        self._api = MessagingApi(self._client)
        self._timeout = timeout

    def send(self, to: str, messages: list[dict], retry_key: str) -> SendResult:
        from linebot.v3.messaging import ApiException, PushMessageRequest

        # One push, up to five message objects, counts as one message per recipient against the quota.
        request = PushMessageRequest.from_dict({"to": to, "messages": messages})
        try:
            response = self._api.push_message_with_http_info(
                request, x_line_retry_key=retry_key, _request_timeout=self._timeout
            )
        except ApiException as error:
            return self._classify(error)
        except urllib3.exceptions.HTTPError as error:
            # Timeouts and dropped connections come through urllib3, not ApiException. The message may or may not
            # have reached LINE: retry with the same key, and a 409 will tell.
            return SendResult(RETRY, f"network: {type(error).__name__}: {error}")
        headers = response.headers or {}
        sent = response.data.sent_messages if response.data is not None else []
        return SendResult(SENT, "accepted", _header(headers, "x-line-request-id"),
                          tuple(message.id for message in sent))

    @staticmethod
    def _classify(error: ApiException) -> SendResult:
        body = (error.body.decode("utf-8", "replace") if isinstance(error.body, bytes) else str(error.body or ""))
        status = error.status or 0
        if status == 409:
            # The retry key was accepted before (a try whose answer we lost): LINE delivered it then, not again now.
            accepted_id = _header(error.headers or {}, "x-line-accepted-request-id")
            return SendResult(SENT, "already accepted (409)", accepted_id, _sent_message_ids(body))
        if status == 429 and "monthly limit" in body:
            # The month's quota is used up: no retry succeeds before next month, so say so instead of hammering.
            return SendResult(FAILED, f"LINE 429: โควตาข้อความของเดือนนี้หมดแล้ว (monthly limit reached): {body[:300]}")
        if status == 429 or status >= 500 or status == 0:
            return SendResult(RETRY, f"LINE {status}: {body[:500]}")
        return SendResult(FAILED, f"LINE {status}: {body[:1000]}")

    def quota(self) -> Quota | None:
        """Read this month's message quota and use from LINE (the free plan's number is not hard-coded)."""
        from linebot.v3.messaging import ApiException

        try:
            limit = self._api.get_message_quota(_request_timeout=self._timeout)
            used = self._api.get_message_quota_consumption(_request_timeout=self._timeout)
        except (ApiException, urllib3.exceptions.HTTPError) as error:
            log.warning("could not read the LINE message quota: %s", error)
            return None
        return Quota(limit.value if limit.type == "limited" else None, used.total_usage)

    def reply(self, reply_token: str, messages: list[dict]) -> bool:
        """Answer a webhook event (replies are free: they do not count against the quota)."""
        from linebot.v3.messaging import ApiException, ReplyMessageRequest

        request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages})
        try:
            self._api.reply_message(request, _request_timeout=self._timeout)
        except (ApiException, urllib3.exceptions.HTTPError, ValueError) as error:  # ValueError: an odd answer
            # A reply token is single-use and expires quickly: nothing to retry, but say why in the log.
            log.warning("LINE reply failed: %s", error)
            return False
        return True

    def issue_link_token(self, line_user_id: str) -> str | None:
        """Ask LINE for an account-link token for this LINE user (the first step of LINE's account-link flow)."""
        from linebot.v3.messaging import ApiException

        try:
            return self._api.issue_link_token(line_user_id, _request_timeout=self._timeout).link_token
        except (ApiException, urllib3.exceptions.HTTPError) as error:
            log.warning("LINE link token failed: %s", error)
            return None

    def group_member_count(self, group_id: str) -> int | None:
        """Return how many people a group has: a push into it counts once per member."""
        from linebot.v3.messaging import ApiException

        try:
            return self._api.get_group_member_count(group_id, _request_timeout=self._timeout).count
        except (ApiException, urllib3.exceptions.HTTPError) as error:
            log.warning("LINE group member count failed: %s", error)
            return None

    def close(self) -> None:
        self._client.close()


def _sent_message_ids(body: str) -> tuple[str, ...]:
    """The message ids in an error's body (LINE's 409 for a retry key already accepted carries the first push's
    sentMessages); none when it has none or is not JSON."""
    try:
        answer = json.loads(body)
    except ValueError:
        return ()
    sent = answer.get("sentMessages") if isinstance(answer, dict) else None
    if not isinstance(sent, list):
        return ()
    return tuple(str(m["id"]) for m in sent if isinstance(m, dict) and isinstance(m.get("id"), str | int))


def _header(headers, name: str) -> str | None:
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value
    return None


@dataclass(frozen=True)
class Credentials:
    secret: str | None
    token: str | None


def credentials_for(organization_id: int) -> Credentials:
    """Return an organization's channel secret and token, from the environment only.

    LINE_CHANNELS maps organization ids to their own channel ({"2": {"secret": "...", "token": "..."}}) when one
    deployment serves several organizations; LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are the channel of
    every organization not listed there (the usual one-organization deployment).
    """
    entry = (current_app.config["LINE_CHANNELS"] or {}).get(str(organization_id))
    if entry:
        return Credentials(entry.get("secret"), entry.get("token"))
    config = current_app.config
    return Credentials(config.get("LINE_CHANNEL_SECRET"), config.get("LINE_CHANNEL_ACCESS_TOKEN"))


def channel_for(organization_id: int) -> Channel:
    """Return the organization's LINE channel, or the console when it has no token."""
    return _channel(credentials_for(organization_id).token)


def _channel(token: str | None) -> Channel:
    if not token:
        return ConsoleChannel()
    return LineChannel(token, current_app.config["LINE_API_HOST"], current_app.config["LINE_TIMEOUT_SECONDS"])


def valid_signature(body: bytes, signature: str, secret: str) -> bool:
    """Check LINE's X-Line-Signature: base64 of HMAC-SHA256 of the raw body with the channel secret."""
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature or "")  # constant time: no timing hint to a forger


def channel_from_config() -> Channel:
    """Return the deployment's default channel (LINE_CHANNEL_ACCESS_TOKEN), or the console without a token: the
    channel of every organization not listed in LINE_CHANNELS, and of the delivery benchmark."""
    return _channel(current_app.config.get("LINE_CHANNEL_ACCESS_TOKEN"))
