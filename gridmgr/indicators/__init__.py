"""网格化考核: the indicators computed from the transition log, and their reports (text, CSV,
JSON, XLSX, monthly and quarterly bulletins), and the per-cell counts the map colours by.

May import cases (the workflow's statuses and actions), storage and the leaf helpers; never
outputs or fieldwork.
"""
