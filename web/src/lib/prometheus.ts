// A reader of the Prometheus text exposition format (what /metrics serves),
// enough for the Health page: samples with their labels, and consumer lag
// summed per consumer group and topic.

/** One sample: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * parsePrometheus reads every sample of a text exposition. Comments (# HELP,
 * # TYPE) and blank lines are skipped; a line that does not parse is skipped
 * too, so that one odd line does not hide the rest.
 */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const s = parseLine(line);
    if (s) out.push(s);
  }
  return out;
}

function parseLine(line: string): Sample | undefined {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (!name) return undefined;
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    for (;;) {
      while (line[i] === " " || line[i] === ",") i++;
      if (line[i] === "}") {
        i++;
        break;
      }
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
      if (!key) return undefined;
      i += key.length;
      while (line[i] === " ") i++;
      if (line[i] !== "=") return undefined;
      i++;
      while (line[i] === " ") i++;
      if (line[i] !== '"') return undefined;
      i++;
      let value = "";
      for (;;) {
        const c = line[i];
        if (c === undefined) return undefined;
        i++;
        if (c === '"') break;
        if (c === "\\") {
          const e = line[i++];
          value += e === "n" ? "\n" : e === undefined ? "" : e;
        } else {
          value += c;
        }
      }
      labels[key] = value;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest[0] === "") return undefined;
  const value = parseValue(rest[0]);
  if (value === undefined) return undefined;
  return { name, labels, value };
}

function parseValue(s: string): number | undefined {
  switch (s) {
    case "+Inf":
      return Infinity;
    case "-Inf":
      return -Infinity;
    case "NaN":
      return NaN;
  }
  const n = Number(s);
  return Number.isNaN(n) ? undefined : n;
}

/** Consumer lag of one group on one topic, summed over its partitions. */
export interface Lag {
  group: string;
  topic: string;
  lag: number;
  partitions: number;
}

/** The gauge the services export per consumed partition. */
export const lagMetric = "orders_consumer_lag";

/**
 * consumerLag sums orders_consumer_lag{group,topic,partition} per group and
 * topic, sorted by group then topic.
 */
export function consumerLag(text: string): Lag[] {
  const byKey = new Map<string, Lag>();
  for (const s of parsePrometheus(text)) {
    if (s.name !== lagMetric || !Number.isFinite(s.value)) continue;
    const group = s.labels.group ?? "";
    const topic = s.labels.topic ?? "";
    const key = `${group}\u0000${topic}`;
    const l = byKey.get(key) ?? { group, topic, lag: 0, partitions: 0 };
    l.lag += s.value;
    l.partitions++;
    byKey.set(key, l);
  }
  return [...byKey.values()].sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic));
}
