"""Slack: team alerts from the outbox, button presses and the /helpdesk slash command."""
