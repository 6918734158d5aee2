"""The decision layer: one agent session's state, the built-in stages, and the decision API
(trace an event into the session, run the stages, audit the verdict)."""
