"""Chinese words of the filing documents (the explanation of training-data sources handed to
the CAC under the Interim Measures for Generative AI Services), beside the English ones, for
the register's enumerations. Kept as data so the report holds no vocabulary of its own."""

from __future__ import annotations

from tracker.domain.enums import IntendedUse, Modality, SourceCategory

SOURCE_CATEGORY_ZH: dict[SourceCategory, str] = {
    SourceCategory.LICENSED_PRIVATE: "商业授权语料",
    SourceCategory.PUBLIC_DATASET: "开源/公开数据集",
    SourceCategory.SCRAPED: "自采（爬取）语料",
    SourceCategory.USER_DATA: "用户数据",
    SourceCategory.SYNTHETIC: "合成数据",
    SourceCategory.ANNOTATION_SERVICE: "标注服务",
    SourceCategory.FOUNDATION_MODEL: "基础模型",
}
MODALITY_ZH: dict[Modality, str] = {
    Modality.TEXT: "文本", Modality.IMAGE: "图像", Modality.AUDIO: "音频",
    Modality.VIDEO: "视频", Modality.CODE: "代码", Modality.TABULAR: "表格数据",
    Modality.MULTIMODAL: "多模态", Modality.MODEL: "模型权重",
}
INTENDED_USE_ZH: dict[IntendedUse, str] = {
    IntendedUse.PRE_TRAINING: "预训练", IntendedUse.FINE_TUNING: "优化训练（微调）",
    IntendedUse.EVALUATION: "评估测试",
}
YES, NO, UNKNOWN = "是 yes", "否 no", "未记录 not recorded"
# PIPL Art 28: personal information of minors under 14 is sensitive personal information.
MINORS_SENSITIVE = "不满十四周岁未成年人的个人信息属于敏感个人信息 (PIPL Art 28: PI of minors " \
                   "under 14 is sensitive PI)"
