"""iCalendar (RFC 5545) text for events, written directly and cached per version of an event.

A feed of 20,000 events must not render 20,000 events on every request. Each event's VEVENT is
rendered once per *version* and reused: the cache key is (event id, SEQUENCE, updated_at, on the
waiting list), in a cache per language and audience. Every change of an event row sets a new ``updated_at`` (an
``onupdate`` of the model, also for bulk UPDATEs of the counters), so a changed event gets a new key
and the old text is never served again — in this process or any other. The cache is a per-process
LRU; nothing needs to be shared.

The text is written by hand instead of through the icalendar library's serializer, which costs about
a millisecond per event; tests parse every feed with ``icalendar.Calendar.from_ical``.

- Times are local times with ``TZID=Europe/Berlin`` and the zone's VTIMEZONE (correct across DST). The
  second pass through the repeated hour when the clocks go back cannot be written as a Berlin local
  time (RFC 5545 reads an ambiguous local time as its first occurrence), so such a moment is written
  in UTC. Events in other time zones are written in UTC as well, always the right instant.
- All-day events are DATE values (DTEND is the day after the last day, as RFC 5545 wants).
- The online meeting link follows the rule of the pages and the API: it is written only for a signed-in
  viewer (``signed_in``: a member's session or private feed), never into a feed for visitors, which
  says "online" instead.
- There is no METHOD, so DTSTAMP is the moment the event was last changed, which keeps the text of an
  unchanged event identical from request to request.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from regions.events.vocab import TYPE_LABELS, EventStatus

# Increase it when the rendering changes, so that no client keeps a feed under its old ETag.
FORMAT_VERSION = 2
BERLIN = "Europe/Berlin"
BERLIN_ZONE = ZoneInfo(BERLIN)
CRLF = b"\r\n"
PRODID = "-//CIMIS Hub//Calendar//DE"
DEFAULT_CACHE_SIZE = 40_000

# The EU rule in force since 1996: summer time from the last Sunday of March, 02:00 CET, to the last
# Sunday of October, 03:00 CEST. DTSTART of each part is the wall-clock time of the change in the
# offset before it (RFC 5545, 3.6.5).
BERLIN_VTIMEZONE = (
    b"BEGIN:VTIMEZONE\r\n"
    b"TZID:Europe/Berlin\r\n"
    b"X-LIC-LOCATION:Europe/Berlin\r\n"
    b"BEGIN:DAYLIGHT\r\n"
    b"TZNAME:CEST\r\n"
    b"TZOFFSETFROM:+0100\r\n"
    b"TZOFFSETTO:+0200\r\n"
    b"DTSTART:19700329T020000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    b"END:DAYLIGHT\r\n"
    b"BEGIN:STANDARD\r\n"
    b"TZNAME:CET\r\n"
    b"TZOFFSETFROM:+0200\r\n"
    b"TZOFFSETTO:+0100\r\n"
    b"DTSTART:19701025T030000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    b"END:STANDARD\r\n"
    b"END:VTIMEZONE\r\n"
)

CALENDAR_END = b"END:VCALENDAR\r\n"

_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})
# Control characters are not allowed in TEXT values (RFC 5545, 3.3.11), except the tab.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped, control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).translate(_ESCAPES)


def fold(line: str) -> bytes:
    """One content line in UTF-8, folded after 75 octets (never inside a character), ending in CRLF."""
    data = line.encode()
    if len(data) <= 75:
        return data + CRLF
    parts = []
    start, limit, size = 0, 75, len(data)
    while size - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: cut before the character it belongs to
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # a continuation line starts with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts) + CRLF


def utc_stamp(moment: datetime) -> str:
    """A UTC DATE-TIME value: 20261125T180000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _moment(name: str, moment: datetime, tz: str) -> str:
    """DTSTART/DTEND as a Berlin local time where that is unambiguous, else in UTC."""
    if tz == BERLIN:
        local = moment.astimezone(BERLIN_ZONE)
        if not local.fold:  # the first (or only) time the clock shows this: what every reader assumes
            return f"{name};TZID={BERLIN}:{local:%Y%m%dT%H%M%S}"
    return f"{name}:{utc_stamp(moment)}"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz or BERLIN)
    except (ValueError, KeyError, OSError):
        return BERLIN_ZONE


def all_day_dates(starts_at: datetime, ends_at: datetime, tz: str):
    """The first day and the day after the last (exclusive end) of an all-day event, in its zone."""
    zone = _zone(tz)
    first = starts_at.astimezone(zone).date()
    end_local = ends_at.astimezone(zone)
    after = end_local.date() if end_local.time() == time() else end_local.date() + timedelta(days=1)
    return first, max(after, first + timedelta(days=1))


def _status(event, waitlisted: bool) -> str:
    if event.status == EventStatus.CANCELLED:
        return "CANCELLED"
    if event.status != EventStatus.PUBLISHED or waitlisted:
        return "TENTATIVE"
    return "CONFIRMED"


def render_vevent(event, *, signed_in: bool, waitlisted: bool = False) -> bytes:
    """The VEVENT of one event, in the current language (summary prefixes and the category).

    The online link only for a signed-in viewer (``signed_in``), as on the event's page.
    """
    tz = event.timezone or BERLIN
    title = event.title
    if event.status == EventStatus.CANCELLED:
        title = _("Cancelled: %(title)s", title=title)
    elif waitlisted:
        title = _("Waiting list: %(title)s", title=title)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{utc_stamp(event.updated_at)}",
        f"CREATED:{utc_stamp(event.created_at)}",
        f"LAST-MODIFIED:{utc_stamp(event.updated_at)}",
        f"SEQUENCE:{event.sequence}",
    ]
    if event.all_day:
        first, after = all_day_dates(event.starts_at, event.ends_at, tz)
        lines.append(f"DTSTART;VALUE=DATE:{first:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{after:%Y%m%d}")
    else:
        lines.append(_moment("DTSTART", event.starts_at, tz))
        lines.append(_moment("DTEND", event.ends_at, tz))
    lines.append(f"SUMMARY:{escape_text(title)}")
    description = (event.description or "").strip()
    online_place = None
    if event.online_url:
        online_place = event.online_url if signed_in else _("Online")
        link = event.online_url if signed_in else _("The link is shown to members who are logged in.")
        online = _("Online: %(url)s", url=link)
        description = f"{description}\n\n{online}" if description else online
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    location = ", ".join(part for part in (event.venue, event.address) if part) or online_place
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    label = TYPE_LABELS.get(event.type)
    if label is not None:
        lines.append(f"CATEGORIES:{escape_text(str(label))}")
    lines.append(f"STATUS:{_status(event, waitlisted)}")
    page = event_url(event.id)
    if page:
        lines.append(f"URL:{page}")
    if event.status == EventStatus.CANCELLED:
        lines.append("TRANSP:TRANSPARENT")  # a cancelled event no longer blocks the time
    lines.append("END:VEVENT")
    return b"".join(map(fold, lines))


def event_url(event_id: int) -> str | None:
    """The event's page in the shared calendar, on the configured BASE_URL (not the request's host)."""
    try:
        path = url_for("calendar.event", event_id=event_id)
    except (BuildError, RuntimeError):  # no calendar pages, or no request to build URLs in
        return None
    return current_app.config.get("BASE_URL", "").rstrip("/") + path


def calendar_start(name: str) -> bytes:
    """VCALENDAR's opening lines with the calendar's name and the Berlin VTIMEZONE."""
    name = escape_text(name)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{name}",
        f"X-WR-CALNAME:{name}",
        f"X-WR-TIMEZONE:{BERLIN}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    return b"".join(map(fold, lines)) + BERLIN_VTIMEZONE


# -- the cache --------------------------------------------------------------------------------------


class VeventCache:
    """A thread-safe LRU of rendered VEVENTs for one language.

    Keys are the rows of a feed's listing query, (id, SEQUENCE, updated_at as the database returns it,
    on the waiting list): everything the text depends on besides the language.
    """

    def __init__(self, capacity: int = DEFAULT_CACHE_SIZE):
        self.capacity = capacity
        self._data: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get_many(self, keys: list[tuple]) -> list[bytes | None]:
        """The cached texts, None where missing; hits become the most recently used."""
        data = self._data
        with self._lock:
            found = [data.get(key) for key in keys]
            move = data.move_to_end
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    move(key)
        return found

    def put_many(self, items) -> None:
        data = self._data
        with self._lock:
            for key, value in items:
                data[key] = value
                data.move_to_end(key)
            while len(data) > self.capacity:
                data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_creating = threading.Lock()


def cache(language: str, signed_in: bool) -> VeventCache:
    """The application's VEVENT cache for a language and audience (CALENDAR_ICS_CACHE_SIZE renderings each,
    default 40,000): a visitor's text never comes from the cache of the members' texts, nor the reverse."""
    app = current_app._get_current_object()
    caches = app.extensions.setdefault("calendar_ics_cache", {})
    found = caches.get((language, signed_in))
    if found is None:
        with _creating:
            found = caches.setdefault(
                (language, signed_in), VeventCache(app.config.get("CALENDAR_ICS_CACHE_SIZE", DEFAULT_CACHE_SIZE))
            )
    return found


def current_language() -> str:
    return str(get_locale())


def vevents(keys: list[tuple], load, *, signed_in: bool) -> list[bytes]:
    """The VEVENTs for a feed's rows (id, SEQUENCE, updated_at, on the waiting list), in order, as a signed-in
    viewer (``signed_in``) or a visitor sees them.

    Only rows missing from the cache are rendered: ``load(ids)`` returns their events, and is called at
    most once, so a feed costs a fixed number of queries however many events changed. A text is stored
    under the row it was listed with; if the event changed in between, that row is never listed again.
    """
    store = cache(current_language(), signed_in)
    found = store.get_many(keys)
    missing = {key[0]: key for key, text in zip(keys, found, strict=True) if text is None}
    if not missing:
        return found
    rendered = {}
    for event in load(list(missing)):
        key = missing[event.id]
        rendered[event.id] = render_vevent(event, signed_in=signed_in, waitlisted=bool(key[3]))
    store.put_many((missing[i], text) for i, text in rendered.items())
    out = []
    for key, text in zip(keys, found, strict=True):
        if text is None:
            text = rendered.get(key[0])
            if text is None:  # deleted between the two queries: leave it out
                continue
        out.append(text)
    return out
