"""What the controls read: o2c's storage and ERP ledgers (the billing ports), the PSA's approved
work and the CRM's payment status, and where each run is kept."""

from __future__ import annotations

from attrs import frozen

from application.billing_ports import BillingPorts
from application.controls.runs import ControlRuns
from application.crm_ports import CrmPaymentStatus
from application.psa_work_ports import PsaWork


@frozen
class ControlPorts:
    billing: BillingPorts
    runs: ControlRuns
    psa_work: PsaWork | None = None
    crm_status: CrmPaymentStatus | None = None
    look_back_days: int = 60  # the PSA's approved work compared, by its approval day
