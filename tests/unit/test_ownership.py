import pytest

from domain.errors import OwnershipViolation
from domain.ownership import OnlySystemOfRecordMayWrite, OwnershipMatrix, System


def test_only_the_psa_may_approve_time():
    matrix = OwnershipMatrix.default()
    assert not OnlySystemOfRecordMayWrite(matrix, "time_approval", System.PSA).is_broken()
    assert OnlySystemOfRecordMayWrite(matrix, "time_approval", System.CRM).is_broken()


def test_a_write_from_another_system_is_refused_with_the_owner_named():
    with pytest.raises(OwnershipViolation) as error:
        OwnershipMatrix.default().check_write("time_approval", System.CRM)
    assert "owned by psa" in error.value.message
    assert error.value.keys == {"data": "time_approval", "writer": "crm"}


def test_the_matrix_is_data_a_firm_can_configure():
    matrix = OwnershipMatrix({"invoice": System.ERP})
    matrix.check_write("invoice", System.ERP)
    with pytest.raises(OwnershipViolation):
        matrix.check_write("invoice", System.BILLING)


def test_the_default_matrix_keeps_the_crm_from_becoming_a_shadow_erp():
    matrix = OwnershipMatrix.default()
    assert matrix.owner_of("payment") is System.ERP
    assert matrix.owner_of("opportunity") is System.CRM
    assert matrix.owner_of("invoice") is System.BILLING
