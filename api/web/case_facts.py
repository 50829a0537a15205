"""A case's body (what its JSON route answers) as facts a page lists: a label in Chinese
(translated when shown) and the value as text, nested values one line each.

Only the presentation is decided here: which fields a reader sees, and their values, are the
route's body as `api.case_versions` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

from api.web.i18n import Translate
from api.web.rendering import shown_time

#: Field names as a reader calls them (Chinese; the catalogue translates). A field not
#: listed is shown by its name.
LABELS = {
    "id": "编号",
    "case_number": "案件编号",
    "channel": "渠道",
    "kind": "类型",
    "category": "分类",
    "title": "标题",
    "text": "内容",
    "status": "状态",
    "version": "版本",
    "raised_at": "提出时间",
    "department": "部门",
    "responsible_department": "责任部门",
    "reply_deadline": "答复时限",
    "response_deadline": "首次响应时限",
    "answer": "答复",
    "basis": "依据",
    "public_text": "公示内容",
    "rating": "评价",
    "rating_comment": "评价意见",
    "outcome": "结果",
    "closing_note": "办结说明",
    "tier": "层级",
    "urgency": "紧急程度",
    "anonymous": "匿名",
    "appellant": "诉求人",
    "appellant_erased": "诉求人已被遗忘",
    "meeting_id": "所属会议",
    "supervisor": "督办员",
    "transfers": "转办记录",
    "first_response_at": "首次响应时间",
    "reply": "部门答复",
    "published_at": "公示时间",
    "reopen_count": "重新办理次数",
    "implementing_department": "落实部门",
    "adoption_plan": "采纳方案",
    "closed_at": "办结时间",
    "modified_at": "最后变更时间",
    "deadline": "期限",
    "topic": "主题",
    "place": "地点",
    "scheduled_for": "计划时间",
    "minutes": "纪要",
    "decisions": "决定",
    "participants": "参加人",
    "task": "任务",
    "criteria": "验收标准",
    "quarter": "季度",
}
#: What stands for nothing.
NOTHING = "—"


@dataclass(frozen=True)
class Fact:
    """One line of a case's facts: a label and its value's lines (text)."""

    name: str
    label: str
    lines: tuple[str, ...]


def facts_of(body: BaseModel, _: Translate) -> list[Fact]:
    """The body's fields as facts, in the body's order, in the reader's language."""
    values = body.model_dump(mode="python")
    return [Fact(name, _label(name, _), _lines(value, _)) for name, value in values.items()]


def _label(name: str, _: Translate) -> str:
    return _(LABELS[name]) if name in LABELS else name


def _lines(value: Any, _: Translate) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_text(item, _) for item in value) or (NOTHING,)
    return (_text(value, _),)


def _text(value: Any, _: Translate) -> str:
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime):
        return shown_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(k, _)}: {_text(v, _)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_text(item, _) for item in value) or NOTHING
    return str(value)
