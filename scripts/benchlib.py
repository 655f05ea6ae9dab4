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


def post(opener, base, path, fields):
    """A server function called as the browser calls it; its JSON answer."""
    import json

    req = urllib.request.Request(
        base + path,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"origin": base, "content-type": "application/x-www-form-urlencoded"},
    )
    with opener.open(req) as res:
        return json.load(res)


def open_alerts(opener, base, org):
    """Every open alert of `org`, as the picker loads them (20 pages a call)."""
    first = post(opener, base, "/api/alerts/load", {"org": org, "from_page": 1, "pages": 1})
    alerts, last = first["alerts"], first["last_page"]
    page = 2
    while page <= last:
        fields = {"org": org, "from_page": page, "pages": min(20, last + 1 - page)}
        alerts += post(opener, base, "/api/alerts/load", fields)["alerts"]
        page += 20
    return alerts


def create_campaign(opener, base, org, name, repos, per_repo):
    """A campaign created through the app (so the app records its alerts): `per_repo` open alerts
    from each of the `repos` repositories with the most. Its number."""
    import collections
    import time

    by_repo = collections.defaultdict(list)
    for a in open_alerts(opener, base, org):
        by_repo[a["repo_id"]].append(a["number"])
    chosen = sorted(by_repo, key=lambda r: -len(by_repo[r]))[:repos]
    picked = [f"{r}:{n}" for r in chosen for n in sorted(by_repo[r])[:per_repo]]
    assert len(picked) == repos * per_repo, (len(picked), repos * per_repo)
    due = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 30 * 86400))
    created = post(opener, base, "/api/campaigns/create", {
        "org": org, "name": name, "description": "make bench",
        "ends_at": due, "tz_offset": "0", "alerts": " ".join(picked),
    })
    return created["number"]
