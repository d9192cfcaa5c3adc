"""The small hand-counted project of test_responsibility, shared with test_teams."""

from test_responsibility import small  # noqa: F401  (a fixture: pytest finds it here)
