"""Reusable widgets: the status pane, step list, policy viewer, validated field, confirmation, errors."""
