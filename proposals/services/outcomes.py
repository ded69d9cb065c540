"""Outcome reports and closing a funded experiment (issue 4)."""
