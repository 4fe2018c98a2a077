"""examples_deploy.py: the deployment files of examples/kubernetes and
examples/systemd hold the shard contract (docs/scale.md).

Parsed with python3-yaml (every document of every manifest), then checked:
each object names an apiVersion and kind the Kubernetes API serves
(batch/v1 CronJob, v1 Secret and ConfigMap) with the fields that version
requires; the CronJob forbids overlap, starts an Indexed Job whose
completions and parallelism equal the --shards N its container is given,
records to a history URL, reads its password from the Secret the example
defines and its keyring from the ConfigMap it defines; the enforcer
arguments are ones `enforcer apply --help` lists.  The systemd template
passes its unescaped instance to --shard, and its timer is a template.
"""
import glob
import os
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'winrm-sim'))
import simtest as t  # noqa: E402

ENFORCER = os.environ.get('ENFORCER', os.path.join(t.TOP, 'bin', 'enforcer'))
KDIR = os.path.join(t.TOP, 'examples', 'kubernetes')
SDIR = os.path.join(t.TOP, 'examples', 'systemd')
SERVED = {('batch/v1', 'CronJob'), ('batch/v1', 'Job'), ('v1', 'Secret'),
          ('v1', 'ConfigMap')}


def dig(obj, *path):
    for p in path:
        if not isinstance(obj, dict) or p not in obj:
            return None
        obj = obj[p]
    return obj


docs = []
for path in sorted(glob.glob(os.path.join(KDIR, '*.yaml'))):
    with open(path) as f:
        for d in yaml.safe_load_all(f):
            if d is not None:
                docs.append((os.path.basename(path), d))
t.check('manifests parse', len(docs) >= 4, '%d documents' % len(docs))
for name, d in docs:
    t.check('%s %s: an apiVersion/kind the API serves' % (name, d.get('kind')),
            (d.get('apiVersion'), d.get('kind')) in SERVED,
            (d.get('apiVersion'), d.get('kind')))
    t.check('%s %s: metadata.name and namespace' % (name, d.get('kind')),
            dig(d, 'metadata', 'name') is not None and
            dig(d, 'metadata', 'namespace') is not None)

by_kind = {}
for _, d in docs:
    by_kind.setdefault(d['kind'], []).append(d)
cron = by_kind.get('CronJob', [None])[0]
t.check('one CronJob', cron is not None)
job = dig(cron, 'spec', 'jobTemplate', 'spec') or {}
pod = dig(job, 'template', 'spec') or {}
t.check('CronJob: schedule set', isinstance(dig(cron, 'spec', 'schedule'),
                                            str))
t.check('CronJob: concurrencyPolicy Forbid',
        dig(cron, 'spec', 'concurrencyPolicy') == 'Forbid')
t.check('Job: completionMode Indexed', job.get('completionMode') == 'Indexed')
t.check('Pod: restartPolicy Never or OnFailure (batch/v1 requires it)',
        pod.get('restartPolicy') in ('Never', 'OnFailure'))
containers = pod.get('containers') or []
t.check('one container', len(containers) == 1)
c = containers[0] if containers else {}
args = [str(a) for a in c.get('args', [])]
t.check('container runs apply', args[:1] == ['apply'], args[:1])
n = args[args.index('--shards') + 1] if '--shards' in args else None
t.check('--shards N given (index from JOB_COMPLETION_INDEX)',
        n is not None and n.isdigit(), n)
t.check('completions == parallelism == N: every shard runs at once',
        n is not None and job.get('completions') == int(n) ==
        job.get('parallelism'), (job.get('completions'),
                                  job.get('parallelism'), n))
t.check('no --shard I/N (each pod takes its index)', '--shard' not in args)
hist = args[args.index('--history') + 1] if '--history' in args else ''
t.check('--history is a URL shared by the shards', '://' in hist, hist)
help_text = subprocess.run([ENFORCER, 'apply', '--help'], capture_output=True,
                           text=True).stdout
unknown = [a for a in args if a.startswith('--') and a not in help_text]
t.check('every option is one apply knows', not unknown, unknown)
t.check('resources: requests and a memory limit',
        dig(c, 'resources', 'requests', 'memory') is not None and
        dig(c, 'resources', 'limits', 'memory') is not None)

secrets = {dig(s, 'metadata', 'name'): s for s in by_kind.get('Secret', [])}
maps = {dig(m, 'metadata', 'name'): m for m in by_kind.get('ConfigMap', [])}
refs = [dig(e, 'valueFrom', 'secretKeyRef') for e in c.get('env', [])
        if dig(e, 'valueFrom', 'secretKeyRef')]
pw = [e for e in c.get('env', []) if e.get('name') == 'ENFORCER_PASSWORD']
t.check('the password comes from a Secret, never a value',
        len(pw) == 1 and 'value' not in pw[0] and
        dig(pw[0], 'valueFrom', 'secretKeyRef') is not None)
for r in refs:
    s = secrets.get(r.get('name'))
    keys = set((s or {}).get('data', {}) or {}) | set(
        (s or {}).get('stringData', {}) or {})
    t.check('secretKeyRef %s/%s is defined' % (r.get('name'), r.get('key')),
            s is not None and r.get('key') in keys)
for v in pod.get('volumes', []):
    if 'configMap' in v:
        t.check('configMap volume %s is defined' % v['configMap']['name'],
                v['configMap']['name'] in maps)
    if 'secret' in v:
        t.check('secret volume %s is defined' % v['secret']['secretName'],
                v['secret']['secretName'] in secrets)
mounted = {m['name'] for m in c.get('volumeMounts', [])}
t.check('every mount has a volume',
        mounted <= {v['name'] for v in pod.get('volumes', [])})
desired = maps.get('enforcer-desired', {}).get('data', {})
for key, text in desired.items():
    try:
        yaml.safe_load(text)
        ok = True
    except yaml.YAMLError as e:
        ok = str(e)
    t.check('ConfigMap desired state %s is YAML' % key, ok is True, ok)

with open(os.path.join(SDIR, 'enforcer@.service')) as f:
    unit = f.read()
t.check('systemd: --shard %I (the unescaped instance I/N)',
        '--shard %I' in unit)
t.check('systemd: oneshot', 'Type=oneshot' in unit)
t.check('systemd: timer is a template',
        os.path.exists(os.path.join(SDIR, 'enforcer@.timer')))
# systemd escapes "/" in an instance as "-" (systemd.unit(5), "String
# Escaping"), so shard 0/4 is enforcer@0-4.
t.check('systemd: the unit documents instance 0-4 for shard 0/4',
        'enforcer@0-4' in unit)
print('ok' if not t.FAILURES else '%d failure(s)' % len(t.FAILURES))
sys.exit(1 if t.FAILURES else 0)
