"""The formal documents of a request: the request and the response as PDF/A in the recipient's
language, signed (PAdES); every field and code with its label, translated."""
