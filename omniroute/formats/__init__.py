"""Wire formats: each converts one API format to and from the canonical model only.

Hub and spoke (N formats need 2N converters): canonical.py is the hub; each format is a
sub-package split the same way — request (parse_request / build_request), response
(parse_response / build_response, usage, the error shape), stream (a decoder and an encoder) and
wire (the format's WireFormat, see base.py) — plus modules of its own where a part is too big
for one. registry.py lists the formats (FORMATS, and PROVIDER_ONLY: those only providers speak,
such as Amazon Bedrock's binary-framed Converse); everything outside this package asks the
registry and never names a format. Shared pieces: sse.py (server-sent events), envelopes.py (the
envelope a passed-through request is checked by), passthrough.py (watching a passed-through
stream), dropped.py (what a format cannot take, logged as it is dropped), signatures.py (thinking
signatures go back only to the provider that issued them).
"""

from __future__ import annotations
