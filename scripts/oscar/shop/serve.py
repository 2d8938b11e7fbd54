"""Serves the test store with waitress on 127.0.0.1:PORT and prints one ready line."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")

from waitress import create_server  # noqa: E402

from shopsite.wsgi import application  # noqa: E402


def main():
    port = int(sys.argv[1])
    server = create_server(application, host="127.0.0.1", port=port, threads=8)
    print(f"oscar store ready at http://127.0.0.1:{server.effective_port}/", flush=True)
    server.run()


if __name__ == "__main__":
    main()
