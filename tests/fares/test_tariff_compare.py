"""Comparing tariff versions: the sections and fields that differ, and sample journeys priced under both."""
from __future__ import annotations

import json
import textwrap

from fares.cache import pricing_context
from fares.compare import compare_contents, compare_prices, sample_itineraries, value_changes
from fares.models import TariffVersion
from fares.native.v2 import load_native_v2
from fares.services import import_native_tariff
from tests.fares.gtfs.test_fares_v2_loading import BASICS, FARES
from tests.webapp.tariff_files import DEMO_TARIFF, dearer_tariff_without_children


def package(text: str) -> dict:
    return load_native_v2(text, "tariff.json").package


def differing(comparison) -> dict:
    return {s.name: s for s in comparison.sections if s.differs}


def test_a_native_candidate_names_the_fares_and_categories_that_changed():
    comparison = compare_contents("native", package(DEMO_TARIFF), "native",
                                  package(dearer_tariff_without_children().decode()))
    sections = differing(comparison)
    assert set(sections) == {"products", "rider_categories", "caps"}  # the new name is no difference
    (product,) = sections["products"].changed
    assert product.key == "vau-zones"
    assert [(f.path, f.old, f.new) for f in product.fields] == [
        ("fare.fares[zones=4].amount", "5.90", "6.40"), ("fare.fares[zones=5].amount", "7.10", "7.60")]
    assert sections["rider_categories"].removed == ("child",)
    assert sections["rider_categories"].unchanged == 2
    (reduced_cap,) = [c for c in sections["caps"].changed if c.key == "day-cap-reduced"]
    assert [(f.path, f.old, f.new) for f in reduced_cap.fields] == [
        ("rider_categories", '["child", "senior"]', '["senior"]')]


def test_the_same_package_in_another_order_does_not_differ():
    reordered = json.loads(DEMO_TARIFF)
    reordered["rider_categories"].reverse()
    reordered["passes"].reverse()
    comparison = compare_contents("native", package(DEMO_TARIFF), "native", package(json.dumps(reordered)))
    assert not comparison.differs


def test_lists_of_objects_are_matched_by_id_and_plain_values_compared_whole():
    old = {"caps": [{"id": "a", "amount": "1"}, {"id": "b", "amount": "2"}], "modes": ["bus", "tram"]}
    new = {"caps": [{"id": "b", "amount": "3"}, {"id": "a", "amount": "1"}], "modes": ["bus"]}
    assert [(c.path, c.old, c.new) for c in value_changes(old, new)] == [
        ("caps[id=b].amount", "2", "3"), ("modes", '["bus", "tram"]', '["bus"]')]


def gtfs(**changes: str) -> dict:
    files = {name: textwrap.dedent(text).strip() + "\n" for name, text in {**BASICS, **FARES, **changes}.items()}
    return {"files": files}


def test_a_gtfs_candidate_is_compared_row_by_row_by_each_files_key():
    new_products = FARES["fare_products.txt"].replace("single,Single ride,adult,card,2.2,USD",
                                                      "single,Single ride,adult,card,2.40,USD")
    new_media = FARES["fare_media.txt"] + "        app,Mobile app,4\n"
    comparison = compare_contents("gtfs", gtfs(), "gtfs", gtfs(**{"fare_products.txt": new_products,
                                                                  "fare_media.txt": new_media}))
    sections = differing(comparison)
    assert set(sections) == {"fare_products.txt", "fare_media.txt"}
    (changed,) = sections["fare_products.txt"].changed
    assert changed.key == "single / adult / card"
    assert [(f.path, f.old, f.new) for f in changed.fields] == [("amount", "2.2", "2.40")]
    assert sections["fare_media.txt"].added == ("app",)


def test_a_gtfs_stop_counts_by_its_zone_only():
    old_stops = "stop_id,stop_name,zone_id\ns1,One,z1\ns2,Two,z1\n"
    new_stops = "stop_id,stop_name,zone_id\ns1,One renamed,z1\ns2,Two,z2\n"
    sections = differing(compare_contents("gtfs", gtfs(**{"stops.txt": old_stops}), "gtfs",
                                          gtfs(**{"stops.txt": new_stops})))
    (changed,) = sections["stops.txt"].changed
    assert (changed.key, [(f.path, f.old, f.new) for f in changed.fields]) == ("s2", [("zone_id", "z1", "z2")])


def test_sample_journeys_are_priced_under_both_versions(demo):
    with demo.uow() as uow:
        candidate = import_native_tariff(uow.session, dearer_tariff_without_children().decode(), "candidate.json")
        uow.commit()
    with demo.session_factory() as session:
        active = session.query(TariffVersion).filter_by(status="active").one()
        candidate = session.get(TariffVersion, candidate.id)
        itineraries = sample_itineraries(pricing_context(session, candidate.id).network, limit=40)
        assert len({s.legs[0].route_id for s in itineraries}) == 12  # every demo line
        samples = compare_prices(session, active, candidate, itineraries)
        children = compare_prices(session, active, candidate, itineraries[:1], rider_category="child")
    differences = {s.difference_minor for s in samples}
    assert differences <= {0, 50} and 50 in differences  # 4 and 5 zones cost 0.50 more
    assert all(s.active.problem is None and s.candidate.problem is None for s in samples)
    assert children[0].active.total_minor is not None
    assert "unknown rider category 'child'" in children[0].candidate.problem
    assert children[0].difference_minor is None
