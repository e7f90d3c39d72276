"""Every write to issuers, statements and offerings, one module per concern. Views, the API, admin actions and tasks
call these; everything is re-exported here, so `projects.services.X` is the one name callers use.

A module may import only those above it in this order, never the other way round: issuers, statements, terms,
commitments, transitions (the guarded step every lifecycle move takes; private to the package), drafts, review,
updates, lifecycle, holds, post_funding.
"""

from projects.services.commitments import commitment_accept, commitment_decline
from projects.services.drafts import ensure_reports_filed, offering_create, offering_edit_draft
from projects.services.holds import (
    offering_approval_hold_set,
    offering_capacity_release,
    offering_capacity_reserve,
    offering_raised_add,
    offering_raised_add_while_taking_money,
    offering_risk_hold_set,
)
from projects.services.issuers import (
    ensure_manages_issuer,
    issuer_create,
    issuer_edit_by_staff,
    portfolio_company_delete,
    portfolio_company_save,
)
from projects.services.lifecycle import (
    offering_cancel,
    offering_cancel_by_staff,
    offering_close_early,
    offering_finish_closing,
    offerings_close_due,
    offerings_open_due,
)
from projects.services.post_funding import offering_milestones_record, report_reminders_send
from projects.services.review import (
    approvals_required,
    offering_approve,
    offering_reject,
    offering_submission_refusals,
    offering_submit,
)
from projects.services.statements import PERIOD_END_MONTH, financial_statement_file, period_end
from projects.services.terms import (
    MATERIAL_TERMS,
    MONEY_TERMS,
    TERM_FIELDS,
    UPDATABLE_TERMS,
    USE_OF_FUNDS_CATEGORY_LENGTH,
)
from projects.services.updates import offering_update_post

__all__ = [
    "MATERIAL_TERMS",
    "MONEY_TERMS",
    "PERIOD_END_MONTH",
    "TERM_FIELDS",
    "UPDATABLE_TERMS",
    "USE_OF_FUNDS_CATEGORY_LENGTH",
    "approvals_required",
    "commitment_accept",
    "commitment_decline",
    "ensure_manages_issuer",
    "ensure_reports_filed",
    "financial_statement_file",
    "issuer_create",
    "issuer_edit_by_staff",
    "offering_approval_hold_set",
    "offering_approve",
    "offering_cancel",
    "offering_cancel_by_staff",
    "offering_capacity_release",
    "offering_capacity_reserve",
    "offering_close_early",
    "offering_create",
    "offering_edit_draft",
    "offering_finish_closing",
    "offering_milestones_record",
    "offering_raised_add",
    "offering_raised_add_while_taking_money",
    "offering_reject",
    "offering_risk_hold_set",
    "offering_submission_refusals",
    "offering_submit",
    "offering_update_post",
    "offerings_close_due",
    "offerings_open_due",
    "period_end",
    "portfolio_company_delete",
    "portfolio_company_save",
    "report_reminders_send",
]
