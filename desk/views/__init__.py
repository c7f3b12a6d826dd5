"""The desk's views: thin functions that parse, call one service or query, and render."""
