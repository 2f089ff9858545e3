/**
 * simulateMicroGpu: the micro engine on WebGPU. B trials × N neurons advance in one set of
 * dispatches per step, with the step of docs/step-semantics.md (the CPU engine's contract):
 * projection_input (deliver + input, delta projections first) → population_step (neurons,
 * spikes) → spike_args → propagate (STP + fixed-point ring) → recording → step_end.
 *
 * Many steps go into one command submission (a chunk); between chunks the host reports
 * progress, checks the abort signal and drains the spike records. Everything else that is
 * recorded (activity counts, inputs, STP means) accumulates on the GPU and crosses the bus once,
 * at the end or at cancellation, so a cancelled run keeps every completed bin.
 *
 * Trials are the tiling axis: when the trials do not fit in one storage binding (or in the
 * memory budget) they run in consecutive batches that are merged like the CPU engine's worker
 * ranges; the Philox counters use the global trial index, so batching does not change a number.
 */
import { describeAdapter, GpuDeviceError, type GpuContext } from '../../gpu/device';
import { createStorageBuffer, createUniformBuffer, readBuffer } from '../../gpu/buffers';
import { gridFor, type Grid } from '../../gpu/dispatch';
import { bindBuffers, type ComputeKernel } from '../../gpu/wgsl';
import { stepsPerBin, type InputRecording, type Progress, type Recording, type SpikeRecording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import { timeFunctionAt } from '../../model/timeFunction';
import { Purpose, purposeWord, seedWord } from '../../rng/streams';
import { compileNetwork, filterPlacement, trialConnectivity, FILTER_SYN_Y, NEURON_GLIF, NEURON_LIF, NEURON_POISSON, STP_NONE } from '../cpu/network';
import { mergeRecordings } from '../cpu/merge';
import { stpVariables } from '../cpu/record';
import { MicroKernels } from './kernels';
import { PROCEDURAL_SEGMENT } from './procedural';
import { planGpu, stpParamFields, STORAGE_BUFFERS_NEEDED, trialsPerBatch, type GpuPlan, type GpuPopulation, type GpuProjection } from './plan';
import { f32, packUniform, u32 } from './uniforms';

export interface MicroGpuOptions {
  gpu: GpuContext;
  onProgress?: (p: Progress) => void;
  /** Checked between chunks; on abort the completed steps are returned (cancelled: true). */
  signal?: AbortSignal;
  /** Steps per command submission (default 500; fewer when spike records could overflow their buffer). */
  chunkSteps?: number;
  /** GPU memory the run may use (bytes, default 1 GiB): more trials than fit run in batches. */
  memoryBudget?: number;
  /** Upper bound on trials per batch (default: as many as fit); tests use it to exercise batching. */
  maxTrialsPerBatch?: number;
  /**
   * Called with each batch's recording (engine.trialRange says which trials) as soon as it is
   * read back, before the next batch starts: a caller can show the Monte Carlo converging, and
   * keeps the completed batches if a later one fails (e.g. the device is lost).
   */
  onBatch?: (part: Recording) => void;
}

const WG = 64;
/** Words of the control buffer before the spike counters (shaders/micro/common.wgsl). */
const CTL_SPIKE_COUNTS = 4;
/** Spike records (4 u32 each) one chunk may write. */
const SPIKE_RECORD_CAPACITY = 1 << 20;
/**
 * Below these sizes one invocation does a whole item (a spike's CSR row, a trial's sum) instead
 * of a workgroup: no idle lanes and no barriers, which matter most on CPU-emulated adapters.
 */
const THREAD_ROW_MAX = 16;
const THREAD_SUM_MAX = 512;

interface PopBuffers {
  state: GPUBuffer;
  refr: GPUBuffer;
  acc: GPUBuffer;
  spikes: GPUBuffer;
  activity: GPUBuffer;
  sampled: GPUBuffer;
  mean: GPUBuffer;
  kernel: ComputeKernel;
  bind: GPUBindGroup;
  grid: Grid;
  meanKernel: ComputeKernel | null;
  meanBind: GPUBindGroup | null;
  meanGrid: Grid;
  pulseKernel: ComputeKernel | null;
  pulseBind: GPUBindGroup | null;
  pulseGrid: Grid;
}

interface ProjBuffers {
  ring: GPUBuffer;
  stages: GPUBuffer;
  stp: GPUBuffer;
  last: GPUBuffer;
  recStp: GPUBuffer;
  input: ComputeKernel;
  inputBind: GPUBindGroup;
  inputGrid: Grid;
  /** What step 4 dispatches for this projection, in order: indirect (by spike count) or a fixed grid. */
  propagation: { kernel: ComputeKernel; bind: GPUBindGroup; argsOffset?: number; grid?: Grid }[];
  recKernel: ComputeKernel | null;
  recBind: GPUBindGroup | null;
  recGrid: Grid;
}

/** One batch of trials [from, from + T): its buffers, pipelines and step loop. */
class Batch {
  private readonly buffers: GPUBuffer[] = [];

  /** Bytes of the batch's GPU buffers, in all and by label. */
  bufferBytes(): { total: number; byLabel: Record<string, number> } {
    const byLabel: Record<string, number> = {};
    let total = 0;
    for (const b of this.buffers) {
      byLabel[b.label] = (byLabel[b.label] ?? 0) + b.size;
      total += b.size;
    }
    return { total, byLabel };
  }
  private ctl!: GPUBuffer;
  private args!: GPUBuffer;
  private spikeRec!: GPUBuffer;
  private pops: PopBuffers[] = [];
  private projs: ProjBuffers[] = [];
  private argsKernel!: ComputeKernel;
  private argsBind!: GPUBindGroup;
  private endKernel!: ComputeKernel;
  private endBind!: GPUBindGroup;
  private trialGrid!: Grid;
  readonly driveOffset: number;
  readonly chunkCapacity: number;
  private readonly spikeData: { trial: number[]; neuron: number[]; step: number[] }[];

  constructor(
    private readonly ctx: GpuContext,
    private readonly plan: GpuPlan,
    private readonly scenario: Scenario,
    readonly from: number,
    readonly T: number,
    chunkSteps: number,
  ) {
    const P = plan.populations.length;
    this.driveOffset = Math.ceil((CTL_SPIKE_COUNTS + P) / 4) * 4;
    const recordedPerStep = T * plan.populations.reduce((s, p) => s + p.recordSpikes, 0);
    // At most one spike per recorded neuron and step: a chunk never overflows the record buffer.
    this.chunkCapacity = Math.max(1, Math.min(chunkSteps, recordedPerStep > 0 ? Math.floor(SPIKE_RECORD_CAPACITY / recordedPerStep) : chunkSteps));
    this.spikeData = plan.populations.map(() => ({ trial: [], neuron: [], step: [] }));
  }

  private storage(bytes: number, label: string, usage = 0): GPUBuffer {
    const b = createStorageBuffer(this.ctx, Math.max(16, bytes), label, usage);
    this.buffers.push(b);
    return b;
  }

  private uniform(data: ArrayBuffer, label: string): GPUBuffer {
    const b = createUniformBuffer(this.ctx, data, label);
    this.buffers.push(b);
    return b;
  }

  private upload(data: ArrayBufferView, label: string): GPUBuffer {
    const b = this.storage(data.byteLength, label);
    this.ctx.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  }

  private bind(kernel: ComputeKernel, uniform: GPUBuffer, storage: (GPUBuffer | null)[], label: string): GPUBindGroup {
    return bindBuffers(this.ctx, kernel, [uniform, ...storage], label);
  }

  private gridFor(items: number, perWorkgroup = WG): Grid {
    return gridFor(Math.ceil(items / perWorkgroup), this.ctx.summary.limits.maxComputeWorkgroupsPerDimension);
  }

  async init(kernels: MicroKernels): Promise<void> {
    const { plan, scenario, T } = this;
    const net = plan.net;
    const dt = net.dt;
    const bins = plan.totalBins;
    const P = plan.populations.length;
    const seed = seedWord(scenario.run.seed);
    const spikeWord = purposeWord(Purpose.spike);
    this.ctl = this.storage(4 * (this.driveOffset + this.chunkCapacity * P), 'micro-gpu control');
    this.args = this.storage(24 * P, 'micro-gpu dispatch arguments', GPUBufferUsage.INDIRECT);
    this.spikeRec = this.storage(plan.populations.some((p) => p.recordSpikes > 0) ? 16 * SPIKE_RECORD_CAPACITY : 16, 'micro-gpu spike records');
    // A fresh buffer for each unused binding: writable bindings of one dispatch must not alias.
    const dummy = (): GPUBuffer => this.storage(16, 'micro-gpu unused binding');
    this.trialGrid = gridFor(T, this.ctx.summary.limits.maxComputeWorkgroupsPerDimension);

    for (const gp of plan.populations) {
      const p = gp.plan;
      const N = p.N;
      const neuron = p.model !== NEURON_POISSON;
      const TN = T * N;
      const state = neuron ? this.storage(4 * TN * (1 + gp.K), `${p.name} state`) : dummy();
      if (neuron) {
        const init = new Float32Array(TN * (1 + gp.K));
        init.fill(p.V0, 0, TN);
        this.ctx.device.queue.writeBuffer(state, 0, init);
      }
      const refr = neuron ? this.storage(4 * TN, `${p.name} refractory`) : dummy();
      const acc = neuron && (gp.hasInput || gp.recordMean) ? this.storage(4 * TN * gp.accRows, `${p.name} input sums`) : dummy();
      const spikes = this.storage(4 * TN, `${p.name} spikes`);
      const activity = this.storage(4 * T * bins, `${p.name} activity`);
      const sampled = gp.recordInputs > 0 ? this.storage(4 * T * gp.recordInputs * bins, `${p.name} recorded inputs`) : dummy();
      const mean = gp.recordMean ? this.storage(4 * T * bins, `${p.name} input mean`) : dummy();
      const kernel = await kernels.get('population_step', {
        MODEL: p.model === NEURON_POISSON ? 0 : p.model === NEURON_GLIF ? 1 : 2,
        K_ADAPT: gp.K,
        HAS_INPUT: gp.hasInput,
        RECORD_MEAN: gp.recordMean,
      });
      const decay = [0, 0, 0, 0];
      const kick = [0, 0, 0, 0];
      for (let q = 0; q < gp.K; q++) {
        decay[q] = p.adaptDecay[q];
        kick[q] = p.adaptKick[q];
      }
      const params = packUniform([
        u32(N), u32(T), u32(this.from), u32(p.index), u32(seed), u32(spikeWord), u32(p.refSteps), u32(plan.binSteps),
        u32(bins), u32(gp.recordInputs), u32(gp.recordSpikes), u32(SPIKE_RECORD_CAPACITY), u32(this.driveOffset), u32(P), u32(0), u32(0),
        f32(dt), f32(p.tauM), f32(p.decayM), f32(p.uReset), f32(p.uTh), f32(p.c), f32(1 / p.deltaU), f32(p.tauM / dt),
        ...decay.map(f32), ...kick.map(f32),
      ]);
      const bind = this.bind(kernel, this.uniform(params, `${p.name} parameters`), [this.ctl, state, refr, acc, spikes, activity, sampled, this.spikeRec], p.name);
      let meanKernel: ComputeKernel | null = null;
      let meanBind: GPUBindGroup | null = null;
      const meanThread = N <= THREAD_SUM_MAX;
      if (gp.recordMean) {
        meanKernel = await kernels.get('record_input_mean', {}, meanThread ? 'main_thread' : 'main');
        meanBind = this.bind(meanKernel, this.uniform(packUniform([u32(N), u32(T), u32(plan.binSteps), u32(bins)]), `${p.name} mean parameters`), [this.ctl, acc, mean], `${p.name} mean`);
      }
      let pulseKernel: ComputeKernel | null = null;
      let pulseBind: GPUBindGroup | null = null;
      if (p.pulseInput) {
        pulseKernel = await kernels.get('apply_pulses', { BLOCKED: p.blockedPulses.length });
        const E = [0, 0, 0, 0];
        const mg = [0, 0, 0, 0];
        p.blockedPulses.forEach((_, k) => {
          E[k] = p.blockedPulseE[k];
          mg[k] = p.blockedPulseMg[k];
        });
        const pulseParams = packUniform([u32(TN), u32(0), u32(0), u32(0), f32(p.restPotential), f32(0), f32(0), f32(0), ...E.map(f32), ...mg.map(f32)]);
        pulseBind = this.bind(pulseKernel, this.uniform(pulseParams, `${p.name} pulse parameters`), [state, refr, acc], `${p.name} pulses`);
      }
      this.pops.push({ state, refr, acc, spikes, activity, sampled, mean, kernel, bind, grid: this.gridFor(T * Math.ceil(N / 4)), meanKernel, meanBind, meanGrid: meanThread ? this.gridFor(T) : this.trialGrid, pulseKernel, pulseBind, pulseGrid: this.gridFor(TN) });
    }

    for (const gq of plan.projections) {
      const pr = gq.plan;
      const post = this.pops[pr.post];
      const pre = this.pops[pr.pre];
      const slotLen = T * pr.nPost;
      const ring = this.storage(4 * (pr.delaySteps + 1 + (gq.stages === 6 ? pr.postStages : 0)) * slotLen, `${pr.name} ring`);
      const stages = gq.filterRows > 0 ? this.storage(4 * gq.filterRows * slotLen, `${pr.name} filter`) : dummy();
      const entries = T * gq.stpEntries;
      let stp = dummy();
      let last = dummy();
      if (gq.stpVars > 0) {
        stp = this.storage(4 * gq.stpVars * entries, `${pr.name} STP state`);
        const init = new Float32Array(gq.stpVars * entries);
        for (let v = 0; v < gq.stpVars; v++) for (let b = 0; b < T; b++) init.set(gq.stpInitial.subarray(v * gq.stpEntries, (v + 1) * gq.stpEntries), v * entries + b * gq.stpEntries);
        this.ctx.device.queue.writeBuffer(stp, 0, init);
        last = this.storage(4 * entries, `${pr.name} STP update steps`);
      }
      const syn = this.upload(gq.syn, `${pr.name} synapse parameters`);
      const postPlan = plan.populations[pr.post].plan;
      const deferred = gq.stages === 0 && postPlan.pulseInput;
      const input = await kernels.get('projection_input', { STAGES: gq.stages, CONDUCTANCE: pr.conductance, MG_BLOCK: pr.mg > 0, DEFERRED: deferred });
      const pulseRow = gq.stages === 0 && pr.conductance && pr.mg > 0 ? 7 + postPlan.blockedPulses.indexOf(pr.index) : 0;
      const inputParams = packUniform([
        u32(slotLen), u32(pr.delaySteps + 1), u32(pulseRow), u32(0),
        f32(1 / gq.fixedPoint.scale), f32(pr.outScale), f32(pr.E), f32(pr.mg), f32(postPlan.restPotential), f32(0), f32(0), f32(0),
        ...Array.from(gq.propagator, f32),
      ]);
      const inputBind = this.bind(input, this.uniform(inputParams, `${pr.name} input parameters`), [this.ctl, ring, stages, post.state, post.refr, post.acc], `${pr.name} input`);
      const stpConst = { STP: pr.stpModel, PER_SYNAPSE: gq.perSynapse, HET_WEIGHT: gq.hetWeight };
      const stpFields = [...stpParamFields(pr), 0, 0].map(f32);
      const propagation: ProjBuffers['propagation'] = [];
      const gen = gq.procedural;
      const csrs = gen ? { data: gq.csr, stride: 0, longestRow: 0 } : batchCsr(gq, this.from, T);
      if (pr.filter === FILTER_SYN_Y) {
        const S = pr.postStages;
        const y = this.storage(4 * T * pr.nSyn, `${pr.name} per-synapse y`);
        const constants = { ...stpConst, POST_STAGES: S };
        const onSpike = await kernels.get('syn_y', constants, 'on_spike');
        const synapses = await kernels.get('syn_y', constants, 'synapses');
        const P = gq.propagator;
        const params = this.uniform(
          packUniform([
            u32(pr.nPre), u32(pr.nPost), u32(T), u32(pr.delaySteps + 1), u32(pr.delaySteps), u32(pr.nSyn), u32(pr.pre), u32(Math.max(1, entries)),
            u32(0), u32(0), u32(0), u32(0),
            f32(pr.weight), f32(gq.fixedPoint.scale), f32(1 / gq.fixedPoint.scale), f32(dt),
            ...Array.from(P.subarray(0, 8), f32),
            ...stpFields,
          ]),
          `${pr.name} y parameters`,
        );
        const csrBuffer = this.upload(csrs.data, `${pr.name} CSR`);
        propagation.push({ kernel: onSpike, bind: this.bind(onSpike, params, [this.ctl, pre.spikes, null, csrBuffer, syn, stp, last, y, null], `${pr.name} y spikes`), argsOffset: 24 * pr.pre + 12 });
        propagation.push({ kernel: synapses, bind: this.bind(synapses, params, [this.ctl, null, ring, csrBuffer, syn, null, null, y, null], `${pr.name} y synapses`), grid: this.gridFor(T * pr.nSyn) });
        if (S > 0) {
          const postKernel = await kernels.get('syn_y', constants, 'post');
          propagation.push({ kernel: postKernel, bind: this.bind(postKernel, params, [this.ctl, null, ring, null, null, null, null, null, stages], `${pr.name} y stages`), grid: this.gridFor(slotLen) });
        }
      } else if (gq.gates > 0) {
        const kin = pr.kinetic!;
        const nGates = T * gq.gates;
        const gates = this.storage(12 * nGates, `${pr.name} receptor gates`);
        const onSpike = await kernels.get('kinetic', stpConst, 'on_spike');
        const advance = await kernels.get('kinetic', stpConst, 'advance');
        const kinParams = this.uniform(
          packUniform([
            u32(pr.nPre), u32(pr.nPost), u32(T), u32(pr.delaySteps + 1), u32(pr.delaySteps), u32(pr.nSyn), u32(pr.pre), u32(Math.max(1, entries)),
            u32(nGates), u32(csrs.stride), u32(0), u32(0),
            f32(pr.weight * gq.fixedPoint.scale), f32(gq.fixedPoint.scale), f32(dt), f32(kin.alpha), f32(kin.beta), f32(kin.Tmax), f32(kin.pulseDuration), f32(0),
            ...stpFields,
          ]),
          `${pr.name} receptor parameters`,
        );
        const csrBuffer = this.upload(csrs.data, `${pr.name} CSR`);
        // on_spike does not touch the ring, advance neither the spikes nor the STP state.
        const spikeSide = [this.ctl, pre.spikes, null, csrBuffer, syn, stp, last, gates];
        const gateSide = [this.ctl, null, ring, csrBuffer, syn, null, null, gates];
        propagation.push({ kernel: onSpike, bind: this.bind(onSpike, kinParams, spikeSide, `${pr.name} receptor spikes`), argsOffset: 24 * pr.pre + 12 });
        propagation.push({ kernel: advance, bind: this.bind(advance, kinParams, gateSide, `${pr.name} receptor gates`), grid: this.gridFor(nGates) });
      } else if (gen) {
        const rowThread = gen.meanRow <= THREAD_ROW_MAX;
        const prop = await kernels.get('propagate_procedural', { ALL_TO_ALL: gen.allToAll, STP: pr.stpModel }, rowThread ? 'main_thread' : 'main');
        const procParams = packUniform([
          u32(pr.nPre), u32(pr.nPost), u32(T), u32(pr.delaySteps + 1), u32(pr.delaySteps), u32(pr.pre), u32(Math.max(1, entries)), u32(gen.noSelf ? 1 : 0),
          u32(gen.candidates), u32(PROCEDURAL_SEGMENT), u32(seed), u32(pr.index), u32(purposeWord(Purpose.connectivity)), u32(pr.perTrial ? 1 : 0), u32(this.from), u32(0),
          f32(pr.weight * pr.kickScale * gq.fixedPoint.scale), f32(gen.allToAll ? 0 : Math.log1p(-gen.p)), f32(dt), f32(0),
          ...stpFields,
        ]);
        const bind = this.bind(prop, this.uniform(procParams, `${pr.name} procedural propagation parameters`), [this.ctl, pre.spikes, ring, stp, last], `${pr.name} procedural propagation`);
        propagation.push({ kernel: prop, bind, argsOffset: 24 * pr.pre + (rowThread ? 12 : 0) });
      } else {
        const rowThread = csrs.longestRow <= THREAD_ROW_MAX;
        const prop = await kernels.get('propagate', stpConst, rowThread ? 'main_thread' : 'main');
        const propParams = packUniform([
          u32(pr.nPre), u32(pr.nPost), u32(T), u32(pr.delaySteps + 1), u32(pr.delaySteps), u32(pr.nSyn), u32(pr.pre), u32(Math.max(1, entries)),
          f32(pr.weight * pr.kickScale * gq.fixedPoint.scale), f32(pr.kickScale * gq.fixedPoint.scale), f32(dt), u32(csrs.stride),
          ...stpFields,
        ]);
        const bind = this.bind(prop, this.uniform(propParams, `${pr.name} propagation parameters`), [this.ctl, pre.spikes, ring, this.upload(csrs.data, `${pr.name} CSR`), syn, stp, last], `${pr.name} propagation`);
        propagation.push({ kernel: prop, bind, argsOffset: 24 * pr.pre + (rowThread ? 12 : 0) });
      }
      let recKernel: ComputeKernel | null = null;
      let recBind: GPUBindGroup | null = null;
      let recStp = dummy();
      const recThread = gq.stpEntries <= THREAD_SUM_MAX;
      if (scenario.record.stp && pr.stpModel !== STP_NONE) {
        recStp = this.storage(4 * gq.stpVars * T * bins, `${pr.name} recorded STP`);
        recKernel = await kernels.get('record_stp', stpConst, recThread ? 'main_thread' : 'main');
        const recParams = packUniform([u32(gq.stpEntries), u32(T), u32(pr.nSyn), u32(bins), u32(plan.binSteps), u32(0), f32(dt), f32(0), ...stpFields]);
        recBind = this.bind(recKernel, this.uniform(recParams, `${pr.name} STP record parameters`), [this.ctl, stp, last, syn, recStp], `${pr.name} STP record`);
      }
      this.projs.push({ ring, stages, stp, last, recStp, input, inputBind, inputGrid: this.gridFor(slotLen), propagation, recKernel, recBind, recGrid: recThread ? this.gridFor(T) : this.trialGrid });
    }

    this.argsKernel = await kernels.get('spike_args');
    this.argsBind = this.bind(this.argsKernel, this.uniform(packUniform([u32(P), u32(this.ctx.summary.limits.maxComputeWorkgroupsPerDimension), u32(0), u32(0)]), 'spike args parameters'), [this.ctl, this.args], 'spike args');
    this.endKernel = await kernels.get('step_end');
    this.endBind = this.bind(this.endKernel, this.uniform(packUniform([u32(P), u32(0), u32(0), u32(0)]), 'step end parameters'), [this.ctl], 'step end');
  }

  /** Records steps [n0, n1) into one submission and waits for it; drains the spike records. */
  async runChunk(n0: number, n1: number): Promise<void> {
    const { plan, ctx } = this;
    const net = plan.net;
    const P = plan.populations.length;
    const L = n1 - n0;
    const header = new Uint32Array(this.driveOffset + L * P);
    header[0] = n0;
    header[1] = n0;
    const drive = new Float32Array(header.buffer, 4 * this.driveOffset, L * P);
    for (let k = 0; k < L; k++) {
      for (let p = 0; p < P; p++) {
        const pop = net.populations[p];
        const v = timeFunctionAt(pop.drive, n0 + k, net.dt);
        drive[k * P + p] = pop.model === NEURON_POISSON ? -Math.expm1(-v * net.dt) : v;
      }
    }
    ctx.device.queue.writeBuffer(this.ctl, 0, header);
    const encoder = ctx.device.createCommandEncoder({ label: `micro-gpu steps ${n0}–${n1}` });
    const pass = encoder.beginComputePass({ label: 'micro-gpu steps' });
    const recordedSteps = plan.totalBins * plan.binSteps;
    for (let n = n0; n < n1; n++) {
      for (const q of plan.inputOrder) {
        // Delta deliveries come first in inputOrder; conductance pulses act once all of them are in.
        if (q === plan.firstFilterInput) this.encodePulses(pass);
        const b = this.projs[q];
        pass.setPipeline(b.input.pipeline);
        pass.setBindGroup(0, b.inputBind);
        dispatch(pass, b.inputGrid);
      }
      if (plan.firstFilterInput < 0) this.encodePulses(pass);
      for (const b of this.pops) {
        pass.setPipeline(b.kernel.pipeline);
        pass.setBindGroup(0, b.bind);
        dispatch(pass, b.grid);
      }
      if (this.projs.length > 0) {
        pass.setPipeline(this.argsKernel.pipeline);
        pass.setBindGroup(0, this.argsBind);
        pass.dispatchWorkgroups(Math.ceil(P / WG));
        for (const b of this.projs) {
          for (const d of b.propagation) {
            pass.setPipeline(d.kernel.pipeline);
            pass.setBindGroup(0, d.bind);
            if (d.argsOffset !== undefined) pass.dispatchWorkgroupsIndirect(this.args, d.argsOffset);
            else dispatch(pass, d.grid!);
          }
        }
      }
      if (n < recordedSteps) {
        for (const b of this.pops) {
          if (!b.meanKernel) continue;
          pass.setPipeline(b.meanKernel.pipeline);
          pass.setBindGroup(0, b.meanBind!);
          dispatch(pass, b.meanGrid);
        }
        if ((n + 1) % plan.binSteps === 0) {
          for (const b of this.projs) {
            if (!b.recKernel) continue;
            pass.setPipeline(b.recKernel.pipeline);
            pass.setBindGroup(0, b.recBind!);
            dispatch(pass, b.recGrid);
          }
        }
      }
      pass.setPipeline(this.endKernel.pipeline);
      pass.setBindGroup(0, this.endBind);
      pass.dispatchWorkgroups(1);
    }
    pass.end();
    await ctx.checked(`micro-gpu steps ${n0}–${n1}`, async () => {
      ctx.device.queue.submit([encoder.finish()]);
      await ctx.device.queue.onSubmittedWorkDone();
    });
    if (plan.populations.some((p) => p.recordSpikes > 0)) await this.drainSpikes();
  }

  private encodePulses(pass: GPUComputePassEncoder): void {
    for (const b of this.pops) {
      if (!b.pulseKernel) continue;
      pass.setPipeline(b.pulseKernel.pipeline);
      pass.setBindGroup(0, b.pulseBind!);
      dispatch(pass, b.pulseGrid);
    }
  }

  private async drainSpikes(): Promise<void> {
    const count = new Uint32Array(await readBuffer(this.ctx, this.ctl, 16))[2];
    if (count > SPIKE_RECORD_CAPACITY) throw new GpuDeviceError(`micro-gpu: ${count} spike records in one chunk exceed the buffer of ${SPIKE_RECORD_CAPACITY} (a bug in the chunk sizing)`);
    if (count === 0) return;
    const rec = new Uint32Array(await readBuffer(this.ctx, this.spikeRec, 16 * count));
    for (let r = 0; r < count; r++) {
      const d = this.spikeData[rec[4 * r]];
      d.trial.push(rec[4 * r + 1]);
      d.neuron.push(rec[4 * r + 2]);
      d.step.push(rec[4 * r + 3]);
    }
  }

  /** Reads back what was recorded over `bins` complete bins and frees the batch's buffers. */
  async finish(bins: number, completedSteps: number, cancelled: boolean, wallStart: number): Promise<Recording> {
    const { plan, ctx, T, scenario } = this;
    const net = plan.net;
    const total = plan.totalBins;
    const binSize = plan.binSteps * net.dt;
    const read32 = async (b: GPUBuffer, n: number) => (n > 0 ? await readBuffer(ctx, b, 4 * n) : new ArrayBuffer(0));
    const cut = (a: Float32Array, rows: number): Float32Array => {
      const out = new Float32Array(rows * bins);
      for (let r = 0; r < rows; r++) out.set(a.subarray(r * total, r * total + bins), r * bins);
      return out;
    };
    const activity: Record<string, Float64Array> = {};
    const inputs: Record<string, InputRecording> = {};
    const spikes: Record<string, SpikeRecording> = {};
    for (let p = 0; p < plan.populations.length; p++) {
      const gp = plan.populations[p];
      const b = this.pops[p];
      const counts = new Uint32Array(await read32(b.activity, T * total));
      const a = new Float64Array(T * bins);
      const scale = 1 / (gp.plan.N * binSize);
      for (let t = 0; t < T; t++) for (let k = 0; k < bins; k++) a[t * bins + k] = counts[t * total + k] * scale;
      activity[gp.plan.name] = a;
      if (gp.recordInputs > 0) {
        const m = gp.recordInputs;
        const sampled = cut(new Float32Array(await read32(b.sampled, T * m * total)), T * m);
        const mean = gp.recordMean ? cut(new Float32Array(await read32(b.mean, T * total)), T) : new Float32Array(T * bins);
        inputs[gp.plan.name] = { neurons: Int32Array.from({ length: m }, (_, i) => i), sampled, populationMean: mean };
      }
      if (scenario.record.spikes.some((r) => r.population === gp.plan.name)) spikes[gp.plan.name] = sortSpikes(this.spikeData[p], gp.recordSpikes, T, net.dt);
    }
    const stp: Record<string, Record<string, Float32Array>> = {};
    for (let q = 0; q < plan.projections.length; q++) {
      const gq = plan.projections[q];
      const b = this.projs[q];
      if (!b.recKernel) continue;
      const all = new Float32Array(await read32(b.recStp, gq.stpVars * T * total));
      const vars: Record<string, Float32Array> = {};
      stpVariables(gq.plan.stpModel).forEach((name, v) => (vars[name] = cut(all.subarray(v * T * total, (v + 1) * T * total), T)));
      stp[gq.plan.name] = vars;
    }
    for (const buffer of this.buffers) buffer.destroy();
    return {
      level: 'micro-gpu',
      scenario,
      trials: T,
      dt: net.dt,
      steps: net.steps,
      completedSteps,
      cancelled,
      binSize,
      bins,
      activity,
      inputs,
      stp,
      spikes,
      wallSeconds: (performance.now() - wallStart) / 1000,
      engine: { trialRange: [this.from, this.from + T] },
    };
  }

  destroy(): void {
    for (const buffer of this.buffers) buffer.destroy();
  }
}

/**
 * The CSR the batch binds: the shared one, or under connectivity.perTrial one block per trial of
 * the batch (each of the same stride), built from the CPU engine's per-trial seeds.
 */
function batchCsr(q: GpuProjection, from: number, T: number): { data: Uint32Array; stride: number; longestRow: number } {
  const pr = q.plan;
  const longest = (rowStart: Int32Array) => {
    let m = 0;
    for (let j = 0; j < pr.nPre; j++) m = Math.max(m, rowStart[j + 1] - rowStart[j]);
    return m;
  };
  if (!pr.perTrial) return { data: q.csr, stride: 0, longestRow: longest(pr.csr.rowStart) };
  const trials = Array.from({ length: T }, (_, b) => trialConnectivity(pr, from + b));
  const stride = pr.nPre + 1 + Math.max(...trials.map((c) => c.targets.length));
  const data = new Uint32Array(T * stride);
  let longestRow = 0;
  trials.forEach((c, b) => {
    data.set(c.rowStart, b * stride);
    data.set(c.targets, b * stride + pr.nPre + 1);
    longestRow = Math.max(longestRow, longest(c.rowStart));
  });
  return { data, stride, longestRow };
}

function dispatch(pass: GPUComputePassEncoder, grid: Grid): void {
  if (grid.workgroups > 0) pass.dispatchWorkgroups(grid.x, grid.y, 1);
}

/** Spike records in the CPU engine's order: by trial, then time, then neuron. */
function sortSpikes(d: { trial: number[]; neuron: number[]; step: number[] }, m: number, T: number, dt: number): SpikeRecording {
  const n = d.trial.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => d.trial[a] - d.trial[b] || d.step[a] - d.step[b] || d.neuron[a] - d.neuron[b]);
  void T;
  return {
    neurons: Int32Array.from({ length: m }, (_, i) => i),
    trial: Int32Array.from(order, (i) => d.trial[i]),
    neuron: Int32Array.from(order, (i) => d.neuron[i]),
    time: Float64Array.from(order, (i) => d.step[i] * dt),
  };
}


/** Runs every trial of the scenario on the GPU, in as few batches as the adapter allows. */
export async function simulateMicroGpu(scenario: Scenario, options: MicroGpuOptions): Promise<Recording> {
  const start = performance.now();
  const ctx = options.gpu;
  const limits = ctx.summary.limits;
  if (limits.maxStorageBuffersPerShaderStage < STORAGE_BUFFERS_NEEDED) {
    throw new GpuDeviceError(
      `micro-gpu needs ${STORAGE_BUFFERS_NEEDED} storage buffers per shader stage; the adapter ${describeAdapter(ctx.summary)} allows ${limits.maxStorageBuffersPerShaderStage} (maxStorageBuffersPerShaderStage). Run --level micro-cpu instead.`,
    );
  }
  const net = compileNetwork(scenario, { proceduralWithoutCsr: true });
  const binSteps = stepsPerBin(scenario);
  const plan = planGpu(net, scenario, binSteps);
  const trials = scenario.run.trials;
  let perBatch = trialsPerBatch(plan, limits, trials, options.memoryBudget ?? 2 ** 30);
  if (options.maxTrialsPerBatch !== undefined) perBatch = Math.max(1, Math.min(perBatch, Math.floor(options.maxTrialsPerBatch)));
  const kernels = new MicroKernels(ctx);
  const chunkSteps = Math.max(1, Math.floor(options.chunkSteps ?? 500));
  const steps = net.steps;
  const batches = Math.ceil(trials / perBatch);
  const parts: Recording[] = [];
  let cancelled = false;
  // Set-up: compiling the network and the plan, then creating each batch's buffers and pipelines.
  let setupSeconds = (performance.now() - start) / 1000;
  let buffers: ReturnType<Batch['bufferBytes']> = { total: 0, byLabel: {} };
  for (let k = 0; k < batches && !cancelled; k++) {
    const from = k * perBatch;
    const T = Math.min(perBatch, trials - from);
    const batchStart = performance.now();
    const batch = new Batch(ctx, plan, scenario, from, T, chunkSteps);
    let n = 0;
    try {
      await batch.init(kernels);
      setupSeconds += (performance.now() - batchStart) / 1000;
      const bytes = batch.bufferBytes();
      if (bytes.total > buffers.total) buffers = bytes;
      while (n < steps) {
        if (options.signal?.aborted) {
          cancelled = true;
          break;
        }
        const end = Math.min(steps, n + batch.chunkCapacity);
        await batch.runChunk(n, end);
        n = end;
        const done = k * perBatch * steps + T * n;
        options.onProgress?.({ fraction: done / (trials * steps), completedSteps: Math.floor(done / trials), steps });
      }
    } catch (error) {
      batch.destroy();
      throw error;
    }
    // A batch cancelled before its first chunk has nothing to add (unless it is the only one).
    if (n > 0 || parts.length === 0) {
      const part = await batch.finish(Math.floor(n / binSteps), n, cancelled, start);
      parts.push(part);
      options.onBatch?.(part);
    } else batch.destroy();
  }
  const merged = parts.length === 1 ? parts[0] : mergeRecordings(parts);
  const stpState: Record<string, string> = {};
  const filterState: Record<string, string> = {};
  const storage: Record<string, string> = {};
  const synapses: Record<string, number> = {};
  const fixedPoint: Record<string, { scale: number; maxInDegree: number; eventError: number }> = {};
  for (const q of plan.projections) {
    const pr = q.plan;
    synapses[pr.name] = pr.nSyn;
    if (pr.stpPlacement !== 'none') stpState[pr.name] = pr.stpPlacement;
    filterState[pr.name] = filterPlacement(pr);
    storage[pr.name] = (q.procedural ? `procedural (targets regenerated from Philox at each spike, segments of ${PROCEDURAL_SEGMENT})` : 'explicit') + (pr.perTrial ? ', a network per trial' : '');
    fixedPoint[pr.name] = { scale: q.fixedPoint.scale, maxInDegree: q.maxInDegree, eventError: q.fixedPoint.eventError };
  }
  return {
    ...merged,
    level: 'micro-gpu',
    cancelled: merged.cancelled || cancelled,
    wallSeconds: (performance.now() - start) / 1000,
    engine: {
      name: 'micro-gpu (WebGPU, float32, event-driven, fixed-point accumulation)',
      adapter: describeAdapter(ctx.summary),
      software: ctx.summary.software,
      stpState,
      filterState,
      storage,
      synapses,
      fixedPoint,
      trialsPerBatch: perBatch,
      setupSeconds,
      gpuBufferBytes: { largestBatch: buffers.total, byLabel: buffers.byLabel },
      batches: parts.length,
      trialRange: [0, merged.trials],
    },
  };
}
