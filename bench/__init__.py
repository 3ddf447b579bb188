"""`make bench`: OmniRoute's benchmark, run with `python -m bench.run`.

The fake upstream, the gateway (`python app.py`) and the load generators each run as their own
process; every figure is printed side by side with a direct call to the same fake upstream.
"""
