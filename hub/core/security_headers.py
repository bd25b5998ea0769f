"""The browser's security headers on every response: a CSP without inline code, no framing, HSTS over HTTPS.

One after-request hook sets them for pages, API answers, error pages, static files and downloads alike.
A response that brings its own Content-Security-Policy keeps it; files handed out as attachments and
files people uploaded get a stricter, sandboxed policy (nothing in them may run, even if a browser
opened one as a page). Templates and the HTML that Python writes carry no inline script, ``<style>``,
``style=""`` or ``on…=""`` handler, so the page policy needs no 'unsafe-inline' (tests/test_security_headers.py).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Everything the hub's pages load comes from the hub itself; images may also be data: URIs (Swagger UI's
# icons). No 'unsafe-inline', no 'unsafe-eval': an injected script or style attribute does not run.
PAGE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Uploaded and exported files: no script, no plugin, no same-origin access, never framed.
FILE_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'self'; sandbox; frame-ancestors 'none'"

# Powerful browser features the hub never uses, switched off for it and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), publickey-credentials-get=(), screen-wake-lock=(), usb=()"
)

STATIC_HEADERS = {
    "X-Frame-Options": "DENY",  # for old browsers; frame-ancestors is the rule
    "X-Content-Type-Options": "nosniff",
    # Links to other sites carry no address of ours (reset and invitation links hold tokens in the path).
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def policy_text(directives: dict[str, str]) -> str:
    """A CSP header value from directives: {"script-src": "'self'"} -> "script-src 'self'"."""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def sandboxed(response: Response) -> Response:
    """Mark a response as a file people uploaded: the strict file policy, whatever its disposition."""
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _is_attachment(response: Response) -> bool:
    return response.headers.get("Content-Disposition", "").strip().lower().startswith("attachment")


def add_security_headers(response: Response) -> Response:
    """After every request: the policy for pages or files, the fixed headers, HSTS when served over HTTPS."""
    config = current_app.config
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = FILE_POLICY if _is_attachment(response) else config["_HUB_PAGE_POLICY"]
    for name, value in STATIC_HEADERS.items():
        headers.setdefault(name, value)
    max_age = int(config.get("HSTS_SECONDS") or 0)
    # Over plain HTTP the header is ignored by browsers (RFC 6797 §8.1), and it would pin a test host to HTTPS.
    if request.is_secure and max_age > 0:
        value = f"max-age={max_age}"
        if config.get("HSTS_INCLUDE_SUBDOMAINS"):
            value += "; includeSubDomains"
        headers.setdefault("Strict-Transport-Security", value)
    return response


def install(app: Flask) -> None:
    """Trust the configured number of proxies, and add the headers to every response of the app."""
    directives = {**PAGE_POLICY, **app.config.get("CONTENT_SECURITY_POLICY", {})}
    app.config["_HUB_PAGE_POLICY"] = policy_text({k: v for k, v in directives.items() if v is not None})
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        # Behind a reverse proxy that ends TLS, request.is_secure and the client's address come from its
        # X-Forwarded-* headers; only from as many hops as are trusted, or a client could forge them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    app.after_request(add_security_headers)
