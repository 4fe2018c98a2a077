#!/usr/bin/python3
"""perf_split.py < SCRIPT

Where an enforcer run's CPU goes, by cost rather than by function: reads
`perf script -F comm,tid,ip,sym,dso` of a `perf record --call-graph
dwarf` and puts each sample in the first group below whose functions are
on its stack (so a sample counts once).  libcrypto, libssl and libcurl
are stripped on Debian: their exported functions name the groups, what
runs inside them without a name of its own stays in the group of its
caller.

Prints one line per group: the share of the samples, the group.
"""
import collections
import re
import sys

GROUPS = (
    ('TLS context per connection (SSL_CTX_new/free inside libcurl)',
     ('SSL_CTX_new_ex', 'SSL_CTX_free')),
    ('server certificate decoding (d2i, OpenSSL 3 decoders)',
     ('ASN1_item_d2i_ex', 'd2i_EC_PUBKEY', 'OSSL_DECODER_from_data')),
    ('certificate verification', ('X509_verify_cert',)),
    ('handshake crypto (key exchange, signatures)',
     ('EVP_PKEY_generate', 'EVP_DigestVerifyFinal', 'EVP_PKEY_derive',
      'EVP_DigestSignFinal')),
    ('NTLM logon (gss-ntlmssp)',
     ('gss_init_sec_context', 'negotiate_step', 'negotiate_ready')),
    ('reply headers (channel bindings, peer chain)', ('on_header',)),
    ('host set-up and teardown (curl handles, closing the connection)',
     ('wsman_new', 'wsman_free')),
    ('reply parsing (libxml2)', ('wsman_xml_parse', 'wsman_xml_run')),
    ('reply dissection, XML to node',
     ('wsman_xml_to_node', 'wsman_reply_items', 'wsman_reply_parse')),
    ('envelope building (libxml2 tree, serialising, message ids)',
     ('step_prepare', 'wsman_request_build')),
    ('TLS records (SSL_read, SSL_write)', ('SSL_read', 'SSL_write')),
    ('kernel: poll, send, receive, connect, page faults',
     ('entry_SYSCALL_64_after_hwframe', 'asm_exc_page_fault',
      'asm_sysvec_apic_timer_interrupt', 'asm_sysvec_reschedule_ipi',
      'irqentry_exit_to_user_mode')),
    ('the rest of libcurl (its own code, allocation, wiping)',
     ('curl_multi_perform', 'curl_multi_poll')),
    ('engine, kinds, desired state, history (the rest of ours)',
     ('engine_host', 'main', '_start')),
)
OTHER = 'other (thread start, unattributed)'
FRAME = re.compile(r'\s+[0-9a-f]+ (.*) \((.*)\)$')


def group(names):
    for label, functions in GROUPS:
        if names.intersection(functions):
            return label
    return OTHER


def samples(lines):
    """Each sample's set of function names; a blank line ends one."""
    names = set()
    for line in lines:
        m = FRAME.match(line.rstrip('\n'))
        if m:
            names.add(m.group(1))
        elif not line.strip() and names:
            yield names
            names = set()
    if names:
        yield names


def main():
    counts = collections.Counter(group(s) for s in samples(sys.stdin))
    total = sum(counts.values())
    if total == 0:
        print('perf_split.py: no samples', file=sys.stderr)
        return 1
    print('%d samples' % total)
    for label in [g[0] for g in GROUPS] + [OTHER]:
        print('%5.1f%%  %s' % (100.0 * counts[label] / total, label))
    return 0


if __name__ == '__main__':
    sys.exit(main())
