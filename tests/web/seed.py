"""A small platform for the browser tests, seeded in the server's database before it starts
(`manage.py shell -c "from tests.web.seed import main; main()"` prints what the tests need).

Everything is written through the services, so the real model indexes and matches it; a handful
of profiles keeps that to seconds on two cores (the demo's 260 would take minutes).
"""

from __future__ import annotations

import json
import time

PASSWORD = "a-long-browser-password"

FIRM = "firm@web.test"
FIRM2 = "firm2@web.test"
STARTUP = "startup@web.test"
UNMATCHED_STARTUP = "newcomer@web.test"
OPERATOR = "operator@web.test"
ROBOTICS_STARTUP = "robotics@web.test"
# Far from every challenge: never proposed, so it applies.
KITCHEN_STARTUP = "kitchen@web.test"

PROFILES = [
    {
        "email": STARTUP,
        "name": "VoltCell Energy",
        "pitch": "Fast-charging lithium-ion cells for heavy vehicles.",
        "summary": "We design lithium-ion battery cells that charge at 4C and keep 90% capacity "
        "after 3,000 cycles. Our silicon-graphite anodes and electrolyte additives are in pilot "
        "production in Suzhou.",
        "capabilities": [
            "Fast-charging lithium-ion cell design",
            "Silicon-graphite anode materials",
            "Battery cycle-life testing",
        ],
        "technology_tags": ["batteries", "fast charging", "anodes"],
        "stage": "series-a",
        "trl": 6,
        "team_size": 38,
        "founded_year": 2019,
        "city": "Suzhou",
        "region": "Jiangsu",
        "website": "https://voltcell.example/",
        "languages": ["zh", "en"],
    },
    {
        "name": "SkyWatch Vision",
        "pitch": "Infrared cameras that spot small drones at night.",
        "summary": "Long-wave infrared imaging and computer vision that detect and track small "
        "drones at two kilometres, day and night.",
        "capabilities": ["Long-wave infrared imaging", "Drone detection algorithms"],
        "technology_tags": ["infrared", "computer vision"],
        "stage": "seed",
        "trl": 5,
        "city": "Hangzhou",
        "region": "Zhejiang",
    },
    {
        "email": KITCHEN_STARTUP,
        "name": "FieldKitchen",
        "pitch": "Compact kitchens for remote work camps.",
        "summary": "Containerised field kitchens and sanitation units for mining and "
        "construction camps.",
        "capabilities": ["Mobile sanitation", "Food service equipment"],
        "technology_tags": ["logistics"],
        "stage": "growth",
        "trl": 9,
        "city": "Ningbo",
        "region": "Zhejiang",
    },
    {
        "name": "沪芯储能科技",
        "pitch": "面向快充场景的高倍率锂电池电极材料",
        "summary": "我们开发高倍率锂离子电池负极材料和低温电解液，样品电芯在 4C 快充下循环 2000 次"
        "容量保持 85%。",
        "capabilities": ["高倍率负极材料研发", "低温电解液配方", "电芯中试与测试"],
        "technology_tags": ["锂电池", "快充"],
        "stage": "seed",
        "trl": 5,
        "city": "上海",
        "region": "Shanghai",
    },
    {
        "email": ROBOTICS_STARTUP,
        "name": "GridSense Robotics",
        "pitch": "Inspection robots with thermal imaging for substations.",
        "summary": "Autonomous inspection robots that read gauges and find hot spots in "
        "substations and battery storage rooms with thermal cameras.",
        "capabilities": ["Thermal hot-spot detection", "Autonomous robot navigation"],
        "technology_tags": ["robotics", "thermal imaging"],
        "stage": "series-a",
        "trl": 7,
        "city": "Shanghai",
        "region": "Shanghai",
    },
]

CHALLENGES = [
    {
        "title": "Thermal runaway early warning for battery storage",
        "problem_statement": "Our containerised battery storage sites need to detect cell "
        "overheating minutes before thermal runaway, with sensors or thermal imaging that work "
        "in dusty rooms.",
        "desired_outcomes": "A pilot in one storage container within six months.",
        "required_capabilities": ["Thermal hot-spot detection", "Battery monitoring"],
        "industry_tags": ["energy storage", "safety"],
        "visibility": "public",
    },
    {
        "title": "Confidential: next-generation anode supplier",
        "problem_statement": "We are looking for a supplier of silicon-graphite anode materials "
        "for fast-charging lithium-ion cells in our next truck platform.",
        "required_capabilities": ["Silicon-graphite anode materials"],
        "industry_tags": ["batteries"],
        "visibility": "confidential",
    },
]


def seed() -> dict:
    from django.db import transaction

    from backend.accounts.models import Organization, User
    from backend.accounts.selectors import actor_for
    from backend.accounts.services import user_create_with_organization
    from backend.matches.indexing import drain
    from backend.programs import services as programs
    from backend.startups.services import profile_save

    def account(email: str, organization: str, kind: str) -> User:
        return user_create_with_organization(
            email=email,
            password=PASSWORD,
            organization_name=organization,
            kind=kind,
            full_name=organization.split()[0] + " Team",
            validate=False,
        )

    with transaction.atomic():
        firm = account(FIRM, "Lingang Power Systems", Organization.Kind.ENTERPRISE)
        account(FIRM2, "Zhangjiang Sensing", Organization.Kind.ENTERPRISE)
        operator = account(OPERATOR, "Programme Office", Organization.Kind.OPERATOR)
        account(UNMATCHED_STARTUP, "Quiet Newcomer Labs", Organization.Kind.STARTUP)
        accelerator = programs.accelerator_create(
            actor=actor_for(firm),
            data={
                "name": "New Energy Accelerator",
                "industry_focus": "Batteries, energy storage and power electronics",
                "description": "Pilots with startups across the new-energy chain.",
            },
        )
        cohort = programs.cohort_create(
            actor=actor_for(operator),
            data={"accelerator": accelerator, "name": "2027 Spring intake", "capacity": 3},
        )
    # Profiles and challenges one transaction each, as people write them; this command then
    # applies the change log itself (the server's indexer would, after it starts).
    for number, data in enumerate(PROFILES):
        data = dict(data)
        email = data.pop("email", f"startup{number}@web.test")
        user = account(email, data["name"], Organization.Kind.STARTUP)
        profile_save(actor=actor_for(user), data={**data, "published": True})
    challenges = {}
    for data in CHALLENGES:
        challenge = programs.challenge_create(
            actor=actor_for(firm), data={**data, "accelerator": accelerator}
        )
        programs.challenge_publish(actor=actor_for(firm), challenge=challenge)
        challenges[data["visibility"]] = challenge.pk
    drain()
    return {
        "challenges": challenges,
        "cohort": cohort.pk,
        "accelerator": accelerator.pk,
        "long_conversation": long_conversation(firm, challenges["public"]),
    }


HISTORY = 70  # more than one page of the chat page's history


def long_conversation(firm, challenge_id: int) -> int:
    """A connected match with a long history, for scrolling back."""
    from datetime import timedelta

    from django.utils import timezone

    from backend.accounts.models import User
    from backend.accounts.selectors import actor_for
    from backend.chat.models import Message
    from backend.chat.services import SEND_RATE, message_send
    from backend.matches.models import Match
    from backend.matches.services import match_express_interest

    match = Match.objects.get(challenge_id=challenge_id, startup__name="GridSense Robotics")
    startup = User.objects.get(memberships__organization=match.startup.organization)
    for user in (firm, startup):
        match = match_express_interest(match=match, actor=actor_for(user))
    conversation = match.conversation
    # The history is written at once, as if over two hours: the senders' rate limit reads a
    # clock that moves a minute every 30 messages.
    clock = [time.time() - 2 * 3600]
    SEND_RATE.clock = lambda: clock[0]
    for number in range(1, HISTORY + 1):
        message_send(
            conversation=conversation,
            sender=(startup, firm)[number % 2],  # the startup writes last: unread for the firm
            body=f"History message {number}",
            client_msg_id=f"history-{number}",
        )
        if number % 30 == 0:
            clock[0] += 60
            Message.objects.filter(conversation=conversation).update(
                created_at=timezone.now() - timedelta(hours=2)
            )
    SEND_RATE.clock = time.time
    return conversation.pk


def main() -> None:
    print(json.dumps(seed()))
