"""An https receiver reached at the address the SSRF guard checked, its certificate still checked.

The receiver listens on 127.0.0.1 with a certificate for ``hooks.partner.example``
only (no IP address in it); the name is resolved by a fake DNS. The delivery
connects to the checked address and sends the URL's name for TLS and in the Host
header, so the certificate matches; a certificate for another name is refused.
"""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer

from integrations.webhooks import sending
from integrations.webhooks.models import AttemptOutcome, WebhookAttempt
from tests.desk_helpers import ticket_from
from tests.webhook_receiver import (
    SECRET,
    deliver,
    readme_verify,
    received,
    subscribe,
    webhook_rows,
)

pytestmark = pytest.mark.django_db

NAME = "hooks.partner.example"


def certificate_for(name: str, directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_receiver(tmp_path: Path, settings: Any, monkeypatch: Any) -> Iterator[HTTPServer]:
    cert, key = certificate_for(NAME, tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    # Production's checks (https only), with the loopback receiver allowed and its CA trusted.
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    monkeypatch.setattr(
        sending, "tls_context", lambda: ssl.create_default_context(cafile=str(cert))
    )
    yield server
    server.clear()
    server.stop()


def test_an_https_receiver_gets_the_signed_post_with_its_name_checked(tls_receiver, dns):
    dns.names[NAME] = ["127.0.0.1"]
    subscribe(f"https://{NAME}:{tls_receiver.port}/hook", ["ticket.created"])
    tls_receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    ticket_from()

    assert deliver(webhook_rows()[0]).outcome == "delivered"

    [request] = received(tls_receiver)
    assert request.headers["Host"] == f"{NAME}:{tls_receiver.port}"
    assert readme_verify()(SECRET, request.headers, request.get_data())


def test_a_certificate_for_another_name_is_refused_and_the_delivery_retried(tls_receiver, dns):
    dns.names["other.partner.example"] = ["127.0.0.1"]
    subscribe(f"https://other.partner.example:{tls_receiver.port}/hook", ["ticket.created"])
    ticket_from()

    assert deliver(webhook_rows()[0]).outcome == "retry"

    assert received(tls_receiver) == []
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.outcome == AttemptOutcome.RETRY
    assert "certificate verify failed" in attempt.error.lower()
