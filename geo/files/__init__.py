"""Reading input and keeping files safely: articles (text, Markdown, HTML) into passages, signed cache
files, and the SQLite helpers. The bottom floor: it imports nothing else of `geo` but the gazetteer's folders."""
