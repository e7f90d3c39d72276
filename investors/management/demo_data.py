"""What the demo shows (`manage.py seed_demo`): its companies, offerings, investors, staff and documents, as data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from kernel.permissions import KYC_OFFICER, OFFERING_REVIEWER, RISK_ANALYST, SUPPORT

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
