"""``xinfang keys``: the data keyring's state, a new key, and the rotation to the newest key.

Rotating (see the README, "Rotate the data key"):
1. ``xinfang keys generate`` prints a new key. Put it first (the key file's first line, or
   XINFANG_DATA_KEY with the old one moved to XINFANG_DATA_KEY_OLD) and restart the platform:
   new data is then written under the new key, old data still reads.
2. ``xinfang keys rotate`` re-encrypts everything, while the platform serves; run it again after
   a crash, it continues.
3. ``xinfang keys status`` says when an old key is no longer used: remove it and restart.
"""

from __future__ import annotations

import getpass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from xinfang.core import crypto, keys, rotation


def _operator() -> str:
    try:
        return f"命令行：{getpass.getuser()}"
    except (KeyError, OSError):
        return "命令行"


class Command(BaseCommand):
    help = "数据密钥：status 查看密钥和使用情况，generate 生成新密钥，rotate 把全部数据重新加密到最新的密钥。"
    # `status` explains a bad key instead of stopping at the check; `generate` needs no database.
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="status|generate|rotate")
        actions.add_parser("status", help="配置的密钥、每个密钥加密的数据项和文件数、轮换进度")
        actions.add_parser("generate", help="生成一个新的数据密钥并显示（不保存）")
        rotate = actions.add_parser("rotate", help="把全部加密数据和文件重新加密到最新的密钥（可中断后继续）")
        rotate.add_argument("--batch-size", type=int, default=500, help="每个事务处理的行数（默认 500）")
        rotate.add_argument(
            "--pause", type=float, default=0.0, help="每批之间暂停的秒数，减轻对正在服务的平台的负担"
        )

    def handle(self, *args, action, **options):
        if action == "generate":
            self.generate()
        elif action == "status":
            self.status()
        else:
            self.rotate(batch_size=max(1, options["batch_size"]), pause=max(0.0, options["pause"]))

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def generate(self) -> None:
        self.say(keys.generate_key())
        self.stderr.write(
            "这是一个新的数据密钥（32 个随机字节，base64）。轮换时把它放在密钥文件的第一行"
            "（或设为 XINFANG_DATA_KEY，原密钥移到 XINFANG_DATA_KEY_OLD），重启平台后运行 xinfang keys rotate。"
            "请另外离线保存一份：丢失密钥就丢失数据。"
        )

    def status(self) -> None:
        problem = None
        try:
            keys.verify_data_key()
        except keys.DataKeyError as exc:
            problem = str(exc)
        self.say(f"数据密钥来自：{settings.DATA_KEY_SOURCE}")
        ring = crypto.ring() if settings.DATA_KEY else ()
        found = keys.usage()
        self.say(_usage_table(ring, found))
        self.say(_conclusion(ring, found))
        if problem:
            raise CommandError(problem)

    def rotate(self, *, batch_size: int, pause: float) -> None:
        from xinfang.audit.actions import record
        from xinfang.audit.models import AuditAction

        try:
            keys.verify_data_key()
        except keys.DataKeyError as exc:
            raise CommandError(str(exc)) from None
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("数据库还有未执行的迁移，请先运行 xinfang migrate。")
        ring = crypto.ring()
        newest = ring[0].hex_id
        before = keys.usage()
        stale = {kid: before.of(kid) for kid in before.key_ids if kid != newest}
        if not stale:
            self.say(f"全部数据已使用最新的密钥 {newest}，无需轮换。")
            self.say(_conclusion(ring, before))
            return
        self.say(f"开始轮换：把 {sum(stale.values())} 项数据和文件重新加密到最新的密钥 {newest}。")
        common = {"actor_name": _operator(), "target_type": "core.DataKey", "target_id": newest}
        record(AuditAction.DATA_KEY, **common, event="key_rotation_started", stale=stale)
        result = rotation.rotate(batch_size=batch_size, pause=pause, report=self.say)
        after = keys.usage()
        remaining = {kid: after.of(kid) for kid in after.key_ids if kid != newest}
        record(
            AuditAction.DATA_KEY,
            **common,
            event="key_rotation_finished",
            rows=sum(result.rows.values()),
            files=result.files,
            remaining=remaining,
        )
        self.say(f"轮换完成：重新加密 {sum(result.rows.values())} 行数据、{result.files} 个文件。")
        self.say(_conclusion(ring, after))


def _usage_table(ring, found: keys.Usage) -> str:
    configured = [k.hex_id for k in ring]
    lines = ["密钥编号    状态                  数据项    文件"]
    for kid in [*configured, *sorted(found.key_ids - set(configured))]:
        state = (
            "最新（加密新数据）"
            if configured and kid == configured[0]
            else "旧密钥（只用于读取）"
            if kid in configured
            else "未配置！"
        )
        lines.append(f"{kid}    {state:<16}  {found.values[kid]:>8}  {found.files[kid]:>6}")
    for label, counter in sorted(found.by_model.items()):
        parts = "，".join(f"{kid} {n} 项" for kid, n in sorted(counter.items()))
        if parts:
            lines.append(f"  {label}：{parts}")
    if found.plain:
        lines.append(f"加密列中未加密的值：{found.plain} 项（应为 0；请运行 xinfang migrate）")
    if found.missing_files:
        lines.append(f"数据库登记了但磁盘上找不到的文件：{found.missing_files} 个")
    total = sum(found.of(kid) for kid in found.key_ids)
    if ring and total:
        done = found.of(ring[0].hex_id)
        lines.append(f"轮换进度：{done * 100 // total}%（共 {total} 项，{done} 项已使用最新的密钥）")
    return "\n".join(lines)


def _conclusion(ring, found: keys.Usage) -> str:
    if len(ring) <= 1:
        return "只配置了一个密钥，没有进行中的轮换。"
    lines = []
    for key in ring[1:]:
        used = found.of(key.hex_id)
        if used:
            lines.append(
                f"旧密钥 {key.hex_id} 仍有 {used} 项数据或文件在用，不能删除：请运行 xinfang keys rotate。"
            )
        else:
            lines.append(
                f"旧密钥 {key.hex_id} 已没有数据使用，可以从配置中删除"
                "（XINFANG_DATA_KEY_OLD 或密钥文件中对应的一行），然后重启平台。删除前请确认备份也已不需要它。"
            )
    return "\n".join(lines)
