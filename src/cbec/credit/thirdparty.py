"""Third-party credit evaluation (第三方信用评价), pure: accredited agencies, signed reports, grade mapping, notches.

An accredited agency's report is a JSON object (agency code, accreditation, method reference, subject credit code,
grade, validity, report number, issue date) signed by the agency: a **detached signature over the report's canonical
JSON** (keys sorted, no spaces, UTF-8), SM2-SM3 or RSA-SHA1, with the agency's certificate (base64 DER). The
certificate must be one the zone registered for that agency (its SHA-256 in the agency list, configuration kind
``agencies``) and valid on the day of import; the signature is checked with the platform's signature verification
(``cbec.messages.signature``). The grade is mapped to the zone's levels by the list's ``grade_levels``; a report
whose level is more than one notch away from the zone's own level opens a review task. No clock, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cbec.common.errors import Problem
from cbec.common.ids import validate_uscc
from cbec.credit.errors import problem
from cbec.messages.signature import SignatureAlgorithm, parse_certificate, signature_verifies

ALGORITHMS = {"SM2-SM3": SignatureAlgorithm.SM2_SM3, "RSA-SHA1": SignatureAlgorithm.RSA_SHA1}
REPORT_FIELDS = (
    "agency",
    "accreditation",
    "method",
    "subject",
    "grade",
    "valid_from",
    "valid_to",
    "report_no",
    "issued_on",
)


@dataclass(frozen=True, slots=True)
class Agency:
    """An accredited credit agency (备案信用服务机构): its accreditation, the methods accepted, its certificates."""

    code: str
    name: str
    accreditation: str
    methods: tuple[str, ...]
    certificates: frozenset[str]  # SHA-256 (hex) of the DER certificates it signs with


@dataclass(frozen=True, slots=True)
class AgencyList:
    """The accredited agencies in force from a day, and how agency grades map to the zone's levels."""

    code: str
    version: str
    effective_from: date
    legal_basis: str
    grade_levels: Mapping[str, str]
    agencies: tuple[Agency, ...]

    def agency(self, code: str) -> Agency | None:
        """Return the agency with that code, or None."""
        return next((a for a in self.agencies if a.code == code), None)


@dataclass(frozen=True, slots=True)
class Report:
    """A checked third-party report."""

    agency: str
    accreditation: str
    method: str
    subject: str
    grade: str
    valid_from: date
    valid_to: date
    report_no: str
    issued_on: date


@dataclass(frozen=True, slots=True)
class Signed:
    """A report's verified signature: algorithm name, certificate digest, signature (base64)."""

    algorithm: str
    certificate_sha256: str
    value: str


def parse_agencies(doc: Mapping[str, Any]) -> tuple[AgencyList | None, list[Problem]]:
    """Return the agency list of its JSON document, or every problem."""
    problems: list[Problem] = []

    def bad(where: str, zh: str, en: str, hint: str) -> None:
        problems.append(problem("CRD-AGENCIES", where, zh, en, hint))

    try:
        code, version = str(doc["code"]), str(doc["version"])
        start = date.fromisoformat(str(doc["effective_from"]))
        grade_levels = {str(k).upper(): str(v) for k, v in dict(doc["grade_levels"]).items()}
        rows = list(doc.get("agencies") or [])
    except (KeyError, ValueError, TypeError) as exc:
        bad(
            "agencies",
            f"机构名单不完整: {exc}",
            f"incomplete agency list: {exc}",
            "Give code, version, effective_from, grade_levels {grade: level} and agencies [].",
        )
        return None, problems
    agencies: list[Agency] = []
    for i, row in enumerate(rows):
        try:
            certificates = frozenset(str(c).lower() for c in row.get("certificates_sha256") or [])
            if any(len(c) != 64 or any(ch not in "0123456789abcdef" for ch in c) for c in certificates):
                raise ValueError("certificates_sha256 are 64 hex digits")
            agencies.append(
                Agency(
                    str(row["code"]),
                    str(row["name"]),
                    str(row["accreditation"]),
                    tuple(str(m) for m in row.get("methods") or []),
                    certificates,
                )
            )
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            bad(
                f"agencies[{i}]",
                f"机构无效: {exc}",
                f"bad agency: {exc}",
                "code, name, accreditation, methods [], certificates_sha256 [].",
            )
    codes = [a.code for a in agencies]
    if len(set(codes)) != len(codes):
        bad("agencies", "机构代码重复", "agency codes repeat", "Name each agency once.")
    if problems:
        return None, problems
    return AgencyList(code, version, start, str(doc.get("legal_basis") or ""), grade_levels, tuple(agencies)), []


def canonical(report: Mapping[str, Any]) -> bytes:
    """Return the bytes an agency signs: the report's JSON with sorted keys, no spaces, UTF-8."""
    return json.dumps(report, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _text(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_report(raw: Any, *, today: date, prefix: str = "") -> tuple[Report | None, list[Problem]]:
    """Check a report's fields (not its signature, not the agency list) and return it, or every problem."""
    if not isinstance(raw, Mapping):
        return None, [
            problem("CRD-TP-FORMAT", prefix + "report", "报告应为对象", "a report is an object", "See docs/credit.md.")
        ]
    problems: list[Problem] = []
    values: dict[str, str] = {}
    for name in REPORT_FIELDS:
        text = _text(raw, name)
        if text is None:
            problems.append(
                problem("CRD-TP-REQUIRED", prefix + name, f"报告缺少 {name}", f"{name} is required", "Fill it in.")
            )
        else:
            values[name] = text
    unknown = sorted(set(raw) - set(REPORT_FIELDS))
    if unknown:
        problems.append(
            problem(
                "CRD-TP-FIELD",
                prefix + unknown[0],
                f"报告含未知字段: {', '.join(unknown)}",
                f"unknown report fields {unknown}",
                f"A report has exactly: {', '.join(REPORT_FIELDS)}.",
            )
        )
    days: dict[str, date] = {}
    for name in ("valid_from", "valid_to", "issued_on"):
        if name in values:
            try:
                days[name] = date.fromisoformat(values[name])
            except ValueError:
                problems.append(
                    problem("CRD-DATE", prefix + name, f"日期格式错误: {values[name]}", "not a date", "YYYY-MM-DD.")
                )
    if "valid_from" in days and "valid_to" in days and days["valid_to"] <= days["valid_from"]:
        problems.append(
            problem(
                "CRD-DATE-ORDER",
                prefix + "valid_to",
                "有效期截止须晚于起始",
                "valid_to must be after valid_from",
                "Give the report's validity.",
            )
        )
    if "issued_on" in days and days["issued_on"] > today:
        problems.append(
            problem(
                "CRD-DECIDED-FUTURE",
                prefix + "issued_on",
                "出具日期晚于今天",
                "issued_on is in the future",
                "Import a report once issued.",
            )
        )
    if "valid_to" in days and days["valid_to"] <= today:
        problems.append(
            problem(
                "CRD-TP-EXPIRED",
                prefix + "valid_to",
                "报告已过有效期",
                "the report is no longer valid",
                "Import a current report.",
            )
        )
    subject = (values.get("subject") or "").upper()
    if subject and [p for p in validate_uscc(subject, field="subject", check_org_code=False) if p.severity == "error"]:
        problems.append(
            problem(
                "CRD-SUBJECT",
                prefix + "subject",
                f"统一社会信用代码无效: {subject}",
                f"not a credit code: {subject!r}",
                "The 18-character unified social credit code.",
            )
        )
    if problems:
        return None, problems
    return Report(
        agency=values["agency"],
        accreditation=values["accreditation"],
        method=values["method"],
        subject=subject,
        grade=values["grade"].upper(),
        valid_from=days["valid_from"],
        valid_to=days["valid_to"],
        report_no=values["report_no"],
        issued_on=days["issued_on"],
    ), []


def check_against_list(report: Report, agencies: AgencyList, prefix: str = "") -> tuple[str | None, list[Problem]]:
    """Return the zone level the report's grade maps to, or the problems: an agency not accredited, another
    accreditation, a method the agency is not accepted for, a grade the list does not map."""
    agency = agencies.agency(report.agency)
    if agency is None:
        return None, [
            problem(
                "CRD-TP-AGENCY",
                prefix + "agency",
                f"非认可的信用服务机构: {report.agency}",
                f"{report.agency!r} is not an accredited agency",
                "Only agencies on the zone's accredited list (configuration kind agencies) are imported.",
            )
        ]
    problems = []
    if report.accreditation != agency.accreditation:
        problems.append(
            problem(
                "CRD-TP-ACCREDITATION",
                prefix + "accreditation",
                "备案编号与名单不符",
                f"accreditation {report.accreditation!r} is not the agency's",
                f"The agency's accreditation is {agency.accreditation}.",
            )
        )
    if agency.methods and report.method not in agency.methods:
        problems.append(
            problem(
                "CRD-TP-METHOD",
                prefix + "method",
                f"评价方法未被认可: {report.method}",
                f"method {report.method!r} is not accepted for this agency",
                f"Use one of: {', '.join(agency.methods)}.",
            )
        )
    level = agencies.grade_levels.get(report.grade)
    if level is None:
        problems.append(
            problem(
                "CRD-GRADE",
                prefix + "grade",
                f"等级无法对应: {report.grade}",
                f"grade {report.grade!r} has no zone level",
                f"Use one of: {', '.join(agencies.grade_levels)}.",
            )
        )
    return (None if problems else level), problems


def check_signature(
    report: Mapping[str, Any], signature: Any, agency: Agency | None, at: datetime, prefix: str = ""
) -> tuple[Signed | None, list[Problem]]:
    """Verify a report's detached signature: a known algorithm, the agency's registered certificate, valid at
    ``at``, and a signature over the report's canonical JSON. Unsigned or badly signed: the problems."""
    where = prefix + "signature"
    if not isinstance(signature, Mapping) or not signature.get("value"):
        return None, [
            problem(
                "CRD-TP-UNSIGNED",
                where,
                "报告未签名",
                "the report is not signed",
                "The agency signs the report's canonical JSON (docs/credit.md).",
            )
        ]
    algorithm = ALGORITHMS.get(str(signature.get("algorithm") or "").upper())
    if algorithm is None:
        return None, [
            problem(
                "CRD-TP-ALGORITHM",
                where + ".algorithm",
                "签名算法不支持",
                f"signature algorithm {signature.get('algorithm')!r} is not accepted",
                "SM2-SM3 or RSA-SHA1.",
            )
        ]
    try:
        der = base64.b64decode(str(signature.get("certificate") or ""), validate=True)
        value = base64.b64decode(str(signature["value"]), validate=True)
        certificate = parse_certificate(der)
    except (binascii.Error, ValueError) as exc:
        return None, [
            problem(
                "CRD-TP-SIGNATURE",
                where,
                "签名或证书格式错误",
                f"the signature or certificate cannot be read: {exc}",
                "Base64 of the DER certificate and of the signature.",
            )
        ]
    fingerprint = hashlib.sha256(der).hexdigest()
    problems = []
    if agency is not None and fingerprint not in agency.certificates:
        problems.append(
            problem(
                "CRD-TP-CERT-UNTRUSTED",
                where + ".certificate",
                "证书未在该机构名下登记",
                f"certificate {fingerprint[:16]}… is not registered for the agency",
                "Register the agency's certificate (its SHA-256) in the accredited agency list.",
            )
        )
    if not certificate.not_before <= at <= certificate.not_after:
        problems.append(
            problem(
                "CRD-TP-CERT-EXPIRED",
                where + ".certificate",
                "证书不在有效期内",
                f"certificate valid {certificate.not_before:%Y-%m-%d} to {certificate.not_after:%Y-%m-%d}",
                "Sign with a current certificate.",
            )
        )
    if not signature_verifies(algorithm, certificate, canonical(report), value):
        problems.append(
            problem(
                "CRD-TP-SIGNATURE",
                where + ".value",
                "签名与报告内容不符",
                "the signature does not match the report",
                "Sign the report's canonical JSON again; do not edit a signed report.",
            )
        )
    if problems:
        return None, problems
    name = next(k for k, v in ALGORITHMS.items() if v is algorithm)
    return Signed(name, fingerprint, base64.b64encode(value).decode("ascii")), []


def notches(levels: Sequence[str], a: str, b: str) -> int:
    """Return how many levels apart two levels are (A and C: 2)."""
    return abs(levels.index(a) - levels.index(b))


def severity_of(level: str, levels: Sequence[str]) -> str:
    """Return the severity a third-party rating is recorded with: positive in the better half, else neutral."""
    return "positive" if levels.index(level) < (len(levels) + 1) // 2 else "neutral"
