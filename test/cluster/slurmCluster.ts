/**
 * A real single-node SLURM cluster for the tests: Debian's slurm-wlm and munge (installed by
 * scripts/setup.sh through scripts/install-system-deps.sh --slurm), configured in a temporary
 * folder and started as root, with their own ports and munge socket, so that nothing of the
 * machine's /etc or /run is touched and a stop leaves nothing running.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface SlurmCluster {
  /** The environment under which sbatch, squeue and scontrol talk to this cluster. */
  env: NodeJS.ProcessEnv;
  dir: string;
  /** Runs a SLURM client command against this cluster; resolves with its stdout. */
  client(command: string, args: string[]): Promise<string>;
  /** Waits until none of the jobs is pending or running; throws after timeoutMs. */
  waitForJobs(ids: string[], timeoutMs: number): Promise<void>;
  /** scontrol's JobState of a job (COMPLETED, FAILED, CANCELLED, ...). */
  jobState(id: string): Promise<string>;
  /** The daemons' logs, for a failing test's message. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const WHY = 'the SLURM test needs root and Debian\'s slurm-wlm and munge: run "bash scripts/setup.sh" (as root on Debian 12)';

async function requireTools(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error(`not root: ${WHY}`);
  for (const tool of ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'sinfo']) {
    try {
      await exec('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]);
    } catch {
      throw new Error(`${tool} not found: ${WHY}`);
    }
  }
}

const sbin = (tool: string) => `/usr/sbin/${tool}`;

export async function startSlurmCluster(): Promise<SlurmCluster> {
  await requireTools();
  const dir = await mkdtemp(path.join(tmpdir(), 'mesostp-slurm-'));
  const munge = path.join(dir, 'munge');
  await mkdir(munge, { mode: 0o700 });
  await mkdir(path.join(dir, 'state'));
  await mkdir(path.join(dir, 'spool'));
  const key = path.join(munge, 'munge.key');
  await writeFile(key, randomBytes(1024));
  await chmod(key, 0o400);
  const socket = path.join(munge, 'munge.sock');
  const node = hostname().split('.')[0];
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const memoryMiB = Math.floor((totalmem() / 2 ** 20) * 0.9);
  const conf = `# A single-node cluster for mesostp's tests (test/cluster/slurmCluster.ts)
ClusterName=mesostp-test
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=${socket}
CredType=cred/munge
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
SlurmctldPort=${ctldPort}
SlurmdPort=${slurmdPort}
SlurmctldLogFile=${dir}/slurmctld.log
SlurmdLogFile=${dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=3600
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus().length} RealMemory=${memoryMiB} State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`;
  const confFile = path.join(dir, 'slurm.conf');
  await writeFile(confFile, conf);
  const env = { ...process.env, SLURM_CONF: confFile };
  const pidFiles = [path.join(dir, 'slurmd.pid'), path.join(dir, 'slurmctld.pid'), path.join(munge, 'munged.pid')];

  const cluster: SlurmCluster = {
    env,
    dir,
    async client(command, args) {
      const { stdout } = await exec(command, args, { env });
      return stdout;
    },
    async waitForJobs(ids, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const queued = (await cluster.client('squeue', ['-h', '-o', '%i %T', '-j', ids.join(',')])).trim();
        if (queued === '') return;
        if (Date.now() > deadline) throw new Error(`SLURM jobs still queued after ${timeoutMs / 1000} s:\n${queued}\n${await cluster.logs()}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    async jobState(id) {
      const text = await cluster.client('scontrol', ['show', 'job', id]);
      const states = [...text.matchAll(/JobState=(\S+)/g)].map((m) => m[1]);
      if (states.length === 0) throw new Error(`scontrol show job ${id} gave no JobState:\n${text}`);
      return [...new Set(states)].join(',');
    },
    async logs() {
      const parts = await Promise.all(
        ['slurmctld.log', 'slurmd.log', 'munge/munged.log'].map(async (f) => {
          const text = await readFile(path.join(dir, f), 'utf8').catch(() => '(none)');
          return `--- ${f} (last lines)\n${text.split('\n').slice(-15).join('\n')}`;
        }),
      );
      return parts.join('\n');
    },
    async stop() {
      for (const file of pidFiles) {
        const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
        if (!(pid > 0)) continue;
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          continue; // gone already
        }
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(pid, 0);
          } catch {
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    // --force: munged refuses to run as root, and the key's folder is not /etc/munge.
    await exec(sbin('munged'), [
      '--force',
      `--socket=${socket}`,
      `--key-file=${key}`,
      `--pid-file=${path.join(munge, 'munged.pid')}`,
      `--log-file=${path.join(munge, 'munged.log')}`,
      `--seed-file=${path.join(munge, 'munged.seed')}`,
    ]);
    await exec(sbin('slurmctld'), [], { env });
    await exec(sbin('slurmd'), [], { env });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = (await cluster.client('sinfo', ['-h', '-o', '%T']).catch(() => '')).trim();
      if (state === 'idle') break;
      if (Date.now() > deadline) throw new Error(`the SLURM node is not idle after 60 s (sinfo: '${state}')\n${await cluster.logs()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
