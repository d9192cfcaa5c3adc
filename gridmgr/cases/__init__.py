"""Cases (案件): the workflow as data, the working calendar, creation and every step, imports
from hotline/case systems, the category table and rectification notices.

May import registers (dispatch, locating points), storage, files, coords and the leaf helpers;
never grid, indicators, fieldwork or outputs.
"""
