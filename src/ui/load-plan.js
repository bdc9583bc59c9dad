// The run builder's model: k6's executors and their fields, each executor's starting config,
// and the plan (rate or users over time) its chart previews.
const num = (name, hint, value) => ({ name, kind: 'number', hint, value });
const dur = (name, hint, value) => ({ name, kind: 'duration', hint, value });
const stages = (hint) => ({ name: 'stages', kind: 'stages', hint });
// Each executor's fields, with k6's names; a value given here is the form's starting value.
export const EXECUTORS = {
  'constant-arrival-rate': [num('rate', 'iterations per time unit', 50), dur('timeUnit', 'default 1s', '1s'), dur('duration', 'e.g. 30s', '30s'),
    num('preAllocatedVUs', 'users ready at the start'), num('maxVUs', 'users at most; beyond, iterations are dropped')],
  'ramping-arrival-rate': [num('startRate', 'the rate at the start', 0), dur('timeUnit', 'default 1s', '1s'), stages('target: iterations per time unit'),
    num('preAllocatedVUs', 'users ready at the start'), num('maxVUs', 'users at most')],
  'constant-vus': [num('vus', 'users looping', 10), dur('duration', 'e.g. 30s', '30s')],
  'ramping-vus': [num('startVUs', 'users at the start', 1), stages('target: users')],
  'per-vu-iterations': [num('vus', 'users', 5), num('iterations', 'each user runs this many', 10), dur('maxDuration', 'default 10m')],
  'shared-iterations': [num('vus', 'users', 5), num('iterations', 'in all', 100), dur('maxDuration', 'default 10m')],
};

// Seconds in a duration as the engine writes them ("500ms", "30s", "2m", "1h", or a number of seconds).
export function seconds(d) {
  if (typeof d === 'number') return d;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(String(d || ''));
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] || 's'];
}

export function defaults(executor) {
  const config = { executor };
  for (const f of EXECUTORS[executor]) {
    if (f.kind === 'stages') config.stages = [{ duration: '10s', target: 20 }, { duration: '20s', target: 20 }];
    else if (f.value !== undefined) config[f.name] = f.value;
  }
  return config;
}

// The planned rate (or users) over time: [times, values].
export function planned(config) {
  const rate = config.executor.includes('arrival') ? 'rate' : 'users';
  if (config.stages) {
    const xs = [0];
    const ys = [Number(config.startRate !== undefined ? config.startRate : config.startVUs) || 0];
    for (const st of config.stages) { xs.push(xs[xs.length - 1] + seconds(st.duration)); ys.push(Number(st.target) || 0); }
    return { rate, data: [xs, ys] };
  }
  const d = seconds(config.duration || config.maxDuration || '10s');
  const y = Number(config.rate !== undefined ? config.rate : config.vus) || 0;
  return { rate, data: [[0, d], [y, y]] };
}
