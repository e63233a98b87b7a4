"""Domain normalisation shared by every app: what a person types → a domain, or a reason why not.

`normalise_domain` gives the registrable domain (domain registrations compare
those); `normalise_hostname` checks a bare host name the same way but keeps
its subdomains (customer domains in MRR files).

`idna` (UTS-46) turns internationalised names into their ASCII form; `tldextract`
with the bundled public suffix list snapshot (no network: `suffix_list_urls=()`,
no cache directory) finds the registrable part (`shop.example.co.uk` →
`example.co.uk`).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

import idna
import tldextract
from django.utils.translation import gettext_lazy as _

# Offline by construction: no suffix list URL to fetch, no cache dir to write.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


class InvalidDomain(ValueError):
    """Not a registrable domain; `reason` is a translatable sentence for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Normalised:
    domain: str


def _strip(raw: str) -> str:
    """Scheme, credentials, path/query/fragment, port, `www.`, trailing dots, case."""
    text = raw.strip()
    text = _SCHEME.sub("", text)
    text = re.split(r"[/?#\\]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1]
    if text.startswith("[") or text.count(":") > 1:
        return text  # an IPv6 literal; rejected below
    text = text.split(":", 1)[0]
    text = text.strip().rstrip(".").lower()
    while text.startswith("www."):
        text = text[4:]
    return text


def _is_ip(text: str) -> bool:
    candidate = text.strip("[]")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return bool(re.fullmatch(r"[0-9.]+", candidate))
    return True


def _to_ascii(text: str) -> str:
    try:
        return idna.encode(text, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise InvalidDomain(_("The domain contains characters that are not allowed in a domain name.")) from exc


def normalise_domain(raw: str) -> str:
    """The registrable ASCII domain of `raw`; raises InvalidDomain with a reason."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidDomain(_("Enter a domain, for example example.com."))
    if len(raw) > 2048:
        raise InvalidDomain(_("That is too long to be a domain."))
    text = _strip(raw)
    if not text:
        raise InvalidDomain(_("Enter a domain, for example example.com."))
    _ascii_text, parts = _checked(text)
    return f"{parts.domain}.{parts.suffix}"


# A cell beginning with one of these runs as a formula when a spreadsheet opens it.
FORMULA_PREFIXES = ("=", "+", "-", "@")
_NOT_IN_HOSTNAME = re.compile(r"[\s/\\:@?#,;\"'<>|=+*!$%&()\[\]{}^`~]")


def normalise_hostname(raw: str) -> str:
    """A bare host name (no scheme, path, port or address), lowercased and in ASCII; subdomains kept.

    Checked like `normalise_domain` (labels, lengths, not an IP address, ends in a
    known public suffix without being one); raises InvalidDomain with a reason.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise InvalidDomain(_("Enter a domain, for example example.com."))
    if text.startswith(FORMULA_PREFIXES):
        raise InvalidDomain(
            _("A domain cannot begin with %(character)s (a spreadsheet would run it as a formula).")
            % {"character": text[0]}
        )
    if len(text) > 253 * 4 or _NOT_IN_HOSTNAME.search(text):
        raise InvalidDomain(_("Give the bare domain name, for example example.com (no scheme, path, port or e-mail)."))
    ascii_text, _parts = _checked(text.rstrip(".").lower())
    return ascii_text


def _checked(text: str) -> tuple[str, tldextract.tldextract.ExtractResult]:
    """Validate a stripped, lowercased host name; its ASCII form and public-suffix split."""
    if _is_ip(text):
        raise InvalidDomain(_("An IP address is not a domain."))
    if any(len(label) > 63 for label in text.split(".")):
        raise InvalidDomain(_("A part of the domain between dots is longer than 63 characters."))
    ascii_text = _to_ascii(text).rstrip(".")
    if len(ascii_text) > 253:
        raise InvalidDomain(_("The domain is longer than 253 characters."))
    labels = ascii_text.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise InvalidDomain(_("The domain contains characters that are not allowed in a domain name."))
    if len(labels) < 2:
        raise InvalidDomain(_("“%(domain)s” is not a public domain name.") % {"domain": ascii_text})
    parts = _EXTRACT(ascii_text)
    if not parts.suffix:
        raise InvalidDomain(_("“%(domain)s” does not end in a known public suffix.") % {"domain": ascii_text})
    if not parts.domain:
        raise InvalidDomain(_("“%(domain)s” is a public suffix, not a domain.") % {"domain": ascii_text})
    return ascii_text, parts


@functools.cache
def public_suffixes() -> frozenset[str]:
    """The ICANN public suffix rules of the bundled list (`*.x` wildcards and `!x` exceptions included)."""
    return frozenset(_EXTRACT.tlds)


_NORMAL_HOST = re.compile(r"[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+")


def is_normal_hostname(text: str) -> bool:
    """`normalise_hostname(text) == text`, fast (microseconds) for plain ASCII names.

    The public suffix rules are applied by set lookups (longest rule first, `*.`
    wildcards, `!` exceptions); punycode (`xn--`) and anything unusual go
    through `normalise_hostname` itself.
    """
    if (
        len(text) > 253
        or not _NORMAL_HOST.fullmatch(text)
        or "xn--" in text
        or text[0] == "-"
        or text[-1] == "-"
        or ".-" in text
        or "-." in text
    ):
        try:
            return normalise_hostname(text) == text
        except InvalidDomain:
            return False
    suffixes = public_suffixes()
    start = 0
    while True:  # candidate suffixes, longest first
        candidate = text[start:]
        dot = text.find(".", start)
        if "!" + candidate in suffixes:
            return True  # an exception: the public suffix is one label shorter, so a label precedes it
        if candidate in suffixes or (dot >= 0 and "*." + text[dot + 1 :] in suffixes):
            return start > 0
        if dot < 0:
            return False
        start = dot + 1


def is_valid_registrable(domain: str) -> bool:
    """True when `domain` is already in normal form (used by tests and checks)."""
    try:
        return normalise_domain(domain) == domain
    except InvalidDomain:
        return False
