/** Series colours: distinct, and each at least 3:1 against the white background (WCAG for graphics). */
export const SERIES = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#475569'];

export const seriesColor = (i: number) => SERIES[i % SERIES.length];

export const AXIS = '#4b5563';
export const GRID = '#e5e7eb';
