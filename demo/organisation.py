"""The demo organisation: a coal company's departments, its people and their roles.

Static data only; nothing here names a real person. `demo.directory` puts it in the store's
directory; the matters people raise are in `demo.topics`.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.actors import Actor, Role
from domain.terms import Channel, Tier


@dataclass(frozen=True)
class Person:
    """Someone who acts on cases: `id` is the actor id recorded on events."""

    id: str
    name: str
    title: str


@dataclass(frozen=True)
class Department:
    """A department of the company and the person who handles its appeals (承办人)."""

    name: str
    english: str
    handler: Person


def _department(name: str, english: str, handler_id: str, handler: str) -> Department:
    return Department(name, english, Person(handler_id, handler, f"{name}承办人"))


DEPARTMENTS = (
    _department("综采一队", "Fully-mechanised Mining Team 1", "guo.peng", "郭鹏"),
    _department("机电科", "Electromechanical Office", "zhao.lei", "赵磊"),
    _department("通风科", "Ventilation Office", "qian.bo", "钱波"),
    _department("安监处", "Safety Supervision", "sun.qiang", "孙强"),
    _department("人力资源部", "Human Resources", "chen.yan", "陈燕"),
    _department("后勤服务中心", "Logistics Service Centre", "liang.hui", "梁辉"),
    _department("财务部", "Finance", "xu.jing", "徐婧"),
    _department("生产技术科", "Production Technology", "luo.wen", "罗文"),
    _department("运输队", "Transport Team", "tang.jun", "唐军"),
    _department("调度中心", "Dispatch Centre", "han.dong", "韩东"),
    _department("工会办公室", "Union Office", "liu.fang", "刘芳"),
    _department("党群工作部", "Party-Masses Work", "yang.xue", "杨雪"),
)
DEPARTMENT_BY_NAME = {d.name: d for d in DEPARTMENTS}

#: Where appellants work, weighted towards the pits and workshops.
HOME_DEPARTMENTS = (
    ("综采一队", 10),
    ("运输队", 5),
    ("机电科", 5),
    ("通风科", 4),
    ("安监处", 2),
    ("生产技术科", 2),
    ("调度中心", 2),
    ("后勤服务中心", 3),
    ("财务部", 1),
    ("人力资源部", 1),
    ("工会办公室", 1),
    ("党群工作部", 1),
)

#: The lead (牵头人) of each tier of the eight-tier talks; supervises (督办) what is raised there.
#: The tests' organisation (`tests/organisation.py`) gives its leads the same positions and ids.
TIER_LEADS = {
    Tier.WORKERS: Person("lead-union-vice-chair", "王建华", "工会副主席"),
    Tier.PARTY_MEMBERS: Person("lead-party-deputy-secretary", "李红梅", "党委副书记"),
    Tier.SAFETY_MONITORS: Person("lead-labour-protection", "赵国强", "工会劳动保护部部长"),
    Tier.TEAM_LEADERS: Person("lead-union-chair", "马德胜", "工会主席"),
    Tier.SAFETY_INSPECTORS: Person("lead-safety-director", "周振华", "安监处处长"),
    Tier.DEPUTY_HEADS: Person("lead-chief-engineer", "吴海涛", "总工程师"),
    Tier.DISTRICT_HEADS: Person("lead-party-secretary", "高振东", "党委书记"),
    Tier.FUNCTIONAL_OFFICES: Person("lead-hr-head", "陈丽", "人力资源部部长"),
}

#: How often each tier's talks bring an appeal (the workers' tier meets most).
TIER_WEIGHTS = {
    Tier.WORKERS: 5,
    Tier.PARTY_MEMBERS: 2,
    Tier.SAFETY_MONITORS: 3,
    Tier.TEAM_LEADERS: 4,
    Tier.SAFETY_INSPECTORS: 2,
    Tier.DEPUTY_HEADS: 2,
    Tier.DISTRICT_HEADS: 2,
    Tier.FUNCTIONAL_OFFICES: 2,
}

UNION_CHAIR = TIER_LEADS[Tier.TEAM_LEADERS]
PARTY_SECRETARY = TIER_LEADS[Tier.DISTRICT_HEADS]  # receives at the 书记接待日
LEGAL_ADVISER = Person("he.jing", "何静", "劳动法律监督员")  # 法律门诊
UNION_STAFF = (
    Person("zhang.min", "张敏", "工会权益保障部干事"),
    Person("liu.fang", "刘芳", "工会办公室干事"),
    Person("song.jia", "宋佳", "工会网格管理员"),
)
PROPOSAL_COMMITTEE = Person("committee.proposals", "提案审查委员会", "职代会提案审查委员会")

#: Who supervises appeals that do not come from a talk session.
CHANNEL_SUPERVISORS = {
    Channel.URGENT: UNION_CHAIR,
    Channel.RECEPTION_DAY: PARTY_SECRETARY,
    Channel.PERFORMANCE_APPEAL: TIER_LEADS[Tier.FUNCTIONAL_OFFICES],
    Channel.CONGRESS_PROPOSAL: UNION_CHAIR,
}
DEFAULT_SUPERVISOR = TIER_LEADS[Tier.WORKERS]

CHANNEL_LABELS = {
    Channel.TALK_SESSION: "慧谈",
    Channel.URGENT: "48小时响应通道",
    Channel.GRID_LIAISON: "网格联络员",
    Channel.DEPARTMENT_LIAISON: "部门联络员",
    Channel.ANONYMOUS_BOX: "匿名意见箱",
    Channel.RECEPTION_DAY: "书记接待日",
    Channel.CONGRESS_PROPOSAL: "职代会提案",
    Channel.PERFORMANCE_APPEAL: "绩效申诉",
    Channel.LEGAL_CLINIC: "法律门诊",
}

#: How often each channel brings an appeal (the talks are the main source).
CHANNEL_WEIGHTS = {
    Channel.TALK_SESSION: 26,
    Channel.URGENT: 5,
    Channel.GRID_LIAISON: 16,
    Channel.DEPARTMENT_LIAISON: 10,
    Channel.ANONYMOUS_BOX: 10,
    Channel.RECEPTION_DAY: 8,
    Channel.CONGRESS_PROPOSAL: 8,
    Channel.PERFORMANCE_APPEAL: 6,
    Channel.LEGAL_CLINIC: 6,
}

_NAMES = (
    "王志刚 李德明 张海军 刘建新 陈国栋 杨立平 赵永强 黄春生 周文斌 吴晓东 "
    "徐长青 孙宝山 胡明亮 朱振宇 高红霞 林秀英 何金龙 郭俊峰 马玉兰 罗浩然 "
    "梁晓燕 宋福贵 郑卫东 谢丽娟 韩雪梅 唐永红 冯少华 于德水 董振华 萧桂芳 "
    "程立新 曹文涛 袁海燕 邓国庆 许秋菊 傅建军 沈凤英 曾庆林 彭小龙 吕春燕 "
    "苏铁柱 卢永福 蒋利民 蔡文静 贾振国 丁桂兰 魏向东 薛红梅 叶志勇 阎金生 "
    "余德胜 潘丽萍 杜宏伟 戴晓明 夏玉珍 钟国华 汪建平 田春雷 任爱华 姜红旗"
)
APPELLANT_NAMES = tuple(_NAMES.split())


def handler_of(department: str) -> Actor:
    """The handler (承办人) of a demo department, acting for it: the department's head in
    the demo's directory, whose code is the department's name."""
    known = DEPARTMENT_BY_NAME[department]
    return Actor(known.handler.id, Role.DEPARTMENT, departments=frozenset({department}))


def supervisor(person_id: str) -> Actor:
    """A demo supervisor (every one of them leads a tier), with the tiers they lead."""
    tiers = frozenset(tier for tier, lead in TIER_LEADS.items() if lead.id == person_id)
    return Actor(person_id, Role.SUPERVISOR, tiers=tiers)
