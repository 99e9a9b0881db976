"""ldap-server — serves one LDIF tree over LDAP (ldaptor's server) on 127.0.0.1.

Usage: python ldap-server.py TREE.ldif    prints the port it listens on, then serves until killed.

The tree is read-only; a simple bind checks the entry's userPassword (plain or {SSHA}).
"""

import sys

from ldaptor.inmemory import fromLDIFFile
from ldaptor.interfaces import IConnectedLDAPEntry
from ldaptor.protocols.ldap.ldapserver import LDAPServer
from twisted.internet import protocol, reactor
from twisted.python import components


class TreeFactory(protocol.ServerFactory):
    """TreeFactory gives each connection an LDAPServer over the same tree."""

    protocol = LDAPServer

    def __init__(self, root):
        self.root = root


# LDAPServer finds the tree by adapting its factory to IConnectedLDAPEntry.
components.registerAdapter(lambda factory: factory.root, TreeFactory, IConnectedLDAPEntry)


def serve(root):
    port = reactor.listenTCP(0, TreeFactory(root), interface="127.0.0.1")
    print(port.getHost().port, flush=True)


def fail(failure):
    print(f"ldap-server: cannot load the tree: {failure.getErrorMessage()}", file=sys.stderr, flush=True)
    reactor.stop()


with open(sys.argv[1], "rb") as ldif:
    loaded = fromLDIFFile(ldif)
loaded.addCallbacks(serve, fail)
reactor.run()
