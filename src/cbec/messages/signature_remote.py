"""Remote signer: an external signing service (签名服务器) holds the key and signs over HTTP(S).

Protocol (docs/signing.md), JSON over HTTP, ``Authorization: Bearer <token>``:

* ``GET {url}/certificate?key_id=K`` → ``{"certificate": base64 DER}``, fetched once when the signer loads.
* ``POST {url}/sign`` with ``{"key_id": K, "algorithm": SignatureMethod URI, "data": base64 of the canonical
  SignedInfo}`` → ``{"signature": base64 SignatureValue}`` (PKCS#1 v1.5 for RSA-SHA1; SM2 as DER
  SEQUENCE{r, s} or r || s, over SM3(Z || data) with the default user id).

Every returned signature is verified against the certificate before it is used, so a compromised or
misconfigured service cannot make the platform emit a bad signature. Connection failures and 5xx answers
are retried a few times with a doubling pause; 4xx answers, timeouts of a request that may have reached the
service and malformed answers are not retried (signing is idempotent, but a slow service should not be
hammered by every intake thread). Standard library only (urllib), no HTTP client dependency.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cbec.messages.signature_signers import (
    CertificateInfo,
    SignatureAlgorithm,
    SignerKeyMismatch,
    SignerMisconfigured,
    SignerUnavailable,
    parse_certificate,
    signature_verifies,
)
from cbec.messages.signature_sm2 import DEFAULT_SM2_USER_ID, Sm2PublicKey

MAX_ANSWER_BYTES = 1024 * 1024


class SigningServiceUnreachable(SignerUnavailable):
    """No connection to the signing service could be made (after the retries)."""


class SigningServiceTimeout(SignerUnavailable):
    """The signing service did not answer in time."""


class SigningServiceUnauthorized(SignerMisconfigured):
    """The signing service refused the token (401) or the key (403)."""


class SigningServiceFailed(SignerUnavailable):
    """The signing service answered with an HTTP error."""


class SigningServiceAnswerMalformed(SignerUnavailable):
    """The signing service's answer is not the JSON the protocol defines."""


class SigningServiceBadSignature(SignerUnavailable):
    """The signing service returned a signature that does not verify with its certificate."""


class RemoteSigner:
    """Sign through an external signing service; the certificate is fetched once and every signature checked."""

    def __init__(
        self,
        url: str,
        *,
        key_id: str,
        token: str,
        timeout: float = 5.0,
        ca_file: Path | None = None,
        retries: int = 2,
        backoff: float = 0.25,
        sm2_user_id: bytes = DEFAULT_SM2_USER_ID,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise SignerMisconfigured(
                f"signing service URL {url!r} is not an http(s) URL",
                hint="set CBEC_SIGNING_SERVICE_URL, e.g. https://sign.zone.example:8443/v1",
            )
        if not key_id or not token:
            raise SignerMisconfigured(
                "the signing service needs a key id and a token",
                hint="set CBEC_SIGNING_SERVICE_KEY_ID and CBEC_SIGNING_SERVICE_TOKEN",
            )
        self._url = url.rstrip("/")
        self._key_id = key_id
        self._token = token
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._sm2_user_id = sm2_user_id
        self._context: ssl.SSLContext | None = None
        if parsed.scheme == "https":
            try:
                self._context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
            except (OSError, ssl.SSLError) as exc:
                raise SignerMisconfigured(
                    f"CA bundle {ca_file} cannot be read: {exc}", hint="set CBEC_SIGNING_SERVICE_CA_FILE to a PEM file"
                ) from exc
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self._context)
        )
        self._certificate = self._fetch_certificate()
        self._algorithm = (
            SignatureAlgorithm.SM2_SM3
            if isinstance(self._certificate.public_key, Sm2PublicKey)
            else SignatureAlgorithm.RSA_SHA1
        )
        probe = b"cbec signer probe " + secrets.token_bytes(16)
        try:
            self.sign(probe)
        except SigningServiceBadSignature as exc:
            raise SignerKeyMismatch(
                f"the signing service's key {key_id!r} does not belong to the certificate it returned: {exc.message}",
                hint="fix the key/certificate pairing of this key id on the signing service",
            ) from exc

    @property
    def algorithm(self) -> SignatureAlgorithm:
        """Return the SignatureMethod this signer produces (from the certificate's key type)."""
        return self._algorithm

    def certificate_der(self) -> bytes:
        """Return the signer's certificate, DER-encoded (fetched once at load time)."""
        return self._certificate.der

    def sign(self, data: bytes) -> bytes:
        """Return the service's signature of data after checking it against the certificate."""
        body = {"key_id": self._key_id, "algorithm": self._algorithm.value, "data": base64.b64encode(data).decode()}
        answer = self._call("POST", "/sign", body)
        signature = _base64_field(answer, "signature", "/sign")
        if not signature_verifies(self._algorithm, self._certificate, data, signature, sm2_user_id=self._sm2_user_id):
            raise SigningServiceBadSignature(
                f"the signing service returned a signature that does not verify with key {self._key_id!r}'s "
                f"certificate (serial {self._certificate.serial_hex})",
                hint="the service signs with another key or a wrong algorithm: check its key id mapping and logs",
            )
        return signature

    # -- internals --

    def _fetch_certificate(self) -> CertificateInfo:
        answer = self._call("GET", "/certificate?" + urllib.parse.urlencode({"key_id": self._key_id}), None)
        der = _base64_field(answer, "certificate", "/certificate")
        try:
            return parse_certificate(der)
        except ValueError as exc:
            raise SigningServiceAnswerMalformed(
                f"the signing service's certificate for key {self._key_id!r} is unusable: {exc}",
                hint="the service must return the key's X.509 certificate (RSA or SM2), base64 DER",
            ) from exc

    def _call(self, method: str, path: str, body: dict[str, str] | None) -> dict[str, Any]:
        """Send one request, retrying connection failures and 5xx answers; return the JSON object answered."""
        url = self._url + path
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        attempts = self._retries + 1
        for attempt in range(1, attempts + 1):
            request = urllib.request.Request(url, data=payload, headers=headers, method=method)
            try:
                with self._opener.open(request, timeout=self._timeout) as response:
                    raw = response.read(MAX_ANSWER_BYTES + 1)
                break
            except urllib.error.HTTPError as exc:
                error = self._http_error(exc, method, path, attempt, attempts)
                if error.retryable and attempt < attempts:
                    self._pause(attempt)
                    continue
                raise error from exc
            except TimeoutError as exc:
                raise self._timed_out(method, path) from exc
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError | socket.timeout):
                    raise self._timed_out(method, path) from exc
                if isinstance(exc.reason, ssl.SSLError):
                    raise SignerMisconfigured(
                        f"TLS with the signing service failed: {exc.reason}",
                        hint="set CBEC_SIGNING_SERVICE_CA_FILE to the CA bundle that issued the service's certificate",
                    ) from exc
                if attempt < attempts:
                    self._pause(attempt)
                    continue
                raise SigningServiceUnreachable(
                    f"signing service {self._url} is unreachable after {attempts} attempts: {exc.reason}",
                    hint="check that the signing service runs and CBEC_SIGNING_SERVICE_URL points to it",
                    retryable=True,
                ) from exc
            except OSError as exc:  # connection reset mid-answer and the like
                if attempt < attempts:
                    self._pause(attempt)
                    continue
                raise SigningServiceUnreachable(
                    f"signing service {self._url} failed after {attempts} attempts: {exc!r}",
                    hint="check the signing service and the network path to it",
                    retryable=True,
                ) from exc
        if len(raw) > MAX_ANSWER_BYTES:
            raise SigningServiceAnswerMalformed(
                f"the signing service's answer to {method} {path} is larger than {MAX_ANSWER_BYTES} bytes",
                hint="check CBEC_SIGNING_SERVICE_URL: it may point to something else than the signing service",
            )
        try:
            answer = json.loads(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            raise SigningServiceAnswerMalformed(
                f"the signing service's answer to {method} {path} is not JSON",
                hint="check CBEC_SIGNING_SERVICE_URL: it may point to something else than the signing service",
            ) from exc
        if not isinstance(answer, dict):
            raise SigningServiceAnswerMalformed(
                f"the signing service's answer to {method} {path} is not a JSON object",
                hint="the service must answer as docs/signing.md defines",
            )
        return answer

    def _pause(self, attempt: int) -> None:
        self._sleep(self._backoff * 2 ** (attempt - 1))

    def _timed_out(self, method: str, path: str) -> SigningServiceTimeout:
        return SigningServiceTimeout(
            f"the signing service did not answer {method} {path} within {self._timeout:g} s",
            hint="check the service's load, or raise CBEC_SIGNING_SERVICE_TIMEOUT_SECONDS",
            retryable=True,
        )

    def _http_error(
        self, exc: urllib.error.HTTPError, method: str, path: str, attempt: int, attempts: int
    ) -> SignerUnavailable:
        detail = _error_detail(exc)
        if exc.code in (401, 403):
            return SigningServiceUnauthorized(
                f"the signing service refused {method} {path} with HTTP {exc.code}{detail}",
                hint="check CBEC_SIGNING_SERVICE_TOKEN and that the token may use key "
                f"{self._key_id!r} (CBEC_SIGNING_SERVICE_KEY_ID)",
            )
        server_side = exc.code >= 500
        return SigningServiceFailed(
            f"the signing service answered {method} {path} with HTTP {exc.code}{detail}"
            + (f" after {attempt} attempts" if server_side and attempt == attempts else ""),
            hint="see the signing service's log"
            if server_side
            else "check CBEC_SIGNING_SERVICE_URL and CBEC_SIGNING_SERVICE_KEY_ID",
            retryable=server_side,
        )


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """Return ': <the service's error text>' from an error answer, shortened, or ''."""
    try:
        text = exc.read(2000).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        text = parsed["error"]
    return f": {' '.join(text.split())[:200]}" if text else ""


def _base64_field(answer: dict[str, Any], name: str, path: str) -> bytes:
    """Return the base64-decoded field of a service answer."""
    value = answer.get(name)
    if not isinstance(value, str) or not value:
        raise SigningServiceAnswerMalformed(
            f"the signing service's answer to {path} lacks the string field {name!r}",
            hint="the service must answer as docs/signing.md defines",
        )
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SigningServiceAnswerMalformed(
            f"the signing service's {name!r} is not base64", hint="the service must send standard base64"
        ) from exc


__all__ = [
    "RemoteSigner",
    "SigningServiceAnswerMalformed",
    "SigningServiceBadSignature",
    "SigningServiceFailed",
    "SigningServiceTimeout",
    "SigningServiceUnauthorized",
    "SigningServiceUnreachable",
]
