"""A request's life: the rules checked before each step, the four-eyes approval, the transitions
and what each sends to the other node, consultations, and the handlers of what the other node
sends (the transition table itself is liaison.requests.table)."""
