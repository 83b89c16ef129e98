from service.trends.direction import TrendRule, direction


def test_one_note_against_none_is_not_a_trend() -> None:
    assert direction(1, 1, 0, 1, TrendRule()) == ("steady", None)
    assert direction(1, 5, 0, 5, TrendRule()) == ("steady", None)
    assert direction(3, 3, 0, 3, TrendRule())[0] == "steady"  # p = 0.10, not below
    assert direction(4, 4, 0, 4, TrendRule())[0] == "rising"
    assert direction(0, 6, 5, 6, TrendRule())[0] == "falling"
