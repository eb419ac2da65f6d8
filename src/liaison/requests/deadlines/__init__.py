"""Deadlines of requests: each authority's policy per kind, what is due when, and the reminders,
overdue alerts and escalations the worker sends."""
