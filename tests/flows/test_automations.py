"""flows/automations.yaml: a govharvest run that stops sending heartbeats is marked Crashed.

The file is what `prefect automation create --from-file` reads; these checks hold it to
Prefect's own automation model and to what prefect.yaml deploys (tests/flows/
test_deployment.py creates it on a real server)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

from tests.flows.helpers import shipped_automation

ROOT = Path(__file__).resolve().parents[2]
TERMINAL = {"Completed", "Failed", "Cancelled", "Crashed"}


def _prefect_yaml() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def automation() -> AutomationCore:
    return AutomationCore.model_validate(shipped_automation())


@pytest.fixture(scope="module")
def trigger(automation: AutomationCore) -> EventTrigger:
    assert isinstance(automation.trigger, EventTrigger)
    return automation.trigger


def test_a_run_that_stops_beating_is_marked_crashed(automation: AutomationCore,
                                                     trigger: EventTrigger) -> None:
    assert trigger.posture == Posture.Proactive
    assert trigger.after == {"prefect.flow-run.heartbeat"}
    # Any later heartbeat or a final state closes the window; only silence fires it.
    assert trigger.expect == {"prefect.flow-run.heartbeat"} | {
        f"prefect.flow-run.{state}" for state in TERMINAL}
    assert trigger.for_each == {"prefect.resource.id"}  # one window per flow run
    (action,) = automation.actions
    assert isinstance(action, ChangeFlowRunState) and action.state == StateType.CRASHED


def test_the_window_outlasts_several_heartbeats_of_a_deployment_run(
        trigger: EventTrigger) -> None:
    env = _prefect_yaml()["definitions"]["work_pool"]["job_variables"]["env"]
    beat = dt.timedelta(seconds=int(env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"]))
    # A busy run (GIL-bound parsing) can send a beat late: never act on one missed beat.
    assert trigger.within >= 3 * beat


def test_it_covers_every_deployment_and_nothing_else(trigger: EventTrigger) -> None:
    assert isinstance(trigger.match, ResourceSpecification)
    assert trigger.match.model_dump() == {"prefect.resource.id": "prefect.flow-run.*"}
    related = trigger.match_related
    assert isinstance(related, ResourceSpecification)
    assert related.model_dump() == {"prefect.resource.role": "tag",
                            "prefect.resource.id": "prefect.tag.govharvest"}
    deployments = _prefect_yaml()["deployments"]
    assert deployments and all("govharvest" in d["tags"] for d in deployments)
