"""LiveGuides: the guides beside a guide and the ones sharing its tags, found in memory."""

from dataclasses import dataclass

from guides.live_guides import LiveGuides


@dataclass
class Guide:
    pk: int
    path: str
    depth: int
    title: str


SECTION = ("00010001", 2)  # (path, depth) of a section
FRAMES = Guide(1, "000100010001", 3, "Frames")
HANDSHAKE = Guide(2, "000100010002", 3, "Handshake")
CLOSING = Guide(3, "000100010003", 3, "Closing")
SCALING = Guide(4, "000100020001", 3, "Scaling")


def library(tag_pairs=()):
    by_title = sorted([FRAMES, HANDSHAKE, CLOSING, SCALING], key=lambda guide: guide.title)
    return LiveGuides(by_title, tag_pairs)


def test_the_guides_of_a_section_come_in_tree_order_without_other_sections():
    assert library().children_of(*SECTION) == [FRAMES, HANDSHAKE, CLOSING]


def test_guides_below_a_guide_are_not_its_sections_children():
    nested = Guide(5, "0001000100010001", 4, "Nested")
    guides = LiveGuides([FRAMES, nested], [])
    assert guides.children_of(*SECTION) == [FRAMES]


def test_the_guides_sharing_more_tags_come_first_then_by_title():
    guides = library([(1, 10), (2, 10), (2, 11), (3, 10), (4, 10)])
    assert guides.sharing_tags({10, 11}, exclude={1}) == [HANDSHAKE, CLOSING, SCALING]


def test_no_guide_is_related_without_a_shared_tag():
    guides = library([(2, 10), (3, 11)])
    assert guides.sharing_tags({10}) == [HANDSHAKE]


def test_excluded_guides_and_the_limit_are_respected():
    guides = library([(1, 10), (2, 10), (3, 10), (4, 10)])
    assert guides.sharing_tags({10}, exclude={3}, limit=2) == [FRAMES, HANDSHAKE]


def test_a_guide_is_found_by_its_id_and_an_unknown_one_is_none():
    assert library().get(2) is HANDSHAKE
    assert library().get(99) is None
