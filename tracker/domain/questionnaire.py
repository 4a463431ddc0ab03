"""The supplier questionnaire as data: the 30 due-diligence items asked as questions to the
supplier, the AI-supplier questions, the supply and transfer details sent for them to
confirm or correct, and the evidence asked for; each in English and Chinese.

One module holds every text of the workbook that asks (tracker.sheets.questionnaire lays it
out), so a question is reworded in one place. The wording of a question is part of the
workbook's fingerprint: changing a text here makes a new ``FORM_VERSION`` (a workbook sent
before is still read against the texts it was sent with only if they did not change; the
receive refuses an edited question, whoever edited it).

Sources: each checklist question asks for what the item of tracker.domain.checklists needs
(its sources are cited there); the AI-supplier section follows AI Act Art 53(1)(b)-(d),
the Interim Measures Art 7 and the usual AI vendor-risk questions (training on customer
data, retention, silent model changes, sub-processors, deletion).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from tracker.domain.checklists import CHECKLIST_BY_NUMBER
from tracker.domain.enums import (
    ChecklistStatus,
    EvidenceKind,
    QuestionnaireStatus,
)
from tracker.domain.text import counted

# The workbook's format: a change of layout or of any question's text is a new version.
FORM_NAME = "tracker-supplier-questionnaire"
FORM_VERSION = 1
# How long a supplier gets to answer when --due is not given (working practice: 3 weeks).
DEFAULT_ANSWER_DAYS = 21

AnswerType = Literal["choice", "date", "number", "text"]


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    en: str
    zh: str


# The drop-down of every yes/no question. "partly" and "no" leave the checklist item open
# for the officer; "yes" is the supplier's claim that the item is met (the officer approves
# or not), "not applicable" marks it so.
CHOICES: tuple[Choice, ...] = (
    Choice("yes", "Yes", "是"),
    Choice("no", "No", "否"),
    Choice("partly", "Partly", "部分"),
    Choice("not_applicable", "Not applicable", "不适用"),
)
CHOICE_STATUS: dict[str, ChecklistStatus] = {
    "yes": ChecklistStatus.SATISFIED,
    "no": ChecklistStatus.OPEN,
    "partly": ChecklistStatus.OPEN,
    "not_applicable": ChecklistStatus.NOT_APPLICABLE,
}
# A stored checklist status shown as the answer a returning supplier starts from.
STATUS_CHOICE: dict[ChecklistStatus, str | None] = {
    ChecklistStatus.SATISFIED: "yes",
    ChecklistStatus.NOT_APPLICABLE: "not_applicable",
    ChecklistStatus.OPEN: None,
}


def choice_label(code: str, language: str) -> str:
    """The drop-down's text for a choice in the workbook's language."""
    found = next(c for c in CHOICES if c.code == code)
    return bilingual(found.en, found.zh, language)


def bilingual(en: str, zh: str, language: str) -> str:
    if language == "en":
        return en
    if language == "zh":
        return zh
    return f"{en} / {zh}"


def read_choice(text: str) -> str | None:
    """A drop-down answer as a supplier may leave it (the English, the Chinese, both, any
    case); None when it is none of them."""
    folded = " ".join(text.split()).casefold()
    for choice in CHOICES:
        names = {choice.code, choice.code.replace("_", " "), choice.en.casefold(), choice.zh,
                 f"{choice.en} / {choice.zh}".casefold(), f"{choice.en}/{choice.zh}".casefold()}
        if folded in names:
            return choice.code
    return None


@dataclass(frozen=True, slots=True)
class Question:
    """One question to the supplier: its code (kept in the register beside the answer),
    texts, and the kind of the optional detail asked with it."""

    code: str
    en: str
    zh: str
    detail: AnswerType | None = None  # a second, typed answer (a date, a number, a text)
    detail_en: str = ""
    detail_zh: str = ""
    item: int | None = None  # the checklist item it answers


def _q(item: int, en: str, zh: str, detail: AnswerType | None = None, detail_en: str = "",
       detail_zh: str = "") -> Question:
    assert item in CHECKLIST_BY_NUMBER
    return Question(f"dd{item:02d}", en, zh, detail, detail_en, detail_zh, item)


# The 30 due-diligence items (tracker.domain.checklists), one question each, in order.
CHECKLIST_QUESTIONS: tuple[Question, ...] = (
    _q(1, "Have you described your legal entity and ownership, and are you free of any "
          "foreign-state access to our data?",
       "贵方是否已说明法律实体及股权结构，且我方数据不受任何外国政府访问？",
       "text", "Legal name, parent group, shareholders over 25%",
       "法定名称、母公司、持股25%以上的股东"),
    _q(2, "Do you act only as our processor / entrusted party (not as an independent or "
          "joint controller) for this data?",
       "就该数据而言，贵方是否仅作为我方的受托处理者（而非独立或共同处理者）？",
       "text", "Your role in your own words", "用您自己的话描述您的角色"),
    _q(3, "Is the data inventory below (categories, sensitive data, minors, people counted) "
          "complete and correct?",
       "下表中的数据清单（类别、敏感信息、未成年人、涉及人数）是否完整准确？"),
    _q(4, "Do you have a legal basis for every supply you give us (consent, contract, "
          "legitimate interest ...)?",
       "贵方提供给我方的每项数据是否都具有合法性基础（同意、合同、合法利益等）？",
       "text", "The basis for each supply", "每项数据的合法性基础"),
    _q(5, "Can you show the consent and, where required, separate-consent records of the "
          "people concerned?",
       "贵方能否提供个人的同意记录以及在要求时的单独同意记录？"),
    _q(6, "Do you keep provenance and collection records, and respect opt-outs and "
          "robots.txt when collecting?",
       "贵方是否保存数据来源及采集记录，并在采集时遵守退出请求和 robots.txt？"),
    _q(7, "Does your licence permit AI training and sublicensing, and for how long? Is any "
          "open-source licence honoured?",
       "贵方的许可是否允许用于人工智能训练和再许可？期限多长？是否遵守开源许可？",
       "text", "Licence name and term", "许可名称及期限"),
    _q(8, "Will you give written commitments on the source, quality and security of the "
          "data?",
       "贵方是否就数据的来源、质量和安全作出书面承诺？"),
    _q(9, "Did you sample the content for illegal or harmful material before and after "
          "collection, with at most 5% found?",
       "贵方是否在采集前后对内容进行违法不良信息抽检，且比例不超过5%？",
       "number", "Share found in the sample (%)", "抽检中发现的比例（%）"),
    _q(10, "Have you reviewed the data for quality and bias?",
       "贵方是否对数据的质量和偏见进行了审查？"),
    _q(11, "If you annotate: do you have written labelling rules, QA sampling and annotator "
           "training?",
       "如涉及标注：贵方是否有书面标注规则、质量抽检及标注人员培训？"),
    _q(12, "If you supply or co-develop a foundation model: can you show its provenance and "
           "licence?",
       "如提供或共同开发基础模型：贵方能否说明其来源和许可？",
       "text", "Model, version, licence", "模型、版本、许可"),
    _q(13, "Have we signed an agreement with you holding every clause the law requires (DPA "
           "or entrusted-processing contract)?",
       "双方是否已签署包含法律要求全部条款的协议（数据处理协议或委托处理合同）？",
       "date", "Date signed", "签署日期"),
    _q(14, "Do you use sub-processors or re-entrust the data only with our prior consent?",
       "贵方是否仅在我方事先同意后才使用分处理者或转委托？",
       "text", "Sub-processors and their countries", "分处理者及其所在国家"),
    _q(15, "Do you have security measures and certifications (e.g. ISO 27001, MLPS)?",
       "贵方是否有安全措施及认证（如 ISO 27001、等级保护）？",
       "date", "Certificate valid until", "证书有效期至"),
    _q(16, "Will you notify us of a personal-data breach without delay?",
       "如发生个人信息泄露，贵方是否会立即通知我方？",
       "number", "Hours within which you notify", "通知时限（小时）"),
    _q(17, "Will you help us answer data-subject requests (access, deletion, objection)?",
       "贵方是否会协助我方响应个人的权利请求（查阅、删除、反对）？"),
    _q(18, "Will you return or delete the data at the end of our contract and keep no "
           "copy?",
       "合同终止时，贵方是否会返还或删除数据且不保留副本？"),
    _q(19, "Are the storage locations, remote access and onward transfers of the data known "
           "to us?",
       "数据的存储地点、远程访问及再转移情况是否已告知我方？",
       "text", "Countries where the data is stored or accessed", "数据存储或访问所在国家"),
    _q(20, "Do the transfers below use a valid mechanism, and are the people counted this "
           "year correct?",
       "下表所列出境传输是否采用有效机制，本年度统计的人数是否正确？"),
    _q(21, "Have you done a transfer impact assessment or PI protection impact assessment?",
       "贵方是否已完成传输影响评估或个人信息保护影响评估？",
       "date", "Date of the assessment", "评估日期"),
    _q(22, "Did the people concerned receive the PIPL Art 39 notice and give separate "
           "consent for outbound data?",
       "个人是否已获得《个人信息保护法》第39条的告知并就出境单独同意？"),
    _q(23, "Has the standard contract been filed (within 10 working days), or the assessment "
           "or certification obtained?",
       "标准合同是否已备案（10个工作日内），或已通过安全评估或认证？",
       "date", "Filing date", "备案日期"),
    _q(24, "Is the data free of important data, and are you not a critical information "
           "infrastructure operator for it?",
       "该数据是否不含重要数据，且贵方并非关键信息基础设施运营者？"),
    _q(25, "Have you received any foreign authority's request for access to the data?",
       "贵方是否收到过任何外国机关调取该数据的请求？",
       "number", "Requests in the last 12 months", "过去12个月内的请求数量"),
    _q(26, "Is your record of processing for this data up to date?",
       "贵方关于该数据的处理活动记录是否为最新？"),
    _q(27, "Can you give the AI Act training-content summary fields (sources, top domains, "
           "dates)?",
       "贵方能否提供《人工智能法》训练内容摘要所需信息（来源、主要域名、日期）？",
       "text", "Top domains, for scraped data", "爬取数据的主要域名"),
    _q(28, "Can you give a filing-ready explanation of the source, scale, type and labelling "
           "rules of the data?",
       "贵方能否提供可用于备案的数据来源、规模、类型及标注规则说明？"),
    _q(29, "Does the data involve sensitive data or automated decisions that would need an "
           "impact assessment?",
       "该数据是否涉及敏感个人信息或需进行影响评估的自动化决策？"),
    _q(30, "Do you agree to be reviewed again at least once a year, or on any material "
           "change?",
       "贵方是否同意至少每年或在发生重大变化时再次接受审查？"),
)
assert [q.item for q in CHECKLIST_QUESTIONS] == list(range(1, 31))


@dataclass(frozen=True, slots=True)
class AiQuestion:
    """One AI-supplier question: answered by a drop-down or a typed value, with a comment."""

    code: str
    en: str
    zh: str
    kind: AnswerType


AI_QUESTIONS: tuple[AiQuestion, ...] = (
    AiQuestion("ai_train_on_our_data",
               "Do you train, fine-tune or evaluate any model on the data we send you or on "
               "our outputs?",
               "贵方是否使用我方发送的数据或我方的输出训练、微调或评估任何模型？", "choice"),
    AiQuestion("ai_retention_days",
               "How many days do you keep our inputs and outputs (0 if not kept)?",
               "贵方保留我方输入和输出的天数（不保留填0）？", "number"),
    AiQuestion("ai_model_provenance",
               "Which foundation models do you use or supply, from whom, and under which "
               "licences?",
               "贵方使用或提供哪些基础模型、来源何处、适用何种许可？", "text"),
    AiQuestion("ai_model_licence_ok",
               "Do those licences permit our intended commercial use?",
               "上述许可是否允许我方预期的商业用途？", "choice"),
    AiQuestion("ai_silent_changes",
               "Will you tell us in advance before changing or replacing a model we rely on?",
               "在更改或替换我方依赖的模型之前，贵方是否会提前通知我方？", "choice"),
    AiQuestion("ai_change_notice_days",
               "How many days' notice do you give of a model change?",
               "模型变更的提前通知天数？", "number"),
    AiQuestion("ai_subprocessors",
               "Which AI sub-processors (model hosts, labelling firms) see our data, and "
               "where?",
               "哪些人工智能分处理者（模型托管方、标注公司）接触我方数据？位于何处？", "text"),
    AiQuestion("ai_deletion_at_end",
               "Will you delete our data, fine-tuned weights and logs at the end of the "
               "contract?",
               "合同结束时，贵方是否会删除我方数据、微调权重及日志？", "choice"),
    AiQuestion("ai_deletion_confirmed_on",
               "If already done: on what date did you confirm deletion?",
               "如已完成：贵方确认删除的日期？", "date"),
)


@dataclass(frozen=True, slots=True)
class DetailField:
    """A field of a record we hold, sent for the supplier to confirm or correct."""

    name: str
    en: str
    zh: str


SUPPLY_DETAILS: tuple[DetailField, ...] = (
    DetailField("modality", "Modality (text, image, audio ...)", "模态（文本、图像、音频等）"),
    DetailField("source_category", "Source category", "来源类别"),
    DetailField("volume", "Volume", "数据量"),
    DetailField("contains_pi", "Holds personal information", "包含个人信息"),
    DetailField("contains_sensitive_pi", "Holds sensitive personal information",
                "包含敏感个人信息"),
    DetailField("contains_minors_data", "Holds data of minors (under 14)",
                "包含未成年人（不满14周岁）信息"),
    DetailField("people_concerned", "Number of people concerned", "涉及人数"),
    DetailField("licence_name", "Licence", "许可"),
    DetailField("licence_training_permitted", "Licence permits AI training", "许可允许AI训练"),
    DetailField("licence_sublicensing", "Sublicensing permitted", "允许再许可"),
    DetailField("licence_term", "Licence term", "许可期限"),
    DetailField("optout_respected", "Opt-outs / robots.txt respected", "遵守退出请求/robots.txt"),
    DetailField("sampling_done_on", "Content sampling done on", "内容抽检日期"),
    DetailField("sampling_illegal_pct", "Illegal / harmful content in sample (%)",
                "抽检违法不良信息比例（%）"),
)

TRANSFER_DETAILS: tuple[DetailField, ...] = (
    DetailField("origin_country", "From (country code)", "来源国（代码）"),
    DetailField("destination_country", "To (country code)", "目的国（代码）"),
    DetailField("mechanism", "Transfer mechanism", "出境机制"),
    DetailField("people_non_sensitive", "People (non-sensitive PI) since 1 January",
                "本年1月1日起（一般个人信息）人数"),
    DetailField("people_sensitive", "People (sensitive PI) since 1 January",
                "本年1月1日起（敏感个人信息）人数"),
)


@dataclass(frozen=True, slots=True)
class EvidenceAsk:
    code: str
    kind: EvidenceKind
    en: str
    zh: str


EVIDENCE_ASKED: tuple[EvidenceAsk, ...] = (
    EvidenceAsk("ev_certificate", EvidenceKind.CERTIFICATE,
                "Security or PI certification (ISO 27001, ISO 27701, MLPS, PI certification)",
                "安全或个人信息保护认证（ISO 27001、ISO 27701、等级保护、个人信息保护认证）"),
    EvidenceAsk("ev_audit_report", EvidenceKind.AUDIT_REPORT,
                "Latest audit report (SOC 2, internal or third-party audit)",
                "最新审计报告（SOC 2、内部或第三方审计）"),
    EvidenceAsk("ev_consent_records", EvidenceKind.CONSENT_RECORDS,
                "Sample of consent and separate-consent records", "同意及单独同意记录样本"),
    EvidenceAsk("ev_collection_records", EvidenceKind.COLLECTION_RECORDS,
                "Collection / provenance records", "采集及来源记录"),
    EvidenceAsk("ev_sampling_report", EvidenceKind.SAMPLING_REPORT,
                "Content sampling report", "内容抽检报告"),
    EvidenceAsk("ev_signed_contract", EvidenceKind.SIGNED_CONTRACT,
                "Signed DPA or entrusted-processing contract",
                "已签署的数据处理协议或委托处理合同"),
    EvidenceAsk("ev_filing_receipt", EvidenceKind.FILING_RECEIPT,
                "Standard-contract filing or assessment receipt", "标准合同备案或安全评估回执"),
)

QUESTION_BY_CODE: dict[str, Question] = {q.code: q for q in CHECKLIST_QUESTIONS}
AI_BY_CODE: dict[str, AiQuestion] = {q.code: q for q in AI_QUESTIONS}
EVIDENCE_BY_CODE: dict[str, EvidenceAsk] = {e.code: e for e in EVIDENCE_ASKED}


def detail_code(entity: str, record_id: int, field: str) -> str:
    """The code a supply or transfer detail's answer is kept under."""
    return f"{entity}:{record_id}:{field}"


def question_text(code: str) -> str:
    """A question's English text by its code (for listing answers in the register)."""
    if code in QUESTION_BY_CODE:
        return QUESTION_BY_CODE[code].en
    if code in AI_BY_CODE:
        return AI_BY_CODE[code].en
    if code in EVIDENCE_BY_CODE:
        return EVIDENCE_BY_CODE[code].en
    parts = code.split(":")
    if len(parts) == 3:
        fields = {d.name: d.en for d in (*SUPPLY_DETAILS, *TRANSFER_DETAILS)}
        return f"{parts[0].capitalize()} {parts[1]}: {fields.get(parts[2], parts[2])}"
    return code


def status_of(stored: QuestionnaireStatus, due_on: date | None, review_decided: bool,
              today: date) -> QuestionnaireStatus:
    """What a questionnaire's status reads as today: reviewed once the review its answers
    fed is decided; overdue when sent, unanswered and past its due date."""
    if stored == QuestionnaireStatus.ANSWERED:
        return QuestionnaireStatus.REVIEWED if review_decided else QuestionnaireStatus.ANSWERED
    if stored == QuestionnaireStatus.SENT and due_on is not None and due_on < today:
        return QuestionnaireStatus.OVERDUE
    return stored


def is_outstanding(status: QuestionnaireStatus) -> bool:
    """Sent and not answered yet (the dashboard counts these)."""
    return status in {QuestionnaireStatus.SENT, QuestionnaireStatus.OVERDUE}


def corrections_count(count: int) -> str:
    """"1 correction", "2 corrections": the count the receive line, the provider's overview
    and the receive screen show (one wording, singular and plural right)."""
    return counted(count, "correction")


def corrections_to_decide(count: int) -> str:
    """What a receive leaves to decide: the command to decide them only when there are some."""
    if count == 0:
        return "no correction to decide"
    return f"{corrections_count(count)} to decide (`tracker questionnaire corrections`)"
