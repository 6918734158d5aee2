"""Human approval of an ASK: the question put to a person, their answer, session grants, the sealed
state of a 2026-07-28 round trip, and the out-of-band approvers (docs/approval.md).

A call the pipeline decides ASK is put to an Approver: the agent's own client (an elicitation,
or a Multi Round-Trip Request), an adapter's callable, or the local approval page. Its Answer
turns the ASK into ALLOW (once, or for this session) or DENY, and the call's audit record says
who answered, how and when. With no approver the ASK is a DENY whose reason says how to enable one.
"""
