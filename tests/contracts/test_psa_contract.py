"""What every PSA promises: project shells created once per external id, removable, and created
afresh after removal.

A lookup added to the port (a project by external id) states its promises here too: found once
created, not found once removed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import attrs

from contracts.builders import a_project


def test_a_project_sent_twice_with_one_external_id_is_one_project(psa):
    assert psa.create_project(a_project("NA")) == psa.create_project(a_project("NA"))


def test_a_project_sent_again_with_new_details_is_the_same_project(psa):
    project_id = psa.create_project(a_project("NA"))
    renamed = attrs.evolve(a_project("NA"), name="Acme Corp - NA rollout, phase 2")
    assert psa.create_project(renamed) == project_id


def test_projects_with_different_external_ids_are_different_projects(psa):
    ids = {
        psa.create_project(a_project("NA")),
        psa.create_project(a_project("EU")),
        psa.create_project(a_project("NA", engagement_id="eng-2")),
    }
    assert len(ids) == 3


def test_a_removed_project_comes_back_under_a_new_id(psa):
    first = psa.create_project(a_project())
    psa.remove_project(first)
    assert psa.create_project(a_project()) != first


def test_removing_a_project_twice_is_harmless_so_compensation_may_be_retried(psa):
    project_id = psa.create_project(a_project())
    psa.remove_project(project_id)
    psa.remove_project(project_id)


def test_removing_one_project_leaves_the_others(psa):
    north_america = psa.create_project(a_project("NA"))
    psa.remove_project(psa.create_project(a_project("EU")))
    assert psa.create_project(a_project("NA")) == north_america


def test_a_project_created_by_many_callers_at_once_is_one_project(psa):
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(lambda _: psa.create_project(a_project()), range(6)))
    assert len(ids) == 1


def test_a_removed_project_created_again_by_many_callers_at_once_is_one_project(psa):
    psa.remove_project(psa.create_project(a_project()))
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(lambda _: psa.create_project(a_project()), range(6)))
    assert len(ids) == 1
