"""Remote signer (签名服务器) against a real HTTP signing service running in a thread of the test."""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cbec.bootstrap import _cached_signer, load_signer, sign_outgoing
from cbec.config import Settings
from cbec.messages import MessageType, render_receipts
from cbec.messages.signature import (
    SignatureAlgorithm,
    Signer,
    generate_test_identity,
    sign_document,
    verify_document,
)
from cbec.messages.signature_remote import (
    RemoteSigner,
    SigningServiceAnswerMalformed,
    SigningServiceBadSignature,
    SigningServiceFailed,
    SigningServiceTimeout,
    SigningServiceUnauthorized,
    SigningServiceUnreachable,
)
from cbec.messages.signature_signers import SignerKeyMismatch, SignerMisconfigured
from tests.unit.messages import builders as b

TOKEN = "t0k3n-for-tests"


@dataclass
class Service:
    """State of the test signing service: its keys, how it misbehaves, and what it was asked."""

    keys: dict[str, tuple[Signer, bytes]]
    url: str = ""
    mode: str = "ok"  # ok | wrong-key | garbage | slow | fail-then-ok | fail
    failures_left: int = 0
    requests: list[tuple[str, str, dict[str, Any] | None, str]] = field(default_factory=list)
    stranger: Signer = field(default_factory=lambda: generate_test_identity(SignatureAlgorithm.RSA_SHA1, "x")[0])

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _, _ in self.requests if (m, p) == (method, path))


def _handler(service: Service) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
            pass

        def _answer(self, status: int, body: dict[str, Any] | bytes) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _common(self, method: str) -> tuple[str, dict[str, list[str]], dict[str, Any]] | None:
            parts = urlsplit(self.path)
            body = None
            if method == "POST":
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            service.requests.append((method, parts.path, body, self.headers.get("Authorization", "")))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, {"error": "bad token"})
                return None
            if service.mode == "slow":
                time.sleep(1.0)
            if service.mode == "fail" or (service.mode == "fail-then-ok" and service.failures_left > 0):
                service.failures_left -= 1
                self._answer(503, {"error": "HSM busy"})
                return None
            return parts.path.removeprefix("/v1"), parse_qs(parts.query), body or {}

        def do_GET(self) -> None:
            found = self._common("GET")
            if found is None:
                return
            path, query, _ = found
            key = service.keys.get(query.get("key_id", [""])[0])
            if path != "/certificate" or key is None:
                self._answer(404, {"error": "no such key"})
                return
            self._answer(200, {"certificate": base64.b64encode(key[1]).decode()})

        def do_POST(self) -> None:
            found = self._common("POST")
            if found is None:
                return
            body = found[2]
            key = service.keys.get(body["key_id"])
            if found[0] != "/sign" or key is None:
                self._answer(404, {"error": "no such key"})
                return
            if body["algorithm"] != key[0].algorithm.value:
                self._answer(400, {"error": "algorithm does not fit the key"})
                return
            if service.mode == "garbage":
                self._answer(200, b"<html>proxy error</html>")
                return
            signer = service.stranger if service.mode == "wrong-key" else key[0]
            signature = signer.sign(base64.b64decode(body["data"]))
            self._answer(200, {"signature": base64.b64encode(signature).decode()})

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out closed the connection before the slow answer: expected here


def _serve(service: Service, context: ssl.SSLContext | None = None) -> Iterator[Service]:
    server = _Server(("127.0.0.1", 0), _handler(service))
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https" if context else "http"
    service.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def identities() -> dict[str, tuple[Signer, bytes]]:
    return {
        "platform-rsa": generate_test_identity(SignatureAlgorithm.RSA_SHA1, "cbec 平台 RSA"),
        "platform-sm2": generate_test_identity(SignatureAlgorithm.SM2_SM3, "cbec 平台 SM2"),
    }


@pytest.fixture
def service(identities: dict[str, tuple[Signer, bytes]]) -> Iterator[Service]:
    yield from _serve(Service(keys=identities))


def remote(service: Service, key_id: str = "platform-rsa", **options: Any) -> RemoteSigner:
    options.setdefault("backoff", 0.01)
    return RemoteSigner(service.url, key_id=key_id, token=options.pop("token", TOKEN), **options)


def receipt_xml(n: int = 1) -> bytes:
    return render_receipts([b.receipt(MessageType.INVENTORY_RECEIPT, guid=f"{n:08d}-0000-4000-8000-000000000000")])


@pytest.mark.parametrize(
    ("key_id", "algorithm"),
    [("platform-rsa", SignatureAlgorithm.RSA_SHA1), ("platform-sm2", SignatureAlgorithm.SM2_SM3)],
)
def test_cbec_signer_remote_signs_receipts_that_verify(
    service: Service, identities: dict[str, tuple[Signer, bytes]], key_id: str, algorithm: SignatureAlgorithm
) -> None:
    settings = Settings(
        signer="remote", signing_service_url=service.url, signing_service_key_id=key_id, signing_service_token=TOKEN
    )
    try:
        signer = load_signer(settings)
        assert signer is not None
        assert (signer.algorithm, signer.certificate_der()) == (algorithm, identities[key_id][1])
        signed = [sign_outgoing(settings, receipt_xml(n)) for n in (1, 2, 3)]
    finally:
        _cached_signer.cache_clear()
    for xml in signed:
        verdict = verify_document(xml, trusted_certificates=[identities[key_id][1]])
        assert (verdict.valid, verdict.algorithm, verdict.problems) == (True, algorithm, [])
    # The certificate is fetched once; every signature (a load-time probe and three receipts) is one POST.
    assert (service.count("GET", "/v1/certificate"), service.count("POST", "/v1/sign")) == (1, 4)
    posted = [body for method, _, body, _ in service.requests if method == "POST"]
    assert {(p["key_id"], p["algorithm"]) for p in posted if p} == {(key_id, algorithm.value)}
    assert {auth for _, _, _, auth in service.requests} == {f"Bearer {TOKEN}"}


def test_a_tampered_remotely_signed_receipt_is_refused(
    service: Service, identities: dict[str, tuple[Signer, bytes]]
) -> None:
    xml = sign_document(receipt_xml(), RemoteSigner(service.url, key_id="platform-sm2", token=TOKEN))
    tampered = xml.replace(b"<ceb:returnStatus>", b"<ceb:returnStatus>9", 1)
    assert tampered != xml
    verdict = verify_document(tampered, trusted_certificates=[identities["platform-sm2"][1]])
    assert (verdict.valid, [p.rule_id for p in verdict.problems]) == (False, ["SIG-DIGEST"])


def test_a_wrong_signature_from_the_service_is_never_used(service: Service) -> None:
    signer = remote(service)
    service.mode = "wrong-key"
    with pytest.raises(SigningServiceBadSignature) as caught:
        signer.sign(b"<ds:SignedInfo/>")
    assert caught.value.message.startswith(
        "the signing service returned a signature that does not verify with key 'platform-rsa''s certificate"
    )
    with pytest.raises(SignerKeyMismatch, match="does not belong to the certificate it returned"):
        remote(service)  # the load-time probe catches it before the first receipt


def test_a_service_that_is_down_is_reported_after_bounded_retries() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pauses: list[float] = []
    with pytest.raises(SigningServiceUnreachable) as caught:
        RemoteSigner(f"http://127.0.0.1:{port}", key_id="k", token=TOKEN, retries=2, backoff=0.05, sleep=pauses.append)
    assert pauses == [0.05, 0.1]
    assert caught.value.message.startswith(f"signing service http://127.0.0.1:{port} is unreachable after 3 attempts")
    assert caught.value.retryable is True


def test_a_wrong_token_is_refused_without_retrying(service: Service) -> None:
    with pytest.raises(SigningServiceUnauthorized) as caught:
        remote(service, token="stolen")
    assert (
        caught.value.message
        == "the signing service refused GET /certificate?key_id=platform-rsa with HTTP 401: bad token"
    )
    assert (len(service.requests), caught.value.retryable, isinstance(caught.value, ValueError)) == (1, False, True)


def test_server_errors_are_retried_then_reported(service: Service) -> None:
    signer = remote(service)
    service.mode, service.failures_left = "fail-then-ok", 2
    assert len(signer.sign(b"data")) == 256
    assert service.count("POST", "/v1/sign") == 1 + 3  # probe, then two 503s and the success
    service.mode = "fail"
    with pytest.raises(SigningServiceFailed) as caught:
        signer.sign(b"data")
    assert caught.value.message == "the signing service answered POST /sign with HTTP 503: HSM busy after 3 attempts"
    assert caught.value.retryable is True


def test_timeouts_and_malformed_answers_are_specific_errors(service: Service) -> None:
    signer = remote(service, timeout=0.2)
    service.mode = "slow"
    with pytest.raises(SigningServiceTimeout, match=r"did not answer POST /sign within 0\.2 s"):
        signer.sign(b"data")
    service.mode = "garbage"
    with pytest.raises(SigningServiceAnswerMalformed, match="answer to POST /sign is not JSON"):
        signer.sign(b"data")
    with pytest.raises(SigningServiceFailed, match="HTTP 404: no such key"):
        remote(service, key_id="platform-2027")


def test_https_with_a_private_ca_bundle(identities: dict[str, tuple[Signer, bytes]], tmp_path: Path) -> None:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "zone test CA")])
    start = datetime.now(UTC) - timedelta(minutes=5)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(2)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.pem").write_bytes(
        server.public_bytes(serialization.Encoding.PEM)
        + server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem")
    for service in _serve(Service(keys=identities), context):
        assert service.url.startswith("https://")
        signer = remote(service, ca_file=tmp_path / "ca.pem")
        assert verify_document(
            sign_document(receipt_xml(), signer), trusted_certificates=[identities["platform-rsa"][1]]
        ).valid
        with pytest.raises(SignerMisconfigured, match="TLS with the signing service failed"):
            remote(service)  # the system CAs do not know the zone's CA


def test_remote_settings_are_checked_before_any_request() -> None:
    with pytest.raises(SignerMisconfigured, match="CBEC_SIGNER=remote needs CBEC_SIGNING_SERVICE_URL"):
        load_signer(Settings(signer="remote"))
    with pytest.raises(SignerMisconfigured, match="is not an http"):
        load_signer(Settings(signer="remote", signing_service_url="ftp://sign", signing_service_key_id="k"))
    with pytest.raises(SignerMisconfigured, match="needs a key id and a token"):
        load_signer(Settings(signer="remote", signing_service_url="http://127.0.0.1:9"))
