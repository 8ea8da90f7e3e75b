// Numbers in the visitor's language, through Intl (no strings to translate).

/** Formatters by language and unit: building one is slow, and each render formats every entry. */
const formats = new Map<string, Intl.NumberFormat>();

/** A duration for the timeline: "1.7s" / "1,7 s" / "1.7秒"; under a second in ms. */
export function duration(ms: number, lang: string): string {
  const [unit, value, digits] = ms < 1000 ? (['millisecond', Math.round(ms), 0] as const) : (['second', ms / 1000, 1] as const);
  const key = `${lang} ${unit}`;
  let format = formats.get(key);
  if (!format) {
    const options = { style: 'unit', unit, unitDisplay: 'narrow', maximumFractionDigits: digits } as const;
    try {
      format = new Intl.NumberFormat(lang, options);
    } catch {
      format = new Intl.NumberFormat('en', options); // `lang` is not a valid language tag
    }
    formats.set(key, format);
  }
  return format.format(value);
}

/** The call timer: m:ss (h:mm:ss after an hour). */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60);
  return m < 60 ? `${m}:${s}` : `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${s}`;
}
