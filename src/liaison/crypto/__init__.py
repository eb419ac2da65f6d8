"""The only package that touches cryptographic primitives.

Everything here delegates to vetted libraries: ``cryptography`` (Ed25519, X25519, AES-GCM),
``joserfc`` (JWS, JWE), ``pyrage`` (age), ``argon2-cffi`` (passwords). Functions are named for
what they do, so callers never choose algorithms.
"""
