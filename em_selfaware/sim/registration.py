"""Registers the `em-sim` model provider with Inspect (our entry point imports this module).

As Inspect's own providers do, the registration imports the implementation only when an
`em-sim` model is created, so `inspect` commands that do not use it do not load it.
"""

from __future__ import annotations

from inspect_ai.model import ModelAPI, modelapi


@modelapi(name="em-sim")
def em_sim() -> type[ModelAPI]:
    """Return the `em-sim` provider class (`em_selfaware.sim.provider.SimModelAPI`)."""
    from em_selfaware.sim.provider import SimModelAPI

    return SimModelAPI
