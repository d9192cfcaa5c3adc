"""The registers: enterprises (一企一档), officers, who is responsible where and when, credit
codes, and which cell each point lies in.

May import storage, files, coords and the leaf helpers; never grid, cases, indicators,
fieldwork or outputs.
"""
