"""The fake Zalo Bot API holds a bot to the documented rules."""

from __future__ import annotations

import re

import httpx

from tests.fakes.zalo_api import FakeZalo


async def _call(client, fake, method, payload=None, token=None):
    response = await client.post(
        f"{fake.base_url}/bot{token or fake.token}/{method}", json=payload or {}
    )
    return response.status_code, response.json()


async def test_the_fake_enforces_token_length_first_contact_webhooks_and_quota():
    async with FakeZalo(messages_per_second=2) as fake, httpx.AsyncClient() as client:
        assert (await _call(client, fake, "getMe", token="1:wrong"))[0] == 401
        status, me = await _call(client, fake, "getMe")
        assert status == 200 and me["ok"] and me["result"]["account_type"] == "BASIC"

        person = fake.user("Lan")
        assert re.fullmatch(r"[0-9a-f]{20}", person.chat_id)
        # A bot may not write first.
        assert (await _call(client, fake, "sendMessage", {"chat_id": person.chat_id, "text": "a"}))[
            0
        ] == 403
        await person.send("xin chào", twice=True)
        first = (await _call(client, fake, "getUpdates", {"timeout": "1"}))[1]["result"]
        second = (await _call(client, fake, "getUpdates", {"timeout": "1"}))[1]["result"]
        assert first == second  # no offset: the same event twice
        assert first["message"]["date"] > 10**12  # milliseconds
        assert first["event_name"] == "message.text.received"

        too_long = {"chat_id": person.chat_id, "text": "x" * 2001}
        assert (await _call(client, fake, "sendMessage", too_long))[0] == 400
        assert (await _call(client, fake, "sendMessage", {"chat_id": 42, "text": "a"}))[0] == 400
        ok = {"chat_id": person.chat_id, "text": "x" * 2000}
        assert (await _call(client, fake, "sendMessage", ok))[0] == 200
        assert (await _call(client, fake, "sendMessage", ok))[0] == 200
        status, body = await _call(client, fake, "sendMessage", ok)
        assert (status, body["description"]) == (429, "Quota exceeded")

        short = {"url": "https://example.test/hook", "secret_token": "short"}
        assert (await _call(client, fake, "setWebhook", short))[0] == 400
        hook = {"url": "https://example.test/hook", "secret_token": "s" * 16}
        assert (await _call(client, fake, "setWebhook", hook))[0] == 200
        assert (await _call(client, fake, "getUpdates", {"timeout": "1"}))[0] == 400
        assert (await _call(client, fake, "getWebhookInfo"))[1]["result"]["url"] == hook["url"]
        await _call(client, fake, "deleteWebhook")
        assert (await _call(client, fake, "getUpdates", {"timeout": "1"}))[0] == 408
