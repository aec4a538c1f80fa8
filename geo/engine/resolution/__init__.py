"""Resolution's scores, one module each, composed by `geo.engine.resolve.Resolver` (see
geo.engine.components for switching one off)."""
