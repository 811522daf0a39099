"""A certificate chain made for the tests: a root authority, a signer (PKCS#12), a timestamp
authority, and an RFC 3161 timestamp server on localhost (pyHanko's own timestamper behind HTTP)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ARS Grand Est (essai)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def issue(common: str, issuer: Issued | None = None, *, authority: bool = False,
          usage: x509.ObjectIdentifier | None = None, valid_from: datetime.timedelta = datetime.timedelta(days=-1),
          valid_until: datetime.timedelta = datetime.timedelta(days=30), signs: bool = True) -> Issued:
    """A certificate valid from `valid_from` to `valid_until` (from now); `signs=False` gives an
    encryption certificate (keyEncipherment and dataEncipherment only)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test timestamper is RSA-only
    signer = signs and not authority
    builder = (x509.CertificateBuilder().subject_name(_name(common))
               .issuer_name(issuer.certificate.subject if issuer else _name(common))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW + valid_from).not_valid_after(NOW + valid_until)
               .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=signer, content_commitment=signer,
                                            key_encipherment=not signs, data_encipherment=not signs,
                                            key_agreement=False, key_cert_sign=authority, crl_sign=authority,
                                            encipher_only=False, decipher_only=False), critical=True))
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=True)
    certificate = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    return Issued(key, certificate)


@dataclass(frozen=True)
class Chain:
    root: Issued
    signer: Issued
    tsa: Issued

    def pkcs12(self, password: str, signer: Issued | None = None) -> bytes:
        """The signer's key and certificate, with the root, as a PKCS#12 file (another signer's if given)."""
        holder = signer or self.signer
        return pkcs12.serialize_key_and_certificates(
            b"signataire", holder.key, holder.certificate, [self.root.certificate],
            serialization.BestAvailableEncryption(password.encode()))

    def root_pem(self) -> bytes:
        return self.root.certificate.public_bytes(serialization.Encoding.PEM)


def make_chain() -> Chain:
    root = issue("Autorité racine de test", authority=True)
    return Chain(root, issue("Directrice générale (test)", root),
                 issue("Horodatage de test", root, usage=ExtendedKeyUsageOID.TIME_STAMPING))


@contextmanager
def timestamp_server(chain: Chain) -> Iterator[tuple[str, list[int]]]:
    """An RFC 3161 server on localhost: (its URL, the list of requests it answered)."""
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(chain.tsa.der()),
        tsa_key=keys.PrivateKeyInfo.load(chain.tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(chain.root.der())]))
    answered: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            answered.append(len(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", answered
    finally:
        server.shutdown()
        server.server_close()
