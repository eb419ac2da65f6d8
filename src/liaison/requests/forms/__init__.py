"""What a form needs to build any request: the code lists with their labels (codes.py) and the
JSON Schema of each kind's contents (schema.py), in the user's language; served by api.py. The
check of a draft on demand is liaison.requests.validation."""
