"""Build the demo district's registers: enterprises, officers and their assignments (禅城区, 440604).

Writes (all SYNTHETIC people, enterprises, codes and phone numbers; only the street names and
codes and the community layer come from gridmgr/data/demo/chancheng/):

    gridmgr/data/demo/chancheng/enterprises.xlsx        the bureau's enterprise register (一企一档), sheet 企业名录
    gridmgr/data/demo/chancheng/enterprises_truth.csv   for tests: the WGS84 point and community of each enterprise
    gridmgr/data/demo/chancheng/officers.csv            the staff list (UTF-8 with BOM, as Excel saves "CSV UTF-8")
    gridmgr/data/demo/chancheng/assignments.csv         who is responsible for which community since when
    data/samples/enterprises_messy.csv     a GBK export of an old system with known problems

Coordinates in the register are GCJ-02 with 6 decimals, as an officer copies them from Amap.  The
script draws a WGS84 point at least 5 m inside a community (checked in EPSG:4547), rounds it to 7
decimals (the truth file), and converts it to GCJ-02 with the public formula implemented below
(it does not use gridmgr).  Unified social credit codes (统一社会信用代码) follow GB 32100-2015,
and their 9-character organisation code part carries a valid GB 11714 check character too.

Deterministic (fixed seeds, no network); with the same library versions the files are
byte-identical:

    python data/make_demo_registers.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import shapely
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "gridmgr" / "data" / "demo"  # shipped with the package: `gridmgr demo`
CHANCHENG = DEMO / "chancheng"
SAMPLES = HERE / "samples"
COMMUNITIES = CHANCHENG / "communities.geojson"

METRIC = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
SEED = 440604
N_ENTERPRISES = 3000
MARGIN_M = 5.0  # every enterprise lies at least this far inside its community ...
SAMPLE_MARGIN_M = 6.0  # ... it is drawn this far inside, to leave room for rounding
AS_OF = dt.date(2026, 10, 31)  # the register's date: last inspections are before it
FIRST_DAY = dt.date(2025, 1, 1)
CHANGE_DAY = "2026-03-01"
START_DAY = "2025-01-01"
FIXED_ZIP_TIME = (2026, 10, 31, 0, 0, 0)  # for a byte-identical xlsx
FIXED_DOC_TIME = "2026-10-31T00:00:00Z"

HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所属行业",
    "监管类别",
    "环境行为等级",
    "检查频次",
    "联系人",
    "联系电话",
    "地址",
    "经度",
    "纬度",
    "最近检查日期",
]
OFFICER_HEADERS = ["姓名", "工号", "手机", "角色", "所属单位"]
ASSIGNMENT_HEADERS = ["工号", "角色", "区域编码", "起始日期"]

# --------------------------------------------------------------------------------------------
# streets: real names and codes (as in make_demo_data.py); road names are real roads of
# Chancheng, but the addresses built from them are synthetic and do not match the points.

STREETS = {
    "440604010": {
        "name": "石湾镇街道",
        # how the street appears in enterprise names: after 佛山市 / after 佛山市禅城区
        "places": (["石湾镇"], ["石湾镇", "石湾镇街道", "石湾"]),
        "roads": [
            "石湾公园路",
            "季华四路",
            "季华五路",
            "绿景一路",
            "绿景三路",
            "江湾三路",
            "澜石二路",
            "和平路",
            "东风路",
            "跃进路",
            "高庙路",
            "佛山大道南",
            "岭南大道南",
            "南风路",
        ],
    },
    "440604011": {
        "name": "张槎街道",
        "places": (["张槎街道"], ["张槎街道", "张槎"]),
        "roads": [
            "张槎路",
            "张槎一路",
            "张槎二路",
            "兴业路",
            "季华西路",
            "佛山大道北",
            "古新路",
            "江湾一路",
            "轻工三路",
            "湖滨路",
            "魁奇一路",
            "岭南大道北",
        ],
    },
    "440604012": {
        "name": "祖庙街道",
        "places": (["祖庙街道"], ["祖庙街道", "祖庙"]),
        "roads": [
            "祖庙路",
            "汾江中路",
            "汾江北路",
            "建新路",
            "人民路",
            "升平路",
            "卫国路",
            "普君北路",
            "福贤路",
            "朝安南路",
            "亲仁路",
            "莲花路",
            "城门头路",
            "佛山大道中",
            "岭南大道北",
        ],
    },
    "440604100": {
        "name": "南庄镇",
        "places": (["南庄镇"], ["南庄镇", "南庄"]),
        "roads": [
            "南庄大道",
            "南庄大道西",
            "禅港路",
            "季华西路",
            "紫洞路",
            "龙津路",
            "吉利大道",
            "罗南路",
            "贺丰路",
            "堤田路",
            "溶洲路",
            "杏头路",
        ],
    },
}

# --------------------------------------------------------------------------------------------
# industries

# share of the register (percent); Chancheng is the ceramics capital, and small restaurants are many
INDUSTRY_WEIGHTS = {
    "陶瓷": 16.0,
    "餐饮": 20.0,
    "五金加工": 9.0,
    "纺织服装": 8.0,
    "汽车维修": 7.0,
    "家具制造": 5.0,
    "建材": 5.0,
    "食品加工": 5.0,
    "塑料制品": 5.0,
    "印刷": 4.0,
    "物流仓储": 4.0,
    "化工": 3.5,
    "废旧物资回收": 3.0,
    "印染": 2.5,
    "电镀": 1.5,
    "医药制造": 1.5,
}

# share of each street (石湾镇街道, 张槎街道, 祖庙街道, 南庄镇) per industry
_W_INDUSTRIAL = (0.28, 0.30, 0.12, 0.30)
STREET_WEIGHTS = {
    "陶瓷": (0.35, 0.15, 0.05, 0.45),
    "纺织服装": (0.10, 0.55, 0.10, 0.25),
    "印染": (0.15, 0.50, 0.05, 0.30),
    "餐饮": (0.25, 0.18, 0.45, 0.12),
    "汽车维修": (0.30, 0.25, 0.30, 0.15),
    "印刷": (0.30, 0.25, 0.30, 0.15),
    "医药制造": (0.40, 0.30, 0.15, 0.15),
}
STREET_ORDER = ("440604010", "440604011", "440604012", "440604100")
SERVICES = {"餐饮", "汽车维修"}  # more often in 社区 than in villages

# words used in company names (有限公司 / 厂) ...
COMPANY_WORDS = {
    "陶瓷": [
        "陶瓷",
        "陶瓷",
        "陶瓷",
        "建筑陶瓷",
        "陶瓷制品",
        "陶瓷原料",
        "釉料",
        "陶瓷科技",
        "瓷砖",
    ],
    "化工": ["化工", "精细化工", "涂料", "化工材料", "树脂", "油墨"],
    "电镀": ["电镀", "表面处理", "金属表面处理", "五金电镀"],
    "印染": ["印染", "纺织印染", "染整", "漂染"],
    "医药制造": ["制药", "药业", "生物制药", "医药科技"],
    "餐饮": ["餐饮管理", "餐饮服务", "饮食", "酒楼"],
    "汽车维修": ["汽车维修", "汽车修配", "汽车服务", "汽车维修服务"],
    "印刷": ["印刷", "彩印", "包装印刷", "印务"],
    "五金加工": ["五金制品", "五金", "金属制品", "五金机械", "不锈钢制品", "铝制品"],
    "家具制造": ["家具", "家具制造", "木业", "家居用品"],
    "建材": ["建材", "新型建材", "石材", "混凝土", "装饰材料"],
    "食品加工": ["食品", "食品加工", "粮油食品", "调味食品", "饮料"],
    "纺织服装": ["纺织", "服装", "针织", "制衣", "织造", "针织制衣"],
    "塑料制品": ["塑料制品", "塑胶", "塑料", "塑胶制品", "包装材料"],
    "物流仓储": ["物流", "仓储", "储运", "货运", "供应链"],
    "废旧物资回收": ["再生资源回收", "废旧物资回收", "物资回收", "再生资源"],
}
# ... which of them are factories (厂) as well as companies
FACTORIES = set(INDUSTRY_WEIGHTS) - {"餐饮", "物流仓储", "废旧物资回收", "汽车维修"}

# individual businesses (个体工商户): share per industry and the shop word that ends the name
INDIVIDUAL_SHARE = {
    "餐饮": 0.85,
    "汽车维修": 0.55,
    "废旧物资回收": 0.60,
    "五金加工": 0.15,
    "食品加工": 0.15,
    "印刷": 0.15,
    "纺织服装": 0.10,
    "家具制造": 0.10,
    "塑料制品": 0.05,
}
SHOP_WORDS = {
    "餐饮": [
        "餐馆",
        "饭店",
        "酒家",
        "大排档",
        "茶餐厅",
        "粥粉面店",
        "小食店",
        "烧腊店",
        "快餐店",
        "面馆",
        "海鲜酒家",
        "美食店",
        "甜品店",
        "火锅店",
        "牛杂店",
        "农庄",
    ],
    "汽车维修": ["汽车维修店", "汽车修配厂", "汽车维修部", "汽车美容店", "汽修厂"],
    "废旧物资回收": ["废品回收站", "再生资源回收站", "物资回收经营部"],
    "五金加工": ["五金加工厂", "五金店", "五金经营部"],
    "食品加工": ["食品加工厂", "烧腊加工场", "豆制品厂", "腊味加工厂"],
    "印刷": ["印刷厂", "图文印刷店", "彩印经营部"],
    "纺织服装": ["制衣厂", "针织加工厂"],
    "家具制造": ["家具厂", "木器加工厂"],
    "塑料制品": ["塑料加工厂"],
}

# 2-character trade names (字号)
TRADE_NAMES = """
恒泰 新明 金辉 华盛 粤兴 宏达 永利 顺成 美达 信诚 鸿运 富华 金源 兴隆 嘉禾 利民 广益 泰丰 万顺 大成
东方 南华 荣昌 昌盛 祥和 瑞丰 鑫源 鑫达 金盛 金利 金鹏 金诺 银河 华美 华通 华兴 华艺 华丰 新华 新兴
新力 新锐 新宇 宏图 宏基 宏信 宏昌 宏业 永兴 永盛 永安 永和 永泰 顺发 顺联 顺达 合和 合盛 合众 和兴
和丰 联兴 联发 佳美 佳宝 佳华 嘉华 嘉信 嘉盛 俊豪 豪信 汇华 汇通 汇源 汇利 盈丰 盈信 源兴 源丰 日升
旭日 旭辉 晨光 朝阳 宝丰 宝达 宝华 益华 益丰 德信 德隆 德昌 德华 明辉 明华 明达 科达 科美 创新 创富
创盛 天成 天润 天力 天宇 润丰 润达 远航 远大 博大 博华 中诚 中达 锦华 锦泰 锦盛 丰泰 丰华 丰源 盛世
盛达 达成 达丰 建华 建兴 国华 南方 南兴 岭南 粤华 粤海 粤丰 海鸿 海昌 长盛 长兴 福盛 福源 福兴 富源
富盛 隆兴 隆盛 安达 安泰 安华 立信 立达 诚信 诚达 群力 众发 伟业 伟达 志成 志和 俊华 家兴 家和 金马
""".split()

# regulatory class probabilities (国控, 省控, 市控); the rest is 一般
CLASS_PROBS = {
    "电镀": (0.15, 0.35, 0.35),
    "化工": (0.06, 0.18, 0.30),
    "印染": (0.08, 0.20, 0.35),
    "陶瓷": (0.03, 0.10, 0.22),
    "医药制造": (0.02, 0.10, 0.25),
    "餐饮": (0.0, 0.0, 0.0),
}
CLASS_PROBS_MANUFACTURING = (0.0, 0.01, 0.07)
CLASS_PROBS_SERVICE = (0.0, 0.0, 0.03)  # 汽车维修, 物流仓储, 废旧物资回收
GRADES = ["绿", "蓝", "黄", "红", "黑"]
GRADE_WEIGHTS = [50, 35, 11, 3, 1]
FREQUENCIES = ["每月1次", "每季度1次", "每半年1次", "每年1次"]
FREQUENCY_DAYS = {"每月1次": 30, "每季度1次": 91, "每半年1次": 182, "每年1次": 365}

# people
SURNAMES = (
    "陈陈陈陈李李李黄黄黄梁梁何何罗罗林林张张刘刘王吴吴周杨郑谢邓冯麦潘区招关霍卢叶"
    "曾彭苏钟蔡胡朱徐郭伍邱莫谭严简欧孔袁余方杜崔戴"
)
GIVEN = (
    "伟强军明华国建志文永家俊杰浩宇嘉子健锦荣辉耀东海涛斌勇峰敏静丽芳燕婷玲霞"
    "秀红慧雪颖琳淑惠美玉翠凤少冠展润泽铭佩诗欣雅晓嘉卓焕金广振祖汉炳"
)
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 147 150 151 152 153 155 156 157 158 159 "
    "166 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()

# officers
N_ENFORCERS = {"440604010": 8, "440604011": 7, "440604012": 8, "440604100": 6}
DISTRICT_BUREAU = "禅城区城市管理和综合执法局"
ECO_BUREAU = "佛山市生态环境局禅城分局"
N_COLLECTORS = 6
# communities whose 网格员 changed on CHANGE_DAY, and those left without a 区级监管责任人
CHANGED = ["塔坡社区", "同济社区", "绿景社区", "江湾社区", "紫南村"]
UNSUPERVISED = ["黎冲村", "海口村", "杏头村"]

# --------------------------------------------------------------------------------------------
# codes


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I O S V Z
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    value = 31 - total % 31
    return USCC_ALPHABET[0 if value == 31 else value]


def uscc_is_valid(code: str) -> bool:
    return (
        len(code) == 18
        and all(c in USCC_ALPHABET for c in code)
        and uscc_check_char(code[:17]) == code[17]
    )


def org_check_char(body8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def make_uscc(rng: random.Random, individual: bool) -> str:
    """9 1|2 440604 + organisation code (8 characters + GB 11714 check) + GB 32100 check."""
    letters = USCC_ALPHABET
    if individual or rng.random() < 0.55:  # codes issued since 2015 start with MA
        body = "MA" + rng.choice("45") + "".join(rng.choice(letters) for _ in range(5))
    else:  # older codes kept the former 9-digit organisation code
        body = rng.choice("1234567") + "".join(rng.choice("0123456789") for _ in range(7))
    first17 = ("92" if individual else "91") + "440604" + body + org_check_char(body)
    return first17 + uscc_check_char(first17)


def make_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def make_landline(rng: random.Random) -> str:
    return "0757-8" + "".join(rng.choice("0123456789") for _ in range(7))


def make_person(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.8 else "")
    return rng.choice(SURNAMES) + given


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0757-8\d{7}$")

# --------------------------------------------------------------------------------------------
# WGS84 -> GCJ-02, the public formula (Krasovsky ellipsoid), vectorised


_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _gcj_dlat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _gcj_dlon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlat = _gcj_dlat(lon - 105.0, lat - 35.0)
    dlon = _gcj_dlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _GCJ_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrtmagic * np.cos(radlat) * np.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, rounds: int = 20):
    """Fixed-point inverse, for the checks only."""
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(rounds):
        tlon, tlat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (tlon - glon), wlat - (tlat - glat)
    return wlon, wlat


# --------------------------------------------------------------------------------------------
# enterprises


def load_communities() -> gpd.GeoDataFrame:
    com = gpd.read_file(COMMUNITIES)
    assert list(com.columns) == ["社区编码", "社区名称", "所属街道编码", "geometry"]
    com = com.sort_values("社区编码").reset_index(drop=True)
    com["metric"] = com.to_crs(METRIC).geometry.values
    com["area"] = shapely.area(com["metric"].values)
    com["is_village"] = com["社区名称"].str.endswith("村")
    return com


def choose_class(rng: random.Random, industry: str, individual: bool) -> str:
    if individual:
        return "一般"
    if industry in CLASS_PROBS:
        probs = CLASS_PROBS[industry]
    elif industry in FACTORIES:
        probs = CLASS_PROBS_MANUFACTURING
    else:
        probs = CLASS_PROBS_SERVICE
    u = rng.random()
    for cls, p in zip(("国控", "省控", "市控"), probs):
        if u < p:
            return cls
        u -= p
    return "一般"


def choose_frequency(rng: random.Random, cls: str, grade: str) -> str:
    if cls == "国控":
        freq = "每月1次"
    elif cls == "省控":
        freq = "每月1次" if rng.random() < 0.6 else "每季度1次"
    elif cls == "市控":
        freq = "每季度1次" if rng.random() < 0.8 else "每月1次"
    else:
        freq = "每年1次" if rng.random() < 0.65 else "每半年1次"
    if grade in ("红", "黑"):  # poor environmental behaviour: inspected more often
        freq = "每月1次" if cls != "一般" else min(freq, "每季度1次", key=FREQUENCIES.index)
    return freq


def choose_last_inspection(rng: random.Random, cls: str, freq: str) -> dt.date | None:
    if cls == "一般" and rng.random() < 0.118:
        return None  # never inspected
    period = FREQUENCY_DAYS[freq]
    back = int(rng.uniform(0, period * 1.2))
    if rng.random() < 0.08:  # overdue
        back += int(rng.uniform(period * 0.3, period))
    day = AS_OF - dt.timedelta(days=back)
    if day < FIRST_DAY:
        day = FIRST_DAY + dt.timedelta(days=int(rng.uniform(0, 120)))
    return day


def make_name(rng: random.Random, industry: str, individual: bool, street: str) -> tuple[str, str]:
    """(name, core); the core (字号 + industry or shop word) is unique in the register, as the
    registration authority would require within one district and trade."""
    after_city = rng.choice(STREETS[street]["places"][0])
    after_district = rng.choice(STREETS[street]["places"][1])
    trade = rng.choice(TRADE_NAMES)
    if individual:
        prefix = "佛山市禅城区" + (after_district if rng.random() < 0.5 else "")
        core = trade + rng.choice(SHOP_WORDS[industry])
        return prefix + core, core
    prefix = rng.choices(
        ["佛山市", "佛山市禅城区", "佛山市" + after_city, "佛山市禅城区" + after_district],
        [3, 5, 2, 1],
    )[0]
    word = rng.choice(COMPANY_WORDS[industry])
    if industry in FACTORIES and not word.endswith(("业", "科技", "材料")):  # no "药业厂"
        suffix = rng.choices(["有限公司", "厂", "厂有限公司"], [7, 2, 1])[0]
    else:
        suffix = "有限公司"
    return prefix + trade + word + suffix, trade + word


def make_address(rng: random.Random, street: str) -> str:
    st = STREETS[street]
    number = f"{rng.randint(1, 320)}号"
    if rng.random() < 0.08:
        number += rng.choice(["之一", "之二", "之三"])
    return f"佛山市禅城区{st['name']}{rng.choice(st['roads'])}{number}"


def sample_points(poly_m, n: int, rng: np.random.Generator) -> np.ndarray:
    inner = poly_m.buffer(-SAMPLE_MARGIN_M)
    shapely.prepare(inner)
    minx, miny, maxx, maxy = inner.bounds
    pts = np.empty((0, 2))
    while len(pts) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n + 8, 2))
        pts = np.vstack([pts, cand[shapely.contains_xy(inner, cand[:, 0], cand[:, 1])]])
    return pts[:n]


def build_enterprises(com: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(register rows, truth rows), in register order."""
    rng = random.Random(f"{SEED}-enterprises")
    industries = list(INDUSTRY_WEIGHTS)
    by_street = {s: com.index[com["所属街道编码"] == s].tolist() for s in STREET_ORDER}
    names: set[str] = set()
    cores: set[str] = set()
    codes: set[str] = set()
    phones: set[str] = set()
    rows = []
    for i in range(N_ENTERPRISES):
        industry = rng.choices(industries, [INDUSTRY_WEIGHTS[k] for k in industries])[0]
        individual = rng.random() < INDIVIDUAL_SHARE.get(industry, 0.0)
        street = rng.choices(STREET_ORDER, STREET_WEIGHTS.get(industry, _W_INDUSTRIAL))[0]
        idx = by_street[street]
        if industry in SERVICES:
            factor = [1.0 if com.at[j, "is_village"] else 2.0 for j in idx]
        else:
            factor = [1.6 if com.at[j, "is_village"] else 1.0 for j in idx]
        weights = [com.at[j, "area"] * f for j, f in zip(idx, factor)]
        community = rng.choices(idx, weights)[0]

        name, core = make_name(rng, industry, individual, street)
        while name in names or core in cores:
            name, core = make_name(rng, industry, individual, street)
        names.add(name)
        cores.add(core)
        code = make_uscc(rng, individual)
        while code in codes:
            code = make_uscc(rng, individual)
        codes.add(code)

        cls = choose_class(rng, industry, individual)
        grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
        if individual and grade == "黑":
            grade = "红"
        freq = choose_frequency(rng, cls, grade)
        landline = rng.random() < (0.05 if individual else 0.45)
        phone = make_landline(rng) if landline else make_mobile(rng)
        while phone in phones:
            phone = make_landline(rng) if landline else make_mobile(rng)
        phones.add(phone)
        rows.append(
            {
                "序号": i + 1,
                "企业名称": name,
                "统一社会信用代码": code,
                "所属行业": industry,
                "监管类别": cls,
                "环境行为等级": grade,
                "检查频次": freq,
                "联系人": make_person(rng),
                "联系电话": phone,
                "地址": make_address(rng, street),
                "_community": community,
                "最近检查日期": choose_last_inspection(rng, cls, freq),
            }
        )
    reg = pd.DataFrame(rows)

    # points: per community, drawn in EPSG:4547 at least SAMPLE_MARGIN_M inside
    prng = np.random.default_rng([SEED, 2])
    xy = np.full((len(reg), 2), np.nan)
    for j in sorted(reg["_community"].unique()):
        mine = np.flatnonzero(reg["_community"].to_numpy() == j)
        xy[mine] = sample_points(com.at[j, "metric"], len(mine), prng)
    pts = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC).to_crs("EPSG:4326")
    wlon = np.round(pts.x.to_numpy(), 7)
    wlat = np.round(pts.y.to_numpy(), 7)
    glon, glat = wgs84_to_gcj02(wlon, wlat)
    reg["经度"] = np.round(glon, 6)
    reg["纬度"] = np.round(glat, 6)
    truth = pd.DataFrame(
        {
            "统一社会信用代码": reg["统一社会信用代码"],
            "wgs84_lon": wlon,
            "wgs84_lat": wlat,
            "社区编码": com["社区编码"].to_numpy()[reg["_community"].to_numpy()],
        }
    )
    reg = reg[HEADERS]
    return reg, truth


def check_enterprises(reg: pd.DataFrame, truth: pd.DataFrame, com: gpd.GeoDataFrame) -> dict:
    assert list(reg.columns) == HEADERS
    assert len(reg) == len(truth) == N_ENTERPRISES
    assert reg["企业名称"].is_unique, "enterprise names are not unique"
    assert reg["统一社会信用代码"].is_unique, "credit codes are not unique"
    for code in reg["统一社会信用代码"]:
        assert uscc_is_valid(code), code
        assert code[:8] in ("91440604", "92440604"), code
        assert org_check_char(code[8:16]) == code[16], code
    for col in ("企业名称", "联系人", "地址"):
        for v in reg[col]:
            assert v and v == v.strip(), (col, v)
            v.encode("gbk")  # the messy sample is written in GBK
    for p in reg["联系电话"]:
        assert MOBILE_RE.match(p) or LANDLINE_RE.match(p), p
    assert reg["联系电话"].is_unique

    # points: in their community, >= MARGIN_M from its border, in EPSG:4547
    by_code = com.set_index("社区编码")
    metric = gpd.GeoSeries(
        gpd.points_from_xy(truth["wgs84_lon"], truth["wgs84_lat"]), crs="EPSG:4326"
    ).to_crs(METRIC)
    polys = by_code.loc[truth["社区编码"], "metric"].to_numpy()
    assert shapely.contains(polys, metric.values).all(), "a point is outside its community"
    dist = shapely.distance(shapely.boundary(polys), metric.values)
    assert dist.min() >= MARGIN_M, f"a point is {dist.min():.2f} m from its community border"
    # ... and in no other community
    tree = shapely.STRtree(com["metric"].values)
    hit_pt, hit_poly = tree.query(metric.values, predicate="intersects")
    assert len(hit_pt) == len(metric) and (np.bincount(hit_pt) == 1).all()
    assert (com["社区编码"].to_numpy()[hit_poly[np.argsort(hit_pt)]] == truth["社区编码"]).all()

    # the written GCJ-02 (6 decimals) converts back to the truth
    ilon, ilat = gcj02_to_wgs84(reg["经度"].to_numpy(), reg["纬度"].to_numpy())
    back = gpd.GeoSeries(gpd.points_from_xy(ilon, ilat), crs="EPSG:4326").to_crs(METRIC)
    err = shapely.distance(back.values, metric.values)
    assert err.max() < 0.2, f"GCJ-02 round trip error {err.max():.3f} m"
    shift = shapely.distance(
        gpd.GeoSeries(gpd.points_from_xy(reg["经度"], reg["纬度"]), crs="EPSG:4326")
        .to_crs(METRIC)
        .values,
        metric.values,
    )
    assert 100 < shift.min() and shift.max() < 1000, "GCJ-02 offset out of the expected range"
    return {
        "min_border_m": float(dist.min()),
        "roundtrip_m": float(err.max()),
        "shift_m": (float(shift.min()), float(shift.max())),
    }


def normalise_xlsx(data: bytes) -> bytes:
    """Fixed timestamps inside the package and in docProps/core.xml, for byte-identical files."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + FIXED_DOC_TIME + m.group(3),
                    text,
                )
                body = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, body)
    return out.getvalue()


def write_register_xlsx(path: Path, reg: pd.DataFrame) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业名录"
    ws.append(HEADERS)
    for row in reg.itertuples(index=False):
        values = list(row)
        values[0] = int(values[0])
        values[10] = float(values[10])
        values[11] = float(values[11])
        values[12] = values[12] if isinstance(values[12], dt.date) else None
        ws.append(values)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
    widths = [6, 40, 22, 12, 9, 12, 11, 9, 15, 40, 12, 11, 13]
    for col, w in zip("ABCDEFGHIJKLM", widths):
        ws.column_dimensions[col].width = w
    for (cell_k,) in ws.iter_rows(min_row=2, min_col=11, max_col=11):
        cell_k.number_format = "0.000000"
    for (cell_l,) in ws.iter_rows(min_row=2, min_col=12, max_col=12):
        cell_l.number_format = "0.000000"
    for (cell_m,) in ws.iter_rows(min_row=2, min_col=13, max_col=13):
        cell_m.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:M{len(reg) + 1}"
    wb.properties.creator = "禅城区城市管理和综合执法局"
    wb.properties.title = "禅城区企业名录（一企一档）"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(normalise_xlsx(buf.getvalue()))


def read_back_register(path: Path, reg: pd.DataFrame) -> None:
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["企业名录"], wb.sheetnames
    rows = list(wb["企业名录"].iter_rows(values_only=True))
    wb.close()
    assert list(rows[0]) == HEADERS, rows[0]
    assert len(rows) == len(reg) + 1
    for got, want in zip(rows[1:], reg.itertuples(index=False)):
        want = list(want)
        assert got[0] == want[0] and got[1:10] == tuple(want[1:10]), (got, want)
        assert got[10] == want[10] and got[11] == want[11], (got, want)
        day = got[12].date() if got[12] is not None else None
        assert day == (want[12] if isinstance(want[12], dt.date) else None), (got, want)


# --------------------------------------------------------------------------------------------
# officers and assignments


def build_officers(com: gpd.GeoDataFrame, taken_phones: set[str]) -> tuple[list, list, dict]:
    rng = random.Random(f"{SEED}-officers")
    names: set[str] = set()
    phones = set(taken_phones)
    officers: list[dict] = []

    def person(role: str, unit: str) -> str:
        name = make_person(rng)
        while name in names:
            name = make_person(rng)
        names.add(name)
        phone = make_mobile(rng)
        while phone in phones:
            phone = make_mobile(rng)
        phones.add(phone)
        no = f"CC{len(officers) + 1:04d}"
        officers.append({"姓名": name, "工号": no, "手机": phone, "角色": role, "所属单位": unit})
        return no

    # district supervisors: per street two from the bureau and one from the ecology bureau
    supervisors = {
        s: [person("区级监管责任人", u) for u in (DISTRICT_BUREAU, DISTRICT_BUREAU, ECO_BUREAU)]
        for s in STREET_ORDER
    }
    for s in STREET_ORDER:
        for _ in range(N_ENFORCERS[s]):
            person("执法队员", f"{STREETS[s]['name']}执法队")
    grid_officer = {}
    for code, street in zip(com["社区编码"], com["所属街道编码"]):
        grid_officer[code] = person("网格员", f"{STREETS[street]['name']}城管办")
    for _ in range(N_COLLECTORS):
        person("信息采集员", DISTRICT_BUREAU)
    name_to_code = {}
    for name in CHANGED + UNSUPERVISED:
        hit = com.loc[com["社区名称"] == name, "社区编码"]
        assert len(hit) == 1, name
        name_to_code[name] = hit.iloc[0]
    successor = {}
    for name in CHANGED:  # new hires, the highest numbers
        code = name_to_code[name]
        street = com.loc[com["社区编码"] == code, "所属街道编码"].iloc[0]
        successor[code] = person("网格员", f"{STREETS[street]['name']}城管办")

    assignments = []
    for code in com["社区编码"]:
        assignments.append(
            {"工号": grid_officer[code], "角色": "网格员", "区域编码": code, "起始日期": START_DAY}
        )
        if code in successor:
            assignments.append(
                {
                    "工号": successor[code],
                    "角色": "网格员",
                    "区域编码": code,
                    "起始日期": CHANGE_DAY,
                }
            )
    unsupervised = {name_to_code[n] for n in UNSUPERVISED}
    for s in STREET_ORDER:
        mine = [c for c in com.loc[com["所属街道编码"] == s, "社区编码"] if c not in unsupervised]
        for k, chunk in enumerate(np.array_split(np.array(mine), len(supervisors[s]))):
            for code in chunk:
                assignments.append(
                    {
                        "工号": supervisors[s][k],
                        "角色": "区级监管责任人",
                        "区域编码": str(code),
                        "起始日期": START_DAY,
                    }
                )
    info = {
        "changed": {n: name_to_code[n] for n in CHANGED},
        "unsupervised": {n: name_to_code[n] for n in UNSUPERVISED},
    }
    return officers, assignments, info


def check_officers(officers: list, assignments: list, com: gpd.GeoDataFrame) -> None:
    of = pd.DataFrame(officers)
    asg = pd.DataFrame(assignments)
    assert of["工号"].is_unique and of["手机"].is_unique and of["姓名"].is_unique
    assert all(MOBILE_RE.match(p) for p in of["手机"])
    role_of = dict(zip(of["工号"], of["角色"]))
    assert all(role_of[n] == r for n, r in zip(asg["工号"], asg["角色"]))
    codes = set(com["社区编码"])
    assert set(asg["区域编码"]) <= codes
    grid = asg[asg["角色"] == "网格员"]
    first = grid[grid["起始日期"] == START_DAY]
    assert first["区域编码"].is_unique and set(first["区域编码"]) == codes
    later = grid[grid["起始日期"] == CHANGE_DAY]
    assert len(later) == len(CHANGED) and len(grid) == len(codes) + len(CHANGED)
    sup = asg[asg["角色"] == "区级监管责任人"]
    assert sup["区域编码"].is_unique
    missing = codes - set(sup["区域编码"])
    assert len(missing) == len(UNSUPERVISED), missing
    # a supervisor stays within one street
    street_of = dict(zip(com["社区编码"], com["所属街道编码"]))
    for _, g in sup.groupby("工号"):
        assert len({street_of[c] for c in g["区域编码"]}) == 1


def write_csv(path: Path, headers: list, rows: list, encoding: str) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=headers, lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


# --------------------------------------------------------------------------------------------
# the messy sample (GBK export of an old system)

FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
GUANGZHOU_GCJ = ("113.324520", "23.106416")  # Canton Tower, Haizhu District, Guangzhou

# spreadsheet rows (header = row 1) -> what is wrong there
MESSY_ROWS = 30
MESSY_PROBLEMS = {
    4: "missing",
    7: "unparseable",
    10: "swapped",
    13: "outside",
    16: "fullwidth_phone",
    18: "fullwidth_coords",
    21: "bad_check",
    24: "dup_first",
    26: "empty_name",
    28: "dup_second",
    30: "spaces",
}
MESSY_UPDATED = {3: "最近检查日期", 9: "联系电话", 12: "最近检查日期"}  # valid rows that differ


def build_messy(reg: pd.DataFrame) -> tuple[list, dict]:
    rng = random.Random(f"{SEED}-messy")
    picks = rng.sample(range(len(reg)), MESSY_ROWS - 1)
    rows, notes = [], {}
    taken = set(reg["联系电话"])
    k = 0
    first_dup = None
    for r in range(2, MESSY_ROWS + 2):
        problem = MESSY_PROBLEMS.get(r)
        if problem == "dup_second":
            src = first_dup
        else:
            src = reg.iloc[picks[k]]
            k += 1
        if problem == "dup_first":
            first_dup = src
        day = src["最近检查日期"]
        row = {
            "序号": str(r - 1),
            "企业名称": src["企业名称"],
            "统一社会信用代码": src["统一社会信用代码"],
            "所属行业": src["所属行业"],
            "监管类别": src["监管类别"],
            "环境行为等级": src["环境行为等级"],
            "检查频次": src["检查频次"],
            "联系人": src["联系人"],
            "联系电话": src["联系电话"],
            "地址": src["地址"],
            "经度": f"{src['经度']:.6f}",
            "纬度": f"{src['纬度']:.6f}",
            "最近检查日期": day.isoformat() if isinstance(day, dt.date) else "",
        }
        note = f"from register row {int(src['序号']) + 1} ({src['统一社会信用代码']})"
        if r in MESSY_UPDATED:
            field = MESSY_UPDATED[r]
            if field == "联系电话":
                phone = make_mobile(rng)
                while phone in taken:
                    phone = make_mobile(rng)
                row[field] = phone
            else:
                row[field] = (AS_OF + dt.timedelta(days=5 + r)).isoformat()  # a later visit
            note += f"; {field} updated to {row[field]}"
        if problem == "missing":
            row["经度"] = row["纬度"] = ""
        elif problem == "unparseable":
            row["经度"] = "113.1.2"
        elif problem == "swapped":
            row["经度"], row["纬度"] = row["纬度"], row["经度"]
        elif problem == "outside":
            row["经度"], row["纬度"] = GUANGZHOU_GCJ
        elif problem == "fullwidth_phone":
            row["联系电话"] = row["联系电话"].translate(FULLWIDTH)
        elif problem == "fullwidth_coords":
            row["经度"] = row["经度"].translate(FULLWIDTH)
            row["纬度"] = row["纬度"].translate(FULLWIDTH)
        elif problem == "bad_check":
            good = row["统一社会信用代码"]
            wrong = USCC_ALPHABET[(USCC_ALPHABET.index(good[17]) + 7) % 31]
            row["统一社会信用代码"] = good[:17] + wrong
        elif problem == "dup_second":
            phone = make_mobile(rng)
            while phone in taken:
                phone = make_mobile(rng)
            row["联系电话"] = phone
        elif problem == "empty_name":
            row["企业名称"] = ""
        elif problem == "spaces":
            row["企业名称"] = "  " + row["企业名称"] + " "
        rows.append(row)
        notes[r] = (problem or "valid", src, row, note)
    return rows, notes


def check_messy(path: Path, rows: list, reg: pd.DataFrame) -> None:
    raw = path.read_bytes()
    raw.decode("gbk")
    df = pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)
    assert list(df.columns) == HEADERS and len(df) == MESSY_ROWS
    assert df.to_dict("records") == rows
    codes = set(reg["统一社会信用代码"])
    at = lambda r: df.iloc[r - 2]  # noqa: E731  spreadsheet row -> record
    assert at(4)["经度"] == "" and at(4)["纬度"] == ""
    assert at(7)["经度"] == "113.1.2"
    assert float(at(10)["经度"]) < 90 < float(at(10)["纬度"])
    assert unicodedata.normalize("NFKC", at(16)["联系电话"]) in set(reg["联系电话"])
    assert float(unicodedata.normalize("NFKC", at(18)["经度"])) > 113
    assert not uscc_is_valid(at(21)["统一社会信用代码"]) and at(21)["统一社会信用代码"] not in codes
    assert at(24)["统一社会信用代码"] == at(28)["统一社会信用代码"]
    assert at(26)["企业名称"] == ""
    assert at(30)["企业名称"] != at(30)["企业名称"].strip()
    assert df["统一社会信用代码"].duplicated().sum() == 1
    for r in range(2, MESSY_ROWS + 2):
        if r != 21:
            assert at(r)["统一社会信用代码"] in codes
            assert uscc_is_valid(at(r)["统一社会信用代码"])


# --------------------------------------------------------------------------------------------


def main() -> None:
    com = load_communities()
    reg, truth = build_enterprises(com)
    stats = check_enterprises(reg, truth, com)
    officers, assignments, info = build_officers(com, set(reg["联系电话"]))
    check_officers(officers, assignments, com)
    messy, notes = build_messy(reg)

    SAMPLES.mkdir(parents=True, exist_ok=True)
    xlsx = CHANCHENG / "enterprises.xlsx"
    write_register_xlsx(xlsx, reg)
    truth_out = truth.copy()
    truth_out["wgs84_lon"] = truth_out["wgs84_lon"].map("{:.7f}".format)
    truth_out["wgs84_lat"] = truth_out["wgs84_lat"].map("{:.7f}".format)
    write_csv(
        CHANCHENG / "enterprises_truth.csv",
        list(truth_out.columns),
        truth_out.to_dict("records"),
        "utf-8",
    )
    write_csv(CHANCHENG / "officers.csv", OFFICER_HEADERS, officers, "utf-8-sig")
    write_csv(CHANCHENG / "assignments.csv", ASSIGNMENT_HEADERS, assignments, "utf-8-sig")
    write_csv(SAMPLES / "enterprises_messy.csv", HEADERS, messy, "gbk")

    # read everything back
    read_back_register(xlsx, reg)
    assert xlsx.stat().st_size < 1_000_000, "the register is over 1 MB"
    t = pd.read_csv(CHANCHENG / "enterprises_truth.csv", encoding="utf-8", dtype=str)
    assert list(t.columns) == ["统一社会信用代码", "wgs84_lon", "wgs84_lat", "社区编码"]
    assert (t["统一社会信用代码"] == reg["统一社会信用代码"]).all()
    assert np.allclose(t["wgs84_lon"].astype(float), truth["wgs84_lon"], atol=1e-9, rtol=0)
    assert (CHANCHENG / "officers.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    o = pd.read_csv(CHANCHENG / "officers.csv", encoding="utf-8-sig", dtype=str)
    assert list(o.columns) == OFFICER_HEADERS and o.to_dict("records") == officers
    a = pd.read_csv(CHANCHENG / "assignments.csv", encoding="utf-8-sig", dtype=str)
    assert list(a.columns) == ASSIGNMENT_HEADERS and a.to_dict("records") == assignments
    check_messy(SAMPLES / "enterprises_messy.csv", messy, reg)

    # report
    print(f"enterprises: {len(reg)} rows, {xlsx.stat().st_size / 1024:.0f} KB")
    for col in ("所属行业", "监管类别", "环境行为等级", "检查频次"):
        counts = Counter(reg[col])
        print(f"  {col}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    street_of = dict(zip(com["社区编码"], com["所属街道编码"]))
    per_street = Counter(STREETS[street_of[c]]["name"] for c in truth["社区编码"])
    print("  street: " + ", ".join(f"{k} {v}" for k, v in per_street.most_common()))
    kinds = Counter(
        "个体工商户 (92)" if c[1] == "2" else "企业 (91)" for c in reg["统一社会信用代码"]
    )
    print("  credit codes: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    print(f"  never inspected: {reg['最近检查日期'].isna().sum()}")
    landlines = reg["联系电话"].str.startswith("0757").sum()
    print(f"  phones: {len(reg) - landlines} mobile, {landlines} landline")
    per_com = Counter(truth["社区编码"])
    print(
        f"  per community: {min(per_com.values())}–{max(per_com.values())}, "
        f"{len(com) - len(per_com)} communities without enterprises"
    )
    print(
        f"  closest to a border: {stats['min_border_m']:.2f} m; GCJ-02 offset "
        f"{stats['shift_m'][0]:.0f}–{stats['shift_m'][1]:.0f} m; "
        f"round trip of the 6-decimal GCJ-02 {stats['roundtrip_m'] * 100:.1f} cm at most"
    )
    roles = Counter(o["角色"])
    print(f"officers: {len(o)} (" + ", ".join(f"{k} {v}" for k, v in roles.items()) + ")")
    print(
        f"assignments: {len(a)} rows; "
        + ", ".join(f"{k} {v}" for k, v in Counter(a["角色"]).items())
    )
    print(
        "  网格员 changed on "
        + CHANGE_DAY
        + ": "
        + ", ".join(f"{n} {c}" for n, c in info["changed"].items())
    )
    print("  no 区级监管责任人: " + ", ".join(f"{n} {c}" for n, c in info["unsupervised"].items()))
    print(f"messy sample: {len(messy)} rows")
    for r, (problem, _src, row, note) in notes.items():
        print(f"  row {r}: {problem}: {row['企业名称']!r} {row['统一社会信用代码']} | {note}")
    print("all checks passed")


if __name__ == "__main__":
    main()
