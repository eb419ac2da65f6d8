"""Sharing a request and its results beyond the request (art. 36, 40): exporting for domestic
use, forwarding to a third authority, and the other side's authorisations that lift a condition
for one use. The conditions themselves travel with the request (liaison.requests.contents)."""
