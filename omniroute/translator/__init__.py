"""The translator workbench behind the dashboard's /translator page.

- playground: translate a request, a response or an SSE transcript from one wire format to
  another exactly as the gateway would, with a readable diff (diff.py, reasons.py) and the
  parse error's location when the input is broken (source_text.py);
- bench_cases / bench: translation cases run over every format pair, offline or live;
- capture / chat: the chat tester's capturing upstream client and one recorded chat cycle;
- monitor / feed: the live monitor's bounded event ring and its SSE feed.
Nothing here is on the proxy's hot path except `LiveMonitor.watching`, read once per request.
"""
