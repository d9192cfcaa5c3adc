"""The area hierarchy as geometry: importing, generating and validating districts, streets,
communities and unit grid cells, their topology and their code schemes.

May import storage, files, coords and the leaf helpers at the top of gridmgr; after a grid
change it asks registers to re-place enterprises (``registers.cell_assignment``).
"""
