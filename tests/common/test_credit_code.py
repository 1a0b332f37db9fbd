"""The GB 32100-2015 check on real, published codes (from the companies' annual reports and
business licences) and on each of their characters changed."""

from __future__ import annotations

import pytest

from backend.common.credit_code import ALPHABET, is_valid_credit_code, normalize_credit_code

PUBLISHED = {
    "914403001922038216": "华为技术有限公司",
    "9144030071526726XG": "腾讯科技（深圳）有限公司",
    "91520000214434146R": "贵州茅台酒股份有限公司",
    "9144030010001686XA": "招商银行股份有限公司",
    "91440300100012316L": "中国平安保险（集团）股份有限公司",
    "91440300192317458F": "比亚迪股份有限公司",
    "91110108551385082Q": "小米科技有限责任公司",
    "91110000802100433B": "北京百度网讯科技有限公司",
    "913100001322078590": "上海汽车集团股份有限公司",
}


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass(code):
    assert is_valid_credit_code(code)


@pytest.mark.parametrize("code", PUBLISHED)
def test_every_position_changed_fails(code):
    for position in range(18):
        for replacement in ALPHABET:
            if replacement == code[position]:
                continue
            corrupted = code[:position] + replacement + code[position + 1 :]
            assert not is_valid_credit_code(corrupted), (position, corrupted)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91440300192203821",  # 17 characters
        "9144030019220382160",  # 19
        "91440300I92203821G",  # I is not in the alphabet
        "9144030010001686xa",  # not normalised
        "９１４４０３００１９２２０３８２１６",  # full-width digits
    ],
)
def test_malformed_codes_fail(code):
    assert not is_valid_credit_code(code)


def test_normalising_drops_spaces_and_upper_cases():
    assert normalize_credit_code(" 9144 0300 1000 1686xa ") == "9144030010001686XA"
    assert is_valid_credit_code(normalize_credit_code("9144030010001686xa"))
