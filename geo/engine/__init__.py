"""The engine: text -> mentions -> resolved places (tokens, cues, NER, recognition, relations, context,
resolution, and the `Geoparser` pipeline). It imports the gazetteer and `geo.files`, nothing of the stores,
the map or the app."""
