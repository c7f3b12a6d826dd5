"""Did our own receiving server find a mail forged? Reading Authentication-Results (RFC 8601).

Anyone can write an Authentication-Results header into a mail, so only those that
carry our receiving server's authserv-id (``INBOUND_EMAIL_AUTHSERV_ID``) are read,
and of those only the topmost: our server adds its own above everything that came
with the mail, and a copy further down with our id was written by someone else.
Pure functions, no ORM.
"""

from __future__ import annotations

import re

from integrations.email.parsing import ParsedMail

_COMMENT_RE = re.compile(r"\([^()]*\)")
_RESULT_RE = re.compile(r"(?:^|;)\s*(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def authserv_ids(setting: str) -> set[str]:
    return {part.strip().lower() for part in setting.split(",") if part.strip()}


def our_results(mail: ParsedMail, ids: set[str]) -> dict[str, list[str]]:
    """The methods and results our server recorded ({"spf": ["fail"], …}); {} if none."""
    for header in mail.authentication_results:
        text = header
        for _ in range(3):  # comments may nest a little: "(sender IP is (…))"
            text = _COMMENT_RE.sub("", text)
        authserv, _sep, rest = text.partition(";")
        name = (authserv.split() or [""])[0].strip().lower()
        if name not in ids:
            continue
        results: dict[str, list[str]] = {}
        for method, result in _RESULT_RE.findall(";" + rest):
            results.setdefault(method.lower(), []).append(result.lower())
        return results
    return {}


def failed_checks(mail: ParsedMail, setting: str) -> tuple[list[str], str]:
    """The checks our server failed for ``mail`` (["SPF", "DMARC"]) and its results as text.

    Nothing when the check is off (``setting`` empty) or our server left no verdict.
    DKIM counts as failed only when no signature passed (a mail may carry several).
    """
    ids = authserv_ids(setting)
    results = our_results(mail, ids) if ids else {}
    failed = [
        method.upper()
        for method in ("spf", "dkim", "dmarc")
        if "fail" in results.get(method, [])
        and not (method == "dkim" and "pass" in results[method])
    ]
    shown = "; ".join(f"{m}={','.join(v)}" for m, v in results.items())
    return (failed, shown) if failed else ([], "")
