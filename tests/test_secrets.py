"""The one redaction of credentials (patarm._secrets): every form masked, idempotent, text without
credentials unchanged; API keys read from the environment or a file, stripped, blank ones refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from patarm._secrets import MASK, RedactSecrets, client_key, redact, server_key

S = "Zq7sEcr3tVal"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"POST http://user:{S}@127.0.0.1:9/v1 failed", "POST http://***@127.0.0.1:9/v1 failed"),
        (f"'https://{S}@api.example.com'", "'https://***@api.example.com'"),
        (f"http://u:p@ss{S}@h/x", "http://***@h/x"),  # an unencoded @ in the password
        (f"Authorization: Basic {S}==", "Authorization: Basic ***"),
        (f"authorization: Bearer {S}", "authorization: Bearer ***"),
        (f"Proxy-Authorization: Token {S}", "Proxy-Authorization: Token ***"),
        (f"Authorization: {S}", "Authorization: ***"),
        (f"X-API-Key: {S}", "X-API-Key: ***"),
        (f"{{'x-api-key': '{S}', 'a': 1}}", "{'x-api-key': '***', 'a': 1}"),
        (f'{{"Authorization": "Bearer {S}"}}', '{"Authorization": "Bearer ***"}'),
        (f"sent bearer {S}.", "sent bearer ***"),
        (f"GET /get_reward?api_key={S}&x=1 HTTP/1.1", "GET /get_reward?api_key=***&x=1 HTTP/1.1"),
        ("GET /get_reward?api_key=k%2Dy HTTP/1.1", "GET /get_reward?api_key=*** HTTP/1.1"),
        (f"GET /x?api%5Fkey={S}", "GET /x?api%5Fkey=***"),
        (f"GET /x?API-KEY={S};token={S}", "GET /x?API-KEY=***;token=***"),
        (f"/cb?access_token={S}#frag", "/cb?access_token=***#frag"),
        (f"password={S} secret={S} client_secret='{S}'", "password=*** secret=*** client_secret='***'"),
        (f"x?key={S}&refresh_token={S}&sig={S}", "x?key=***&refresh_token=***&sig=***"),
    ],
)
def test_each_credential_form_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert S not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "max_tokens=256 temperature=0.7 author=Ann",
        "http://127.0.0.1:8000/v1/chat/completions",
        "user@example.com wrote: basic question, keys: 3",
        "Error: token: expected a number",
        "Basic idea; a bearer. Basic auth",
        "GET /x?api_key=&y=1",
    ],
)
def test_text_without_credentials_is_unchanged(text: str) -> None:
    assert redact(text) == text


def test_literal_secrets_are_masked_anywhere() -> None:
    assert redact("backend failed, k-y in text", ["k-y", ""]) == "backend failed, *** in text"
    assert redact("a*b", ["*"]) == "a*b"  # a secret the mask holds would make redaction loop


# ----- properties -----

secret = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=8, max_size=24)
encoded_secret = secret.flatmap(lambda s: st.sampled_from([s, s[:4] + "%2D" + s[4:], s + "%3D%3D"]))
filler = st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=40)
FORMS = [
    "http://user:{s}@127.0.0.1:8000/v1",
    "https://{s}@host.example/x?y=1",
    "Authorization: Basic {s}",
    "Authorization: Bearer {s}",
    "{{'authorization': 'Bearer {s}'}}",
    "Bearer {s}",
    "X-API-Key: {s}",
    "{{'X-API-Key': '{s}'}}",
    "/get_reward?api_key={s}",
    "/get_reward?x=1&api%5Fkey={s}&y=2",
    "?API_KEY={s}",
    "?access_token={s}",
    "?Access-Token={s}",
    "?secret={s}",
    "?password={s}",
    "?key={s}",
    "?token={s}",
]


@given(form=st.sampled_from(FORMS), value=encoded_secret, before=filler, after=filler)
def test_redaction_never_leaves_the_secret(form: str, value: str, before: str, after: str) -> None:
    credential = form.format(s=value)
    assume(value not in before and value not in after)
    text = f"{before} {credential} {after}"
    out = redact(text)
    assert value not in out
    assert redact(out) == out


@given(st.text(max_size=200) | st.text("=:/@?&%_- ktaeybrsc*'\"", max_size=200))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


TRIGGERS = ("://", "=", "bearer", "basic", "authorization", "api_key", "apikey", "x_api", "password", "passwd")


@given(st.text(max_size=200) | st.text("abcdefghij:/@?&%_- .,", max_size=200))
def test_text_without_credential_syntax_is_unchanged(text: str) -> None:
    lowered = text.lower().replace("-", "_")
    assume(not any(t in lowered for t in TRIGGERS) and "_token" not in lowered)
    assert redact(text) == text


@given(st.integers(1, 2000), st.sampled_from(["a=", "x:", "://", "bearer ", "basic ", "api_key=", "%", "@"]))
def test_adversarial_repetitions_are_masked_consistently(n: int, unit: str) -> None:
    text = unit * n
    out = redact(text)
    assert redact(out) == out and len(out) <= len(text) + len(MASK) * n


# ----- the logging filter -----


def test_filter_masks_message_arguments_and_exception(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("patarm.test_secrets")
    log.addFilter(RedactSecrets())
    try:
        with caplog.at_level(logging.INFO, logger="patarm.test_secrets"):
            log.info('%s - "GET %s HTTP/1.1" 200', "127.0.0.1", "/get_reward?api_key=k%2Dy")
            try:
                raise RuntimeError(f"POST http://u:{S}@h/v1 failed")
            except RuntimeError:
                log.exception("failed")
    finally:
        log.filters.clear()
    assert "api_key=***" in caplog.text and "k%2Dy" not in caplog.text
    assert S not in caplog.text and "RuntimeError: POST http://***@h/v1 failed" in caplog.text


# ----- keys from the environment or a file -----


def test_server_key_is_stripped_and_a_blank_one_names_its_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JUDGE_KEY", "secret\n")
    assert server_key(env="JUDGE_KEY") == "secret"
    monkeypatch.setenv("JUDGE_KEY", " \n")
    with pytest.raises(ValueError, match=r"\$JUDGE_KEY is blank"):
        server_key(env="JUDGE_KEY")
    monkeypatch.delenv("JUDGE_KEY")
    assert server_key(env="JUDGE_KEY") is None and server_key() is None
    path = tmp_path / "key.txt"
    path.write_text("secret\n")
    assert server_key(file=path) == "secret"
    path.write_text("\n")
    with pytest.raises(ValueError, match=r"key\.txt' is blank"):
        server_key(file=path)
    with pytest.raises(ValueError, match="not both"):
        server_key(env="JUDGE_KEY", file=path)


def test_client_key_strips_and_treats_blank_as_none() -> None:
    assert client_key(" sk-1\n") == "sk-1"
    assert client_key("") is None and client_key("\n") is None and client_key(None) is None
