"""The pages of a region failover, in order, each tied to the journey step it serves."""

from __future__ import annotations

from cmkwizard.journeys.failover import JOURNEY_NAME
from screens.failover.diagnosis import DiagnosisScreen
from screens.failover.steps import (
    EndpointScreen,
    FailoverSummaryScreen,
    MoveScreen,
    RecoveryScreen,
    ReplicaAccessScreen,
)
from screens.flow import Page
from screens.journey_pages import register_pages

PAGES = (
    Page("diagnosis", "replica", "What is wrong", DiagnosisScreen),
    Page("target_endpoint", "target_endpoint", "Private endpoint", EndpointScreen),
    Page("replica_access", "replica_access", "Role and replica", ReplicaAccessScreen),
    Page("move", "move", "Move the key", MoveScreen),
    Page("recovery", "recovery", "Recovery", RecoveryScreen),
    Page("summary", "summary", "Summary", FailoverSummaryScreen),
)

register_pages(JOURNEY_NAME, PAGES)
