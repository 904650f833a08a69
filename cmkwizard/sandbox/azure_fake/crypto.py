"""Real key material for the Key Vault fake: generation, public JWKs, RSA encrypt/decrypt."""

from __future__ import annotations

import base64
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

RSA_KEY_TYPES = frozenset({"RSA", "RSA-HSM"})
EC_KEY_TYPES = frozenset({"EC", "EC-HSM"})
RSA_KEY_SIZES = (2048, 3072, 4096)
CURVES: dict[str, Callable[[], ec.EllipticCurve]] = {
    "P-256": ec.SECP256R1,
    "P-384": ec.SECP384R1,
    "P-521": ec.SECP521R1,
    "P-256K": ec.SECP256K1,
}
RSA_ALGORITHMS = ("RSA-OAEP", "RSA-OAEP-256", "RSA1_5")


class CryptoError(ValueError):
    """A request Key Vault would refuse as a bad parameter."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise CryptoError("The value is not valid base64url.") from exc


def generate_key(kty: str, *, size: int | None = None, curve: str | None = None) -> PrivateKey:
    if kty in RSA_KEY_TYPES:
        size = size or 2048
        if size not in RSA_KEY_SIZES:
            raise CryptoError(f"Invalid key size {size}: RSA keys are 2048, 3072 or 4096 bits.")
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    if kty in EC_KEY_TYPES:
        curve = curve or "P-256"
        if curve not in CURVES:
            raise CryptoError(f"Invalid curve {curve}: expected one of {', '.join(CURVES)}.")
        return ec.generate_private_key(CURVES[curve]())
    raise CryptoError(f"Key type {kty} is not supported by a vault: use RSA, RSA-HSM, EC or EC-HSM.")


def key_size(key: PrivateKey) -> int:
    return key.key_size if isinstance(key, rsa.RSAPrivateKey) else key.curve.key_size


def curve_name(key: PrivateKey) -> str | None:
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    return next(name for name, factory in CURVES.items() if factory().name == key.curve.name)


def public_jwk(key: PrivateKey) -> dict[str, str]:
    """The public half of ``key`` in JSON Web Key members (``n``/``e`` or ``crv``/``x``/``y``)."""
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.public_key().public_numbers()
        return {"n": b64url(_to_bytes(numbers.n)), "e": b64url(_to_bytes(numbers.e))}
    point = key.public_key().public_numbers()
    width = (key.curve.key_size + 7) // 8
    return {
        "crv": curve_name(key) or "",
        "x": b64url(point.x.to_bytes(width, "big")),
        "y": b64url(point.y.to_bytes(width, "big")),
    }


def rsa_encrypt(key: PrivateKey, algorithm: str, plaintext: bytes) -> bytes:
    return _rsa(key).public_key().encrypt(plaintext, _padding(algorithm))


def rsa_decrypt(key: PrivateKey, algorithm: str, ciphertext: bytes) -> bytes:
    try:
        return _rsa(key).decrypt(ciphertext, _padding(algorithm))
    except ValueError as exc:
        raise CryptoError("The ciphertext could not be decrypted with this key version and algorithm.") from exc


def _rsa(key: PrivateKey) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CryptoError("Encrypt, decrypt, wrap and unwrap need an RSA key; this is an EC key.")
    return key


def _padding(algorithm: str) -> padding.AsymmetricPadding:
    if algorithm == "RSA-OAEP":
        return padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    if algorithm == "RSA-OAEP-256":
        return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    if algorithm == "RSA1_5":
        return padding.PKCS1v15()
    raise CryptoError(f"Algorithm {algorithm!r} is not supported: expected one of {', '.join(RSA_ALGORITHMS)}.")


def _to_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
