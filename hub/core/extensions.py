"""Flask extensions, created here and bound to the app in create_app()."""

from apispec.ext.marshmallow import MarshmallowPlugin
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from hub.core.db import db

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
migrate = Migrate()
cache = Cache()


def _schema_name(schema) -> str | None:
    """Name schemas after their class; a schema cut down with only=… for one audience stays inline."""
    from apispec.ext.marshmallow.common import resolve_schema_cls

    if getattr(schema, "only", None):
        return None
    return resolve_schema_cls(schema).__name__.removesuffix("Schema") or None


api = Api(spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name)})

__all__ = ["api", "babel", "cache", "csrf", "db", "limiter", "login_manager", "migrate"]
