"""The fake LINE server, driven only through the real line-bot-sdk, so these tests also pin how the SDK behaves.

Findings pinned here (the app's LINE client depends on them):
* an HTTP error status surfaces as ApiException (or its subclasses UnauthorizedException 401, NotFoundException 404,
  ServiceException 5xx), with `.status`, `.headers` (case-insensitive) and `.body` (the raw JSON text);
* a timeout or a dropped connection does NOT: it surfaces as a urllib3 exception, which is no ApiException:
  a POST read timeout as urllib3.exceptions.ReadTimeoutError (POST is never retried by urllib3), a GET read timeout as
  MaxRetryError after 3 silent retries (urllib3's default Retry(3), which the SDK keeps: Configuration().retries is
  None), a refused connection as MaxRetryError(NewConnectionError), a connection closed without an answer as
  ProtocolError. All of them derive from urllib3.exceptions.HTTPError;
* the SDK sets no timeout by default: without `_request_timeout` a call waits as long as the server takes.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
import warnings

import pytest
import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import NotFoundException, ServiceException, UnauthorizedException

from .fake_line import FakeLine


@pytest.fixture
def line():
    with FakeLine(hang_seconds=2) as fake:
        yield fake
        assert fake.errors == []


def make_api(line: FakeLine, token: str | None = None, **config):
    configuration = Configuration(host=line.url, access_token=line.token if token is None else token)
    for name, value in config.items():
        setattr(configuration, name, value)
    return ApiClient(configuration)


@pytest.fixture
def api(line):
    with make_api(line) as client:
        yield MessagingApi(client)


def push(api, text="hello", to="Uuser1", key=None, **kwargs):
    return api.push_message_with_http_info(PushMessageRequest(to=to, messages=[TextMessage(text=text)]),
                                           x_line_retry_key=key, **kwargs)


def new_key() -> str:
    return str(uuid.uuid4())


def test_push_is_recorded_with_its_retry_key(line, api):
    key = new_key()
    response = push(api, "แจ้งเตือน: งานครบกำหนดพรุ่งนี้", key=key)

    assert response.status_code == 200
    request_id = response.headers["x-line-request-id"]
    assert str(uuid.UUID(request_id)) == request_id
    [sent] = response.data.sent_messages
    assert sent.id.isdigit() and sent.quote_token

    [recorded] = line.pushes
    assert recorded["to"] == "Uuser1"
    assert recorded["messages"] == [{"type": "text", "text": "แจ้งเตือน: งานครบกำหนดพรุ่งนี้"}]
    assert recorded["retry_key"] == key
    assert recorded["request_id"] == request_id
    assert recorded["at"].tzinfo is not None
    assert line.accepted == {key: request_id}
    assert line.delivered_texts() == ["แจ้งเตือน: งานครบกำหนดพรุ่งนี้"]
    assert line.delivered_texts(to="Uother") == []
    assert line.counts["accepted"] == 1

    [request] = line.requests
    assert request["method"] == "POST" and request["path"] == "/v2/bot/message/push"
    assert request["headers"]["authorization"] == f"Bearer {line.token}"
    assert request["headers"]["x-line-retry-key"] == key
    assert request["headers"]["user-agent"].startswith("line-bot-sdk-python/")
    assert request["status"] == 200


def test_push_without_retry_key_is_delivered_each_time(line, api):
    push(api, "a")
    push(api, "a")
    assert line.delivered_texts() == ["a", "a"]
    assert line.accepted == {}
    assert line.deliveries_by_key() == {None: 2}


def test_repeat_with_the_same_key_is_409_and_not_delivered_again(line, api):
    key = new_key()
    first_id = push(api, "once", key=key).headers["x-line-request-id"]

    with pytest.raises(ApiException) as caught:
        push(api, "once", key=key)

    error = caught.value
    assert type(error) is ApiException
    assert error.status == 409
    assert error.headers["x-line-accepted-request-id"] == first_id
    assert error.headers["x-line-request-id"] != first_id
    assert '"The retry key is already accepted"' in error.body
    assert line.delivered_texts() == ["once"]
    assert line.deliveries_by_key() == {key: 1}
    assert line.counts["conflict"] == 1
    assert line.total_usage == 1


def test_server_error_is_not_accepted_and_a_retry_with_the_same_key_delivers(line, api):
    line.fail_rate = 1
    key = new_key()

    with pytest.raises(ServiceException) as caught:
        push(api, "retry me", key=key)

    assert caught.value.status == 500
    assert '"Internal server error"' in caught.value.body
    assert line.pushes == [] and line.accepted == {}
    assert line.total_usage == 0

    line.fail_rate = 0
    push(api, "retry me", key=key)
    assert line.deliveries_by_key() == {key: 1}


def test_hang_after_accept_times_out_in_the_client_but_was_delivered(line, api):
    line.set_faults(hang_rate=1, hang_seconds=2)
    key = new_key()
    started = time.monotonic()

    with pytest.raises(urllib3.exceptions.ReadTimeoutError) as caught:
        push(api, "delivered anyway", key=key, _request_timeout=0.5)

    assert time.monotonic() - started < 1.5
    assert not isinstance(caught.value, ApiException)
    assert isinstance(caught.value, urllib3.exceptions.HTTPError)
    # urllib3 does not retry a POST on a read timeout: one request reached the server.
    assert len(line.requests_to("/v2/bot/message/push")) == 1
    assert line.delivered_texts() == ["delivered anyway"]
    assert line.counts["hung"] == 1

    # The retry the timeout calls for is refused as already accepted, naming the first request.
    line.set_faults(hang_rate=0)
    with pytest.raises(ApiException) as conflict:
        push(api, "delivered anyway", key=key, _request_timeout=0.5)
    assert conflict.value.status == 409
    assert conflict.value.headers["x-line-accepted-request-id"] == line.accepted[key]
    assert line.deliveries_by_key() == {key: 1}


def test_hang_before_accept_times_out_and_delivers_nothing(line, api):
    line.set_faults(hang_before_accept_rate=1, hang_seconds=2)
    key = new_key()

    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        push(api, "late", key=key, _request_timeout=0.5)

    assert line.pushes == []
    line.set_faults(hang_before_accept_rate=0)
    push(api, "late", key=key, _request_timeout=0.5)
    assert line.delivered_texts() == ["late"]
    assert line.deliveries_by_key() == {key: 1}


def test_rate_limit_is_429_for_the_next_pushes_only(line, api):
    line.rate_limit_next = 2
    key = new_key()
    for _ in range(2):
        with pytest.raises(ApiException) as caught:
            push(api, key=key)
        assert caught.value.status == 429
        assert "The API rate limit has been exceeded" in caught.value.body

    push(api, key=key)
    assert line.counts["rate_limited"] == 2
    assert line.deliveries_by_key() == {key: 1}


def test_status_next_answers_exact_statuses(line, api):
    line.set_faults(status_next=[(400, {"message": "Failed to send messages"}),
                                 (403, {"x-extra": "1"}, {"message": "Forbidden"})])

    with pytest.raises(ApiException) as first:
        push(api, to="Ublocked")
    with pytest.raises(ApiException) as second:
        push(api, to="Ublocked")
    push(api, to="Ublocked")

    assert (first.value.status, first.value.body) == (400, '{"message": "Failed to send messages"}')
    assert second.value.status == 403 and second.value.headers["x-extra"] == "1"
    assert len(line.pushes) == 1


def test_quota_and_consumption_through_the_sdk():
    with FakeLine(quota=500, initial_usage=7) as line, make_api(line) as client:
        api = MessagingApi(client)
        quota = api.get_message_quota()
        assert (quota.type, quota.value) == ("limited", 500)
        assert api.get_message_quota_consumption().total_usage == 7

        push(api, "x")
        push(api, "y")
        assert api.get_message_quota_consumption().total_usage == 9

    with FakeLine(quota=None) as line, make_api(line) as client:
        quota = MessagingApi(client).get_message_quota()
        assert quota.type == "none" and quota.value is None


def test_a_push_to_a_group_counts_each_member():
    with FakeLine(group_members={"Cdivision": 12}) as line, make_api(line) as client:
        api = MessagingApi(client)
        push(api, "to the group", to="Cdivision")
        push(api, "to one", to="Uuser1")

        assert api.get_message_quota_consumption().total_usage == 13
        assert [p["count"] for p in line.pushes] == [12, 1]


def test_monthly_quota_is_enforced():
    with FakeLine(quota=3, initial_usage=2, group_members={"Cgroup": 2}) as line, make_api(line) as client:
        api = MessagingApi(client)
        with pytest.raises(ApiException) as caught:
            push(api, to="Cgroup")
        assert caught.value.status == 429
        assert "monthly limit" in caught.value.body
        push(api, to="Uuser1")
        assert line.total_usage == 3


@pytest.mark.parametrize("token", ["wrong-token", ""])
def test_wrong_or_missing_token_is_401(line, token):
    with make_api(line, token=token) as client:
        api = MessagingApi(client)
        with pytest.raises(UnauthorizedException) as caught:
            push(api)
        assert caught.value.status == 401
        assert "Authentication failed" in caught.value.body
        with pytest.raises(UnauthorizedException):
            api.get_message_quota()
    assert line.pushes == []
    assert line.counts["unauthorized"] == 2


def test_invalid_body_is_400_with_details(line, api):
    with pytest.raises(ApiException) as caught:
        api.push_message(PushMessageRequest(to="Uuser1", messages=[TextMessage(text="ok"), TextMessage(text="")]))

    assert caught.value.status == 400
    body = json.loads(caught.value.body)
    assert body["message"] == "The request body has 1 error(s)"
    assert body["details"] == [{"message": "May not be empty", "property": "messages[1].text"}]
    assert line.pushes == [] and line.counts["invalid"] == 1


def test_text_length_is_counted_in_utf16_units_up_to_5000(line, api):
    push(api, "ก" * 5000)
    with pytest.raises(ApiException) as too_long:
        push(api, "ก" * 5001)
    with pytest.raises(ApiException) as emoji:
        push(api, "\N{GRINNING FACE}" * 2501)
    assert too_long.value.status == emoji.value.status == 400
    assert '"messages[0].text"' in emoji.value.body
    assert len(line.pushes) == 1


def test_unknown_path_is_404_until_a_route_is_added(line, api):
    with pytest.raises(NotFoundException):
        api.get_profile("Uuser1")

    line.add_route("GET", r"/v2/bot/profile/(?P<user_id>[^/]+)",
                   lambda request: (200, {}, {"userId": request["match"]["user_id"], "displayName": "สมชาย"}))
    profile = api.get_profile("Uuser1")

    assert (profile.user_id, profile.display_name) == ("Uuser1", "สมชาย")
    assert line.counts["not_found"] == 1 and line.counts["custom"] == 1


def test_added_routes_are_authenticated_unless_told_otherwise(line):
    line.add_route("GET", r"/v2/bot/profile/.+", lambda request: (200, {}, {"userId": "U", "displayName": "d"}))
    with make_api(line, token="wrong") as client, pytest.raises(UnauthorizedException):
        MessagingApi(client).get_profile("U")


def test_a_failing_route_handler_answers_500_and_is_kept(line, api):
    line.add_route("GET", r"/v2/bot/profile/.+", lambda request: 1 / 0)
    with pytest.raises(ServiceException):
        api.get_profile("U")
    assert [type(e) for e in line.errors] == [ZeroDivisionError]
    line.errors.clear()


def test_get_read_timeout_is_retried_three_times_by_urllib3(line, api):
    line.add_route("GET", r"/v2/bot/message/quota", lambda request: (line.sleep(2), (200, {}, {"type": "none"}))[1])

    with pytest.raises(urllib3.exceptions.MaxRetryError) as caught:
        api.get_message_quota(_request_timeout=0.2)

    assert isinstance(caught.value.reason, urllib3.exceptions.ReadTimeoutError)
    assert len(line.requests_to("/v2/bot/message/quota")) == 4


def test_configuration_retries_turns_the_silent_retries_off(line):
    assert Configuration().retries is None
    line.add_route("GET", r"/v2/bot/message/quota", lambda request: (line.sleep(2), (200, {}, {"type": "none"}))[1])
    with make_api(line, retries=False) as client:
        with pytest.raises(urllib3.exceptions.ReadTimeoutError):
            MessagingApi(client).get_message_quota(_request_timeout=0.2)
    assert len(line.requests_to("/v2/bot/message/quota")) == 1


def test_the_sdk_sets_no_timeout_by_default(line, api):
    line.set_faults(hang_rate=1, hang_seconds=0.5)
    started = time.monotonic()
    push(api, "slow")
    assert time.monotonic() - started >= 0.5


def test_connection_refused_is_max_retry_error(line):
    line.stop()
    with make_api(line) as client:
        with pytest.raises(urllib3.exceptions.MaxRetryError) as caught:
            push(MessagingApi(client))
    assert isinstance(caught.value.reason, urllib3.exceptions.NewConnectionError)


def test_stop_returns_promptly_while_a_request_hangs():
    line = FakeLine(hang_seconds=60).start()
    line.set_faults(hang_rate=1)
    outcome = []

    def client():
        with make_api(line) as api_client:
            try:
                push(MessagingApi(api_client), "hanging")
            except Exception as exc:  # noqa: BLE001 - recorded for the assertion
                outcome.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    deadline = time.monotonic() + 5
    while line.counts["hung"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert line.counts["hung"] == 1

    started = time.monotonic()
    line.stop()
    assert time.monotonic() - started < 1
    thread.join(5)
    assert not thread.is_alive()
    # The accepted push stays recorded; the client sees the connection closed without an answer.
    assert line.delivered_texts() == ["hanging"]
    [error] = outcome
    assert isinstance(error, urllib3.exceptions.ProtocolError)
    assert line.requests[0]["status"] == "aborted"


def test_fault_outcomes_are_deterministic_for_a_seed():
    def outcomes(seed):
        result = []
        with FakeLine(seed=seed) as line, make_api(line) as client:
            line.fail_rate = 0.5
            api = MessagingApi(client)
            for _ in range(12):
                try:
                    push(api)
                    result.append(200)
                except ApiException as exc:
                    result.append(exc.status)
        return result

    first = outcomes(7)
    assert first == outcomes(7)
    assert set(first) == {200, 500}


def test_reset_forgets_state_and_faults(line, api):
    push(api, key=new_key())
    line.set_faults(fail_rate=1, rate_limit_next=3)
    line.reset()
    assert (line.pushes, line.accepted, line.requests, sum(line.counts.values())) == ([], {}, [], 0)
    push(api)
    assert line.total_usage == 1


def test_the_sdk_emits_no_warnings(line):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with make_api(line) as client:
            api = MessagingApi(client)
            push(api, key=new_key())
            api.get_message_quota()
            api.get_message_quota_consumption()
            with pytest.raises(ApiException):
                api.push_message(PushMessageRequest(to="U", messages=[TextMessage(text="")]))
    assert [str(w.message) for w in caught] == []
