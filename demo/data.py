"""The demo organisation: a coal company's departments, people and the matters they raise.

Static data only; `demo.appeals` turns it into appeals. Nothing here names a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.actors import Actor, Role
from domain.terms import Channel, Kind, Tier, Urgency


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


@dataclass(frozen=True)
class Topic:
    """A kind of matter employees raise, with how the responsible department answers it."""

    kind: Kind
    category: str
    department: str
    channels: tuple[Channel, ...]
    titles: tuple[str, ...]
    text: str  # `{dept}` is the appellant's own department
    answer: str
    basis: str  # 依据: the rule or policy the answer rests on
    public: str  # the published answer (公示); never names anyone
    urgency: Urgency = Urgency.NORMAL
    plan: str = ""  # suggestions: how it is implemented once adopted
    decline: str = ""  # suggestions: the reasoned explanation (论证说明) when declined


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

_TALK = Channel.TALK_SESSION
_URGENT = Channel.URGENT
_GRID = Channel.GRID_LIAISON
_DEPT = Channel.DEPARTMENT_LIAISON
_ANON = Channel.ANONYMOUS_BOX
_RECEPTION = Channel.RECEPTION_DAY
_CONGRESS = Channel.CONGRESS_PROPOSAL
_PERFORMANCE = Channel.PERFORMANCE_APPEAL
_LEGAL = Channel.LEGAL_CLINIC

_PLAN = "经职代会提案审查委员会审议采纳，"
_DECLINE = "经提案审查委员会论证："

TOPICS = (
    Topic(
        Kind.COMPLAINT,
        "食堂",
        "后勤服务中心",
        (_TALK, _GRID, _DEPT, _ANON, _RECEPTION),
        ("井口食堂夜班饭菜不热、品种单一", "夜班升井后食堂已停止供餐"),
        "{dept}夜班职工反映：零点班升井后井口食堂饭菜多为凉菜，热菜常已售完，品种长期不变。",
        "已调整井口食堂夜班供餐：增设保温售餐台，零点班热菜供应延至凌晨2点，每周更新菜谱。",
        "《职工食堂管理办法》第八条（倒班职工就餐保障）",
        "井口食堂已增设保温售餐台，零点班热菜供应延长至凌晨2点，菜谱每周公布。",
    ),
    Topic(
        Kind.SUGGESTION,
        "食堂",
        "后勤服务中心",
        (_TALK, _CONGRESS, _ANON, _GRID),
        ("建议为综采工作面提供保温班中餐", "建议井下班中餐送餐到工作面"),
        "{dept}职工建议：工作面距井口远，班中餐送到时已凉，建议配保温桶并按班次定点送餐。",
        "同意试行班中餐保温送餐。",
        "《职工食堂管理办法》第十二条；职代会提案办理程序",
        "班中餐保温送餐方案已采纳，先在综采工作面试行一个月。",
        plan=_PLAN + "由后勤服务中心采购保温送餐桶，先在综采一队工作面试行一个月后推广。",
        decline=_DECLINE + "井下送餐须经安全评估，现有运输能力不足，本年度暂不具备条件，"
        "改为升井后加餐补贴。",
    ),
    Topic(
        Kind.QUESTION,
        "夜班津贴",
        "人力资源部",
        (_TALK, _GRID, _DEPT, _ANON),
        ("夜班津贴标准是多少、如何计算", "夜班津贴按小时还是按班次计发"),
        "{dept}职工询问：夜班津贴的发放标准和计算方法，跨零点的班次如何认定为夜班。",
        "夜班津贴按实际下井班次计发，零点班每班40元，四点班每班25元，跨零点班次按零点班认定。",
        "《薪酬管理办法》第二十一条（夜班津贴）",
        "夜班津贴按实际下井班次计发：零点班每班40元，四点班每班25元；跨零点班次按零点班认定。",
    ),
    Topic(
        Kind.COMPLAINT,
        "夜班津贴",
        "财务部",
        (_GRID, _DEPT, _ANON, _RECEPTION),
        ("上月夜班津贴少发", "夜班津贴未随工资一并发放"),
        "{dept}多名职工反映：上月夜班津贴比考勤记录少发3至5个班次，问班组长说不清楚。",
        "经核对考勤系统，上月部分班次考勤数据未同步，少发津贴已于本月工资中补发。",
        "《薪酬管理办法》第二十一条；《考勤管理规定》第六条",
        "经核查为考勤数据未同步所致，少发夜班津贴已随本月工资补发，并已完善数据核对流程。",
    ),
    Topic(
        Kind.COMPLAINT,
        "劳保用品",
        "安监处",
        (_TALK, _GRID, _DEPT, _ANON),
        ("防尘口罩、手套更换不及时", "矿灯电池续航不足未及时更换"),
        "{dept}职工反映：防尘口罩滤棉按规定应每班更换，现在要一周才领一次，手套也常断码。",
        "已核实劳保发放台账，恢复防尘滤棉每班发放，手套补齐各尺码并建立缺码预警。",
        "《劳动防护用品配备标准》；《煤矿安全规程》第六百四十条",
        "已恢复防尘滤棉每班发放，手套各尺码已补齐，劳保发放台账每月公示。",
    ),
    Topic(
        Kind.SUGGESTION,
        "安全生产",
        "通风科",
        (_TALK, _CONGRESS, _DEPT),
        ("建议回风巷增设喷雾降尘装置", "建议转载点加装自动洒水"),
        "{dept}职工建议：回风巷转载点粉尘大，建议加装触控式自动喷雾，减少人工洒水。",
        "同意在回风巷转载点加装自动喷雾降尘装置。",
        "《煤矿安全规程》第六百四十五条（综合防尘）",
        "回风巷转载点加装自动喷雾降尘装置的建议已采纳，由通风科组织实施。",
        plan=_PLAN + "由通风科编制方案、机电科配合安装，下月底前完成三处转载点改造。",
        decline=_DECLINE + "该处已列入下季度综合防尘系统整体改造，单独加装将重复投资，"
        "改造前由通风科加密人工洒水。",
    ),
    Topic(
        Kind.HARDSHIP,
        "工伤维权",
        "人力资源部",
        (_URGENT, _LEGAL),
        ("井下作业受伤，工伤认定材料不会准备", "工伤认定申请逾期担心无法认定"),
        "{dept}职工在井下检修时手部受伤住院，家属不清楚工伤认定需要哪些材料、找谁办理。",
        "人力资源部已派专人对接，代为收集事故报告、诊断证明，已向人社部门提交工伤认定申请。",
        "《工伤保险条例》第十七条、第十八条",
        "受伤职工的工伤认定申请已由人力资源部代为提交，工会全程跟进。",
        urgency=Urgency.HIGH,
    ),
    Topic(
        Kind.HARDSHIP,
        "家庭变故帮扶",
        "工会办公室",
        (_URGENT, _RECEPTION, _GRID),
        ("家属突发重病，急需帮扶", "家中房屋因暴雨受损，生活困难"),
        "{dept}职工家中突发变故，家属住院需大额医疗费，本人工资难以负担，申请困难帮扶。",
        "工会已上门慰问，发放临时救助金，并纳入困难职工帮扶档案，协助办理大病医疗互助报销。",
        "《困难职工帮扶管理办法》第九条；职工医疗互助保障章程",
        "已按困难职工帮扶程序上门慰问并发放临时救助金，后续帮扶持续跟进。",
        urgency=Urgency.CRITICAL,
    ),
    Topic(
        Kind.COMPLAINT,
        "工伤待遇",
        "财务部",
        (_URGENT, _LEGAL),
        ("停工留薪期工资未按时发放", "工伤医疗费报销迟迟不到账"),
        "{dept}职工工伤后处于停工留薪期，本月工资未按原标准发放，家庭生活受影响。",
        "经核查，停工留薪期工资已按原工资福利待遇补发，今后按月足额发放。",
        "《工伤保险条例》第三十三条（停工留薪期待遇）",
        "停工留薪期工资已按原工资福利待遇补发，今后按月足额发放。",
        urgency=Urgency.HIGH,
    ),
    Topic(
        Kind.HARDSHIP,
        "大病救助",
        "工会办公室",
        (_RECEPTION, _TALK, _GRID, _ANON),
        ("子女患重病，医疗费用负担重", "本人慢性病长期用药，申请救助"),
        "{dept}职工反映：子女确诊重病需长期治疗，医保报销后自付部分仍很大，申请大病救助。",
        "工会已按大病救助标准审核发放救助金，并协助申请职工医疗互助二次报销。",
        "《困难职工帮扶管理办法》第十一条（大病救助）",
        "已按大病救助标准审核发放救助金，并协助办理职工医疗互助二次报销。",
    ),
    Topic(
        Kind.QUESTION,
        "培训取证",
        "人力资源部",
        (_TALK, _DEPT, _GRID),
        ("采煤机司机取证培训名额如何分配", "特种作业证复审培训何时安排"),
        "{dept}职工询问：今年采煤机司机取证培训名额怎么分配，没排上的什么时候能参加。",
        "取证培训按各队持证缺口分配名额，本批未安排人员已列入下季度培训计划并逐一通知。",
        "《年度职工教育培训计划》；《特种作业人员安全技术培训考核管理规定》",
        "取证培训名额按各队持证缺口分配，未安排人员已列入下季度培训计划。",
    ),
    Topic(
        Kind.SUGGESTION,
        "技能培训",
        "人力资源部",
        (_CONGRESS, _TALK),
        ("建议设立师带徒津贴", "建议开展井下实操技能比武"),
        "{dept}职工建议：新工人下井前师带徒缺少激励，建议设立师带徒津贴并与出师考核挂钩。",
        "同意设立师带徒津贴。",
        "《职工教育培训管理办法》第十五条；职代会提案办理程序",
        "设立师带徒津贴的建议已采纳，由人力资源部制定实施细则。",
        plan=_PLAN + "由人力资源部制定师带徒津贴细则，按出师考核结果发放，下季度起执行。",
        decline=_DECLINE + "师带徒激励已在新修订的《技能人才评价办法》中统一设置，不再另设津贴。",
    ),
    Topic(
        Kind.COMPLAINT,
        "绩效考核",
        "人力资源部",
        (_PERFORMANCE,),
        ("对月度绩效考核评为C级不认可", "绩效扣分未告知原因"),
        "{dept}职工对上月绩效考核结果有异议：被扣安全分5分，但当班并无违章记录，申请复核。",
        "经复核考核记录，扣分所依据的违章记录与本人不符，已撤销扣分，考核等级调整为B级。",
        "《绩效考核管理办法》第二十六条（绩效申诉与复核）",
        "经复核，原考核扣分依据有误，已撤销扣分并调整考核等级。",
    ),
    Topic(
        Kind.QUESTION,
        "绩效考核",
        "人力资源部",
        (_PERFORMANCE, _TALK),
        ("绩效系数是怎么计算的", "班组绩效二次分配规则不清楚"),
        "{dept}职工询问：班组绩效二次分配的系数怎么定，为什么同岗位系数不一样。",
        "二次分配系数由岗位系数、出勤和安全质量考核构成，细则已在班组公示栏公开。",
        "《绩效考核管理办法》第十四条；《班组二次分配指导意见》",
        "班组绩效二次分配系数由岗位、出勤、安全质量三部分构成，细则已在班组公示栏公开。",
    ),
    Topic(
        Kind.HARDSHIP,
        "住房",
        "后勤服务中心",
        (_RECEPTION, _GRID, _ANON),
        ("新入职职工租房困难，申请单身宿舍", "单身宿舍冬季暖气不热"),
        "{dept}新入职职工反映：矿区附近租房价格高，单身宿舍排队时间长，申请尽快安排住宿。",
        "已按入职时间和倒班情况排序，安排入住单身公寓，并对排队职工发放临时租房补贴。",
        "《职工宿舍管理办法》第五条；《新入职员工安置办法》",
        "单身宿舍已按入职时间和倒班情况排序安置，排队期间发放临时租房补贴。",
    ),
    Topic(
        Kind.SUGGESTION,
        "住房",
        "后勤服务中心",
        (_CONGRESS, _TALK),
        ("建议单身公寓加装洗衣房", "建议职工公寓增设晾衣区"),
        "{dept}职工建议：单身公寓每层加装公共洗衣机和烘干机，解决工作服清洗难问题。",
        "同意在单身公寓增设公共洗衣房。",
        "《职工宿舍管理办法》第十条；职代会提案办理程序",
        "单身公寓增设公共洗衣房的建议已采纳，由后勤服务中心组织实施。",
        plan=_PLAN + "由后勤服务中心在单身公寓一至三号楼各设一处洗衣房，两个月内完成。",
        decline=_DECLINE + "工作服已由洗衣厂统一清洗，公寓楼配电容量不足，加装需改造线路，"
        "本年度暂不实施。",
    ),
    Topic(
        Kind.COMPLAINT,
        "通勤车",
        "运输队",
        (_GRID, _DEPT, _ANON, _TALK, _RECEPTION),
        ("通勤车发车时间与交接班不衔接", "通勤车经常超员"),
        "{dept}职工反映：早班通勤车6点10分发车，交接班在6点半，到矿后要等很久；末班车又赶不上。",
        "已按各队交接班时间重排通勤车时刻表，早班发车调整为5点50分，增开一班末班车。",
        "《通勤车辆运行管理规定》第七条",
        "通勤车时刻表已按交接班时间重排，早班发车调整为5点50分，增开一班末班车。",
    ),
    Topic(
        Kind.SUGGESTION,
        "通勤车",
        "运输队",
        (_CONGRESS, _GRID, _ANON),
        ("建议增开至新城区的通勤线路", "建议通勤车安装定位查询"),
        "{dept}职工建议：新城区居住职工增多，建议增开新城区通勤线路，方便上下班。",
        "同意增开新城区通勤线路。",
        "《通勤车辆运行管理规定》第四条；职代会提案办理程序",
        "增开新城区通勤线路的建议已采纳，由运输队组织实施。",
        plan=_PLAN + "由运输队调研乘车需求，下月起试开新城区线路早晚各一班。",
        decline=_DECLINE + "经统计新城区乘车需求不足一车，暂通过调整现有线路绕行站点解决。",
    ),
    Topic(
        Kind.QUESTION,
        "劳动合同",
        "人力资源部",
        (_LEGAL, _RECEPTION),
        ("劳动合同到期如何续签", "连续工作满十年能否签无固定期限合同"),
        "{dept}职工咨询：在矿工作已满十年，合同下月到期，能否签订无固定期限劳动合同。",
        "符合连续工作满十年条件的，本人提出即签订无固定期限劳动合同，人力资源部已安排签订。",
        "《劳动合同法》第十四条",
        "连续工作满十年的职工，本人提出即可签订无固定期限劳动合同。",
    ),
    Topic(
        Kind.QUESTION,
        "加班与休假",
        "人力资源部",
        (_LEGAL, _DEPT, _ANON),
        ("法定节假日加班工资如何计算", "年休假因生产任务未休能否折算"),
        "{dept}职工咨询：春节期间连续上班，法定节假日加班工资如何计算，未休年休假能否折算工资。",
        "法定节假日加班按日工资300%计发；因生产需要未休年休假的，按日工资300%折算补偿。",
        "《劳动法》第四十四条；《职工带薪年休假条例》第五条",
        "法定节假日加班按日工资300%计发；因生产需要未休的年休假按日工资300%折算。",
    ),
    Topic(
        Kind.QUESTION,
        "社保公积金",
        "财务部",
        (_LEGAL, _DEPT, _GRID),
        ("住房公积金缴存基数何时调整", "异地就医备案怎么办理"),
        "{dept}职工询问：住房公积金缴存基数今年何时调整，调整后个人部分扣多少。",
        "公积金缴存基数每年7月按上年度月平均工资调整，个人与单位缴存比例均为12%。",
        "《住房公积金管理条例》第十六条；本地公积金年度调整通知",
        "住房公积金缴存基数每年7月按上年度月平均工资调整，缴存比例为12%。",
    ),
    Topic(
        Kind.COMPLAINT,
        "浴室",
        "后勤服务中心",
        (_TALK, _GRID, _ANON, _DEPT),
        ("井口浴室热水不足", "浴室更衣柜损坏无人维修"),
        "{dept}职工反映：交接班高峰时井口浴室热水不够，后面升井的职工只能用温水洗澡。",
        "已对浴室换热器进行检修扩容，交接班高峰时段增开一台热水机组。",
        "《后勤服务质量标准》第三章（浴室管理）",
        "井口浴室换热器已检修扩容，交接班高峰增开一台热水机组。",
    ),
    Topic(
        Kind.COMPLAINT,
        "作业环境",
        "通风科",
        (_TALK, _GRID, _ANON),
        ("工作面温度高、风量不足", "掘进迎头粉尘浓度高"),
        "{dept}职工反映：夏季回采工作面温度超过30度，风量不足，作业人员容易中暑。",
        "通风科已实测风量并调整风门，工作面风量提高15%，并配发防暑降温用品。",
        "《煤矿安全规程》第六百五十五条（井下温度）",
        "工作面风量已调整提高15%，温度降至规程要求以内，已配发防暑降温用品。",
    ),
    Topic(
        Kind.COMPLAINT,
        "设备检修",
        "机电科",
        (_TALK, _DEPT),
        ("主运皮带机频繁停机，检修不及时", "液压支架漏液报修无人处理"),
        "{dept}职工反映：主运皮带机近期频繁停机，报修后检修人员到场慢，影响生产和计件收入。",
        "机电科已更换老化托辊和驱动滚筒，建立皮带机故障30分钟到场响应制度。",
        "《机电设备检修管理制度》第九条",
        "主运皮带机老化部件已更换，建立故障30分钟到场响应制度。",
    ),
    Topic(
        Kind.SUGGESTION,
        "设备管理",
        "机电科",
        (_TALK, _CONGRESS, _DEPT),
        ("建议推行设备点检二维码", "建议建立备件共享库"),
        "{dept}职工建议：给主要设备贴点检二维码，扫码记录点检情况，减少纸质台账。",
        "同意推行设备点检二维码。",
        "《机电设备检修管理制度》第五条；合理化建议管理办法",
        "设备点检二维码建议已采纳，由机电科组织实施。",
        plan=_PLAN + "由机电科先在主运系统试点设备点检二维码，三个月后全面推广。",
        decline=_DECLINE + "集团已统一部署设备管理信息系统，下半年上线后点检功能一并实现，"
        "不再单独开发。",
    ),
    Topic(
        Kind.SUGGESTION,
        "调度管理",
        "调度中心",
        (_TALK, _CONGRESS),
        ("建议精简班前调度会时长", "建议调度指令统一通过广播下达"),
        "{dept}职工建议：班前调度会时间过长，内容重复，建议压缩到15分钟以内。",
        "同意精简班前调度会。",
        "《生产调度管理规定》第十一条；合理化建议管理办法",
        "精简班前调度会的建议已采纳，由调度中心修订会议流程。",
        plan=_PLAN + "由调度中心修订班前会流程，时长控制在15分钟以内，下周起执行。",
        decline=_DECLINE + "班前会包含安全确认环节，时长为《安全生产责任制》规定，不宜压缩；"
        "改为优化内容顺序。",
    ),
    Topic(
        Kind.COMPLAINT,
        "井下运输",
        "运输队",
        (_TALK, _GRID),
        ("井下人车发车等待时间长", "人车站候车硐室照明不足"),
        "{dept}职工反映：交接班时井下人车发车间隔长，升井要等半小时以上。",
        "交接班时段人车发车间隔已由30分钟缩短为15分钟，并增挂一节车厢。",
        "《矿井运输管理制度》第十四条",
        "交接班时段井下人车发车间隔已缩短为15分钟，并增挂一节车厢。",
    ),
    Topic(
        Kind.SUGGESTION,
        "文体活动",
        "党群工作部",
        (_CONGRESS, _TALK, _ANON, _DEPT),
        ("建议职工书屋延长开放时间", "建议举办倒班职工篮球联赛"),
        "{dept}职工建议：职工书屋只在白天开放，倒班职工用不上，建议延长到晚上9点。",
        "同意延长职工书屋开放时间。",
        "《职工文化活动阵地管理办法》；合理化建议管理办法",
        "职工书屋延长开放时间的建议已采纳，由党群工作部组织实施。",
        plan=_PLAN + "由党群工作部安排志愿者值守，职工书屋开放时间延长至晚上9点。",
        decline=_DECLINE + "书屋已开通24小时自助借阅柜，可满足倒班职工需要，不再延长人工值守。",
    ),
    Topic(
        Kind.QUESTION,
        "会员福利",
        "工会办公室",
        (_GRID, _DEPT, _TALK, _ANON),
        ("工会会员生日慰问标准", "节日福利为什么改发购物卡"),
        "{dept}职工询问：工会会员生日慰问的标准和发放方式，劳务派遣职工能不能享受。",
        "会员生日慰问按上级工会标准发放，已入会的劳务派遣职工同等享受。",
        "《基层工会经费收支管理办法》第十条",
        "会员生日慰问按上级工会标准发放，已入会的劳务派遣职工同等享受。",
    ),
    Topic(
        Kind.SUGGESTION,
        "作业规程",
        "生产技术科",
        (_TALK, _CONGRESS),
        ("建议作业规程修订听取一线意见", "建议简化交接班记录表"),
        "{dept}班组长建议：作业规程修订时组织一线班组长参加讨论，避免规程与现场脱节。",
        "同意规程修订征求一线意见。",
        "《作业规程编制审批管理办法》第六条；合理化建议管理办法",
        "作业规程修订征求一线班组长意见的建议已采纳，由生产技术科落实。",
        plan=_PLAN + "由生产技术科在规程修订时召开一线班组长座谈会，意见采纳情况书面反馈。",
        decline=_DECLINE + "现行审批流程已设会审环节，由各队技术员代表一线参加，暂不另设座谈。",
    ),
    Topic(
        Kind.COMPLAINT,
        "安全考核",
        "安监处",
        (_TALK, _ANON, _PERFORMANCE),
        ("三违罚款标准各队不统一", "安全考核罚款未当面告知"),
        "{dept}职工反映：同样的违章各队罚款标准不一样，罚款也不当面告知，职工有意见。",
        "安监处已统一全矿三违认定和处罚标准，罚款须当面告知并签字确认。",
        "《安全生产奖惩管理办法》第十八条",
        "全矿三违认定和处罚标准已统一，罚款须当面告知并签字确认。",
    ),
    Topic(
        Kind.HARDSHIP,
        "子女入学",
        "工会办公室",
        (_RECEPTION, _GRID),
        ("外地职工子女入学困难", "双职工倒班子女放学无人接"),
        "{dept}外地职工反映：孩子随迁后在矿区学校入学手续办不下来，希望组织协调。",
        "工会已与教育部门对接，为外地职工随迁子女办理入学，并开设暑期托管班。",
        "《困难职工帮扶管理办法》第十四条；本地随迁子女入学政策",
        "工会已协调教育部门为外地职工随迁子女办理入学，并开设暑期托管班。",
    ),
    Topic(
        Kind.QUESTION,
        "职称评定",
        "人力资源部",
        (_TALK, _DEPT),
        ("技师评聘需要什么条件", "职称评审业绩材料怎么准备"),
        "{dept}职工询问：高级工申报技师需要哪些条件，评聘后待遇如何变化。",
        "申报技师需取得高级工证书满4年并有相应业绩，评聘后按技师岗位津贴标准执行。",
        "《技能人才评价办法》第九条",
        "申报技师需取得高级工证书满4年并有相应业绩，评聘后执行技师岗位津贴。",
    ),
)

ON_SPOT_PREFIX = "现场答复："
RATING_COMMENTS = {
    "satisfied": ("办得快，满意", "问题解决了，谢谢", "答复清楚，按时落实", ""),
    "basically_satisfied": ("基本解决，希望长期坚持", "答复清楚，落实还要再看", ""),
    "dissatisfied": ("答复没解决实际问题", "只解释没整改", "现场情况没有变化"),
}
EXTENSION_REASONS = (
    "需调取近三个月考勤和产量数据核算，经督办员同意延期",
    "涉及跨部门协调，需提交矿务会研究，经督办员同意延期",
    "需待设备厂家技术人员到矿检测，经督办员同意延期",
)
WITHDRAW_REASONS = (
    "问题已与班组当面沟通解决",
    "本人已调岗，不再需要办理",
    "已自行了解到相关政策",
    "",
)
ACK_NOTES = ("已收到承办单，正在核实", "已安排专人办理", "已联系相关班组调查情况")
REACK_NOTES = ("已按不满意意见重新核查", "由部门负责人牵头复查")
REVIEW_PREFIX = "经督办复查，原答复落实不到位，现补充答复："
CLOSING_NOTES = {
    "close_resolved": "诉求已解决，职工评价后办结归档",
    "close_explained": "已解释说明，职工基本认可，办结归档",
    "close_implemented": "建议已落实到位，经提案人确认办结",
}


def handler_of(department: str) -> Actor:
    """The handler (承办人) of a demo department, acting for it: the department's head in
    the demo's directory, whose code is the department's name."""
    known = DEPARTMENT_BY_NAME[department]
    return Actor(known.handler.id, Role.DEPARTMENT, departments=frozenset({department}))


def supervisor(person_id: str) -> Actor:
    """A demo supervisor (every one of them leads a tier), with the tiers they lead."""
    tiers = frozenset(tier for tier, lead in TIER_LEADS.items() if lead.id == person_id)
    return Actor(person_id, Role.SUPERVISOR, tiers=tiers)
