"""The demo's papers: small PDF and PNG scans drawn here, and the words of the follow-ups."""

from __future__ import annotations

import datetime
import random
import struct
import zlib

from xinfang.cases.models import (
    CaseStatus,
    FollowUpMeans,
)
from xinfang.core import files
from xinfang.demo.people import SEED
from xinfang.demo.spec import RE_REVIEWER, REVIEWER, Spec

# ── Scans: small but real PDF and PNG files ──────────────────────────────────────────────


def pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF with ASCII text lines (Helvetica)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 16 Tf", "72 770 Td"]
    for i, line in enumerate(lines):
        ops.append(f"({escape(line)}) Tj" if i == 0 else f"0 -26 Td ({escape(line)}) Tj")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png(rng: random.Random, width: int = 320, height: int = 220) -> bytes:
    """A grey 'scanned page': a frame and a few lines of 'text' bars."""
    bars = {y: rng.randint(width // 3, width - 40) for y in range(40, height - 30, 18)}
    frame = bytes([60]) * width
    blank = bytes([60]) * 6 + bytes([245]) * (width - 12) + bytes([60]) * 6
    rows = []
    for y in range(height):
        if y < 6 or y >= height - 6:
            row = frame
        else:
            ends = [end for y0, end in bars.items() if y0 <= y < y0 + 7]
            row = blank
            if ends:
                end = max(ends)
                row = blank[:24] + bytes([60]) * (end - 24) + blank[end:]
        rows.append(b"\x00" + row)  # filter type: none
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def pdf_document(case, title: str, name: str, day: datetime.date) -> files.Checked:
    """A scanned paper of the handling (reply, review opinion, …): a one-page demo PDF."""
    return files.Checked(
        content=pdf(
            [
                "DEMO SCAN - not a real document",
                title,
                f"Case {case.unit.code or case.unit_id}-{case.year}-{case.seq:04d}",
                f"Dated {day.isoformat()}",
            ]
        ),
        content_type=files.PDF,
        name=name,
    )


# What an agent writes down after a follow-up, by the case's status and situation: (means,
# contact, what was said); {body} is the handling body, {reviewer} and {re_reviewer} the bodies
# one and two levels up. Several entries: one is picked per case.
P, V, T, L = FollowUpMeans.PHONE, FollowUpMeans.VISIT, FollowUpMeans.PLATFORM, FollowUpMeans.LETTER
FOLLOW_UPS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    (CaseStatus.SUBMITTED, "overdue"): [
        (
            P,
            "县信访局网上信访办理人员",
            "事项网上提交已超过十五日，平台仍显示“待转送”。已电话向县信访局反映，请其尽快转送交办，"
            "并向本单位负责人报告。",
        ),
    ],
    (CaseStatus.SUBMITTED, ""): [
        (
            T,
            "陕西省网上信访大厅",
            "登录平台查询，事项显示“待转送”。电话联系县信访局，对方表示正在审核，近日转送交办。",
        ),
    ],
    (CaseStatus.FORWARDED, ""): [
        (
            P,
            "{body}办公室",
            "电话联系{body}办公室，对方表示已在平台看到转送的事项，正在登记，收到后交承办股室办理。",
        ),
    ],
    (CaseStatus.RECEIVED, "overdue"): [
        (
            P,
            "{body}承办人",
            "{body}收到事项已超过十五日，仍未告知信访人是否受理。已电话督促，对方表示本周内书面告知，"
            "已将情况报告县信访局。",
        ),
    ],
    (CaseStatus.RECEIVED, ""): [
        (
            P,
            "{body}承办人",
            "电话联系{body}承办人，对方已收到事项，正在审查是否属于本机关职责；已提醒应自收到之日起十五日内"
            "告知信访人是否受理。",
        ),
    ],
    (CaseStatus.ACCEPTED, "progress"): [
        (
            P,
            "{body}承办人",
            "电话询问办理进度，{body}承办人称已派员现场调查核实，正在研究处理意见；已提醒在受理之日起"
            "六十日内办结。",
        ),
        (
            T,
            "陕西省网上信访大厅",
            "登录平台查询，事项显示“办理中”。电话联系{body}，对方表示已约谈相关人员、调取资料，"
            "正在形成处理意见。",
        ),
        (
            V,
            "{body}承办股室",
            "到{body}了解办理情况，承办股室已会同村（社区）现场查看，正在核实有关数据；已将进展告知信访人。",
        ),
    ],
    (CaseStatus.ACCEPTED, "overdue"): [
        (
            V,
            "{body}分管负责人",
            "办结期限已过，{body}仍未出具处理意见。已到{body}当面督促，对方称涉及多个部门，正在协调；"
            "已报告县信访局督办。",
        ),
    ],
    (CaseStatus.ACCEPTED, "extended"): [
        (
            P,
            "{body}承办人",
            "{body}已批准延期，延期理由已告知信访人。电话了解核实进展，已提醒在延长的期限内办结并书面答复。",
        ),
    ],
    (CaseStatus.ACCEPTED, ""): [
        (
            P,
            "{body}承办人",
            "电话联系{body}承办人，对方表示处理意见已初步形成，正在履行审批程序，预计近期书面答复；"
            "已将进展告知信访人。",
        ),
    ],
    (CaseStatus.REVIEW_REQUESTED, ""): [
        (
            P,
            "{reviewer}复查承办人员",
            "电话联系复查机关，复查请求已收到，正在调阅原办理材料；已提醒应自收到复查请求之日起三十日内"
            "提出复查意见。",
        ),
    ],
    (CaseStatus.RE_REVIEW_REQUESTED, ""): [
        (
            L,
            "{re_reviewer}复核承办人员",
            "已函询复核机关，复核请求已收到，拟组织听证；已告知信访人听证所需时间不计算在复核期限内。",
        ),
    ],
    ("", ""): [
        (P, "{body}承办人", "电话联系{body}，了解答复意见书送达安排，对方表示近日送达信访人。"),
    ],
}


def _situation(case, stage: str, overdue: bool) -> str:
    if case.status == CaseStatus.ACCEPTED and stage == "progress":
        return "progress"
    if overdue:
        return "overdue"
    if case.status == CaseStatus.ACCEPTED and case.events.filter(action="extend").exists():
        return "extended"
    return ""


def follow_up_text(spec: Spec, case, stage: str, overdue: bool) -> tuple[str, str, str]:
    """(means, contact, what was said) of a follow-up, for the case's status and clock."""
    situation = _situation(case, stage, overdue)
    choices = (
        FOLLOW_UPS.get((case.status, situation)) or FOLLOW_UPS.get((case.status, "")) or FOLLOW_UPS[("", "")]
    )
    means, contact, said = random.Random(f"{SEED}:follow:{spec.title}").choice(choices)
    names = {"body": spec.body, "reviewer": REVIEWER, "re_reviewer": RE_REVIEWER}
    return means, contact.format(**names), said.format(**names)
