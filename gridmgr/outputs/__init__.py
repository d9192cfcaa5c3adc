"""What leaves the project for people: layers exported to files, the data a printed sheet shows
(drawn by maps/ through :mod:`gridmgr.renderers`), and the desktop's detail panel and search.

May import every capability below fieldwork (registers, cases, grid), storage and the helpers.
"""
