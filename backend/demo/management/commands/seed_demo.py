"""Create the demo platform: an operator, two firms with accelerators and challenges, 260 startups.

Idempotent: running it again finds what exists and only fills gaps. The texts are real public
records (U.S. SBIR topics and award abstracts, U.S. government works) shipped in
backend/demo/fixtures, plus a few hand-written Chinese examples.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Membership, Organization, User
from backend.accounts.selectors import actor_for
from backend.common.fields import validate_statements
from backend.matches import engine
from backend.matches.indexing import changes_record_for, drain, index_rebuild
from backend.matches.models import ChunkVector, Match, Side
from backend.notifications.services import notifications_mark_all_seen
from backend.programs import services as program_services
from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership
from backend.startups.models import StartupProfile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE = FIXTURES / "demo.json.gz"
# The demo's chunk and evidence-sentence vectors, shipped so a first `make run` need not embed
# them; used only when made by the configured model (anything else is encoded as usual).
# Regenerate with `seed_demo --export-vectors` on an empty database after the engine changes.
VECTORS = FIXTURES / "demo_vectors.npz"
PASSWORD = "demo12345"
DEMO_DOMAIN = "@demo.local"
STAGES = [s.value for s in StartupProfile.Stage]
REGIONS = [
    ("Shanghai", "Pudong"),
    ("Shanghai", "Minhang"),
    ("Shanghai", "Jiading"),
    ("Suzhou", "Jiangsu"),
    ("Hangzhou", "Zhejiang"),
    ("Hefei", "Anhui"),
    ("Nanjing", "Jiangsu"),
    ("Ningbo", "Zhejiang"),
]

FIRMS = {
    "energy": {
        "email": "enterprise@demo.local",
        "firm": "Lingang Power Systems Group",
        "accelerator": "New Energy Supply Chain Accelerator",
        "focus": "Batteries, energy storage and power electronics",
        "description": (
            "Our open-innovation programme for the new-energy industry chain: cells, storage, "
            "power distribution and fuel systems. We fund pilots with startups that can solve "
            "the problems our plants and customers face."
        ),
        "confidential": {"DOD-A17-025", "DOD-A16-132"},
        "draft": {"DOD-A17-028"},
    },
    "sensing": {
        "email": "enterprise2@demo.local",
        "firm": "Zhangjiang Sensing Technologies",
        "accelerator": "Intelligent Sensing & Autonomy Accelerator",
        "focus": "Infrared imaging, radar, perception and autonomous systems",
        "description": (
            "A programme around the sensing and autonomy chain: detectors, cameras, perception "
            "software and unmanned systems."
        ),
        "confidential": {"DOD-A16-069"},
        "draft": {"DOD-A17-043"},
    },
}

CHINESE_CHALLENGE = {
    "title": "动力电池快充与低温性能提升",
    "problem_statement": (
        "我们的储能与动力电池产线需要在保证安全和循环寿命的前提下，"
        "把锂离子电池的充电倍率提升到 3C 以上，并改善零下 20 摄氏度时的容量保持率。"
        "希望合作伙伴在电极材料、电解液配方或电池管理算法方面有成熟经验。"
    ),
    "desired_outcomes": "六个月内完成样品电芯测试，给出快充曲线、低温容量数据和量产可行性评估。",
    "required_capabilities": ["锂离子电池电极材料", "电解液配方", "电池管理系统算法"],
    "industry_tags": ["新能源", "储能", "锂电池"],
}

CHINESE_STARTUPS = [
    {
        "name": "沪芯储能科技",
        "pitch": "面向快充场景的高倍率锂电池电极材料",
        "summary": (
            "我们开发高倍率锂离子电池负极材料和低温电解液，"
            "样品电芯在 4C 快充下循环 2000 次容量保持 85%。"
            "团队来自上海的高校电化学实验室，已与两家储能企业开展中试。"
        ),
        "capabilities": ["高倍率负极材料研发", "低温电解液配方", "电芯中试与测试"],
        "technology_tags": ["锂电池", "快充", "电解液"],
    },
    {
        "name": "临港智感机器人",
        "pitch": "工业巡检机器人与红外视觉感知",
        "summary": (
            "我们为工厂和变电站提供自主巡检机器人，融合红外热成像与激光雷达，实现设备温度异常的自动识别。"
        ),
        "capabilities": ["红外热成像识别算法", "巡检机器人导航", "激光雷达建图"],
        "technology_tags": ["机器人", "红外", "感知"],
    },
]


def load_shipped_vectors() -> dict[str, bytes]:
    """Hand the shipped sentence vectors to evidence; return the chunk vectors for indexing."""
    if not VECTORS.is_file():
        return {}
    with np.load(VECTORS) as shipped:
        if str(shipped["model_id"]) != engine.embedder().model_id:
            return {}
        sentences = shipped["sentence_vectors"].astype(np.float32)
        engine.sentence_vectors.preload(
            dict(zip(shipped["sentence_hashes"].tolist(), sentences, strict=True))
        )
        chunks = shipped["vectors"].astype(np.float32)
        return {str(key): row.tobytes() for key, row in zip(shipped["hashes"], chunks, strict=True)}


def _export_vectors() -> int:
    """Write the vectors this seed used (chunks from the database, evidence sentences from
    memory) as float16: cosine to the float32 originals stays above 0.9999."""
    model_id = engine.embedder().model_id
    rows = dict(ChunkVector.objects.filter(model_id=model_id).values_list("content_hash", "vector"))
    hashes = sorted(rows)
    sentences = engine.sentence_vectors.items()
    np.savez_compressed(
        VECTORS,
        model_id=np.array(model_id),
        hashes=np.array(hashes),
        vectors=np.vstack([np.frombuffer(bytes(rows[h]), dtype=np.float32) for h in hashes]).astype(
            np.float16
        ),
        sentence_hashes=np.array([key for key, _ in sentences]),
        sentence_vectors=np.vstack([vector for _, vector in sentences]).astype(np.float16),
    )
    return len(hashes) + len(sentences)


def _stable(key: str, modulo: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % modulo


def _keywords(text: str) -> list[str]:
    found = re.search(r"KEYWORDS:\s*(.+)$", text, flags=re.S)
    if not found:
        return []
    words = [w.strip(" .;") for w in found.group(1).split(",")]
    return [w[:60] for w in words if 2 < len(w) <= 60][:8]


class Command(BaseCommand):
    help = "Load the demo accounts and data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--export-vectors",
            action="store_true",
            help="maintainers: after seeding, write the vectors it used to the shipped fixture",
        )

    def handle(self, *args, export_vectors: bool = False, **options):
        with gzip.open(FIXTURE, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        with transaction.atomic():
            operator = self._user("operator@demo.local", "Programme Office", "operator")
            # The demo operator also runs the admin, so /admin/ works out of the box.
            User.objects.filter(pk=operator.pk).update(is_staff=True, is_superuser=True)
            profiles = self._startups(data)
            accelerators = self._programmes(data)
            self._cohorts(accelerators, operator, profiles["demo"])
        self.stdout.write("Indexing challenges and profiles and proposing matches...")
        # A command, not a request: it applies the change log itself, the way the indexer does.
        index_rebuild(known_vectors=load_shipped_vectors())
        # The demo startup joins the market as any startup that publishes does.
        changes_record_for(Side.STARTUP, [profiles["demo"].pk])
        drain()
        # The demo opens on a quiet bell: what seeding proposed is history, not news.
        for user in User.objects.filter(email__endswith=DEMO_DOMAIN):
            notifications_mark_all_seen(user=user)
        if export_vectors:
            self.stdout.write(f"{_export_vectors()} vectors written to {VECTORS}")
        self.stdout.write(self.style.SUCCESS(self._summary()))

    def _user(self, email: str, organization: str, kind: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, PASSWORD, full_name=organization + " (demo)")
        org, _ = Organization.objects.get_or_create(name=organization, kind=kind)
        Membership.objects.get_or_create(
            user=user, organization=org, defaults={"role": Membership.Role.OWNER}
        )
        return user

    def _startups(self, data: dict) -> dict[str, StartupProfile]:
        profiles: dict[str, StartupProfile] = {}
        rows = [
            {
                "key": row["id"],
                "name": row["name"],
                "pitch": (row["capabilities"] or [""])[0][:300],
                "summary": row["text"],
                # A few SBIR companies list hundreds of awards; a profile keeps the first ones.
                "capabilities": row["capabilities"][: validate_statements.max_items],
                "technology_tags": [],
            }
            for row in data["profiles"]
        ] + [{"key": f"zh-{i}", **row} for i, row in enumerate(CHINESE_STARTUPS)]
        for row in rows:
            key = row.pop("key")
            org, _ = Organization.objects.get_or_create(name=row["name"], kind="startup")
            if key == data["demo_startup"]:
                self._user("startup@demo.local", org.name, "startup")
            city, region = REGIONS[_stable(key, len(REGIONS))]
            profile, _ = StartupProfile.objects.get_or_create(
                organization=org,
                defaults={
                    **row,
                    "stage": STAGES[_stable(key + "stage", len(STAGES))],
                    "team_size": 3 + _stable(key + "team", 120),
                    "founded_year": 2008 + _stable(key + "year", 17),
                    "city": city,
                    "region": region,
                    "trl": 3 + _stable(key + "trl", 6),
                    "languages": ["zh", "en"] if key.startswith("zh-") else ["en"],
                    "published": True,
                },
            )
            profiles["demo" if key == data["demo_startup"] else key] = profile
        return profiles

    def _programmes(self, data: dict) -> list[Accelerator]:
        accelerators = []
        for key, firm in FIRMS.items():
            user = self._user(firm["email"], firm["firm"], "enterprise")
            enterprise = Organization.objects.get(name=firm["firm"], kind="enterprise")
            accelerator, _ = Accelerator.objects.get_or_create(
                enterprise=enterprise,
                name=firm["accelerator"],
                defaults={"industry_focus": firm["focus"], "description": firm["description"]},
            )
            accelerators.append(accelerator)
            topics = [
                {
                    "key": topic["id"],
                    "title": topic["title"][:300],
                    "problem_statement": topic["text"],
                    "industry_tags": _keywords(topic["text"]),
                }
                for topic in data["programmes"][key]
            ]
            if key == "energy":
                topics.append({"key": "zh-energy", **CHINESE_CHALLENGE})
            for topic in topics:
                topic_key = topic.pop("key")
                draft = topic_key in firm["draft"]
                Challenge.objects.get_or_create(
                    accelerator=accelerator,
                    title=topic["title"],
                    defaults={
                        **topic,
                        "language": "zh" if topic_key.startswith("zh-") else "en",
                        "visibility": "confidential"
                        if topic_key in firm["confidential"]
                        else "public",
                        "status": "draft" if draft else "open",
                        "published_at": None if draft else timezone.now(),
                        "trl_min": 3,
                        "trl_max": 7,
                        "created_by": user,
                    },
                )
        return accelerators

    def _cohorts(
        self, accelerators: list[Accelerator], operator: User, demo: StartupProfile
    ) -> None:
        """Each programme has an intake; the demo startup is invited to the first one."""
        for accelerator in accelerators:
            Cohort.objects.get_or_create(
                accelerator=accelerator, name="2027 Spring intake", defaults={"capacity": 8}
            )
        first = Cohort.objects.get(accelerator=accelerators[0], name="2027 Spring intake")
        if not first.memberships.filter(startup=demo.organization).exists():
            program_services.cohort_member_add(
                actor=actor_for(operator),
                cohort=first,
                startup=demo.organization,
                status=CohortMembership.Status.INVITED,
                note="Strong fit for our fast-charging challenges.",
            )

    def _summary(self) -> str:
        counts = {
            "startups": StartupProfile.objects.count(),
            "challenges": Challenge.objects.count(),
            "open challenges": Challenge.objects.filter(status="open").count(),
            "cohorts": Cohort.objects.count(),
            "matches": Match.objects.count(),
        }
        lines = [f"Demo data ready: {counts}"]
        lines.append("Demo accounts (password demo12345):")
        for email, what in [
            ("enterprise@demo.local", "a firm (Lingang Power Systems Group)"),
            ("enterprise2@demo.local", "a second firm"),
            ("startup@demo.local", "a startup"),
            ("operator@demo.local", "the platform operator (also signs in to /admin/)"),
        ]:
            lines.append(f"  {email:<26} {what}")
        return "\n".join(lines)
