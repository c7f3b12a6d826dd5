"""A small IMAP4rev1 server over TLS on 127.0.0.1, for testing the poller with imap-tools.

It speaks the part of RFC 3501 (plus MOVE, RFC 6851) that imaplib and imap-tools use
to log in, select a folder, search, fetch (whole mail, header only, flags, size),
flag, move, create and list folders. Implicit TLS (``imaps``) or STARTTLS; the
certificate is self-signed, made for each test run with ``cryptography``. Mail is
kept in memory; ``log`` records every command, so tests can see what the client did.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TOKEN_RE = re.compile(rb'"(?:[^"\\]|\\.)*"|\((?:[^()]|\([^()]*\))*\)|\S+')


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "imap-cert.pem", directory / "imap-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class StoredMail:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class MailStore:
    username: str = "support@helpdesk.localhost"
    password: str = "correct horse"
    folders: dict[str, list[StoredMail]] = field(default_factory=lambda: {"INBOX": []})
    next_uid: int = 1
    log: list[str] = field(default_factory=list)
    fail_fetch_uids: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes, folder: str = "INBOX", flags: set[str] | None = None) -> int:
        with self.lock:
            uid = self.next_uid
            self.next_uid += 1
            self.folders.setdefault(folder, []).append(StoredMail(uid, raw, set(flags or ())))
            return uid


def _unquote(token: bytes) -> str:
    text = token.decode()
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text


class _Handler(socketserver.StreamRequestHandler):
    server: FakeImapServer

    def setup(self) -> None:
        self.connection = self.request
        if self.server.mode == "imaps":
            self.connection = self.server.tls.wrap_socket(self.request, server_side=True)
        self._streams()
        self.selected: str | None = None
        self.authenticated = False

    def _streams(self) -> None:
        self.rfile = self.connection.makefile("rb")
        self.wfile = self.connection.makefile("wb")

    def send(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def handle(self) -> None:
        caps = "IMAP4rev1 MOVE UIDPLUS" + (" STARTTLS" if self.server.offer_starttls else "")
        self.send(f"* OK [CAPABILITY {caps}] fake IMAP ready\r\n".encode())
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tokens = TOKEN_RE.findall(line.rstrip(b"\r\n"))
            if len(tokens) < 2:
                continue
            tag, command, args = tokens[0].decode(), tokens[1].decode().upper(), tokens[2:]
            with self.server.store.lock:
                self.server.store.log.append(
                    " ".join([command, *(_unquote(a) for a in args)])
                    if command != "LOGIN"
                    else "LOGIN"
                )
            if command == "UID":
                command, args = "UID " + args[0].decode().upper(), args[1:]
            if not self.dispatch(tag, command, args):
                return

    def dispatch(self, tag: str, command: str, args: list[bytes]) -> bool:
        store = self.server.store
        if command == "CAPABILITY":
            caps = "IMAP4rev1 MOVE UIDPLUS" + (" STARTTLS" if self.server.offer_starttls else "")
            self.send(f"* CAPABILITY {caps}\r\n{tag} OK done\r\n".encode())
        elif command == "STARTTLS" and self.server.offer_starttls:
            self.send(f"{tag} OK begin TLS\r\n".encode())
            self.connection = self.server.tls.wrap_socket(self.request, server_side=True)
            self._streams()
        elif command == "LOGIN":
            if _unquote(args[0]) == store.username and _unquote(args[1]) == store.password:
                self.authenticated = True
                self.send(f"{tag} OK logged in\r\n".encode())
            else:
                self.send(f"{tag} NO [AUTHENTICATIONFAILED] wrong credentials\r\n".encode())
        elif not self.authenticated and command != "LOGOUT":
            self.send(f"{tag} BAD log in first\r\n".encode())
        elif command in ("SELECT", "EXAMINE"):
            self._select(tag, _unquote(args[0]))
        elif command == "LIST":
            name = _unquote(args[1])
            for folder in store.folders:
                if name in ("*", folder):
                    self.send(f'* LIST () "/" "{folder}"\r\n'.encode())
            self.send(f"{tag} OK list done\r\n".encode())
        elif command == "CREATE":
            store.folders.setdefault(_unquote(args[0]), [])
            self.send(f"{tag} OK created\r\n".encode())
        elif command == "UID SEARCH":
            self._search(tag, [_unquote(a).upper() for a in args])
        elif command == "UID FETCH":
            self._fetch(tag, args[0].decode(), args[1].decode().upper())
        elif command == "UID STORE":
            self._store(tag, args[0].decode(), args[1].decode().upper(), args[2].decode())
        elif command == "UID MOVE":
            self._move(tag, args[0].decode(), _unquote(args[1]))
        elif command == "EXPUNGE":
            mails = store.folders[self.selected or "INBOX"]
            mails[:] = [m for m in mails if "\\Deleted" not in m.flags]
            self.send(f"{tag} OK expunged\r\n".encode())
        elif command == "NOOP":
            self.send(f"{tag} OK\r\n".encode())
        elif command == "LOGOUT":
            self.send(f"* BYE\r\n{tag} OK bye\r\n".encode())
            return False
        else:
            self.send(f"{tag} BAD unknown command {command}\r\n".encode())
        return True

    def _mails(self) -> list[StoredMail]:
        return self.server.store.folders.get(self.selected or "", [])

    def _select(self, tag: str, folder: str) -> None:
        if folder not in self.server.store.folders:
            self.send(f"{tag} NO no such folder\r\n".encode())
            return
        self.selected = folder
        mails = self._mails()
        self.send(
            f"* {len(mails)} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n"
            f"* FLAGS (\\Seen \\Deleted)\r\n* OK [PERMANENTFLAGS (\\Seen \\Deleted \\*)] ok\r\n"
            f"{tag} OK [READ-WRITE] selected\r\n".encode()
        )

    def _search(self, tag: str, criteria: list[str]) -> None:
        wanted = [c for c in criteria if c not in ("CHARSET", "US-ASCII", "UTF-8")]
        uids = [
            str(m.uid)
            for m in self._mails()
            if wanted in ([], ["ALL"])
            or (wanted == ["UNSEEN"] and "\\Seen" not in m.flags)
            or (
                len(wanted) == 2
                and wanted[0] == "UNKEYWORD"
                and wanted[1] not in {flag.upper() for flag in m.flags}
            )
        ]
        self.send(f"* SEARCH {' '.join(uids)}\r\n{tag} OK search done\r\n".encode())

    def _selected_uids(self, uid_set: str) -> list[tuple[int, StoredMail]]:
        wanted = {int(u) for u in uid_set.split(",") if u.isdigit()}
        return [(i, m) for i, m in enumerate(self._mails(), start=1) if m.uid in wanted]

    def _fetch(self, tag: str, uid_set: str, items: str) -> None:
        for seq, mail in self._selected_uids(uid_set):
            header_only = "BODY.PEEK[HEADER]" in items or "BODY[HEADER]" in items
            if mail.uid in self.server.store.fail_fetch_uids and not header_only:
                self.send(f"{tag} NO fetch failed for {mail.uid}\r\n".encode())
                return
            if "BODY[" in items and ".PEEK" not in items:
                mail.flags.add("\\Seen")
            body = mail.raw
            if header_only:
                end = body.find(b"\r\n\r\n")
                end = end + 4 if end >= 0 else (body.find(b"\n\n") + 2 if b"\n\n" in body else 0)
                body = body[:end] if end else body
            flags = " ".join(sorted(mail.flags))
            section = "BODY[HEADER]" if header_only else "BODY[]"
            head = (
                f"* {seq} FETCH (UID {mail.uid} FLAGS ({flags}) RFC822.SIZE {len(mail.raw)} "
                f"{section} {{{len(body)}}}\r\n"
            )
            self.send(head.encode() + body + b")\r\n")
        self.send(f"{tag} OK fetch done\r\n".encode())

    def _store(self, tag: str, uid_set: str, mode: str, flags: str) -> None:
        names = set(flags.strip("()").split())
        for seq, mail in self._selected_uids(uid_set):
            if mode.startswith("+"):
                mail.flags |= names
            elif mode.startswith("-"):
                mail.flags -= names
            else:
                mail.flags = names
            self.send(f"* {seq} FETCH (UID {mail.uid} FLAGS ({' '.join(mail.flags)}))\r\n".encode())
        self.send(f"{tag} OK store done\r\n".encode())

    def _move(self, tag: str, uid_set: str, folder: str) -> None:
        store = self.server.store
        if folder not in store.folders:
            self.send(f"{tag} NO [TRYCREATE] no such folder\r\n".encode())
            return
        moving = [m for _, m in self._selected_uids(uid_set)]
        for mail in moving:
            self._mails().remove(mail)
            store.folders[folder].append(mail)
        self.send(f"{tag} OK move done\r\n".encode())


class FakeImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, cert: Path, key: Path, *, mode: str = "imaps", offer_starttls: bool | None = None
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode
        self.offer_starttls = (mode == "starttls") if offer_starttls is None else offer_starttls
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)
        self.store = MailStore()
        # Checked for shutdown every 50 ms, not socketserver's 0.5 s: each test stops it.
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that refuses our certificate ends the handshake: expected in the
        # tests that check verification, so it is not printed as a server crash.
        pass

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> FakeImapServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0
