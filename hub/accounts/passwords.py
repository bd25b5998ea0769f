"""Password hashing with Argon2id (argon2-cffi).

The parameters are OWASP's recommendation for Argon2id (Password Storage Cheat Sheet, "Argon2id"): 19 MiB of
memory (19456 KiB), 2 iterations, 1 degree of parallelism. The cheat sheet lists configurations of equal
strength that trade memory for time — m=47104 (46 MiB) t=1, m=19456 (19 MiB) t=2, m=12288 (12 MiB) t=3,
m=9216 (9 MiB) t=4, m=7168 (7 MiB) t=5, all with p=1 —; the hub takes the one the cheat sheet names first as its
minimum. Until issue 19 the hub used RFC 9106's low-memory profile (64 MiB, t=3, p=4), which cost 0.4–0.5 s of
a core per login on the benchmark machine; a hash with other parameters is replaced at the person's next
successful login (hub.accounts.services.authenticate, through needs_rehash). The cost per hash on this machine
is measured by bench/password_hash.py (docs/BENCHMARKS.md, "Password hashing").
"""

from __future__ import annotations

from argon2 import DEFAULT_HASH_LENGTH, DEFAULT_RANDOM_SALT_LENGTH, Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import ARGON2_VERSION
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from flask import current_app

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
OWASP_ARGON2ID = Parameters(
    type=Type.ID,
    version=ARGON2_VERSION,
    salt_len=DEFAULT_RANDOM_SALT_LENGTH,
    hash_len=DEFAULT_HASH_LENGTH,
    time_cost=2,
    memory_cost=19 * 1024,
    parallelism=1,
)

# "default" is what the hub stores; "rfc9106_low_memory" the parameters before issue 19 (kept to name them in
# tests and the benchmark); "cheapest" for the test suite only.
_PROFILES = {"default": OWASP_ARGON2ID, "rfc9106_low_memory": RFC_9106_LOW_MEMORY, "cheapest": CHEAPEST}


def hasher(profile: str | None = None) -> PasswordHasher:
    """The hasher of a profile (by default the app's PASSWORD_HASH_PROFILE)."""
    profile = profile or current_app.config.get("PASSWORD_HASH_PROFILE", "default")
    return PasswordHasher.from_parameters(_PROFILES[profile])


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; an account without a password never matches."""
    if not stored_hash:
        hasher().hash(password)  # spend the same time as a real check
        return False
    try:
        # verify() reads the parameters from the stored hash, so an old hash is still checked as it was made.
        return hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than the current ones."""
    return hasher().check_needs_rehash(stored_hash)
