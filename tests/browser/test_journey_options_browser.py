"""The journey options in Chromium: the time/price trade-off, the legs, "Earlier" and "Later".

Two kinds of answers feed the page: the demo's planner (whatever it finds; the
expectations are computed from its JSON answer), and ``FakePlanner``, a
stand-in for ``GET /api/v1/journeys`` (Playwright's routing) that answers a
fixed Pareto set of four or eight options departing five minutes after the
time asked, with the keys the timetable planner adds (``headsign``,
``distance_m``, ``trip_id``), so every sentence of the trade-off is checked.
Screenshots: booking-options*.png (`make screenshots` puts them in docs/screenshots).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.test_booking_browser import CONTRAST_FAILURES, PHONE, search, tab_to

TZ = ZoneInfo("Europe/Berlin")  # the demo's FAREBRIDGE_TIMEZONE (the default)
OPERATOR_NAMES = {"SWA": "Stadtwerke Altheim Bus", "RBA": "Regionalbahn Auental"}


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date.today() + timedelta(days=1), datetime.min.time()).replace(
        hour=hour, minute=minute, tzinfo=TZ)


def local_minute(moment: datetime) -> str:
    """The API's ``at`` as the page sends it: the network's wall clock, to the minute."""
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def asked_at(url: str) -> str:
    return parse_qs(urlparse(url).query)["at"][0]


# (departure after the first, minutes of travel, transfers, price in cents, criteria)
FOUR = ((0, 36, 1, 710, ["fastest"]), (0, 40, 0, 710, ["fewest_transfers"]), (0, 43, 1, 590, []),
        (15, 43, 2, 480, ["cheapest"]))
EIGHT = FOUR + ((25, 40, 2, 470, []), (30, 45, 0, 690, []), (40, 44, 1, 480, []), (50, 45, 3, 400, ["cheapest"]))


def _leg(kind: str, start: datetime, minutes: int, from_stop: str, to_stop: str, **extra: Any) -> dict[str, Any]:
    ride = kind != "walk"
    return {"mode": kind, "operator_id": extra.get("operator_id"), "route_id": extra.get("route_id"),
            "route_name": extra.get("route_name"), "trip_id": extra.get("trip_id") if ride else None,
            "headsign": extra.get("headsign"), "distance_m": extra.get("distance_m"),
            "from_stop_id": from_stop.upper().replace(" ", "_"), "from_stop_name": from_stop,
            "to_stop_id": to_stop.upper().replace(" ", "_"), "to_stop_name": to_stop,
            "departure": start.isoformat(), "arrival": (start + timedelta(minutes=minutes)).isoformat()}


def fake_option(first: datetime, shape: tuple[int, int, int, int, list[str]], number: int) -> dict[str, Any]:
    offset, minutes, transfers, cents, criteria = shape
    departure = first + timedelta(minutes=offset)
    arrival = departure + timedelta(minutes=minutes)
    walk = _leg("walk", departure, 5, "Altheim Markt", "Altheim Bahnhof", distance_m=350 + number)
    stops = ["Altheim Bahnhof", *[f"Umstieg {n + 1}" for n in range(transfers)], "Bergstadt Bahnhof"]
    times = [departure + timedelta(minutes=5 + (minutes - 5) * n // (transfers + 1)) for n in range(transfers + 1)]
    rides = [_leg("bus", start, 0, stops[n], stops[n + 1], operator_id="SWA", route_id=f"SWA_{n + 1}",
                  route_name=str(n + 1), trip_id=f"SWA_{n + 1}_{number}",
                  headsign="Bergstadt Bahnhof" if n == 0 else None)  # later rides without a headsign
             for n, start in enumerate(times)]
    for ride, end in zip(rides, [*times[1:], arrival], strict=True):
        ride["arrival"] = end.isoformat()
    legs = [walk, *rides]
    shares = [{"operator_id": "SWA", "amount": f"{cents / 100:.2f}", "amount_minor": cents,
               "standalone": f"{cents / 100:.2f}", "standalone_minor": cents}]
    return {"criteria": criteria, "departure": departure.isoformat(), "arrival": arrival.isoformat(),
            "duration_minutes": minutes, "transfers": transfers, "legs": legs,
            "price": {"currency": "EUR", "total": f"{cents / 100:.2f}", "total_minor": cents, "rider_category": "adult",
                      "tariff_version_id": 1, "operators": shares, "products": [], "legs": [], "rules": [],
                      "unpriced_legs": []}}


@dataclass
class FakePlanner:
    """Answers every journey search with ``shapes``, the first option leaving five minutes after ``at``."""

    shapes: tuple[tuple[int, int, int, int, list[str]], ...] = FOUR
    asked: list[str] = field(default_factory=list)
    found_nothing_after: int | None = None  # answers "no journey found" from this search on (counted from 0)

    def __call__(self, route: Any) -> None:
        url = route.request.url
        self.asked.append(url)
        if self.found_nothing_after is not None and len(self.asked) > self.found_nothing_after:
            error = {"error": {"code": "no_journey_found", "message": "no connection", "details": {}}}
            route.fulfill(status=404, content_type="application/json", body=json.dumps(error))
            return
        at = datetime.fromisoformat(asked_at(url)).replace(tzinfo=TZ)
        first = at + timedelta(minutes=5)
        body = {"from": "ALT_MARKT", "to": "BGS_BF", "at": at.isoformat(),
                "options": [fake_option(first, shape, n) for n, shape in enumerate(self.shapes)]}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def install(self, page: Any) -> FakePlanner:
        page.route(re.compile(r"/api/v1/journeys\?"), self)
        return self


def trade_offs(page: Any) -> list[list[str]]:
    return [option.locator(".tradeoffs li").all_inner_texts() for option in page.locator(".option").all()]


def headings(page: Any) -> list[str]:
    return page.locator(".option h3").all_inner_texts()


def test_each_option_says_how_much_faster_or_cheaper_it_is_than_the_fastest_and_the_cheapest(page, screenshot):
    FakePlanner().install(page)
    page.goto("/book")
    search(page)
    expect(page.get_by_role("status").first).to_have_text("4 journeys found.")
    assert trade_offs(page) == [
        ["Arrives 22 min earlier, €2.30 more expensive, 1 transfer fewer than the cheapest"],
        ["4 min slower, 1 transfer fewer than the fastest, at the same price",
         "Arrives 18 min earlier, €2.30 more expensive, 2 transfers fewer than the cheapest"],
        ["7 min slower, €1.20 cheaper than the fastest",
         "Arrives 15 min earlier, €1.10 more expensive, 1 transfer fewer than the cheapest"],
        ["Arrives 22 min later, €2.30 cheaper, 1 more transfer than the fastest"],
    ]
    badges = [option.locator(".badge").all_inner_texts() for option in page.locator(".option").all()]
    assert badges == [["fastest"], ["fewest transfers"], [], ["cheapest"]]
    first = page.locator(".option").first
    # a transit leg: times, line, headsign and operator; a walk: its length and minutes
    expect(first.locator(".leg").nth(1)).to_contain_text("Bus 1 towards Bergstadt Bahnhof")
    expect(first.locator(".leg").nth(1)).to_contain_text("Stadtwerke Altheim Bus")
    expect(first.locator(".leg").nth(1).locator("time")).to_have_text([re.compile("^08:10"), re.compile("^08:25")])
    expect(first.locator(".leg-walk")).to_contain_text("Walk 350 m · 5 min")
    expect(first.locator(".leg").nth(2)).not_to_contain_text("towards")  # no headsign, no "towards"
    assert page.evaluate(CONTRAST_FAILURES) == []


def test_the_trade_off_reads_in_german(page):
    FakePlanner().install(page)
    page.goto("/book?lang=de")
    search(page, "Von", "Nach", "Verbindungen suchen")
    expect(page.get_by_role("status").first).to_have_text("4 Verbindungen gefunden.")
    assert trade_offs(page)[2] == [
        "7 Min. langsamer, 1,20\xa0€ günstiger als die schnellste Verbindung",
        "Ankunft 15 Min. früher, 1,10\xa0€ teurer, 1 Umstieg weniger als die günstigste Verbindung"]
    assert trade_offs(page)[1][0] == ("4 Min. langsamer, 1 Umstieg weniger als die schnellste Verbindung, "
                                      "zum gleichen Preis")
    expect(page.locator(".leg-walk").first).to_contain_text("Fußweg 350 m · 5 Min.")
    expect(page.locator(".leg").nth(1)).to_contain_text("Bus 1 Richtung Bergstadt Bahnhof")
    expect(page.get_by_role("button", name="Frühere Verbindungen")).to_be_visible()
    expect(page.get_by_role("button", name="Spätere Verbindungen")).to_be_visible()


def test_later_searches_from_a_minute_after_the_last_departure_and_earlier_an_hour_before_the_first(page):
    planner = FakePlanner().install(page)
    page.goto("/book")
    search(page)  # tomorrow 08:00: the options leave at 08:05 and 08:20
    expect(page.get_by_role("status").first).to_have_text("4 journeys found.")
    shown = headings(page)
    page.get_by_role("button", name="Later journeys").click()
    expect(page.get_by_role("status").first).to_have_text("4 journeys found.")
    assert asked_at(planner.asked[-1]) == local_minute(tomorrow_at(8, 21))  # the last departure 08:20, + 1 min
    assert headings(page) != shown and "08:26 AM –" in headings(page)[0]
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    expect(page.locator("#travel-time")).to_have_value("08:21")  # the form shows what was searched
    expect(page.locator("#results-window")).to_contain_text("8:21")
    # searched from 08:21, shown 08:26 .. 08:41: the window (20 min) is shorter than an hour, so 07:26
    page.get_by_role("button", name="Earlier journeys").click()
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    assert asked_at(planner.asked[-1]) == local_minute(tomorrow_at(7, 26))
    expect(page.locator(".option h3").first).to_have_text(re.compile("07:31"))
    assert len(planner.asked) == 3


def test_earlier_and_later_work_by_keyboard_and_keep_the_traveller(page):
    planner = FakePlanner().install(page)
    page.goto("/book")
    page.locator("#rider").select_option("child")
    search(page)
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Earlier journeys")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    expect(page.locator(".option h3").first).to_have_text(re.compile("07:10"))  # asked from 07:05
    tab_to(page, "later", limit=40)
    page.keyboard.press("Enter")
    expect(page.locator(".option h3").first).to_have_text(re.compile("07:31"))  # the last left 07:25
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    assert [parse_qs(urlparse(url).query)["rider"] for url in planner.asked] == [["child"]] * 3


def test_a_later_search_that_finds_nothing_says_so_and_keeps_the_shown_options(page):
    FakePlanner(found_nothing_after=1).install(page)
    page.goto("/book")
    search(page)
    expect(page.get_by_role("status").first).to_have_text("4 journeys found.")
    shown = headings(page)
    page.get_by_role("button", name="Later journeys").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("No journey found. Try another time or other stops.")
    expect(alert).to_be_focused()
    assert headings(page) == shown
    expect(page.locator("#travel-time")).to_have_value("08:00")  # still the time of the options shown
    expect(page.get_by_role("button", name="Later journeys")).to_be_enabled()
    expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true")


def test_earlier_is_off_when_the_first_shown_option_has_left(page):
    FakePlanner().install(page)
    page.goto("/book")
    search(page)
    yesterday = date.today() - timedelta(days=1)
    page.locator("#travel-date").fill(yesterday.isoformat())
    page.get_by_role("button", name="Search journeys").click()  # yesterday 08:00: the options left long ago
    expect(page.locator("#results-window")).to_contain_text(f"{yesterday:%b} {yesterday.day}, {yesterday.year}, 8:00")
    expect(page.get_by_role("button", name="Earlier journeys")).to_be_disabled()
    expect(page.get_by_role("button", name="Later journeys")).to_be_enabled()


def test_eight_options_fit_a_phone_without_sideways_scrolling(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        FakePlanner(EIGHT).install(page)
        page.goto("/book")
        search(page)
        expect(page.get_by_role("status").first).to_have_text("8 journeys found.")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert trade_offs(page)[7] == ["Arrives 59 min later, €3.10 cheaper, 2 more transfers than the fastest"]
        screenshot(page, "booking-options-phone")
    finally:
        context.close()


def test_the_demo_planners_options_are_compared_with_the_fastest_and_earlier_later_search_again(page, screenshot):
    """The real planner: Bergstadt station to Altheim east has a fastest and a cheaper, slower option."""
    page.goto("/book")
    page.get_by_role("combobox", name="From").fill("BGS_BF")
    page.get_by_role("combobox", name="To").fill("ALT_OST")
    page.locator("#travel-date").fill((date.today() + timedelta(days=1)).isoformat())
    page.locator("#travel-time").fill("08:00")
    with page.expect_response(re.compile(r"/api/v1/journeys\?")) as answer:
        page.get_by_role("button", name="Search journeys").click()
    options = answer.value.json()["options"]
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    fastest = next(o for o in options if "fastest" in o["criteria"])
    cheapest = next(o for o in options if "cheapest" in o["criteria"])
    assert cheapest is not fastest, "the demo pair lost its trade-off; choose another one"
    slower = round((datetime.fromisoformat(cheapest["arrival"])
                    - datetime.fromisoformat(fastest["arrival"])).total_seconds() / 60)
    saving = (fastest["price"]["total_minor"] - cheapest["price"]["total_minor"]) / 100
    same_departure = cheapest["departure"][:16] == fastest["departure"][:16]
    time_words = f"{slower} min slower" if same_departure else f"Arrives {slower} min later"
    card = page.locator(".option").nth(options.index(cheapest))
    expect(card.locator(".tradeoffs li").first).to_have_text(re.compile(
        "^" + re.escape(f"{time_words}, €{saving:.2f} cheaper") + r".* than the fastest$"))
    expect(card.locator(".badge-cheapest")).to_have_text("cheapest")
    card.locator("summary").click()  # the price per operator opens
    expect(card.locator("table.shares")).to_be_visible()
    screenshot(page, "booking-options")

    last = max(datetime.fromisoformat(o["departure"]) for o in options)
    with page.expect_response(re.compile(r"/api/v1/journeys\?")) as answer:
        page.get_by_role("button", name="Later journeys").click()
    assert asked_at(answer.value.url) == local_minute(last + timedelta(minutes=1))
    later = answer.value.json()["options"]
    assert min(datetime.fromisoformat(o["departure"]) for o in later) > last
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    expect(page.locator(".option h3").first).to_contain_text(
        datetime.fromisoformat(later[0]["departure"]).astimezone(TZ).strftime("%H:%M"))

    searched = datetime.fromisoformat(answer.value.json()["at"])
    departures = [datetime.fromisoformat(o["departure"]) for o in later]
    window = max(timedelta(hours=1), max(departures) - searched)
    with page.expect_response(re.compile(r"/api/v1/journeys\?")) as answer:
        page.get_by_role("button", name="Earlier journeys").click()
    assert asked_at(answer.value.url) == local_minute(min(departures) - window)
    earlier = answer.value.json()["options"]
    assert min(datetime.fromisoformat(o["departure"]) for o in earlier) < min(departures)
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()


TRADE_OFFS = """(cases) => cases.map((options) => fb.booking.tradeOffs(options))"""
MINUTE = 60_000


def _plain(criteria: list[str], departure: int, arrival: int, transfers: int, price: int | None,
           currency: str = "EUR") -> dict[str, Any]:
    return {"criteria": criteria, "departure": departure * MINUTE, "arrival": arrival * MINUTE,
            "transfers": transfers, "priceMinor": price, "currency": currency}


def _versus(minutes: int, same_departure: bool, price: int | None, transfers: int) -> dict[str, Any]:
    return {"arrivalMinutes": minutes, "sameDeparture": same_departure, "priceMinor": price, "transfers": transfers}


def test_the_trade_off_function_compares_with_the_labelled_fastest_and_cheapest(page):
    page.goto("/book")
    fastest_is_cheapest, unlabelled, unpriced, alone = page.evaluate(TRADE_OFFS, [
        [_plain(["fastest", "cheapest"], 0, 30, 1, 500), _plain(["fewest_transfers"], 0, 45, 0, 600)],
        # no labels: the earliest arrival and the lowest price are the references
        [_plain([], 10, 50, 1, 400), _plain([], 0, 40, 2, 700)],
        # an unpriced option has no price difference, and a foreign currency none either
        [_plain(["fastest"], 0, 30, 1, None), _plain(["cheapest"], 5, 50, 1, 450),
         _plain([], 0, 40, 0, 300, "CHF")],
        [_plain(["fastest", "fewest_transfers", "cheapest"], 0, 30, 0, 500)],
    ])
    assert fastest_is_cheapest == [
        {"fastest": True, "cheapest": True, "versusFastest": None, "versusCheapest": None},
        {"fastest": False, "cheapest": False, "versusFastest": _versus(15, True, 100, -1), "versusCheapest": None}]
    assert unlabelled == [
        {"fastest": False, "cheapest": True, "versusFastest": _versus(10, False, -300, -1), "versusCheapest": None},
        {"fastest": True, "cheapest": False, "versusFastest": None, "versusCheapest": _versus(-10, False, 300, 1)}]
    assert unpriced[0]["versusCheapest"] == _versus(-20, False, None, 0)
    assert unpriced[1]["versusFastest"] == _versus(20, False, None, 0)
    assert unpriced[2]["versusFastest"] == _versus(10, True, None, -1)
    assert unpriced[2]["versusCheapest"] == _versus(-10, False, None, -1)
    assert alone == [{"fastest": True, "cheapest": True, "versusFastest": None, "versusCheapest": None}]


def test_the_earlier_and_later_times_follow_the_documented_rules(page):
    page.goto("/book")
    rules = page.evaluate("""({searched, first, last, now, seconds}) => [
        fb.booking.laterTime(last + seconds),
        fb.booking.earlierTime({searchedAt: searched, firstDeparture: first, lastDeparture: last, now: now}),
        fb.booking.earlierTime({searchedAt: searched, firstDeparture: first, lastDeparture: searched + 180 * 60000,
                                now: now}),
        fb.booking.earlierTime({searchedAt: searched, firstDeparture: first, lastDeparture: last,
                                now: first - 20 * 60000}),
        fb.booking.earlierTime({searchedAt: searched, firstDeparture: first, lastDeparture: last, now: first}),
    ]""", {"searched": 1_000 * MINUTE, "first": 1_005 * MINUTE, "last": 1_020 * MINUTE, "now": 0, "seconds": 30_000})
    assert rules == [
        1_021 * MINUTE,  # a minute after the last departure, on the minute
        945 * MINUTE,  # an hour before the first departure: the shown window (20 min) is shorter
        825 * MINUTE,  # the shown window (3 h) before the first departure
        985 * MINUTE,  # not before now
        None,  # the first shown leaves now: nothing earlier can be booked
    ]
