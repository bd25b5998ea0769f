"""Users, their memberships in regions, invitations and personal access tokens."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.audit_log import Audited, related
from hub.core.db import db, utcnow
from hub.core.personal_data import DELETE, KEEP, PSEUDONYM, PSEUDONYMISE, Personal
from hub.core.roles import Role
from hub.core.tenancy import RegionScoped
from hub.core.tenancy.scope import scoped_url_arg


class User(UserMixin, db.Model):
    """A person with an account. One account can belong to several regions."""

    __tablename__ = "user_account"
    personal_data = Personal(
        title=_l("Account"),
        columns=("email", "name", "locale", "last_login_at"),
        owners={"id": "user"},
        erase=PSEUDONYMISE,
        replace={
            "email": lambda user: f"geloescht-{user.id}@konto.invalid",
            "name": PSEUDONYM,
            "password_hash": None,
            "locale": None,
            "last_login_at": None,
            "active": False,
            "password_reset_hash": None,
            "password_reset_expires_at": None,
            "totp_secret": None,
            "totp_enabled_at": None,
            "totp_last_step": None,
            "erased_at": lambda user: utcnow(),
        },
        reason=_l(
            "The account stays as an empty shell without name, address or password, so that your registrations "
            "and memberships still count in the program's figures."
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    global_role: Mapped[Role | None] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The one valid password-reset link (its SHA-256; a new request replaces it, a reset clears it).
    password_reset_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_reset_expires_at: Mapped[datetime | None]
    # Set when the person erased the account (hub.privacy): the row stays as a nameless shell for the figures.
    erased_at: Mapped[datetime | None]
    # The TOTP second factor (RFC 6238): the shared secret (base32), set while being set up and kept once
    # confirmed (totp_enabled_at), and the last time step accepted, so that no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    # A person's memberships span regions by nature: they decide which regions the person may enter.
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", info={"all_regions": True}
    )
    tokens: Mapped[list[AccessToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # The login session this object was loaded for (hub.accounts.sessions sets it); None for API tokens.
    login_session = None  # LoginSession | None
    login_session_raw = None  # str | None

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookies: the raw id of the login session, never the account's id."""
        if self.login_session_raw is None:
            raise RuntimeError("log in through hub.accounts.sessions.start_session, which opens a login session")
        return self.login_session_raw

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.global_role == Role.ADMIN

    @property
    def is_umbrella(self) -> bool:
        return self.global_role == Role.UMBRELLA

    @property
    def is_read_only(self) -> bool:
        """The umbrella reviews everything and changes nothing."""
        return self.global_role == Role.UMBRELLA

    def role_in(self, region) -> Role | None:
        """The role this user holds in a region (global roles hold everywhere)."""
        if self.global_role is not None:
            return self.global_role
        for m in self.memberships:
            if m.region_id == region.id:
                return m.role
        return None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(Audited, RegionScoped, db.Model):
    """A user's role in one region."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "region_id", name="uq_membership_user_region"),)
    personal_data = Personal(
        title=_l("Memberships in regions"),
        owners={"user_id": "user"},
        erase=KEEP,
        reason=_l("Memberships stay with the nameless account: the reports count participants per region."),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")

    @property
    def audit_label(self) -> str:
        user = related(self, "user")
        return user.name if user else f"#{self.user_id}"


class Invitation(RegionScoped, db.Model):
    """A coordinator's invitation into their region, redeemed once through an e-mailed link."""

    __tablename__ = "invitation"
    personal_data = Personal(
        title=_l("Invitations"),
        columns=("email", "name"),
        owners={"email": "email"},
        actors=("invited_by_id",),
        erase=DELETE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    invited_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


class AccessToken(db.Model):
    """A personal access token for the JSON API; only its hash is stored."""

    __tablename__ = "access_token"
    personal_data = Personal(title=_l("API tokens"), columns=("name",), owners={"user_id": "user"}, erase=DELETE)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    # Calendar feed tokens only: the random half of the feed URL's secret, which SECRET_KEY completes
    # (shared.calendar.feed_tokens); alone it opens nothing. None for API tokens.
    nonce: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginSession(db.Model):
    """One signed-in browser or device: the cookies carry its random id, the database only its hash.

    Deleting the row ends the session everywhere at once, whatever copies of the cookies exist.
    """

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_expires_at", "expires_at"),)
    personal_data = Personal(
        title=_l("Login sessions"),
        columns=("device", "created_at", "last_seen_at", "expires_at"),
        owners={"user_id": "user"},
        erase=DELETE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # A short label of the browser, e.g. "Firefox (Linux)", for the list on the account page.
    device: Mapped[str] = mapped_column(String(80), default="")
    remember: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time code that stands in for the second factor when the authenticator app is lost."""

    __tablename__ = "recovery_code"
    personal_data = Personal(title=_l("Recovery codes"), owners={"user_id": "user"}, erase=DELETE)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # SHA-256 suffices: each code carries 120 random bits (ASVS 6.5.2), unlike a chosen password.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


scoped_url_arg("membership_id", Membership)
scoped_url_arg("invitation_id", Invitation)
