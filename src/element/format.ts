// Numbers in the visitor's language, through Intl (no strings to translate).

const formats = new Map<string, Intl.NumberFormat>();

function unit(lang: string, unit: 'second' | 'millisecond', digits: number): Intl.NumberFormat {
  const key = `${lang} ${unit}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'narrow', maximumFractionDigits: digits });
    } catch {
      f = new Intl.NumberFormat('en', { style: 'unit', unit, unitDisplay: 'narrow', maximumFractionDigits: digits });
    }
    formats.set(key, f);
  }
  return f;
}

/** A duration for the timeline: "1.7s" / "1,7 s" / "1.7秒"; under a second in ms. */
export function duration(ms: number, lang: string): string {
  return ms < 1000 ? unit(lang, 'millisecond', 0).format(Math.round(ms)) : unit(lang, 'second', 1).format(ms / 1000);
}

/** The call timer: m:ss (h:mm:ss after an hour). */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60);
  return m < 60 ? `${m}:${s}` : `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${s}`;
}
