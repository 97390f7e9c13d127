"""A stricter FTP server for tests/test_cluster_out.py, run as its own process:
``python tests/ftp_helpers.py PORT ROOT USER PASSWORD``.

Unlike pyftpdlib's default it behaves as some real servers do: RNTO onto a file that exists
is refused (a rename there does not replace), and a failed login's reply echoes the password
it was sent, raw and percent-decoded (so a client library's exception carries it)."""

from __future__ import annotations

import logging
import os
import sys
from urllib.parse import unquote

from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.log import config_logging
from pyftpdlib.servers import FTPServer


class EchoingAuthorizer(DummyAuthorizer):
    def validate_authentication(self, username: str, password: str, handler) -> None:
        try:
            super().validate_authentication(username, password, handler)
        except AuthenticationFailed:
            # pyftpdlib capitalises the reply: the test's passwords are lower case
            raise AuthenticationFailed(f"login refused, password {password} "
                                       f"(that is {unquote(password)}) is wrong") from None


class NoReplaceHandler(FTPHandler):
    auth_failed_timeout = 0.1  # the default 3 s would only slow the tests

    def ftp_RNTO(self, path: str):
        if self._rnfr and os.path.lexists(path):
            self._rnfr = None
            self.respond("553 Rename refused: the target exists.")
            return None
        return super().ftp_RNTO(path)


def main(port: str, root: str, user: str, password: str) -> None:
    config_logging(level=logging.INFO)
    authorizer = EchoingAuthorizer()
    authorizer.add_user(user, password, root, perm="elradfmwMT")
    NoReplaceHandler.authorizer = authorizer
    FTPServer(("127.0.0.1", int(port)), NoReplaceHandler).serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])
