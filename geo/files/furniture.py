"""Page furniture: the lines a news page puts around a story ("Play video", "Share this article", "Image
caption", "Advertisement") that come along when a page is pasted or saved, and are not the story.

    >>> from geo.files.furniture import is_page_furniture
    >>> is_page_furniture("Play video"), is_page_furniture("Share this article")
    (True, True)
    >>> is_page_furniture("Russian forces shelled Kharkiv overnight.")
    False

A line is furniture when it is short (a few words, and it does not end like a sentence) and every word
of it belongs to the vocabulary of web pages' controls and labels: at least one control or label
(play, share, read, subscribe, advertisement, image, caption, ...) and otherwise only the words that go
with them (this, article, our, newsletter, Twitter, numbers: "Share this article", "Follow us on Twitter",
"12 comments", "2:31"). A line with any word of a story in it ("Watch: Russian strikes on Kyiv", "More
than 20 people died") is not. A copyright line is furniture whatever follows. The vocabulary is that
of web pages in general, not of any one site; whoever calls this decides what else rules a line out
(geo.map.compare keeps every line that names a place).
"""

from __future__ import annotations

import re

MAX_WORDS = 6            # "Sign up for our daily newsletter" is six
MAX_CHARS = 60
# A page's controls and labels (lower case), in any site's wording: a furniture line has one of them.
_CONTROLS = frozenset("""
play replay pause watch listen share tweet email e-mail print copy save bookmark like follow subscribe
sign log register download click tap swipe scroll skip close open expand collapse show hide load view
see read continue jump back go more next previous prev comment comments reply replies reactions
advertisement advertisements advert ad ads sponsored promoted recommended related trending popular
image images photo photos picture pictures gallery video videos audio podcast caption media source
copyright credit credits loading accept cookie cookies menu search home newsletter newsletters
""".split())
# The words that go with them: what a control acts on, where it leads, the sites it shares to.
_WITH = frozenset("""
the a an this that these those it its our your us you me my on to for of in up out at with and or by
from all now here full top daily weekly free latest live news story stories article articles page
topic topics link links post posts app feed screen fullscreen mode less icon button clip transcript
sound mute unmute settings account privacy policy terms notifications alerts updates coverage content
times minutes minute mins min sec seconds views shares getty images via facebook twitter x whatsapp
linkedin telegram instagram reddit pinterest messenger youtube tiktok bluesky threads mastodon
""".split())
_WORD = re.compile(r"[\w'’-]+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_DURATION = re.compile(r"^\d{1,2}(?::\d{2}){1,2}$")           # "2:31", "1:02:45": a video's length


def is_page_furniture(line: str) -> bool:
    """Whether a line (a passage) is a page's control or label rather than a line of the story."""
    text = " ".join(line.split())
    if not text or len(text) > MAX_CHARS:
        return False
    if _DURATION.match(text) or text.startswith("©"):
        return True
    words = [w.casefold() for w in _WORD.findall(text)]
    if not words or len(words) > MAX_WORDS:
        return False
    if words[0] == "copyright":
        return True
    if _SENTENCE_END.search(text):
        return False
    return any(w in _CONTROLS for w in words) and all(
        w in _CONTROLS or w in _WITH or w.isdigit() for w in words)
