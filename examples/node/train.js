// train.js - softmax regression on a CSV, driven by lrsweep over its
// JSON-lines protocol (docs/trainers.md, "The protocol"), written from the
// docs alone: Node.js 18 or newer, standard library only (fs, readline).
//
//   lrsweep run examples/node/blobs.yaml
//
// lrsweep starts it once per range-test repeat and per trial (and once per
// batch size first, only for its hello). It takes every step's rate from
// lrsweep and reports each loss, each evaluation asked for and each epoch.
'use strict';
const fs = require('fs');
const readline = require('readline');

const FD = Number(process.env.LRSWEEP_FD || 3);

// ---- the channel: lines in, lines out ----
const queue = [];      // messages read, not yet taken
let waiting = null;    // the resolver of a pending next()
let closed = false;
const rl = readline.createInterface({ input: fs.createReadStream(null, { fd: FD, autoClose: false }) });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const msg = JSON.parse(line);
  if (waiting) { const w = waiting; waiting = null; w(msg); } else queue.push(msg);
});
rl.on('close', () => { closed = true; if (waiting) waiting(null); });

function next() {
  if (queue.length) return Promise.resolve(queue.shift());
  if (closed) return Promise.resolve(null);
  return new Promise((resolve) => { waiting = resolve; });
}

// One message, one line, written at once (fs.writeSync does not buffer).
// JSON.stringify writes NaN as null: lrsweep reads a null loss as NaN.
function send(obj) {
  fs.writeSync(FD, JSON.stringify(obj) + '\n');
}

// ---- data and model ----
function loadCsv(path) {
  const lines = fs.readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => { const v = l.split(',').map(Number); return { x: v.slice(0, -1), y: v[v.length - 1] }; });
}

function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(a, rnd) {
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
  return a;
}

class Softmax {
  constructor(nin, nout, rnd, scale) {
    this.nin = nin; this.nout = nout;
    this.w = Array.from({ length: nout }, () => Array.from({ length: nin }, () => (rnd() - 0.5) * scale));
    this.b = new Array(nout).fill(0);
    this.vw = this.w.map((r) => r.map(() => 0));
    this.vb = this.b.map(() => 0);
  }
  probs(x) {
    const z = this.w.map((r, i) => r.reduce((s, wij, j) => s + wij * x[j], this.b[i]));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }
  step(rows, lr, mom) {
    const gw = this.w.map((r) => r.map(() => 0)), gb = this.b.map(() => 0);
    let loss = 0;
    for (const { x, y } of rows) {
      const p = this.probs(x);
      loss -= Math.log(Math.max(p[y], 1e-300));
      for (let i = 0; i < this.nout; i++) {
        const d = p[i] - (i === y ? 1 : 0);
        gb[i] += d;
        for (let j = 0; j < this.nin; j++) gw[i][j] += d * x[j];
      }
    }
    const n = rows.length;
    for (let i = 0; i < this.nout; i++) {
      this.vb[i] = mom * this.vb[i] + gb[i] / n; this.b[i] -= lr * this.vb[i];
      for (let j = 0; j < this.nin; j++) { this.vw[i][j] = mom * this.vw[i][j] + gw[i][j] / n; this.w[i][j] -= lr * this.vw[i][j]; }
    }
    return loss / n;
  }
  evaluate(rows, limit) {
    if (limit) rows = rows.slice(0, limit);
    let loss = 0, acc = 0;
    for (const { x, y } of rows) {
      const p = this.probs(x);
      loss -= Math.log(Math.max(p[y], 1e-12));
      if (p.indexOf(Math.max(...p)) === y) acc++;
    }
    return [loss / rows.length, acc / rows.length];
  }
}

class Stop extends Error {}

async function main() {
  // hello comes before config, and steps_per_epoch depends on the batch
  // size: the params file (the config without "op") is there at launch
  const conf = JSON.parse(fs.readFileSync(process.env.LRSWEEP_PARAMS_FILE, 'utf8'));
  // the same split for every run: validation and test sets are fixed
  const data = shuffle(loadCsv(conf.params.csv), mulberry32(0));
  const nv = Math.floor(data.length / 5);
  const val = data.slice(0, nv), test = data.slice(nv, 2 * nv), train = data.slice(2 * nv);
  const batch = conf.batch_size;
  const spe = Math.ceil(train.length / batch);
  send({ op: 'hello', protocol: 1, steps_per_epoch: spe });
  const cfg = await next();
  if (cfg && cfg.op === 'stop') return;   // the probe: lrsweep wanted steps_per_epoch only
  if (!cfg || cfg.op !== 'config') throw new Error('expected config, got ' + JSON.stringify(cfg));
  const rnd = mulberry32(cfg.seed);
  const classes = 1 + Math.max(...data.map((r) => r.y));
  const model = new Softmax(train[0].x.length, classes, rnd, cfg.params.init_scale || 0.1);
  const mom = cfg.optimizer.momentum || 0;
  const rates = new Map();

  async function rate(s) {
    while (!rates.has(s)) {
      const m = await next();
      if (m === null) throw new Error('lrsweep closed the channel');
      if (m.op === 'lr') rates.set(m.step, m.lr);
      else if (m.op === 'eval') {
        const [vl, va] = model.evaluate(val, cfg.eval_samples);
        send({ op: 'eval', step: m.step, val_loss: vl, val_accuracy: va });
      } else if (m.op === 'stop') {
        throw new Stop(m.reason);
      }
    }
    const r = rates.get(s); rates.delete(s); return r;
  }

  let step = 0;
  try {
    for (let epoch = 1; cfg.mode === 'range-test' || epoch <= cfg.epochs; epoch++) {
      const order = shuffle(train.slice(), rnd);
      for (let i = 0; i < spe; i++) {
        if (cfg.mode === 'trial' && cfg.max_steps && step >= cfg.max_steps) break;
        const lr = await rate(step);
        const loss = model.step(order.slice(i * batch, (i + 1) * batch), lr, mom);
        send({ op: 'loss', step, loss: Number.isFinite(loss) ? loss : NaN });
        step++;
      }
      if (cfg.mode === 'trial') {
        const [tl, ta] = model.evaluate(train);
        const [vl, va] = model.evaluate(val);
        send({ op: 'epoch', epoch, train_loss: tl, train_accuracy: ta, val_loss: vl, val_accuracy: va });
        let m;
        while ((m = await next()) && m.op === 'lr') rates.set(m.step, m.lr);
        if (m === null) throw new Error('lrsweep closed the channel');
        if (m.op === 'prune' || m.op === 'stop') return;
      }
    }
    const [tl, ta] = model.evaluate(test);
    send({ op: 'done', test_loss: tl, test_accuracy: ta });
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  } finally {
    rl.close();
  }
}

// Exit 0 after done, stop or prune; lrsweep shuts its end of the channel
// then, so the read pending in fs's thread pool ends and Node can exit.
main().then(() => process.exit(0), (e) => { console.error(e.stack); process.exit(1); });
