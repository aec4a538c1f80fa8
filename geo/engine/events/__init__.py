"""Events: what happened at a place, and when (ACLED's taxonomy), found in the words of a text.

    >>> from geo.engine.events import EventFinder, find_dates
"""

from geo.engine.events.dates import DateMention, find_dates
from geo.engine.events.extract import Event, EventFinder, EventPlace
from geo.engine.events.taxonomy import EVENT_TYPE_OF, EVENT_TYPES, SUB_TYPES

__all__ = ["EVENT_TYPES", "EVENT_TYPE_OF", "SUB_TYPES", "DateMention", "Event", "EventFinder", "EventPlace",
           "find_dates"]
