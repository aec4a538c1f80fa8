"""Coordinated lists ("A, B and C"): the members a list implies once some are places."""

from __future__ import annotations

from geo.engine.cues import MEDIUM, NUMERIC_LABELS, STOP
from geo.engine.mention import Mention
from geo.engine.recognition.common import _Item, _item_of, _overlaps, _Text
from geo.engine.relations import coordinated_runs


class ListRules:
    """Coordinated lists ("A, B and C"): the members a list implies once some are places."""

    # -- lists -----------------------------------------------------------------------------------
    def _complete_lists(self, doc: _Text, accepted: list[Mention], items: list[dict]) -> list[Mention]:
        """Members of a list whose other members are places are places too ("near Bakhmut, Izium and
        Lyman": the NER calls Lyman a person, the gazetteer knows Izium only by another spelling)."""
        taken = sorted((m.start, m.end) for m in accepted)
        pool = [_Item(m.start, m.end, m, None) for m in accepted]
        pool += [_Item(it["start"], it["end"], None, it) for it in items
                 if it.get("mention") is None and not it.get("demonym") and not it.get("org")
                 and not _overlaps(taken, it["start"], it["end"])]
        if len(pool) == len(accepted):
            return accepted
        pool.sort(key=lambda x: (x.start, x.end))
        pool = [x for k, x in enumerate(pool) if k == 0 or x.start >= pool[k - 1].end]
        added = []
        runs = coordinated_runs(doc.text, pool)
        in_runs = {k for first, last in runs for k in range(first, last + 1)}
        # two towns joined by a comma ("in Mogadishu, Jowhar"), when neither can be a region (else it
        # is "Place, Region")
        runs += [(k, k + 1) for k in range(len(pool) - 1)
                 if k not in in_runs and k + 1 not in in_runs
                 and doc.text[pool[k].end:pool[k + 1].start].strip() == ","
                 and (pool[k].mention is None) != (pool[k + 1].mention is None)
                 and not any(self._can_be_region(x) for x in pool[k:k + 2])]
        for first, last in runs:
            members = pool[first:last + 1]
            anchors = [x.mention for x in members if x.mention is not None and not x.mention.demonym]
            if not anchors or len(anchors) == len(members):
                continue
            first_item = members[0].item or _item_of(members[0].mention, doc.token_starts)
            last_item = members[-1].item or _item_of(members[-1].mention, doc.token_starts)
            level = max(self._evidence(doc.text, doc.tokens, first_item["i"], first_item["i"])[0],
                        self._evidence(doc.text, doc.tokens, last_item["j"], last_item["j"])[0])
            for x in members:
                if x.mention is None:
                    m = self._listed(doc, x.item, level, anchors)
                    if m is not None:
                        added.append(m)
        return sorted(accepted + added, key=lambda m: m.start) if added else accepted

    def _can_be_region(self, x: _Item) -> bool:
        rows = x.mention.rows if x.mention is not None else x.item.get("rows") or ()
        return not rows or any(self.index.kinds[r] in ("admin1", "admin2", "country", "continent", "region")
                               for r in rows)

    def _listed(self, doc: _Text, item: dict, level: int, anchors: list[Mention]) -> Mention | None:
        name, i, j = item["name"], item["i"], item["j"]
        if not self._may_be_place_name(name) or (i == j and doc.tokens[i].lower in STOP):
            return None
        label, ent_start, ent_end = doc.label_at(item["start"], item["end"])
        if label in NUMERIC_LABELS or doc.personal(doc.tokens, i, j):
            return None
        rows = item.get("rows")
        if rows is None:
            rows = item["rows"] = self.index.spelling_rows(name)
        strength = self._strength(rows, item.get("alternates", frozenset())) if rows else 0
        if label == "PERSON" and ent_end - ent_start > item["end"] - item["start"] + 1:
            return None      # part of a longer person's name
        if not (level >= MEDIUM or strength >= 1 or len(anchors) >= 2):
            return None
        return Mention(item["start"], item["end"], name, rows, ner_label=label, lookup_name=name,
                       evidence=f"listed with {anchors[0].name}")
