"""Outgoing webhooks: ticket events POSTed, signed, to the URLs managers subscribe."""
