"""Settlement statements (CSV, PDF with chart) from stored shares, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from reportlab.graphics.charts.barcharts import VerticalBarChart
from sqlalchemy import func, select, text

from clearing import services
from clearing.ledger import Line, operator_payable, post, psp_receivable
from clearing.ledger import get_or_create_account as account
from clearing.models import ClearingRecord, ClearingShare, LedgerAccount, LedgerEntry, Settlement
from clearing.settlement import settle_period
from clearing.statements.chart import daily_revenue_chart
from clearing.statements.data import product_label, product_label_column, statement_items, statement_of
from clearing.statements.pdf import render_statement_pdf
from core.db import new_id
from core.errors import Conflict
from core.outbox import OutboxEvent
from tests.clearing.test_clearing_service import sale_event
from tests.clearing.test_refund_clearing import refund_event
from webapp.cli import main

MARCH_14 = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
MARCH_15 = datetime(2026, 3, 15, 17, 0, tzinfo=UTC)
MARCH_20 = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
APRIL_2 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
RBA_IBAN = "DE37514901004711002000"


def publish_and_clear(runtime, event: dict) -> dict:
    """As ticketing does: the event in the outbox (so clearing knows the product), then cleared."""
    with runtime.session_factory() as session:
        session.add(OutboxEvent(id=event["id"], type=event["type"], payload=event["payload"], created_at=MARCH_14,
                                publish_attempts=1, published_at=MARCH_14))
        session.commit()
    assert services.clear_event(runtime.uow(), event) == services.CLEARED
    return event


def march_sales(runtime) -> dict:
    """RBA: 4.05 (single adult, 14th) + 3.00 (pass child, 15th) - 2.42 (refund, 20th) = 4.63; SWA 4.74."""
    single = publish_and_clear(runtime, sale_event(837, [("RBA", 450), ("SWA", 480)], paid_at=MARCH_14))
    pass_sale = sale_event(600, [("RBA", 1), ("SWA", 1)], paid_at=MARCH_15)
    pass_sale["payload"].update(pass_id=new_id(), ticket_id=None, rider_category="child")
    publish_and_clear(runtime, pass_sale)
    publish_and_clear(runtime, refund_event(single, amount=400, fee=100, at=MARCH_20))
    return single


def settled(runtime, period: str = "2026-03", now: datetime = MARCH_20) -> dict[str, Settlement]:
    return {s.operator_id: s for s in settle_period(runtime.uow(), period, None, "EUR", now)}


def pdf_text(body: bytes) -> str:
    """The PDF's text with every run of whitespace as one space (table cells come out one per line)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())


def test_statement_pdf_shows_header_totals_products_days_and_the_iban(demo):
    march_sales(demo)
    rba = settled(demo)["RBA"]
    with demo.session_factory() as session:
        statement = statement_of(session, session.get(Settlement, rba.id))
    text = pdf_text(render_statement_pdf(statement))
    assert "Regionalbahn Auental (RBA)" in text
    assert "Period: 2026-03" in text
    assert f"IBAN: {RBA_IBAN}" in text and "BIC: RBAUDEF1XXX" in text
    assert "Sales (operator shares) 7.05 EUR" in text
    assert "Refunds (netted) -2.42 EUR" in text
    assert "Commission 0.00 EUR" in text and "Clearing fees 0.00 EUR" in text
    assert "Total payable 4.63 EUR" in text
    assert "single ticket, adult 1 4.05 EUR -2.42 EUR 1.63 EUR" in text
    assert "pass, child 1 3.00 EUR 0.00 EUR 3.00 EUR" in text
    assert "2026-03-14 1 4.05 EUR 0.00 EUR 4.05 EUR" in text
    assert "2026-03-15 1 3.00 EUR 0.00 EUR 3.00 EUR" in text
    assert "2026-03-20 0 0.00 EUR -2.42 EUR -2.42 EUR" in text
    assert "Daily net revenue (EUR)" in text


def test_the_chart_has_one_bar_per_day_of_the_period_with_the_net_revenue(demo):
    march_sales(demo)
    swa = settled(demo)["SWA"]
    with demo.session_factory() as session:
        statement = statement_of(session, session.get(Settlement, swa.id))
    chart = next(item for item in daily_revenue_chart(statement).contents if isinstance(item, VerticalBarChart))
    assert chart.categoryAxis.categoryNames == [f"03-{day:02d}" for day in range(1, 32)]
    bars = dict(zip(chart.categoryAxis.categoryNames, chart.data[0], strict=True))
    assert {day: value for day, value in bars.items() if value} == {"03-14": 4.32, "03-15": 3.0, "03-20": -2.58}
    page = PdfReader(io.BytesIO(render_statement_pdf(statement))).pages[0]
    drawn = page.get_contents().get_data()
    assert drawn.count(b" re") >= 3  # the bars are rectangles in the page's content stream
    assert "03-14" in page.extract_text() and "03-31" in page.extract_text()


def test_csv_keeps_the_share_lines_and_adds_product_day_and_total_lines(demo):
    single = march_sales(demo)
    rows = settled(demo)["RBA"].statement_csv.splitlines()
    assert rows[0] == "operator_id,period,sale_id,sale_date,sale_period,sale_amount,share,currency"
    sale_id = single["payload"]["sale_id"]
    assert f"RBA,2026-03,{sale_id},2026-03-14,2026-03,8.37,4.05,EUR" in rows
    assert f"RBA,2026-03,{sale_id},2026-03-20,2026-03,-5.00,-2.42,EUR" in rows
    assert "RBA,2026-03,PRODUCT,\"single ticket, adult\",,1,1.63,EUR" in rows
    assert "RBA,2026-03,PRODUCT,\"pass, child\",,1,3.00,EUR" in rows
    assert "RBA,2026-03,DAY,2026-03-20,,0,-2.42,EUR" in rows
    assert "RBA,2026-03,REFUNDS,,,,-2.42,EUR" in rows
    assert "RBA,2026-03,COMMISSION,,,,0.00,EUR" in rows
    assert rows[-1] == "RBA,2026-03,TOTAL,,,,4.63,EUR"


def test_commission_and_clearing_fees_are_the_operators_part_of_what_the_ledger_booked(demo):
    """Booked as clearing does with a commission rule: 10.00 = 0.41 commission + 0.21 fee + 4.69 + 4.69."""
    with demo.session_factory() as session:
        commission = account(session, "commission:app:EUR", "Commission app", "liability", "EUR")
        fees = account(session, "clearing_fees:EUR", "Clearing fees", "revenue", "EUR")
        transaction = post(session, "sale:manual", "Sale with commission", MARCH_14, [
            Line(psp_receivable(session, "EUR"), 1000), Line(commission, -41), Line(fees, -21),
            Line(operator_payable(session, "RBA", "EUR"), -469), Line(operator_payable(session, "SWA", "EUR"), -469)])
        record = ClearingRecord(event_id=new_id(), event_type="SalePaid", sale_id="manual", amount_minor=1000,
                                currency="EUR", sale_period="2026-03", occurred_at=MARCH_14,
                                transaction_id=transaction.id)
        session.add(record)
        session.flush()
        session.add_all(ClearingShare(record_id=record.id, operator_id=op, amount_minor=469, weight_minor=1,
                                      sale_period="2026-03") for op in ("RBA", "SWA"))
        session.commit()
    march = {s.operator_id: s for s in settle_period(demo.uow(), "2026-03", ["RBA", "SWA"], "EUR", MARCH_20)}
    assert march["RBA"].total_minor == march["SWA"].total_minor == 469
    # 0.41 and 0.21 split half and half; the odd cent goes to the earlier id (RBA): the parts add up.
    assert "RBA,2026-03,COMMISSION,,,,0.21,EUR" in march["RBA"].statement_csv
    assert "SWA,2026-03,COMMISSION,,,,0.20,EUR" in march["SWA"].statement_csv
    assert "RBA,2026-03,CLEARING_FEES,,,,0.11,EUR" in march["RBA"].statement_csv
    assert "SWA,2026-03,CLEARING_FEES,,,,0.10,EUR" in march["SWA"].statement_csv
    with demo.session_factory() as session:
        text = pdf_text(render_statement_pdf(statement_of(session, session.get(Settlement, march["RBA"].id))))
    assert "Commission 0.21 EUR" in text and "Clearing fees 0.11 EUR" in text
    assert "unknown 1 4.69 EUR" in text  # no SalePaid in the outbox: the product is unknown


def test_a_late_refund_goes_to_the_next_open_period_and_settling_twice_conflicts(demo):
    single = publish_and_clear(demo, sale_event(837, [("RBA", 450), ("SWA", 480)], paid_at=MARCH_14))
    assert {op: s.total_minor for op, s in settled(demo).items() if s.total_minor} == {"RBA": 405, "SWA": 432}
    with pytest.raises(Conflict):
        settled(demo)
    publish_and_clear(demo, refund_event(single, amount=400, fee=100, at=MARCH_20))  # after March was closed
    april = settled(demo, "2026-04", APRIL_2)
    assert (april["RBA"].total_minor, april["SWA"].total_minor) == (-242, -258)
    assert "RBA,2026-04,REFUNDS,,,,-2.42,EUR" in april["RBA"].statement_csv
    assert april["RBA"].statement_csv.splitlines()[-1] == "RBA,2026-04,TOTAL,,,,-2.42,EUR"
    with demo.session_factory() as session:
        text = pdf_text(render_statement_pdf(statement_of(session, session.get(Settlement, april["RBA"].id))))
    assert "Period: 2026-04" in text and "Total payable -2.42 EUR" in text
    assert "2026-03-20 0 0.00 EUR -2.42 EUR -2.42 EUR" in text
    with pytest.raises(Conflict):
        settled(demo, "2026-04", APRIL_2)


def test_settle_command_writes_csv_and_pdf_per_operator_and_the_payout_file(demo, tmp_path: Path):
    march_sales(demo)
    statements = tmp_path / "out"
    env = {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
           "FAREBRIDGE_DATABASE_URL": demo.settings.database_url,
           "FAREBRIDGE_STATEMENTS_DIR": str(statements), "FAREBRIDGE_BROKER_URL": ""}
    result = CliRunner().invoke(main, ["settle", "--period", "2026-03", "--currency", "EUR"], env=env,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 transfers" in result.output and "9.37 EUR" in result.output
    names = sorted(p.name for p in statements.iterdir())
    assert names == sorted([f"statement_{op}_2026-03.{ext}" for op in ("BVB", "FAE", "RBA", "SWA", "TAL")
                            for ext in ("csv", "pdf")] + ["payouts_2026-03.xml"])
    assert "Total payable 4.63 EUR" in pdf_text((statements / "statement_RBA_2026-03.pdf").read_bytes())
    again = CliRunner().invoke(main, ["settle", "--period", "2026-03", "--currency", "EUR"], env=env)
    assert again.exit_code == 1 and "already settled" in again.output


def test_the_database_labels_products_as_product_label_does(runtime):
    payloads = [
        {"rider_category": "adult"}, {"rider_category": "child", "pass_id": "p1"},
        {"rider_category": "senior", "subscription_id": "s1", "pass_id": "p1"}, {"pass_id": "p2"}, {},
        {"rider_category": "", "pass_id": None, "subscription_id": ""},
        {"rider_category": None, "subscription_id": None},
    ]
    with runtime.session_factory() as session:
        for n, payload in enumerate(payloads):
            session.add(OutboxEvent(id=f"e{n}", type="SalePaid", payload=payload, created_at=MARCH_14,
                                    publish_attempts=0))
        session.commit()
        query, label = product_label_column(session, select(OutboxEvent.id))
        labels = dict(session.execute(query.add_columns(label)).all())
    assert labels == {f"e{n}": product_label(payload) for n, payload in enumerate(payloads)}
    assert set(labels.values()) == {"single ticket, adult", "pass, child", "subscription, senior", "pass",
                                    "single ticket"}


def test_the_database_totals_add_up_to_the_statement_lines(demo):
    march_sales(demo)
    for n in range(5):  # a few more, on several days, with a commission and a clearing fee
        event = sale_event(500 + n * 37, [("RBA", 300), ("SWA", 200 + n)], paid_at=MARCH_15.replace(day=21 + n))
        event["payload"]["apportionment"] = {"method": "standalone_fares", "commission": {"channel": "app",
                                             "rate": "1/50"}, "clearing_fee": {"rate": "1/100", "fixed_minor": 1}}
        publish_and_clear(demo, event)
    settlements = settled(demo, now=datetime(2026, 4, 1, tzinfo=UTC))
    booked = {"commission": 0, "fees": 0}
    for operator_id in ("RBA", "SWA"):
        with demo.session_factory() as session:
            settlement = session.get(Settlement, settlements[operator_id].id)
            statement = statement_of(session, settlement)
            items = list(statement_items(session, settlement))
        assert statement.item_count == len(items) == settlement.sales_count == 8
        assert statement.total_minor == sum(i.share_minor for i in items) == settlement.total_minor
        assert statement.refunds_minor == sum(i.share_minor for i in items if i.kind == "refund") < 0
        assert {d.key: d.net_minor for d in statement.by_day} == {
            day: sum(i.share_minor for i in items if i.day == day) for day in {i.day for i in items}}
        assert sum(p.sales_count for p in statement.by_product) == 7
        booked["commission"] += statement.commission_minor
        booked["fees"] += statement.clearing_fees_minor
    # every operator's part of the commission and fees adds up to what the ledger booked
    with demo.session_factory() as session:
        ledger = {name: -int(session.scalar(
            select(func.sum(LedgerEntry.amount_minor)).join(LedgerAccount)
            .where(LedgerAccount.code.startswith(prefix))) or 0)
            for name, prefix in (("commission", "commission:"), ("fees", "clearing_fees:"))}
    assert booked == ledger and ledger["commission"] > 0 and ledger["fees"] > 0

def test_statement_days_are_utc_days_whatever_the_database_time_zone(demo):
    late_evening = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)  # already the 15th in Berlin
    publish_and_clear(demo, sale_event(837, [("RBA", 450), ("SWA", 480)], paid_at=late_evening))
    rba = settled(demo)["RBA"]
    with demo.session_factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET TIME ZONE 'Europe/Berlin'"))
        statement = statement_of(session, session.get(Settlement, rba.id))
        days = [item.day for item in statement_items(session, session.get(Settlement, rba.id))]
    assert [d.key for d in statement.by_day] == days == ["2026-03-14"]
