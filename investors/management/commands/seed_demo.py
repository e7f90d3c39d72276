"""Demo data for `make run`, created through the same services as real traffic. Running it again adds nothing."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_register
from investors.kyc import services as investor_services
from investors.subscriptions import gateway, settlement
from investors.subscriptions.services import subscription_create
from kernel.permissions import KYC_OFFICER, OFFERING_REVIEWER, RISK_ANALYST, SUPPORT, role_group
from projects import documents, questions
from projects import selectors as project_selectors
from projects import services as project_services
from projects.models import Offering, StatementPeriod
from projects.regimes import current_regime

# The live offering's data room (kind, title, the lines of its one page; the page font has no Chinese glyphs).
DEMO_DOCUMENTS = [
    ("business_plan", "商业计划书 2026–2028", ["Aurora Smart Home - business plan 2026-2028", "(demo document)"]),
    ("audit_report", "2025 年度审计报告", ["Aurora Smart Home - audit report FY2025", "(demo document)"]),
]


def demo_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica, written out by hand: the demo needs no PDF library to make one."""
    escaped = (line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines)
    text = " ".join(f"({line}) '" for line in escaped)  # each line: move to the next line and show it
    content = f"BT /F1 16 Tf 72 790 Td 22 TL {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


STAFF_USERNAME = "staff"  # a superuser
# One demo staff member per role (README "Security").
STAFF_ROLES = {
    "staff_reviewer": OFFERING_REVIEWER,
    "staff_kyc": KYC_OFFICER,
    "staff_risk": RISK_ANALYST,
    "staff_support": SUPPORT,
}
PASSWORD_FILE = Path(settings.BASE_DIR) / "var" / "demo-password.txt"

COMPANIES = [
    {
        "owner": "issuer_aurora",
        "legal_name": "北京极光智能家居科技有限公司",
        "uscc": "91110108MA01ABCD1E",
        "industry": "smart home",
        "founded_on": date(2015, 4, 1),
        "description": "生态链企业：智能照明与家居传感器，线上渠道为主。",
        "website": "https://aurora.example",
        # (fiscal year, kind, revenue, net profit, total assets, total liabilities, audited)
        "statements": [
            (2023, "historical", "86000000.00", "7200000.00", "120000000.00", "54000000.00", True),
            (2024, "historical", "104000000.00", "9100000.00", "142000000.00", "61000000.00", True),
            (2025, "historical", "121000000.00", "10400000.00", "168000000.00", "70000000.00", True),
            (2026, "projection", "140000000.00", "12500000.00", "190000000.00", "76000000.00", False),
        ],
    },
    {
        "owner": "issuer_aurora",
        "legal_name": "南京青禾健康科技有限公司",
        "uscc": "91320115MA1XYT120W",
        "industry": "health devices",
        "founded_on": date(2017, 9, 12),
        "description": "家用健康监测设备，入驻平台生态链。",
        "website": "",
        "statements": [
            (2024, "historical", "23000000.00", "1100000.00", "30000000.00", "12000000.00", False),
            (2025, "historical", "31000000.00", "1900000.00", "38000000.00", "15000000.00", False),
            (2026, "projection", "40000000.00", "3000000.00", "45000000.00", "17000000.00", False),
        ],
    },
    {
        "owner": "issuer_ridge",
        "legal_name": "深圳云岭出行科技有限公司",
        "uscc": "91440300MA5EQ7K818",
        "industry": "mobility",
        "founded_on": date(2016, 2, 20),
        "description": "电动滑板车与共享出行硬件，平台集团持股。",
        "website": "https://ridge.example",
        "related_to_platform": True,
        "platform_stake_pct": Decimal("12.50"),
        "related_party_note": "平台集团通过投资基金持股 12.5%。",
        "statements": [
            (2024, "historical", "210000000.00", "15000000.00", "260000000.00", "120000000.00", True),
            (2025, "historical", "236000000.00", "17800000.00", "290000000.00", "131000000.00", True),
        ],
    },
    {
        # For the risk queue: a forecast far above its own record, sold with a promised return.
        "owner": "issuer_ridge",
        "legal_name": "杭州暖流热能科技股份有限公司",
        "uscc": "91330106MA2H7Q5X6U",
        "industry": "energy",
        "founded_on": date(2011, 6, 8),
        "description": "热泵节能设备，线下渠道为主。",
        "website": "",
        "statements": [
            (2024, "historical", "182000000.00", "8100000.00", "250000000.00", "115000000.00", True),
            (2025, "historical", "190000000.00", "9000000.00", "262000000.00", "121000000.00", True),
            (2026, "projection", "260000000.00", "31000000.00", "330000000.00", "150000000.00", False),
        ],
    },
]

# Raised about 400 days before the demo is loaded, then reported its actual results: the offering page shows the
# projection filed before the raise against them (below the projection, within the review policy's thresholds).
RAISED_COMPANY = {
    "legal_name": "成都山泉净水科技有限公司",
    "uscc": "91510100MA6C8PQ43F",
    "industry": "water purification",
    "founded_on": date(2014, 5, 6),
    "description": "家用与商用净水设备，西南地区线下渠道为主。",
    "website": "",
}
RAISE_DAYS_AGO = 400

# Each investor pays with a card of their own (a shared card would be read as one person behind two accounts).
DEMO_CARDS = {"investor_li": "4242424242424242", "investor_wang": "4000056655665556"}

INVESTORS = [
    # (username, real name, identity number, birth date, phone, income, assets, outcome)
    (
        "investor_li",
        "李明",
        "110108199003071238",
        date(1990, 3, 7),
        "13800138001",
        "800000.00",
        "5000000.00",
        "verified",
    ),
    (
        "investor_wang",
        "王芳",
        "440305199208153454",
        date(1992, 8, 15),
        "13900139002",
        "260000.00",
        "900000.00",
        "verified",
    ),
    (
        "investor_zhao",
        "赵磊",
        "110101199501014565",
        date(1995, 1, 1),
        "13700137003",
        "150000.00",
        "300000.00",
        "rejected",
    ),
    # Same identity number as investor_li: never verified automatically, waits for staff.
    (
        "investor_li2",
        "李明",
        "110108199003071238",
        date(1990, 3, 7),
        "13800138004",
        "800000.00",
        "5000000.00",
        "pending",
    ),
    ("investor_new", None, None, None, None, None, None, "not_submitted"),
]


class Command(BaseCommand):
    help = "Load the demo data once: staff, issuers with companies and offerings, investors in every KYC state."

    def handle(self, *args, **options):
        password = self._password()
        if User.objects.filter(username=STAFF_USERNAME).exists():
            self.stdout.write("Demo data already loaded.")
        else:
            with transaction.atomic():
                self._seed(password)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"Staff login: {STAFF_USERNAME} / {password}  (http://127.0.0.1:8000/admin/; superuser)\n"
            f"Staff roles: {', '.join(f'{name} ({role})' for name, role in STAFF_ROLES.items())}\n"
            "Issuers: issuer_aurora, issuer_ridge; investors: investor_li, investor_wang, investor_zhao, "
            f"investor_li2, investor_new — all with the same password."
        )

    def _password(self) -> str:
        if PASSWORD_FILE.exists():
            return PASSWORD_FILE.read_text().strip()
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        password = f"michou-{secrets.token_urlsafe(9)}"
        PASSWORD_FILE.write_text(password + "\n")
        return password

    def _seed(self, password: str) -> None:
        staff = User.objects.create_superuser(STAFF_USERNAME, "staff@michou.example", password)
        members = {role: self._staff_member(username, role, password) for username, role in STAFF_ROLES.items()}
        owners = {
            name: user_register(username=name, email=f"{name}@example.com", password=password, role=Role.ISSUER)[0]
            for name in ("issuer_aurora", "issuer_ridge")
        }
        issuers = []
        for spec in COMPANIES:
            spec = dict(spec)
            owner = owners[spec.pop("owner")]
            statements = spec.pop("statements")
            issuer = project_services.issuer_create(owner=owner, **spec)
            for year, kind, revenue, profit, assets, liabilities, audited in statements:
                project_services.financial_statement_file(
                    issuer=issuer,
                    by=owner,
                    fiscal_year=year,
                    period="FY",
                    kind=kind,
                    revenue=revenue,
                    net_profit=profit,
                    total_assets=assets,
                    total_liabilities=liabilities,
                    audited=audited,
                )
            issuers.append(issuer)
        raised_at = timezone.now() - timedelta(days=RAISE_DAYS_AGO)
        with time_machine.travel(raised_at, tick=True):
            # The investors registered long ago, and one company raised money from them back then.
            investors = self._seed_investors(password, staff)
            cards = {name: gateway.raw_card_payment_method(card_number=number) for name, number in DEMO_CARDS.items()}
            raised, raise_year = self._seed_past_raise(owners["issuer_ridge"], staff, investors, cards)
        self._report_actual_results(raised, raise_year)
        live, sold_out = self._seed_offerings(issuers, staff, members[OFFERING_REVIEWER])
        self._subscribe(investors, cards, live, {"investor_li": "1200000.00", "investor_wang": "1000000.00"})
        self._subscribe(investors, cards, sold_out, {"investor_li": "1000000.00", "investor_wang": "1000000.00"})
        self._seed_questions(investors, live)
        self._seed_documents(live)

    def _staff_member(self, username: str, role: str, password: str) -> User:
        member = User.objects.create_user(username, f"{username}@michou.example", password, is_staff=True)
        member.groups.add(role_group(role))
        return member

    def _seed_offerings(self, issuers, staff, second_staff) -> tuple[Offering, Offering]:
        now = timezone.now()
        aurora, qinghe, ridge, warmth = issuers

        def create(issuer, title, opens_in_days, target, maximum, price="10.00", summary=""):
            target, maximum = Decimal(target), Decimal(maximum)
            return project_services.offering_create(
                issuer=issuer,
                by=issuer.owner,
                title=title,
                summary=summary or f"{issuer.legal_name}：本轮融资用于产品研发与渠道建设。",
                security="new_shares",
                price_per_share=Decimal(price),
                pre_money_valuation=target * 20,
                target_amount=target,
                max_amount=maximum,
                min_investment=Decimal("10000.00"),
                opens_at=now + timedelta(days=opens_in_days),
                closes_at=now + timedelta(days=opens_in_days + 30),
                use_of_funds=[
                    {"category": "研发", "amount": target * Decimal("0.6")},
                    {"category": "渠道建设", "amount": target * Decimal("0.4")},
                ],
                risk_factors="股权投资可能损失全部本金；股份流动性差，退出渠道有限。",
            )

        # The risk review holds its approval: see the case queue in the admin.
        warm = create(
            warmth,
            "暖流热能产能扩张众筹",
            5,
            "4000000.00",
            "6000000.00",
            summary="本项目保本保收益，年化回报不低于15%。",
        )
        project_services.offering_submit(offering=warm, by=warmth.owner)

        live = create(aurora, "极光智能家居 A 轮股权众筹", -1, "3000000.00", "4500000.00")
        project_services.offering_submit(offering=live, by=aurora.owner)
        project_services.offering_approve(offering=live, by=staff, note="Demo: reviewed.")

        # Opens two minutes after seeding: the periodic job makes it live.
        soon = create(qinghe, "青禾健康设备扩产众筹", 2 / (24 * 60), "1000000.00", "1500000.00")
        project_services.offering_submit(offering=soon, by=qinghe.owner)
        project_services.offering_approve(offering=soon, by=staff)

        tied = create(ridge, "云岭出行 B 轮（关联方）", 3, "8000000.00", "10000000.00", price="20.00")
        project_services.offering_submit(offering=tied, by=ridge.owner)
        project_services.offering_approve(offering=tied, by=staff, note="First of two approvals.")

        in_review = create(aurora, "极光智能照明新品线众筹", 10, "2000000.00", "2500000.00")
        project_services.offering_submit(offering=in_review, by=aurora.owner)

        rejected = create(qinghe, "青禾海外渠道众筹", 15, "1500000.00", "2000000.00")
        project_services.offering_submit(offering=rejected, by=qinghe.owner)
        project_services.offering_reject(offering=rejected, by=second_staff, reason="Demo: use of funds too vague.")

        create(ridge, "云岭出行 C 轮（草稿）", 40, "5000000.00", "6000000.00")

        # Sold out by the demo investors (see `_subscribe`).
        sold_out = create(qinghe, "青禾健康家用监测仪众筹", -2, "1500000.00", "2000000.00")
        project_services.offering_submit(offering=sold_out, by=qinghe.owner)
        project_services.offering_approve(offering=sold_out, by=staff)
        return live, sold_out

    def _seed_past_raise(self, owner, staff, investors, cards):
        """A company that filed a projection, raised, closed and settled (the clock is set back by the caller)."""
        issuer = project_services.issuer_create(owner=owner, **RAISED_COMPANY)
        year = timezone.now().year
        for fiscal_year, kind, revenue, profit in (
            (year - 1, "historical", "48000000.00", "3600000.00"),
            (year, "projection", "56000000.00", "4800000.00"),
        ):
            project_services.financial_statement_file(
                issuer=issuer,
                by=owner,
                fiscal_year=fiscal_year,
                period="FY",
                kind=kind,
                revenue=revenue,
                net_profit=profit,
                total_assets="70000000.00",
                total_liabilities="30000000.00",
                audited=True,
            )
        now = timezone.now()
        target = Decimal("2000000.00")
        offering = project_services.offering_create(
            issuer=issuer,
            by=owner,
            title="山泉净水产线升级众筹",
            summary="本轮融资用于新产线与售后网点。",
            security="new_shares",
            price_per_share=Decimal("10.00"),
            pre_money_valuation=target * 20,
            target_amount=target,
            max_amount=Decimal("2500000.00"),
            min_investment=Decimal("10000.00"),
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=30),
            use_of_funds=[
                {"category": "新产线", "amount": Decimal("1400000.00")},
                {"category": "售后网点", "amount": Decimal("600000.00")},
            ],
            risk_factors="股权投资可能损失全部本金；股份流动性差，退出渠道有限。",
        )
        project_services.offering_submit(offering=offering, by=owner)
        project_services.offering_approve(offering=offering, by=staff, note="Demo: reviewed.")
        self._subscribe(investors, cards, offering, {"investor_li": "1300000.00", "investor_wang": "1000000.00"})
        with time_machine.travel(offering.closes_at + timedelta(minutes=5), tick=True):
            settlement.offering_settle(offering_id=offering.pk)
        return issuer, year

    def _report_actual_results(self, issuer, fiscal_year: int) -> None:
        """The raise year's actual results, below the projection investors were shown but within the policy, and
        every half-year report due since, on the same track: a company that keeps its post-funding duties."""
        project_services.financial_statement_file(
            issuer=issuer,
            by=issuer.owner,
            fiscal_year=fiscal_year,
            period="FY",
            kind="actual",
            revenue="50400000.00",
            net_profit="3100000.00",
            total_assets="74000000.00",
            total_liabilities="31000000.00",
            audited=True,
        )
        for duty in project_selectors.report_duties(issuer_ids=[issuer.pk]):
            if duty.period == StatementPeriod.H1 and duty.status != project_selectors.DutyStatus.FILED:
                project_services.financial_statement_file(
                    issuer=issuer,
                    by=issuer.owner,
                    fiscal_year=duty.fiscal_year,
                    period=StatementPeriod.H1,
                    kind="actual",
                    revenue="26100000.00",
                    net_profit="1700000.00",
                    total_assets="76000000.00",
                    total_liabilities="31500000.00",
                    audited=False,
                )

    def _subscribe(self, investors, cards, offering, amounts: dict[str, str]) -> None:
        for name, amount in amounts.items():
            subscription_create(
                investor=investors[name],
                offering=offering,
                amount=Decimal(amount),
                payment_method=cards[name],
                idempotency_key=f"demo-{offering.pk}-{name}",
            )

    def _seed_questions(self, investors, offering) -> None:
        offering.refresh_from_db()
        answered = questions.question_ask(
            offering=offering, by=investors["investor_li"], text="2025 年线上渠道收入占比是多少？"
        )
        questions.question_answer(
            question=answered, by=offering.issuer.owner, text="约 70%，其余来自线下经销商；年报中有明细。"
        )
        questions.question_ask(offering=offering, by=investors["investor_wang"], text="本轮资金何时开始用于研发？")

    def _seed_documents(self, offering) -> None:
        """The live offering's data room: real PDFs, uploaded through the service that checks them."""
        for kind, title, lines in DEMO_DOCUMENTS:
            documents.document_upload(
                offering=offering, by=offering.issuer.owner, kind=kind, title=title,
                file=ContentFile(demo_pdf(lines), name="demo.pdf"),
            )  # fmt: skip

    def _seed_investors(self, password: str, staff) -> dict:
        investors = {}
        for username, real_name, number, born, phone, income, assets, outcome in INVESTORS:
            user, _api_key = user_register(
                username=username, email=f"{username}@example.com", password=password, role=Role.INVESTOR
            )
            investors[username] = user
            if outcome == "not_submitted":
                continue
            kyc = investor_services.kyc_submit(
                user=user,
                real_name=real_name,
                id_number=number,
                date_of_birth=born,
                phone=phone,
                annual_income=income,
                financial_assets=assets,
            )
            if outcome == "rejected":
                investor_services.kyc_review(
                    kyc=kyc, by=staff, approve=False, reason="Demo: identity photo unreadable."
                )
            else:
                investor_services.kyc_check_identity(kyc_id=kyc.pk)
            if outcome == "verified":
                investor_services.suitability_submit(
                    user=user,
                    answers={
                        "experience": "long",
                        "unlisted_equity": "several",
                        "loss_tolerance": "limited",
                        "horizon": "over_5y",
                        "share_of_assets": "under_10",
                        "knowledge": "total_loss",
                    },
                )
                regime = current_regime()
                investor_services.risk_acknowledgement_sign(
                    investor=user, regime_code=regime.code, version=regime.risk_statement.version, accepted=True
                )
        return investors
