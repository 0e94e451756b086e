#!/usr/bin/env node
// ort_eval.js MODEL.onnx INPUTS.npy OUT.npy [--threads N] [--ref REF.npy] [--labels Y.npy] [--output NAME]
// Runs each row of a float32 .npy [N, ...] through an ONNX model as a batch-1 tensor (the model's input
// shape) in onnxruntime-node (CPU), writes the chosen output for all rows as float32 .npy [N, ...].
// Called by tools/peers/ort-eval, which installs onnxruntime-node and sets NODE_PATH.
// Any failure: exit 1 with a single line "ort-eval: ..." on stderr; usage errors exit 2.
'use strict';
const fs = require('fs');

class Fail extends Error {}
const fail = (msg) => { throw new Fail(msg); };

// ---- .npy reading / writing (format versions 1.0, 2.0, 3.0; C order only) ----

const DTYPES = {
  '<f4': { size: 4, get: (b, o) => b.readFloatLE(o) },
  '<f8': { size: 8, get: (b, o) => b.readDoubleLE(o) },
  '<i8': { size: 8, get: (b, o) => Number(b.readBigInt64LE(o)) },
  '<i4': { size: 4, get: (b, o) => b.readInt32LE(o) },
  '|i1': { size: 1, get: (b, o) => b.readInt8(o) },
  '|u1': { size: 1, get: (b, o) => b.readUInt8(o) },
};

function readNpy(path) {
  let buf;
  try { buf = fs.readFileSync(path); } catch (e) { fail(`cannot read ${path}: ${e.code || e.message}`); }
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') fail(`${path}: not a .npy file`);
  const major = buf.readUInt8(6);
  let hlen, hstart;
  if (major === 1) { hlen = buf.readUInt16LE(8); hstart = 10; }
  else if (major === 2 || major === 3) { if (buf.length < 12) fail(`${path}: truncated header`); hlen = buf.readUInt32LE(8); hstart = 12; }
  else fail(`${path}: unsupported .npy version ${major}`);
  if (hstart + hlen > buf.length) fail(`${path}: truncated header`);
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', hstart, hstart + hlen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) fail(`${path}: cannot parse .npy header`);
  if (fortran[1] === 'True') fail(`${path}: Fortran-order arrays are not supported`);
  let d = descr[1];
  if (d === '<f4' || d === '=f4') d = '<f4';
  if (d === 'i1' || d === '<i1') d = '|i1';
  if (d === 'u1' || d === '<u1') d = '|u1';
  const dt = DTYPES[d];
  if (!dt) fail(`${path}: unsupported dtype ${descr[1]}`);
  const dims = shape[1].split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  if (dims.some(v => !Number.isInteger(v) || v < 0)) fail(`${path}: bad shape (${shape[1]})`);
  const count = dims.reduce((a, b) => a * b, 1);
  const off = hstart + hlen;
  if (buf.length - off < count * dt.size) fail(`${path}: data has ${buf.length - off} bytes, shape [${dims}] needs ${count * dt.size}`);
  let data;
  if (d === '<f4') {
    data = new Float32Array(count);
    Buffer.from(data.buffer).set(buf.subarray(off, off + count * 4));
  } else {
    data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = dt.get(buf, off + i * dt.size);
  }
  return { shape: dims, data };
}

function writeNpy(path, shape, f32) {
  const shp = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shp}, }`;
  const pad = 64 - ((10 + h.length + 1) % 64);
  h = h + ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.writeUInt8(0x93, 0); head.write('NUMPY', 1, 'latin1'); head.writeUInt8(1, 6); head.writeUInt8(0, 7);
  head.writeUInt16LE(h.length, 8);
  const body = Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength);
  try { fs.writeFileSync(path, Buffer.concat([head, Buffer.from(h, 'latin1'), body])); }
  catch (e) { fail(`cannot write ${path}: ${e.code || e.message}`); }
}

// ---- main ----

function parseArgs(argv) {
  const pos = [], opt = { threads: 1, ref: null, labels: null, output: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--threads') opt.threads = parseInt(val(), 10);
    else if (a === '--ref') opt.ref = val();
    else if (a === '--labels') opt.labels = val();
    else if (a === '--output') opt.output = val();
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else pos.push(a);
  }
  if (pos.length !== 3) usage('expected MODEL.onnx INPUTS.npy OUT.npy');
  if (!(opt.threads >= 1)) usage('--threads must be >= 1');
  return { model: pos[0], inputs: pos[1], out: pos[2], ...opt };
}

function usage(msg) {
  console.error(`ort-eval: ${msg}\nusage: ort-eval MODEL.onnx INPUTS.npy OUT.npy [--threads N] [--ref REF.npy] [--labels Y.npy] [--output NAME]`);
  process.exit(2);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let ort;
  try { ort = require('onnxruntime-node'); } catch (e) { fail(`cannot load onnxruntime-node: ${e.message.split('\n')[0]}`); }
  const version = (() => { try { return require('onnxruntime-node/package.json').version; } catch (e) { return '?'; } })();
  if (!fs.existsSync(args.model)) fail(`model not found: ${args.model}`);
  const x = readNpy(args.inputs);
  if (x.shape.length < 1 || x.shape[0] < 1) fail(`${args.inputs}: need shape [N, ...] with N >= 1, got [${x.shape}]`);
  const n = x.shape[0];
  const per = x.data.length / n;
  const f32 = x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);

  let sess;
  try {
    sess = await ort.InferenceSession.create(args.model, {
      executionProviders: ['cpu'], intraOpNumThreads: args.threads, interOpNumThreads: 1,
      graphOptimizationLevel: 'all', executionMode: 'sequential',
    });
  } catch (e) { fail(`cannot load model ${args.model}: ${String(e.message || e).split('\n')[0]}`); }
  if (sess.inputNames.length !== 1) fail(`model has ${sess.inputNames.length} inputs; ort-eval handles single-input models`);
  const inName = sess.inputNames[0];
  const meta = (sess.inputMetadata || [])[0];
  if (meta && meta.isTensor && meta.type && meta.type !== 'float32') fail(`model input ${inName} is ${meta.type}; ort-eval feeds float32`);
  let shape = [1, ...x.shape.slice(1)];
  if (meta && meta.isTensor && meta.shape && meta.shape.length) {
    const ms = meta.shape.map((d, i) => (typeof d === 'number' && d > 0) ? d : (i === 0 ? 1 : NaN));
    if (ms.every(d => Number.isInteger(d))) {
      const need = ms.reduce((a, b) => a * b, 1);
      if (need !== per) fail(`model input ${inName} [${meta.shape}] has ${need} elements; each row of ${args.inputs} has ${per}`);
      shape = ms;
    }
  }
  const outName = args.output || sess.outputNames[0];
  if (!sess.outputNames.includes(outName)) fail(`model has no output named ${outName} (outputs: ${sess.outputNames.join(', ')})`);

  const run = async (i) => {
    const feeds = { [inName]: new ort.Tensor('float32', f32.subarray(i * per, (i + 1) * per), shape) };
    try { return (await sess.run(feeds, [outName]))[outName]; }
    catch (e) { fail(`inference failed on row ${i}: ${String(e.message || e).split('\n')[0]}`); }
  };

  for (let i = 0; i < Math.min(n, 20); i++) await run(i);  // warm-up
  let outDims = null, outPer = 0, result = null;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const o = await run(i);
    times[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    if (o.type !== 'float32') fail(`output ${outName} is ${o.type}; ort-eval writes float32`);
    if (!outDims) { outDims = o.dims.slice(); outPer = o.data.length; result = new Float32Array(n * outPer); }
    else if (o.data.length !== outPer) fail(`output ${outName} changed size on row ${i}`);
    result.set(o.data, i * outPer);
  }
  const rowShape = outDims.length && outDims[0] === 1 ? outDims.slice(1) : outDims;
  writeNpy(args.out, [n, ...rowShape], result);
  const sorted = Array.from(times).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];

  let extra = '';
  if (args.ref) {
    const r = readNpy(args.ref);
    if (r.data.length !== result.length) fail(`${args.ref}: shape [${r.shape}] does not match output [${[n, ...rowShape]}]`);
    let m = 0;
    for (let i = 0; i < result.length; i++) { const d = Math.abs(result[i] - r.data[i]); if (Number.isNaN(d)) { m = NaN; break; } if (d > m) m = d; }
    let agree = 0;
    for (let i = 0; i < n; i++) if (argmax(result, i * outPer, outPer) === argmax(r.data, i * outPer, outPer)) agree++;
    extra += ` max_abs_diff=${m.toExponential(2)} argmax_agree=${agree}/${n}`;
  }
  if (args.labels) {
    const y = readNpy(args.labels);
    if (y.data.length !== n) fail(`${args.labels}: ${y.data.length} labels for ${n} rows`);
    let ok = 0;
    for (let i = 0; i < n; i++) if (argmax(result, i * outPer, outPer) === y.data[i]) ok++;
    extra += ` accuracy=${(ok / n).toFixed(4)} (${ok}/${n})`;
  }
  console.log(`ort-eval: onnxruntime-node ${version}; ${n} rows; input ${inName} [${shape}] -> ${outName} [${outDims}]; ` +
              `threads=${args.threads} median_us=${median.toFixed(2)}${extra}`);
}

function argmax(a, off, len) {
  let best = 0;
  for (let j = 1; j < len; j++) if (a[off + j] > a[off + best]) best = j;
  return best;
}

main().then(() => process.exit(0), (e) => {
  const msg = e instanceof Fail ? e.message : `unexpected error: ${String((e && e.message) || e).split('\n')[0]}`;
  console.error(`ort-eval: ${msg}`);
  process.exit(1);
});
