"""A deterministic zh-TW news corpus for the benchmark: one JSON Lines file per day.

    python bench/corpus.py 100000 bench/.data/100k
    python bench/corpus.py 100000 bench/.data/100k-tags --tags 20000    # bench/tags.py's corpus

The same count gives the same bytes on every machine: titles and 1-4 KB HTML bodies drawn from
the seed page's sentences with a fixed seed, the ten categories, agencies and reporters, tags,
images, some URLs with raw Chinese characters and some titles with emoji. The site config that
syndicate builds from is written beside the records (site.yaml).
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

PER_DAY = 1000
TAIPEI = timezone(timedelta(hours=8))
LAST_DAY = datetime(2026, 2, 4, tzinfo=TAIPEI)
CATEGORIES = [("local", "地方"), ("life", "生活"), ("health", "健康"), ("education", "文教"),
              ("travel", "旅遊"), ("consumer", "消費"), ("society", "社會"), ("world", "國際"),
              ("arts", "藝術"), ("general", "綜合")]
AUTHORS = ["行政院", "內政部", "經濟部", "衛生福利部", "文化部", "交通部觀光署", "教育部",
           "記者王小明", "記者林佳慧", "記者陳志明"]
SUBJECTS = ["卓揆", "內政部", "嘉義縣", "衛福部", "文化部", "觀光署", "教育部", "經濟部",
            "台積電", "日本臺灣商會", "屏東縣", "花蓮縣", "臺北市", "高雄市"]
ACTIONS = ["宣布", "推動", "接見", "啟動", "表示將強化", "攜手", "說明", "公布", "檢討", "擴大"]
OBJECTS = ["AI新十大建設", "老宅延壽計畫", "2026台灣燈會", "青年百億海外圓夢基金",
           "民主供應鏈", "長照3.0", "數位貿易協議", "微笑南灣計畫", "中小企業AI轉型輔導",
           "流感疫苗接種", "國旅振興方案", "矽光子產業聚落"]
TAILS = ["打造更堅固民主供應鏈", "照顧年輕下一代", "盼吸引更多國外旅客", "讓長輩安心生活",
         "強化區域安全", "增進臺日友好關係", "即日起受理申請", "吸引逾百萬人次參觀"]
EMOJI = ["🎉", "🇹🇼", "🏮", "👨‍👩‍👧‍👦", "1️⃣", "🔥"]
SENTENCES = [
    "行政院長卓榮泰今(4)日接見「日本臺灣商會聯合總會回國訪問團」一行時表示,臺灣正全力推動「AI新十大建設」。",
    "盼與日本政府及民間產業進行更多連結,雙方合作將是「強強聯手」,在亞洲、印太地區及全世界持續扮演重要角色。",
    "政府持續推動「青年百億海外圓夢基金計畫」,期盼發揮在海外的力量,協助政府與民間的連結合作。",
    "該館在博覽會期間已吸引116萬人次參觀,將透過今(2026)年嘉義縣舉辦的「2026台灣燈會」重現於國人眼前。",
    "去(2025)年日本來臺觀光約148萬人次、臺灣赴日觀光約673萬人次,政府將投入更多資源振興國內觀光產業。",
    "臺灣在半導體高科技製造如台積電(TSMC)等廠商已具有領先地位,而日本在設備與材料領域則占有優勢。",
    "臺日近年簽署多項重要協議,包括「臺日數位貿易協議」,內容涵蓋跨境電子傳輸免稅、資料自由跨境流通。",
    "內政部「老宅延壽」說明會今日首度在屏東舉辦,吸引許多長輩與社區管委會代表到場。",
    "屏東縣高齡人口比例偏高,許多長輩居住在屋齡超過30年的透天厝或公寓。",
    "該計畫實施第一年已協助1,400多位青年出國交流學習,目前第二年計畫亦已展開。",
]


def article(number: int, rng: random.Random) -> dict:
    day = number // PER_DAY
    when = LAST_DAY - timedelta(days=day, seconds=rng.randrange(86_400))
    slug, name = CATEGORIES[number % len(CATEGORIES)]
    title = (f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}「{rng.choice(OBJECTS)}」 "
             f"{rng.choice(TAILS)}")
    if number % 17 == 0:
        title += " " + rng.choice(EMOJI)
    target = rng.randrange(1_000, 4_000)
    paragraphs, size = [], 0
    while size < target:
        sentence = "".join(rng.choice(SENTENCES) for _ in range(rng.randrange(1, 4)))
        paragraphs.append(f"<p>{sentence}</p>")
        size += len(sentence.encode("utf-8")) + 7
    if number % 5 == 0:
        paragraphs.insert(1, f'<p><img src="/wp-content/uploads/{when:%Y/%m}/{number}.jpg" '
                             f'alt="{name}新聞照片"></p>')
    path = f"{when:%Y/%m/%d}/{number}/" if number % 10 else f"{when:%Y/%m/%d}/{name}新聞-{number}/"
    record = {
        "id": str(number),
        "url": f"https://nchn.example.com/{path}",
        "title": title,
        "category": slug if number % 3 else name,
        "published": when.isoformat(),
        "content_html": "\n".join(paragraphs),
        "tags": rng.sample(OBJECTS, rng.randrange(0, 4)),
        "author": rng.choice(AUTHORS),
    }
    if number % 4:
        record["image"] = {"url": f"https://nchn.example.com/wp-content/uploads/{when:%Y/%m}/"
                                  f"{number}-cover.jpg", "width": 1200, "height": 630,
                           "alt": title[:20]}
    return record


def day_file(folder: Path, number: int) -> Path:
    day = LAST_DAY - timedelta(days=number // PER_DAY)
    return folder / "records" / f"{day:%Y-%m-%d}.jsonl"


def long_tail(record: dict, tags: int, rng: random.Random) -> None:
    """Give a record up to two of `tags` topic tags and one of tags // 100 reporters, drawn
    log-uniformly (a few topics in most articles, most topics in a few), as a site with
    thousands of tags has them; from an rng of their own, so the other fields stay the same."""
    for _ in range(rng.randrange(0, 3)):
        topic = f"話題{int(tags ** rng.random()):05d}"
        if topic not in record["tags"]:
            record["tags"].append(topic)
    reporters = max(1, tags // 100)
    record["author"] = [record["author"], f"記者{int(reporters ** rng.random()):03d}"]


def generate(count: int, folder: Path, tags: int = 0) -> None:
    """Write `count` articles under folder/records/ and folder/site.yaml; with `tags`, a long
    tail of that many topic tags and tags // 100 reporters (long_tail)."""
    rng = random.Random(20260204)
    tail = random.Random(5005)
    (folder / "records").mkdir(parents=True, exist_ok=True)
    handle, current = None, None
    for number in range(count):
        path = day_file(folder, number)
        if path != current:
            if handle:
                handle.close()
            handle, current = path.open("w", encoding="utf-8"), path
        record = article(number, rng)
        if tags:
            long_tail(record, tags, tail)
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if handle:
        handle.close()
    (folder / "site.yaml").write_text(SITE_YAML, encoding="utf-8")


SITE_YAML = """\
site:
  title: 全國大小事新聞網
  url: https://nchn.example.com/
  language: zh-TW
  timezone: Asia/Taipei
  logo: https://nchn.example.com/logo.png
  tag_date: "2026-01-01"
categories:
""" + "".join(f"  - {{slug: {slug}, name: {name}}}\n" for slug, name in CATEGORIES) + """\
sources:
  - type: files
    path: records
share:
  x_via: nchn_news
  utm_campaign: share
output:
  dir: feeds
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--tags", type=int, default=0,
                        help="add a long tail of this many topic tags (and tags/100 reporters)")
    args = parser.parse_args()
    generate(args.count, args.folder, args.tags)


if __name__ == "__main__":
    main()
