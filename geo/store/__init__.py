"""What is kept on disk between runs: the parse cache, the user's corrections and article library (and the
corpus store). Built on the engine; the map and the app read from here."""
