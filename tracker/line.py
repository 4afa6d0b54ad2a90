"""Delivery channels: LINE's Messaging API through line-bot-sdk v3, or the log when no token is configured.

One small interface, picked by configuration (like an SMTP or SES mail service): `send(to, text, retry_key)` answers
sent, retry later, or failed for good. The outbox decides what to do with each.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import urllib3
from flask import current_app
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
)

log = logging.getLogger(__name__)

SENT, RETRY, FAILED = "sent", "retry", "failed"
MAX_TEXT = 5000  # LINE's limit for one text message


@dataclass(frozen=True)
class SendResult:
    outcome: str  # sent | retry | failed
    detail: str = ""
    request_id: str | None = None


@dataclass(frozen=True)
class Quota:
    limit: int | None  # None: no monthly limit (a paid plan)
    used: int


class Channel(Protocol):
    name: str

    def send(self, to: str, messages: list[dict], retry_key: str) -> SendResult: ...

    def quota(self) -> Quota | None: ...


class ConsoleChannel:
    """Writes messages to the log: the demo, and any deployment without a LINE token."""

    name = "console"

    def send(self, to: str, messages: list[dict], retry_key: str) -> SendResult:
        texts = [m.get("text") or m.get("altText") or m.get("type") for m in messages]
        log.info("LINE message to %s (retry key %s):\n%s", to, retry_key, "\n".join(texts))
        return SendResult(SENT, "written to the log")

    def quota(self) -> Quota | None:
        return None


class LineChannel:
    """Pushes through the Messaging API with the outbox row's key as X-Line-Retry-Key."""

    name = "line"

    def __init__(self, access_token: str, host: str, timeout: float):
        configuration = Configuration(host=host.rstrip("/"), access_token=access_token)
        # No retries inside urllib3: the outbox retries, with backoff and the same retry key, and records each try.
        configuration.retries = False
        self._client = ApiClient(configuration)
        self._api = MessagingApi(self._client)
        self._timeout = timeout

    def send(self, to: str, messages: list[dict], retry_key: str) -> SendResult:
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
        return SendResult(SENT, "accepted", _header(headers, "x-line-request-id"))

    @staticmethod
    def _classify(error: ApiException) -> SendResult:
        body = (error.body.decode("utf-8", "replace") if isinstance(error.body, bytes) else str(error.body or ""))
        status = error.status or 0
        if status == 409:
            # The retry key was accepted before (a try whose answer we lost): LINE delivered it then, not again now.
            return SendResult(SENT, "already accepted (409)", _header(error.headers or {}, "x-line-accepted-request-id"))
        if status == 429 and "monthly limit" in body:
            # The month's quota is used up: no retry succeeds before next month, so say so instead of hammering.
            return SendResult(FAILED, f"LINE 429: โควตาข้อความของเดือนนี้หมดแล้ว (monthly limit reached): {body[:300]}")
        if status == 429 or status >= 500 or status == 0:
            return SendResult(RETRY, f"LINE {status}: {body[:500]}")
        return SendResult(FAILED, f"LINE {status}: {body[:1000]}")

    def quota(self) -> Quota | None:
        """Read this month's message quota and use from LINE (the free plan's number is not hard-coded)."""
        try:
            limit = self._api.get_message_quota(_request_timeout=self._timeout)
            used = self._api.get_message_quota_consumption(_request_timeout=self._timeout)
        except (ApiException, urllib3.exceptions.HTTPError) as error:
            log.warning("could not read the LINE message quota: %s", error)
            return None
        return Quota(limit.value if limit.type == "limited" else None, used.total_usage)

    def close(self) -> None:
        self._client.close()


def _header(headers, name: str) -> str | None:
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value
    return None


def channel_from_config() -> Channel:
    """Return the LINE channel when a token is configured, else the console."""
    token = current_app.config.get("LINE_CHANNEL_ACCESS_TOKEN")
    if not token:
        return ConsoleChannel()
    return LineChannel(
        token, current_app.config["LINE_API_HOST"], float(current_app.config.get("LINE_TIMEOUT_SECONDS") or 10)
    )
