#!/usr/bin/env python3
# Top frames of a JFR recording by self time, total time and first kinmesh frame (BENCHMARKS.md, issue 14):
#   jfr print --events jdk.ExecutionSample --stack-depth 64 rec.jfr > rec.txt
#   bench/jfr-top.py rec.txt [--nosig] [--after HH:MM:SS.mmm --before HH:MM:SS.mmm] [-k 40]
import sys, re, collections, argparse
# Aggregates `jfr print --events jdk.ExecutionSample --stack-depth 64` output: self (top frame),
# total (any frame), and the first kinmesh frame; skips the bench's main thread (it signs the txs).
ap=argparse.ArgumentParser(); ap.add_argument('file'); ap.add_argument('-k',type=int,default=30)
ap.add_argument('--after',default=''); ap.add_argument('--before',default='99')
ap.add_argument('--nosig',action='store_true',help='drop samples under Ed25519 verify/sign')
a=ap.parse_args()
self_c=collections.Counter(); tot=collections.Counter(); first=collections.Counter(); n=0; sig=0; alln=0
cur=None
def flush(c):
    global n,sig,alln
    if not c or c['thread']=='main' or not (a.after<=c['t']<a.before): return
    st=c['st']; alln+=1
    if any('Ed25519.verify' in f or 'Ed25519Sign' in f or 'Field25519' in f for f in st):
        sig+=1
        if a.nosig: return
    n+=1
    self_c[st[0] if st else '?']+=1
    for f in set(st): tot[f]+=1
    for f in st:
        if f.startswith('org.kinmesh'): first[f]+=1; break
    else: first['(no kinmesh frame) '+(st[0] if st else '')]+=1
for line in open(a.file):
    s=line.strip()
    if s.startswith('jdk.ExecutionSample'):
        flush(cur); cur={'st':[],'thread':'','t':''}
    elif cur is not None:
        if s.startswith('startTime'): cur['t']=s.split('=')[1].strip()
        elif s.startswith('sampledThread'): cur['thread']=s.split('"')[1]
        elif re.match(r'^[\w$.<>]+\(.*\)\s+line:',s): cur['st'].append(re.sub(r'\s+line:.*','',s))
flush(cur)
print('samples (not main thread, in window) %d; under Ed25519 verify %d (%.1f%%); shown %d'%(alln,sig,100*sig/max(alln,1),n))
print('--- self'); [print('%5.1f%% %s'%(100*c/n,f)) for f,c in self_c.most_common(a.k)]
print('--- total'); [print('%5.1f%% %s'%(100*c/n,f)) for f,c in tot.most_common(a.k) if not f.startswith(('io.netty','java.lang.Thread','io.vertx.core.internal','io.vertx.core.streams','io.vertx.core.eventbus.impl.HandlerReg','io.vertx.core.eventbus.impl.Deliv','io.vertx.core.eventbus.impl.MessageConsumerImpl'))]
print('--- first kinmesh frame'); [print('%5.1f%% %s'%(100*c/n,f)) for f,c in first.most_common(a.k)]
