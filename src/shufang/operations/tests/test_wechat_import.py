"""The WeChat export import: either the whole file or nothing, every bad row reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shufang.core.audit import Actor
from shufang.core.models import AuditEvent
from shufang.core.tabular import MissingColumns, TabularError
from shufang.operations.models import WechatMonth, WechatPost
from shufang.operations.selectors import wechat_figures
from shufang.operations.services.wechat import (
    WechatImportRefused,
    wechat_months_import,
    wechat_posts_import,
)
from shufang.operations.tests.fixtures import Lijiang

pytestmark = pytest.mark.django_db
ACTOR = Actor.importer("tests")


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_gb18030_post_export_is_loaded(lj: Lijiang, tmp_path: Path) -> None:
    path = write(tmp_path, "发布时间,标题,阅读次数\n2020-04-23,世界读书日,\"2,522\"\n2020/5/1,劳动节,480\n",
                 "gb18030")  # fmt: skip

    result = wechat_posts_import(path=path, library=lj.library, account="ljstsg", actor=ACTOR)

    assert (result.loaded, result.created, result.updated) == (2, 2, 0)
    assert sorted(WechatPost.objects.values_list("published_on", "title", "reads")) == [
        (dt.date(2020, 4, 23), "世界读书日", 2522),
        (dt.date(2020, 5, 1), "劳动节", 480),
    ]
    assert AuditEvent.objects.filter(action="wechat_post.imported").count() == 2
    assert wechat_figures(year=2020)["top_reads"] == 2522


def test_bad_rows_are_all_reported_by_line_and_nothing_is_saved(
    lj: Lijiang, tmp_path: Path
) -> None:
    path = write(tmp_path, "月份,累计关注人数,新关注人数\n2020-11,10537,80\n2020-13,10628,91\n"
                           "2020-12,很多,91\n2020-11,10600,1\n")  # fmt: skip

    with pytest.raises(WechatImportRefused) as refused:
        wechat_months_import(path=path, library=lj.library, account="ljstsg", actor=ACTOR)

    assert [row["line"] for row in refused.value.details["rows"]] == [3, 4, 5]
    assert "很多" in refused.value.details["rows"][1]["reason"]
    assert WechatMonth.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_file_without_the_reads_column_is_refused_before_reading_rows(
    lj: Lijiang, tmp_path: Path
) -> None:
    path = write(tmp_path, "发布时间,标题\n2020-04-23,世界读书日\n")

    with pytest.raises(MissingColumns) as refused:
        wechat_posts_import(path=path, library=lj.library, account="ljstsg", actor=ACTOR)

    assert refused.value.details["columns"] == ["reads"]
    assert WechatPost.objects.count() == 0


def test_a_file_in_another_encoding_is_refused_with_its_line(lj: Lijiang, tmp_path: Path) -> None:
    path = write(tmp_path, "发布时间,标题,阅读次数\n2020-04-23,世界读书日,10\n")
    path.write_bytes(path.read_bytes() + "2020-04-24,读书,5\n".encode("utf-16"))

    with pytest.raises(TabularError) as refused:
        wechat_posts_import(path=path, library=lj.library, account="ljstsg", actor=ACTOR)

    assert refused.value.details["line"] == 3
    assert WechatPost.objects.count() == 0


def test_importing_the_same_months_again_replaces_them(lj: Lijiang, tmp_path: Path) -> None:
    path = write(tmp_path, "month,followers,new_followers\n2019-12,9657,60\n2020-12,10600,91\n")
    wechat_months_import(path=path, library=lj.library, account="ljstsg", actor=ACTOR)
    path = write(tmp_path, "month,followers,new_followers\n2020-12,10628,91\n")

    result = wechat_months_import(path=path, library=lj.library, account="ljstsg", actor=ACTOR)

    assert (result.created, result.updated) == (0, 1)
    assert wechat_figures(year=2020)["followers"] == 10628
    assert wechat_figures(year=2020)["followers_gain"] == 971
