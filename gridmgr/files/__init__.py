"""Reading the files bureaus bring: vector files (pyogrio), spreadsheets (XLSX, CSV in UTF-8 or
GBK) and the recognition of their column headers.

Imports only the leaf helpers (errors, text): every capability reads through it.
"""
