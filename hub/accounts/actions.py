"""Everything that changes an account, written once: signing in and out, passwords, invitations, sessions,
API tokens, the language and the second factor.

Each action takes plain values and, where someone is signed in, the acting person (who changes only their
own account). None commits: ``hub.core.glue`` does, so a refused change leaves nothing behind. Signing in
is the one exception to "refused means nothing stored": a wrong password or code is not an error of the
action but its result (``None`` / ``False``), so that the failure is counted and recorded.

The cookie session (who this browser is) is the page's business, not the action's: the action opens or
ends the login session in the database, the page then renews or clears the cookies.
"""

from __future__ import annotations

from hub.accounts import security_log, services, sessions, throttle, two_factor
from hub.accounts.models import User
from hub.core.actions import Actor, NotFound

# -- signing in and out ---------------------------------------------------------------------------------


def sign_in(email: str, password: str, *, client: str, remember: bool, user_agent: str) -> User | None:
    """The password step of a login: the account, or None when the address or password is wrong.

    Without a second factor the login session is open; with one, ``confirm_code`` opens it.
    """
    user = services.authenticate(email, password)
    if user is None:
        _failed(email, client, "password")
        return None
    throttle.record_success(email, client)
    if not user.two_factor_enabled:
        _open_session(user, remember=remember, user_agent=user_agent)
    return user


def confirm_code(user: User, code: str, *, client: str, remember: bool, user_agent: str) -> bool:
    """The code step of a login: a current code (used once) or a recovery code opens the login session."""
    if not two_factor.verify(user, code):
        _failed(user.email, client, "code")  # a wrong code counts in the same back-off as a wrong password
        return False
    throttle.record_success(user.email, client)
    _open_session(user, remember=remember, user_agent=user_agent)
    return True


def _failed(email: str, client: str, reason: str) -> None:
    throttle.record_failure(email, client)
    security_log.record(
        "login_failed", services.user_by_email(email), email=services.normalise_email(email), reason=reason
    )


def _open_session(user: User, *, remember: bool, user_agent: str) -> None:
    sessions.start_session(user, remember=remember, user_agent=user_agent)
    security_log.record("login", user)


def log_out(actor: Actor) -> None:
    """End the login session the person is signed in with, so no copy of the cookies opens anything."""
    user = actor.require_person()
    security_log.record("logout", user)
    sessions.end_current_session(user)


def end_session(actor: Actor, login_session_id: int):
    """End one of one's own login sessions (another device, or this one); someone else's is NotFound."""
    user = actor.require_person()
    ended = sessions.end_session(user, login_session_id)
    if ended is None:
        raise NotFound()
    security_log.record("session_ended", user, session=ended.device)
    return ended


def end_all_sessions(actor: Actor) -> int:
    """Sign out everywhere: every login session of the account ends, the current one too."""
    user = actor.require_person()
    count = sessions.end_all_sessions(user)
    security_log.record("signed_out_everywhere", user, sessions=count)
    return count


# -- passwords and invitations --------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; the answer is the same either way."""
    services.request_password_reset(email)


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link; every login session of the account ends."""
    return services.reset_password(token, password)


def change_password(actor: Actor, current_password: str, password: str) -> None:
    """Change one's own password after the current one; the other sessions end, this one stays."""
    services.change_password(actor.require_person(), current_password, password)


def accept_invitation(token: str, *, name: str = "", password: str | None = None, user_agent: str = "") -> User:
    """Accept an invitation: a new account (then signed in at once), or the region added to an existing one
    (whose owner then signs in with their own password)."""
    invitation = services.find_open_invitation(token)
    new_account = invitation is not None and services.user_by_email(invitation.email) is None
    user = services.accept_invitation(token, name, password)
    if new_account:
        _open_session(user, remember=False, user_agent=user_agent)
    return user


# -- API tokens and the language ------------------------------------------------------------------------


def create_token(actor: Actor, name: str) -> str:
    """Make a personal token for the API; its value is returned this once and never stored."""
    _token, raw = services.create_access_token(actor.require_person(), name)
    return raw


def revoke_token(actor: Actor, access_token_id: int) -> None:
    """Revoke one of one's own tokens; someone else's is NotFound."""
    services.revoke_access_token(actor.require_person(), access_token_id)


def set_language(actor: Actor, lang: str) -> None:
    """Remember the interface language on the account."""
    actor.require_person().locale = lang


# -- the second factor ----------------------------------------------------------------------------------


def begin_two_factor(actor: Actor) -> str:
    """The secret of a set-up under way (a new one unless one waits for its first code already)."""
    return two_factor.begin_setup(actor.require_person())


def enable_two_factor(actor: Actor, code: str) -> list[str]:
    """Turn the second factor on with a first code; returns the recovery codes, shown this once."""
    return two_factor.enable(actor.require_person(), code)


def disable_two_factor(actor: Actor, password_or_code: str) -> None:
    """Turn the second factor off with the password or a current code (not where the role requires it)."""
    two_factor.disable(actor.require_person(), password_or_code)


def renew_recovery_codes(actor: Actor, password: str) -> list[str]:
    """Ten new recovery codes in place of the old ones, after the password; shown this once."""
    return two_factor.renew_recovery_codes(actor.require_person(), password)
