"""Replaying one risk scenario through the platform's own services and Celery tasks, with the clock set to each
event's time.

The replay acts as the people of the story would: the issuer files figures and offerings, staff approve and close,
investors register, pass KYC and subscribe with their own card and address. Whatever the platform refuses is
recorded, and the story goes on. Between events the periodic jobs run once a day while an offering is under way,
and once more right before each event, as Celery beat would have run them by then."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal

import time_machine
from celery import current_app as celery_app
from django.conf import settings
from django.db.models import Q
from django.test.utils import override_settings
from django.utils.dateparse import parse_date, parse_datetime

from accounts.services import user_register
from investors.kyc import services as investor_services
from investors.kyc.questionnaire import QUESTIONS
from investors.subscriptions import gateway
from investors.subscriptions.services import subscription_create
from kernel.errors import DomainError
from kernel.permissions import OFFERING_REVIEWER, role_group
from projects import services as project_services
from projects.models import UNDER_WAY_STATUSES, Offering, OfferingStatus, PortfolioCompany
from projects.regimes import regime_for
from risk.models import SEVERITY_RANK, Case, CaseStatus, Severity, Signal, SubjectType
from risk.replay.scenarios import Outcome, ScenarioError

PASSWORD = "replay-Password-2016"
# Reconciliation compares the database with the whole Stripe account, which every replayed scenario shares.
PERIODIC_TASKS_NOT_REPLAYED = {"investors.reconcile_payments"}
BEAT_INTERVAL_WHILE_UNDER_WAY = dt.timedelta(days=1)


def replay(scenario: dict, *, wait_for_tasks: Callable[[], None] = lambda: None) -> Outcome:
    """Tell one scenario's story to the platform in the current database and read the risk review's conclusions.

    `wait_for_tasks` is called after every step; with a real worker it waits until the queue is empty, so that the
    next step sees what the tasks did (with eager tasks there is nothing to wait for)."""
    return _Replay(scenario, wait_for_tasks).run()


def _moment(value: str) -> dt.datetime:
    moment = parse_datetime(value)
    if moment is None or moment.tzinfo is None:
        raise ScenarioError(f"not a date and time with its zone: {value!r}")
    return moment


def _card_number(fingerprint: str) -> str:
    """A Luhn-valid test card number per scenario fingerprint: equal fingerprints give equal cards."""
    digits = "4" + str(int(hashlib.sha256(fingerprint.encode()).hexdigest(), 16))[:14]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


class _Replay:
    def __init__(self, scenario: dict, wait_for_tasks: Callable[[], None]):
        self.scenario = scenario
        self.wait_for_tasks = wait_for_tasks
        self.refusals: list[str] = []
        self.investors: dict[str, object] = {}
        self.payment_methods: dict[str, str] = {}
        self.offerings: list[Offering] = []
        self.staff: list = []
        self.owner = None
        self.issuer = None

    def run(self) -> Outcome:
        # A worker imports every app's tasks when it starts; this process may not have yet.
        celery_app.loader.import_default_modules()
        timeline = self._timeline()
        with (
            override_settings(MICHOU_REGIME=self.scenario.get("regime", "cn")),
            time_machine.travel(timeline[0][0], tick=False) as clock,
        ):
            self.clock = clock
            self._set_up_platform()
            previous = timeline[0][0]
            for moment, is_event, step in timeline:
                if is_event:
                    self._run_beat_between(previous, moment)
                self.clock.move_to(moment)
                if is_event:
                    self._run_periodic_jobs()
                step()
                self.wait_for_tasks()
                previous = moment
            evaluate_at = _moment(self.scenario["evaluate_at"])
            self._run_beat_between(previous, evaluate_at)
            self.clock.move_to(evaluate_at)
            self._run_periodic_jobs()
            return self._conclusions()

    # The story ------------------------------------------------------------------------------------------------

    def _timeline(self) -> list[tuple[dt.datetime, bool, Callable[[], None]]]:
        events = self.scenario["events"]
        start = min(_moment(e["at"]) for e in events) if events else _moment(self.scenario["evaluate_at"])
        steps = [(start - dt.timedelta(seconds=1), False, self._register_issuer)]
        for investor in self.scenario["investors"]:
            steps.append((_moment(investor["registered_at"]), False, lambda i=investor: self._register_investor(i)))
        for event in events:
            handler = getattr(self, f"_on_{event.get('type')}", None)
            if handler is None:
                raise ScenarioError(f"unknown event type {event.get('type')!r}")
            steps.append((_moment(event["at"]), True, lambda e=event, h=handler: h(e)))
        # Registrations come before an event at the same moment; the sort is stable for the rest.
        return sorted(steps, key=lambda step: (step[0], step[1]))

    def _set_up_platform(self) -> None:
        for name in ("replay-staff-a", "replay-staff-b"):
            user, _ = user_register(username=name, email=f"{name}@michou.test", password=PASSWORD, role="investor")
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(role_group(OFFERING_REVIEWER))
            self.staff.append(user)
        for uscc in self.scenario.get("platform_portfolio", []):
            PortfolioCompany.objects.create(uscc=uscc, note="replayed scenario portfolio")

    def _register_issuer(self) -> None:
        company = self.scenario["issuer"]
        self.owner, _ = user_register(
            username="replay-issuer", email="issuer@michou.test", password=PASSWORD, role="issuer"
        )
        stake = Decimal(company.get("platform_stake_pct") or "0")
        self.issuer = project_services.issuer_create(
            owner=self.owner,
            legal_name=company["legal_name"],
            uscc=company["uscc"],
            industry=company.get("industry", ""),
            founded_on=parse_date(company["founded_on"]),
            description=company.get("description", ""),
            related_to_platform=bool(company.get("related_to_platform")),
            platform_stake_pct=stake,
            related_party_note="Stake as declared by the issuer." if stake > 0 else "",
        )

    def _register_investor(self, person: dict) -> None:
        if person["ref"] in self.investors:
            return  # registered early, because an announced commitment named them first
        user, _ = user_register(
            username=f"replay-{person['ref']}",
            email=f"{person['ref']}@michou.test",
            password=PASSWORD,
            role="investor",
        )
        self.investors[person["ref"]] = user
        self._attempt(
            f"kyc {person['ref']}",
            investor_services.kyc_submit,
            user=user,
            real_name=person["real_name"],
            id_number=person["id_number"],
            date_of_birth=parse_date(person["date_of_birth"]),
            phone=person["phone"],
            annual_income=person["annual_income"],
            financial_assets=person["financial_assets"],
        )
        self.wait_for_tasks()
        best_answers = {q.id: max(q.options, key=lambda option: option.points).id for q in QUESTIONS}
        self._attempt(
            f"suitability {person['ref']}", investor_services.suitability_submit, user=user, answers=best_answers
        )
        regime = regime_for(self.scenario.get("regime", "cn"))
        self._attempt(
            f"risk acknowledgement {person['ref']}",
            investor_services.risk_acknowledgement_sign,
            investor=user,
            regime_code=regime.code,
            version=regime.risk_statement.version,
            accepted=True,
            client_ip=person.get("ip"),
        )

    def _on_financials(self, event: dict) -> None:
        for statement in event["statements"]:
            self._attempt(
                f"financials {statement['fiscal_year']} {statement['period']} {statement['kind']}",
                project_services.financial_statement_file,
                issuer=self.issuer,
                by=self.owner,
                fiscal_year=statement["fiscal_year"],
                period=statement["period"],
                kind=statement["kind"],
                revenue=statement["revenue"],
                net_profit=statement["net_profit"],
                total_assets=statement["total_assets"],
                total_liabilities=statement["total_liabilities"],
                operating_cash_flow=statement.get("operating_cash_flow"),
                audited=bool(statement.get("audited")),
            )

    def _on_offering(self, event: dict) -> None:
        terms = dict(event["offering"])
        commitments = [
            {
                "by": commitment["by"],
                "investor": self._investor(commitment["investor"]).pk if commitment.get("investor") else None,
                "amount": commitment["amount"],
            }
            for commitment in terms.pop("announced_commitments", [])
        ]
        for moment in ("opens_at", "closes_at"):
            terms[moment] = _moment(terms[moment])
        offering = self._attempt(
            "offering",
            project_services.offering_create,
            issuer=self.issuer,
            by=self.owner,
            announced_commitments=commitments,
            **terms,
        )
        if offering is not None:
            self.offerings.append(offering)
            # The investors a scenario names stand by their commitments in public: each confirms it.
            for commitment in offering.commitments.filter(investor__isnull=False):
                self._attempt(
                    "commitment",
                    project_services.commitment_accept,
                    commitment_id=commitment.pk,
                    by=commitment.investor,
                )
            self._attempt("submit", project_services.offering_submit, offering=offering, by=self.owner)

    def _on_approve(self, event: dict) -> None:
        for approver in self.staff:
            offering = self._offering()
            if offering is None or offering.status != OfferingStatus.IN_REVIEW:
                return
            if self._attempt("approve", project_services.offering_approve, offering=offering, by=approver) is None:
                return

    def _on_subscribe(self, event: dict) -> None:
        ref = event["investor"]
        person = self._person(ref)
        offering = self._offering()
        if offering is None:
            self.refusals.append(f"subscribe {ref}: no offering")
            return
        self._attempt(
            f"subscribe {ref}",
            subscription_create,
            investor=self._investor(ref),
            offering=offering,
            amount=event["amount"],
            payment_method=self._payment_method(person.get("payment_fingerprint") or f"own-card-{ref}"),
            idempotency_key=f"replay-{ref}-{event['at']}",
            client_ip=person.get("ip"),
            insider_of_issuer=bool(person.get("insider_of_issuer")),
        )

    def _on_update(self, event: dict) -> None:
        offering = self._offering()
        if offering is None:
            self.refusals.append("update: no offering")
            return
        self._attempt(
            "update",
            project_services.offering_update_post,
            offering=offering,
            by=self.owner,
            title=event["title"],
            body=event["body"],
            material_change=bool(event.get("material_change")),
            changes=event.get("changes") or {},
        )

    def _on_close(self, event: dict) -> None:
        offering = self._offering()
        if offering is not None:
            self._attempt("close", project_services.offering_close_early, offering=offering, by=self.staff[0])

    # The platform's side ---------------------------------------------------------------------------------------

    def _person(self, ref: str) -> dict:
        person = next((p for p in self.scenario["investors"] if p["ref"] == ref), None)
        if person is None:
            raise ScenarioError(f"no investor {ref!r} in the scenario")
        return person

    def _investor(self, ref: str):
        """The investor's account; one named before their registration time registers now."""
        if ref not in self.investors:
            self._register_investor(self._person(ref))
        return self.investors[ref]

    def _offering(self) -> Offering | None:
        return Offering.objects.get(pk=self.offerings[-1].pk) if self.offerings else None

    def _payment_method(self, fingerprint: str) -> str:
        if fingerprint not in self.payment_methods:
            self.payment_methods[fingerprint] = gateway.raw_card_payment_method(card_number=_card_number(fingerprint))
        return self.payment_methods[fingerprint]

    def _attempt(self, what: str, service: Callable, **arguments):
        try:
            return service(**arguments)
        except DomainError as refusal:
            fields = f" ({', '.join(sorted(refusal.fields))})" if refusal.fields else ""
            self.refusals.append(f"{what}: {refusal.code}{fields}")
            return None

    def _run_periodic_jobs(self) -> None:
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            if entry["task"] in PERIODIC_TASKS_NOT_REPLAYED:
                continue
            celery_app.tasks[entry["task"]].apply(throw=True)
            self.wait_for_tasks()

    def _run_beat_between(self, start: dt.datetime, end: dt.datetime) -> None:
        moment = start + BEAT_INTERVAL_WHILE_UNDER_WAY
        while moment < end and Offering.objects.filter(status__in=UNDER_WAY_STATUSES).exists():
            self.clock.move_to(moment)
            self._run_periodic_jobs()
            moment += BEAT_INTERVAL_WHILE_UNDER_WAY

    def _conclusions(self) -> Outcome:
        subjects = Q(subject_type=SubjectType.ISSUER, subject_id=self.issuer.pk if self.issuer else 0)
        subjects |= Q(subject_type=SubjectType.OFFERING, subject_id__in=[o.pk for o in self.offerings])
        subjects |= Q(subject_type=SubjectType.INVESTOR, subject_id__in=[u.pk for u in self.investors.values()])
        flagged = Case.objects.filter(
            subjects, status=CaseStatus.OPEN, severity_rank__gte=SEVERITY_RANK[Severity.HIGH]
        ).exists()
        raised = sorted(set(Signal.objects.filter(subjects).values_list("rule", flat=True)))
        expect = self.scenario["expect"]
        expected_rules, not_rules = list(expect.get("rules", [])), list(expect.get("not_rules", []))
        passed = (
            flagged == bool(expect.get("flagged"))
            and set(expected_rules) <= set(raised)
            and not set(not_rules) & set(raised)
        )
        return Outcome(
            id=self.scenario["id"],
            title=self.scenario.get("title", ""),
            passed=passed,
            expected_flagged=bool(expect.get("flagged")),
            flagged=flagged,
            expected_rules=expected_rules,
            not_rules=not_rules,
            raised_rules=raised,
            refusals=self.refusals,
        )
