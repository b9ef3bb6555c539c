"""An engagement's customer account in each ERP, and each work package's delivering legal
entity, stored on both databases; an account recorded while a change order is under way
conflicts with neither; a database of revision 0010 keeps its customer numbers as accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, Table, insert, select
from support.databases import BACKENDS, engine_at_revision

from adapters.persistence.engine import session_factory
from adapters.persistence.migrate import alembic_config, foreign_keys_unenforced, migrate
from domain.engagement import (
    MASTER_DATA_ERP,
    Engagement,
    EngagementStatus,
    ErpCustomerAccount,
    WorkPackage,
)

from .builders import an_engagement


def save(uow_factory, engagement: Engagement) -> None:
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()


def load(uow_factory, engagement_id: str) -> Engagement:
    with uow_factory() as uow:
        found = uow.engagements.get(engagement_id)
    assert found is not None
    return found


def accounts(engagement: Engagement) -> list[tuple[str, str, str]]:
    return [
        (a.erp, a.erp_legal_entity, a.customer_number) for a in engagement.erp_customer_accounts
    ]


def record(uow_factory, engagement_id: str, *recorded: ErpCustomerAccount) -> None:
    with uow_factory() as uow:
        engagement = uow.engagements.get(engagement_id)
        for account in recorded:
            engagement.record_erp_customer(account)
        uow.commit()


@pytest.fixture
def active_engagement(uow_factory) -> Engagement:
    engagement = an_engagement(status=EngagementStatus.PROVISIONING)
    engagement.erp_legal_entity = "GBSI"
    engagement.assign_erp_customer("C-10042")
    engagement.status = EngagementStatus.ACTIVE
    save(uow_factory, engagement)
    return engagement


def test_the_accounts_of_an_engagement_in_each_erp_round_trip(uow_factory, active_engagement):
    record(
        uow_factory,
        active_engagement.id,
        ErpCustomerAccount("netsuite", "GB-SUB-2", "4711"),
        ErpCustomerAccount("legacy", "GB-OU-1", "L-0042"),
    )

    loaded = load(uow_factory, active_engagement.id)
    assert accounts(loaded) == [
        ("legacy", "GB-OU-1", "L-0042"),
        ("netsuite", "GB-SUB-2", "4711"),
        (MASTER_DATA_ERP, "GBSI", "C-10042"),
    ]
    assert loaded.erp_customer_number == "C-10042"


def test_a_new_number_replaces_the_stored_one_and_the_same_again_writes_nothing(
    uow_factory, active_engagement
):
    record(uow_factory, active_engagement.id, ErpCustomerAccount("netsuite", "GB-SUB-2", "4711"))
    record(uow_factory, active_engagement.id, ErpCustomerAccount("netsuite", "GB-SUB-2", "4712"))
    record(uow_factory, active_engagement.id, ErpCustomerAccount("netsuite", "GB-SUB-2", "4712"))

    loaded = load(uow_factory, active_engagement.id)
    assert ("netsuite", "GB-SUB-2", "4712") in accounts(loaded)
    assert len(loaded.erp_customer_accounts) == 2
    assert loaded.version == active_engagement.version


def test_each_work_package_keeps_the_legal_entity_that_delivers_it(uow_factory):
    engagement = an_engagement(packages=("EMEA-1",))
    engagement.work_packages.append(
        WorkPackage("APAC-1", "Rollout APAC", "APAC", delivering_legal_entity_code="SG01")
    )
    save(uow_factory, engagement)

    loaded = load(uow_factory, engagement.id)
    delivered_by = {wp.code: wp.delivering_legal_entity_code for wp in loaded.work_packages}
    assert delivered_by == {"EMEA-1": "", "APAC-1": "SG01"}


# SQLite never interleaves two transactions (the second waits at BEGIN), so only PostgreSQL can.
@pytest.mark.postgres
@pytest.mark.parametrize("migrated_engine", ["postgresql"], indirect=True)
def test_an_account_recorded_while_a_change_order_is_under_way_conflicts_with_neither(
    uow_factory, active_engagement
):
    amending, posting = uow_factory(), uow_factory()
    with amending, posting:
        amending.engagements.get(active_engagement.id).add_work_package(
            WorkPackage("LATAM-1", "Rollout LATAM", "LATAM", delivering_legal_entity_code="BR01")
        )
        posting.engagements.get(active_engagement.id).record_erp_customer(
            ErpCustomerAccount("netsuite", "GB-SUB-2", "4711")
        )
        posting.commit()
        amending.commit()

    loaded = load(uow_factory, active_engagement.id)
    assert [wp.code for wp in loaded.work_packages] == ["EMEA-1", "APAC-1", "LATAM-1"]
    assert ("netsuite", "GB-SUB-2", "4711") in accounts(loaded)
    assert loaded.version == active_engagement.version + 1


@pytest.fixture(params=BACKENDS)
def database_at_0010(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    yield from engine_at_revision(request.param, tmp_path, "0010")


def an_old_engagement(engagement_id: str, customer_number: str | None) -> dict:
    return {
        "id": engagement_id,
        "opportunity_id": f"006-{engagement_id}",
        "account_id": "001-GLOBEX",
        "account_name": "Globex Corporation",
        "legal_entity_code": "GB01",
        "currency": "GBP",
        "billing_method": "time_and_materials",
        "rate_card": {"currency": "GBP", "rates": []},
        "start_date": dt.date(2025, 1, 6),
        "end_date": dt.date(2025, 12, 19),
        "contract_value_currency": "GBP",
        "contract_value_minor_units": 100_000,
        "status": "active" if customer_number else "pending_data",
        "erp_legal_entity": "GBSI" if customer_number else None,
        "erp_customer_number": customer_number,
        "version": 1,
    }


def write_old_rows(engine: Engine) -> None:
    metadata = MetaData()
    engagements = Table("engagements", metadata, autoload_with=engine)
    packages = Table("work_packages", metadata, autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(
            insert(engagements),
            [an_old_engagement("E-ACTIVE", "C-10042"), an_old_engagement("E-PENDING", None)],
        )
        connection.execute(
            insert(packages),
            [
                {"engagement_id": e, "code": "NA", "position": 0, "name": "Rollout", "region": "NA"}
                for e in ("E-ACTIVE", "E-PENDING")
            ],
        )


def loaded_engagements(engine: Engine) -> dict[str, Engagement]:
    with session_factory(engine)() as session:
        return {e.id: e for e in session.scalars(select(Engagement))}


def test_a_customer_number_of_revision_0010_becomes_the_master_data_erps_account(
    database_at_0010,
):
    write_old_rows(database_at_0010)

    migrate(database_at_0010)

    engagements = loaded_engagements(database_at_0010)
    assert accounts(engagements["E-ACTIVE"]) == [(MASTER_DATA_ERP, "GBSI", "C-10042")]
    assert accounts(engagements["E-PENDING"]) == []
    assert engagements["E-ACTIVE"].work_package("NA").delivering_legal_entity_code == ""


def test_revision_0011_downgrades_to_the_single_customer_number(database_at_0010):
    write_old_rows(database_at_0010)
    migrate(database_at_0010, "0011")

    with (
        database_at_0010.connect() as connection,
        foreign_keys_unenforced(connection),
        connection.begin(),
    ):
        command.downgrade(alembic_config(connection), "0010")

    engagements = Table("engagements", MetaData(), autoload_with=database_at_0010)
    with database_at_0010.connect() as connection:
        rows = connection.execute(select(engagements.c.id, engagements.c.erp_customer_number))
        assert dict(rows.all()) == {"E-ACTIVE": "C-10042", "E-PENDING": None}
