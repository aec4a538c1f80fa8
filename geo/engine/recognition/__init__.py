"""Recognition's rule families, one module each, composed by `geo.engine.recognize.Recognizer` in a
documented order (see geo.engine.components for switching one off)."""
