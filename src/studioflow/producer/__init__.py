"""The producer: the project and its brief, stages, notes routed to roles, the production pipeline."""
