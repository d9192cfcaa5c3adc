"""Build the demo district's cases for 2026 and a messy 12345 hotline export (禅城区, 440604).

Writes (all SYNTHETIC cases; locations lie in the demo communities, a share of them at the demo
enterprises):

    gridmgr/data/demo/cases.csv               ~320 cases as the district's case system exports them: foreign
                                 status names (已办结, 处理中, 待派遣 …), GCJ-02 coordinates,
                                 times to the minute, in every status; some closed late, some
                                 still open past their deadline
    gridmgr/data/demo/case_steps.csv          later steps recorded in gridmgr on some of them: 返工 with its
                                 reason, 延期 with approver and new deadline, 回退 and re-dispatch,
                                 挂牌督办, and repeated problems at one enterprise (三色单)
    data/samples/cases_12345.csv a hotline export with the defects the import must catch (see
                                 DEFECTS below), GBK-free UTF-8 with BOM as Excel saves it

Deterministic (fixed seed):  python data/make_demo_cases.py
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from gridmgr.categories import default_categories
from gridmgr.chinacoords import wgs84_to_gcj02
from gridmgr.workcalendar import WorkCalendar

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "gridmgr" / "data" / "demo"  # shipped with the package: `gridmgr demo`
SRC = DEMO / "chancheng"
CAL = WorkCalendar.default()
NAMES = {c["code"]: c["name"] for c in default_categories()}

# (小类 code, weight, description templates)
CATEGORIES = [
    ("SJ0102", 14, ["{road}人行道旁有暴露垃圾", "{road}路口垃圾袋堆放未清理"]),
    ("SJ0502", 12, ["{road}店铺店外占道经营", "{road}早餐摊占用人行道经营"]),
    ("SJ0503", 8, ["{road}机动车占用人行道停放"]),
    ("SJ0504", 8, ["{road}共享单车乱停放堵塞通道"]),
    ("SJ0201", 7, ["{road}电线杆张贴非法小广告"]),
    ("SJ0202", 5, ["{road}商铺违规悬挂横幅"]),
    ("SJ0301", 6, ["{road}工地夜间施工噪声扰民"]),
    ("SJ0302", 5, ["{road}工地未覆盖，扬尘明显"]),
    ("SJ0303", 4, ["{road}渣土车遗撒"]),
    ("SJ0405", 3, ["{road}路面积水"]),
    ("SJ0401", 2, ["{road}路面塌陷出现坑洞"]),
    ("SJ0109", 5, ["{road}乱堆物料占用公共空间"]),
    ("SJ0505", 4, ["{road}夜间露天烧烤油烟扰民"]),
    ("BJ0101", 3, ["{road}上水井盖破损"]),
    ("BJ0201", 3, ["{road}路灯不亮"]),
]
ENV = [("SJ0601", "企业废气异味"), ("SJ0602", "企业污水直排"), ("SJ0603", "厂区噪声扰民")]
ROADS = ["季华五路", "汾江中路", "岭南大道", "佛山大道", "绿景路", "文华北路", "祖庙路", "魁奇路",
         "南海大道", "卫国路", "建新路", "朝安南路", "石湾公园路", "张槎一路", "江湾一路"]
SOURCES = [("12345热线", 35), ("巡查上报", 30), ("视频抓拍", 12), ("市民投诉", 10),
           ("巡检发现", 8), ("上级交办", 3), ("信访", 2)]
FOREIGN = {"受理": "待核实", "立案": "待派遣", "派遣": "已派遣", "处置": "处理中", "反馈": "已反馈",
           "核查": "待结案", "结案": "已办结", "作废": "已作废", "挂账": "已挂账"}
NOW = datetime(2026, 11, 20, 18, 0)
DEFECTS = {  # sample row (spreadsheet numbering, header = 1) → the defect it carries
    4: "unknown_status", 6: "bad_time", 8: "closed_without_time", 10: "case_outside_district",
    12: "negative_limit", 14: "unknown_category", 16: "duplicate_case_no",
}


def _points_in_communities(rng: random.Random, n: int) -> list[tuple[float, float, str]]:
    feats = json.loads((SRC / "communities.geojson").read_text(encoding="utf-8"))["features"]
    to_gk = Transformer.from_crs(4490, 4547, always_xy=True)
    back = Transformer.from_crs(4547, 4490, always_xy=True)
    polys = []
    for f in feats:
        g = shape(f["geometry"])
        gk = shapely.transform(g, lambda xy: np.column_stack(to_gk.transform(xy[:, 0],
                                                                             xy[:, 1])))
        polys.append((gk.buffer(-10), f["properties"]["社区编码"]))
    weights = [max(p.area, 1.0) ** 0.5 for p, _ in polys]
    out = []
    while len(out) < n:
        poly, code = rng.choices(polys, weights)[0]
        if poly.is_empty:
            continue
        x0, y0, x1, y1 = poly.bounds
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if poly.contains(shapely.Point(x, y)):
            lon, lat = back.transform(x, y)
            out.append((round(lon, 7), round(lat, 7), code))
    return out


def _working_moment(rng: random.Random, day: datetime) -> datetime:
    while not CAL.is_workday(day.date()):
        day += timedelta(days=1)
    minute = rng.choice([rng.randint(8 * 60 + 30, 11 * 60 + 50), rng.randint(14 * 60, 17 * 60 + 50)])
    return day.replace(hour=minute // 60, minute=minute % 60)


def _fmt(t: datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M") if t else ""


def _after(t: datetime, hours: float) -> datetime:
    return CAL.add_hours(t, hours).replace(second=0)


def build(rng: random.Random) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    ents = list(csv.DictReader((SRC / "enterprises_truth.csv").open(encoding="utf-8-sig")))
    points = _points_in_communities(rng, 300)
    cats = [c for c, _, _ in CATEGORIES]
    weights = [w for _, w, _ in CATEGORIES]
    texts = {c: t for c, _, t in CATEGORIES}
    rows, steps = [], []
    start = datetime(2026, 1, 5)
    span = (NOW - start).days
    plan: list[tuple[datetime, str, float, float, str | None, str]] = []
    for lon, lat, _ in points:
        day = start + timedelta(days=int(span * rng.random() ** 0.8))
        cat = rng.choices(cats, weights)[0]
        plan.append((_working_moment(rng, day), cat, lon, lat, None,
                     rng.choice(texts[cat]).format(road=rng.choice(ROADS))))
    # repeated environmental problems at a few enterprises (三色单: blue → yellow → red)
    for k, ent in enumerate(rng.sample(ents, 6)):
        first = datetime(2026, 2 + k, 3 + 2 * k)
        code, text = ENV[k % 3]
        for j in range(3 if k < 3 else 2):
            t = _working_moment(rng, first + timedelta(days=25 * j + rng.randint(0, 5)))
            plan.append((t, code, float(ent["wgs84_lon"]), float(ent["wgs84_lat"]),
                         ent["统一社会信用代码"], text))
    # the demo's responsibility change on 2026-03-01 (community 440604010005): one case before
    plan.append((datetime(2026, 2, 10, 9, 15), "SJ0102", 113.1334, 23.0102, None,
                 "季华五路人行道旁有暴露垃圾"))
    plan.sort(key=lambda p: p[0])
    seq_by_day: dict[str, int] = {}
    for t, cat, lon, lat, credit, text in plan:
        key = t.strftime("%Y%m%d")
        seq_by_day[key] = seq_by_day.get(key, 0) + 1
        no = f"CC{key}{seq_by_day[key]:03d}"
        age = (NOW - t).days
        roll = rng.random()
        if age > 20:
            status = ("结案" if roll < 0.86 else "作废" if roll < 0.92 else "挂账" if roll < 0.95
                      else "处置")
        else:
            status = rng.choices(["受理", "立案", "派遣", "处置", "反馈", "核查", "结案"],
                                 [1, 1, 2, 4, 1, 1, 4])[0]
        registered = _after(t, rng.uniform(0.1, 0.8)) if status != "受理" else None
        dispatched = (_after(registered, rng.uniform(0.1, 0.5))
                      if registered and status not in ("立案", "作废") else None)
        closed = None
        if status == "结案":
            # most within the limit, about one in eight late
            closed = _after(dispatched, rng.uniform(0.5, 3.5) if rng.random() > 0.12
                            else rng.uniform(10, 40))
        if status == "挂账":
            dispatched = None
        g_lon, g_lat = wgs84_to_gcj02(lon, lat)
        src = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        if credit:
            src = rng.choice(["12345热线", "巡检发现"])
        rows.append({"案件编号": no, "案件来源": src, "小类编码": cat, "问题描述": text,
                     "发生地址": text[:text.find("路") + 1] if "路" in text else "",
                     "经度": f"{float(g_lon):.6f}", "纬度": f"{float(g_lat):.6f}",
                     "上报时间": _fmt(t), "上报人": "市民" if src in ("12345热线", "市民投诉")
                     else "信息采集员", "案件状态": FOREIGN[status],
                     "立案时间": _fmt(registered), "派遣时间": _fmt(dispatched),
                     "结案时间": _fmt(closed), "统一社会信用代码": credit or ""})
    # later steps recorded in gridmgr (times after the export's last time of each case)
    open_handled = [r for r in rows if r["案件状态"] == "处理中"]
    rng.shuffle(open_handled)
    for r in open_handled[:6]:  # 反馈 → 返工 → 反馈 → 核查通过 → 结案
        t = datetime.fromisoformat(r["派遣时间"].replace(" ", "T"))
        t1, t2 = _after(t, 2.5), _after(t, 3.5)
        t3, t4 = _after(t, 6), _after(t, 7)
        t5 = _after(t, 7.5)
        for at, action, note in ((t1, "反馈", "已清理完毕"),
                                 (t2, "返工", "现场核查仍有残留，请彻底清理并拍照反馈"),
                                 (t3, "反馈", "已按要求重新清理"), (t4, "核查通过", "现场核查已整改"),
                                 (t5, "结案", None)):
            if at <= NOW:
                steps.append({"案件编号": r["案件编号"], "操作": action, "时间": _fmt(at),
                              "操作人": "CC0001", "说明": note or "", "新截止时间": "",
                              "批准人": "", "派遣给": ""})
    for r in open_handled[6:10]:  # 延期
        t = datetime.fromisoformat(r["派遣时间"].replace(" ", "T"))
        at, due = _after(t, 1), _after(t, 120)
        steps.append({"案件编号": r["案件编号"], "操作": "延期", "时间": _fmt(at),
                      "操作人": "CC0001", "说明": "需协调产权单位，申请延期", "新截止时间": _fmt(due),
                      "批准人": "CC0002", "派遣给": ""})
    for r in open_handled[10:13]:  # 挂牌督办
        t = datetime.fromisoformat(r["派遣时间"].replace(" ", "T"))
        steps.append({"案件编号": r["案件编号"], "操作": "督办", "时间": _fmt(_after(t, 1)),
                      "操作人": "CC0001", "说明": "区城管办挂牌督办，限期办结", "新截止时间": "",
                      "批准人": "", "派遣给": ""})
    return rows, steps


def sample(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """A 12345 export: other headers and status names, and one defect every other row."""
    out = []
    for i, r in enumerate(rows[:40]):
        n = i + 2  # spreadsheet row
        rec = {"工单编号": r["案件编号"].replace("CC", "RX"), "来源": "12345",
               "问题类型": NAMES[r["小类编码"]],
               "诉求内容": r["问题描述"], "事发地址": r["发生地址"], "经度": r["经度"],
               "纬度": r["纬度"], "来电时间": r["上报时间"].replace("-", "/"),
               "工单状态": {"已办结": "办结", "处理中": "处理中"}.get(r["案件状态"], r["案件状态"]),
               "派单时间": r["派遣时间"], "办结时间": r["结案时间"], "办理时限": ""}
        defect = DEFECTS.get(n)
        if defect == "unknown_status":
            rec["工单状态"] = "已回访"
        elif defect == "bad_time":
            rec["来电时间"] = "2026/13/45 25:00"
        elif defect == "closed_without_time":
            rec["工单状态"], rec["办结时间"] = "办结", ""
        elif defect == "case_outside_district":
            rec["经度"], rec["纬度"] = "113.264385", "23.129112"  # 广州市中心
        elif defect == "negative_limit":
            rec["办理时限"] = "-2工作日"
        elif defect == "unknown_category":
            rec["问题类型"] = "噪音太吵了"
        elif defect == "duplicate_case_no":
            rec["工单编号"] = out[-1]["工单编号"]
        elif n == 18:  # swapped longitude/latitude: warned and corrected
            rec["经度"], rec["纬度"] = rec["纬度"], rec["经度"]
        elif n == 20:  # full-width digits in the coordinates: warned and narrowed
            rec["经度"] = rec["经度"].translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
        out.append(rec)
    return out


def main() -> None:
    rng = random.Random(20260301)
    rows, steps = build(rng)
    with (DEMO / "cases.csv").open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with (DEMO / "case_steps.csv").open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(steps[0]))
        w.writeheader()
        w.writerows(steps)
    recs = sample(rows)
    with (HERE / "samples" / "cases_12345.csv").open("w", encoding="utf-8-sig",
                                                      newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(recs[0]))
        w.writeheader()
        w.writerows(recs)
    print(f"{len(rows)} cases, {len(steps)} steps, {len(recs)} sample rows")


if __name__ == "__main__":
    main()
