"""The case statuses: the values the workflow moves a case between and the store filters by.

Like :mod:`gridmgr.levels` for areas, a vocabulary below everything: the rules that lead from
one status to another live in :mod:`gridmgr.cases.workflow`; storage only needs to know which
statuses count as open (a deadline can run out) and which are final.
"""

STATUSES = ("受理", "立案", "派遣", "处置", "反馈", "核查", "结案", "作废", "挂账")
OPEN_STATUSES = ("受理", "立案", "派遣", "处置", "反馈", "核查")
FINAL_STATUSES = ("结案", "作废")
# every step a case can take (the rules of each are in gridmgr.cases.workflow)
ACTIONS = ("受理", "核实", "立案", "派遣", "处置", "反馈", "核查通过", "结案", "作废", "回退",
           "延期", "返工", "挂账", "督办")
