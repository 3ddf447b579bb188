"""WEB_CONCURRENCY > 1: a supervisor process and N waitress worker processes sharing one socket.

supervisor.py binds the socket once and keeps the workers running (restart, reload, stop);
worker.py is what `python app.py` does as one of them; draining.py lets a worker stop without
failing a request.
"""
