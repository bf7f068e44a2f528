"""Chinese as a narrator reads it (cn2an), and Chinese sentences split on their own punctuation."""

from __future__ import annotations

import pytest

from core.engine.textnorm import normalize_for_speech, split_sentences


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("2024年3月5日", "二零二四年三月五日"),
        ("2024-03-05发布", "二零二四年三月五日发布"),
        ("3月8号", "三月八日"),
        ("成立于1998年", "成立于一九九八年"),
        ("45%", "百分之四十五"),
        ("１０％", "百分之十"),
        ("增长-12.5%", "增长负百分之十二点五"),
        ("¥129.5", "一百二十九点五元"),
        ("价格￥５万", "价格五万元"),
        ("$20", "二十美元"),
        ("10:30", "十点三十分"),
        ("时间：10:05", "时间：十点零五分"),
        ("8:00出发", "八点整出发"),
        ("下午3:05:09", "下午三点零五分九秒"),
        ("共1,299元", "共一千二百九十九元"),
        ("有3个人，第2名", "有三个人，第二名"),
        ("0.5秒", "零点五秒"),
        ("气温-5度", "气温负五度"),
        ("电话13800138000", "电话一三八零零一三八零零零"),
        ("编号007", "编号零零七"),
        ("A&B公司", "A和B公司"),
    ],
)
def test_chinese_numbers_dates_times_percent_currency(text: str, spoken: str) -> None:
    assert normalize_for_speech(text, "zh_CN") == spoken


def test_no_pinyin_and_the_characters_stay() -> None:
    text = "极光台灯，售价¥129.5！"
    spoken = normalize_for_speech(text, "zh")
    assert spoken == "极光台灯，售价一百二十九点五元！"
    assert not any("a" <= c.lower() <= "z" for c in spoken)


def test_sentences_split_on_chinese_punctuation() -> None:
    assert split_sentences("第一句。第二句！第三句？第四句；第五句") == [
        "第一句。",
        "第二句！",
        "第三句？",
        "第四句；",
        "第五句",
    ]
    assert split_sentences("他说：“你好。”然后走了。") == ["他说：“你好。”", "然后走了。"]


def test_english_is_untouched_by_chinese_rules() -> None:
    assert normalize_for_speech("It costs ¥129.5 at 10:30.", "en") != "一百二十九点五元"
    assert "hundred" in normalize_for_speech("¥129.5", "en")
