"""Which requests the response cache may answer and which responses it may keep.

Plain Python, no Django imports. BYPASS_PREFIXES is the one list of the paths the
cache never touches; the docs and the rest of the code refer to it.
"""

from dataclasses import dataclass

# Paths always passed to Django, each for its reason.
BYPASS_PREFIXES = (
    "/admin/",  # the Wagtail admin and its previews: editors' pages
    "/django-admin/",  # Django's admin
    "/documents/",  # Wagtail documents: they may be private
    "/static/",  # WhiteNoise answers these with its own caching headers
    "/media/",  # uploaded images and their renditions: files, not pages
    "/healthz",  # health checks must ask the process itself
    "/readyz",
)
# Cached only without a query string: a search is one person's question.
QUERY_BYPASS_PREFIXES = ("/search/",)
# Cookies that mean "this visitor may see something personal": a session (an editor)
# or a pending flash message. A csrftoken alone does not.
BYPASS_COOKIES = frozenset({"sessionid", "messages"})
# Methods answered from the store; HEAD gets the headers of a stored GET.
CACHEABLE_METHODS = ("GET", "HEAD")
# Cache-Control tokens that forbid sharing a response.
UNSHAREABLE = frozenset({"private", "no-store", "no-cache", "max-age=0", "s-maxage=0"})


def cookie_names(header):
    """The names in a Cookie header."""
    return {part.split("=", 1)[0].strip() for part in header.split(";") if part.strip()}


def header_tokens(value):
    """Lower-cased comma-separated tokens of a header such as Vary or Cache-Control."""
    return {token.strip().lower() for token in value.split(",") if token.strip()}


@dataclass(frozen=True)
class CachePolicy:
    """The rules above, with the session cookie's name and the size limit of a setup."""

    bypass_prefixes: tuple = BYPASS_PREFIXES
    query_bypass_prefixes: tuple = QUERY_BYPASS_PREFIXES
    bypass_cookies: frozenset = BYPASS_COOKIES
    max_entry_bytes: int = 1024 * 1024

    def request_is_cacheable(self, method, path, query_string, headers):
        """`headers` maps lower-case header names (bytes) to values (bytes)."""
        if method not in CACHEABLE_METHODS:
            return False
        if path.startswith(self.bypass_prefixes):
            return False
        if query_string and path.startswith(self.query_bypass_prefixes):
            return False
        if b"authorization" in headers:
            return False
        cookie = headers.get(b"cookie")
        return not (cookie and cookie_names(cookie.decode("latin-1")) & self.bypass_cookies)

    def response_is_storable(self, status, headers, request_has_cookies):
        """`headers` maps lower-case header names (str) to values (str)."""
        if status != 200:
            return False
        if "set-cookie" in headers or "content-encoding" in headers:
            return False
        if header_tokens(headers.get("cache-control", "")) & UNSHAREABLE:
            return False
        vary = header_tokens(headers.get("vary", ""))
        if "*" in vary:
            return False
        # Django says Vary: Cookie when the session or CSRF token was read: the page is
        # right for these cookies only. Keep it for the common case, no cookies at all.
        return not ("cookie" in vary and request_has_cookies)
