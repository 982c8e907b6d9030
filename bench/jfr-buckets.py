#!/usr/bin/env python3
# Non-signature CPU samples of a JFR recording by part of the node (BENCHMARKS.md, issue 14):
#   jfr print --events jdk.ExecutionSample --stack-depth 64 rec.jfr > rec.txt
#   bench/jfr-buckets.py rec.txt [--after HH:MM:SS.mmm --before HH:MM:SS.mmm]
import sys,re,collections,argparse
# buckets of the non-signature samples (first matching rule over the whole stack wins)
ap=argparse.ArgumentParser(); ap.add_argument('file'); ap.add_argument('--after',default=''); ap.add_argument('--before',default='99'); a=ap.parse_args()
rules=[
 ('Ed25519 verification (the signature checks)', ['Ed25519.verify']),
 ('UDP link: in-flight window walk (ReliableSender.due/nextDeadline)', ['ReliableSender.due','ReliableSender.nextDeadline']),
 ('UDP socket send (Vert.x DatagramSocket: name resolution, Netty write)', ['UdpTransport.send']),
 ('UDP socket receive and dispatch', ['UdpTransport.onPacket']),
 ('forwarded transactions: JSON parse + Transaction.fromJson', ['TxMessages.readForward']),
 ('CHAIN_COMMITTED body (committedBody)', ['LedgerVerticle.committedBody']),
 ('block store write (insertBlock, SQLite)', ['LedgerStore.insertBlock','LedgerStore.lambda$applyNow','org.sqlite']),
 ('mempool store (SQLite)', ['MempoolStore']),
 ('append / mempool settle (other)', ['LedgerVerticle.append']),
 ('intake, mempool, validation', ['TransactionIntake','TxValidator','Mempool.','SignatureCache']),
 ('block build / dry run / validate', ['LedgerVerticle.build','LedgerVerticle.validate','LedgerStore.dryRun','Ledger.select']),
 ('consensus (Replica, envelopes)', ['org.kinmesh.consensus','ConsensusVerticle']),
 ('UDP link frames (parse, acks, sessions, timer)', ['org.kinmesh.node.link.udp','UdpPaths','PathTimer']),
 ('links other (TCP, relay, router)', ['org.kinmesh.node.link']),
 ('forwarding out (TxMessages, Transaction JSON)', ['TxMessages','Transaction.jsonBytes','Transaction.toJson']),
 ('gossip / stun / relay', ['org.kinmesh.gossip','org.kinmesh.stun','org.kinmesh.relay']),
 ('other kinmesh', ['org.kinmesh']),
 ('Vert.x / Netty / JVM, no kinmesh frame', ['']),
]
c=collections.Counter(); n=0
for block in open(a.file).read().split('jdk.ExecutionSample {')[1:]:
    t=re.search(r'startTime = (\S+)',block).group(1); th=re.search(r'sampledThread = "([^"]*)"',block).group(1)
    if th=='main' or not (a.after<=t<a.before): continue
    fr=[re.sub(r'\s+line:.*','',l.strip()) for l in block.split('\n') if ' line:' in l]
    st=' '.join(fr); n+=1
    for name,keys in rules:
        if any(k in st for k in keys): c[name]+=1; break
sig=c['Ed25519 verification (the signature checks)']
print('samples %d, signature %d (%.0f%%), non-signature %d'%(n,sig,100*sig/n,n-sig))
for name,_ in rules:
    if c[name] and not name.startswith('Ed25519'): print('%5.1f%% of non-sig  %s'%(100*c[name]/(n-sig),name))
