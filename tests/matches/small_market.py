"""A small market written through the services, for tests that run the platform in processes
of their own: `manage.py shell -c SEED` leaves five documents changed in the log (three
published profiles, two open challenges), none indexed yet. The firm is firm@crash.test and the
first startup s0@crash.test, both with the password below."""

PASSWORD = "a-long-password-1"

SEED = """
from backend.accounts.selectors import actor_for
from backend.accounts.services import user_create_with_organization
from backend.programs import services as programs
from backend.startups.services import profile_save

def account(email, name, kind):
    return user_create_with_organization(
        email=email, password="a-long-password-1", organization_name=name, kind=kind,
        full_name=name, validate=False,
    )

firm = account("firm@crash.test", "Lingang Power", "enterprise")
for n, (name, summary, capabilities) in enumerate([
    ("VoltCell", "Lithium-ion battery cells that charge fast and survive shock.",
     ["Fast-charging lithium-ion cells", "Battery cycle-life testing"]),
    ("CellCheck", "Battery testing services: cycle life, abuse and thermal runaway tests.",
     ["Battery abuse testing", "Thermal runaway analysis"]),
    ("SeeFar", "Infrared cameras that detect small drones at night.",
     ["Long-wave infrared imaging"]),
]):
    user = account(f"s{n}@crash.test", name, "startup")
    profile_save(actor=actor_for(user), data={
        "name": name, "summary": summary, "capabilities": capabilities, "published": True,
    })
accelerator = programs.accelerator_create(actor=actor_for(firm), data={"name": "Energy"})
for title in ("Fast-charging battery cells for buses", "Battery safety testing"):
    challenge = programs.challenge_create(actor=actor_for(firm), data={
        "accelerator": accelerator, "title": title,
        "problem_statement": title + ": lithium-ion cells, charged in minutes, tested for abuse.",
    })
    programs.challenge_publish(actor=actor_for(firm), challenge=challenge)
"""
