"""Tests for geo.files.furniture: the lines of a web page around a story are told from the story's lines."""

from __future__ import annotations

import pytest

from geo.files.furniture import is_page_furniture

FURNITURE = ["Play video", "Share this article", "Image caption", "Image source, Getty Images", "Media caption,",
             "Advertisement", "2:31", "1:02:45", "12 comments", "Sign up for our daily newsletter", "Read more",
             "Related Topics", "More on this story", "Show more", "Back to top", "Follow us on Twitter",
             "Share on Facebook", "Listen to this article, 4 min", "Copyright 2022 Reuters", "© AFP 2022",
             "SHARE", "  Watch   video  "]
STORY = ["Russian forces shelled Kharkiv overnight.", "Mariupol", "Kyiv, 21 April 2022", "Ukraine war",
         "Watch: Russian strikes on Kyiv", "More than 20 people died", "Home Office says",
         "Read more: the war in 10 maps", "Share prices fell", "Play resumed after the shelling stopped",
         "Watch this space.", "Show trial of captured fighters", "", "   ",
         "Share this article with anyone who asks about the siege of the steel plant in the city"]


@pytest.mark.parametrize("line", FURNITURE)
def test_controls_and_labels_of_a_page_are_furniture(line: str) -> None:
    assert is_page_furniture(line)


@pytest.mark.parametrize("line", STORY)
def test_lines_of_a_story_are_not(line: str) -> None:
    assert not is_page_furniture(line)
