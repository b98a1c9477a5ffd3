"""Seals a value as a LiteLLM proxy stores it in its database, for the importer test.

Usage: litellm_seal.py <format> <salt key> <value>, format one of:
  nacl     older LiteLLM: NaCl secretbox under SHA-256(salt key), URL-safe base64
  nacl-std the same in standard base64 (the oldest versions)
  v3       newer LiteLLM's default: "v3:gcm:" + base64url(nonce || AES-256-GCM), the key
           HKDF-SHA256(salt key, no salt, info "litellm-at-rest-v3")
Prints the sealed value.
"""

import base64
import hashlib
import os
import sys

import nacl.secret
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def main() -> None:
    kind, salt, value = sys.argv[1:4]
    if kind in ("nacl", "nacl-std"):
        box = nacl.secret.SecretBox(hashlib.sha256(salt.encode()).digest())
        sealed = bytes(box.encrypt(value.encode("utf-8")))
        encode = base64.urlsafe_b64encode if kind == "nacl" else base64.b64encode
        print(encode(sealed).decode())
    elif kind == "v3":
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"litellm-at-rest-v3"
        ).derive(salt.encode())
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, value.encode("utf-8"), None)
        print("v3:gcm:" + base64.urlsafe_b64encode(nonce + sealed).decode())
    else:
        sys.exit(f"unknown format {kind}")


if __name__ == "__main__":
    main()
