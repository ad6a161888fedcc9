/**
 * The widget's icons, built as SVG DOM. Paths from Feather (https://feathericons.com),
 * MIT License, Copyright (c) 2013-2023 Cole Bemis.
 */
const SVG = 'http://www.w3.org/2000/svg';

/** A 24×24 stroke icon. */
function icon(...paths: string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [name, value] of Object.entries({
    viewBox: '0 0 24 24',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
  })) {
    svg.setAttribute(name, value);
  }
  for (const d of paths) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

export const bellIcon = () =>
  icon('M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9', 'M13.73 21a2 2 0 0 1-3.46 0');
export const checkIcon = () => icon('M20 6 9 17l-5-5');
export const inboxIcon = () =>
  icon(
    'M22 12h-6l-2 3h-4l-2-3H2',
    'M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z',
  );
export const archiveIcon = () => icon('M21 8v13H3V8', 'M1 3h22v5H1z', 'M10 12h4');
export const unarchiveIcon = () => icon('M9 14 4 9l5-5', 'M20 20v-7a4 4 0 0 0-4-4H4');
export const trashIcon = () =>
  icon(
    'M3 6h18',
    'M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6',
    'M10 11v6',
    'M14 11v6',
    'M9 6V4h6v2',
  );
export const clockIcon = () => icon('M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z', 'M12 6v6l4 2');
export const settingsIcon = () =>
  icon(
    'M4 21v-7',
    'M4 10V3',
    'M12 21v-9',
    'M12 8V3',
    'M20 21v-5',
    'M20 12V3',
    'M1 14h6',
    'M9 8h6',
    'M17 16h6',
  );
