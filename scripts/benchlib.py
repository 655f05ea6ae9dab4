"""What the bench scripts share: a browser-like client that signs in through the emulator's
consent page and keeps the session cookie."""
import http.cookiejar
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def signed_in(base, login="mona"):
    """An opener whose requests carry `login`'s session on the app at `base`."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPCookieProcessor(jar))

    def location(req):
        try:
            opener.open(req)
        except urllib.error.HTTPError as e:
            if e.code in (302, 303):
                return e.headers["Location"]
            raise
        raise SystemExit("expected a redirect")

    authorize = location(base + "/auth/login?next=/")
    parts = urllib.parse.urlsplit(authorize)
    form = urllib.parse.parse_qsl(parts.query) + [("login", login), ("decision", "authorize")]
    consent = urllib.request.Request(
        urllib.parse.urlunsplit(parts._replace(query="")),
        data=urllib.parse.urlencode(form).encode(),
    )
    callback = location(consent)
    assert location(callback) == "/", "signed in"
    return opener
