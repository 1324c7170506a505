"""The portal's parts without a server: message catalogue, SVG charts, rate limit, status timeline."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cbec.common.errors import Problem
from cbec.messages import MessageType, Receipt
from cbec.statistics.views import ReceiptView
from cbec.web.charts import bar_chart, donut_chart, hbar_chart, line_chart, progress_chart
from cbec.web.explain import held_reason, timeline
from cbec.web.i18n import LOCALES, SUPPORTED, Translator
from cbec.web.ratelimit import RateLimiter

WEB = Path(__file__).resolve().parents[2] / "src" / "cbec" / "web"


def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    zh, en = _catalogue("zh-CN"), _catalogue("en")
    assert sorted(zh) == sorted(en)
    fields = string.Formatter()
    for key in zh:
        assert zh[key].strip() and en[key].strip(), key
        assert {f for _t, f, _s, _c in fields.parse(zh[key]) if f} == {
            f for _t, f, _s, _c in fields.parse(en[key]) if f
        }, key


def test_every_label_a_template_or_page_asks_for_is_in_the_catalogue() -> None:
    asked: set[str] = set()
    for template in (WEB / "templates" / "portal").rglob("*.html"):
        asked |= set(re.findall(r"\bt\('([^']+)'\)", template.read_text(encoding="utf-8")))
    for module in WEB.glob("*.py"):
        asked |= set(re.findall(r'\bt\("([^"]+)"', module.read_text(encoding="utf-8")))
    assert len(asked) > 200
    assert sorted(asked - set(_catalogue("zh-CN"))) == []


def test_translator_picks_the_language_half_and_falls_back_to_the_key() -> None:
    zh, en = Translator("zh-CN"), Translator("en")
    assert (zh.pick("支付金额不一致 / amount differs"), en.pick("支付金额不一致 / amount differs")) == (
        "支付金额不一致",
        "amount differs",
    )
    assert en.pick("only one language") == "only one language"
    assert (zh.status("300"), en.status("300"), zh.status("-621029"), zh.status("7")) == (
        "人工审核",
        "manual review",
        "退单（业务校验未通过）",
        "7",
    )
    assert zh("no.such.key") == "no.such.key"
    assert en("ws.total", n=3) == "3 in all"
    assert Translator("fr").lang == "zh-CN" and SUPPORTED == ("zh-CN", "en")


def test_rules_and_fields_are_explained_in_plain_language() -> None:
    zh = Translator("zh-CN")
    assert zh.rule("CEB-M3") == "支付金额与订单实际支付金额不一致"
    assert zh.rule("ID-CHECKSUM") == "身份证号码有误"
    assert zh.rule("NEW-RULE") == "NEW-RULE"
    assert (
        zh.fix(Problem("CEB-R10", "inventory", "m", "Sign it."))
        == "用企业的电子口岸证书（UKey）对清单报文加签后重新发送。"
    )
    assert zh.fix(Problem("NEW-RULE", "x", "m", "Do the thing.")) == "Do the thing."
    assert zh.field("payment.amount_paid") == "支付单 · 实际支付金额"
    assert Translator("en").field("inventory.buyer_id_number") == "inventory · buyer's ID number"
    assert zh.field("dutiable_value") == "完税价格"
    assert zh.field("strange.field") == "报文中的相应字段"  # never an internal name in the Chinese page
    assert zh.field("/ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:goodsValue") == "商品价格"
    assert Translator("en").field("strange.field") == "strange.field"


def test_the_chinese_half_keeps_every_number_of_the_english() -> None:
    zh = Translator("zh-CN")
    assert zh.pick("支付金额 1.5 与订单不一致 / paid 1.5 differs") == "支付金额 1.5 与订单不一致"
    assert zh.pick("第几行缺少 / line 3 lacks 2 fields") == "第几行缺少（line 3 lacks 2 fields）"
    assert Translator("en").pick("第几行缺少 / line 3 lacks 2 fields") == "line 3 lacks 2 fields"


def test_bar_chart_draws_one_bar_per_item_with_whole_number_ticks_and_escapes_labels() -> None:
    svg = str(bar_chart([("9610 <直购>", 2), ("1210", 1)], title="放行", empty="暂无数据"))
    assert svg.startswith(
        '<svg class="chart" width="520" height="240" viewBox="0 0 520 240" role="img" aria-label="放行"'
    )
    assert svg.count("<rect ") == 2
    assert "9610 &lt;直购&gt;" in svg and "<直购>" not in svg
    assert [t for t in re.findall(r'text-anchor="end" font-size="11"[^>]*>([^<]+)<', svg)] == ["0", "1", "2", "3", "4"]


def test_charts_without_data_say_so() -> None:
    for svg in (
        bar_chart([], title="t", empty="暂无数据"),
        bar_chart([("a", 0)], title="t", empty="暂无数据"),
        hbar_chart([], title="t", empty="暂无数据"),
        line_chart([("3/1", 0), ("3/2", 0)], title="t", empty="暂无数据"),
        donut_chart([("放行", 0), ("退单", 0)], title="t", empty="暂无数据", center="—"),
    ):
        assert ">暂无数据</text>" in str(svg)


def test_line_hbar_donut_and_progress_charts() -> None:
    line = str(line_chart([("3/1", 0), ("3/2", 540)], title="每日", empty="-"))
    assert line.count("<circle ") == 2 and "<title>3/2: 540</title>" in line
    bars = str(hbar_chart([("CEB-M3", 4), ("CEB-R10", 2)], title="原因", empty="-"))
    assert bars.count("<rect ") == 2 and 'width="270.0"' in bars and 'width="135.0"' in bars
    ring = str(donut_chart([("放行", 3), ("退单", 1)], title="结果", empty="-", center="75.0%", caption="放行率"))
    assert ring.count('stroke-dasharray="') == 2 and ">75.0%</text>" in ring and ">放行率</text>" in ring
    progress = str(progress_chart(Decimal("25.0"), Decimal("16.7"), title="交易额", empty="-", elapsed_label="16.7%"))
    assert 'width="239.0"' in progress and 'fill="#1f8a70"' in progress
    assert ">未设置</text>" in str(progress_chart(None, Decimal("16.7"), title="x", empty="未设置", elapsed_label="-"))


def test_rate_limit_counts_per_key_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 60.0, clock=lambda: now[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a"), limiter.allow("b")] == [True, True, False, True]
    assert limiter.retry_after("a") == 61
    now[0] = 59.0
    assert limiter.allow("a") is False and limiter.retry_after("a") == 2
    now[0] = 60.0
    assert limiter.allow("a") is True


def _view(status: str, hour: int) -> ReceiptView:
    receipt = Receipt(
        message_type=MessageType.INVENTORY_RECEIPT,
        guid="G",
        status=status,
        info="",
        returned_at=datetime(2026, 3, 2, hour, tzinfo=UTC),
    )
    return ReceiptView(receipt, "inventory", status == "100", ())


@pytest.mark.parametrize(
    ("statuses", "current", "expected"),
    [
        (
            ["2", "120", "399", "800"],
            "800",
            [("2", "done"), ("120", "done"), ("399", "done"), ("800", "done"), ("899", "todo")],
        ),
        (
            ["2", "120", "300"],
            "300",
            [("2", "done"), ("120", "done"), ("300", "hold"), ("399", "todo"), ("800", "todo"), ("899", "todo")],
        ),
        (
            ["2", "120", "500"],
            "500",
            [("2", "done"), ("120", "done"), ("500", "hold"), ("399", "todo"), ("800", "todo"), ("899", "todo")],
        ),
        (["2", "100"], "100", [("2", "done"), ("100", "bad")]),
        (["2"], "2", [("2", "done"), ("120", "todo"), ("399", "todo"), ("800", "todo"), ("899", "todo")]),
    ],
)
def test_timeline_shows_where_an_inventory_stands(
    statuses: list[str], current: str, expected: list[tuple[str, str]]
) -> None:
    steps = timeline([_view(s, i) for i, s in enumerate(statuses)], current)
    assert [(s.code, s.state) for s in steps] == expected


def test_held_reason_drops_the_receipt_code() -> None:
    assert (
        held_reason("[Code:1200;Desc:待人工审核] 完税价格 606 达到人工审核阈值 500")
        == "完税价格 606 达到人工审核阈值 500"
    )
    assert held_reason("[Code:1400;Desc:查验]") == "查验"
    assert held_reason("plain") == "plain"


def test_one_money_unit_for_every_amount_of_a_chart() -> None:
    from cbec.web.render import money_unit

    english = money_unit([Decimal("1150000"), Decimal("856642")], "en")
    assert (english(Decimal("1150000")), english(Decimal("856642"))) == ("CNY 1.15 m", "CNY 0.86 m")
    chinese = money_unit([Decimal("1150000"), Decimal("856642")], "zh-CN")
    assert (chinese(Decimal("1150000")), chinese(Decimal("856642"))) == ("115.00 万元", "85.66 万元")
    small = money_unit([Decimal("714")], "en")
    assert (small(Decimal("714")), small(None)) == ("CNY 714.00", "—")
