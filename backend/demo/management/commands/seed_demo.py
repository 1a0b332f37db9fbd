"""Create the demo platform: an operator, three Jing'an firms with accelerators and challenges,
250 startups with their registrations and credentials, and a few pilots and outcomes on the
matches the engine proposes (see `backend.demo.records`).

Idempotent: running it again finds what exists and only fills gaps. The texts are real public
records cut to brief length (U.S. DoD SBIR topics and SBIR award records, U.S. government works),
half of them in their Chinese translation, shipped in backend/demo/fixtures; the firms are
fictional, and one Chinese challenge is written for the demo.
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
from backend.demo.records import credentials_seed, pilots_seed, registrations_seed
from backend.matches import engine
from backend.matches.indexing import changes_record_for, drain, index_rebuild
from backend.matches.models import ChunkVector, Match, Side
from backend.notifications.services import notifications_mark_all_seen
from backend.pilots.models import Outcome, Pilot
from backend.programs import services as program_services
from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership
from backend.startups.models import Credential, StartupProfile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE = FIXTURES / "demo.json.gz"
# The demo's chunk and evidence-sentence vectors, shipped so a first `make run` need not embed
# them; used only when made by the configured model (anything else is encoded as usual).
# Regenerate with `seed_demo --export-vectors` on an empty database after the engine changes.
VECTORS = FIXTURES / "demo_vectors.npz"
PASSWORD = "demo12345"
DEMO_DOMAIN = "@demo.local"
STAGES = [s.value for s in StartupProfile.Stage]
# Most of the demo's startups sit in Jing'an itself (four entries of fourteen), the rest in
# the districts around it and the Yangtze delta cities.
REGIONS = [
    ("Shanghai", "Jing'an"),
    ("Shanghai", "Jing'an"),
    ("Shanghai", "Jing'an"),
    ("Shanghai", "Jing'an"),
    ("Shanghai", "Huangpu"),
    ("Shanghai", "Xuhui"),
    ("Shanghai", "Putuo"),
    ("Shanghai", "Changning"),
    ("Shanghai", "Yangpu"),
    ("Shanghai", "Minhang"),
    ("Suzhou", "Jiangsu"),
    ("Hangzhou", "Zhejiang"),
    ("Nanjing", "Jiangsu"),
    ("Hefei", "Anhui"),
]

# Jing'an's leading industries, one fictional firm each; each founds an accelerator around its
# industry chain, as the district asks of its leading firms. The first one's cohort invites the
# demo startup.
FIRMS = {
    "energy": {
        "email": "enterprise@demo.local",
        "firm": "Jing'an New Energy Services Group",
        "accelerator": "New Energy Services Accelerator",
        "focus": "Battery cells and materials, energy storage, thermal safety and charging",
        "description": (
            "Our open-innovation accelerator around the new-energy services chain, founded to "
            "attract, gather and grow innovative firms in Jing'an: cell materials and electrodes, "
            "storage systems, thermal safety and charging. We fund pilots with startups that "
            "solve the problems our storage and charging operations face."
        ),
        "tags": {"en": ["new energy services", "energy storage"], "zh": ["新能源服务", "储能"]},
        "confidential": {"DOD-N171-081"},
        "draft": {"DOD-A152-092"},
    },
    "data": {
        "email": "enterprise2@demo.local",
        "firm": "Jing'an Data Intelligence Group",
        "accelerator": "Data Intelligence & Ultra-HD Audio-Visual Accelerator",
        "focus": "Data security, risk analytics, image processing, optics and ultra-HD displays",
        "description": (
            "A programme around the data-intelligence and ultra-high-definition audio-visual "
            "chain, founded to attract, gather and grow innovative firms in Jing'an: secure data "
            "platforms, risk analytics, image restoration, imaging optics and next-generation "
            "displays."
        ),
        "tags": {
            "en": ["data intelligence", "ultra-HD audio-visual"],
            "zh": ["数据智能", "超高清视听"],
        },
        "confidential": {"DOD-N181-043"},
        "draft": {"DOD-N181-044"},
    },
    "health": {
        "email": "enterprise3@demo.local",
        "firm": "静安生命健康集团",
        "accelerator": "生命健康·美丽健康加速器",
        "focus": "Wearable health monitoring, clinical devices, digital health and biologics",
        "description": (
            "The open-innovation accelerator of a Jing'an life-health and beauty-health group, "
            "founded to attract, gather and grow innovative firms in the district: wearable "
            "monitoring, bedside devices, clinical software and cell and tissue products. Our "
            "challenges are written in Chinese; startups writing in either language are welcome."
        ),
        "tags": {"en": ["life health", "beauty health"], "zh": ["生命健康", "美丽健康"]},
        "confidential": {"DOD-A16-050"},
        "draft": {"DOD-N171-002"},
    },
}

# Written for the demo (the benchmark has no fast-charging topic); the new-energy firm posts it.
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


def load_shipped_vectors() -> dict[str, dict[str, bytes]]:
    """Hand the shipped sentence vectors to evidence; return the chunk vectors for indexing,
    {model id: {content hash: float32 bytes}}, of each encoder whose model made them."""
    if not VECTORS.is_file():
        return {}
    known: dict[str, dict[str, bytes]] = {}
    with np.load(VECTORS) as shipped:
        for encoder, model_id in engine.embedder().model_ids.items():
            if (
                f"{encoder}_model_id" not in shipped
                or str(shipped[f"{encoder}_model_id"]) != model_id
            ):
                continue
            sentences = shipped[f"{encoder}_sentence_vectors"].astype(np.float32)
            engine.sentence_vectors[encoder].preload(
                dict(zip(shipped[f"{encoder}_sentence_hashes"].tolist(), sentences, strict=True))
            )
            chunks = shipped[f"{encoder}_vectors"].astype(np.float32)
            known[model_id] = {
                str(key): row.tobytes()
                for key, row in zip(shipped[f"{encoder}_hashes"], chunks, strict=True)
            }
    return known


def _export_vectors() -> int:
    """Write the vectors this seed used, for each encoder (chunks from the database, evidence
    sentences from memory) as float16: cosine to the float32 originals stays above 0.9999."""
    arrays: dict[str, np.ndarray] = {}
    count = 0
    for encoder, model_id in engine.embedder().model_ids.items():
        rows = dict(
            ChunkVector.objects.filter(model_id=model_id).values_list("content_hash", "vector")
        )
        hashes = sorted(rows)
        sentences = engine.sentence_vectors[encoder].items()
        arrays[f"{encoder}_model_id"] = np.array(model_id)
        arrays[f"{encoder}_hashes"] = np.array(hashes)
        arrays[f"{encoder}_vectors"] = np.vstack(
            [np.frombuffer(bytes(rows[h]), dtype=np.float32) for h in hashes]
        ).astype(np.float16)
        arrays[f"{encoder}_sentence_hashes"] = np.array([key for key, _ in sentences])
        arrays[f"{encoder}_sentence_vectors"] = np.vstack(
            [vector for _, vector in sentences] or [np.zeros((0, 1))]
        ).astype(np.float16)
        count += len(hashes) + len(sentences)
    np.savez_compressed(VECTORS, **arrays)
    return count


def _stable(key: str, modulo: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % modulo


def _language(text: str) -> str:
    """The fixture's texts are either English or Chinese (its translations keep only acronyms,
    standards and names in Latin letters)."""
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


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
            firms = [accelerator.enterprise for accelerator in accelerators]
            registrations_seed(operator=operator, firms=firms, profiles=profiles)
            credentials_seed(operator=operator, profiles=profiles)
        self.stdout.write("Indexing challenges and profiles and proposing matches...")
        # A command, not a request: it applies the change log itself, the way the indexer does.
        index_rebuild(known_vectors=load_shipped_vectors())
        # The demo startup joins the market as any startup that publishes does.
        changes_record_for(Side.STARTUP, [profiles["demo"].pk])
        drain()
        with transaction.atomic():
            pilots_seed(
                firm_users={
                    key: User.objects.get(email=firm["email"]) for key, firm in FIRMS.items()
                },
                accelerators={
                    key: accelerator.pk
                    for key, accelerator in zip(FIRMS, accelerators, strict=True)
                },
                demo=profiles["demo"],
                password=PASSWORD,
            )
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
        for row in data["profiles"]:
            key = row["id"]
            org, _ = Organization.objects.get_or_create(name=row["name"], kind="startup")
            if key == data["demo_startup"]:
                self._user("startup@demo.local", org.name, "startup")
            city, region = REGIONS[_stable(key, len(REGIONS))]
            profile, _ = StartupProfile.objects.get_or_create(
                organization=org,
                defaults={
                    "name": row["name"],
                    "pitch": (row["capabilities"] or [""])[0][:300],
                    "summary": row["text"],
                    "capabilities": row["capabilities"],
                    "stage": STAGES[_stable(key + "stage", len(STAGES))],
                    "team_size": 3 + _stable(key + "team", 120),
                    "founded_year": 2008 + _stable(key + "year", 17),
                    "city": city,
                    "region": region,
                    "trl": 3 + _stable(key + "trl", 6),
                    "languages": ["zh", "en"] if _language(row["text"]) == "zh" else ["en"],
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
                    "language": _language(topic["text"]),
                    "title": topic["title"][:300],
                    "problem_statement": topic["text"],
                    "industry_tags": firm["tags"][_language(topic["text"])],
                }
                for topic in data["programmes"][key]
            ]
            if key == "energy":
                topics.append({"key": "zh-energy", "language": "zh", **CHINESE_CHALLENGE})
            for topic in topics:
                topic_key = topic.pop("key")
                draft = topic_key in firm["draft"]
                Challenge.objects.get_or_create(
                    accelerator=accelerator,
                    title=topic["title"],
                    defaults={
                        **topic,
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
            "registered": Organization.objects.exclude(credit_code="").count(),
            "credentials": Credential.objects.count(),
            "pilots": Pilot.objects.count(),
            "outcomes": Outcome.objects.count(),
        }
        lines = [f"Demo data ready: {counts}"]
        lines.append("Demo accounts (password demo12345):")
        for email, what in [
            *((firm["email"], f"a firm ({firm['firm']})") for firm in FIRMS.values()),
            ("startup@demo.local", "a startup"),
            ("operator@demo.local", "the platform operator (also signs in to /admin/)"),
        ]:
            lines.append(f"  {email:<26} {what}")
        return "\n".join(lines)
