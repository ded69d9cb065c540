"""API plumbing shared by every state machine: the transitions endpoint (see API.md)."""
