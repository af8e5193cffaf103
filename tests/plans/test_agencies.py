"""Agency names: aliases, accents, lists and generic groups."""

from __future__ import annotations

import pytest

from plans.agencies import (
    agency_key,
    canonical_agency,
    expand_enumeration,
    is_generic_group,
    known_agencies,
    split_agencies,
)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Sở GDĐT", "Sở Giáo dục và Đào tạo"),
        ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
        ("sở giáo dục  và đào tạo", "Sở Giáo dục và Đào tạo"),
        ("UBND tỉnh", "Ủy ban nhân dân tỉnh"),
        ("Uỷ ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh"),
        ("HĐND tỉnh", "Hội đồng nhân dân tỉnh"),
        ("MTTQ tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
        ("Phòng KG, VH-VN", "Phòng Khoa giáo, Văn hóa - Văn nghệ"),
        ("Phòng Khoa giáo, Văn hoá – văn nghệ", "Phòng Khoa giáo, Văn hóa - Văn nghệ"),
        ("Sở VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
        ("Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
        ("CÔNG AN TỈNH", "Công an tỉnh"),
        ("Sở Nội vụ;", "Sở Nội vụ"),
    ],
)
def test_aliases_accents_case_and_dashes_give_the_canonical_name(written, canonical):
    assert canonical_agency(written) == canonical
    assert agency_key(written) == agency_key(canonical)


def test_unknown_names_and_generic_groups_have_no_canonical_name():
    assert canonical_agency("Sở Du hành vũ trụ") is None
    assert canonical_agency("Các đơn vị liên quan") is None
    assert canonical_agency("") is None
    assert "Sở Y tế" in known_agencies()


@pytest.mark.parametrize(
    "name",
    [
        "Sở, ngành, các xã, phường và cơ quan, đơn vị liên quan",
        "Các đơn vị liên quan",
        "các địa phương, đơn vị",
        "Các phòng chuyên môn",
        "UBND các xã, phường, đặc khu",
        # Items of a list that began with "Các …" (seed 004) are kinds of body, not agencies.
        "đơn vị trực thuộc Sở",
        "cơ sở giáo dục nghề nghiệp trên địa bàn tỉnh",
        "Trường Đại học, Cao đẳng, Trung cấp trên địa bàn tỉnh",
        "Doanh nghiệp trên địa bàn tỉnh",
    ],
)
def test_generic_groups(name):
    assert is_generic_group(name)


@pytest.mark.parametrize(
    "name",
    [
        "Sở Y tế",
        "Phòng Đoàn thể và các hội",
        "Công an tỉnh",
        "Phòng Tài chính",
        "Trường THPT chuyên Lê Khiết",
        "Cơ sở cai nghiện ma túy tỉnh",
    ],
)
def test_named_agencies_are_not_generic(name):
    assert not is_generic_group(name)


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Phòng Khoa giáo, Văn hóa - Văn nghệ,", ["Phòng Khoa giáo, Văn hóa - Văn nghệ"]),
        ("Sở Văn hóa, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
        ("Phòng Tuyên truyền, Báo chí – Xuất bản", ["Phòng Tuyên truyền, Báo chí – Xuất bản"]),
        (
            "Các phòng chuyên môn; các địa phương, đơn vị",
            ["Các phòng chuyên môn", "các địa phương, đơn vị"],
        ),
        ("các sở, ban, ngành, UBND các xã, phường", ["các sở, ban, ngành", "UBND các xã, phường"]),
        (
            "Sở Tài chính, Sở Xây dựng, Công an tỉnh.",
            ["Sở Tài chính", "Sở Xây dựng", "Công an tỉnh"],
        ),
        (
            "Sở Giáo dục và Đào tạo và các Sở, ngành, các xã, phường và cơ quan, đơn vị liên quan",
            [
                "Sở Giáo dục và Đào tạo",
                "các Sở, ngành, các xã, phường và cơ quan, đơn vị liên quan",
            ],
        ),
        (
            "Phòng Khoa giáo, Văn hóa - Văn nghệ phối hợp đề xuất nhiệm vụ",
            ["Phòng Khoa giáo, Văn hóa - Văn nghệ"],
        ),
        ("Sở Y tế\nSở Tài chính", ["Sở Y tế", "Sở Tài chính"]),
        ("Sở Giáo dục và\nĐào tạo", ["Sở Giáo dục và Đào tạo"]),
        ("- Sở Nội vụ\n- Thanh tra tỉnh", ["Sở Nội vụ", "Thanh tra tỉnh"]),
        ("Phòng Đoàn thể và các hội", ["Phòng Đoàn thể và các hội"]),
        ("Phòng Khoa giáo, Văn hóa\n- văn nghệ", ["Phòng Khoa giáo, Văn hóa - văn nghệ"]),
        # A name ending in punctuation, and a line that ends on a bare head word ("UBND").
        (
            "Sở Y tế\nCông an tỉnh; UBND\ncác xã, phường",
            ["Sở Y tế", "Công an tỉnh", "UBND các xã, phường"],
        ),
        (
            "Sở Tài chính, Sở\nXây dựng, UBND\ncác xã, phường",
            ["Sở Tài chính", "Sở Xây dựng", "UBND các xã, phường"],
        ),
        # A plural group after a named agency is another name; after a group it is the same.
        ("Văn phòng Sở, các phòng chuyên môn", ["Văn phòng Sở", "các phòng chuyên môn"]),
        ("Sở Tài chính, các sở, ngành liên quan", ["Sở Tài chính", "các sở, ngành liên quan"]),
        ("", []),
        (" ; , ", []),
    ],
)
def test_split_agencies(cell, names):
    assert split_agencies(cell) == names


def test_a_long_executor_phrase_with_a_verb_inside_stays_whole():
    cell = "Các đơn vị, tổ chức, cá nhân có liên quan đến quản lý, sử dụng kinh phí thực hiện Đề án"
    assert split_agencies(cell) == [cell]


def test_expand_enumeration_of_departments_sharing_one_head_word():
    text = "các sở, ngành (các Sở: Khoa học và Công nghệ; Y tế; Văn hóa, Thể thao và Du lịch)"
    assert expand_enumeration(text) == [
        "Sở Khoa học và Công nghệ",
        "Sở Y tế",
        "Sở Văn hóa, Thể thao và Du lịch",
    ]
    assert expand_enumeration("các sở, ngành") is None


def test_standing_members_are_not_the_standing_committee():
    from plans.agencies import agency_key

    assert canonical_agency("Thường trực Tỉnh ủy") == "Thường trực Tỉnh ủy"
    assert canonical_agency("BTV Tỉnh ủy") == "Ban Thường vụ Tỉnh ủy"
    assert agency_key("Thường trực Tỉnh ủy") != agency_key("Ban Thường vụ Tỉnh ủy")


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Các Sở: Y tế, Tài chính, Nội vụ", ["Sở Y tế", "Sở Tài chính", "Sở Nội vụ"]),
        (
            "Các sở: Văn hóa, Thể thao và Du lịch, Kế hoạch và Đầu tư",
            ["Sở Văn hóa, Thể thao và Du lịch", "Sở Kế hoạch và Đầu tư"],
        ),
        ("Sở: Tư pháp; Nội vụ", ["Sở Tư pháp", "Sở Nội vụ"]),
        ("Các Sở: Y tế, Tài chính và Nội vụ", ["Sở Y tế", "Sở Tài chính", "Sở Nội vụ"]),
        (
            "Các Sở: Xây dựng, Công Thương; UBND các xã, phường",
            ["Sở Xây dựng", "Sở Công Thương", "UBND các xã, phường"],
        ),
    ],
)
def test_a_cell_listing_departments_after_one_head_word_and_a_colon(cell, names):
    """'Các Sở: Y tế, Tài chính' names Sở Y tế and Sở Tài chính, without parentheses too."""
    assert split_agencies(cell) == names


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Sở Y tế (chủ trì)", ["Sở Y tế"]),
        ("Sở Y tế\n(chủ trì)", ["Sở Y tế"]),
        ("Sở Y tế (chủ trì); Sở Tài chính (phối hợp)", ["Sở Y tế", "Sở Tài chính"]),
        ("Sở Tài chính (Chi cục Thuế)", ["Sở Tài chính (Chi cục Thuế)"]),
    ],
)
def test_a_role_noted_in_parentheses_after_an_agency_is_not_part_of_its_name(cell, names):
    assert split_agencies(cell) == names
