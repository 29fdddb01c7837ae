"""Booking in Chromium: search with suggestions, a multi-operator ticket, card and wallet, the PDF, a refund.

The demo journey ALT_EICH_WALDWEG -> BGS_SONN_BUCHENWEG runs over SWA, RBA and
BVB for 7.10 EUR. Journeys are booked for tomorrow 08:00, so the ticket can
still be refunded. Screenshots: booking-*.png and ticket-*.png (`make screenshots` puts them in docs/screenshots).
"""
from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import PASSENGER_EMAIL
from webapp.demo.timetable import next_working_day

FROM_TYPED, FROM_STOP = "Waldweg", "Altheim-Eichenau Am Waldweg"
TO_TYPED, TO_STOP = "Buchenweg", "Bergstadt-Sonnenberg Buchenweg"
OPERATORS = ("Stadtwerke Altheim Bus", "Regionalbahn Auental", "Busverkehr Bergstadt")
PHONE = {"width": 390, "height": 844}


def tomorrow() -> str:
    return (next_working_day(date.today())).isoformat()


def api_calls(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every request of the page to /api/, recorded from now on."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "/api/" in request.url else None)
    return seen


def choose_stop(page, field: str, typed: str, stop: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("combobox", name=field).press_sequentially(typed, delay=30)
    page.get_by_role("option", name=stop).click()
    expect(page.get_by_role("combobox", name=field)).to_have_value(stop)


def search(page, from_field: str = "From", to_field: str = "To",  # type: ignore[no-untyped-def]
           button: str = "Search journeys") -> None:
    choose_stop(page, from_field, FROM_TYPED, FROM_STOP)
    choose_stop(page, to_field, TO_TYPED, TO_STOP)
    page.locator("#travel-date").fill(tomorrow())
    page.locator("#travel-time").fill("08:00")
    page.get_by_role("button", name=button).click()


def test_a_guest_books_a_multi_operator_ticket_downloads_the_pdf_and_refunds_it(page, screenshot, tmp_path):
    calls = api_calls(page)
    page.goto("/book")
    search(page)
    expect(page.get_by_role("status").first).to_have_text("1 journey found.")
    option = page.locator(".option").first
    for name in OPERATORS:
        expect(option.locator(".legs")).to_contain_text(name)
        expect(option.locator("table.shares")).to_contain_text(name)
    expect(option.locator(".price")).to_have_text("€7.10")
    expect(option.locator("table.shares tfoot")).to_contain_text("€7.10")
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    # one suggestion call per stop field, then one journeys call with the prices: three in all
    assert len(calls) <= 3, calls
    assert [url for url in calls if "/api/v1/journeys" in url].__len__() == 1
    assert all("/api/v1/stops?q=" in url or "/api/v1/journeys?" in url for url in calls), calls
    screenshot(page, "booking-options-single")

    option.get_by_role("button", name="Choose this journey").click()
    expect(page).to_have_url(re.compile(r"/book/orders/[0-9a-f-]+$"))
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.locator("table.shares")).to_contain_text("Regionalbahn Auental")
    screenshot(page, "booking-checkout")
    page.get_by_label("Card (sandbox token)").fill("tok_ok")
    page.get_by_role("button", name="Pay €7.10").click()

    expect(page).to_have_url(re.compile(r"/tickets/[0-9a-f-]+\?paid=1$"))
    ticket_id = re.search(r"/tickets/([0-9a-f-]+)", page.url).group(1)  # type: ignore[union-attr]
    expect(page.get_by_role("status")).to_have_text("Paid. Have a good journey!")
    expect(page.get_by_role("img", name="QR code of the ticket, for the inspection")).to_be_visible()
    expect(page.locator("svg.qr-code path")).to_have_count(1)
    expect(page.locator("#ticket-status")).to_have_text("valid")
    screenshot(page, "ticket")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the ticket (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"farebridge-ticket-{ticket_id}.pdf"
    saved = tmp_path / "ticket.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(saved).pages).replace("\n", "")
    assert ticket_id in text and "7.10" in text

    page.get_by_role("button", name="Request a refund of €7.10").click()
    expect(page.get_by_role("status")).to_have_text("Refund done: €7.10 goes back to your card.")
    expect(page.locator("#ticket-status")).to_have_text("refunded")
    expect(page.get_by_role("button", name=re.compile("Request a refund"))).to_have_count(0)
    screenshot(page, "ticket-refunded")


def test_a_declined_card_shows_a_clear_error_and_a_good_card_then_pays(page, screenshot):
    page.goto("/book")
    search(page)
    page.get_by_role("button", name="Choose this journey").first.click()
    page.get_by_label("Card (sandbox token)").fill("tok_declined")
    page.get_by_role("button", name="Pay €7.10").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Your card was declined. No money was taken. Please use another card.")
    expect(alert).to_be_focused()
    expect(page.get_by_label("Card (sandbox token)")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "booking-card-declined")
    page.get_by_label("Card (sandbox token)").fill("tok_ok")
    page.get_by_role("button", name="Pay €7.10").click()
    expect(page.locator("#ticket-status")).to_have_text("valid")


def test_the_logged_in_passenger_pays_with_the_wallet_and_gets_the_refund_back_into_it(page, login, screenshot):
    login(page, PASSENGER_EMAIL)
    page.goto("/book")
    expect(page.get_by_label("E-mail for the receipt (optional)")).to_have_count(0)
    search(page)
    page.get_by_role("button", name="Choose this journey").first.click()
    expect(page.get_by_text(re.compile(r"^Balance: €\d+\.\d\d$"))).to_be_visible()
    page.get_by_label("Wallet").check()
    screenshot(page, "booking-wallet")
    page.get_by_role("button", name="Pay €7.10").click()
    expect(page.locator("#ticket-status")).to_have_text("valid")
    expect(page.get_by_text("You booked as a guest")).to_have_count(0)
    page.get_by_role("button", name="Request a refund of €7.10").click()
    expect(page.get_by_role("status")).to_have_text("Refund done: €7.10 goes back to your wallet.")


def tab_to(page, element_id: str, limit: int = 30) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element has the focus (it must come within ``limit`` presses)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    expect(page.locator(f"#{element_id}")).to_be_focused()


def test_booking_works_by_keyboard_alone(page):
    page.goto("/book")
    tab_to(page, "from-stop", limit=15)  # the skip link, the header's links, then the form
    page.keyboard.type(FROM_TYPED, delay=30)
    expect(page.get_by_role("option", name=FROM_STOP)).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("combobox", name="From")).to_have_attribute("aria-activedescendant", "from-stop-list-0")
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox", name="From")).to_have_value(FROM_STOP)
    page.keyboard.press("Tab")
    expect(page.get_by_role("combobox", name="To")).to_be_focused()
    page.keyboard.type(TO_TYPED, delay=30)
    expect(page.get_by_role("option", name=TO_STOP)).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#travel-date")).to_be_focused()
    # The page proposes now + 5 minutes (the planner rolls over to the next morning late at night); Enter sends.
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Journeys")).to_be_focused()
    page.keyboard.press("Tab")
    earlier = page.get_by_role("button", name="Earlier journeys")
    if earlier.is_enabled():  # off when the first option leaves this minute: the search is for now + 0..5 min
        expect(earlier).to_be_focused()
        page.keyboard.press("Tab")
    expect(page.locator(".option summary").first).to_be_focused()  # the price per operator, folded
    page.keyboard.press("Enter")
    expect(page.locator("table.shares").first).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Choose this journey").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    tab_to(page, "card-token")
    page.keyboard.type("tok_ok")
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-status")).to_have_text("valid")
    tab_to(page, "refund-button")
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-status")).to_have_text("refunded")


def test_a_phone_sized_screen_books_without_sideways_scrolling(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto("/book")
        search(page)
        expect(page.locator(".option").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "booking-phone")
        page.get_by_role("button", name="Choose this journey").first.click()
        page.get_by_label("Card (sandbox token)").fill("tok_ok")
        page.get_by_role("button", name="Pay €7.10").click()
        expect(page.locator("#ticket-status")).to_have_text("valid")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = page.locator("svg.qr-code").bounding_box()
        assert box is not None and box["width"] >= 200  # big enough to scan from the phone
        screenshot(page, "ticket-phone")
    finally:
        context.close()


def test_the_booking_page_speaks_german(page, screenshot):
    page.goto("/book?lang=de")
    search(page, "Von", "Nach", "Verbindungen suchen")
    expect(page.get_by_role("status").first).to_have_text("1 Verbindung gefunden.")
    option = page.locator(".option").first
    expect(option.locator(".price")).to_have_text(re.compile(r"^7,10\s€$"))
    expect(option.get_by_role("button", name="Diese Verbindung wählen")).to_be_visible()
    screenshot(page, "booking-de")


def test_a_typed_stop_that_was_not_chosen_is_an_error_next_to_the_field(page):
    page.goto("/book")
    page.get_by_role("combobox", name="From").fill("Nowhere at all")
    page.get_by_role("button", name="Search journeys").click()
    expect(page.locator("#from-stop-error")).to_have_text("Choose a stop from the suggestions.")
    expect(page.get_by_role("combobox", name="From")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("combobox", name="From")).to_be_focused()


# WCAG 2.1 contrast of every visible text against the first opaque background behind it.
CONTRAST_FAILURES = """() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const node of document.querySelectorAll("body *")) {
    const own = [...node.childNodes].some((child) => child.nodeType === 3 && child.textContent.trim());
    const style = getComputedStyle(node);
    if (!own || node.closest("svg") || style.visibility === "hidden" || !node.getClientRects().length) continue;
    if (node.closest(".visually-hidden")) continue;
    const [fg, bg] = [luminance(rgb(style.color)), luminance(background(node))];
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const what = `${node.tagName}.${node.className} "${node.textContent.trim().slice(0, 30)}"`;
    if (ratio < needed) failures.push(`${what}: ${ratio.toFixed(2)}`);
  }
  return failures;
}"""


def test_every_text_of_the_booking_pages_meets_the_wcag_aa_contrast(page):
    page.goto("/book")
    search(page)
    expect(page.locator(".option").first).to_be_visible()
    page.get_by_role("combobox", name="To").fill("")
    page.get_by_role("combobox", name="To").press_sequentially("Bergst", delay=30)
    expect(page.locator("#to-stop-list [role=option]").first).to_be_visible()
    page.keyboard.press("ArrowDown")  # a highlighted suggestion counts too
    assert page.evaluate(CONTRAST_FAILURES) == []
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Choose this journey").first.click()
    page.get_by_label("Card (sandbox token)").fill("tok_declined")
    page.get_by_role("button", name="Pay €7.10").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.evaluate(CONTRAST_FAILURES) == []
    page.get_by_label("Card (sandbox token)").fill("tok_ok")
    page.get_by_role("button", name="Pay €7.10").click()
    expect(page.locator("#ticket-status")).to_have_text("valid")
    assert page.evaluate(CONTRAST_FAILURES) == []


def test_a_wrong_email_is_explained_and_nothing_is_booked(page):
    calls = api_calls(page)
    page.goto("/book")
    search(page)
    page.get_by_label("E-mail for the receipt (optional)").fill("not-an-address")
    page.get_by_role("button", name="Choose this journey").first.click()
    expect(page.get_by_role("alert")).to_have_text("Please check the e-mail address.")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/book$"))
    assert [url for url in calls if url.endswith("/api/v1/orders")] == [page.url.replace("/book", "/api/v1/orders")]


def test_a_pasted_stop_id_or_exact_name_counts_as_chosen(page):
    calls = api_calls(page)
    page.goto("/book")
    page.get_by_role("combobox", name="From").fill("ALT_EICH_WALDWEG")  # one input event: no time to suggest
    page.get_by_role("combobox", name="To").fill(TO_STOP)
    page.get_by_role("button", name="Search journeys").click()
    expect(page.locator(".option .price").first).to_have_text("€7.10")
    expect(page.get_by_role("combobox", name="From")).to_have_value(FROM_STOP)
    assert len(calls) <= 3, calls
