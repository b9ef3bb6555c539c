"""Running the controls, on demand or daily: one control or all, over one legal entity or all;
each report kept as a run."""

from __future__ import annotations

from attrs import frozen

from application.controls.billing_vs_erp import billing_vs_erp
from application.controls.dual_write import dual_write
from application.controls.payments_vs_crm import payments_vs_crm
from application.controls.ports import ControlPorts
from application.controls.psa_vs_billing import psa_vs_billing
from application.controls.report import Control, ControlReport
from application.controls.runs import ControlRun
from domain.errors import LegalEntityNotAllowed
from domain.principal import Principal


@frozen
class Controls:
    ports: ControlPorts

    def run(
        self, control: Control | None = None, legal_entity_code: str = ""
    ) -> list[ControlReport]:
        """Each control asked for (every one when None), each report kept."""
        chosen = [control] if control is not None else list(Control)
        reports = [report for c in chosen for report in self.reports_of(c, legal_entity_code)]
        for report in reports:
            self.ports.runs.add(report)
        return reports

    def reports_of(self, control: Control, legal_entity_code: str) -> list[ControlReport]:
        if control is Control.DUAL_WRITE:
            return dual_write(legal_entity_code, self.ports)
        single = {
            Control.PSA_VS_BILLING: psa_vs_billing,
            Control.BILLING_VS_ERP: billing_vs_erp,
            Control.PAYMENTS_VS_CRM: payments_vs_crm,
        }[control]
        return [single(legal_entity_code, self.ports)]

    def run_daily(self) -> int:
        """For the worker: every control over every legal entity; the variances found."""
        return sum(len(report.variances) for report in self.run())

    def runs(
        self, control: Control | None, legal_entity_code: str, before: int, limit: int
    ) -> list[ControlRun]:
        return self.ports.runs.page(control, legal_entity_code, before, limit)


def check_may_run(caller: Principal, legal_entity_code: str) -> None:
    """A caller limited to some legal entities runs and reads controls of one of them."""
    if not caller.sees(legal_entity_code or "*"):
        raise LegalEntityNotAllowed(
            f"the caller may not run controls over legal entity {legal_entity_code or '*'!r}",
            field="legal_entity_code",
            keys={"legal_entity_code": legal_entity_code},
        )
