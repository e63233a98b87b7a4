from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registrations.domains import InvalidDomain, is_valid_registrable, normalise_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.com", "example.com"),
        ("https://user:secret@WWW.Example.COM:8443/path/page?q=1#top", "example.com"),
        ("www.example.com.", "example.com"),
        ("shop.example.co.uk", "example.co.uk"),
        ("  Example.ORG  ", "example.org"),
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("http://例え.jp/", "xn--r8jz45g.jp"),
        ("ＥＸＡＭＰＬＥ.com", "example.com"),
        ("mail.google.com", "google.com"),
        ("ftp://files.example.net", "example.net"),
    ],
)
def test_domains_are_reduced_to_the_ascii_registrable_domain(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "localhost",
        "com",
        "co.uk",
        "1.2.3.4",
        "[::1]",
        "http://10.0.0.1:80/x",
        "a" * 64 + ".com",
        ("a" * 60 + ".") * 5 + "com",
        "foo bar.com",
        "-bad-.com",
        "example.notarealtld",
        "..",
        "http://",
    ],
)
def test_what_is_not_a_registrable_domain_is_rejected_with_a_reason(raw):
    with pytest.raises(InvalidDomain) as info:
        normalise_domain(raw)
    assert str(info.value.reason)


def test_suffix_lookup_makes_no_network_call(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert normalise_domain("a.b.example.com.au") == "example.com.au"


@settings(max_examples=400, deadline=None)
@given(
    st.text(max_size=300)
    | st.from_regex(r"(https?://)?([a-zA-Z0-9\-_.]{0,20}\.){0,4}[a-z]{2,6}(:[0-9]{1,5})?(/.*)?", fullmatch=True)
)
def test_normalisation_never_raises_anything_but_a_rejection(raw):
    try:
        result = normalise_domain(raw)
    except InvalidDomain:
        return
    assert result.isascii()
    assert result == result.lower()
    assert len(result) <= 253
    assert is_valid_registrable(result)
