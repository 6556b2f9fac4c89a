"""Providers (organisations), courses, runs (classes), enrolments and attendance."""
