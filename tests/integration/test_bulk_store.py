"""The rebuild benchmark's store (`bench.bulk_store`): events made in bulk are real events
of the application — the library's own mapper reads every one, each appeal has its own case
number — and a view rebuilt over them holds one row per appeal."""

from __future__ import annotations

from pathlib import Path

from api.bootstrap import Services, build_services
from bench.bulk_store import build_store
from bench.organisation import fill
from domain.appeal import Appeal


def test_a_bulk_store_holds_real_events_each_appeal_its_own(
    services: Services, scratch_url: str, tmp_path: Path
) -> None:
    settings = services.settings.model_copy(
        update={"database_url": scratch_url, "data_dir": tmp_path, "projections": False}
    )
    with build_services(settings) as store:
        fill(store)
        facts = build_store(store, 3_000, penalties=2, slice_appeals=40)
        head = store.views.head()
        recorder, mapper = store.casework.recorder, store.casework.mapper
        events = [mapper.to_domain_event(n) for n in recorder.select_notifications(1, head)]
        replayed = store.views.rebuild("case_index")
        rows = store.views.get("case_index").query("SELECT count(*) AS n FROM case_index", ())

    assert facts.bulk > 0
    assert 3_000 <= facts.events == head == len(events) < 3_010
    assert facts.existing > 0  # the directory's
    numbers = [e.case_number for e in events if isinstance(e, Appeal.Raised)]
    assert len(numbers) == len(set(numbers)) == facts.appeals + 2  # the penalised ones too
    assert replayed > 0
    assert rows[0]["n"] == len(numbers)
    assert "written with COPY" in facts.line()
